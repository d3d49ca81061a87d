"""The compiled network: a DAG of named nodes in topological order, shapes resolved.

The spec language compiles to this; the analyzer, the renderers and the NumPy executor read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnncalc.errors import Location
from cnncalc.ops.base import Shape

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.ops.window import SlidingWindow


@dataclass(slots=True)
class Node:
    name: str                      # unique, scoped with '/': "inception_3a/branch2/conv2"
    op: str                        # a key of cnncalc.ops.REGISTRY
    options: Any                   # the op's validated pydantic options
    inputs: list[str]
    shape: Shape                   # output shape, channels-first, without the batch
    location: Location
    scope: tuple[str, ...] = ()    # enclosing modules and blocks, outermost first
    frozen: bool = False
    training_only: bool = False    # auxiliary heads: excluded from inference totals
    window: SlidingWindow | None = None  # its sliding-window geometry (conv, pools), computed once when compiled
    notes: tuple[str, ...] = ()    # warnings from compiling: a training-only head off this layer left out, and why

    @property
    def local_name(self) -> str:
        return self.name.rsplit("/", 1)[-1]


@dataclass
class Graph:
    name: str
    path: str
    input_shape: Shape
    nodes: list[Node]
    outputs: list[str]
    source: str | None = None
    scope_kinds: dict[str, str] = field(default_factory=dict)  # scope path -> module or block kind

    def __post_init__(self) -> None:
        self._by_name = {node.name: node for node in self.nodes}

    def node(self, name: str) -> Node:
        return self._by_name[name]
