"""`cnncalc check`: the reports as text (one problem per line, as a compiler writes them), JSON, or
GitHub workflow annotations. The figures each spec shows are its budgeted metrics
(`cnncalc.metrics.budgeted()`): this module names none of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cnncalc import metrics
from cnncalc.gate import Report, measured
from cnncalc.render.output import Format


def totals(report: Report) -> dict[str, int]:
    """The budgeted totals by JSON name: a per-image budget's total is per image (`<total>_per_image`)."""
    assert report.analysis is not None
    return {metric.totalled + ("_per_image" if metric.per_image else ""): measured(metric, report.analysis)
            for metric in metrics.budgeted()}


def summary(report: Report) -> str:
    """Each budgeted total in words, '<value> <label>' ('/image' after a per-image one), joined by commas."""
    assert report.analysis is not None
    units = report.analysis.conventions.units
    return ", ".join(
        f"{metric.written(measured(metric, report.analysis), units, metric.cell)} {metric.label}"
        + ("/image" if metric.per_image else "")
        for metric in metrics.budgeted())


def to_text(reports: list[Report]) -> str:
    lines: list[str] = []
    for report in reports:
        lines.extend(str(problem) for problem in report.problems)
        if report.ok:
            warned = sum(1 for p in report.problems if p.severity == "warning")
            lines.append(f"{report.path}: ok ({summary(report)})" + (f", {warned} warning(s)" if warned else ""))
    lines.append(verdict(reports))
    return "\n".join(lines) + "\n"


def verdict(reports: list[Report]) -> str:
    failed = sum(1 for report in reports if not report.ok)
    return f"checked {len(reports)} spec(s): {len(reports) - failed} ok, {failed} failed"


def to_json(reports: list[Report]) -> str:
    specs = []
    for report in reports:
        entry: dict[str, Any] = {"path": report.path, "ok": report.ok, "problems": [{
            "severity": p.severity, "kind": p.kind, "message": p.message, "layer": p.layer,
            "file": p.location.path, "line": p.location.line, "column": p.location.column,
        } for p in report.problems]}
        if report.analysis is not None:
            entry["totals"] = totals(report)
        specs.append(entry)
    return json.dumps({"ok": all(r.ok for r in reports), "specs": specs}, indent=2) + "\n"


def escape(text: str, property: bool = False) -> str:
    """GitHub workflow-command escaping (properties also escape ':' and ',')."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def to_github(reports: list[Report]) -> str:
    """`::error file=...,line=...,col=...::message` lines: a pull request shows them on the line."""
    lines: list[str] = []
    for report in reports:
        for p in report.problems:
            where = f"file={escape(p.location.path, True)}"
            if p.location.line is not None:
                where += f",line={p.location.line},col={p.location.column or 1}"
            layer = f"layer '{p.layer}': " if p.layer else ""
            lines.append(f"::{p.severity} {where},title=cnncalc check::{escape(layer + p.message)}")
    lines.append(verdict(reports))
    return "\n".join(lines) + "\n"


RENDERERS: dict[Format, Callable[[list[Report]], str]] = {
    Format.text: to_text, Format.json: to_json, Format.github: to_github,
}
