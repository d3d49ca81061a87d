"""Convolutions: conv (incl. grouped and depthwise) and transposed conv.

conv:  out = floor((W + 2P - D(K-1) - 1)/S) + 1 ; params = Cout·(Cin/g)·Kh·Kw + Cout ;
       MACs = Hout·Wout·Cout·(Cin/g)·Kh·Kw (no bias: torchvision's "GFLOPS" convention).
conv_transpose: out = (W-1)S - 2P + D(K-1) + output_padding + 1 ; params = Cin·(Cout/g)·Kh·Kw + Cout ;
       MACs = Hin·Win·Cin·(Cout/g)·Kh·Kw (every input pixel is scattered through the kernel).
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Strict

from cnncalc.formulas import Step, dot, num, per_batch
from cnncalc.ops.base import (
    ActivationName,
    IntPair,
    Layer,
    NonNegativeInt,
    Op,
    OpError,
    Options,
    Padding,
    ParamCount,
    PositiveInt,
    Shape,
    numel,
    register,
    require_spatial,
)
from cnncalc.ops.spatial import ReceptiveField, pair
from cnncalc.ops.window import SlidingWindow
from cnncalc.units import dims_text

__all__ = ["Conv", "ConvTranspose", "SlidingWindow"]


_Value = Annotated[float, Strict()]
# A [kh][kw] matrix (one filter over one channel) or [filters][in/groups][kh][kw] values.
KernelValues = tuple[tuple[_Value, ...], ...] | tuple[tuple[tuple[tuple[_Value, ...], ...], ...], ...]


def kernel_values_shape(values) -> tuple[int, ...]:
    """The nested lists' dimensions; OpError when they are ragged."""
    dims, level = [], [values]
    while level and isinstance(level[0], tuple):
        lengths = {len(item) for item in level}
        if len(lengths) != 1:
            raise OpError("weights: every row must have the same length")
        dims.append(lengths.pop())
        level = [sub for item in level for sub in item]
    return tuple(dims)


class ConvOptions(Options):
    filters: PositiveInt
    kernel: IntPair
    stride: IntPair = 1
    padding: Padding = 0
    dilation: IntPair = 1
    groups: PositiveInt = 1
    bias: bool = True
    activation: ActivationName | None = None
    weights: KernelValues | None = None  # fixed kernel values for worked examples (`cnncalc run`)


@register
class Conv(Op):
    key = "conv"
    options = ConvOptions
    primary = "filters"
    prefix = "conv"
    description = "2-D convolution (grouped when groups > 1, depthwise when groups = channels)"
    bottleneck = True

    def window(self, o: ConvOptions, inputs: list[Shape]) -> SlidingWindow:
        _, h, w = require_spatial(inputs[0], "conv")
        return SlidingWindow((h, w), o.kernel, o.stride, o.dilation, o.padding)

    def output_shape(self, o: ConvOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        cin = require_spatial(inputs[0], "conv")[0]
        for what, channels in (("input channels", cin), ("filters", o.filters)):
            if channels % o.groups:
                raise OpError(f"{what} {channels} are not divisible by groups={o.groups}")
        if o.weights is not None:
            expected = (o.filters, cin // o.groups, *pair(o.kernel))
            given = kernel_values_shape(o.weights)
            if given not in (expected, expected[2:] if expected[:2] == (1, 1) else None):
                raise OpError(f"weights: {dims_text(given)} values do not fit {dims_text(expected)} "
                              "(filters x in/groups x kh x kw, or kh x kw for one filter on one channel)")
        return (o.filters, *(window or self.window(o, inputs)).out_hw())

    def params(self, o: ConvOptions, inputs: list[Shape], out: Shape) -> ParamCount:
        kh, kw = pair(o.kernel)
        return ParamCount(weights=o.filters * (inputs[0][0] // o.groups) * kh * kw, biases=o.filters if o.bias else 0)

    def macs(self, o: ConvOptions, inputs: list[Shape], out: Shape) -> int:
        kh, kw = pair(o.kernel)
        return numel(out) * (inputs[0][0] // o.groups) * kh * kw

    def other_ops(self, o: ConvOptions, inputs: list[Shape], out: Shape) -> int:
        return numel(out) if o.activation else 0

    def receptive_field(self, o: ConvOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        return (window or self.window(o, inputs)).receptive_field(rfs[0])

    def warnings(self, o: ConvOptions, inputs: list[Shape], out: Shape,
                 window: SlidingWindow | None = None) -> list[str]:
        return (window or self.window(o, inputs)).untiled_warning()

    def geometry(self, o: ConvOptions, window: SlidingWindow | None = None) -> str:
        """The window's words, then the groups: `k3 s1 p1 g32` (depthwise when g = the channels)."""
        return " ".join(filter(None, (super().geometry(o, window), f"g{o.groups}" if o.groups > 1 else "")))

    # -- written out (the size is the window's: `Op.size_steps`) ----------------------------

    @staticmethod
    def _kernel(o: ConvOptions, channels: int) -> tuple[str, str]:
        """K·K·C (or Kh·Kw·C/g) in symbols and numbers: the weights of one filter."""
        kh, kw = pair(o.kernel)
        symbols = ("K·K" if kh == kw else "Kh·Kw") + ("·C" if o.groups == 1 else "·C/g")
        return symbols, dot(kh, kw, channels) + (f"/{o.groups}" if o.groups > 1 else "")

    def param_steps(self, layer: Layer) -> list[Step]:
        """(K·K·C + 1)·F, or K·K·C·F without biases."""
        o = layer.options
        body_sym, body_num = self._kernel(o, layer.inputs[0][0])
        if o.bias and layer.conventions.bias:
            formula, expression = f"({body_sym} + 1)·F", f"({body_num} + 1)·{o.filters}"
        else:
            formula, expression = f"{body_sym}·F", f"{body_num}·{o.filters}"
        return [Step("params", formula, expression, layer.values["params"], "params")]

    def mac_steps(self, layer: Layer) -> list[Step]:
        """One K·K·C dot product per output value: Ho·Wo·F outputs × K·K·C."""
        _, ho, wo = layer.out
        kernel_sym, kernel_num = self._kernel(layer.options, layer.inputs[0][0])
        formula, expression = per_batch(f"Ho·Wo·F outputs × {kernel_sym}",
                                        f"{dot(ho, wo, layer.options.filters)} × {kernel_num}", layer.batch)
        return [Step("MACs", formula, expression, layer.values["macs"], "MACs")]

    def mac_term(self, layer: Layer) -> str:
        """'28·28·16·192' for a 1x1 conv, '28·28·32·5·5·16' for a 5x5: the slides' product."""
        o = layer.options
        kh, kw = pair(o.kernel)
        kernel = () if (kh, kw) == (1, 1) else (kh, kw)
        return dot(layer.out[1], layer.out[2], o.filters, *kernel, num(layer.inputs[0][0] // o.groups))

    def unreduced_step(self, reduce: Layer, main: Layer, label: str) -> Step | None:
        """A 1x1 `reduce` then a larger `main`: what `main` would cost on the unreduced input."""
        o = main.options
        kh, kw = pair(o.kernel)
        if pair(reduce.options.kernel) != (1, 1) or (kh, kw) == (1, 1) or o.groups != 1:
            return None
        wide = reduce.inputs[0]
        try:
            if self.output_shape(o, [wide]) != main.out:
                return None
        except ValueError:
            return None
        naive = self.macs(o, [wide], main.out) * main.batch
        expression = dot(main.out[1], main.out[2], o.filters, kh, kw, wide[0])
        if main.batch > 1:
            expression = f"({expression})·{main.batch}"
        return Step(f"{label} without its 1x1 reduction", "Ho·Wo·F·K·K·C_in", expression, naive, "MACs")

    def channels_reason(self, out: Shape) -> str | None:
        return f"{out[0]} filters"


class ConvTransposeOptions(Options):
    filters: PositiveInt
    kernel: IntPair
    stride: IntPair = 1
    padding: NonNegativeInt | tuple[NonNegativeInt, NonNegativeInt] = 0
    output_padding: NonNegativeInt | tuple[NonNegativeInt, NonNegativeInt] = 0
    dilation: IntPair = 1
    groups: PositiveInt = 1
    bias: bool = True
    activation: ActivationName | None = None


@register
class ConvTranspose(Op):
    key = "conv_transpose"
    options = ConvTransposeOptions
    primary = "filters"
    prefix = "deconv"
    description = "transposed convolution (learned upsampling)"

    def output_shape(self, o: ConvTransposeOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        cin, h, w = require_spatial(inputs[0], "conv_transpose")
        if cin % o.groups or o.filters % o.groups:
            raise OpError(f"channels {cin} -> {o.filters} are not divisible by groups={o.groups}")
        k, s, p, op, d = pair(o.kernel), pair(o.stride), pair(o.padding), pair(o.output_padding), pair(o.dilation)
        sizes = [(size - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + op[a] + 1 for a, size in enumerate((h, w))]
        if min(sizes) <= 0:
            raise OpError(f"padding {dims_text(p)} leaves no output (size {dims_text(tuple(sizes))})")
        if any(op[a] >= max(s[a], d[a]) for a in (0, 1)):
            raise OpError("output_padding must be smaller than the stride or the dilation")
        return (o.filters, sizes[0], sizes[1])

    def geometry(self, o: ConvTransposeOptions, window: SlidingWindow | None = None) -> str:
        """`k4 s2 p1`, then dilation, groups and output padding when set (it slides no window of its own)."""
        from cnncalc.units import pair_text

        words = (("k", o.kernel, None), ("s", o.stride, None), ("p", o.padding, 0), ("d", o.dilation, 1),
                 ("g", o.groups, 1), ("output_padding=", o.output_padding, 0))
        return " ".join(f"{word}{pair_text(pair(value))}" for word, value, default in words
                        if default is None or pair(value) != pair(default))

    def params(self, o: ConvTransposeOptions, inputs: list[Shape], out: Shape) -> ParamCount:
        kh, kw = pair(o.kernel)
        return ParamCount(weights=inputs[0][0] * (o.filters // o.groups) * kh * kw, biases=o.filters if o.bias else 0)

    def macs(self, o: ConvTransposeOptions, inputs: list[Shape], out: Shape) -> int:
        kh, kw = pair(o.kernel)
        return numel(inputs[0]) * (o.filters // o.groups) * kh * kw

    def other_ops(self, o: ConvTransposeOptions, inputs: list[Shape], out: Shape) -> int:
        return numel(out) if o.activation else 0

    def receptive_field(self, o: ConvTransposeOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        """Each output sees ceil(K·D/S) inputs: the jump divides by S, the field grows accordingly."""
        k, s, d = pair(o.kernel), pair(o.stride), pair(o.dilation)
        extra = (math.ceil(k[0] * d[0] / s[0]) - 1, math.ceil(k[1] * d[1] / s[1]) - 1)
        return rfs[0].upsampled(s, extra)

    # -- written out ----------------------------------------------------------------------------

    def size_steps(self, layer: Layer) -> list[Step]:
        """(W − 1)·S − 2P + D·(K − 1) + output_padding + 1, per axis (PyTorch's ConvTranspose2d)."""
        o = layer.options
        k, s, p, op, d = pair(o.kernel), pair(o.stride), pair(o.padding), pair(o.output_padding), pair(o.dilation)
        in_hw = layer.inputs[0][1:]
        square = all(v[0] == v[1] for v in (in_hw, k, s, p, op, d))
        labels = ("output size",) if square else ("output height", "output width")
        steps = []
        for a, label in enumerate(labels):
            size = "W" if square or a == 1 else "H"
            formula = f"({size} − 1)·S − 2P + D·(K − 1) + output_padding + 1"
            expression = f"({in_hw[a]} − 1)·{s[a]} − 2·{p[a]} + {d[a]}·({k[a]} − 1) + {op[a]} + 1"
            steps.append(Step(label, formula, expression, layer.out[1 + a]))
        return steps

    def param_steps(self, layer: Layer) -> list[Step]:
        """K·K·C·F (+ F biases): every input channel has a KxK kernel per output channel."""
        o = layer.options
        kh, kw = pair(o.kernel)
        body_sym = ("K·K" if kh == kw else "Kh·Kw") + "·C·F" + ("/g" if o.groups > 1 else "")
        body_num = dot(kh, kw, layer.inputs[0][0], o.filters) + (f"/{o.groups}" if o.groups > 1 else "")
        with_bias = o.bias and layer.conventions.bias
        formula = body_sym + (" + F" if with_bias else "")
        expression = body_num + (f" + {o.filters}" if with_bias else "")
        return [Step("params", formula, expression, layer.values["params"], "params")]

    def mac_steps(self, layer: Layer) -> list[Step]:
        """Every input value is scattered through a KxK kernel to each output channel: H·W·C × K·K·F."""
        o = layer.options
        kh, kw = pair(o.kernel)
        c, h, w = layer.inputs[0]
        per = dot(kh, kw, o.filters) + (f"/{o.groups}" if o.groups > 1 else "")
        formula, expression = per_batch("H·W·C inputs × K·K·F" + ("/g" if o.groups > 1 else ""),
                                        f"{dot(h, w, c)} × {per}", layer.batch)
        return [Step("MACs", formula, expression, layer.values["macs"], "MACs")]

    def channels_reason(self, out: Shape) -> str | None:
        return f"{out[0]} filters"
