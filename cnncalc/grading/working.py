"""The worked arithmetic shown under a wrong answer, taken from `cnncalc explain` (the formula in
symbols, then with the layer's numbers, then the result) so grading and explaining never differ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.analysis import LayerRow
from cnncalc.units import human_bytes

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.grading.marking import AnswerKey

STEPS = {  # answer-sheet item -> how the names of the explanation steps that work it out begin
    "output_shape": ("output size", "output height", "output width"),
    "params": ("params",),
    "macs": ("MACs",),
    "flops": ("MACs",),
    "memory": ("memory",),
    "receptive_field": ("receptive field", "jump"),
}


def working(key: AnswerKey, row: LayerRow | None, item: str) -> str:
    if row is None:
        return _total_working(key, item)
    from cnncalc.render.explain import step_line

    explanation = key.explainer.layer(key.graph.node(row.name))
    units = key.analysis.conventions.units
    lines = [f"{step.quantity}: {step_line(step, units)}" for step in explanation.steps if step.quantity.startswith(STEPS[item])]
    if item == "output_shape":
        channels = row.output_shape[0]
        pooling = f"pooling keeps the {channels} channels"
        why = {"conv": f"{channels} filters", "maxpool": pooling, "avgpool": pooling, "l2pool": pooling}.get(row.type)
        result = f"-> {explanation.output}" + (f" ({why})" if why else "")
        lines = [" ".join(lines + [result])] if lines else [f"{row.type} of {' and '.join(explanation.inputs)} {result}"]
    elif item == "flops":
        lines.insert(0, "FLOPs = 2 x MACs")
    elif item == "memory" and not lines:  # a view (flatten): its output is its input's memory
        conventions = key.analysis.conventions
        size = row.output_elements * conventions.bytes_per_element
        lines.append(f"memory: {row.output_elements:,} values x {conventions.bytes_per_element} B = {size:,} B ({human_bytes(size, conventions.units)})")
    if not lines:
        lines.append({"params": f"{row.type} has no parameters: 0", "macs": f"{row.type} does no multiply-accumulates: 0",
                      "receptive_field": "the tensor is flat: every unit sees the whole input"}.get(item, ""))
    return "; ".join(line for line in lines if line)


def _total_working(key: AnswerKey, item: str) -> str:
    totals = key.analysis.totals
    if item == "output_shape":
        return f"the output of '{key.analysis.outputs[-1]}'"
    if item == "memory":
        conventions = key.analysis.conventions
        return (f"sum of every layer's output: {totals.activation_elements:,} values x {conventions.bytes_per_element} B = "
                f"{human_bytes(totals.activation_bytes, conventions.units)} (input {'counted' if conventions.count_input else 'not counted'}; "
                "flatten and dropout are views)")
    field = "macs" if item == "flops" else item
    terms = [(row.name, getattr(row, field)) for row in key.analysis.layers if getattr(row, field) and not row.training_only]
    shown = " + ".join(f"{value:,} ({name})" for name, value in terms[:8]) + (f" + {len(terms) - 8} more" if len(terms) > 8 else "")
    prefix = "FLOPs = 2 x MACs; MACs = " if item == "flops" else f"{item} = "
    return f"{prefix}{shown} = {getattr(totals, field):,}"
