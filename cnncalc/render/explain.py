"""`cnncalc explain`: each layer's arithmetic written out as the lecture slides do it, the formula
in symbols first, then the same formula with the layer's numbers, then the result:

    output size   (W − K + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55
    params        (K·K·C + 1)·F = (11·11·3 + 1)·96 = 34,944

The formulas are the ops' own (`size_steps`, `param_steps`, `mac_steps` ... on each op class in
`cnncalc.ops`, next to the arithmetic they describe) and the metrics' (`Metric.working`); this
module chooses the layers, asks each op and metric for its steps, adds the notes and renders the
result. Every value is the analyzer's for that layer, never a second copy of a formula: the tests
evaluate each written expression and check it gives that value.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from cnncalc import metrics
from cnncalc.analysis import Analysis, LayerRow
from cnncalc.formulas import Step
from cnncalc.graph import Graph, Node, find_layers
from cnncalc.ops import REGISTRY
from cnncalc.ops.base import Layer
from cnncalc.units import human_bytes, shape_text

__all__ = ["Explainer", "Explanation", "Step", "explain_text", "select", "step_line", "to_csv", "to_json",
           "to_markdown", "value_text"]


@dataclass
class Explanation:
    name: str
    type: str
    description: str
    inputs: list[str]
    output: str
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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

    def facts(self, node: Node, notes: list[str] | None = None) -> Layer:
        """The layer as its op's formulas see it (its notes go to `notes`)."""
        return Layer(node.options, [self.graph.node(i).shape for i in node.inputs], node.shape,
                     self.rows[node.name].values, self.conventions, node.window,
                     notes if notes is not None else [], node.name, REGISTRY[node.op], list(node.inputs))

    def layer(self, node: Node) -> Explanation:
        op = REGISTRY[node.op]
        row = self.rows[node.name]
        layout = self.conventions.layout
        result = Explanation(node.name, node.op, op.description,
                             [shape_text(self.graph.node(i).shape, layout) for i in node.inputs],
                             shape_text(node.shape, layout))
        layer = self.facts(node, result.notes)
        result.steps += op.size_steps(layer)
        if getattr(node.options, "bias", False) and not self.conventions.bias and row.params:
            result.notes.append("biases not counted (--no-bias)")
        result.steps += op.param_steps(layer)
        result.steps += op.mac_steps(layer)
        result.steps += op.other_op_steps(layer)
        result.steps += [step for metric in metrics.workings() if metric.working is not None
                         and (step := metric.working(row, self.conventions)) is not None]
        memory_note = None if row.allocates else op.memory_note(self.conventions)
        if memory_note:
            result.notes.append(memory_note)
        result.steps += self._receptive_field(node, row, layer)
        result.steps += op.lost_steps(layer)
        if op.branch_join:
            result.steps += self._branches(node, layer)
        result.notes += row.warnings
        if node.frozen and row.params:
            result.notes.append("frozen: its parameters are not trained (no gradients, no optimizer state)")
        return result

    def _receptive_field(self, node: Node, row: LayerRow, layer: Layer) -> list[Step]:
        rf = row.receptive_field
        before = self.rows[node.inputs[0]].receptive_field if node.inputs else None
        if rf is None or before is None or rf == before:
            return []
        return REGISTRY[node.op].field_steps(layer, before, rf)

    # -- inception modules ------------------------------------------------------------------

    def _branches(self, node: Node, join: Layer) -> list[Step]:
        """The branches a join closes (the `branch` scopes of its module), for its op to cost."""
        scope = node.scope
        paths = [path for path, kind in self.graph.scope_kinds.items()
                 if kind == "branch" and tuple(path.split("/")[:-1]) == scope]
        if not paths:
            return []
        branches = [(path.rsplit("/", 1)[-1], [self.facts(n) for n in self.graph.nodes
                                               if ("/".join(n.scope) + "/").startswith(path + "/")])
                    for path in sorted(paths, key=_natural)]
        inside = [self.facts(n) for n in self.graph.nodes if n.scope[: len(scope)] == scope and n.name != node.name]
        return REGISTRY[node.op].branch_steps(join, branches, "/".join(scope), inside)


def _natural(path: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def select(graph: Graph, layer: str | None) -> list[str] | None:
    """--layer: a layer's full or local name, or a module name (all of its layers)."""
    if layer is None:
        return None
    return find_layers(graph.nodes, layer, "--layer")


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
