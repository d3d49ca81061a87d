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

The key decides what is asked (its `questions:` list, or a template sheet): each sheet is marked
out of those questions, whatever other sheets answered, and answers to anything else are "extra",
shown but not scored. Without a questions list a sheet is marked out of the items it answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnncalc.errors import CnnCalcError, Location, SpecError
from cnncalc.grading.marking import AnswerKey, Mark, UnknownItem, UnknownLayer, layer_items, total_items
from cnncalc.suggest import did_you_mean

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
class Key:
    """What a sheet is marked against: the truth, the spec it came from (as the class CSV names it)
    and the questions it asks (None: each sheet is marked on the items it answered)."""

    answers: AnswerKey
    spec: str
    questions: list[str] | None = None


@dataclass
class GradedSheet:
    sheet: Sheet
    marks: list[Mark] = field(default_factory=list)   # every answer, as written, in the sheet's order
    key: Key | None = None
    asked: list[str] = field(default_factory=list)    # the questions it is marked out of
    extra: list[Mark] = field(default_factory=list)   # answers to items the key does not ask: not scored
    repeated: list[str] = field(default_factory=list)  # problems: a question answered twice

    @property
    def key_name(self) -> str:
        return self.key.answers.analysis.name if self.key else ""

    @property
    def scored(self) -> dict[str, Mark]:
        """Each question's mark (its first answer), by question; unanswered questions are absent."""
        first: dict[str, Mark] = {}
        for mark in self.marks:
            if mark.item in self.asked:
                first.setdefault(mark.item, mark)
        return first

    @property
    def score(self) -> int:
        """Right answers among the questions; an answer that follows from the student's own earlier
        wrong answer (`--carry-errors`) counts as right."""
        return sum(1 for mark in self.scored.values() if mark.right or mark.follows)

    @property
    def out_of(self) -> int:
        return len(self.asked)

    @property
    def unanswered(self) -> list[str]:
        scored = self.scored
        return [question for question in self.asked if question not in scored]

    @property
    def problems(self) -> list[str]:
        return self.sheet.problems + [f"{m.item}: {m.problem}" for m in self.marks if m.problem] + self.repeated


def read_sheet(path: str) -> Sheet:
    """Parse a sheet; anything wrong with it is recorded on the sheet, never raised."""
    from cnncalc.spec.yaml_loader import LocDict, load_yaml_text, read_text_file

    sheet = Sheet(path=path, student=Path(path).stem)
    try:
        text = read_text_file(path)
        if _blank(text):
            sheet.problems.append(f"{path}: the sheet is empty: write answers under 'layers:' and/or 'totals:'")
            return sheet
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
    for key in ("student", "spec"):
        if isinstance(data.get(key), (dict, list)):
            sheet.problems.append(f"{data.where(key)}: '{key}' must be one line of text (ignored)")
    if isinstance(data.get("student"), (str, int, float)):
        sheet.student = str(data["student"])
    if isinstance(data.get("spec"), (str, int, float)):
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


def _blank(text: str) -> bool:
    """Nothing but blank lines, comments and YAML document markers."""
    return all(not line.strip() or line.lstrip().startswith("#") or line.strip() in ("---", "...")
               for line in text.splitlines())


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
            # `{params: 34,944 params}`: YAML splits a flow mapping at the comma; the student meant 34,944
            previous.raw = f"{previous.raw},{group}"
            continue
        sheet.answers.append(Answer(layer, str(item), raw, location))


# Three digits, then (as in `34,944 params`) the words of a unit, up to the flow mapping's next ',' or '}'.
_GROUP = re.compile(r"(\d{3}(?:\s+[A-Za-z][A-Za-z -]*?)?)\s*(?=[,}]|$)")


def _thousands_group(source: list[str], location: Location) -> str | None:
    """The key as written ('024 params', not YAML's octal 20) when it is a group of three digits."""
    if location.line is None or location.line > len(source):
        return None
    match = _GROUP.match(source[location.line - 1][(location.column or 1) - 1:])
    return match[1] if match else None


def read_questions(key: AnswerKey, section: Any, where: Location) -> list[str]:
    """A spec's `questions:` list (`[conv1.output_shape, conv1.params, total.params]`) as the key's
    labels; a question the key cannot ask is the teacher's error, raised at its line."""
    from cnncalc.spec.yaml_loader import LocList

    if not isinstance(section, list) or not section:
        raise SpecError("'questions' must be a list of items such as conv1.params or total.params", where)
    entries = []
    for index, entry in enumerate(section):
        at = section.item_locations[index] if isinstance(section, LocList) else where
        layer, _, item = str(entry).rpartition(".")
        if not layer or isinstance(entry, (dict, list)):
            raise SpecError(f"questions: '{entry}' is not layer.item (conv1.params) or total.item", at)
        entries.append((None if layer == "total" else layer, item, at))
    return _labels(key, entries)


def template_questions(key: AnswerKey, path: str) -> list[str]:
    """`--questions FILE`: an answer sheet (a model answer, or blanks `~`) whose items are the questions."""
    sheet = read_sheet(path)
    if sheet.problems:
        raise SpecError(f"--questions: {sheet.problems[0]}", Location(path))
    if not sheet.answers:
        raise SpecError("--questions: the template sheet asks nothing: list items under 'layers:' or 'totals:'",
                        Location(path))
    return _labels(key, [(answer.layer, answer.item, answer.location) for answer in sheet.answers])


def _labels(key: AnswerKey, entries: list[tuple[str | None, str, Location]]) -> list[str]:
    labels: list[str] = []
    for layer, item, at in entries:
        try:
            label = key.label(layer, item)
        except (UnknownLayer, UnknownItem) as exc:
            raise SpecError(f"questions: {exc}", at) from None
        if label in labels:
            raise SpecError(f"questions: '{label}' is asked twice", at)
        labels.append(label)
    return labels


def grade_sheet(sheet: Sheet, key: Key | None, tolerance: float = 0.0, carry: bool = False) -> GradedSheet:
    graded = GradedSheet(sheet, key=key)
    if key is None:
        return graded
    answerable: list[str] = []   # the answered questions the key can ask, in the sheet's order
    for answer in sheet.answers:
        mark = key.answers.mark(answer.layer, answer.item, answer.raw, tolerance, answer.location)
        graded.marks.append(mark)
        if not _askable(key.answers, answer):
            continue  # an unknown layer or item: a problem, not a question
        if mark.item in answerable:
            graded.repeated.append(f"{mark.item}: answered twice (line {_line(mark)}); the first answer is marked")
        else:
            answerable.append(mark.item)
    if carry:
        from cnncalc.grading.carry import carry_errors

        carry_errors(key.answers, sheet.answers, graded.marks, tolerance)
    graded.asked = key.questions if key.questions is not None else answerable
    graded.extra = [mark for mark in graded.marks if mark.item in answerable and mark.item not in graded.asked]
    return graded


def _askable(key: AnswerKey, answer: Answer) -> bool:
    """Whether the key has the answer's layer and item (so it is a question, rightly or wrongly answered)."""
    try:
        key.label(answer.layer, answer.item)
    except (UnknownLayer, UnknownItem):
        return False
    return True


def _line(mark: Mark) -> str:
    return str(mark.location.line) if mark.location and mark.location.line else "?"


def grade_sheets(paths: list[str], key_for: Callable[[Sheet], Key], tolerance: float = 0.0, carry: bool = False,
                 progress: Callable[[list[str]], Any] = iter) -> list[GradedSheet]:
    """Grade every sheet; `key_for` finds (and may cache) a sheet's key, raising CnnCalcError when
    it cannot, which becomes a problem on that sheet only."""
    results = []
    for path in progress(paths):
        sheet = read_sheet(path)
        key = None
        try:
            key = key_for(sheet)
        except CnnCalcError as exc:
            if sheet.answers or not sheet.problems:  # an unreadable sheet names no key: said already
                sheet.problems.append(f"no answer key: {exc}")
        results.append(grade_sheet(sheet, key, tolerance, carry))
    return results


def item_columns(results: list[GradedSheet]) -> list[str]:
    """The questions of a class, in the key's layer order, totals last: the key's questions, or
    (without them) every item any sheet answered."""
    keyed = [result for result in results if result.key is not None]
    if not keyed:
        return []
    key = keyed[0].key
    assert key is not None
    if key.questions is not None:
        return list(key.questions)
    asked = {question for result in keyed for question in result.asked}
    return sorted(asked, key=key.answers.order)
