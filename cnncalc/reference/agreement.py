"""Hold what the executor does against what the analyzer says, layer by layer."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnncalc.analysis import analyze
from cnncalc.conventions import Conventions
from cnncalc.graph import Node
from cnncalc.ops.base import Shape
from cnncalc.reference.executor import Executor, Pass
from cnncalc.units import dims_text


@dataclass
class LayerCheck:
    name: str
    op: str
    expected_shape: Shape          # the analyzer's, channels-first, without the batch
    actual_shape: tuple[int, ...]  # the executor's, with the batch
    expected_params: int
    actual_params: int
    expected_buffers: int
    actual_buffers: int
    seconds: float
    batch: int

    @property
    def problem(self) -> str | None:
        """What disagrees, in words; None when the layer checks out."""
        expected = (self.batch, *self.expected_shape)
        if tuple(self.actual_shape) != expected:
            return (f"the executor's output is {dims_text(self.actual_shape)} "
                    f"but the analyzer says {dims_text(expected)}")
        if self.actual_params != self.expected_params:
            return (f"the executor's weights hold {self.actual_params:,} values "
                    f"but the analyzer counts {self.expected_params:,} params")
        if self.actual_buffers != self.expected_buffers:
            return (f"the executor keeps {self.actual_buffers:,} running statistics "
                    f"but the analyzer counts {self.expected_buffers:,}")
        return None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Stop(Exception):
    """A layer disagreed: the pass stops there, before a wrong shape can snowball (a missed pool
    in front of a dense layer would ask for billions of weights)."""


def checked_forward(executor: Executor, x: np.ndarray,
                    on_layer: Callable[[Node], None] | None = None) -> tuple[list[LayerCheck], Pass | None]:
    """Run one pass, checking each layer as it finishes; stop at the first disagreement.

    Returns the checks made and the pass (None when it stopped early). The analyzer counts running
    statistics as params here (Keras' convention), so its row gives learnable params and buffers apart.
    """
    batch = len(x)
    rows = {row.name: row for row in analyze(executor.graph, Conventions(batch=batch, bn_stats="keras")).layers}
    checks: list[LayerCheck] = []

    def verify(node: Node, out, seconds: float) -> None:
        row, params = rows[node.name], executor.params[node.name]
        learnable = row.weights + row.biases
        checks.append(LayerCheck(
            name=node.name, op=node.op, expected_shape=row.output_shape, actual_shape=out.shape,
            expected_params=learnable, actual_params=params.count,
            expected_buffers=row.params - learnable, actual_buffers=params.buffer_count, seconds=seconds, batch=batch,
        ))
        if on_layer is not None:
            on_layer(node)
        if not checks[-1].ok:
            raise _Stop

    try:
        return checks, executor.forward(x, verify)
    except _Stop:
        return checks, None


def use_medians(checks: list[LayerCheck], passes: list[Pass]) -> None:
    """Replace each layer's time by its median over the timed passes."""
    for c in checks:
        c.seconds = statistics.median(p.seconds[c.name] for p in passes)
