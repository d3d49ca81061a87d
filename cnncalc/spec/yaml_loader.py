"""Load a YAML spec safely, remembering the line and column of every mapping, list and key.

Specs are untrusted (homework, pull requests): only YAML's safe types are built, the file size,
the nesting depth and the size after alias expansion are bounded, and duplicate keys are errors.
"""

from __future__ import annotations

from typing import Any

import yaml

from cnncalc.errors import Location, SpecError
from cnncalc.limits import MAX_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES


class LocDict(dict):
    """A mapping that knows where it and each of its keys stand in the source file."""

    location: Location
    key_locations: dict[str, Location]

    def where(self, key: str | None = None) -> Location:
        if key is not None and key in self.key_locations:
            return self.key_locations[key]
        return self.location


class LocList(list):
    """A sequence that knows where it and each of its items stand in the source file."""

    location: Location
    item_locations: list[Location]


def _loc(path: str, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _expanded_size(root: yaml.Node) -> int:
    """Count nodes as if every alias were copied, in time linear in the distinct nodes."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if children_done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
            if sizes[id(node)] > MAX_YAML_NODES:
                return sizes[id(node)]
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


class _Builder:
    def __init__(self, path: str, loader: yaml.SafeLoader):
        self.path = path
        self.loader = loader

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        if depth > MAX_YAML_DEPTH:
            raise SpecError(f"nesting deeper than {MAX_YAML_DEPTH} levels", _loc(self.path, node))
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.loader.construct_object(node, deep=True)
            except yaml.YAMLError as exc:
                problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else None
                raise SpecError(f"bad value: {problem or exc}", _loc(self.path, node)) from None
        if isinstance(node, yaml.SequenceNode):
            items = LocList(self.build(item, depth + 1) for item in node.value)
            items.location = _loc(self.path, node)
            items.item_locations = [_loc(self.path, item) for item in node.value]
            return items
        if isinstance(node, yaml.MappingNode):
            mapping = LocDict()
            mapping.location = _loc(self.path, node)
            mapping.key_locations = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, depth + 1)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    raise SpecError("mapping keys must be plain words", _loc(self.path, key_node))
                key = str(key)
                if key in mapping:
                    raise SpecError(f"duplicate key '{key}'", _loc(self.path, key_node))
                mapping[key] = self.build(value_node, depth + 1)
                mapping.key_locations[key] = _loc(self.path, key_node)
            return mapping
        raise SpecError("unsupported YAML node", _loc(self.path, node))  # pragma: no cover


def load_yaml_text(text: str, path: str) -> Any:
    """Parse `text` (the contents of `path`) into LocDict / LocList / scalars."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise SpecError(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB", Location(path))
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise SpecError("the file is empty: a spec needs at least 'input' and 'layers'", Location(path, 1, 1))
        if _expanded_size(root) > MAX_YAML_NODES:
            raise SpecError(
                f"YAML aliases expand to more than {MAX_YAML_NODES:,} nodes (an alias bomb?)", _loc(path, root)
            )
        return _Builder(path, loader).build(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise SpecError(f"invalid YAML: {exc.problem or exc.context}", where) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", Location(path)) from None
    except RecursionError:
        raise SpecError(f"nesting deeper than {MAX_YAML_DEPTH} levels", Location(path)) from None
    finally:
        loader.dispose()


def load_yaml_file(path: str) -> Any:
    """Read and parse a spec file; unreadable files are spec errors, not tracebacks."""
    return load_yaml_text(read_text_file(path), path)


def read_text_file(path: str) -> str:
    """A spec-sized UTF-8 text file's contents; a missing, huge or binary file is a SpecError."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SpecError("no such file", Location(path)) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", Location(path)) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", Location(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError("not a UTF-8 text file", Location(path)) from None
    return text
