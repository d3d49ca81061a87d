"""Every figure the analyzer reports, declared once: its key, its words, its unit, how it is
computed for a layer and how layers add up to the network's total, and where it appears (table
column, JSON and CSV name, `check` budget, answer-sheet item, `compare` rows and bars).

The analyzer computes the metrics in the order declared here (a metric may read the ones before
it); the renderers, `check`, `grade` and `compare` read this list and name no metric themselves.
Adding a metric is one `Metric(...)` below (or `register(...)`) and its computation, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cnncalc.conventions import OPTIMIZER_STATE, Conventions
from cnncalc.formulas import Step, dot, per_batch

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.analysis import LayerRow
    from cnncalc.ops.base import ParamCount

Unit = Literal["count", "bytes"]
Aggregate = Literal["sum", "max", "none"]  # how layers add up to the total ("none": no total)
Cell = Literal["exact", "short"]           # a count written 1,792 or 1.79K
Form = Literal["exact", "short", "both"]   # 1,792 / 1.79K / 1,792 (1.79K); bytes: 12,845,056 B / 12.25 MiB / both


@dataclass(slots=True)
class LayerFacts:
    """What the analyzer knows of one layer before any metric: the op's own counts, per sample."""

    counts: ParamCount      # weights, biases, buffers (before the bias and bn_stats conventions)
    macs: int               # multiply-accumulates per sample
    other_ops: int          # comparisons, additions, elementwise ops per sample
    elements: int           # output elements per sample
    allocates: bool         # holds memory of its own (`Op.holds_memory`): the one rule for every memory figure
    frozen: bool
    conventions: Conventions


PerLayer = Callable[[LayerFacts, dict[str, int]], int]  # (facts, the metrics computed before it)
FromTotals = Callable[[dict[str, int], Conventions], int]


@dataclass(frozen=True)
class Metric:
    key: str                          # JSON and CSV name of the per-layer value (and of the total)
    label: str                        # in sentences: "6.0x the activation memory", "over budget: params ..."
    unit: Unit = "count"
    per_layer: PerLayer | None = None  # None: a total derived from other totals (`from_totals`)
    from_totals: FromTotals | None = None
    aggregate: Aggregate = "sum"
    total_key: str | None = None      # the total's JSON name when it differs from the layer's
    column: str | None = None         # header of its column in the summary table (None: no column)
    cell: Cell = "short"              # how a count reads in a table cell and a short sentence
    chart: int | None = None          # position among the bar charts of `compare` and `--plot`
    compared: str | None = None       # row label in `compare`'s totals table
    budget: str | None = None         # `check` budget name (spec `budget:` key, --max-... option)
    per_image: bool = False           # budgets and `check` totals divide it by the batch
    budget_example: str = "25M"       # a limit as written in --help: 25M, 4G, 2GiB
    sheet_item: str | None = None     # the answer-sheet and `expect:` item that asks for it
    sheet_per_layer: bool = True      # False: the item is asked of the network's total only
    bytes_per_value: bool = False     # a count of tensor values: answers in bytes mean values x dtype size
    working: Callable[[LayerRow, Conventions], Step | None] | None = None  # its arithmetic for `explain`
    worked_by: tuple[str, ...] = ()   # the `explain` steps (by how their names begin) that work it out
    relation: tuple[str, str] | None = None  # (metric key, words): it follows from another metric's figure
    none_text: str = ""               # the working when no step works it out, for a layer of op `{op}`

    def __post_init__(self) -> None:
        if (self.per_layer is None) == (self.from_totals is None):
            raise ValueError(f"metric '{self.key}': give exactly one of per_layer and from_totals")

    @property
    def totalled(self) -> str:
        """The key of its total."""
        return self.total_key or self.key

    def written(self, value: int, units: str = "iec", form: Form = "short") -> str:
        """The value as people read it, in the metric's unit."""
        from cnncalc.units import count_with_magnitude, human_bytes, human_count

        if self.unit == "bytes":
            return {"exact": f"{value:,} B", "short": human_bytes(value, units),
                    "both": f"{value:,} B ({human_bytes(value, units)})"}[form]
        return {"exact": f"{value:,}", "short": human_count(value), "both": count_with_magnitude(value)}[form]

    def cell_text(self, value: int, units: str) -> str:
        """Its summary-table cell: exact counts always, rounded figures with '-' for nothing."""
        if self.cell == "exact" and self.unit == "count":
            return f"{value:,}"
        return self.written(value, units) if value else "-"

    @property
    def option(self) -> str | None:
        """Its `check` command-line option: max_activation_memory -> --max-activation-memory."""
        return None if self.budget is None else "--" + self.budget.replace("_", "-")


# -- the computations ---------------------------------------------------------------------------


def _params(f: LayerFacts, _: dict[str, int]) -> int:
    biases = f.counts.biases if f.conventions.bias else 0
    buffers = f.counts.buffers if f.conventions.bn_stats == "keras" else 0
    return f.counts.weights + biases + buffers


def _trainable(f: LayerFacts, _: dict[str, int]) -> int:
    return 0 if f.frozen else f.counts.weights + (f.counts.biases if f.conventions.bias else 0)


def _held_values(f: LayerFacts, _: dict[str, int]) -> int:
    """The values a layer holds (× batch): its output's, or none for a layer that holds no memory of its
    own (a view without --count-views, dropout, the input under --no-count-input). Every memory figure,
    the table's, the totals', `grade`'s and `check`'s, follows from this one."""
    return f.elements * f.conventions.batch if f.allocates else 0


def _memory_working(row: LayerRow, conventions: Conventions) -> Step | None:
    """H·W·C × bytes per value (× batch): the slides' "memory" line."""
    value = row.values["activation_bytes"]
    if not value:
        return None
    shape = row.output_shape
    dims = shape[1:] + shape[:1] if len(shape) == 3 else shape
    size = conventions.bytes_per_element
    formula, expression = per_batch(f"{'H·W·C' if len(shape) == 3 else 'N'} × {size} B", f"{dot(*dims)} × {size}",
                                    conventions.batch)
    return Step("memory", formula, expression, value, "B")


METRICS: list[Metric] = [
    Metric("params", "params", per_layer=_params, column="Params", cell="exact", chart=1, compared="Params",
           budget="max_params", sheet_item="params", worked_by=("params",), none_text="{op} has no parameters: 0"),
    Metric("trainable_params", "trainable params", per_layer=_trainable, cell="exact", sheet_item="trainable_params",
           sheet_per_layer=False),
    Metric("non_trainable_params", "non-trainable params", per_layer=lambda f, v: v["params"] - v["trainable_params"],
           cell="exact"),
    Metric("macs", "MACs", per_layer=lambda f, v: f.macs * f.conventions.batch, column="MACs", chart=2,
           compared="MACs", budget="max_macs", per_image=True, budget_example="4G", sheet_item="macs",
           worked_by=("MACs",), none_text="{op} does no multiply-accumulates: 0"),
    Metric("flops", "FLOPs", per_layer=lambda f, v: 2 * v["macs"], compared="FLOPs", sheet_item="flops",
           worked_by=("MACs",), relation=("macs", "FLOPs = 2 x MACs")),
    Metric("other_ops", "other ops", per_layer=lambda f, v: f.other_ops * f.conventions.batch),
    Metric("output_elements", "activation values", per_layer=_held_values,
           total_key="activation_elements", cell="exact", sheet_item="memory",
           bytes_per_value=True, worked_by=("memory",)),
    Metric("activation_bytes", "activation memory", "bytes",
           per_layer=lambda f, v: v["output_elements"] * f.conventions.bytes_per_element,
           column="Memory", chart=0, compared="Activation memory", budget="max_activation_memory",
           budget_example="2GiB", working=_memory_working),
    Metric("param_bytes", "parameter memory", "bytes", from_totals=lambda t, c: t["params"] * c.bytes_per_element,
           compared="Parameter memory"),
    Metric("gradient_bytes", "gradient memory", "bytes",
           from_totals=lambda t, c: t["trainable_params"] * c.bytes_per_element),
    Metric("optimizer_bytes", "optimizer state", "bytes",
           from_totals=lambda t, c: t["trainable_params"] * c.bytes_per_element * OPTIMIZER_STATE[c.optimizer]),
    Metric("training_bytes", "training memory", "bytes",
           from_totals=lambda t, c: 2 * t["activation_bytes"] + t["param_bytes"] + t["gradient_bytes"]
           + t["optimizer_bytes"]),
]

# The totals in words under the table (summary, markdown): `{key:form}` is a total written as
# `Metric.written` writes it (form exact, short or both); `{optimizer}` is the convention.
TOTALS_TEXT = (
    "Params: {params:both}; trainable {trainable_params:exact}, non-trainable {non_trainable_params:exact}",
    "MACs: {macs:both}; FLOPs: {flops:short}",
    "Activations: {activation_elements:exact} values = {activation_bytes:short} forward; params {param_bytes:short}",
    "Training estimate ({optimizer}): {training_bytes:short} = 2 x activations + params + gradients "
    "{gradient_bytes:short} + optimizer state {optimizer_bytes:short}",
)
TRAINING_ONLY_TEXT = (
    "Training-only layers (auxiliary heads), not in the totals: {params:exact} params, {macs:short} MACs",
)


def register(metric: Metric) -> Metric:
    """Add a metric after the built-in ones (a plugin, or a test's throwaway metric)."""
    if any(m.key == metric.key for m in METRICS):
        raise ValueError(f"a metric '{metric.key}' is already declared")
    METRICS.append(metric)
    return metric


def unregister(key: str) -> None:
    METRICS[:] = [m for m in METRICS if m.key != key]


def per_layer() -> list[Metric]:
    """The metrics every layer row carries (JSON rows and CSV columns, in this order)."""
    return [m for m in METRICS if m.per_layer is not None]


def totalled() -> list[Metric]:
    """The metrics with a network total (JSON `totals`, in this order)."""
    return [m for m in METRICS if m.aggregate != "none"]


def columns() -> list[Metric]:
    return [m for m in METRICS if m.column is not None]


def charted() -> list[Metric]:
    return sorted((m for m in METRICS if m.chart is not None), key=lambda m: m.chart or 0)


def compared() -> list[Metric]:
    return [m for m in METRICS if m.compared is not None]


def budgeted() -> list[Metric]:
    return [m for m in METRICS if m.budget is not None]


def sheet_items() -> list[Metric]:
    return [m for m in METRICS if m.sheet_item is not None]


def by_total(key: str) -> Metric:
    """A metric by the key of its total (activation_elements is the total of output_elements)."""
    return next(m for m in METRICS if m.totalled == key)


def by_budget(name: str) -> Metric:
    return next(m for m in METRICS if m.budget == name)


def by_sheet_item(item: str) -> Metric | None:
    return next((m for m in METRICS if m.sheet_item == item), None)


def workings() -> Iterator[Metric]:
    return (m for m in METRICS if m.working is not None)


def totals_text(lines: tuple[str, ...], totals: dict[str, int], conventions: Conventions) -> list[str]:
    """Fill `TOTALS_TEXT`-style lines with the totals, each written in its metric's unit."""
    import string

    filled = []
    for line in lines:
        parts = []
        for literal, field, form, _ in string.Formatter().parse(line):
            parts.append(literal)
            if field == "optimizer":
                parts.append(conventions.optimizer)
            elif field is not None:
                parts.append(by_total(field).written(totals[field], conventions.units, form or "both"))  # type: ignore[arg-type]
        filled.append("".join(parts))
    return filled
