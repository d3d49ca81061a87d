"""The one-line chain syntax of `cnncalc calc`, compiled to the same spec data as a YAML file.

    cnncalc calc 227x227x3 "conv 96 k11 s4" "maxpool k3 s2"

The first word is the input (HxWxC in the default hwc layout, CxHxW with --layout chw, HxW for one
channel, or N for a flat vector; read by `cnncalc.sizes`, as --input is, so 32×32×3 works too); every
further argument is a layer (or several, separated by
commas): an op name, optionally its main value (conv filters, dense units, pool kernel, dropout
rate ...), then option words:

    k3 / k3x5   kernel            s2     stride          p1 / p0x1   padding (same, valid too)
    d2          dilation          g2     groups          relu, sigmoid ... the layer's activation
    nobias      bias: false       ceil   ceil_mode       frozen      not trained
    x3          repeat the layer 3 times                 key=value   any other option, or name=conv1

`parse_chain` gives the plain spec dict (what `yaml.safe_load` would give for the same network),
`chain_graph` compiles it with every layer located at `calc:ARGUMENT:COLUMN` for error messages.
"""

from __future__ import annotations

import re
from typing import Any

from cnncalc.errors import Location, SpecError
from cnncalc.graph import Graph
from cnncalc.limits import MAX_INPUT_SIZE, MAX_REPEAT
from cnncalc.ops import ALIASES, REGISTRY
from cnncalc.ops.base import ACTIVATIONS
from cnncalc.sizes import AXES, SizeError, misordered, parse_size
from cnncalc.spec.yaml_loader import LocDict, LocList
from cnncalc.suggest import did_you_mean

PATH = "calc"
SHORT = {"k": "kernel", "s": "stride", "p": "padding", "d": "dilation", "g": "groups"}
FLAGS = {"nobias": ("bias", False), "ceil": ("ceil_mode", True), "same": ("padding", "same"),
         "valid": ("padding", "valid")}

_NUMBERS = re.compile(r"\d+(?:x\d+)*")
_SHORT = re.compile(r"([kspdg])(\d+(?:x\d+)*)")
_REPEAT = re.compile(r"x(\d+)")


class _Layer:
    """One parsed layer: its spec entry and where each key was written."""

    def __init__(self, where: Location):
        self.where = where
        self.op = ""
        self.options: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}   # name, frozen
        self.places: dict[str, Location] = {}
        self.repeat = 1

    def entry(self) -> Any:
        """{conv: 96, kernel: 11} when the main value is given, {maxpool: {kernel: 3}} or 'flatten' otherwise."""
        primary = REGISTRY[self.op].primary
        if primary in self.options:
            entry: Any = {self.op: self.options[primary], **{k: v for k, v in self.options.items() if k != primary}}
        elif self.options:
            entry = {self.op: dict(self.options)}
        else:
            entry = {self.op: None} if self.extra else self.op
        if self.extra:
            entry.update(self.extra)
        return {"repeat": self.repeat, "layers": [entry]} if self.repeat > 1 else entry


def _value(text: str) -> Any:
    """'3' -> 3, '0.5' -> 0.5, '3x5' -> [3, 5], 'true' -> True; anything else stays a word."""
    if _NUMBERS.fullmatch(text):
        numbers = [int(part) for part in text.split("x")]
        return numbers[0] if len(numbers) == 1 else numbers
    if re.fullmatch(r"\d*\.\d+|\d+\.\d*", text):
        return float(text)
    lowered = text.lower()
    if lowered in ("true", "yes", "false", "no"):
        return lowered in ("true", "yes")
    return text


def _input_shape(text: str, layout: str, where: Location) -> list[int]:
    """The first word: HxWxC (or CxHxW), HxW for one channel, N for a flat vector; x, X, × or , between."""
    try:
        return list(parse_size(text, layout))
    except SizeError as exc:
        if exc.problem == "unreadable":
            raise SpecError(f"the first word must be the input size, e.g. 227x227x3 (HxWxC), 28x28 or 4096, "
                            f"not '{text}'", where) from None
        if exc.problem == "order":
            raise SpecError(f"input '{text}' {exc.detail}", where) from None
        raise SpecError(f"input '{text}': give 1 to 3 sizes between 1 and {MAX_INPUT_SIZE:,}", where) from None


def _layer(words: list[tuple[str, int]], argument: int) -> _Layer:
    """Read 'OP [VALUE] [OPTION...]' (words with their 1-based columns)."""
    (op_word, column), rest = words[0], words[1:]
    layer = _Layer(Location(PATH, argument, column))
    op = ALIASES.get(op_word.lower(), op_word.lower())
    if op not in REGISTRY or op == "input":
        choices = [k for k in REGISTRY if k != "input"] + list(ALIASES)
        raise SpecError(f"unknown op '{op_word}'{did_you_mean(op_word, choices)}", layer.where)
    layer.op = op
    fields = REGISTRY[op].options.model_fields
    for word, col in rest:
        where = Location(PATH, argument, col)
        key, value = _option(word, op, fields, where)
        if key == "repeat":
            if not 1 <= value <= MAX_REPEAT:
                raise SpecError(f"repeat count must be 1 to {MAX_REPEAT}, got {value}", where)
            layer.repeat = value
            continue
        target = layer.extra if key in ("name", "frozen") else layer.options
        if key in target:
            raise SpecError(f"'{key}' is given twice in '{op_word} ...'", where)
        target[key], layer.places[key] = value, where
    return layer


def _option(word: str, op: str, fields: dict, where: Location) -> tuple[str, Any]:
    """One option word -> (spec key, value)."""
    lowered = word.lower()
    if "=" in word:
        key, _, text = word.partition("=")
        return key, _value(text)
    if lowered == "frozen":
        return "frozen", True
    if lowered in FLAGS:
        return FLAGS[lowered]
    if lowered in ACTIVATIONS and "activation" in fields:
        return "activation", lowered
    match = _SHORT.fullmatch(lowered)
    if match and SHORT[match[1]] in fields:
        return SHORT[match[1]], _value(match[2])
    match = _REPEAT.fullmatch(lowered)
    if match:
        return "repeat", int(match[1])
    primary = REGISTRY[op].primary
    if primary is not None and (_NUMBERS.fullmatch(word) or re.fullmatch(r"\d*\.\d+", word)):
        return primary, _value(word)
    hint = "k3, s2, p1, same, relu, nobias, ceil, frozen, x3, name=NAME or key=value"
    if primary is None and _NUMBERS.fullmatch(word):
        raise SpecError(f"{op} takes no value: '{word}' (write options as {hint})", where)
    raise SpecError(f"{op}: cannot read '{word}' (options: {hint}; see cnncalc calc --help)", where)


def parse_chain(arguments: list[str], layout: str = "hwc") -> dict:
    """The plain spec dict of a chain: the same data `yaml.safe_load` gives for the YAML spec."""
    return _parse(arguments, layout)[0]


def chain_graph(arguments: list[str], layout: str = "hwc") -> Graph:
    """Compile a chain; errors point at calc:ARGUMENT:COLUMN (the input is argument 1)."""
    from cnncalc.spec.compile import compile_spec

    spec, layers = _parse(arguments, layout)
    where = Location(PATH, 1, 1)
    located = _located({k: v for k, v in spec.items() if k != "layers"}, where, {})
    items = [_located(entry, layer.where, layer.places) for entry, layer in zip(spec["layers"], layers, strict=True)]
    located["layers"] = _located_list(items, [layer.where for layer in layers], where)
    located.key_locations["layers"] = where
    return compile_spec(located, PATH)


def _parse(arguments: list[str], layout: str) -> tuple[dict, list[_Layer]]:
    if not arguments:
        raise SpecError("give the input size and at least one layer, e.g. 32x32x3 \"conv 10 k5 p2\"", Location(PATH))
    shape = _input_shape(arguments[0], layout, Location(PATH, 1, 1))
    layers: list[_Layer] = []
    for argument, text in enumerate(arguments[1:], start=2):
        words = [(m.group(), m.start() + 1) for m in re.finditer(r"[^\s,]+|,", text)]
        group: list[tuple[str, int]] = []
        for word, column in words + [(",", len(text) + 1)]:
            if word != ",":
                group.append((word, column))
            elif group:
                layers.append(_layer(group, argument))
                group = []
    if not layers:
        raise SpecError("no layers: add at least one, e.g. \"conv 10 k5 p2\"", Location(PATH, 1, 1))
    spec = {"name": "calc", "source": ", ".join(arguments), "input": _spec_input(shape),
            "layers": [layer.entry() for layer in layers]}
    return spec, layers


def _spec_input(shape: list[int]) -> Any:
    """The spec's `input:` for the typed shape: [C, H, W], or the mapping that says the order is meant
    when the list would look swapped (224x3x224 typed HxWxC is [224, 224, 3])."""
    if misordered(shape, "chw") is None:
        return shape
    return dict(zip(AXES, shape, strict=True))


def _located(value: Any, where: Location, places: dict[str, Location]) -> Any:
    """Wrap plain data in LocDict / LocList, every key placed where the user typed it."""
    if isinstance(value, dict):
        result = LocDict({k: _located(v, places.get(k, where), places) for k, v in value.items()})
        result.location, result.key_locations = where, {k: places.get(k, where) for k in value}
        return result
    if isinstance(value, list):
        return _located_list([_located(v, where, places) for v in value], [where] * len(value), where)
    return value


def _located_list(items: list, locations: list[Location], where: Location) -> LocList:
    result = LocList(items)
    result.location, result.item_locations = where, locations
    return result
