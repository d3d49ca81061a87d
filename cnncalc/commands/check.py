"""`cnncalc check`: the CI gate. Every spec must build, fit its budgets and meet its expectations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cnncalc.commands.common import (
    StrictOpt,
    complete_spec,
    reports_errors,
    takes_budgets,
    takes_conventions,
    takes_format,
)
from cnncalc.conventions import Conventions
from cnncalc.errors import ExitStatus, UsageError
from cnncalc.render.output import Format, Output

SpecsArg = Annotated[list[str], typer.Argument(
    metavar="SPEC", help="Spec files, folders (their *.yaml and *.yml files, in subfolders too), or zoo names.",
    show_default=False, autocompletion=complete_spec)]
ExpectOpt = Annotated[Path | None, typer.Option(
    "--expect", metavar="FILE", help="YAML expectations every spec must meet (as a spec's 'expect:' block).",
    show_default=False)]


@reports_errors
@takes_conventions("batch", "dtype", "units", "layout")
@takes_budgets
@takes_format(Format.text, Format.json, Format.github,
              help="text; json; github: workflow annotations on the offending lines.")
def check(
    specs: SpecsArg,
    expect: ExpectOpt = None,
    format: Format = Format.text,
    strict: StrictOpt = False,
    *,
    budgets: dict[str, str | None],  # from the --max-... options: see takes_budgets
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """Check specs for CI: they build (shapes agree at every join), fit the budgets and meet
    their expectations. Exit 0 when all pass, 1 when any fails, 2 for bad usage.

    A folder stands for every *.yaml and *.yml file in it and in its subfolders (hidden ones such as
    .git skipped).

    Budgets come from the --max-... options (e.g. --max-params 25M --max-macs 4G
    --max-activation-memory 2GiB, memory measured at --batch and --dtype) and from a spec's own
    'budget:' block; expectations from a spec's 'expect:' block and --expect FILE (e.g. params: 25557032).

    \b
    Examples:
      cnncalc check specs/
      cnncalc check specs/*.yaml --max-params 25M --max-macs 4G --format github
      cnncalc check net.yaml --max-activation-memory 2GiB --batch 32 --dtype fp16
      cnncalc check resnet50 --expect expected.yaml
    """
    from cnncalc.gate import budget_from_options, check_spec
    from cnncalc.grading.values import UnreadableValue
    from cnncalc.render import check as view

    try:
        budget = budget_from_options(budgets, conventions.batch, conventions.dtype, conventions.units)
    except UnreadableValue as exc:
        raise UsageError(str(exc)) from None
    expectations = _read_expect(expect)
    reports = [check_spec(ref, budget, expectations, conventions, strict) for ref in _spec_refs(specs)]
    Output().text(view.RENDERERS[format](reports))
    if not all(report.ok for report in reports):
        raise typer.Exit(ExitStatus.WRONG)


def _spec_refs(specs: list[str]) -> list[str]:
    """Folders expand to their *.yaml / *.yml files, recursively; anything else is a file or a zoo name."""
    from cnncalc.loading import expand_folders, resolve

    refs = expand_folders(specs, "specs")
    for ref in refs:
        resolve(ref)  # a missing file is a usage error (exit 2) before anything is checked
    return refs


def _read_expect(path: Path | None) -> tuple[Any, str] | None:
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"--expect: no such file '{path}'")
    from cnncalc.spec.yaml_loader import load_yaml_file

    return load_yaml_file(str(path)), str(path)
