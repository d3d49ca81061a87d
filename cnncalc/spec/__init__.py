"""The spec language: YAML in, a compiled `Graph` out. Commands load through `cnncalc.loading.load`;
the two functions here are its shorthands for tests and scripts that want the graph alone."""

from __future__ import annotations

from cnncalc.graph import Graph
from cnncalc.ops.base import Shape


def load_graph(ref: str, input_override: Shape | None = None) -> Graph:
    """The graph of a spec file or zoo model, at another (channels-first) input shape if given."""
    from cnncalc.loading import load

    return load(ref, input_override).graph


def load_graph_text(text: str, path: str = "<spec>", input_override: Shape | None = None) -> Graph:
    """The graph of spec text, located as the file `path` in messages."""
    from cnncalc.loading import load_text

    return load_text(text, path, input_override).graph
