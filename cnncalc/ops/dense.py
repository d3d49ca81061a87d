"""Fully-connected layers and the flatten that feeds them.

dense: params = in·out + out ; MACs = in·out.
"""

from __future__ import annotations

from cnncalc.ops.base import (
    ActivationName,
    Op,
    OpError,
    Options,
    ParamCount,
    PositiveInt,
    Shape,
    numel,
    register,
    tensor_text,
)


class DenseOptions(Options):
    units: PositiveInt
    bias: bool = True
    activation: ActivationName | None = None


@register
class Dense(Op):
    key = "dense"
    options = DenseOptions
    primary = "units"
    prefix = "fc"
    description = "fully-connected (linear) layer"

    def output_shape(self, o: DenseOptions, inputs: list[Shape]) -> Shape:
        if len(inputs[0]) != 1:
            raise OpError(f"dense needs a flat input but gets {tensor_text(inputs[0])}: add '- flatten' before it")
        return (o.units,)

    def params(self, o: DenseOptions, inputs, out) -> ParamCount:
        return ParamCount(weights=inputs[0][0] * o.units, biases=o.units if o.bias else 0)

    def macs(self, o: DenseOptions, inputs, out) -> int:
        return inputs[0][0] * o.units

    def other_ops(self, o: DenseOptions, inputs, out) -> int:
        return o.units if o.activation else 0

    def receptive_field(self, o, inputs, rfs):
        return rfs[0]


@register
class Flatten(Op):
    key = "flatten"
    prefix = "flatten"
    allocates = False
    description = "reshape CxHxW to a vector (a view: no memory of its own)"

    def output_shape(self, o, inputs: list[Shape]) -> Shape:
        return (numel(inputs[0]),)
