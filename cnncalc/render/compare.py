"""The `cnncalc compare` view: totals side by side with ratios against the first model, then
bars of where each model keeps its memory, its parameters and its MACs (per layer, or per stage
for networks built from modules).

Every figure is an analysis total or a sum / maximum of analysis rows; nothing is recomputed.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass

from cnncalc.analysis import Analysis, LayerRow, collapse
from cnncalc.units import human_bytes, human_count, number

# The three per-layer quantities the bars show: (row attribute, label).
METRICS = (("activation_bytes", "Memory"), ("params", "Params"), ("macs", "MACs"))

# The totals compared, in order: (key, label, kind); kind picks how a value is written.
TOTALS = (
    ("params", "Params", "count"),
    ("macs", "MACs", "count"),
    ("flops", "FLOPs", "count"),
    ("activation_bytes", "Activation memory", "bytes"),
    ("param_bytes", "Parameter memory", "bytes"),
    ("depth", "Depth (weight layers)", "plain"),
    ("receptive_field", "Receptive field", "plain"),
)
# What the one-line verdicts mention ("VGG-16: 2.3x the params of AlexNet, ...").
VERDICT = (("params", "params"), ("macs", "MACs"), ("activation_bytes", "activation memory"))


@dataclass
class ModelFigures:
    """One model's side of the comparison."""

    analysis: Analysis
    depth: int                       # weight layers (conv, dense) on the longest path: VGG-16's 16, GoogLeNet's 22
    receptive_field: int | float     # the largest field of any layer, in input pixels (0 for a flat input)
    by_type: dict[str, dict[str, int]]  # op type -> memory / params / MACs summed over its layers
    bars: list[LayerRow]             # the rows the bar charts draw

    def value(self, key: str) -> int | float:
        return getattr(self, key) if key in ("depth", "receptive_field") else getattr(self.analysis.totals, key)


def charted(rows: list[LayerRow]) -> list[LayerRow]:
    """The rows worth a bar: inference layers that hold memory, parameters or MACs."""
    return [row for row in rows if not row.training_only and any(getattr(row, key) for key, _ in METRICS)]


def figures(analysis: Analysis, depth: int = 0) -> ModelFigures:
    """Sum and maximum over the analysis rows; `depth` folds modules for the bars, as summary --depth."""
    rows = [row for row in analysis.layers if not row.training_only]
    by_type: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = by_type.setdefault(row.type, {key: 0 for key, _ in METRICS})
        for key, _ in METRICS:
            entry[key] += getattr(row, key)
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


def cell(kind: str, value: int | float, units: str) -> str:
    if kind == "count":
        return human_count(value)
    if kind == "bytes":
        return human_bytes(value, units)
    return str(value)


def verdicts(models: list[ModelFigures]) -> list[str]:
    """'VGG-16: 2.3x the params, 21.6x the MACs, 27.5x the activation memory of AlexNet'."""
    base = models[0]
    lines = []
    for model in models[1:]:
        parts = [f"{ratio_text(ratio(model.value(key), base.value(key)))} the {label}" for key, label in VERDICT]
        lines.append(f"{model.analysis.name}: {', '.join(parts)} of {base.analysis.name}")
    return lines


def shares(model: ModelFigures) -> str:
    """Where the totals sit by layer type: 'conv: 89% of the activation memory, 11% of the params, ...'."""
    totals = {key: sum(entry[key] for entry in model.by_type.values()) for key, _ in METRICS}
    parts = []
    for kind, entry in sorted(model.by_type.items(), key=lambda item: -item[1]["params"] - item[1]["macs"]):
        if entry["params"] or entry["macs"]:
            cells = [f"{_percent(entry[key], totals[key])} of the {label}" for key, label in VERDICT]
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
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    conventions = models[0].analysis.conventions
    totals = Table(title="Totals", title_justify="left", show_edge=False, pad_edge=False)
    totals.add_column("")
    for index, model in enumerate(models):
        totals.add_column(model.analysis.name + ("" if index == 0 else " (ratio)"), justify="right")
    for key, label, kind in TOTALS:
        base = models[0].value(key)
        cells = [cell(kind, models[0].value(key), conventions.units)]
        for model in models[1:]:
            value = model.value(key)
            cells.append(f"{cell(kind, value, conventions.units)} ({ratio_text(ratio(value, base))})")
        totals.add_row(label, *cells)
    parts = [totals, Text("")]
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
    for _, label in METRICS:
        chart.add_column(label, no_wrap=True)
    whole = {key: sum(getattr(row, key) for row in model.bars) for key, _ in METRICS}
    peak = {key: max((getattr(row, key) for row in model.bars), default=0) for key, _ in METRICS}
    for row in model.bars:
        cells = []
        for key, _ in METRICS:
            value = getattr(row, key)
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
                "totals": asdict(m.analysis.totals),
                "depth": m.depth,
                "receptive_field": m.receptive_field,
                "ratios": {key: ratio(m.value(key), base.value(key)) for key, _, _ in TOTALS},
                "by_type": m.by_type,
                "bars": [{"name": row.name, "type": row.type, **{key: getattr(row, key) for key, _ in METRICS}}
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
    writer.writerow(["name", *(key for key, _, _ in TOTALS), *(f"{key}_ratio" for key, _, _ in TOTALS)])
    base = models[0]
    for m in models:
        ratios = [ratio(m.value(key), base.value(key)) for key, _, _ in TOTALS]
        writer.writerow([m.analysis.name, *(m.value(key) for key, _, _ in TOTALS),
                         *("" if r is None else f"{r:.4f}" for r in ratios)])
    return buffer.getvalue()


def to_markdown(models: list[ModelFigures]) -> str:
    units = models[0].analysis.conventions.units
    names = [m.analysis.name for m in models]
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(models)]
    for key, label, kind in TOTALS:
        base = models[0].value(key)
        cells = [cell(kind, base, units)] + [
            f"{cell(kind, m.value(key), units)} ({ratio_text(ratio(m.value(key), base))})" for m in models[1:]]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in verdicts(models))
    lines.extend(f"- {m.analysis.name} by layer type: {shares(m)}" for m in models)
    lines.extend(f"- {line}" for line in models[0].analysis.conventions.describe())
    return "\n".join(lines) + "\n"
