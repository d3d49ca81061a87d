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


def _verdict(mark: Mark) -> str:
    return "?" if mark.right is None else ("right" if mark.right else "WRONG")


def to_text(results: list[GradedSheet], conventions: Conventions) -> str:
    lines: list[str] = []
    for result in results:
        sheet = result.sheet
        lines.append(f"{sheet.path}: {sheet.student}" + (f", against {result.key_name}" if result.key_name else ""))
        lines.extend(f"  problem: {problem}" for problem in sheet.problems)
        width = max((len(m.item) for m in result.marks), default=0)
        answer_width = min(max((len(m.answer) for m in result.marks), default=0), 24)
        for mark in result.marks:
            head = f"  {_verdict(mark):<6} {mark.item:<{width}}  {mark.answer:<{answer_width}}"
            if mark.right:
                lines.append(head.rstrip())
            elif mark.right is None:
                lines.append(f"{head}  {mark.problem}")
            else:
                lines.append(f"{head}  expected {mark.expected}")
                if mark.working:
                    lines.append(f"  {'':<6} {'':<{width}}  working: {mark.working}")
        unmarked = sum(1 for m in result.marks if m.right is None)
        lines.append(f"  score: {result.score}/{len(result.marks)}"
                     + (f" ({unmarked} could not be marked)" if unmarked else ""))
        lines.append("")
    lines.extend(conventions.describe())
    return "\n".join(lines) + "\n"


def to_json(results: list[GradedSheet], conventions: Conventions) -> str:
    sheets = []
    for result in results:
        sheets.append({
            "path": result.sheet.path, "student": result.sheet.student, "key": result.key_name,
            "score": result.score, "answered": len(result.marks), "problems": result.sheet.problems,
            "marks": [{
                "item": m.item, "answer": m.answer, "right": m.right, "expected": m.expected or None,
                "working": m.working or None, "problem": m.problem or None,
                "line": m.location.line if m.location else None,
            } for m in result.marks],
        })
    return json.dumps({"conventions": conventions.as_dict(), "sheets": sheets}, indent=2) + "\n"


def to_csv(results: list[GradedSheet], key_layers: list[str]) -> str:
    """One row per student: 1 right, 0 wrong, ? unreadable, blank unanswered; score out of the
    items any sheet answered; problems spelled out in the last column."""
    columns = item_columns(results, key_layers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "sheet", *columns, "score", "out_of", "problems"])
    for result in results:
        cells = {m.item: ("?" if m.right is None else str(int(m.right))) for m in result.marks if m.item in columns}
        writer.writerow([result.sheet.student, result.sheet.path, *(cells.get(c, "") for c in columns),
                         sum(1 for c in columns if cells.get(c) == "1"), len(columns), "; ".join(result.problems)])
    return buffer.getvalue()


def progress(out: Output, count: int) -> Callable[[list[str]], Iterable[str]]:
    """rich's progress bar on stderr for a long class at a terminal; otherwise plain iteration."""
    if count < PROGRESS_FROM or not out.is_tty(stderr=True):
        return iter
    from rich.progress import track

    return lambda paths: track(paths, description="grading", console=out.console(stderr=True), transient=True)
