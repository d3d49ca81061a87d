"""Compile a parsed spec (LocDict tree) into a `Graph`: expand repeats and modules, wire
residuals, branches and `from:` references, validate every op's options and resolve shapes.

Shapes are resolved while compiling so that a residual's shortcut can be chosen (identity when
shapes agree, a strided 1x1 projection otherwise) and so every error points at the line that
caused it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Any

from cnncalc.errors import Location, SpecError
from cnncalc.graph import Graph, Node
from cnncalc.limits import MAX_INPUT_SIZE, MAX_LAYERS, MAX_MODULE_DEPTH, MAX_REPEAT
from cnncalc.ops import ALIASES, REGISTRY, OpError
from cnncalc.ops.base import ACTIVATIONS, Shape
from cnncalc.ops.conv import ConvOptions
from cnncalc.ops.merge import MergeOptions
from cnncalc.ops.resize import ChannelPadOptions
from cnncalc.sizes import AXES, misordered
from cnncalc.spec.expr import ExpressionError, evaluate, is_expression
from cnncalc.spec.validate import validate
from cnncalc.spec.yaml_loader import LocDict, LocList
from cnncalc.suggest import did_you_mean
from cnncalc.units import shape_text

TOP_LEVEL_KEYS = (
    "name", "source", "description", "input", "defaults", "modules", "layers", "outputs", "budget", "expect",
    "questions",
)
STRUCTURAL = ("repeat", "residual", "branch", "block")  # plus `concat:` given a list of branches
COMMON_KEYS = ("name", "from", "frozen", "training_only")
SHORTCUTS = ("auto", "identity", "projection", "zero_pad")


@dataclass(frozen=True)
class Context:
    """Where a layer entry sits: its scope, the module arguments in force, and inherited flags."""

    scope: tuple[str, ...] = ()
    scope_input: str = "input"
    env: tuple[tuple[str, Any], ...] = ()
    frozen: bool = False
    training_only: bool = False
    name_suffix: str = ""
    module_depth: int = 0

    def child(self, name: str | None, scope_input: str, **changes) -> Context:
        scope = self.scope + (name,) if name else self.scope
        return replace(self, scope=scope, scope_input=scope_input, **changes)


def _location(data: Any, fallback: Location) -> Location:
    return getattr(data, "location", fallback)


def read_input(spec: Any) -> Shape:
    """A parsed spec's own input shape (channels first), read before compiling so that a partial
    `--input 227` can keep its channels. A list that looks written height, width, channels ([224, 224, 3])
    is refused; the mapping form ({channels: 224, height: 224, width: 3}) says the order is meant."""
    if not isinstance(spec, LocDict) or "input" not in spec:
        raise SpecError("missing 'input': the input shape as [channels, height, width], e.g. input: [3, 224, 224]",
                        _location(spec, Location("<spec>", 1, 1)))
    written = value = spec["input"]
    where = spec.where("input")
    explicit = isinstance(value, dict) and (set(value) == set(AXES) or set(value) == {"features"})
    if explicit:
        value = [value[key] for key in AXES if key in value] or [value["features"]]
    if (not isinstance(value, list) or len(value) not in (1, 3)
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise SpecError(f"'input' must be [channels, height, width] (or [features], or a mapping "
                        f"{{channels: C, height: H, width: W}}), got {written!r}", where)
    if any(v <= 0 or v > MAX_INPUT_SIZE for v in value):
        raise SpecError(f"'input' sizes must be between 1 and {MAX_INPUT_SIZE:,}, got {written!r}", where)
    meant = None if explicit else misordered(value, "chw")
    if meant is not None:
        c, h, w = value
        raise SpecError(
            f"'input' {value!r} reads as {c} channels of {h}x{w} pixels (input is [channels, height, width]); "
            f"did you mean {list(meant)!r}? (to mean it as read, write input: {{channels: {c}, height: {h}, "
            f"width: {w}}})", where)
    return tuple(value)


def _own_input(spec: LocDict) -> Shape | None:
    """The spec's own input shape, or None when it cannot be read (a network compiled at another size)."""
    try:
        return read_input(spec)
    except SpecError:
        return None


def _substitute(value: Any, env: dict[str, Any], where: Location) -> Any:
    """Replace `$arg` expressions by their values, keeping the source positions."""
    if not env:
        return value
    if is_expression(value):
        try:
            return evaluate(value, env)
        except ExpressionError as exc:
            raise SpecError(str(exc), where) from None
    if isinstance(value, LocDict):
        mapping = LocDict({k: _substitute(v, env, value.where(k)) for k, v in value.items()})
        mapping.location, mapping.key_locations = value.location, value.key_locations
        return mapping
    if isinstance(value, LocList):
        items = LocList(_substitute(v, env, loc) for v, loc in zip(value, value.item_locations, strict=True))
        items.location, items.item_locations = value.location, value.item_locations
        return items
    return value


class Compiler:
    def __init__(self, spec: Any, path: str, input_override: Shape | None = None):
        self.path = path
        if not isinstance(spec, LocDict):
            raise SpecError(
                f"a spec must be a mapping with 'input' and 'layers', not {type(spec).__name__}",
                _location(spec, Location(path, 1, 1)),
            )
        for key in spec:
            if key not in TOP_LEVEL_KEYS:
                raise SpecError(f"unknown top-level key '{key}'{did_you_mean(key, TOP_LEVEL_KEYS)}", spec.where(key))
        self.spec = spec
        self.nodes: list[Node] = []
        self.by_name: dict[str, Node] = {}
        self.counters: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        self.written: defaultdict[tuple[str, ...], set[str]] = defaultdict(set)  # names written, per scope
        self.scope_kinds: dict[str, str] = {}
        self.scope_outputs: dict[str, str] = {}  # a module or block's name stands for its last layer
        self.defaults = self._read_defaults()
        self.modules = self._read_modules()
        self.declared_names = set(self._collect_names(spec.get("layers")))
        self.declared_names |= set(self._collect_names(spec.get("modules")))
        self.input_shape = input_override or read_input(spec)
        self.resized = input_override is not None and input_override != _own_input(spec)

    # -- top level --------------------------------------------------------------------------

    def _read_defaults(self) -> dict[str, LocDict]:
        defaults = self.spec.get("defaults", LocDict())
        if not isinstance(defaults, LocDict):
            raise SpecError("'defaults' must map op names to options, e.g. defaults: {conv: {kernel: 3}}",
                            self.spec.where("defaults"))
        for op, options in defaults.items():
            if op not in REGISTRY and op not in ALIASES:
                raise SpecError(f"defaults: unknown op '{op}'{did_you_mean(op, [*REGISTRY, *ALIASES])}",
                                defaults.where(op))
            if not isinstance(options, LocDict):
                raise SpecError(f"defaults for '{op}' must be a mapping of options", defaults.where(op))
        by_op: dict[str, LocDict] = {}
        for word, options in defaults.items():
            op = ALIASES.get(word, word)
            if op in by_op:
                raise SpecError(f"defaults for '{op}' are given twice (as '{word}' too): merge them",
                                defaults.where(word))
            by_op[op] = options
        return by_op

    def _read_modules(self) -> dict[str, LocDict]:
        modules = self.spec.get("modules", LocDict())
        if not isinstance(modules, LocDict):
            raise SpecError("'modules' must map module names to definitions", self.spec.where("modules"))
        for name, body in modules.items():
            where = modules.where(name)
            if name in REGISTRY or name in ALIASES or name in STRUCTURAL or name in COMMON_KEYS:
                raise SpecError(f"module name '{name}' is already an op or keyword: choose another", where)
            if not isinstance(body, LocDict):
                raise SpecError(f"module '{name}' must be a mapping with 'args' and 'layers'", where)
            args = body.get("args", [])
            if not isinstance(args, list) or not all(
                isinstance(a, str) or (isinstance(a, dict) and len(a) == 1) for a in args
            ):
                raise SpecError(f"module '{name}': 'args' must be a list of names (or {{name: default}})",
                                body.where("args"))
            if len([k for k in body if k != "args"]) == 0:
                raise SpecError(f"module '{name}' has no body: give it 'layers' (or a residual/concat)", where)
        return modules

    def _collect_names(self, data: Any) -> list[str]:
        names: list[str] = []
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("name"), str):
                    names.append(item["name"])
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        return names

    def compile(self) -> Graph:
        where = self.spec.location
        self._add(Node("input", "input", REGISTRY["input"].options(), [], self.input_shape, where), Context())
        layers = self.spec.get("layers")
        if not isinstance(layers, LocList) or not layers:
            raise SpecError("'layers' must be a non-empty list of layers",
                            self.spec.where("layers") if "layers" in self.spec else where)
        last = self.sequence(layers, "input", Context())
        outputs = self._read_outputs(last)
        name = self.spec.get("name")
        source = self.spec.get("source")
        return Graph(
            name=str(name) if name is not None else self.path.rsplit("/", 1)[-1].removesuffix(".yaml"),
            path=self.path, input_shape=self.input_shape, nodes=self.nodes, outputs=outputs,
            source=str(source) if source is not None else None, scope_kinds=self.scope_kinds,
        )

    def _read_outputs(self, last: str) -> list[str]:
        if "outputs" not in self.spec:
            return [last]
        value = self.spec["outputs"]
        where = self.spec.where("outputs")
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names:
            raise SpecError("'outputs' must be a layer name or a list of them", where)
        return [self._resolve(n, Context(), where) for n in names]

    # -- sequences and entries ---------------------------------------------------------------

    def sequence(self, items: Any, current: str, ctx: Context) -> str:
        if not isinstance(items, LocList):
            raise SpecError("expected a list of layers", _location(items, Location(self.path)))
        self._note_written(items, ctx)
        for item, where in zip(items, items.item_locations, strict=True):
            current = self.entry(item, where, current, ctx)
        return current

    def entry(self, item: Any, where: Location, current: str, ctx: Context) -> str:
        env = dict(ctx.env)
        item = _substitute(item, env, where)
        if isinstance(item, str):
            item = LocDict({item: None})
            item.location, item.key_locations = where, {next(iter(item)): where}
        if not isinstance(item, LocDict) or not item:
            raise SpecError(f"a layer must be an op name or a mapping like {{conv: 64}}, got {item!r}", where)
        key = self._op_key(item)
        if key in ALIASES:  # `bn`, `fc` ...: the op's own key from here on
            key, item = ALIASES[key], _renamed(item, key, ALIASES[key])
        flags = {}
        for flag in ("frozen", "training_only"):
            if flag in item:
                if not isinstance(item[flag], bool):
                    raise SpecError(f"'{flag}' must be true or false", item.where(flag))
                flags[flag] = getattr(ctx, flag) or item[flag]
        name = item.get("name")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise SpecError(f"'name' must be a word without '/', got {name!r}", item.where("name"))
        inner = replace(ctx, **flags) if flags else ctx
        if inner.training_only and not ctx.training_only and self.resized:
            return self._unless_inapplicable(item, key, current, inner)
        return self._structure(item, key, current, inner)

    def _structure(self, item: LocDict, key: str, current: str, ctx: Context) -> str:
        """Compile one entry, whatever its kind; its output's name."""
        value = item[key]
        if key == "repeat":
            return self.repeat(item, current, ctx)
        if key == "residual":
            return self.residual(item, current, ctx)
        if key in ("branch", "block"):
            return self.block(item, key, current, ctx)
        if key == "concat" and isinstance(value, list) and value and all(isinstance(b, list) for b in value):
            return self.branches(item, current, ctx)
        if key in self.modules:
            return self.module_call(item, key, current, ctx)
        return self.op_layer(item, key, current, ctx)

    def _unless_inapplicable(self, item: LocDict, key: str, current: str, ctx: Context) -> str:
        """A training-only entry (an auxiliary head) at an input size other than the spec's own: if it
        cannot be built there, it is left out with a warning, everything it added is taken back, and the
        network goes on from `current` (torchvision's eval model runs Inception-v3 at 224 without it)."""
        kept = (len(self.nodes), {k: Counter(v) for k, v in self.counters.items()}, dict(self.scope_kinds),
                dict(self.scope_outputs), {k: set(v) for k, v in self.written.items()})
        try:
            return self._structure(item, key, current, ctx)
        except SpecError as exc:
            count, counters, scope_kinds, scope_outputs, written = kept
            for node in self.nodes[count:]:
                del self.by_name[node.name]
            del self.nodes[count:]
            self.counters = defaultdict(Counter, counters)
            self.scope_kinds, self.scope_outputs = scope_kinds, scope_outputs
            self.written = defaultdict(set, written)
            name = self._full((item.get("name") or key) + ctx.name_suffix, ctx)
            at = f"layer '{exc.layer}', " if exc.layer else ""
            line = f"line {exc.location.line}: " if exc.location and exc.location.line else ""
            self.by_name[current].notes += (
                f"the training-only '{name}' that starts here is not applicable at input "
                f"{shape_text(self.input_shape)} and is left out ({at}{line}{exc.message})",)
            return current

    def _note_written(self, items: LocList, ctx: Context) -> None:
        """Remember the names a list writes for its scope (an unnamed repeat's lists stay in it), before
        any of its layers is named automatically."""
        stack: list[Any] = list(items)
        while stack:
            item = stack.pop()
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                self.written[ctx.scope].add(item["name"])
            elif isinstance(item, dict) and "repeat" in item:
                stack.extend(entry for key in ("first", "layers") if isinstance(item.get(key), list)
                             for entry in item[key])

    def _op_key(self, item: LocDict) -> str:
        candidates = [k for k in item if k in REGISTRY or k in ALIASES or k in STRUCTURAL or k in self.modules]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise SpecError(f"one layer entry names two ops: {', '.join(candidates)} "
                            f"(split them into two list items)", item.location)
        first = next(k for k in item if k not in COMMON_KEYS) if any(k not in COMMON_KEYS for k in item) else "?"
        choices = list(REGISTRY) + list(ALIASES) + list(STRUCTURAL) + list(self.modules)
        raise SpecError(f"unknown op '{first}'{did_you_mean(first, choices)}", item.where(first))

    def _local_name(self, item: LocDict, prefix: str, ctx: Context) -> str:
        """A layer's or scope's name within its scope: as written (plus the repeat copy's suffix),
        else the prefix numbered by a counter per scope and prefix: conv1, conv2, residual1 ... A number
        whose name is written for the same scope, before or after, is skipped: written names win."""
        if item.get("name"):
            return item["name"] + ctx.name_suffix
        counter = self.counters[ctx.scope]
        counter[prefix] += 1
        while f"{prefix}{counter[prefix]}" in self.written[ctx.scope]:
            counter[prefix] += 1
        return f"{prefix}{counter[prefix]}"

    def _free(self, local: str, ctx: Context) -> str:
        """The full name of a layer cnncalc adds itself (a residual's `add` and `shortcut`, a concat's
        join), numbered from 2 when a written layer of the same scope already has the name."""
        name, number = self._full(local, ctx), 1
        while name in self.by_name:
            number += 1
            name = self._full(f"{local}{number}", ctx)
        return name

    def _full(self, local: str, ctx: Context) -> str:
        return "/".join(ctx.scope + (local,))

    def _add(self, node: Node, ctx: Context) -> str:
        if node.name in self.by_name:
            raise SpecError(f"two layers are named '{node.name}': names must be unique", node.location)
        if len(self.nodes) >= MAX_LAYERS:
            raise SpecError(f"the network grows past {MAX_LAYERS:,} layers (check 'repeat' counts)", node.location)
        self.nodes.append(node)
        self.by_name[node.name] = node
        return node.name

    def _resolve(self, ref: Any, ctx: Context, where: Location) -> str:
        """A `from:` reference: the nearest enclosing scope's layer of that name wins."""
        if not isinstance(ref, str):
            raise SpecError(f"'from' must name layers, got {ref!r}", where)
        if ref == "input":
            return ctx.scope_input
        for depth in range(len(ctx.scope), -1, -1):
            candidate = "/".join(ctx.scope[:depth] + (ref,))
            for name in (candidate, candidate + ctx.name_suffix):
                if name in self.by_name:
                    return name
                if name in self.scope_outputs:
                    return self.scope_outputs[name]
        if ref in self.declared_names or ref.rsplit("/", 1)[-1] in self.declared_names:
            raise SpecError(
                f"'from: {ref}' names a layer that comes later: inputs must come from layers above "
                f"(a layer cannot take input from itself or a later layer: no cycles)", where)
        local_names = {n.rsplit("/", 1)[-1] for n in list(self.by_name) + list(self.scope_outputs)}
        raise SpecError(f"'from: {ref}' names no layer{did_you_mean(ref, local_names | set(self.by_name))}", where)

    # -- plain ops ---------------------------------------------------------------------------

    def op_layer(self, item: LocDict, key: str, current: str, ctx: Context) -> str:
        op = REGISTRY[key]
        where = item.location
        if key == "input":
            raise SpecError("'input' is set at the top of the spec (input: [3, 224, 224]), not as a layer", where)
        name = self._full(self._local_name(item, op.prefix or key, ctx), ctx)  # errors name the full path
        inputs = self._inputs(item, current, ctx)
        low, high = op.inputs
        if len(inputs) < low or (high is not None and len(inputs) > high):
            need = f"at least {low}" if high is None else str(low)
            raise SpecError(f"{key} takes {need} input(s), got {len(inputs)} (list them with from: [a, b])",
                            where, name)
        options, origins = self._options(item, key, where, name)
        model = validate(op.options, options, key, where, origins, name)
        in_shapes = [self.by_name[i].shape for i in inputs]
        try:
            window = op.window(model, in_shapes)  # the layer's sliding-window geometry: computed here, once
            shape = op.output_shape(model, in_shapes, window)
        except OpError as exc:
            shown = ", ".join(f"'{i.rsplit('/', 1)[-1]}' {shape_text(self.by_name[i].shape)}" for i in inputs)
            raise SpecError(f"{exc} (input{'s' if len(inputs) > 1 else ''}: {shown})", where, name) from None
        node = Node(name, key, model, inputs, shape, where, ctx.scope, ctx.frozen, ctx.training_only, window=window)
        return self._add(node, ctx)

    def _inputs(self, item: LocDict, current: str, ctx: Context) -> list[str]:
        if "from" not in item:
            return [current]
        refs = item["from"]
        refs = refs if isinstance(refs, list) else [refs]
        return [self._resolve(ref, ctx, item.where("from")) for ref in refs]

    def _options(self, item: LocDict, key: str, where: Location, layer: str) -> tuple[dict, dict[str, Location]]:
        """Merge defaults, the shorthand value and inline keys; remember where each came from."""
        op = REGISTRY[key]
        options: dict[str, Any] = {}
        origins: dict[str, Location] = {}
        defaults = self.defaults.get(key)
        if defaults:
            for k, v in defaults.items():
                options[k], origins[k] = v, defaults.where(k)
        value = item[key]
        if isinstance(value, LocDict):
            for k, v in value.items():
                options[k], origins[k] = v, value.where(k)
        elif value is not None:
            if op.primary is None:
                raise SpecError(f"{key} takes no value: write '- {key}' or give options as a mapping",
                                item.where(key), layer)
            options[op.primary], origins[op.primary] = value, item.where(key)
        for k, v in item.items():
            if k != key and k not in COMMON_KEYS:
                options[k], origins[k] = v, item.where(k)
        return options, origins

    # -- structures --------------------------------------------------------------------------

    def repeat(self, item: LocDict, current: str, ctx: Context) -> str:
        count = item["repeat"]
        where = item.where("repeat")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_REPEAT:
            raise SpecError(f"repeat must be a whole number from 1 to {MAX_REPEAT}, got {count!r}", where)
        self._only_keys(item, ("repeat", "layers", "first", "name", "frozen", "training_only"), "repeat")
        if "layers" not in item:
            raise SpecError("repeat needs 'layers': the list to repeat", item.location)
        if item.get("name"):
            ctx = ctx.child(item["name"] + ctx.name_suffix, current)
            self.scope_kinds["/".join(ctx.scope)] = "repeat"
        for index in range(count):
            body = item["first"] if index == 0 and "first" in item else item["layers"]
            suffix = ctx.name_suffix + (f"_{index + 1}" if count > 1 else "")
            current = self.sequence(body, current, replace(ctx, name_suffix=suffix))
        return self._exit(ctx, current) if item.get("name") else current

    def _only_keys(self, item: LocDict, allowed: tuple[str, ...], what: str) -> None:
        for key in item:
            if key not in allowed:
                raise SpecError(f"{what}: unknown key '{key}'{did_you_mean(key, allowed)} "
                                f"(allowed: {', '.join(allowed)})", item.where(key))

    def _exit(self, ctx: Context, output: str) -> str:
        """Remember what a scope produced, so `from: <module name>` means its output."""
        if ctx.scope:
            self.scope_outputs["/".join(ctx.scope)] = output
        return output

    def _enter(self, item: LocDict, prefix: str, current: str, ctx: Context, inline: bool) -> Context:
        if inline:
            return replace(ctx, scope_input=current)
        scoped = ctx.child(self._local_name(item, prefix, ctx), current, name_suffix="")
        self.scope_kinds["/".join(scoped.scope)] = prefix
        return scoped

    def block(self, item: LocDict, key: str, current: str, ctx: Context, inline: bool = False) -> str:
        self._only_keys(item, (key,) + COMMON_KEYS, key)
        inner = self._enter(item, key, current, ctx, inline)
        start = self._inputs(item, current, ctx)
        if len(start) != 1:
            raise SpecError(f"{key} starts from one layer", item.where("from"))
        last = self._exit(inner, self.sequence(item[key], start[0], replace(inner, scope_input=start[0])))
        return current if key == "branch" else last

    def branches(self, item: LocDict, current: str, ctx: Context, inline: bool = False) -> str:
        self._only_keys(item, ("concat", "activation") + COMMON_KEYS, "concat")
        inner = self._enter(item, "concat", current, ctx, inline)
        outs = []
        for index, branch in enumerate(item["concat"]):
            branch_ctx = inner.child(f"branch{index + 1}", current)
            self.scope_kinds["/".join(branch_ctx.scope)] = "branch"
            outs.append(self.sequence(branch, current, branch_ctx) if branch else current)
        return self._exit(inner, self._join("concat", outs, item, inner))

    def _join(self, key: str, inputs: list[str], item: LocDict, ctx: Context, local: str | None = None) -> str:
        op = REGISTRY[key]  # add or concat: both take MergeOptions
        activation = item.get("activation")
        if activation is not None and activation not in ACTIVATIONS:
            raise SpecError(f"unknown activation '{activation}'{did_you_mean(activation, ACTIVATIONS)}",
                            item.where("activation"))
        model = MergeOptions(activation=activation)
        local = local or key
        shapes = [self.by_name[i].shape for i in inputs]
        try:
            shape = op.output_shape(model, shapes)
        except OpError as exc:
            shown = " and ".join(f"'{i}' {shape_text(s)}" for i, s in zip(inputs, shapes, strict=True))
            raise SpecError(f"{exc}: inputs {shown}", item.location, "/".join(ctx.scope) or local) from None
        node = Node(self._free(local, ctx), key, model, inputs, shape, item.location, ctx.scope, ctx.frozen,
                    ctx.training_only)
        return self._add(node, ctx)

    def residual(self, item: LocDict, current: str, ctx: Context, inline: bool = False) -> str:
        self._only_keys(item, ("residual", "shortcut", "activation") + COMMON_KEYS, "residual")
        inner = self._enter(item, "residual", current, ctx, inline)
        body_out = self.sequence(item["residual"], current, inner)
        shortcut = item.get("shortcut", "auto")
        where = item.where("shortcut")
        x, y = self.by_name[current].shape, self.by_name[body_out].shape
        if isinstance(shortcut, list):
            short_out = self.sequence(shortcut, current, inner.child("shortcut", current))
        elif shortcut not in SHORTCUTS:
            raise SpecError(f"shortcut must be one of {', '.join(SHORTCUTS)} or a list of layers, "
                            f"got {shortcut!r}", where)
        elif shortcut == "identity" or (shortcut in ("auto", "zero_pad") and x == y):
            short_out = current  # option A pads only where shapes change
        else:
            short_out = self._shortcut(shortcut, current, body_out, item, inner)
        if self.by_name[short_out].shape != y:
            raise SpecError(
                f"add: shapes {shape_text(y)} (body) and {shape_text(self.by_name[short_out].shape)} "
                "(shortcut) differ; use shortcut: projection (a strided 1x1 conv) or zero_pad",
                item.location, "/".join(inner.scope) or "residual")
        return self._exit(inner, self._join("add", [body_out, short_out], item, inner))

    def _shortcut(self, kind: str, x_name: str, y_name: str, item: LocDict, ctx: Context) -> str:
        x, y = self.by_name[x_name].shape, self.by_name[y_name].shape
        strides = self._shortcut_strides(x_name, y_name)
        if strides is None or (kind == "zero_pad" and strides[0] != strides[1]):
            raise SpecError(
                f"residual: cannot project {shape_text(x)} onto {shape_text(y)} with a strided 1x1 shortcut "
                f"(no stride S makes floor((size - 1)/S) + 1 the body's output size"
                f"{'' if strides is None else ' with one stride for both axes'}); give shortcut: a list of layers",
                item.location, "/".join(ctx.scope) or "residual")
        stride: int | tuple[int, int] = strides[0] if strides[0] == strides[1] else strides
        if kind == "zero_pad":
            model = ChannelPadOptions(channels=y[0], stride=strides[0])
            padded = REGISTRY["channel_pad"].output_shape(model, [x])
            node = Node(self._free("shortcut", ctx), "channel_pad", model, [x_name], padded,
                        item.location, ctx.scope, ctx.frozen, ctx.training_only)
            return self._add(node, ctx)
        body_has_bn = any(n.op == "batchnorm" and n.scope[: len(ctx.scope)] == ctx.scope for n in self.nodes)
        conv = ConvOptions(filters=y[0], kernel=1, stride=stride, bias=not body_has_bn)
        window = REGISTRY["conv"].window(conv, [x])
        shape = REGISTRY["conv"].output_shape(conv, [x], window)
        out = self._add(Node(self._free("shortcut", ctx), "conv", conv, [x_name], shape, item.location, ctx.scope,
                             ctx.frozen, ctx.training_only, window=window), ctx)
        if body_has_bn:
            bn = REGISTRY["batchnorm"].options()
            out = self._add(Node(self._free("shortcut_bn", ctx), "batchnorm", bn, [out], y, item.location,
                                 ctx.scope, ctx.frozen, ctx.training_only), ctx)
        return out

    def _shortcut_strides(self, x_name: str, y_name: str) -> tuple[int, int] | None:
        """Per axis, the stride S of a 1x1 window that takes the block's input size x to the body's output
        size y, floor((x - 1)/S) + 1 = y (the conv and pool arithmetic with kernel 1 and no padding): the
        body's own stride (its windows' strides multiplied along the path) when that fits, else the
        smallest that does; None when there is none (or the shapes are not images)."""
        x, y = self.by_name[x_name].shape, self.by_name[y_name].shape
        if len(x) != 3 or len(y) != 3:
            return None
        body = [1, 1]
        name = y_name
        while name != x_name and self.by_name[name].inputs:
            node = self.by_name[name]
            if node.window is not None:
                body = [b * s for b, s in zip(body, node.window.stride, strict=True)]
            name = node.inputs[0]
        strides = []
        for size, out, preferred in zip(x[1:], y[1:], body, strict=True):
            fitting = [s for s in (preferred, (size - 1) // out + 1) if (size - 1) // s + 1 == out]
            if not fitting:
                return None
            strides.append(fitting[0])
        return strides[0], strides[1]

    def module_call(self, item: LocDict, key: str, current: str, ctx: Context) -> str:
        if ctx.module_depth >= MAX_MODULE_DEPTH:
            raise SpecError(f"modules nested deeper than {MAX_MODULE_DEPTH} (does '{key}' use itself?)", item.location)
        definition = self.modules[key]
        self._only_keys(item, (key,) + COMMON_KEYS, key)
        env = self._bind(key, definition, item[key], item.where(key))
        inner = ctx.child(self._local_name(item, key, ctx), current, env=tuple(env.items()), name_suffix="",
                          module_depth=ctx.module_depth + 1)
        self.scope_kinds["/".join(inner.scope)] = key
        start = self._inputs(item, current, ctx)
        if len(start) != 1:
            raise SpecError(f"module '{key}' starts from one layer", item.where("from"))
        inner = replace(inner, scope_input=start[0])
        if "layers" in definition and "repeat" not in definition:  # `repeat: N` + `layers:` is a repeat body
            self._only_keys(definition, ("args", "layers"), f"module '{key}'")
            layers = _substitute(definition["layers"], env, definition.where("layers"))
            return self._exit(inner, self.sequence(layers, start[0], inner))
        body = LocDict({k: v for k, v in definition.items() if k != "args"})
        body.location, body.key_locations = definition.location, definition.key_locations
        body = _substitute(body, env, definition.location)
        body_key = self._op_key(body)
        if body_key == "residual":
            return self.residual(body, start[0], inner, inline=True)
        if body_key == "concat" and isinstance(body["concat"], list):
            return self.branches(body, start[0], inner, inline=True)
        return self._exit(inner, self.entry(body, body.location, start[0], inner))

    def _bind(self, key: str, definition: LocDict, value: Any, where: Location) -> dict[str, Any]:
        params: list[tuple[str, Any, bool]] = []
        for arg in definition.get("args", []):
            if isinstance(arg, str):
                params.append((arg, None, True))
            else:
                (arg_name, default), = arg.items()
                params.append((arg_name, default, False))
        names = [p[0] for p in params]
        if isinstance(value, LocDict):
            for k in value:
                if k not in names:
                    raise SpecError(f"module '{key}' has no argument '{k}'{did_you_mean(k, names)} "
                                    f"(arguments: {', '.join(names)})", value.where(k))
            given = dict(value)
        else:
            values = value if isinstance(value, list) else ([] if value is None else [value])
            if len(values) > len(params):
                raise SpecError(f"module '{key}' takes {len(params)} argument(s) ({', '.join(names)}), "
                                f"got {len(values)}", where)
            given = dict(zip(names, values, strict=False))  # fewer values than names: the rest take defaults
        env = {}
        for arg_name, default, required in params:
            if arg_name in given:
                env[arg_name] = given[arg_name]
            elif required:
                raise SpecError(f"module '{key}' needs argument '{arg_name}' (arguments: {', '.join(names)})", where)
            else:
                env[arg_name] = default
        return env


def _renamed(item: LocDict, old: str, new: str) -> LocDict:
    """`item` with the key `old` written as `new`, in place and keeping every position."""
    renamed = LocDict({new if k == old else k: v for k, v in item.items()})
    renamed.location = item.location
    renamed.key_locations = {new if k == old else k: where for k, where in item.key_locations.items()}
    return renamed


def compile_spec(spec: Any, path: str, input_override: Shape | None = None) -> Graph:
    return Compiler(spec, path, input_override).compile()
