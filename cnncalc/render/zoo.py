"""`cnncalc zoo`: the built-in architectures as a rich table, JSON, CSV (with a header, quoted by the
csv module) or a Markdown table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from cnncalc.render.output import Format

if TYPE_CHECKING:  # pragma: no cover
    from rich.table import Table


class ZooEntry(TypedDict):
    name: str    # what to type: cnncalc summary vgg16
    title: str   # the spec's own name: VGG-16
    source: str  # where its figures come from


FIELDS = ("name", "title", "source")  # JSON keys and CSV columns
HEADERS = ("Name", "Architecture", "Source")  # the table's and the Markdown's


def _cells(entry: ZooEntry) -> tuple[str, str, str]:
    return entry["name"], entry["title"], entry["source"]  # in FIELDS order


def to_json(entries: list[ZooEntry]) -> str:
    return json.dumps(entries, indent=2)


def to_csv(entries: list[ZooEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(entries)
    return buffer.getvalue()


def to_markdown(entries: list[ZooEntry]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for entry in entries:
        cells = (cell.replace("|", "\\|").replace("\n", " ") for cell in _cells(entry))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def zoo_table(entries: list[ZooEntry]) -> Table:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for header in HEADERS:
        table.add_column(header)
    for entry in entries:
        table.add_row(*_cells(entry))
    return table


RENDERERS: dict[Format, Callable[[list[ZooEntry]], str]] = {
    Format.json: to_json, Format.csv: to_csv, Format.markdown: to_markdown,
}
