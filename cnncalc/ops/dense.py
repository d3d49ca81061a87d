"""Fully-connected layers and the flatten that feeds them.

dense: params = in·out + out ; MACs = in·out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.formulas import Step, dot, per_batch
from cnncalc.ops.base import (
    ActivationName,
    Layer,
    Op,
    OpError,
    Options,
    ParamCount,
    PositiveInt,
    Shape,
    numel,
    register,
)
from cnncalc.ops.spatial import ReceptiveField
from cnncalc.ops.window import SlidingWindow
from cnncalc.units import shape_text

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.conventions import Conventions


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

    def output_shape(self, o: DenseOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        if len(inputs[0]) != 1:
            raise OpError(f"dense needs a flat input but gets {shape_text(inputs[0])}: add '- flatten' before it")
        return (o.units,)

    def params(self, o: DenseOptions, inputs: list[Shape], out: Shape) -> ParamCount:
        return ParamCount(weights=inputs[0][0] * o.units, biases=o.units if o.bias else 0)

    def macs(self, o: DenseOptions, inputs: list[Shape], out: Shape) -> int:
        return inputs[0][0] * o.units

    def other_ops(self, o: DenseOptions, inputs: list[Shape], out: Shape) -> int:
        return o.units if o.activation else 0

    def receptive_field(self, o: DenseOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        return rfs[0]

    # -- written out ----------------------------------------------------------------------------

    def size_steps(self, layer: Layer) -> list[Step]:
        """N inputs -> M outputs, M being the units."""
        return [Step("output length", "M (units)", "", layer.out[0])]

    def param_steps(self, layer: Layer) -> list[Step]:
        """(N + 1)·M, or N·M without biases."""
        n, m = layer.inputs[0][0], layer.options.units
        if layer.options.bias and layer.conventions.bias:
            return [Step("params", "(N + 1)·M", f"({n} + 1)·{m}", layer.values["params"], "params")]
        return [Step("params", "N·M", dot(n, m), layer.values["params"], "params")]

    def mac_steps(self, layer: Layer) -> list[Step]:
        formula, expression = per_batch("N·M", self.mac_term(layer), layer.batch)
        return [Step("MACs", formula, expression, layer.values["macs"], "MACs")]

    def mac_term(self, layer: Layer) -> str:
        return dot(layer.inputs[0][0], layer.options.units)


@register
class Flatten(Op):
    key = "flatten"
    prefix = "flatten"
    description = "reshape CxHxW to a vector (a view: no memory of its own unless --count-views)"

    def holds_memory(self, conventions: Conventions, inputs: list[Shape], out: Shape) -> bool:
        """A view of its input in PyTorch and NumPy; the Michigan tables list its copy (--count-views)."""
        return conventions.count_views

    def memory_note(self, conventions: Conventions) -> str | None:
        return "a view of its input: no memory of its own (--count-views counts its copy)"

    def output_shape(self, o: object, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        return (numel(inputs[0]),)

    def size_steps(self, layer: Layer) -> list[Step]:
        """Every value of the input, in one vector: H·W·C."""
        shape = layer.inputs[0]
        if len(shape) != 3:
            return []
        c, h, w = shape
        return [Step("output length", "H·W·C", dot(h, w, c), layer.out[0])]
