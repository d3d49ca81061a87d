"""`cnncalc summary`: the rich table, and the JSON (the stable contract), CSV and Markdown renderings.

Renderers compute nothing: every value comes from the analysis rows and totals. The rows come in
tree order (`analysis.tree_rows`): a module's header row (kind "module") above its rows.

The table's columns (`COLUMNS`, chosen with --columns) are fitted to the terminal: a column whose
cells would be cut is left out instead, the least important first (`PRIORITY`), and long layer names
lose their middle; a number is never cut.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cnncalc import metrics
from cnncalc.analysis import Analysis, LayerRow, Totals
from cnncalc.errors import UsageError
from cnncalc.suggest import did_you_mean
from cnncalc.units import cut_middle, pair_text, rf_text, rf_value, shape_text

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Group

GAP = 3          # " │ " between two table columns (no padding at the edges)
NAME_FLOOR = 16  # a layer name is shortened to no less than this before other columns are left out
WRAPPED = 24     # a column that wraps (the inputs' names) asks for no more than this when space is short


class Cells:
    """What a cell needs besides its row: the conventions, whether names are indented, and the layer run
    before each one (a layer fed by it shows no inputs)."""

    def __init__(self, analysis: Analysis, indent: bool = True) -> None:
        self.conventions = analysis.conventions
        self.indent = indent
        names = [row.name for row in analysis.layers]
        self.previous = dict(zip(names[1:], names, strict=False))

    def label(self, row: LayerRow) -> str:
        name = ("  " * len(row.scope) + row.name.rsplit("/", 1)[-1]) if self.indent else row.name
        return name + self.flags(row)

    @staticmethod
    def flags(row: LayerRow) -> str:
        return (" (frozen)" if row.frozen and row.params else "") + (" (train only)" if row.training_only else "")

    def connected(self, row: LayerRow) -> str:
        """A layer's inputs (Keras' "Connected to") unless it simply follows the layer before it: every
        input of a join, a branch's first layer, a `from:`. Named within the layer's module."""
        if row.kind != "layer" or not row.inputs or row.inputs == [self.previous.get(row.name)]:
            return ""
        scope = "/".join(row.scope) + "/" if row.scope else ""
        return ", ".join(name.removeprefix(scope) for name in row.inputs)


@dataclass(frozen=True)
class Column:
    name: str                           # its word in --columns
    header: str
    cell: Callable[[LayerRow, Cells], str]
    numeric: bool = False               # right-aligned, and never cut
    wraps: bool = False                 # may fold onto several lines (names, never numbers)
    alias: str | None = None            # another word --columns accepts


def columns() -> list[Column]:
    """Every column the table and Markdown can show, in their order; the metric columns come from
    `metrics.columns()`."""
    return [
        Column("name", "Layer", lambda row, cells: cells.label(row)),
        Column("type", "Type", lambda row, cells: row.type),
        Column("geometry", "Geometry", lambda row, cells: row.geometry),
        Column("output", "Output shape", lambda row, cells: shape_text(row.output_shape, cells.conventions.layout)),
        *(Column((m.column or m.key).lower(), m.column or m.key, _metric_cell(m), numeric=True, alias=m.key)
          for m in metrics.columns()),
        Column("rf", "RF", lambda row, cells: rf_text(row.receptive_field), numeric=True),
        Column("inputs", "Connected to", lambda row, cells: cells.connected(row), wraps=True),
    ]


def _metric_cell(metric: metrics.Metric) -> Callable[[LayerRow, Cells], str]:
    return lambda row, cells: metric.cell_text(row.values[metric.key], cells.conventions.units)


def priority(chosen: list[Column]) -> list[Column]:
    """The order in which columns stay when the table is too wide: the name, the output shape, the metrics
    (params, MACs, memory), the receptive field, then the type, the geometry and the inputs."""
    words = ["name", "output", *((m.column or m.key).lower() for m in metrics.columns()), "rf", "type", "geometry"]
    return sorted(chosen, key=lambda c: words.index(c.name) if c.name in words else len(words))


def parse_columns(text: str) -> list[str]:
    """--columns name,type,params: the columns' words (a metric's key works too); the name always comes first."""
    known = {c.name: c.name for c in columns()} | {c.alias: c.name for c in columns() if c.alias}
    chosen = ["name"]
    for word in (w.strip().lower() for w in text.split(",")):
        if word not in known:
            raise UsageError(f"--columns: unknown column '{word}'{did_you_mean(word, known)} "
                             f"(columns: {', '.join(c.name for c in columns())})")
        if known[word] not in chosen:
            chosen.append(known[word])
    return chosen


def shown(chosen: list[str] | None, rows: list[LayerRow], cells: Cells) -> tuple[list[Column], list[list[str]]]:
    """The columns asked for (by default every column with something to show) and their cells, by row."""
    picked = [c for c in columns() if chosen is None or c.name in chosen]
    table = [[column.cell(row, cells) for column in picked] for row in rows]
    if chosen is None:
        keep = [i for i, column in enumerate(picked) if column.name == "name" or any(line[i] for line in table)]
        picked, table = [picked[i] for i in keep], [[line[i] for i in keep] for line in table]
    return picked, table


def fit(picked: list[Column], table: list[list[str]], width: int) -> dict[str, int]:
    """Each kept column's width so that the table fits `width` with no number cut: the least important
    columns are left out first, the layer name is shortened down to NAME_FLOOR, a wrapping column folds."""
    natural = {c.name: max([len(c.header), *(len(line[i]) for line in table)]) for i, c in enumerate(picked)}
    least = {c.name: min(natural[c.name], WRAPPED) if c.wraps else natural[c.name] for c in picked}
    least["name"] = min(natural["name"], NAME_FLOOR)
    kept = priority(picked)

    def spare() -> int:
        return width - sum(least[c.name] for c in kept) - GAP * (len(kept) - 1)

    while spare() < 0 and len(kept) > 1:
        kept.pop()
    widths = {c.name: least[c.name] for c in kept}
    for name in ("name", *(c.name for c in kept if c.wraps)):  # the room left: the names, then the inputs
        widths[name] += min(natural[name] - widths[name], max(spare(), 0))
        least[name] = widths[name]
    return widths


def shorten(label: str, width: int, kept: str = "") -> str:
    """A layer name cut in its middle to `width`, keeping its indentation and its flags (`kept`, the
    label's end): 'AuxLogits/…/conv1 (train only)'."""
    if len(label) <= width:
        return label
    body = label[: len(label) - len(kept)].lstrip(" ")
    indent = " " * min(len(label) - len(kept) - len(body), max(width - len(kept) - 3, 0))
    room = width - len(indent) - len(kept) - 1
    if room < 5 and kept:  # too little of the name would be left: cut through the flags instead
        return shorten(label, width)
    return indent + cut_middle(body, room + 1) + kept


def summary_table(analysis: Analysis, rows: list[LayerRow], chosen: list[str] | None, width: int) -> Group:
    """One row per layer, module header rows in bold, then the totals and the conventions."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    picked, table_cells = shown(chosen, rows, Cells(analysis))
    widths = fit(picked, table_cells, width)
    title = analysis.name + (f"  ({analysis.source})" if analysis.source else "")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    kept = [(i, c) for i, c in enumerate(picked) if c.name in widths]
    for _, column in kept:
        table.add_column(column.header, justify="right" if column.numeric else "left", width=widths[column.name],
                         no_wrap=not column.wraps, overflow="fold")
    for row, line in zip(rows, table_cells, strict=True):
        texts = [shorten(line[i], widths["name"], Cells.flags(row)) if column.name == "name" else line[i]
                 for i, column in kept]
        table.add_row(*texts, style="bold" if row.kind == "module" else "dim" if row.training_only else None)
    footer = Text("\n".join(total_lines(analysis)))
    conventions = Text("\n".join(analysis.conventions.describe()), style="italic")
    return Group(table, Text(""), footer, conventions)


def to_markdown(analysis: Analysis, rows: list[LayerRow], chosen: list[str] | None = None) -> str:
    """The table with full layer names (module header rows in bold), then the totals and conventions."""
    picked, table_cells = shown(chosen, rows, Cells(analysis, indent=False))
    lines = [f"## {analysis.name}", "", "| " + " | ".join(c.header for c in picked) + " |", "|" + "---|" * len(picked)]
    for row, line in zip(rows, table_cells, strict=True):
        if row.kind == "module":
            line = [f"**{line[0]}**", *line[1:]]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in total_lines(analysis))
    lines.extend(f"- {line}" for line in analysis.conventions.describe())
    return "\n".join(lines) + "\n"


def total_lines(analysis: Analysis) -> list[str]:
    """The totals footer, in words, for the table and Markdown views (a slice says so first)."""
    lines = [] if analysis.span is None else [
        f"Slice {analysis.span[0]} .. {analysis.span[1]} (inclusive, in execution order, {len(analysis.layers)} "
        "layers): the totals below are the slice's"]
    lines += metrics.totals_text(metrics.TOTALS_TEXT, analysis.totals.values, analysis.conventions)
    aux = analysis.training_only_totals
    if aux is not None:
        lines += metrics.totals_text(metrics.TRAINING_ONLY_TEXT, aux.values, analysis.conventions)
    return lines


# -- for scripts --------------------------------------------------------------------------------------


def layer_dict(row: LayerRow) -> dict:
    """One row of the JSON contract: the layer, every per-layer metric, its receptive field and flags,
    its place in the tree (depth and parent module) and its geometry."""
    data: dict = {"name": row.name, "type": row.type, "output_shape": list(row.output_shape)}
    data.update((metric.key, row.values[metric.key]) for metric in metrics.per_layer())
    rf = row.receptive_field
    data["receptive_field"] = None if rf is None else {
        "size": rf_value(rf.size), "jump": rf_value(rf.jump), "start": rf_value(rf.start)}
    data.update(inputs=row.inputs, frozen=row.frozen, training_only=row.training_only, kind=row.kind,
                warnings=row.warnings, depth=len(row.scope), parent="/".join(row.scope) or None,
                geometry=row.geometry)
    return data


def totals_dict(totals: Totals | None) -> dict | None:
    return None if totals is None else totals.as_dict()


def analysis_dict(analysis: Analysis, rows: list[LayerRow]) -> dict:
    """`layers` are the rows that add up to the totals (layers, and modules folded by --depth); `modules`
    the header rows of the modules shown open above them, each with its totals."""
    return {
        "name": analysis.name,
        "source": analysis.source,
        "path": analysis.path,
        "input_shape": list(analysis.input_shape),
        "conventions": analysis.conventions.as_dict(),
        "layers": [layer_dict(row) for row in rows if row.kind != "module"],
        "modules": [layer_dict(row) for row in rows if row.kind == "module"],
        "slice": None if analysis.span is None else dict(zip(("from", "to"), analysis.span, strict=True)),
        "totals": totals_dict(analysis.totals),
        "training_only_totals": totals_dict(analysis.training_only_totals),
        "outputs": analysis.outputs,
        "warnings": [{"layer": layer, "message": message} for layer, message in analysis.warnings],
    }


def to_json(analysis: Analysis, rows: list[LayerRow]) -> str:
    return json.dumps(analysis_dict(analysis, rows), indent=2)


def to_csv(analysis: Analysis, rows: list[LayerRow]) -> str:
    """One row per table row (output_shape channels-first, like the JSON; a module's header row has kind
    "module" and its totals) and a final TOTAL row that holds each metric's total in its column."""
    columns = metrics.per_layer()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    tree = ["geometry", "kind", "depth", "parent"]
    writer.writerow(["name", "type", "output_shape", *(m.key for m in columns),
                     "rf_size", "rf_jump", "rf_start", "frozen", "training_only", *tree])
    for row in rows:
        rf = row.receptive_field
        field = [""] * 3 if rf is None else [pair_text(pair) for pair in (rf.size, rf.jump, rf.start)]
        writer.writerow([row.name, row.type, shape_text(row.output_shape, "chw"),
                         *(row.values[m.key] for m in columns), *field, row.frozen, row.training_only,
                         row.geometry, row.kind, len(row.scope), "/".join(row.scope)])
    totals = analysis.totals.values
    writer.writerow(["TOTAL", "", "", *(totals.get(m.totalled, "") for m in columns), "", "", "", "", "",
                     *[""] * len(tree)])
    return buffer.getvalue()
