"""Ops that change the spatial size without learning: zero padding, upsampling, and the
parameter-free shortcut of ResNet "option A" (subsample, then pad channels with zeros)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from cnncalc.formulas import Step
from cnncalc.ops.base import (
    IntPair,
    Layer,
    NonNegativeInt,
    Op,
    OpError,
    Options,
    PositiveInt,
    Shape,
    register,
    require_spatial,
)
from cnncalc.ops.spatial import Pair, ReceptiveField, pair, resolve_padding
from cnncalc.ops.window import SlidingWindow


def _per_axis(layer: Layer, write: Callable[[int, str], tuple[str, str]]) -> list[Step]:
    """One "output size" step when both axes read the same, else "output height" and "output width";
    `write(axis, size_symbol)` gives the formula and the expression of one axis."""
    height, width = (write(a, "W") for a in (0, 1))
    if height == width and layer.out[1] == layer.out[2]:
        return [Step("output size", *height, layer.out[1])]
    height = write(0, "H")
    return [Step("output height", *height, layer.out[1]), Step("output width", *width, layer.out[2])]


class ZeroPadOptions(Options):
    padding: (NonNegativeInt | tuple[NonNegativeInt, NonNegativeInt]
              | tuple[NonNegativeInt, NonNegativeInt, NonNegativeInt, NonNegativeInt])
    mode: Literal["zeros", "edge", "reflect"] = "zeros"


@register
class ZeroPad(Op):
    key = "zeropad"
    options = ZeroPadOptions
    primary = "padding"
    prefix = "pad"
    description = "pads the borders (zeros, or the edge value, or a reflection)"

    def _pads(self, o: ZeroPadOptions) -> tuple[Pair, Pair]:
        return resolve_padding(o.padding, (1, 1), (1, 1), (1, 1), (1, 1))

    def output_shape(self, o: ZeroPadOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        c, h, w = require_spatial(inputs[0], "zeropad")
        before, after = self._pads(o)
        return (c, h + before[0] + after[0], w + before[1] + after[1])

    def receptive_field(self, o: ZeroPadOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        before, _ = self._pads(o)
        return rfs[0].through_window((1, 1), (1, 1), (1, 1), before)

    def size_steps(self, layer: Layer) -> list[Step]:
        """W + 2P, or W + P₁ + P₂ when the two sides differ."""
        before, after = self._pads(layer.options)
        in_hw = layer.inputs[0][1:]

        def write(a: int, size: str) -> tuple[str, str]:
            if before[a] == after[a]:
                return f"{size} + 2P", f"{in_hw[a]} + 2·{before[a]}"
            return f"{size} + P₁ + P₂", f"{in_hw[a]} + {before[a]} + {after[a]}"

        return _per_axis(layer, write)


class UpsampleOptions(Options):
    scale: IntPair = 2
    mode: Literal["nearest", "bilinear"] = "nearest"


@register
class Upsample(Op):
    key = "upsample"
    options = UpsampleOptions
    primary = "scale"
    prefix = "up"
    description = "upsampling by an integer factor"

    def output_shape(self, o: UpsampleOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        c, h, w = require_spatial(inputs[0], "upsample")
        sh, sw = pair(o.scale)
        return (c, h * sh, w * sw)

    def receptive_field(self, o: UpsampleOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        return rfs[0].upsampled(pair(o.scale), (1, 1) if o.mode == "bilinear" else (0, 0))

    def size_steps(self, layer: Layer) -> list[Step]:
        """W·scale."""
        scale, in_hw = pair(layer.options.scale), layer.inputs[0][1:]
        return _per_axis(layer, lambda a, size: (f"{size}·scale", f"{in_hw[a]}·{scale[a]}"))


class ChannelPadOptions(Options):
    channels: PositiveInt
    stride: PositiveInt = 1


@register
class ChannelPad(Op):
    key = "channel_pad"
    options = ChannelPadOptions
    primary = "channels"
    prefix = "shortcut"
    description = "subsample by the stride and zero-pad the channels (ResNet option-A shortcut)"

    def output_shape(self, o: ChannelPadOptions, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        c, h, w = require_spatial(inputs[0], "channel_pad")
        if o.channels < c:
            raise OpError(f"cannot pad {c} channels down to {o.channels}")
        return (o.channels, -(-h // o.stride), -(-w // o.stride))

    def receptive_field(self, o: ChannelPadOptions, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        return rfs[0].through_window((1, 1), (o.stride, o.stride), (1, 1), (0, 0))

    def size_steps(self, layer: Layer) -> list[Step]:
        """⌈W/S⌉ (every S-th pixel, from the first), then C + zero channels."""
        o, (c, *in_hw) = layer.options, layer.inputs[0]
        steps = [] if o.stride == 1 else _per_axis(layer, lambda a, size: (f"⌈{size}/S⌉", f"⌈{in_hw[a]}/{o.stride}⌉"))
        if o.channels != c:
            steps.append(Step("output channels", "C + zero channels", f"{c} + {o.channels - c}", o.channels))
        return steps
