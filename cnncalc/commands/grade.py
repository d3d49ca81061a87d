"""`cnncalc grade`: mark students' answer sheets against the computed truth."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.commands.common import (
    InputOpt,
    complete_spec,
    reports_errors,
    takes_conventions,
    takes_format,
)
from cnncalc.conventions import Conventions
from cnncalc.errors import UsageError
from cnncalc.loading import load
from cnncalc.render.output import Format, Output

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.grading.sheet import Sheet

SheetsArg = Annotated[list[str], typer.Argument(
    metavar="SHEET", help="Answer sheets (YAML), or folders of them.", show_default=False)]
KeyOpt = Annotated[str | None, typer.Option(
    "--key", "-k", metavar="SPEC", help="The spec to mark against (a file or zoo name); default: each sheet's own "
    "'spec:'.", show_default=False, autocompletion=complete_spec)]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write the report to this file instead of stdout.", show_default=False)]
ToleranceOpt = Annotated[str, typer.Option(
    "--tolerance", "-t", help="Also accept answers within this relative error: 1% or 0.01.")]


@reports_errors
@takes_conventions("batch", "dtype", "bias", "bn_stats", "units", "layout", "count_input")
@takes_format(Format.text, Format.json, Format.csv,
              help="Output format (default: text for one sheet, csv for a class).")
def grade(
    sheets: SheetsArg,
    key: KeyOpt = None,
    format: Format | None = None,
    output: OutputOpt = None,
    tolerance: ToleranceOpt = "0",
    input: InputOpt = None,
    *,
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """Mark answer sheets: each item right or wrong, the expected value and, when wrong, the working.

    A sheet names a spec and gives answers per layer (output_shape, params, macs, flops, memory,
    receptive_field) and for the totals, written as students write them: 55x55x96, (55, 55, 96),
    34,944, 35K, 60M, 1.9 MB. A number with a K/M/G suffix is right when the truth rounds to it.
    A folder of sheets is graded into a CSV: one row per student, one column per item, a score.

    \b
    Examples:
      cnncalc grade ada.yaml
      cnncalc grade homework/ --key alexnet_2012 -o marks.csv
      cnncalc grade ada.yaml --key alexnet_2012 --no-bias --tolerance 1%
    """
    from cnncalc.analysis import analyze
    from cnncalc.grading.marking import AnswerKey
    from cnncalc.grading.sheet import Sheet, grade_sheets
    from cnncalc.render import grade as view

    paths = _sheet_paths(sheets)
    fraction = _tolerance(tolerance)
    keys: dict[str, AnswerKey] = {}

    def key_for(sheet: Sheet) -> AnswerKey:
        ref = key or _sheet_spec(sheet)
        if ref not in keys:
            graph = load(ref, input, conventions.layout).graph
            keys[ref] = AnswerKey(graph, analyze(graph, conventions))
        return keys[ref]

    if key is not None:
        key_for(Sheet(path="", student=""))  # a broken key is the teacher's error: exit 1 at once
    out = Output()
    results = grade_sheets(paths, key_for, fraction, view.progress(out, len(paths)))
    chosen = format or (Format.text if len(paths) == 1 and not Path(sheets[0]).is_dir() else Format.csv)
    if chosen == Format.csv:
        layers = [name for k in keys.values() for name in k.rows]
        text = view.to_csv(results, list(dict.fromkeys(layers)))
    elif chosen == Format.json:
        text = view.to_json(results, conventions)
    else:
        text = view.to_text(results, conventions)
    if output is None:
        out.text(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--output: cannot write '{output}': {exc.strerror}") from None
    out.note(f"graded {len(results)} sheet(s) into {output}")


def _sheet_paths(sheets: list[str]) -> list[str]:
    """Folders expand to their *.yaml / *.yml sheets; anything else must be a sheet file."""
    from cnncalc.loading import expand_folders

    paths = expand_folders(sheets, "answer sheets")
    for path in paths:
        if not Path(path).is_file():
            raise UsageError(f"no such sheet or folder '{path}'")
    return paths


def _sheet_spec(sheet: Sheet) -> str:
    """A sheet's `spec:`: a file next to the sheet, a path, or a zoo name."""
    if not sheet.spec:
        raise UsageError("the sheet names no spec: add 'spec: <zoo name or file>' or grade with --key")
    beside = Path(sheet.path).parent / sheet.spec
    return str(beside) if beside.is_file() else sheet.spec


def _tolerance(text: str) -> float:
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise UsageError(f"--tolerance: cannot read '{text}' (write 1% or 0.01)") from None
    if not 0 <= value < 1:
        raise UsageError(f"--tolerance: '{text}' must be between 0 and 100%")
    return value

