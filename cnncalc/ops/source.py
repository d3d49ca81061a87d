"""The network's input: a source with a fixed shape and nothing to compute."""

from __future__ import annotations

from cnncalc.ops.base import Op, register


@register
class Input(Op):
    key = "input"
    inputs = (0, 0)
    prefix = "input"
    description = "the network's input tensor"
