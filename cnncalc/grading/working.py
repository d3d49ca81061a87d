"""The worked arithmetic shown under a wrong answer, taken from `cnncalc explain` (the formula in
symbols, then with the layer's numbers, then the result) so grading and explaining never differ.
Which steps work out a metric's answer-sheet item is part of the metric's declaration
(`Metric.worked_by`, `relation`, `none_text` in `cnncalc.metrics`), and the op of the layer says
why its output has the channels it has (`Op.channels_reason`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cnncalc import metrics
from cnncalc.analysis import LayerRow
from cnncalc.ops import REGISTRY
from cnncalc.units import human_bytes

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.grading.marking import AnswerKey


# The items that are not metrics: the steps that work them out, and the working when none does.
SHAPE_ITEMS = {
    "output_shape": (("output size", "output height", "output width", "output channels", "output length"), ""),
    "receptive_field": (("receptive field", "jump"), "the tensor is flat: every unit sees the whole input"),
}


def _metric(item: str) -> metrics.Metric:
    metric = metrics.by_sheet_item(item)
    assert metric is not None, item
    return metric


def working(key: AnswerKey, row: LayerRow | None, item: str) -> str:
    if row is None:
        return _total_working(key, item)
    if row.kind == "group":
        return _module_working(key, row, item)
    from cnncalc.render.explain import step_line

    explanation = key.explainer.layer(key.graph.node(row.name))
    units = key.analysis.conventions.units
    metric = None if item in SHAPE_ITEMS else _metric(item)
    worked_by, none_text = SHAPE_ITEMS[item] if metric is None else (metric.worked_by, metric.none_text)
    lines = [f"{step.quantity}: {step_line(step, units)}" for step in explanation.steps
             if step.quantity.startswith(worked_by)]
    if item == "output_shape":
        why = REGISTRY[row.type].channels_reason(row.output_shape)
        result = f"-> {explanation.output}" + (f" ({why})" if why else "")
        if lines:
            lines = [" ".join(lines + [result])]
        else:
            lines = [f"{row.type} of {' and '.join(explanation.inputs)} {result}"]
    elif metric is not None and metric.relation is not None:
        lines.insert(0, metric.relation[1])
    elif metric is not None and metric.bytes_per_value and not row.allocates:  # a view, dropout: no memory
        lines.append(REGISTRY[row.type].memory_note(key.analysis.conventions) or "")
    if not lines:
        lines.append(none_text.format(op=row.type))
    return "; ".join(line for line in lines if line)


def _total_working(key: AnswerKey, item: str) -> str:
    totals = key.analysis.totals
    if item == "output_shape":
        return f"the output of '{key.analysis.outputs[-1]}'"
    metric = _metric(item)
    if metric.bytes_per_value:
        conventions = key.analysis.conventions
        values = totals[metric.totalled]  # a count of values: the bytes are the values x bytes per value
        return (f"sum of every layer's output: {values:,} values x {conventions.bytes_per_element} B = "
                f"{human_bytes(values * conventions.bytes_per_element, conventions.units)} "
                f"(input {'counted' if conventions.count_input else 'not counted'}; "
                f"flatten {'counted' if conventions.count_views else 'not counted: a view'}; dropout holds none)")
    inference = [row for row in key.analysis.layers if not row.training_only]
    return _sum_working(item, inference, lambda metric: totals[metric.totalled])


def _module_working(key: AnswerKey, group: LayerRow, item: str) -> str:
    """A module's figure: its layers' added up, or (shape, receptive field) its last layer's."""
    layers = key.members(group)
    metric = None if item in SHAPE_ITEMS else _metric(item)
    if metric is None or metric.aggregate != "sum":
        last = layers[-1]
        return f"its last layer, {last.name}: {working(key, last, item)}"
    text = _sum_working(item, layers, lambda metric: group[metric.key])
    if metric.bytes_per_value:  # a count of values: the bytes are the values x bytes per value
        conventions = key.analysis.conventions
        size = group[metric.key] * conventions.bytes_per_element
        text += f" values x {conventions.bytes_per_element} B = {size:,} B ({human_bytes(size, conventions.units)})"
    return text


def _sum_working(item: str, rows: list[LayerRow], total: Callable[[metrics.Metric], int]) -> str:
    """A figure that adds up over `rows`: each term with its layer, then `total` of the metric."""
    metric = _metric(item)
    prefix = f"{item} = "
    if metric.relation is not None:
        source, relation = metric.relation
        metric = metrics.by_total(source)
        prefix = f"{relation}; {metric.label} = "
    terms = [(row.name, row[metric.key]) for row in rows if row[metric.key]]
    shown = " + ".join(f"{value:,} ({name})" for name, value in terms[:8])
    shown += f" + {len(terms) - 8} more" if len(terms) > 8 else ""
    return f"{prefix}{shown} = {total(metric):,}"
