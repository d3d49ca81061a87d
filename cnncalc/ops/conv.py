"""Convolutions: conv (incl. grouped and depthwise) and transposed conv.

conv:  out = floor((W + 2P - D(K-1) - 1)/S) + 1 ; params = Cout·(Cin/g)·Kh·Kw + Cout ;
       MACs = Hout·Wout·Cout·(Cin/g)·Kh·Kw (no bias: torchvision's "GFLOPS" convention).
conv_transpose: out = (W-1)S - 2P + D(K-1) + output_padding + 1 ; params = Cin·(Cout/g)·Kh·Kw + Cout ;
       MACs = Hin·Win·Cin·(Cout/g)·Kh·Kw (every input pixel is scattered through the kernel).
"""

from __future__ import annotations

import math
from typing import Annotated, Union

from pydantic import Strict

from cnncalc.ops.base import (
    ActivationName,
    IntPair,
    NonNegativeInt,
    Op,
    OpError,
    Options,
    Padding,
    ParamCount,
    PositiveInt,
    Shape,
    fmt_shape,
    numel,
    register,
    require_spatial,
)
from cnncalc.ops.spatial import ReceptiveField, dropped_pixels, output_size, pair, resolve_padding


class SlidingWindow:
    """The geometry of a kernel sliding over an input: shared by conv and pooling."""

    def __init__(self, in_hw, kernel, stride, dilation, padding, ceil_mode=False):
        self.in_hw = in_hw
        self.kernel, self.stride, self.dilation = pair(kernel), pair(stride), pair(dilation)
        self.pad_before, self.pad_after = resolve_padding(padding, in_hw, self.kernel, self.stride, self.dilation)
        self.ceil_mode = ceil_mode

    def out_hw(self) -> tuple[int, int]:
        sizes = []
        for axis in (0, 1):
            args = (self.in_hw[axis], self.kernel[axis], self.stride[axis], self.dilation[axis],
                    self.pad_before[axis], self.pad_after[axis])
            size = output_size(*args, ceil_mode=self.ceil_mode)
            if size <= 0:
                padded = self.in_hw[axis] + self.pad_before[axis] + self.pad_after[axis]
                extent = self.dilation[axis] * (self.kernel[axis] - 1) + 1
                raise OpError(
                    f"kernel {fmt_shape(self.kernel)} (extent {extent}) is larger than its padded input "
                    f"{padded} ({'height' if axis == 0 else 'width'} {self.in_hw[axis]} + padding "
                    f"{self.pad_before[axis] + self.pad_after[axis]})"
                )
            sizes.append(size)
        return sizes[0], sizes[1]

    def untiled_warning(self) -> list[str]:
        """Real pixels (not padding) at the bottom/right that no window reaches; kernels smaller
        than their stride skip pixels everywhere by design and are not flagged."""
        if self.ceil_mode:
            return []
        lost = []
        for a in (0, 1):
            dropped = dropped_pixels(self.in_hw[a], self.kernel[a], self.stride[a], self.dilation[a],
                                     self.pad_before[a], self.pad_after[a])
            covers = self.dilation[a] * (self.kernel[a] - 1) + 1 >= self.stride[a]
            lost.append(max(dropped - self.pad_after[a], 0) if covers else 0)
        if not any(lost):
            return []
        return [
            f"stride {fmt_shape(self.stride)} does not tile the input: the last {lost[0]} row(s) and "
            f"{lost[1]} column(s) of real pixels are never seen ((W + 2P - K) is not divisible by S)"
        ]

    def receptive_field(self, rf: ReceptiveField) -> ReceptiveField:
        return rf.through_window(self.kernel, self.stride, self.dilation, self.pad_before)


_Value = Annotated[float, Strict()]
# A [kh][kw] matrix (one filter over one channel) or [filters][in/groups][kh][kw] values.
KernelValues = Union[tuple[tuple[_Value, ...], ...], tuple[tuple[tuple[tuple[_Value, ...], ...], ...], ...]]


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

    def window(self, o: ConvOptions, shape: Shape) -> SlidingWindow:
        c, h, w = require_spatial(shape, "conv")
        return SlidingWindow((h, w), o.kernel, o.stride, o.dilation, o.padding)

    def output_shape(self, o: ConvOptions, inputs: list[Shape]) -> Shape:
        cin = require_spatial(inputs[0], "conv")[0]
        for what, channels in (("input channels", cin), ("filters", o.filters)):
            if channels % o.groups:
                raise OpError(f"{what} {channels} are not divisible by groups={o.groups}")
        if o.weights is not None:
            expected = (o.filters, cin // o.groups, *pair(o.kernel))
            given = kernel_values_shape(o.weights)
            if given not in (expected, expected[2:] if expected[:2] == (1, 1) else None):
                raise OpError(f"weights: {fmt_shape(given)} values do not fit {fmt_shape(expected)} "
                              "(filters x in/groups x kh x kw, or kh x kw for one filter on one channel)")
        return (o.filters, *self.window(o, inputs[0]).out_hw())

    def params(self, o: ConvOptions, inputs: list[Shape], out: Shape) -> ParamCount:
        kh, kw = pair(o.kernel)
        return ParamCount(weights=o.filters * (inputs[0][0] // o.groups) * kh * kw, biases=o.filters if o.bias else 0)

    def macs(self, o: ConvOptions, inputs: list[Shape], out: Shape) -> int:
        kh, kw = pair(o.kernel)
        return numel(out) * (inputs[0][0] // o.groups) * kh * kw

    def other_ops(self, o: ConvOptions, inputs: list[Shape], out: Shape) -> int:
        return numel(out) if o.activation else 0

    def receptive_field(self, o, inputs, rfs):
        return self.window(o, inputs[0]).receptive_field(rfs[0])

    def warnings(self, o, inputs, out):
        return self.window(o, inputs[0]).untiled_warning()


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

    def output_shape(self, o: ConvTransposeOptions, inputs: list[Shape]) -> Shape:
        cin, h, w = require_spatial(inputs[0], "conv_transpose")
        if cin % o.groups or o.filters % o.groups:
            raise OpError(f"channels {cin} -> {o.filters} are not divisible by groups={o.groups}")
        k, s, p, op, d = pair(o.kernel), pair(o.stride), pair(o.padding), pair(o.output_padding), pair(o.dilation)
        sizes = [(size - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + op[a] + 1 for a, size in enumerate((h, w))]
        if min(sizes) <= 0:
            raise OpError(f"padding {fmt_shape(p)} leaves no output (size {fmt_shape(tuple(sizes))})")
        if any(op[a] >= max(s[a], d[a]) for a in (0, 1)):
            raise OpError("output_padding must be smaller than the stride or the dilation")
        return (o.filters, sizes[0], sizes[1])

    def params(self, o: ConvTransposeOptions, inputs, out) -> ParamCount:
        kh, kw = pair(o.kernel)
        return ParamCount(weights=inputs[0][0] * (o.filters // o.groups) * kh * kw, biases=o.filters if o.bias else 0)

    def macs(self, o: ConvTransposeOptions, inputs, out) -> int:
        kh, kw = pair(o.kernel)
        return numel(inputs[0]) * (o.filters // o.groups) * kh * kw

    def other_ops(self, o, inputs, out) -> int:
        return numel(out) if o.activation else 0

    def receptive_field(self, o: ConvTransposeOptions, inputs, rfs):
        """Each output sees ceil(K·D/S) inputs: the jump divides by S, the field grows accordingly."""
        k, s, d = pair(o.kernel), pair(o.stride), pair(o.dilation)
        extra = tuple(math.ceil(k[a] * d[a] / s[a]) - 1 for a in (0, 1))
        return rfs[0].upsampled(s, extra)  # type: ignore[arg-type]
