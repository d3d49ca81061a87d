"""Pooling: max / avg / L2 windows (with ceil_mode), global and adaptive pooling.

No parameters and no MACs; `other_ops` counts one operation per window element per output
(output elements × Kh·Kw), the convention of the Michigan stem table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.formulas import Step, dot, per_batch
from cnncalc.ops.base import IntPair, Layer, Op, OpError, Options, Padding, Shape, numel, register, require_spatial
from cnncalc.ops.spatial import ReceptiveField, pair
from cnncalc.ops.window import SlidingWindow

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.conventions import Conventions


class PoolOptions(Options):
    kernel: IntPair
    stride: IntPair | None = None  # defaults to the kernel, as in PyTorch and Keras
    padding: Padding = 0
    ceil_mode: bool = False


class WindowPool(Op):
    options = PoolOptions
    primary = "kernel"
    prefix = "pool"

    def window(self, o: PoolOptions, inputs: list[Shape]) -> SlidingWindow:
        _, h, w = require_spatial(inputs[0], self.key)
        stride = o.stride if o.stride is not None else o.kernel
        return SlidingWindow((h, w), o.kernel, stride, 1, o.padding, o.ceil_mode)

    def output_shape(self, o: PoolOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        window = window or self.window(o, inputs)
        if any(2 * p > k for p, k in zip(window.pad_before, window.kernel, strict=False)):
            raise OpError(f"padding {window.pad_before[0]} is more than half the kernel {window.kernel[0]}")
        return (inputs[0][0], *window.out_hw())

    def other_ops(self, o: PoolOptions, inputs: list[Shape], out: Shape) -> int:
        kh, kw = pair(o.kernel)
        return numel(out) * kh * kw

    def receptive_field(self, o: PoolOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        return (window or self.window(o, inputs)).receptive_field(rfs[0])

    def warnings(self, o: PoolOptions, inputs: list[Shape], out: Shape,
                 window: SlidingWindow | None = None) -> list[str]:
        return (window or self.window(o, inputs)).untiled_warning()

    # -- written out (the size is the window's: `Op.size_steps`) ----------------------------

    def other_op_steps(self, layer: Layer) -> list[Step]:
        """Every output value reads its K·K window: Ho·Wo·C × K·K."""
        if not layer.values["other_ops"]:
            return []
        c, ho, wo = layer.out
        kh, kw = pair(layer.options.kernel)
        formula, expression = per_batch("Ho·Wo·C × K·K", f"{dot(ho, wo, c)} × {dot(kh, kw)}", layer.batch)
        return [Step("other ops (window reads)", formula, expression, layer.values["other_ops"], "ops")]

    def channels_reason(self, out: Shape) -> str | None:
        return f"pooling keeps the {out[0]} channels"


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

    def output_shape(self, o: object, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        return (require_spatial(inputs[0], self.key)[0], 1, 1)

    def other_ops(self, o: object, inputs: list[Shape], out: Shape) -> int:
        return numel(inputs[0])

    def receptive_field(self, o: object, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        _, h, w = inputs[0]
        return rfs[0].through_window((h, w), (h, w), (1, 1), (0, 0))

    def size_steps(self, layer: Layer) -> list[Step]:
        """One window as large as the input: W − K + 1 with K = W."""
        _, h, w = layer.inputs[0]
        if h == w:
            return [Step("output size", "W − K + 1 (K = W)", f"{w} − {w} + 1", layer.out[1])]
        return [Step("output height", "H − K + 1 (K = H)", f"{h} − {h} + 1", layer.out[1]),
                Step("output width", "W − K + 1 (K = W)", f"{w} − {w} + 1", layer.out[2])]


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

    def output_shape(self, o: AdaptiveOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        c, _, _ = require_spatial(inputs[0], self.key)
        return (c, *pair(o.size))

    def other_ops(self, o: AdaptiveOptions, inputs: list[Shape], out: Shape) -> int:
        return numel(inputs[0]) if inputs[0] != out else 0

    def geometry(self, o: AdaptiveOptions, window: SlidingWindow | None = None) -> str:
        """The size it pools to, whatever the input's: `to 7x7`."""
        height, width = pair(o.size)
        return f"to {height}x{width}"

    def holds_memory(self, conventions: Conventions, inputs: list[Shape], out: Shape) -> bool:
        """Pooling to the size the input already has (torchvision VGG's 7x7 pool at 224) is the identity:
        counted as a view, so the paper's tables keep their totals; --count-views counts PyTorch's copy."""
        return inputs[0] != out or conventions.count_views

    def memory_note(self, conventions: Conventions) -> str | None:
        return "the identity at this size (output = input): counted as a view, no memory of its own " \
               "(--count-views counts its copy)"

    def size_steps(self, layer: Layer) -> list[Step]:
        """The size asked for, whatever the input's."""
        if layer.out[1:] == layer.inputs[0][1:]:
            return []
        oh, ow = layer.out[1:]
        if oh == ow:
            return [Step("output size", "the size asked for", "", oh)]
        return [Step("output height", "the height asked for", "", oh),
                Step("output width", "the width asked for", "", ow)]

    def receptive_field(self, o: AdaptiveOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        """Exact when the input divides evenly (then it is a plain KxK/K pool); otherwise the widest window."""
        _, h, w = inputs[0]
        oh, ow = pair(o.size)
        stride = (max(h // oh, 1), max(w // ow, 1))
        kernel = (-(-h // oh) + (1 if h % oh else 0), -(-w // ow) + (1 if w % ow else 0))
        return rfs[0].through_window(kernel, stride, (1, 1), (0, 0))
