"""The `cnncalc compare` view: totals side by side with ratios against the first model, then
bars of where each model keeps its memory, its parameters and its MACs (per layer, or per stage
for networks built from modules).

Every figure is an analysis total or a sum / maximum of analysis rows; nothing is recomputed.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from cnncalc import metrics
from cnncalc.analysis import Analysis, LayerRow, collapse
from cnncalc.units import number

# Figures of the whole network that are not metric totals: (key, label), after the metrics' rows.
SHAPE_FIGURES = (("depth", "Depth (weight layers)"), ("receptive_field", "Receptive field"))


def compared_keys() -> list[tuple[str, str]]:
    """The rows of the totals table, in order: (key, label)."""
    return [(m.totalled, m.compared or m.key) for m in metrics.compared()] + list(SHAPE_FIGURES)


@dataclass
class ModelFigures:
    """One model's side of the comparison."""

    analysis: Analysis
    depth: int                       # weight layers (conv, dense) on the longest path: VGG-16's 16, GoogLeNet's 22
    receptive_field: int | float     # the largest field of any layer, in input pixels (0 for a flat input)
    by_type: dict[str, dict[str, int]]  # op type -> memory / params / MACs summed over its layers
    bars: list[LayerRow]             # the rows the bar charts draw

    def value(self, key: str) -> int | float:
        return getattr(self, key) if key in dict(SHAPE_FIGURES) else self.analysis.totals[key]


def charted(rows: list[LayerRow]) -> list[LayerRow]:
    """The rows worth a bar: inference layers with something in a charted metric."""
    keys = [m.key for m in metrics.charted()]
    return [row for row in rows if not row.training_only and any(row.values[key] for key in keys)]


def figures(analysis: Analysis, depth: int = 0) -> ModelFigures:
    """Sum and maximum over the analysis rows; `depth` folds modules for the bars, as summary --depth."""
    rows = [row for row in analysis.layers if not row.training_only]
    keys = [m.key for m in metrics.charted()]
    by_type: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = by_type.setdefault(row.type, dict.fromkeys(keys, 0))
        for key in keys:
            entry[key] += row.values[key]
    fields = [max(row.receptive_field.size) for row in rows if row.receptive_field is not None]
    return ModelFigures(analysis, _weight_depth(rows), number(max(fields, default=0)), by_type,
                        charted(collapse(analysis, depth)))


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


def cell(key: str, value: int | float, units: str) -> str:
    """A metric total in its unit (rounded); depth and receptive field as plain numbers."""
    if key in dict(SHAPE_FIGURES):
        return str(value)
    return metrics.by_total(key).written(int(value), units)


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
        lines.append(f"{model.analysis.name}: {', '.join(parts)} of {base.analysis.name}")
    return lines


def shares(model: ModelFigures) -> str:
    """Where the totals sit by layer type: 'conv: 89% of the activation memory, 11% of the params, ...'."""
    verdict = _verdict_metrics()
    totals = {m.key: sum(entry[m.key] for entry in model.by_type.values()) for m in verdict}
    counted = [m.key for m in verdict if m.unit == "count"]  # types that compute or learn something
    parts = []
    for kind, entry in sorted(model.by_type.items(), key=lambda item: -sum(item[1][key] for key in counted)):
        if any(entry[key] for key in counted):
            cells = [f"{_percent(entry[m.key], totals[m.key])} of the {m.label}" for m in verdict]
            parts.append(f"{kind}: {', '.join(cells)}")
    return "; ".join(parts)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


# -- table ----------------------------------------------------------------------------------

BAR_WIDTH = 24
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a character: 0.5 -> half the width filled."""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(width)


def compare_table(models: list[ModelFigures]):
    """The rich renderables: the totals table, the verdicts, then one bar chart per model."""
    from rich.console import Group, RenderableType
    from rich.table import Table
    from rich.text import Text

    conventions = models[0].analysis.conventions
    totals = Table(title="Totals", title_justify="left", show_edge=False, pad_edge=False)
    totals.add_column("")
    for index, model in enumerate(models):
        totals.add_column(model.analysis.name + ("" if index == 0 else " (ratio)"), justify="right")
    for key, label in compared_keys():
        base = models[0].value(key)
        cells = [cell(key, base, conventions.units)]
        for model in models[1:]:
            value = model.value(key)
            cells.append(f"{cell(key, value, conventions.units)} ({ratio_text(ratio(value, base))})")
        totals.add_row(label, *cells)
    parts: list[RenderableType] = [totals, Text("")]
    parts.extend(Text(line, style="bold") for line in verdicts(models))
    for model in models:
        parts.extend([Text(""), _bars(model, Table), Text(f"By layer type: {shares(model)}", style="dim")])
    parts.append(Text(""))
    parts.append(Text("\n".join(conventions.describe()), style="italic"))
    return Group(*parts)


def _bars(model: ModelFigures, Table):
    analysis = model.analysis
    chart = Table(title=f"{analysis.name}: where the memory, params and MACs are (% of its total)",
                  title_justify="left", show_edge=False, pad_edge=False)
    chart.add_column("Layer", no_wrap=True)
    keys = [m.key for m in metrics.charted()]
    for metric in metrics.charted():
        chart.add_column(metric.column or metric.label, no_wrap=True)
    whole = {key: sum(row.values[key] for row in model.bars) for key in keys}
    peak = {key: max((row.values[key] for row in model.bars), default=0) for key in keys}
    for row in model.bars:
        cells = []
        for key in keys:
            value = row.values[key]
            cells.append(f"{bar(value / peak[key])} {100 * value / whole[key]:4.1f}%" if value else "")
        chart.add_row(row.name, *cells)
    return chart


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
    """One row per model: the totals, then each total's ratio to the first model."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = [key for key, _ in compared_keys()]
    writer.writerow(["name", *keys, *(f"{key}_ratio" for key in keys)])
    base = models[0]
    for m in models:
        ratios = [ratio(m.value(key), base.value(key)) for key in keys]
        writer.writerow([m.analysis.name, *(m.value(key) for key in keys),
                         *("" if r is None else f"{r:.4f}" for r in ratios)])
    return buffer.getvalue()


def to_markdown(models: list[ModelFigures]) -> str:
    units = models[0].analysis.conventions.units
    names = [m.analysis.name for m in models]
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(models)]
    for key, label in compared_keys():
        base = models[0].value(key)
        cells = [cell(key, base, units)] + [
            f"{cell(key, m.value(key), units)} ({ratio_text(ratio(m.value(key), base))})" for m in models[1:]]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in verdicts(models))
    lines.extend(f"- {m.analysis.name} by layer type: {shares(m)}" for m in models)
    lines.extend(f"- {line}" for line in models[0].analysis.conventions.describe())
    return "\n".join(lines) + "\n"
