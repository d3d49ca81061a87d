"""`cnncalc explain`: each layer's arithmetic written out as the lecture slides do it, the formula
in symbols first, then the same formula with the layer's numbers, then the result:

    output size   (W − K + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55
    params        (K·K·C + 1)·F = (11·11·3 + 1)·96 = 34,944

The terms (kernel, stride, padding, channels) are read from the compiled node's options and the
ops' own sliding-window geometry (`op.window`, `cnncalc.ops.spatial`); every result is the
analyzer's value for that layer, never a second copy of a formula. The tests evaluate each
written expression and check it gives that value, for every layer of several zoo models.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from cnncalc.analysis import Analysis, LayerRow
from cnncalc.graph import Graph, Node
from cnncalc.ops import REGISTRY
from cnncalc.ops.spatial import dropped_pixels, pair, window_span
from cnncalc.units import human_bytes, number, shape_text

WINDOW_POOLS = ("maxpool", "avgpool", "l2pool")


@dataclass
class Step:
    quantity: str
    formula: str       # in symbols: "(W − K + 2P)/S + 1"
    expression: str    # the same with the layer's numbers: "(227 − 11 + 2·0)/4 + 1"
    value: int | float  # the analyzer's figure
    unit: str = ""


@dataclass
class Explanation:
    name: str
    type: str
    description: str
    inputs: list[str]
    output: str
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _dot(*factors) -> str:
    return "·".join(_num(f) if not isinstance(f, str) else f for f in factors)


class Explainer:
    """Builds the explanations of a compiled graph from its analysis (same conventions)."""

    def __init__(self, graph: Graph, analysis: Analysis):
        self.graph = graph
        self.analysis = analysis
        self.conventions = analysis.conventions
        self.rows = {row.name: row for row in analysis.layers}

    def explain(self, names: list[str] | None = None) -> list[Explanation]:
        chosen = set(names) if names is not None else None
        return [self.layer(node) for node in self.graph.nodes if chosen is None or node.name in chosen]

    def layer(self, node: Node) -> Explanation:
        op = REGISTRY[node.op]
        row = self.rows[node.name]
        in_shapes = [self.graph.node(i).shape for i in node.inputs]
        layout = self.conventions.layout
        result = Explanation(node.name, node.op, op.description, [shape_text(s, layout) for s in in_shapes],
                             shape_text(node.shape, layout))
        window = op.window(node.options, in_shapes[0]) if hasattr(op, "window") else None
        if window is not None:
            result.steps += self._size(window, node, row, result.notes)
        result.steps += self._params(node, in_shapes, row, result.notes)
        result.steps += self._macs(node, in_shapes, row, window)
        result.steps += self._memory(node, row, result.notes)
        result.steps += self._receptive_field(node, row, window)
        if window is not None and any("does not tile" in w for w in row.warnings):
            result.steps += self._lost_pixels(window)
        if node.op == "concat":
            result.steps += self._branches(node, result.notes)
        result.notes += row.warnings
        if node.frozen and row.params:
            result.notes.append("frozen: its parameters are not trained (no gradients, no optimizer state)")
        return result

    # -- output size ------------------------------------------------------------------------

    def _size(self, window, node: Node, row: LayerRow, notes: list[str]) -> list:
        axes = [0] if _square(window) else [0, 1]
        labels = {0: "output size" if len(axes) == 1 else "output height", 1: "output width"}
        ceil_mode = getattr(node.options, "ceil_mode", False)
        steps = []
        for a in axes:
            inner_sym, inner_num = _numerator(window, a)
            stride = window.stride[a]
            span = window_span(window.in_hw[a], window.kernel[a], stride, window.dilation[a],
                               window.pad_before[a], window.pad_after[a])
            value = row.output_shape[1 + a]
            if span % stride == 0:
                formula, expression = f"({inner_sym})/S + 1", f"({inner_num})/{stride} + 1"
            elif ceil_mode:
                formula, expression = f"⌈({inner_sym})/S⌉ + 1", f"⌈({inner_num})/{stride}⌉ + 1"
                if -(-span // stride) + 1 == value + 1:  # PyTorch drops a last window that starts in the padding
                    formula, expression = formula + " − 1", expression + " − 1"
                    notes.append("ceil_mode: the last window would start in the padding, so it is dropped (PyTorch's rule)")
            else:
                formula, expression = f"⌊({inner_sym})/S⌋ + 1", f"⌊({inner_num})/{stride}⌋ + 1"
            steps.append(Step(labels[a], formula, expression, value))
        return steps

    def _lost_pixels(self, window) -> list:
        """The classic 224-vs-227 trap: pixels at the bottom/right that no window reaches."""
        steps = []
        for a in ([0] if _square(window) else [0, 1]):
            args = (window.in_hw[a], window.kernel[a], window.stride[a], window.dilation[a],
                    window.pad_before[a], window.pad_after[a])
            lost = dropped_pixels(*args) - window.pad_after[a]
            if lost <= 0:
                continue
            inner_sym, inner_num = _numerator(window, a)
            pad = window.pad_after[a]
            formula = f"({inner_sym}) mod S" + (" − P" if pad else "")
            expression = f"({inner_num}) mod {window.stride[a]}" + (f" − {pad}" if pad else "")
            axis = "" if _square(window) else (" (rows)" if a == 0 else " (columns)")
            steps.append(Step(f"pixels lost{axis}", formula, expression, lost, "px"))
        return steps

    # -- parameters -------------------------------------------------------------------------

    def _params(self, node: Node, in_shapes, row: LayerRow, notes: list[str]) -> list:
        o = node.options
        with_bias = getattr(o, "bias", False) and self.conventions.bias
        if getattr(o, "bias", False) and not self.conventions.bias and row.params:
            notes.append("biases not counted (--no-bias)")
        if node.op in ("conv", "conv_transpose"):
            kh, kw = pair(o.kernel)
            kernel_sym = "K·K" if kh == kw else "Kh·Kw"
            cin = in_shapes[0][0]
            if node.op == "conv":
                body_sym = kernel_sym + ("·C" if o.groups == 1 else "·C/g")
                body_num = _dot(kh, kw, cin) + (f"/{o.groups}" if o.groups > 1 else "")
                formula = f"({body_sym} + 1)·F" if with_bias else f"{body_sym}·F"
                expression = f"({body_num} + 1)·{o.filters}" if with_bias else f"{body_num}·{o.filters}"
            else:
                body_sym = kernel_sym + "·C·F" + ("/g" if o.groups > 1 else "")
                body_num = _dot(kh, kw, cin, o.filters) + (f"/{o.groups}" if o.groups > 1 else "")
                formula = body_sym + (" + F" if with_bias else "")
                expression = body_num + (f" + {o.filters}" if with_bias else "")
            return [Step("params", formula, expression, row.params, "params")]
        if node.op == "dense":
            n = in_shapes[0][0]
            if with_bias:
                return [Step("params", "(N + 1)·M", f"({n} + 1)·{o.units}", row.params, "params")]
            return [Step("params", "N·M", _dot(n, o.units), row.params, "params")]
        if node.op in ("batchnorm", "layernorm") and row.params:
            c = in_shapes[0][0]
            terms = [] if node.op == "batchnorm" and not o.affine else [("2·C", f"2·{c}")]
            if node.op == "batchnorm" and self.conventions.bn_stats == "keras":
                terms.append(("2·C", f"2·{c}"))
                notes.append("the running mean and variance count as non-trainable params (--bn-stats keras)")
            return [Step("params", " + ".join(t[0] for t in terms), " + ".join(t[1] for t in terms), row.params, "params")]
        if row.params:
            return [Step("params", "", "", row.params, "params")]
        return []

    # -- operations -------------------------------------------------------------------------

    def _batch(self, formula: str, expression: str) -> tuple[str, str]:
        if self.conventions.batch == 1:
            return formula, expression
        return f"{formula} × batch", f"{expression} × {self.conventions.batch}"

    def _macs(self, node: Node, in_shapes, row: LayerRow, window) -> list:
        o = node.options
        if node.op == "conv":
            kh, kw = pair(o.kernel)
            _, ho, wo = node.shape
            kernel_sym = ("K·K" if kh == kw else "Kh·Kw") + ("·C" if o.groups == 1 else "·C/g")
            kernel_num = _dot(kh, kw, in_shapes[0][0]) + (f"/{o.groups}" if o.groups > 1 else "")
            formula, expression = self._batch(f"Ho·Wo·F outputs × {kernel_sym}", f"{_dot(ho, wo, o.filters)} × {kernel_num}")
            return [Step("MACs", formula, expression, row.macs, "MACs")]
        if node.op == "conv_transpose":
            kh, kw = pair(o.kernel)
            c, h, w = in_shapes[0]
            per = _dot(kh, kw, o.filters) + (f"/{o.groups}" if o.groups > 1 else "")
            formula, expression = self._batch("H·W·C inputs × K·K·F" + ("/g" if o.groups > 1 else ""), f"{_dot(h, w, c)} × {per}")
            return [Step("MACs", formula, expression, row.macs, "MACs")]
        if node.op == "dense":
            formula, expression = self._batch("N·M", _dot(in_shapes[0][0], o.units))
            return [Step("MACs", formula, expression, row.macs, "MACs")]
        if node.op in WINDOW_POOLS and row.other_ops:
            c, ho, wo = node.shape
            kh, kw = window.kernel
            formula, expression = self._batch("Ho·Wo·C × K·K", f"{_dot(ho, wo, c)} × {_dot(kh, kw)}")
            return [Step("other ops (window reads)", formula, expression, row.other_ops, "ops")]
        return []

    def _memory(self, node: Node, row: LayerRow, notes: list[str]) -> list:
        if not row.activation_bytes:
            if node.op == "input":
                notes.append("the input is not counted in activation memory (--no-count-input)")
            elif not REGISTRY[node.op].allocates:
                notes.append("a view or an inference no-op: no memory of its own")
            return []
        dims = node.shape[1:] + node.shape[:1] if len(node.shape) == 3 else node.shape
        size = self.conventions.bytes_per_element
        symbols = "H·W·C" if len(node.shape) == 3 else "N"
        formula, expression = self._batch(f"{symbols} × {size} B", f"{_dot(*dims)} × {size}")
        return [Step("memory", formula, expression, row.activation_bytes, "B")]

    # -- receptive field --------------------------------------------------------------------

    def _receptive_field(self, node: Node, row: LayerRow, window) -> list:
        rf = row.receptive_field
        before = self.rows[node.inputs[0]].receptive_field if node.inputs else None
        if rf is None or before is None or rf == before:
            return []
        if window is None:
            return [Step("receptive field", "", "", max(rf.size), "px")]
        steps = []
        square = _square(window) and before.size[0] == before.size[1] and before.jump[0] == before.jump[1]
        for a in ([0] if square else [0, 1]):
            axis = "" if square else (" (height)" if a == 0 else " (width)")
            k, d, s = window.kernel[a], window.dilation[a], window.stride[a]
            grow = "(K − 1)·j_in" if d == 1 else "(K − 1)·D·j_in"
            grow_num = f"({k} − 1)·{_num(before.jump[a])}" if d == 1 else f"({k} − 1)·{d}·{_num(before.jump[a])}"
            steps.append(Step(f"receptive field{axis}", f"r_in + {grow}", f"{_num(before.size[a])} + {grow_num}",
                              number(rf.size[a]), "px"))
            if s != 1:
                steps.append(Step(f"jump{axis}", "j_in·S", _dot(before.jump[a], s), number(rf.jump[a]), "px"))
        return steps

    # -- inception modules ------------------------------------------------------------------

    def _branches(self, node: Node, notes: list[str]) -> list:
        """Each branch's MACs as a sum of its layers, and what a 1x1 bottleneck saves."""
        scope = node.scope
        kinds = self.graph.scope_kinds
        branches = [path for path, kind in kinds.items() if kind == "branch" and tuple(path.split("/")[:-1]) == scope]
        if not branches:
            return []
        steps, totals = [], []
        for path in sorted(branches, key=_natural):
            members = [n for n in self.graph.nodes if ("/".join(n.scope) + "/").startswith(path + "/")]
            terms = [self._mac_term(n) for n in members if self.rows[n.name].macs]
            value = sum(self.rows[n.name].macs for n in members)
            expression = " + ".join(terms) if terms else "0"
            if self.conventions.batch > 1 and terms:
                expression = f"({expression})·{self.conventions.batch}"
            label = path.rsplit("/", 1)[-1]
            steps.append(Step(f"{label} MACs", "Σ Ho·Wo·F·K·K·C over its layers", expression, value, "MACs"))
            totals.append(value)
            naive = self._bottleneck(label, members)
            if naive is not None:
                steps.append(naive)
                notes.append(f"the 1x1 reduction makes {label} {naive.value / value:.1f}x cheaper "
                             f"({value:,} instead of {naive.value:,} MACs)")
        whole = sum(row.macs for row in self.analysis.layers if row.scope[: len(scope)] == scope and row.name != node.name)
        if scope and whole == sum(totals):
            steps.append(Step(f"{'/'.join(scope)} MACs", "sum of the branches", " + ".join(str(t) for t in totals), whole, "MACs"))
        return steps

    def _mac_term(self, node: Node) -> str:
        """'28·28·16·192' for a 1x1 conv, '28·28·32·5·5·16' for a 5x5: the slides' product."""
        o = node.options
        in_shape = self.graph.node(node.inputs[0]).shape
        if node.op == "conv":
            kh, kw = pair(o.kernel)
            kernel = () if (kh, kw) == (1, 1) else (kh, kw)
            channels = _num(in_shape[0] // o.groups)
            return _dot(node.shape[1], node.shape[2], o.filters, *kernel, channels)
        if node.op == "dense":
            return _dot(in_shape[0], o.units)
        return _num(self.rows[node.name].macs // self.conventions.batch)

    def _bottleneck(self, label: str, members: list[Node]) -> Step | None:
        """A 1x1 reduce followed by a larger conv: the cost of the larger conv on the unreduced input."""
        convs = [n for n in members if n.op == "conv"]
        if len(convs) != 2 or pair(convs[0].options.kernel) != (1, 1) or pair(convs[1].options.kernel) == (1, 1):
            return None
        reduce, main = convs
        op = REGISTRY["conv"]
        wide = self.graph.node(reduce.inputs[0]).shape
        if main.inputs != [reduce.name] or main.options.groups != 1:
            return None
        try:
            if op.output_shape(main.options, [wide]) != main.shape:
                return None
        except ValueError:
            return None
        naive = op.macs(main.options, [wide], main.shape) * self.conventions.batch
        kh, kw = pair(main.options.kernel)
        expression = _dot(main.shape[1], main.shape[2], main.options.filters, kh, kw, wide[0])
        if self.conventions.batch > 1:
            expression = f"({expression})·{self.conventions.batch}"
        return Step(f"{label} without its 1x1 reduction", "Ho·Wo·F·K·K·C_in", expression, naive, "MACs")


def _square(window) -> bool:
    return (window.in_hw[0] == window.in_hw[1] and window.kernel[0] == window.kernel[1]
            and window.stride[0] == window.stride[1] and window.dilation[0] == window.dilation[1]
            and window.pad_before[0] == window.pad_before[1] and window.pad_after[0] == window.pad_after[1])


def _numerator(window, a: int) -> tuple[str, str]:
    """W − K + 2P in symbols and numbers (with dilation and uneven padding when they apply)."""
    w, k, d = window.in_hw[a], window.kernel[a], window.dilation[a]
    pb, pa = window.pad_before[a], window.pad_after[a]
    size = "H" if a == 0 and not _square(window) else "W"
    pads_sym, pads_num = ("2P", f"2·{pb}") if pb == pa else ("P₁ + P₂", f"{pb} + {pa}")
    if d == 1:
        if pb == pa:
            return f"{size} − K + {pads_sym}", f"{w} − {k} + {pads_num}"
        return f"{size} + {pads_sym} − K", f"{w} + {pads_num} − {k}"
    return f"{size} + {pads_sym} − D·(K − 1) − 1", f"{w} + {pads_num} − {d}·({k} − 1) − 1"


def _natural(path: str):
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def select(graph: Graph, layer: str | None) -> list[str] | None:
    """--layer: a layer's full or local name, or a module name (all of its layers)."""
    if layer is None:
        return None
    from cnncalc.transfer import find_layers

    return find_layers(graph, layer, "--layer")


# -- rendering ----------------------------------------------------------------------------------


def value_text(step: Step, units: str) -> str:
    if isinstance(step.value, float):
        return f"{step.value:g}{step.unit}" if step.unit == "x" else f"{step.value:g} {step.unit}".rstrip()
    if step.unit == "B":
        return f"{step.value:,} B ({human_bytes(step.value, units)})" if step.value >= 1024 else f"{step.value:,} B"
    if step.unit == "x":
        return f"{step.value}x"
    return f"{step.value:,} {step.unit}".rstrip()


def step_line(step: Step, units: str) -> str:
    parts = [p for p in (step.formula, step.expression) if p]
    return " = ".join(parts + [value_text(step, units)])


def explain_text(explanations: list[Explanation], analysis: Analysis):
    """Plain aligned lines (no table), so long expressions never wrap inside a cell."""
    from rich.console import Group
    from rich.text import Text

    units = analysis.conventions.units
    parts = [Text(f"{analysis.name}: the arithmetic, layer by layer (symbols, then numbers)", style="bold"), Text("")]
    for item in explanations:
        inputs = " + ".join(item.inputs) if item.inputs else "-"
        parts.append(Text(f"{item.name} ({item.type}): {inputs} -> {item.output}", style="bold"))
        width = max((len(step.quantity) for step in item.steps), default=4)
        for step in item.steps:
            parts.append(Text(f"  {step.quantity:<{width}}  {step_line(step, units)}"))
        for note in item.notes:
            parts.append(Text(f"  {'note':<{width}}  {note}", style="yellow"))
        parts.append(Text(""))
    parts.append(Text("\n".join(analysis.conventions.describe()), style="italic"))
    return Group(*parts)


def to_json(explanations: list[Explanation], analysis: Analysis) -> str:
    return json.dumps({"name": analysis.name, "conventions": analysis.conventions.as_dict(),
                       "layers": [asdict(item) for item in explanations]}, indent=2, ensure_ascii=False)


def to_csv(explanations: list[Explanation], analysis: Analysis) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["layer", "quantity", "formula", "expression", "value", "unit"])
    for item in explanations:
        for step in item.steps:
            writer.writerow([item.name, step.quantity, step.formula, step.expression, step.value, step.unit])
    return buffer.getvalue()


def to_markdown(explanations: list[Explanation], analysis: Analysis) -> str:
    units = analysis.conventions.units
    lines = [f"## {analysis.name}: the arithmetic", ""]
    for item in explanations:
        lines.append(f"### {item.name} ({item.type}): {' + '.join(item.inputs) or '-'} → {item.output}")
        lines.append("")
        lines.extend(f"- {step.quantity}: `{step_line(step, units)}`" for step in item.steps)
        lines.extend(f"- note: {note}" for note in item.notes)
        lines.append("")
    lines.extend(f"- {line}" for line in analysis.conventions.describe())
    return "\n".join(lines) + "\n"
