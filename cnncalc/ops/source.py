"""The network's input: a source with a fixed shape and nothing to compute."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.ops.base import Op, Shape, register

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.conventions import Conventions


@register
class Input(Op):
    key = "input"
    inputs = (0, 0)
    prefix = "input"
    description = "the network's input tensor"

    def holds_memory(self, conventions: Conventions, inputs: list[Shape], out: Shape) -> bool:
        return conventions.count_input

    def memory_note(self, conventions: Conventions) -> str | None:
        """It holds memory, but it is counted only with --count-input (the default)."""
        return "the input is not counted in activation memory (--no-count-input)"
