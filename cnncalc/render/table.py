"""The rich table of `cnncalc summary`: one row per layer, module headers, totals and conventions."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from cnncalc.analysis import Analysis, LayerRow
from cnncalc.render.formats import TABLE_COLUMNS, display_cells, total_lines


def summary_table(analysis: Analysis, rows: list[LayerRow], groups: dict[tuple[str, ...], LayerRow]) -> Group:
    title = analysis.name + (f"  ({analysis.source})" if analysis.source else "")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for column in TABLE_COLUMNS:
        table.add_column(column, justify="right" if column in ("Params", "MACs", "Memory", "RF") else "left",
                         no_wrap=column != "Type")
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
