"""Ops that change the spatial size without learning: zero padding, upsampling, and the
parameter-free shortcut of ResNet "option A" (subsample, then pad channels with zeros)."""

from __future__ import annotations

from typing import Literal

from cnncalc.ops.base import (
    IntPair,
    NonNegativeInt,
    Op,
    OpError,
    Options,
    PositiveInt,
    Shape,
    register,
    require_spatial,
)
from cnncalc.ops.spatial import pair, resolve_padding


class ZeroPadOptions(Options):
    padding: NonNegativeInt | tuple[NonNegativeInt, NonNegativeInt] | tuple[NonNegativeInt, NonNegativeInt, NonNegativeInt, NonNegativeInt]
    mode: Literal["zeros", "edge", "reflect"] = "zeros"


@register
class ZeroPad(Op):
    key = "zeropad"
    options = ZeroPadOptions
    primary = "padding"
    prefix = "pad"
    description = "pads the borders (zeros, or the edge value, or a reflection)"

    def _pads(self, o: ZeroPadOptions):
        return resolve_padding(o.padding, (1, 1), (1, 1), (1, 1), (1, 1))

    def output_shape(self, o: ZeroPadOptions, inputs: list[Shape]) -> Shape:
        c, h, w = require_spatial(inputs[0], "zeropad")
        before, after = self._pads(o)
        return (c, h + before[0] + after[0], w + before[1] + after[1])

    def receptive_field(self, o, inputs, rfs):
        before, _ = self._pads(o)
        return rfs[0].through_window((1, 1), (1, 1), (1, 1), before)


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

    def output_shape(self, o: UpsampleOptions, inputs: list[Shape]) -> Shape:
        c, h, w = require_spatial(inputs[0], "upsample")
        sh, sw = pair(o.scale)
        return (c, h * sh, w * sw)

    def receptive_field(self, o: UpsampleOptions, inputs, rfs):
        return rfs[0].upsampled(pair(o.scale), (1, 1) if o.mode == "bilinear" else (0, 0))


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

    def output_shape(self, o: ChannelPadOptions, inputs: list[Shape]) -> Shape:
        c, h, w = require_spatial(inputs[0], "channel_pad")
        if o.channels < c:
            raise OpError(f"cannot pad {c} channels down to {o.channels}")
        return (o.channels, -(-h // o.stride), -(-w // o.stride))

    def receptive_field(self, o: ChannelPadOptions, inputs, rfs):
        return rfs[0].through_window((1, 1), (o.stride, o.stride), (1, 1), (0, 0))
