"""The worked arithmetic shown under a wrong answer, taken from `cnncalc explain` (the formula in
symbols, then with the layer's numbers, then the result) so grading and explaining never differ.
Which steps work out which answer-sheet item is written in `cnncalc.formulas` (`WORKED_BY`), the
figures are the metrics' (`cnncalc.metrics`), and the op of the layer says why its output has the
channels it has (`Op.channels_reason`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc import metrics
from cnncalc.analysis import LayerRow
from cnncalc.formulas import DERIVED, WHEN_NONE, WORKED_BY
from cnncalc.ops import REGISTRY
from cnncalc.units import human_bytes

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.grading.marking import AnswerKey


def _metric(item: str) -> metrics.Metric:
    metric = metrics.by_sheet_item(item)
    assert metric is not None, item
    return metric


def working(key: AnswerKey, row: LayerRow | None, item: str) -> str:
    if row is None:
        return _total_working(key, item)
    from cnncalc.render.explain import step_line

    explanation = key.explainer.layer(key.graph.node(row.name))
    units = key.analysis.conventions.units
    lines = [f"{step.quantity}: {step_line(step, units)}" for step in explanation.steps
             if step.quantity.startswith(WORKED_BY[item])]
    if item == "output_shape":
        why = REGISTRY[row.type].channels_reason(row.output_shape)
        result = f"-> {explanation.output}" + (f" ({why})" if why else "")
        if lines:
            lines = [" ".join(lines + [result])]
        else:
            lines = [f"{row.type} of {' and '.join(explanation.inputs)} {result}"]
    elif item in DERIVED:
        lines.insert(0, DERIVED[item][1])
    elif item == "memory" and not lines:  # a view (flatten): its output is its input's memory
        conventions = key.analysis.conventions
        values = row[_metric(item).key]
        size = values * conventions.bytes_per_element
        lines.append(f"memory: {values:,} values x {conventions.bytes_per_element} B = {size:,} B "
                     f"({human_bytes(size, conventions.units)})")
    if not lines:
        lines.append(WHEN_NONE.get(item, "").format(op=row.type))
    return "; ".join(line for line in lines if line)


def _total_working(key: AnswerKey, item: str) -> str:
    totals = key.analysis.totals
    if item == "output_shape":
        return f"the output of '{key.analysis.outputs[-1]}'"
    metric = _metric(item)
    if item == "memory":
        conventions = key.analysis.conventions
        values = totals[metric.totalled]  # a count of values: the bytes are the values x bytes per value
        return (f"sum of every layer's output: {values:,} values x {conventions.bytes_per_element} B = "
                f"{human_bytes(values * conventions.bytes_per_element, conventions.units)} "
                f"(input {'counted' if conventions.count_input else 'not counted'}; flatten and dropout are views)")
    prefix = f"{item} = "
    if item in DERIVED:
        source, relation = DERIVED[item]
        metric = _metric(source)
        prefix = f"{relation}; {metric.label} = "
    terms = [(row.name, row[metric.key]) for row in key.analysis.layers if row[metric.key] and not row.training_only]
    shown = " + ".join(f"{value:,} ({name})" for name, value in terms[:8])
    shown += f" + {len(terms) - 8} more" if len(terms) > 8 else ""
    return f"{prefix}{shown} = {totals[metric.totalled]:,}"
