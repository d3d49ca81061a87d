"""Joins of several inputs: add (residuals), concat along channels (inception, DenseNet),
multiply with broadcasting (squeeze-and-excitation)."""

from __future__ import annotations

from cnncalc.formulas import Step
from cnncalc.ops.base import ActivationName, Layer, Op, OpError, Options, Shape, numel, register
from cnncalc.ops.spatial import ReceptiveField, joined, spatial_branches
from cnncalc.ops.window import SlidingWindow
from cnncalc.units import shape_text

_SUBSCRIPTS = "₁₂₃₄₅₆₇₈₉"


class MergeOptions(Options):
    activation: ActivationName | None = None


class Merge(Op):
    options = MergeOptions
    inputs = (2, None)

    def other_ops(self, o: MergeOptions, inputs: list[Shape], out: Shape) -> int:
        return numel(out) * (len(inputs) - 1) + (numel(out) if o.activation else 0)

    def receptive_field(self, o: MergeOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        """The union of the branches' fields, axis by axis; the analyzer warns when they are not aligned."""
        return joined(spatial_branches(rfs, inputs))


@register
class Add(Merge):
    key = "add"
    prefix = "add"
    description = "elementwise sum (residual join)"

    def output_shape(self, o: MergeOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        if any(shape != inputs[0] for shape in inputs[1:]):
            raise OpError("add: shapes " + " and ".join(shape_text(s) for s in inputs) + " differ")
        return inputs[0]


@register
class Multiply(Merge):
    key = "multiply"
    prefix = "mul"
    description = "elementwise product with broadcasting (squeeze-and-excitation gate)"

    def output_shape(self, o: MergeOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        out = list(inputs[0])
        for shape in inputs[1:]:
            if len(shape) != len(out) or any(a != b and 1 not in (a, b) for a, b in zip(out, shape, strict=False)):
                raise OpError("multiply: shapes " + " and ".join(shape_text(s) for s in inputs) + " do not broadcast")
            out = [max(a, b) for a, b in zip(out, shape, strict=False)]
        return tuple(out)

    def size_steps(self, layer: Layer) -> list[Step]:
        """Only when a size of 1 in the first input is broadcast to the other's."""
        first, out = layer.inputs[0], layer.out
        formula = "the larger of " + " and ".join(shape_text(s, layer.conventions.layout) for s in layer.inputs)
        if len(out) != 3:
            return [] if out == first else [Step("output length", formula, "", out[0])]
        steps = [Step("output channels", formula, "", out[0])] if out[0] != first[0] else []
        if out[1:] == first[1:]:
            return steps
        if out[1] == out[2] and first[1] == first[2]:
            return [*steps, Step("output size", formula, "", out[1])]
        return [*steps, Step("output height", formula, "", out[1]), Step("output width", formula, "", out[2])]


@register
class Concat(Merge):
    key = "concat"
    prefix = "concat"
    description = "concatenation along the channel axis"
    branch_join = True

    def output_shape(self, o: MergeOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        if any(len(shape) != len(inputs[0]) or shape[1:] != inputs[0][1:] for shape in inputs[1:]):
            raise OpError(
                "concat: spatial sizes " + " and ".join(shape_text(s) for s in inputs) + " differ (only channels may)"
            )
        return (sum(shape[0] for shape in inputs), *inputs[0][1:])

    def other_ops(self, o: MergeOptions, inputs: list[Shape], out: Shape) -> int:
        return numel(out) if o.activation else 0

    def size_steps(self, layer: Layer) -> list[Step]:
        """The channels (or a flat input's values) add up: C₁ + C₂ + ..."""
        count = len(layer.inputs)
        if count <= len(_SUBSCRIPTS):
            formula = " + ".join(f"C{_SUBSCRIPTS[i]}" for i in range(count))
        else:
            formula = "C₁ + C₂ + … + Cₙ"
        expression = " + ".join(str(shape[0]) for shape in layer.inputs)
        label = "output channels" if len(layer.out) == 3 else "output length"
        return [Step(label, formula, expression, layer.out[0])]

    def branch_steps(self, join: Layer, branches: list[tuple[str, list[Layer]]], module: str,
                     inside: list[Layer]) -> list[Step]:
        """Each branch's MACs as a sum of its layers' products (an inception module), what a 1x1
        bottleneck saves, and the module's MACs as the sum of its branches."""
        steps, totals = [], []
        for label, layers in branches:
            terms = [layer.op.mac_term(layer) for layer in layers if layer.op is not None and layer.values["macs"]]
            value = sum(layer.values["macs"] for layer in layers)
            expression = " + ".join(terms) if terms else "0"
            if join.batch > 1 and terms:
                expression = f"({expression})·{join.batch}"
            steps.append(Step(f"{label} MACs", "Σ Ho·Wo·F·K·K·C over its layers", expression, value, "MACs"))
            totals.append(value)
            naive = _bottleneck(label, layers)
            if naive is not None:
                steps.append(naive)
                join.notes.append(f"the 1x1 reduction makes {label} {naive.value / value:.1f}x cheaper "
                                  f"({value:,} instead of {naive.value:,} MACs)")
        whole = sum(layer.values["macs"] for layer in inside)
        if module and whole == sum(totals):
            steps.append(Step(f"{module} MACs", "sum of the branches", " + ".join(str(t) for t in totals), whole,
                              "MACs"))
        return steps


def _bottleneck(label: str, layers: list[Layer]) -> Step | None:
    """Two layers of a `bottleneck` op (conv) in a branch, the second fed by the first: that op says
    what the second would cost without the first's 1x1 reduction."""
    stages = [layer for layer in layers if layer.op is not None and layer.op.bottleneck]
    if len(stages) != 2 or stages[1].sources != [stages[0].name]:
        return None
    reduce, main = stages
    assert main.op is not None
    return main.op.unreduced_step(reduce, main, label)
