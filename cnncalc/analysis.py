"""Walk the compiled graph once, in order, and compute every per-layer figure and the totals.

Pure Python (no NumPy): each number comes from the op's own formula in `cnncalc.ops`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from cnncalc import metrics
from cnncalc.conventions import Conventions
from cnncalc.errors import UsageError
from cnncalc.graph import Graph, Node, find_layers
from cnncalc.ops import REGISTRY
from cnncalc.ops.base import Op, Shape, numel
from cnncalc.ops.spatial import ReceptiveField, misalignment, spatial_branches

RowKind = Literal["layer", "group", "module"]


class MetricValues:
    """Metric values (declared in `cnncalc.metrics`) read as attributes or by key: row.params, row["params"]."""

    __slots__ = ()
    values: dict[str, int]

    def __getattr__(self, name: str) -> int:
        try:
            return object.__getattribute__(self, "values")[name]
        except (KeyError, AttributeError):
            raise AttributeError(f"{type(self).__name__} has no attribute or metric '{name}'") from None

    def __getitem__(self, key: str) -> int:
        return self.values[key]


@dataclass(slots=True)
class LayerRow(MetricValues):
    name: str
    type: str
    output_shape: Shape
    inputs: list[str]
    values: dict[str, int]          # every per-layer metric, by key
    weights: int                    # the op's learnable counts, for the executor's cross-check
    biases: int                     # (0 under --no-bias)
    allocates: bool                 # holds activation memory of its own
    receptive_field: ReceptiveField | None
    scope: tuple[str, ...] = ()
    frozen: bool = False
    training_only: bool = False
    warnings: list[str] = field(default_factory=list)
    kind: RowKind = "layer"  # "group": a module or block folded into one row (its type is the module kind);
    #                          "module": a module's header row, its totals, shown above its rows
    geometry: str = ""       # the op's window in `calc` words (`k3 s2 p1`): `Op.geometry`


@dataclass
class Totals(MetricValues):
    """The network's totals, by metric (keyed by `Metric.totalled`): totals.params, totals["macs"]."""

    values: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[LayerRow], conventions: Conventions) -> Totals:
        """Each metric's aggregate over `rows`, then the totals derived from other totals."""
        values: dict[str, int] = {}
        for metric in metrics.totalled():
            if metric.from_totals is not None:
                values[metric.totalled] = metric.from_totals(values, conventions)
                continue
            counted = [row.values[metric.key] for row in rows]
            values[metric.totalled] = max(counted, default=0) if metric.aggregate == "max" else sum(counted)
        return cls(values)

    def as_dict(self) -> dict[str, int]:
        return dict(self.values)


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
    span: tuple[str, str] | None = None  # a slice of the network (`take_slice`): its first and last layer

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [(row.name, w) for row in self.layers for w in row.warnings]


def _layer_row(node: Node, graph: Graph, conventions: Conventions, rfs: dict[str, ReceptiveField | None],
               computed: list[tuple[str, metrics.PerLayer]]) -> LayerRow:
    op = REGISTRY[node.op]
    in_shapes = [graph.node(i).shape for i in node.inputs]
    counts = op.params(node.options, in_shapes, node.shape)
    allocates = op.holds_memory(conventions, in_shapes, node.shape)
    facts = metrics.LayerFacts(
        counts=counts, macs=op.macs(node.options, in_shapes, node.shape),
        other_ops=op.other_ops(node.options, in_shapes, node.shape), elements=numel(node.shape),
        allocates=allocates, frozen=node.frozen, conventions=conventions,
    )
    values: dict[str, int] = {}
    for key, compute in computed:
        values[key] = compute(facts, values)
    warnings = [*node.notes, *op.warnings(node.options, in_shapes, node.shape, node.window)]
    rf = _receptive_field(node, op, in_shapes, rfs, warnings)
    rfs[node.name] = rf
    return LayerRow(
        name=node.name, type=node.op, output_shape=node.shape, inputs=list(node.inputs), values=values,
        weights=counts.weights, biases=counts.biases if conventions.bias else 0, allocates=allocates,
        receptive_field=rf, scope=node.scope, frozen=node.frozen, training_only=node.training_only, warnings=warnings,
        geometry=op.geometry(node.options, node.window),
    )


def _receptive_field(node: Node, op: Op, in_shapes: list[Shape], rfs: dict[str, ReceptiveField | None],
                      warnings: list[str]) -> ReceptiveField | None:
    """None once the tensor is flat: a dense unit sees the whole input."""
    if not node.inputs:  # the network's input
        return ReceptiveField.of_input() if len(node.shape) == 3 else None
    incoming = [rf for rf in (rfs[i] for i in node.inputs) if rf is not None]
    if len(node.shape) != 3 or len(incoming) != len(node.inputs):
        return None
    if len(incoming) > 1:
        misaligned = misalignment(spatial_branches(incoming, in_shapes))
        if misaligned:
            warnings.append(misaligned)
    return op.receptive_field(node.options, in_shapes, incoming, node.window)


def analyze(graph: Graph, conventions: Conventions | None = None) -> Analysis:
    conventions = conventions or Conventions()
    rfs: dict[str, ReceptiveField | None] = {}
    computed = [(metric.key, metric.per_layer) for metric in metrics.per_layer() if metric.per_layer is not None]
    rows = [_layer_row(node, graph, conventions, rfs, computed) for node in graph.nodes]
    inference = [row for row in rows if not row.training_only]
    auxiliary = [row for row in rows if row.training_only]
    return Analysis(
        name=graph.name, path=graph.path, source=graph.source, input_shape=graph.input_shape,
        conventions=conventions, layers=rows, totals=Totals.of(inference, conventions),
        training_only_totals=Totals.of(auxiliary, conventions) if auxiliary else None,
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


def tree_rows(analysis: Analysis, depth: int | None = None) -> list[LayerRow]:
    """The rows as the tree shows them, in execution order: each module's header row (kind "module",
    its totals from `scope_groups`) above its rows, down to `depth` (None: every layer), below which
    modules are folded into one row each (`collapse`)."""
    groups = scope_groups(analysis)
    opened: set[tuple[str, ...]] = set()
    rows: list[LayerRow] = []
    for row in analysis.layers if depth is None else collapse(analysis, depth):
        for prefix in (row.scope[:level] for level in range(1, len(row.scope) + 1)):
            if prefix not in opened:
                opened.add(prefix)
                rows.append(replace(groups[prefix], kind="module"))
        rows.append(row)
    return rows


def take_slice(analysis: Analysis, first: str | None, last: str | None) -> Analysis:
    """The layers from `first` to `last` (inclusive, in execution order; None: the network's first or
    last) with their own totals: "224 -> 28" figures of the lecture notes. A name is a layer's full name,
    its short name when no other layer has it, or a module's (its first layer for `first`, its last for
    `last`); anything else is a usage error."""
    start = _position(analysis, first, "--from", last=False) if first is not None else 0
    end = _position(analysis, last, "--to", last=True) if last is not None else len(analysis.layers) - 1
    rows = analysis.layers
    if start > end:
        raise UsageError(f"--from {first} comes after --to {last} in execution order; swap them")
    chosen = rows[start:end + 1]
    inference = [row for row in chosen if not row.training_only]
    auxiliary = [row for row in chosen if row.training_only]
    return replace(analysis, layers=chosen, totals=Totals.of(inference, analysis.conventions),
                   training_only_totals=Totals.of(auxiliary, analysis.conventions) if auxiliary else None,
                   span=(chosen[0].name, chosen[-1].name))


def _position(analysis: Analysis, name: str, option: str, last: bool) -> int:
    """Where `name` (read by `graph.find_layers`: a module stands for its first or last layer) is in
    execution order."""
    names = find_layers(analysis.layers, name, option)
    return next(i for i, row in enumerate(analysis.layers) if row.name == names[-1 if last else 0])


def _new_group(key: tuple[str, ...], first: LayerRow, analysis: Analysis) -> LayerRow:
    path = "/".join(key)
    return LayerRow(
        name=path, type=analysis.scope_kinds.get(path, "block"), output_shape=first.output_shape,
        inputs=list(first.inputs), values=dict.fromkeys(first.values, 0), weights=0, biases=0, allocates=False,
        receptive_field=first.receptive_field, scope=key[:-1], frozen=True, training_only=first.training_only,
        kind="group",
    )


def _fold(group: LayerRow, row: LayerRow) -> None:
    """Add a layer into its module's row, each metric as its totals add up; the module's output is its
    last layer's (and so is a metric that has no total)."""
    group.weights += row.weights
    group.biases += row.biases
    group.allocates = group.allocates or row.allocates
    for metric in metrics.per_layer():
        value, key = row.values[metric.key], metric.key
        if metric.aggregate == "none":
            group.values[key] = value
        elif metric.aggregate == "max":
            group.values[key] = max(group.values[key], value)
        else:
            group.values[key] += value
    group.output_shape = row.output_shape
    group.receptive_field = row.receptive_field
    group.frozen = group.frozen and row.frozen
    group.training_only = group.training_only and row.training_only
    group.warnings.extend(f"{row.name.rsplit('/', 1)[-1]}: {w}" for w in row.warnings)
