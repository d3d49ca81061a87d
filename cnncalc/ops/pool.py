"""Pooling: max / avg / L2 windows (with ceil_mode), global and adaptive pooling.

No parameters and no MACs; `other_ops` counts one operation per window element per output
(output elements × Kh·Kw), the convention of the Michigan stem table.
"""

from __future__ import annotations

from cnncalc.ops.base import IntPair, Op, OpError, Options, Padding, Shape, numel, register, require_spatial
from cnncalc.ops.conv import SlidingWindow
from cnncalc.ops.spatial import pair


class PoolOptions(Options):
    kernel: IntPair
    stride: IntPair | None = None  # defaults to the kernel, as in PyTorch and Keras
    padding: Padding = 0
    ceil_mode: bool = False


class WindowPool(Op):
    options = PoolOptions
    primary = "kernel"
    prefix = "pool"

    def window(self, o: PoolOptions, shape: Shape) -> SlidingWindow:
        _, h, w = require_spatial(shape, self.key)
        stride = o.stride if o.stride is not None else o.kernel
        return SlidingWindow((h, w), o.kernel, stride, 1, o.padding, o.ceil_mode)

    def output_shape(self, o: PoolOptions, inputs: list[Shape]) -> Shape:
        window = self.window(o, inputs[0])
        if any(2 * p > k for p, k in zip(window.pad_before, window.kernel)):
            raise OpError(f"padding {window.pad_before[0]} is more than half the kernel {window.kernel[0]}")
        return (inputs[0][0], *window.out_hw())

    def other_ops(self, o: PoolOptions, inputs, out) -> int:
        kh, kw = pair(o.kernel)
        return numel(out) * kh * kw

    def receptive_field(self, o, inputs, rfs):
        return self.window(o, inputs[0]).receptive_field(rfs[0])

    def warnings(self, o, inputs, out):
        return self.window(o, inputs[0]).untiled_warning()


@register
class MaxPool(WindowPool):
    key = "maxpool"
    description = "max pooling"


@register
class AvgPool(WindowPool):
    key = "avgpool"
    description = "average pooling (padding counted in the average, as PyTorch's default)"


@register
class L2Pool(WindowPool):
    key = "l2pool"
    description = "L2 pooling: square root of the sum of squares in each window"


class GlobalPool(Op):
    prefix = "pool"

    def output_shape(self, o, inputs: list[Shape]) -> Shape:
        return (require_spatial(inputs[0], self.key)[0], 1, 1)

    def other_ops(self, o, inputs, out) -> int:
        return numel(inputs[0])

    def receptive_field(self, o, inputs, rfs):
        _, h, w = inputs[0]
        return rfs[0].through_window((h, w), (h, w), (1, 1), (0, 0))


@register
class GlobalAvgPool(GlobalPool):
    key = "global_avgpool"
    description = "global average pooling to Cx1x1"


@register
class GlobalMaxPool(GlobalPool):
    key = "global_maxpool"
    description = "global max pooling to Cx1x1"


class AdaptiveOptions(Options):
    size: IntPair


@register
class AdaptiveAvgPool(Op):
    key = "adaptive_avgpool"
    options = AdaptiveOptions
    primary = "size"
    prefix = "pool"
    description = "adaptive average pooling to a fixed HxW (PyTorch's AdaptiveAvgPool2d)"

    def output_shape(self, o: AdaptiveOptions, inputs: list[Shape]) -> Shape:
        c, _, _ = require_spatial(inputs[0], self.key)
        return (c, *pair(o.size))

    def other_ops(self, o, inputs, out) -> int:
        return numel(inputs[0]) if inputs[0] != out else 0

    def receptive_field(self, o: AdaptiveOptions, inputs, rfs):
        """Exact when the input divides evenly (then it is a plain KxK/K pool); otherwise the widest window."""
        _, h, w = inputs[0]
        oh, ow = pair(o.size)
        stride = (max(h // oh, 1), max(w // ow, 1))
        kernel = (-(-h // oh) + (1 if h % oh else 0), -(-w // ow) + (1 if w % ow else 0))
        return rfs[0].through_window(kernel, stride, (1, 1), (0, 0))
