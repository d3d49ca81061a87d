"""`cnncalc zoo`: the built-in architectures as a rich table, JSON, CSV (with a header, quoted by the
csv module) or a Markdown table; `cnncalc zoo NAME`: one of them, its source in full.

The table keeps one line per network at any width: the source column is shown when it has room for
MIN_SOURCE characters (cut at the end, with the full text in `zoo NAME` and the JSON), dropped below.
Params and MACs are the analysis totals at the spec's own input, with the default conventions.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from cnncalc.render.output import Format
from cnncalc.units import count_with_magnitude, human_count, shape_text

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Group
    from rich.table import Table


class ZooEntry(TypedDict):
    name: str    # what to type: cnncalc summary vgg16
    title: str   # the spec's own name: VGG-16
    source: str  # where its figures come from
    input_shape: list[int]  # the spec's own input, channels-first as in summary's JSON: [3, 224, 224]
    params: int  # with biases, batchnorm running stats not params (PyTorch's count)
    macs: int    # per image, at input_shape


FIELDS = ("name", "title", "source", "input_shape", "params", "macs")  # JSON keys and CSV columns
HEADERS = ("Name", "Architecture", "Source", "Input", "Params", "MACs")  # the table's and the Markdown's
CONVENTIONS = "Params with biases, batchnorm running stats not params (PyTorch); MACs per image at the input shown."
SOURCES_ELSEWHERE = "Sources: cnncalc zoo NAME, or --format json."
MIN_SOURCE = 30  # the narrowest source column worth showing


def _cells(entry: ZooEntry, count: Callable[[int], str] = human_count) -> tuple[str, ...]:
    """The entry as text, in FIELDS order: the input as the slides write it (224x224x3), the counts by `count`
    (rounded, 61.1M, unless told otherwise)."""
    return (entry["name"], entry["title"], entry["source"], shape_text(tuple(entry["input_shape"])),
            count(entry["params"]), count(entry["macs"]))


def to_json(entries: list[ZooEntry]) -> str:
    return json.dumps(entries, indent=2)


def to_csv(entries: list[ZooEntry]) -> str:
    """Exact counts; the input as 224x224x3."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({**entry, "input_shape": shape_text(tuple(entry["input_shape"]))} for entry in entries)
    return buffer.getvalue()


def to_markdown(entries: list[ZooEntry]) -> str:
    """A table to paste into docs, the counts exact (61,100,840)."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|---|---|---|---|---:|---:|"]
    for entry in entries:
        cells = (cell.replace("|", "\\|").replace("\n", " ") for cell in _cells(entry, "{:,}".format))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def zoo_table(entries: list[ZooEntry], width: int) -> Group:
    """One line per network in `width` columns: name, architecture, input, params and MACs, then the
    source when MIN_SOURCE characters of it fit (the table's other columns, their gaps, then the rest)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, pad_edge=False)
    rows = [_cells(entry) for entry in entries]
    order = (0, 1, 3, 4, 5)  # every field but the source
    widths = [max(len(HEADERS[i]), *(len(row[i]) for row in rows)) for i in order]
    room = width - sum(widths) - 3 * len(order)  # " │ " before the source column
    for i in order:
        table.add_column(HEADERS[i], no_wrap=i != 1, justify="right" if i in (4, 5) else "left")
    if room >= MIN_SOURCE:
        table.add_column(HEADERS[2], no_wrap=True, overflow="ellipsis", max_width=room)
    for row in rows:
        table.add_row(*(row[i] for i in order), *((row[2],) if room >= MIN_SOURCE else ()))
    whole = room >= max(len(row[2]) for row in rows)  # every source shown in full
    notes = [CONVENTIONS] if whole else [CONVENTIONS, SOURCES_ELSEWHERE]
    return Group(table, Text(""), Text("\n".join(notes), style="dim"))


def entry_table(entry: ZooEntry) -> Table:
    """`cnncalc zoo NAME`: the entry one field a line, the source in full."""
    from rich.table import Table

    table = Table(show_header=False, show_edge=False, pad_edge=False, box=None)
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for header, cell in zip(HEADERS, _cells(entry, count_with_magnitude), strict=True):
        table.add_row(header, cell)
    table.add_row("Layers", f"cnncalc summary {entry['name']}")
    return table


RENDERERS: dict[Format, Callable[[list[ZooEntry]], str]] = {
    Format.json: to_json, Format.csv: to_csv, Format.markdown: to_markdown,
}
