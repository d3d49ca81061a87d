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
from cnncalc.errors import CnnCalcError, UsageError
from cnncalc.loading import load
from cnncalc.render.output import Format, Output

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.grading.sheet import GradedSheet, Key, Sheet

SheetsArg = Annotated[list[str], typer.Argument(
    metavar="SHEET", help="Answer sheets (YAML), or folders of them.", show_default=False)]
KeyOpt = Annotated[str | None, typer.Option(
    "--key", "-k", metavar="SPEC", help="The spec to mark against (a file or zoo name); required for a class; "
    "default for one sheet: its own 'spec:'.", show_default=False, autocompletion=complete_spec)]
QuestionsOpt = Annotated[Path | None, typer.Option(
    "--questions", "-q", metavar="FILE", help="A template answer sheet whose items are the questions every sheet "
    "is marked out of (default: the key's 'questions:' list; without one, each sheet's own answered items).",
    show_default=False)]
CarryOpt = Annotated[bool, typer.Option(
    "--carry-errors", help="Credit an answer worked out right from the student's own earlier wrong output shape "
    "(marked 'follows', scored as right).")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write the report to this file instead of stdout.", show_default=False)]
ToleranceOpt = Annotated[str, typer.Option(
    "--tolerance", "-t", help="Also accept answers within this relative error: 1% or 0.01.")]


@reports_errors
@takes_conventions("batch", "dtype", "bias", "bn_stats", "units", "layout", "count_input", "count_views")
@takes_format(Format.text, Format.json, Format.csv,
              help="Output format (default: text for one sheet, csv for a class).")
def grade(
    sheets: SheetsArg,
    key: KeyOpt = None,
    format: Format | None = None,
    output: OutputOpt = None,
    tolerance: ToleranceOpt = "0",
    questions: QuestionsOpt = None,
    carry_errors: CarryOpt = False,
    input: InputOpt = None,
    *,
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """Mark answer sheets: each item right or wrong, the expected value and, when wrong, the working.

    A sheet names a spec and gives answers per layer (output_shape, params, macs, flops, memory,
    receptive_field) and for the totals, written as students write them: 55x55x96, (55, 55, 96),
    34,944, 35K, 60M, 1.9 MB. A number with a K/M/G suffix is right when the truth rounds to it;
    a plain number is exact. A module name (inception_3a, layer1) stands for its layers' totals.
    A class (a folder, or several sheets) is graded against one --key into a CSV: one row per
    student, one column per question, a score out of the key's questions.

    \b
    Examples:
      cnncalc grade ada.yaml
      cnncalc grade homework/ --key alexnet_2012 -o marks.csv
      cnncalc grade homework/ --key alexnet_2012 --questions questions.yaml --carry-errors
      cnncalc grade ada.yaml --key alexnet_2012 --no-bias --tolerance 1%
    """
    from cnncalc.analysis import analyze
    from cnncalc.grading.marking import AnswerKey
    from cnncalc.grading.sheet import Key, Sheet, grade_sheets, read_questions, template_questions
    from cnncalc.render import grade as view

    paths = _sheet_paths(sheets)
    a_class = len(paths) > 1 or any(Path(ref).is_dir() for ref in sheets)
    if a_class and key is None:
        raise UsageError("a class (a folder or several sheets) is graded against one key: add --key SPEC "
                         "(a zoo name or spec file), e.g. --key alexnet_2012")
    if questions is not None and not questions.is_file():
        raise UsageError(f"--questions: no such file '{questions}'")
    fraction = _tolerance(tolerance)
    keys: dict[str, Key] = {}

    def key_for(sheet: Sheet) -> Key:
        ref = key or _sheet_spec(sheet)
        if ref not in keys:
            model = load(ref, input, conventions.layout)
            answers = AnswerKey(model.graph, analyze(model.graph, conventions))
            if questions is not None:
                asked: list[str] | None = template_questions(answers, str(questions))
            elif model.questions is not None:
                asked = read_questions(answers, model.questions.value, model.questions.where)
            else:
                asked = None
            keys[ref] = Key(answers, model.path, asked)
        return keys[ref]

    if key is not None:
        key_for(Sheet(path="", student=""))  # a broken key is the teacher's error: exit 1 at once
    out = Output()
    results = grade_sheets(paths, key_for, fraction, carry_errors, view.progress(out, len(paths)))
    if not a_class and not results[0].marks:
        raise CnnCalcError(view.escaped(_unmarked(results[0])))
    ungraded = sum(1 for result in results if not result.marks)
    if ungraded:
        out.note(f"{ungraded} of {len(results)} sheets could not be marked: their problems are in their rows")
    chosen = format or (Format.csv if a_class else Format.text)
    if chosen == Format.csv and any(result.key is not None and result.key.questions is None for result in results):
        out.note("the key has no questions list: each sheet is marked out of the items it answered "
                 "(add 'questions:' to the key, or give --questions FILE)")  # text and JSON say it per sheet
    if chosen == Format.csv:
        text = view.to_csv(results)
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


def _unmarked(result: GradedSheet) -> str:
    """Why a single sheet could not be marked at all: its first problem, or that it answers nothing."""
    if result.sheet.problems:
        return f"cannot mark the answer sheet: {result.sheet.problems[0]}"
    return f"{result.sheet.path}: the answer sheet has no answers: write them under 'layers:' and/or 'totals:'"


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

