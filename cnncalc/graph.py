"""The compiled network: a DAG of named nodes in topological order, shapes resolved.

The spec language compiles to this; the analyzer, the renderers and the NumPy executor read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from cnncalc.errors import Location, UsageError
from cnncalc.ops.base import Shape
from cnncalc.suggest import did_you_mean

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


class Named(Protocol):
    """A layer as the network orders it: a graph's `Node` or an analysis row."""

    @property
    def name(self) -> str: ...

    @property
    def scope(self) -> tuple[str, ...]: ...


def find_layers(layers: Sequence[Named], name: str, option: str) -> list[str]:
    """The layers `name` stands for, in order: a full name, a module's path (all of its layers), or a
    short name no other layer has. The one reading of a layer name for every option that takes one
    (--freeze-until, explain --layer, --from / --to); anything else is a usage error naming `option`."""
    if any(layer.name == name for layer in layers):
        return [name]
    depth = name.count("/") + 1
    inside = [layer.name for layer in layers if "/".join(layer.scope[:depth]) == name]
    if inside:
        return inside
    short = [layer.name for layer in layers if layer.name.rsplit("/", 1)[-1] == name]
    if len(short) == 1:
        return short
    if short:
        shown = ", ".join(short[:4]) + (", ..." if len(short) > 4 else "")
        raise UsageError(f"{option}: {len(short)} layers are called '{name}' ({shown}); give the full name")
    known = dict.fromkeys(layer.name for layer in layers)
    known.update(dict.fromkeys("/".join(layer.scope[:level]) for layer in layers
                               for level in range(1, len(layer.scope) + 1)))
    raise UsageError(f"{option}: no layer or module '{name}'{did_you_mean(name, known)}")
