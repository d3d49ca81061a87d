"""Answer sheets: read a student's YAML sheet and mark every answer on it.

A sheet never stops the grading: a file that cannot be read, a layer that does not exist or a
value that cannot be read becomes a problem on that sheet (or that item), and the rest is marked.

    student: Ada Lovelace        # optional (default: the file name)
    spec: alexnet_2012           # zoo name or file (relative to the sheet); --key overrides it
    layers:
      conv1: {output_shape: 55x55x96, params: 34,944, macs: 105M}
      pool1:
        output_shape: (27, 27, 96)
    totals:
      params: 61M
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnncalc.errors import CnnCalcError, Location
from cnncalc.grading.marking import AnswerKey, Mark, layer_items, total_items
from cnncalc.spec.validate import did_you_mean

SHEET_KEYS = ("student", "spec", "layers", "totals", "notes")


@dataclass
class Answer:
    layer: str | None   # None: a total
    item: str
    raw: Any
    location: Location


@dataclass
class Sheet:
    path: str
    student: str
    spec: str | None = None
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # about the whole sheet, "path:line:col: message"


@dataclass
class GradedSheet:
    sheet: Sheet
    marks: list[Mark] = field(default_factory=list)
    key_name: str = ""

    @property
    def score(self) -> int:
        return sum(1 for mark in self.marks if mark.right)

    @property
    def problems(self) -> list[str]:
        return self.sheet.problems + [f"{m.item}: {m.problem}" for m in self.marks if m.problem]


def read_sheet(path: str) -> Sheet:
    """Parse a sheet; anything wrong with it is recorded on the sheet, never raised."""
    from cnncalc.spec.yaml_loader import LocDict, load_yaml_text, read_text_file

    sheet = Sheet(path=path, student=Path(path).stem)
    try:
        text = read_text_file(path)
        data = load_yaml_text(text, path)
    except CnnCalcError as exc:
        sheet.problems.append(f"cannot read the sheet: {exc}")
        return sheet
    if not isinstance(data, LocDict):
        sheet.problems.append(f"{path}: a sheet must be a mapping with 'layers' and/or 'totals'")
        return sheet
    for key in data:
        if key not in SHEET_KEYS:
            sheet.problems.append(f"{data.where(key)}: unknown key '{key}'{did_you_mean(key, SHEET_KEYS)} (ignored)")
    if data.get("student") is not None:
        sheet.student = str(data["student"])
    if data.get("spec") is not None:
        sheet.spec = str(data["spec"])
    layers = data.get("layers", LocDict())
    if not isinstance(layers, LocDict):
        where = data.where("layers")
        sheet.problems.append(f"{where}: 'layers' must map layer names to answers (conv1: {{params: 34944}})")
        layers = {}
    source = text.splitlines()
    for name, answers in layers.items():
        _collect(sheet, str(name), answers, layers.where(name), source)
    totals = data.get("totals")
    if totals is not None:
        _collect(sheet, None, totals, data.where("totals"), source)
    return sheet


def _collect(sheet: Sheet, layer: str | None, answers: Any, where: Location, source: list[str]) -> None:
    from cnncalc.spec.yaml_loader import LocDict

    what = f"layer '{layer}'" if layer else "'totals'"
    if not isinstance(answers, LocDict):
        items = ", ".join(layer_items() if layer else total_items())
        sheet.problems.append(f"{where}: {what} must map items ({items}) to answers")
        return
    for item, raw in answers.items():
        location = answers.where(item)
        group = _thousands_group(source, location) if raw is None else None
        previous = sheet.answers[-1] if sheet.answers and sheet.answers[-1].layer == layer else None
        if group and previous is not None and re.search(r"\d$", str(previous.raw)):
            # `{params: 34,944}`: YAML splits a flow mapping at the comma; the student meant 34,944
            previous.raw = f"{previous.raw},{group}"
            continue
        sheet.answers.append(Answer(layer, str(item), raw, location))


def _thousands_group(source: list[str], location: Location) -> str | None:
    """The key as written ('024', not YAML's octal 20) when it is a bare group of three digits."""
    if location.line is None or location.line > len(source):
        return None
    match = re.match(r"(\d{3})\s*(?=[,}]|$)", source[location.line - 1][(location.column or 1) - 1:])
    return match[1] if match else None


def grade_sheet(sheet: Sheet, key: AnswerKey | None, tolerance: float = 0.0) -> GradedSheet:
    graded = GradedSheet(sheet, key_name=key.analysis.name if key else "")
    if key is None:
        return graded
    for answer in sheet.answers:
        graded.marks.append(key.mark(answer.layer, answer.item, answer.raw, tolerance, answer.location))
    return graded


def grade_sheets(paths: list[str], key_for: Callable[[Sheet], AnswerKey], tolerance: float = 0.0,
                 progress: Callable[[list[str]], Any] = iter) -> list[GradedSheet]:
    """Grade every sheet; `key_for` finds (and may cache) a sheet's answer key, raising
    CnnCalcError when it cannot, which becomes a problem on that sheet only."""
    results = []
    for path in progress(paths):
        sheet = read_sheet(path)
        key = None
        if not sheet.problems or sheet.answers:
            try:
                key = key_for(sheet)
            except CnnCalcError as exc:
                sheet.problems.append(f"no answer key: {exc}")
        results.append(grade_sheet(sheet, key, tolerance))
    return results


def item_columns(results: list[GradedSheet], key_layers: list[str]) -> list[str]:
    """The questions of a class: every item any sheet answered, in layer order, totals last."""
    answered = {mark.item for result in results for mark in result.marks}
    orders = {item: _column_order(item, key_layers) for item in answered}
    columns = {item: order for item, order in orders.items() if order is not None}
    return sorted(columns, key=columns.__getitem__)


def _column_order(item: str, key_layers: list[str]) -> tuple[int, int] | None:
    layer, _, quantity = item.rpartition(".")
    if layer == "total":
        items = total_items()
        return (len(key_layers), items.index(quantity)) if quantity in items else None
    items = layer_items()
    if layer in key_layers and quantity in items:
        return (key_layers.index(layer), items.index(quantity))
    return None
