"""Load a YAML spec safely, remembering the line and column of every mapping, list and key.

Specs are untrusted (homework, pull requests): only YAML's safe types are built, the file size,
the nesting depth and the size after alias expansion are bounded, and duplicate keys are errors.

Numbers are read as people write them (docs/spec.md, "Numbers"), not as YAML 1.1 would: `0156` is
156, not octal 110; `1:30` is text, not 90; and in a flow mapping `{params: 61,706}` the value is the
text `61,706`, as it is in block style, not `61` and a key `706`.
"""

from __future__ import annotations

import re
from collections import deque
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


_INT_TAG, _STR_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:str"
# Whole numbers: decimal (leading zeros and all), or with an explicit 0x / 0o / 0b prefix; `_` may group digits.
_INT = re.compile(r"[-+]?(?:[0-9][0-9_]*|0x[0-9a-fA-F][0-9a-fA-F_]*|0o[0-7][0-7_]*|0b[01][01_]*)$")
_BASES = {"0x": 16, "0o": 8, "0b": 2}
_FIRST_GROUP = re.compile(r"[0-9]{1,3}")  # 61 in 61,706: a mapping value that may continue
_GROUP = re.compile(r"[0-9]{3}")  # 706 in 61,706: what YAML took for a key
_GAP = re.compile(r"\s*(?:#[^\n]*\n\s*)*")  # between such a key and the ',' or '}' after it


class _Loader(yaml.SafeLoader):
    """SafeLoader, but whole numbers resolve by `_INT` and are built by `_construct_int`."""


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """0156 -> 156 (decimal: YAML 1.1 would read octal 110); 0x1F -> 31, 0o17 -> 15, 0b101 -> 5."""
    text = node.value.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    prefix = digits[:2]
    try:
        return sign * (int(digits[2:], _BASES[prefix]) if prefix in _BASES else int(digits))
    except ValueError:  # Python refuses to convert more than sys.get_int_max_str_digits() digits
        problem = f"a whole number of {len(digits):,} digits is too long; write it shorter (2.5M)"
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _INT_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_INT_TAG, _INT, list("-+0123456789"))
_Loader.add_constructor(_INT_TAG, _construct_int)


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
    def __init__(self, path: str, loader: yaml.SafeLoader, text: str):
        self.path = path
        self.loader = loader
        self.text = text

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
            for key_node, value_node in self._join_thousands(node):
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

    def _join_thousands(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """A flow mapping's pairs, with `{params: 61,706}` read as the value '61,706' (as block style
        reads it) where YAML sees `61` and a key `706` with no value: a value of 1 to 3 digits, then
        keys of exactly 3 digits, each right after a comma (no space) and with no ':' of its own.
        Sequences are not touched: `[224,224,3]` stays a list."""
        if not node.flow_style:
            return list(node.value)
        pairs = deque(node.value)  # popped from the left: linear in the size of the mapping
        joined: list[tuple[yaml.Node, yaml.Node]] = []
        while pairs:
            key_node, value_node = pairs.popleft()
            if self._plain(value_node, _FIRST_GROUP):
                text, end = value_node.value, value_node.end_mark.index
                while pairs and self._continues(end, *pairs[0]):
                    group = pairs.popleft()[0]
                    text, end = f"{text},{group.value}", group.end_mark.index
                if text != value_node.value:
                    value_node = yaml.ScalarNode(_STR_TAG, text, value_node.start_mark, value_node.end_mark)
            joined.append((key_node, value_node))
        return joined

    def _plain(self, node: yaml.Node, pattern: re.Pattern[str]) -> bool:
        """A plain scalar whose source text is exactly `pattern` (no anchor, tag or quotes)."""
        return (isinstance(node, yaml.ScalarNode) and node.style is None and pattern.fullmatch(node.value) is not None
                and self.text[node.start_mark.index:node.end_mark.index] == node.value)

    def _continues(self, end: int, key_node: yaml.Node, value_node: yaml.Node) -> bool:
        """Is this pair the next thousands group of a number that ends at `end`?"""
        return (self.text[end:end + 1] == "," and key_node.start_mark.index == end + 1
                and self._plain(key_node, _GROUP) and isinstance(value_node, yaml.ScalarNode)
                and value_node.value == "" and value_node.start_mark.index == value_node.end_mark.index
                and _GAP.fullmatch(self.text[key_node.end_mark.index:value_node.start_mark.index]) is not None
                and self.text[value_node.start_mark.index:value_node.start_mark.index + 1] in (",", "}"))


def load_yaml_text(text: str, path: str) -> Any:
    """Parse `text` (the contents of `path`) into LocDict / LocList / scalars."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise SpecError(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB", Location(path))
    try:
        loader = _Loader(text)  # reads the whole text at once: a NUL or other control character fails here
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise SpecError(f"the character U+{exc.character:04X} is not allowed in YAML: remove it, or write it "
                        "as an escape in double quotes", Location(path, line, column)) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise SpecError("the file is empty: a spec needs at least 'input' and 'layers'", Location(path, 1, 1))
        if _expanded_size(root) > MAX_YAML_NODES:
            raise SpecError(
                f"YAML aliases expand to more than {MAX_YAML_NODES:,} nodes (an alias bomb?)", _loc(path, root)
            )
        return _Builder(path, loader, text).build(root)
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
