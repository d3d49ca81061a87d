"""`cnncalc check`: the CI gate. Every spec must build, fit its budgets and meet its expectations."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from cnncalc.commands.common import StrictOpt, complete_spec, reports_errors, takes_conventions
from cnncalc.conventions import Conventions
from cnncalc.errors import UsageError


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _limit(flag: str, example: str, what: str):
    return Annotated[str | None, typer.Option(flag, metavar="N", help=f"Fail when {what} exceeds N (e.g. {example}).", show_default=False)]


MaxParamsOpt = _limit("--max-params", "25M", "the parameter count")
MaxMacsOpt = _limit("--max-macs", "4G", "the multiply-accumulates per image")
MaxMemoryOpt = _limit("--max-activation-memory", "2GiB", "the forward activation memory at --batch and --dtype")


@reports_errors
@takes_conventions("batch", "dtype", "units", "layout")
def check(
    specs: Annotated[list[str], typer.Argument(metavar="SPEC", help="Spec files, folders of specs, or zoo names.", show_default=False, autocompletion=complete_spec)],
    max_params: MaxParamsOpt = None,
    max_macs: MaxMacsOpt = None,
    max_activation_memory: MaxMemoryOpt = None,
    expect: Annotated[Path | None, typer.Option("--expect", metavar="FILE", help="YAML expectations every spec must meet (as a spec's 'expect:' block).", show_default=False)] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="text; json; github: workflow annotations on the offending lines.")] = CheckFormat.text,
    strict: StrictOpt = False,
    *,
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """Check specs for CI: they build (shapes agree at every join), fit the budgets and meet
    their expectations. Exit 0 when all pass, 1 when any fails, 2 for bad usage.

    Budgets come from the options (--max-params 25M --max-macs 4G --max-activation-memory 2GiB,
    memory measured at --batch and --dtype) and from a spec's own 'budget:' block; expectations
    from a spec's 'expect:' block and --expect FILE (e.g. params: 25557032).

    \b
    Examples:
      cnncalc check specs/
      cnncalc check specs/*.yaml --max-params 25M --max-macs 4G --format github
      cnncalc check net.yaml --max-activation-memory 2GiB --batch 32 --dtype fp16
      cnncalc check resnet50 --expect expected.yaml
    """
    from cnncalc.gate import budget_from_options, check_spec
    from cnncalc.grading.values import UnreadableValue

    limits = {"max_params": max_params, "max_macs": max_macs, "max_activation_memory": max_activation_memory}
    try:
        budget = budget_from_options(limits, conventions.batch, conventions.dtype, conventions.units)
    except UnreadableValue as exc:
        raise UsageError(str(exc)) from None
    expectations = _read_expect(expect)
    reports = [check_spec(ref, budget, expectations, conventions, strict) for ref in _spec_refs(specs)]
    render = {CheckFormat.text: _text, CheckFormat.json: _json, CheckFormat.github: _github}[format]
    sys.stdout.write(render(reports))
    if not all(report.ok for report in reports):
        raise typer.Exit(1)


def _spec_refs(specs: list[str]) -> list[str]:
    """Folders expand to their *.yaml / *.yml files; anything else is a file or a zoo name."""
    refs: list[str] = []
    for ref in specs:
        path = Path(ref)
        if path.is_dir():
            found = sorted(str(p) for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise UsageError(f"no specs (*.yaml) in '{ref}'")
            refs.extend(found)
        else:
            refs.append(ref)
    from cnncalc.zoo import resolve_spec

    for ref in refs:
        resolve_spec(ref)  # a missing file is a usage error (exit 2) before anything is checked
    return refs


def _read_expect(path: Path | None):
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"--expect: no such file '{path}'")
    from cnncalc.spec.yaml_loader import load_yaml_file

    return load_yaml_file(str(path)), str(path)


def _summary(report) -> str:
    from cnncalc.units import human_bytes, human_count

    totals, conventions = report.analysis.totals, report.analysis.conventions
    return (f"{totals.params:,} params, {human_count(totals.macs // conventions.batch)} MACs/image, "
            f"{human_bytes(totals.activation_bytes, conventions.units)} activations")


def _text(reports) -> str:
    lines = []
    for report in reports:
        lines.extend(str(problem) for problem in report.problems)
        if report.ok:
            warned = sum(1 for p in report.problems if p.severity == "warning")
            lines.append(f"{report.path}: ok ({_summary(report)})" + (f", {warned} warning(s)" if warned else ""))
    failed = sum(1 for report in reports if not report.ok)
    lines.append(f"checked {len(reports)} spec(s): {len(reports) - failed} ok, {failed} failed")
    return "\n".join(lines) + "\n"


def _json(reports) -> str:
    data = {"ok": all(r.ok for r in reports), "specs": []}
    for report in reports:
        entry = {"path": report.path, "ok": report.ok, "problems": [{
            "severity": p.severity, "kind": p.kind, "message": p.message, "layer": p.layer,
            "file": p.location.path, "line": p.location.line, "column": p.location.column,
        } for p in report.problems]}
        if report.analysis is not None:
            totals = report.analysis.totals
            entry["totals"] = {"params": totals.params, "macs_per_image": totals.macs // report.analysis.conventions.batch,
                               "activation_bytes": totals.activation_bytes}
        data["specs"].append(entry)
    return json.dumps(data, indent=2) + "\n"


def _escape(text: str, property: bool = False) -> str:
    """GitHub workflow-command escaping (properties also escape ':' and ',')."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def _github(reports) -> str:
    """`::error file=...,line=...,col=...::message` lines: a pull request shows them on the line."""
    lines = []
    for report in reports:
        for p in report.problems:
            where = f"file={_escape(p.location.path, True)}"
            if p.location.line is not None:
                where += f",line={p.location.line},col={p.location.column or 1}"
            layer = f"layer '{p.layer}': " if p.layer else ""
            lines.append(f"::{p.severity} {where},title=cnncalc check::{_escape(layer + p.message)}")
    lines.append(_text(reports).rstrip("\n").rsplit("\n", 1)[-1])
    return "\n".join(lines) + "\n"
