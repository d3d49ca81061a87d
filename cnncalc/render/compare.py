"""The `cnncalc compare` view: totals side by side with ratios against the first model, then
bars of where each model keeps its memory, its parameters and its MACs (per layer, or per stage
for networks built from modules), and each model's costs by layer type.

Every figure is an analysis total or a sum / maximum of analysis rows; nothing is recomputed.
The bars of one metric share one scale across the models, so a column can be read across them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cnncalc import metrics
from cnncalc.analysis import Analysis, LayerRow, collapse
from cnncalc.units import cut_middle, number, shape_text

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Group, RenderableType
    from rich.table import Table

# Figures of the whole network that are not metric totals: (key, label), after the metrics' rows.
SHAPE_FIGURES = (("depth", "Depth (weight layers)"), ("receptive_field", "Receptive field"))


def compared_keys() -> list[tuple[str, str]]:
    """The rows of the totals table that have a ratio, in order: (key, label)."""
    return [(m.totalled, m.compared or m.key) for m in metrics.compared()] + list(SHAPE_FIGURES)


@dataclass
class ModelFigures:
    """One model's side of the comparison."""

    analysis: Analysis
    label: str                       # its column header: the spec's name, with its input when two names agree
    depth: int                       # weight layers (conv, dense) on the longest path: VGG-16's 16, GoogLeNet's 22
    receptive_field: int | float     # the largest field of any layer, in input pixels (0 for a flat input)
    receptive_field_layer: str | None  # the first layer whose field is that large (VGG-16's pool5)
    by_type: dict[str, dict[str, int]]  # op type -> memory / params / MACs summed over its layers
    bars: list[LayerRow]             # the rows the bar charts draw

    def value(self, key: str) -> int | float:
        return getattr(self, key) if key in dict(SHAPE_FIGURES) else self.analysis.totals[key]


def charted(rows: list[LayerRow]) -> list[LayerRow]:
    """The rows worth a bar: inference layers with something in a charted metric."""
    keys = [m.key for m in metrics.charted()]
    return [row for row in rows if not row.training_only and any(row.values[key] for key in keys)]


def figures(analysis: Analysis, depth: int = 0) -> ModelFigures:
    """Sum and maximum over the analysis rows; `depth` folds modules for the bars, as summary --depth.
    by_type has every layer type of the network, so its rows add up to the totals."""
    rows = [row for row in analysis.layers if not row.training_only]
    keys = [m.key for m in metrics.charted()]
    by_type: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = by_type.setdefault(row.type, dict.fromkeys(keys, 0))
        for key in keys:
            entry[key] += row.values[key]
    fields = [(max(row.receptive_field.size), row.name) for row in rows if row.receptive_field is not None]
    widest = max((size for size, _ in fields), default=0)
    layer = next((name for size, name in fields if size == widest), None)
    return ModelFigures(analysis, analysis.name, _weight_depth(rows), number(widest), layer, by_type,
                        charted(collapse(analysis, depth)))


def compared_models(analyses: list[Analysis], depth: int = 0) -> list[ModelFigures]:
    """Each analysis's figures; models of the same name (alexnet@227 alexnet) are told apart by their input."""
    models = [figures(analysis, depth) for analysis in analyses]
    names = [m.label for m in models]
    for model in models:
        if names.count(model.label) > 1:
            layout = model.analysis.conventions.layout
            model.label = f"{model.label} @ {shape_text(model.analysis.input_shape, layout)}"
    return models


def _weight_depth(rows: list[LayerRow]) -> int:
    """Longest chain of layers that multiply (conv, dense: the layers with MACs), input to output."""
    depth: dict[str, int] = {}
    for row in rows:
        depth[row.name] = max((depth.get(i, 0) for i in row.inputs), default=0) + (1 if row.macs else 0)
    return max(depth.values(), default=0)


def ratio(value: float, base: float) -> float | None:
    return value / base if base else None


def ratio_text(value: float | None) -> str:
    """2.264 -> '2.3x' (one decimal, as the slides write it); below 1, two significant figures."""
    if value is None:
        return "-"
    return f"{value:.1f}x" if value >= 1 else f"{value:.2g}x"


def cell(model: ModelFigures, key: str, units: str) -> str:
    """A total in its metric's unit (rounded); depth as a number; the receptive field with its layer."""
    value = model.value(key)
    if key == "receptive_field":
        return f"{value} at {model.receptive_field_layer}" if model.receptive_field_layer else "-"
    if key in dict(SHAPE_FIGURES):
        return str(value)
    return metrics.by_total(key).written(int(value), units)


def totals_rows(models: list[ModelFigures]) -> list[tuple[str, list[str]]]:
    """The totals table of every format, as (label, one cell per model): the input size first, then each
    compared figure, the later models' with their ratio to the first's."""
    conventions = models[0].analysis.conventions
    rows = [("Input", [shape_text(m.analysis.input_shape, conventions.layout) for m in models])]
    for key, label in compared_keys():
        base = models[0].value(key)
        cells = [cell(models[0], key, conventions.units)]
        cells.extend(f"{cell(m, key, conventions.units)} ({ratio_text(ratio(m.value(key), base))})" for m in models[1:])
        rows.append((label, cells))
    return rows


def _verdict_metrics() -> list[metrics.Metric]:
    """What the one-line verdicts mention ("VGG-16: 2.3x the params of AlexNet, ..."): the charted metrics."""
    return sorted(metrics.charted(), key=metrics.METRICS.index)


def verdicts(models: list[ModelFigures]) -> list[str]:
    """'VGG-16: 2.3x the params, 21.6x the MACs, 27.5x the activation memory of AlexNet'."""
    base = models[0]
    lines = []
    for model in models[1:]:
        parts = [f"{ratio_text(ratio(model.value(m.key), base.value(m.key)))} the {m.label}"
                 for m in _verdict_metrics()]
        lines.append(f"{model.label}: {', '.join(parts)} of {base.label}")
    return lines


def scale_text(models: list[ModelFigures]) -> str:
    """The bars' one scale per metric, stated: a full bar is the largest bar of any model (peaks)."""
    units = models[0].analysis.conventions.units
    peak = peaks(models)
    parts = [f"{m.written(peak[m.key], units)} {m.label}" for m in metrics.charted()]
    return f"Bars: one scale per column for all models; a full bar is {', '.join(parts)}."


def peaks(models: list[ModelFigures]) -> dict[str, int]:
    """Each charted metric's largest bar over every model: the length of a full bar."""
    return {m.key: max((row.values[m.key] for model in models for row in model.bars), default=0)
            for m in metrics.charted()}


# -- by layer type --------------------------------------------------------------------------


def type_rows(model: ModelFigures, pad: bool = False) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The by-type table of one model: (type, one 'value percent' cell per charted metric) for each type
    that holds something, the most params and MACs first, then a 'total' row of the model's totals;
    and the types that hold nothing (relu, flatten ...), so every type is accounted for."""
    charts = metrics.charted()
    units = model.analysis.conventions.units
    totals = model.analysis.totals
    counted = [m.key for m in charts if m.unit == "count"]  # types that compute or learn something first
    order = sorted(model.by_type.items(), key=lambda item: (-sum(item[1][key] for key in counted),
                                                           -sum(item[1].values()), item[0]))
    rows = []
    for kind, entry in order:
        if any(entry.values()):
            rows.append((kind, [_share(m, entry[m.key], totals[m.totalled], units, pad) for m in charts]))
    rows.append(("total", [_share(m, totals[m.totalled], totals[m.totalled], units, pad) for m in charts]))
    return rows, [kind for kind, entry in order if not any(entry.values())]


def _share(metric: metrics.Metric, part: int, whole: int, units: str, pad: bool) -> str:
    """'1.84 MiB 65%': a type's figure and its share of the model's total (`pad`: '  4%', for a column)."""
    return f"{metric.written(part, units)} {f'{100 * part / whole:.0f}%':>{4 if pad else 0}}" if part else "-"


def idle_text(idle: list[str]) -> str:
    """'dropout, flatten: no params, MACs or activation memory': the types the by-type table leaves out."""
    labels = [m.label for m in _verdict_metrics()]
    return f"{', '.join(idle)}: no {', '.join(labels[:-1])} or {labels[-1]}"


# -- table ----------------------------------------------------------------------------------

BAR_WIDTH = 24  # the widest bar, in characters
MIN_BAR = 4     # bars shrink to this before long layer names are shortened
MIN_NAME = 8    # names are shortened to no fewer characters than this
PERCENT_WIDTH = len("100.0%")
_COLUMN_GAP = 3  # rich's " │ " between two columns (no edge, no edge padding)
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a character: 0.5 -> half the width filled."""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(width)


def shorten(name: str, width: int) -> str:
    """A name cut in the middle to `width` characters, a module path part by part, the longest parts first
    ('inception_3a/branch1/conv1' -> 'inc…3a/bra…h1/conv1'), so the module and the layer both stay readable."""
    if len(name) <= width:
        return name
    parts = name.split("/")
    sizes = [len(part) for part in parts]
    while sum(sizes) + len(parts) - 1 > width and max(sizes) > 3:
        sizes[sizes.index(max(sizes))] -= 1
    if sum(sizes) + len(parts) - 1 > width:
        return cut_middle(name, width)
    return "/".join(cut_middle(part, size) for part, size in zip(parts, sizes, strict=True))


def bar_layout(names: list[str], width: int) -> tuple[int, int]:
    """(name width, bar width) for charts that fit `width` columns: bars shrink first, down to MIN_BAR, then
    long names are shortened, down to MIN_NAME, then bars shrink to nothing. Percentages are never cut."""
    columns = len(metrics.charted())
    room = width - columns * (_COLUMN_GAP + PERCENT_WIDTH + 1)  # for the names and the bars
    name_width = max([len("Layer"), *map(len, names)])
    if (room - name_width) // columns < MIN_BAR:
        name_width = max(MIN_NAME, min(name_width, room - columns * MIN_BAR))
    return name_width, max(0, min(BAR_WIDTH, (room - name_width) // columns))


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def compare_table(models: list[ModelFigures], width: int) -> Group:
    """The rich renderables for a terminal `width` columns wide: the totals table, the verdicts, the scale
    of the bars, then one bar chart and one by-type table per model."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    totals = Table(title="Totals", title_justify="left", show_edge=False, pad_edge=False)
    totals.add_column("")
    for index, model in enumerate(models):
        totals.add_column(model.label + ("" if index == 0 else " (ratio)"), justify="right")
    for label, cells in totals_rows(models):
        totals.add_row(label, *cells)
    parts: list[RenderableType] = [totals, Text("")]
    parts.extend(Text(line, style="bold") for line in verdicts(models))
    parts.extend([Text(""), Text(scale_text(models))])
    name_width, bar_width = bar_layout([row.name for m in models for row in m.bars], width)
    peak = peaks(models)
    for model in models:
        parts.extend([Text(""), _bars(model, peak, name_width, bar_width), Text(""), *_by_type(model)])
    parts.append(Text(""))
    parts.append(Text("\n".join(models[0].analysis.conventions.describe()), style="italic"))
    return Group(*parts)


def _bars(model: ModelFigures, peak: dict[str, int], name_width: int, bar_width: int) -> Table:
    from rich.table import Table

    chart = Table(title=f"{model.label}: where the memory, params and MACs are (% of its total)",
                  title_justify="left", show_edge=False, pad_edge=False)
    chart.add_column("Layer", no_wrap=True, width=name_width)
    keys = [m.key for m in metrics.charted()]
    for metric in metrics.charted():
        chart.add_column(metric.column or metric.label, no_wrap=True)
    whole = {key: sum(row.values[key] for row in model.bars) for key in keys}  # what the percentages are of
    for row in model.bars:
        cells = []
        for key in keys:
            value = row.values[key]
            text = _percent(value, whole[key]).rjust(PERCENT_WIDTH)
            cells.append((f"{bar(value / peak[key], bar_width)} " if bar_width else "") + text if value else "")
        chart.add_row(shorten(row.name, name_width), *cells)
    return chart


def _by_type(model: ModelFigures) -> list[RenderableType]:
    """The by-type table, its total under a rule, and the line of types that hold nothing."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="By layer type (% of its total)", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Type", no_wrap=True)
    for metric in metrics.charted():
        table.add_column(metric.column or metric.label, justify="right", no_wrap=True)
    rows, idle = type_rows(model, pad=True)
    for kind, cells in rows[:-1]:
        table.add_row(kind, *cells)
    table.add_section()
    kind, cells = rows[-1]
    table.add_row(kind, *cells)
    return [table, Text(idle_text(idle), style="dim")] if idle else [table]


# -- machine-readable -----------------------------------------------------------------------


def compare_dict(models: list[ModelFigures]) -> dict:
    base = models[0]
    return {
        "conventions": base.analysis.conventions.as_dict(),
        "models": [
            {
                "name": m.analysis.name,
                "source": m.analysis.source,
                "path": m.analysis.path,
                "input_shape": list(m.analysis.input_shape),
                "totals": m.analysis.totals.as_dict(),
                "depth": m.depth,
                "receptive_field": m.receptive_field,
                "receptive_field_layer": m.receptive_field_layer,
                "ratios": {key: ratio(m.value(key), base.value(key)) for key, _ in compared_keys()},
                "by_type": m.by_type,
                "bars": [{"name": row.name, "type": row.type, **{m.key: row.values[m.key] for m in metrics.charted()}}
                         for row in m.bars],
            }
            for m in models
        ],
    }


def to_json(models: list[ModelFigures]) -> str:
    return json.dumps(compare_dict(models), indent=2)


def to_csv(models: list[ModelFigures]) -> str:
    """One row per model: the totals, then each total's ratio to the first model, then the receptive
    field's layer and the input shape (channels-first, as in the JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = [key for key, _ in compared_keys()]
    writer.writerow(["name", *keys, *(f"{key}_ratio" for key in keys), "receptive_field_layer", "input_shape"])
    base = models[0]
    for m in models:
        ratios = [ratio(m.value(key), base.value(key)) for key in keys]
        writer.writerow([m.analysis.name, *(m.value(key) for key in keys),
                         *("" if r is None else f"{r:.4f}" for r in ratios),
                         m.receptive_field_layer or "", "x".join(map(str, m.analysis.input_shape))])
    return buffer.getvalue()


def to_markdown(models: list[ModelFigures]) -> str:
    lines = ["| | " + " | ".join(m.label for m in models) + " |", "|---|" + "---:|" * len(models)]
    lines.extend(f"| {label} | " + " | ".join(cells) + " |" for label, cells in totals_rows(models))
    lines.append("")
    lines.extend(f"- {line}" for line in verdicts(models))
    lines.extend(f"- {line}" for line in models[0].analysis.conventions.describe())
    headers = [m.column or m.label for m in metrics.charted()]
    for model in models:
        rows, idle = type_rows(model)
        lines.extend(["", f"| {model.label} by layer type | " + " | ".join(headers) + " |",
                      "|---|" + "---:|" * len(headers)])
        lines.extend(f"| {kind} | " + " | ".join(cells) + " |" for kind, cells in rows)
        if idle:
            lines.extend(["", idle_text(idle)])
    return "\n".join(lines) + "\n"
