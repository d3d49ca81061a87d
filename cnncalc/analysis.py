"""Walk the compiled graph once, in order, and compute every per-layer figure and the totals.

Pure Python (no NumPy): each number comes from the op's own formula in `cnncalc.ops`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cnncalc.conventions import OPTIMIZER_STATE, Conventions
from cnncalc.graph import Graph, Node
from cnncalc.ops import REGISTRY
from cnncalc.ops.base import Shape, numel
from cnncalc.ops.spatial import ReceptiveField

RowKind = Literal["layer", "group"]


@dataclass
class LayerRow:
    name: str
    type: str
    output_shape: Shape
    inputs: list[str]
    weights: int
    biases: int
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int
    flops: int
    other_ops: int
    output_elements: int
    activation_bytes: int
    receptive_field: ReceptiveField | None
    scope: tuple[str, ...] = ()
    frozen: bool = False
    training_only: bool = False
    warnings: list[str] = field(default_factory=list)
    kind: RowKind = "layer"  # "group": a module or block folded into one row (its type is the module kind)


@dataclass
class Totals:
    params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0
    macs: int = 0
    flops: int = 0
    other_ops: int = 0
    activation_elements: int = 0
    activation_bytes: int = 0
    param_bytes: int = 0
    gradient_bytes: int = 0
    optimizer_bytes: int = 0
    training_bytes: int = 0

    def add_row(self, row: LayerRow) -> None:
        self.params += row.params
        self.trainable_params += row.trainable_params
        self.non_trainable_params += row.non_trainable_params
        self.macs += row.macs
        self.flops += row.flops
        self.other_ops += row.other_ops
        self.activation_bytes += row.activation_bytes
        if row.activation_bytes:
            self.activation_elements += row.output_elements

    def finish(self, conventions: Conventions) -> Totals:
        """Derive the byte figures: forward x 2 for training, plus weights, gradients, optimizer state."""
        size = conventions.bytes_per_element
        self.param_bytes = self.params * size
        self.gradient_bytes = self.trainable_params * size
        self.optimizer_bytes = self.trainable_params * size * OPTIMIZER_STATE[conventions.optimizer]
        self.training_bytes = 2 * self.activation_bytes + self.param_bytes + self.gradient_bytes + self.optimizer_bytes
        return self


@dataclass
class Analysis:
    name: str
    path: str
    source: str | None
    input_shape: Shape
    conventions: Conventions
    layers: list[LayerRow]
    totals: Totals
    training_only_totals: Totals | None
    outputs: list[str]
    scope_kinds: dict[str, str]

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [(row.name, w) for row in self.layers for w in row.warnings]


def _layer_row(node: Node, graph: Graph, conventions: Conventions, rfs: dict[str, ReceptiveField | None]) -> LayerRow:
    op = REGISTRY[node.op]
    in_shapes = [graph.node(i).shape for i in node.inputs]
    counts = op.params(node.options, in_shapes, node.shape)
    biases = counts.biases if conventions.bias else 0
    learnable = counts.weights + biases
    buffers = counts.buffers if conventions.bn_stats == "keras" else 0
    trainable = 0 if node.frozen else learnable
    macs = op.macs(node.options, in_shapes, node.shape) * conventions.batch
    elements = numel(node.shape) * conventions.batch
    allocates = op.allocates and (node.op != "input" or conventions.count_input)
    warnings = list(op.warnings(node.options, in_shapes, node.shape))
    rf = _receptive_field(node, op, in_shapes, rfs, warnings)
    rfs[node.name] = rf
    return LayerRow(
        name=node.name, type=node.op, output_shape=node.shape, inputs=list(node.inputs),
        weights=counts.weights, biases=biases, params=learnable + buffers, trainable_params=trainable,
        non_trainable_params=learnable + buffers - trainable, macs=macs, flops=2 * macs,
        other_ops=op.other_ops(node.options, in_shapes, node.shape) * conventions.batch,
        output_elements=elements, activation_bytes=elements * conventions.bytes_per_element if allocates else 0,
        receptive_field=rf, scope=node.scope, frozen=node.frozen, training_only=node.training_only, warnings=warnings,
    )


def _receptive_field(node: Node, op, in_shapes: list[Shape], rfs: dict, warnings: list[str]) -> ReceptiveField | None:
    """None once the tensor is flat: a dense unit sees the whole input."""
    if node.op == "input":
        return ReceptiveField.of_input() if len(node.shape) == 3 else None
    incoming = [rfs[i] for i in node.inputs]
    if len(node.shape) != 3 or any(rf is None for rf in incoming):
        return None
    if len(incoming) > 1:
        spatial = [rf for rf, s in zip(incoming, in_shapes) if s[1:] != (1, 1)] or incoming
        if len({rf.start for rf in spatial}) > 1 or len({rf.jump for rf in spatial}) > 1:
            centres = ", ".join(f"{_num(rf.start[0])}" for rf in spatial)
            warnings.append(f"the branches' receptive-field centres disagree (starts {centres}): the field shown is the largest")
    return op.receptive_field(node.options, in_shapes, incoming)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def analyze(graph: Graph, conventions: Conventions | None = None) -> Analysis:
    conventions = conventions or Conventions()
    rfs: dict[str, ReceptiveField | None] = {}
    rows = [_layer_row(node, graph, conventions, rfs) for node in graph.nodes]
    inference, training_only = Totals(), Totals()
    for row in rows:
        (training_only if row.training_only else inference).add_row(row)
    has_aux = any(row.training_only for row in rows)
    return Analysis(
        name=graph.name, path=graph.path, source=graph.source, input_shape=graph.input_shape,
        conventions=conventions, layers=rows, totals=inference.finish(conventions),
        training_only_totals=training_only.finish(conventions) if has_aux else None,
        outputs=graph.outputs, scope_kinds=graph.scope_kinds,
    )


def collapse(analysis: Analysis, depth: int) -> list[LayerRow]:
    """Rows with modules deeper than `depth` folded into one row each (the paper-table view)."""
    result: list[LayerRow] = []
    groups: dict[tuple[str, ...], LayerRow] = {}
    for row in analysis.layers:
        if len(row.scope) <= depth:
            result.append(row)
            continue
        key = row.scope[: depth + 1]
        if key not in groups:
            groups[key] = _new_group(key, row, analysis)
            result.append(groups[key])
        _fold(groups[key], row)
    return result


def scope_groups(analysis: Analysis) -> dict[tuple[str, ...], LayerRow]:
    """The totals of every module and block, keyed by scope path (the tree view's header rows)."""
    groups: dict[tuple[str, ...], LayerRow] = {}
    for row in analysis.layers:
        for depth in range(1, len(row.scope) + 1):
            key = row.scope[:depth]
            if key not in groups:
                groups[key] = _new_group(key, row, analysis)
            _fold(groups[key], row)
    return groups


def _new_group(key: tuple[str, ...], first: LayerRow, analysis: Analysis) -> LayerRow:
    path = "/".join(key)
    return LayerRow(
        name=path, type=analysis.scope_kinds.get(path, "block"), output_shape=first.output_shape, inputs=list(first.inputs),
        weights=0, biases=0, params=0, trainable_params=0, non_trainable_params=0, macs=0, flops=0, other_ops=0,
        output_elements=0, activation_bytes=0, receptive_field=first.receptive_field, scope=key[:-1],
        frozen=True, training_only=first.training_only, kind="group",
    )


def _fold(group: LayerRow, row: LayerRow) -> None:
    """Add a layer into its module's row; the module's output is its last layer's."""
    for attr in ("weights", "biases", "params", "trainable_params", "non_trainable_params", "macs", "flops", "other_ops", "activation_bytes"):
        setattr(group, attr, getattr(group, attr) + getattr(row, attr))
    if row.activation_bytes:
        group.output_elements += row.output_elements
    group.output_shape = row.output_shape
    group.receptive_field = row.receptive_field
    group.frozen = group.frozen and row.frozen
    group.training_only = group.training_only and row.training_only
    group.warnings.extend(f"{row.name.rsplit('/', 1)[-1]}: {w}" for w in row.warnings)
