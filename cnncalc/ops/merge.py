"""Joins of several inputs: add (residuals), concat along channels (inception, DenseNet),
multiply with broadcasting (squeeze-and-excitation)."""

from __future__ import annotations

from cnncalc.ops.base import ActivationName, Op, OpError, Options, Shape, numel, register, tensor_text
from cnncalc.ops.spatial import ReceptiveField


class MergeOptions(Options):
    activation: ActivationName | None = None


class Merge(Op):
    options = MergeOptions
    inputs = (2, None)

    def other_ops(self, o: MergeOptions, inputs, out) -> int:
        return numel(out) * (len(inputs) - 1) + (numel(out) if o.activation else 0)

    def receptive_field(self, o, inputs, rfs: list[ReceptiveField]) -> ReceptiveField:
        """The union of the branches' fields: the largest size; the analyzer warns when centres differ."""
        spatial = [rf for rf, shape in zip(rfs, inputs) if len(shape) == 3 and shape[1:] != (1, 1)] or rfs
        widest = max(spatial, key=lambda rf: rf.size)
        return widest


@register
class Add(Merge):
    key = "add"
    prefix = "add"
    description = "elementwise sum (residual join)"

    def output_shape(self, o, inputs: list[Shape]) -> Shape:
        if any(shape != inputs[0] for shape in inputs[1:]):
            raise OpError("add: shapes " + " and ".join(tensor_text(s) for s in inputs) + " differ")
        return inputs[0]


@register
class Multiply(Merge):
    key = "multiply"
    prefix = "mul"
    description = "elementwise product with broadcasting (squeeze-and-excitation gate)"

    def output_shape(self, o, inputs: list[Shape]) -> Shape:
        out = list(inputs[0])
        for shape in inputs[1:]:
            if len(shape) != len(out) or any(a != b and 1 not in (a, b) for a, b in zip(out, shape)):
                raise OpError("multiply: shapes " + " and ".join(tensor_text(s) for s in inputs) + " do not broadcast")
            out = [max(a, b) for a, b in zip(out, shape)]
        return tuple(out)


@register
class Concat(Merge):
    key = "concat"
    prefix = "concat"
    description = "concatenation along the channel axis"

    def output_shape(self, o, inputs: list[Shape]) -> Shape:
        if any(len(shape) != len(inputs[0]) or shape[1:] != inputs[0][1:] for shape in inputs[1:]):
            raise OpError(
                "concat: spatial sizes " + " and ".join(tensor_text(s) for s in inputs) + " differ (only channels may)"
            )
        return (sum(shape[0] for shape in inputs), *inputs[0][1:])

    def other_ops(self, o, inputs, out) -> int:
        return numel(out) if o.activation else 0
