"""The spec language: YAML in, a compiled `Graph` out."""

from __future__ import annotations

from cnncalc.graph import Graph
from cnncalc.ops.base import Shape


def load_graph(ref: str, input_override: Shape | None = None) -> Graph:
    """Load a spec by path or zoo name and compile it (optionally at another input size)."""
    from cnncalc.spec.compile import compile_spec
    from cnncalc.spec.yaml_loader import load_yaml_file
    from cnncalc.zoo import resolve_spec

    path = resolve_spec(ref)
    return compile_spec(load_yaml_file(path), display_path(path), input_override)


def load_graph_text(text: str, path: str = "<spec>", input_override: Shape | None = None) -> Graph:
    from cnncalc.spec.compile import compile_spec
    from cnncalc.spec.yaml_loader import load_yaml_text

    return compile_spec(load_yaml_text(text, path), path, input_override)


def display_path(path: str) -> str:
    """Zoo files are shown as specs/<name>.yaml wherever the package is installed."""
    from pathlib import Path

    from cnncalc.zoo import zoo_dir

    resolved = Path(path).resolve()
    if resolved.parent == zoo_dir().resolve():
        return f"specs/{resolved.name}"
    return path
