"""`cnncalc grade`: graded sheets as text (per item, with the working), JSON, or a class CSV (one row
per student), and the progress bar of a long class."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable

from cnncalc.conventions import Conventions
from cnncalc.grading.marking import Mark
from cnncalc.grading.sheet import GradedSheet, item_columns
from cnncalc.render.output import Output

PROGRESS_FROM = 20  # sheets: a class this size gets a progress bar on a terminal


def escaped(text: str) -> str:
    """Text from a sheet made safe to print on one line: control characters, lone surrogates and
    other unprintable characters become escapes (\\x1b, \\ud800, \\n), so a name cannot move the
    cursor, break a CSV row or stop the output."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _verdict(mark: Mark) -> str:
    if mark.follows:
        return "follows"
    return "?" if mark.right is None else ("right" if mark.right else "WRONG")


def _cell(mark: Mark) -> str:
    """A class CSV cell: 1 right, f follows (scored as right), 0 wrong, ? unreadable."""
    return "f" if mark.follows else "?" if mark.right is None else str(int(mark.right))


def to_text(results: list[GradedSheet], conventions: Conventions) -> str:
    lines: list[str] = []
    for result in results:
        sheet = result.sheet
        lines.append(escaped(f"{sheet.path}: {sheet.student}" + (f", against {result.key_name}" if result.key else "")))
        lines.extend(f"  problem: {escaped(problem)}" for problem in result.sheet.problems + result.repeated)
        width = max((len(m.item) for m in result.marks), default=0)
        answer_width = min(max((len(m.answer) for m in result.marks), default=0), 24)
        extra = {id(mark) for mark in result.extra}
        for mark in result.marks:
            head = f"  {_verdict(mark):<7} {escaped(mark.item):<{width}}  {escaped(mark.answer):<{answer_width}}"
            if id(mark) in extra:
                head += "  (extra: not asked, not scored)"
            if mark.right:
                lines.append(head.rstrip())
                continue
            if mark.right is None:
                lines.append(f"{head}  {escaped(mark.problem)}")
                continue
            lines.append(f"{head}  expected {mark.expected}" + (f" ({mark.hint})" if mark.hint else ""))
            pad = f"  {'':<7} {'':<{width}}  "
            if mark.follows:
                lines.append(f"{pad}{escaped(mark.follows)}")
            if mark.working:
                lines.append(f"{pad}working: {mark.working}")
        if result.unanswered:
            lines.append(f"  unanswered: {', '.join(result.unanswered)}")
        if result.key is not None:
            lines.append(f"  score: {result.score}/{result.out_of}" + _score_note(result))
        lines.append("")
    lines.extend(conventions.describe())
    return "\n".join(lines) + "\n"


def _score_note(result: GradedSheet) -> str:
    notes = []
    if result.key is not None and result.key.questions is None:
        notes.append("out of the items answered: the key has no questions list")
    if result.unanswered:
        notes.append(f"{len(result.unanswered)} unanswered")
    unmarked = sum(1 for mark in result.scored.values() if mark.right is None)
    if unmarked:
        notes.append(f"{unmarked} could not be marked")
    follows = sum(1 for mark in result.scored.values() if mark.follows)
    if follows:
        notes.append(f"{follows} follow{'s' if follows == 1 else ''} from earlier answers")
    if result.extra:
        notes.append(f"{len(result.extra)} extra not scored")
    return f" ({'; '.join(notes)})" if notes else ""


def to_json(results: list[GradedSheet], conventions: Conventions) -> str:
    sheets = []
    for result in results:
        extra = {id(mark) for mark in result.extra}
        sheets.append({
            "path": result.sheet.path, "student": result.sheet.student, "key": result.key_name,
            "score": result.score, "answered": len(result.marks),
            "problems": result.sheet.problems + result.repeated,  # the sheet's; each mark carries its own
            "key_spec": result.key.spec if result.key else None, "out_of": result.out_of,
            "questions": "key" if result.key and result.key.questions is not None else "answered",
            "unanswered": result.unanswered,
            "marks": [{
                "item": m.item, "answer": m.answer, "right": m.right, "expected": m.expected or None,
                "working": m.working or None, "problem": m.problem or None,
                "line": m.location.line if m.location else None,
                "follows": m.follows or None, "hint": m.hint or None, "extra": id(m) in extra,
            } for m in result.marks],
        })
    return json.dumps({"conventions": conventions.as_dict(), "sheets": sheets}, indent=2) + "\n"


def to_csv(results: list[GradedSheet]) -> str:
    """One row per student: the key that marked it; per question 1 right, f follows (scored as right),
    0 wrong, ? unreadable, blank unanswered; the score out of the questions; answers to items not asked
    (extra, not scored); the problems, each on the same line."""
    columns = item_columns(results)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "sheet", "key", *columns, "score", "out_of", "extra", "problems"])
    for result in results:
        cells = {item: _cell(mark) for item, mark in result.scored.items()}
        extra = "; ".join(f"{mark.item}={_cell(mark)}" for mark in result.extra)
        marked = [result.key.spec, result.score, result.out_of] if result.key else ["", "", ""]
        writer.writerow([escaped(result.sheet.student), escaped(result.sheet.path), marked[0],
                         *(cells.get(c, "") for c in columns), *marked[1:], extra, escaped("; ".join(result.problems))])
    return buffer.getvalue()


def progress(out: Output, count: int) -> Callable[[list[str]], Iterable[str]]:
    """rich's progress bar on stderr for a long class at a terminal; otherwise plain iteration."""
    if count < PROGRESS_FROM or not out.is_tty(stderr=True):
        return iter
    from rich.progress import track

    return lambda paths: track(paths, description="grading", console=out.console(stderr=True), transient=True)
