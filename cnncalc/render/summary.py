"""`cnncalc summary`: the rich table, and the JSON (the stable contract), CSV and Markdown renderings.

Renderers compute nothing: every value comes from the analysis rows and totals.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from cnncalc import metrics
from cnncalc.analysis import Analysis, LayerRow, Totals
from cnncalc.units import pair_text, rf_text, rf_value, shape_text

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Group

def layer_dict(row: LayerRow) -> dict:
    """One row of the JSON contract: the layer, every per-layer metric, its receptive field and flags."""
    data: dict = {"name": row.name, "type": row.type, "output_shape": list(row.output_shape)}
    data.update((metric.key, row.values[metric.key]) for metric in metrics.per_layer())
    rf = row.receptive_field
    data["receptive_field"] = None if rf is None else {
        "size": rf_value(rf.size), "jump": rf_value(rf.jump), "start": rf_value(rf.start)}
    data.update(inputs=row.inputs, frozen=row.frozen, training_only=row.training_only, kind=row.kind,
                warnings=row.warnings)
    return data


def totals_dict(totals: Totals | None) -> dict | None:
    return None if totals is None else totals.as_dict()


def analysis_dict(analysis: Analysis, rows: list[LayerRow] | None = None) -> dict:
    return {
        "name": analysis.name,
        "source": analysis.source,
        "path": analysis.path,
        "input_shape": list(analysis.input_shape),
        "conventions": analysis.conventions.as_dict(),
        "layers": [layer_dict(row) for row in (rows if rows is not None else analysis.layers)],
        "totals": totals_dict(analysis.totals),
        "training_only_totals": totals_dict(analysis.training_only_totals),
        "outputs": analysis.outputs,
        "warnings": [{"layer": layer, "message": message} for layer, message in analysis.warnings],
    }


def to_json(analysis: Analysis, rows: list[LayerRow] | None = None) -> str:
    return json.dumps(analysis_dict(analysis, rows), indent=2)


def to_csv(analysis: Analysis, rows: list[LayerRow] | None = None) -> str:
    """One row per layer (output_shape channels-first, like the JSON) and a final TOTAL row that
    holds each metric's total in its column."""
    columns = metrics.per_layer()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "type", "output_shape", *(m.key for m in columns),
                     "rf_size", "rf_jump", "rf_start", "frozen", "training_only"])
    for row in rows if rows is not None else analysis.layers:
        rf = row.receptive_field
        field = [""] * 3 if rf is None else [pair_text(pair) for pair in (rf.size, rf.jump, rf.start)]
        writer.writerow([row.name, row.type, shape_text(row.output_shape, "chw"),
                         *(row.values[m.key] for m in columns), *field, row.frozen, row.training_only])
    totals = analysis.totals.values
    writer.writerow(["TOTAL", "", "", *(totals.get(m.totalled, "") for m in columns), "", "", "", "", ""])
    return buffer.getvalue()


def table_columns() -> list[str]:
    return ["Layer", "Type", "Output shape", *(m.column or m.key for m in metrics.columns()), "RF"]


def display_cells(row: LayerRow, analysis: Analysis, indent: bool = True) -> list[str]:
    """The human-readable cells shared by the rich table and Markdown."""
    conventions = analysis.conventions
    label = ("  " * len(row.scope) + row.name.rsplit("/", 1)[-1]) if indent else row.name
    flags = (" (frozen)" if row.frozen and row.params else "") + (" (train only)" if row.training_only else "")
    return [
        label + flags, row.type, shape_text(row.output_shape, conventions.layout),
        *(m.cell_text(row.values[m.key], conventions.units) for m in metrics.columns()),
        rf_text(row.receptive_field),
    ]


def total_lines(analysis: Analysis) -> list[str]:
    """The totals footer, in words, for the table and Markdown views."""
    lines = metrics.totals_text(metrics.TOTALS_TEXT, analysis.totals.values, analysis.conventions)
    aux = analysis.training_only_totals
    if aux is not None:
        lines += metrics.totals_text(metrics.TRAINING_ONLY_TEXT, aux.values, analysis.conventions)
    return lines


def to_markdown(analysis: Analysis, rows: list[LayerRow] | None = None) -> str:
    columns = table_columns()
    lines = [f"## {analysis.name}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows if rows is not None else analysis.layers:
        cells = display_cells(row, analysis, indent=False)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in total_lines(analysis))
    lines.extend(f"- {line}" for line in analysis.conventions.describe())
    return "\n".join(lines) + "\n"


def summary_table(analysis: Analysis, rows: list[LayerRow], groups: dict[tuple[str, ...], LayerRow]) -> Group:
    """One row per layer, module header rows in bold, then the totals and the conventions."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    title = analysis.name + (f"  ({analysis.source})" if analysis.source else "")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for index, column in enumerate(table_columns()):
        table.add_column(column, justify="left" if index < 3 else "right", no_wrap=column != "Type")
    opened: set[tuple[str, ...]] = set()
    for row in rows:
        for depth in range(1, len(row.scope) + 1):
            prefix = row.scope[:depth]
            if prefix not in opened and prefix in groups:
                opened.add(prefix)
                table.add_row(*display_cells(groups[prefix], analysis), style="bold")
        table.add_row(*display_cells(row, analysis), style="dim" if row.training_only else None)
    footer = Text("\n".join(total_lines(analysis)))
    conventions = Text("\n".join(analysis.conventions.describe()), style="italic")
    return Group(table, Text(""), footer, conventions)
