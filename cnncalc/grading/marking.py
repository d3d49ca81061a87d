"""Mark one written answer (`conv1.params: 35K`) against the analysis of a spec.

Shared by `cnncalc grade` (answer sheets) and `cnncalc check` (`expect:` blocks): both ask
"is what is written here the true value of this quantity, at the precision it was written?".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnncalc import metrics
from cnncalc.analysis import Analysis, LayerRow, scope_groups
from cnncalc.errors import Location
from cnncalc.grading.values import (
    Quantity,
    UnreadableValue,
    parse_count,
    parse_memory,
    parse_receptive_field,
    parse_shape,
    rounding_hint,
    short,
)
from cnncalc.graph import Graph
from cnncalc.suggest import did_you_mean
from cnncalc.units import human_bytes, rf_text, shape_text


def layer_items() -> tuple[str, ...]:
    """What a sheet may ask of a layer: its shape, each metric's item, its receptive field."""
    asked = (m.sheet_item for m in metrics.sheet_items() if m.sheet_item and m.sheet_per_layer)
    return ("output_shape", *asked, "receptive_field")


def total_items() -> tuple[str, ...]:
    """What a sheet may ask of the whole network: the output shape and each metric's total."""
    return ("output_shape", *(m.sheet_item for m in metrics.sheet_items() if m.sheet_item))


@dataclass
class Mark:
    """One answered item: right or wrong (None when it could not be marked), and why."""

    item: str                  # "conv1.params", "total.macs", "inception_3a.params"
    answer: str                # as the student wrote it
    right: bool | None
    expected: str = ""         # the true value, written like the answer
    problem: str = ""          # why it could not be marked (unknown layer, unreadable value)
    working: str = ""          # the arithmetic, for a wrong answer
    location: Location | None = None
    hint: str = ""             # how to write it, when a wrong exact answer is the truth rounded
    # wrong, but worked out right from the student's own earlier wrong answer (`grade --carry-errors`):
    # from what, and the working with the student's figures; `right` stays False, scoring decides its worth
    follows: str = ""


class UnknownLayer(LookupError):
    pass


class UnknownItem(LookupError):
    pass


class AnswerKey:
    """The truth for one spec under one set of conventions: what answers are marked against.

    A layer is named as in the spec; a module or stage (`inception_3a`, `layer1`,
    `layer1/bottleneck1`) stands for its layers together, as `summary --depth` folds them: params,
    MACs and memory added up, the output shape and receptive field its last layer's."""

    def __init__(self, graph: Graph, analysis: Analysis):
        self.graph = graph
        self.analysis = analysis
        self.rows = {row.name: row for row in analysis.layers}
        self.groups = {row.name: row for row in scope_groups(analysis).values() if row.name not in self.rows}
        from cnncalc.render.explain import Explainer

        self.explainer = Explainer(graph, analysis)
        self._by_local: dict[str, list[str]] = {}
        for name in (*self.rows, *self.groups):
            for alias in {name.lower(), name.rsplit("/", 1)[-1].lower()}:
                self._by_local.setdefault(alias, []).append(name)

    def layer(self, name: str) -> LayerRow:
        """A layer by its full name ('inception_3a/branch2/conv2') or a unique short name ('conv1'),
        or a module by its path ('inception_3a', 'layer1/bottleneck1'): a row of its totals."""
        found = self.rows.get(name) or self.groups.get(name)
        if found is not None:
            return found
        matches = self._by_local.get(str(name).lower(), [])
        if len(matches) == 1:
            return self.rows.get(matches[0]) or self.groups[matches[0]]
        if matches:
            raise UnknownLayer(f"'{name}' is ambiguous: {', '.join(matches[:4])}")
        names = (*self.rows, *self.groups)
        raise UnknownLayer(f"no layer or module '{name}' in {self.analysis.name}{did_you_mean(name, names)}")

    def members(self, group: LayerRow) -> list[LayerRow]:
        """The layers a module's row folds together, in order."""
        scope = tuple(group.name.split("/"))
        return [row for row in self.analysis.layers if row.scope[: len(scope)] == scope]

    def label(self, layer: str | None, item: str) -> str:
        """The question `item` of `layer` as the key names it ('Conv1' and 'conv1' are one question):
        'conv1.params', 'total.params'; UnknownLayer or UnknownItem when the key has no such question."""
        allowed = layer_items() if layer is not None else total_items()
        if item not in allowed:
            raise UnknownItem(f"unknown item '{item}'{did_you_mean(item, allowed)} (items: {', '.join(allowed)})")
        return f"{self.layer(layer).name if layer is not None else 'total'}.{item}"

    def order(self, label: str) -> tuple[int, int, int]:
        """Where a question stands in a class's columns: in layer order (a module after its layers),
        each layer's items in their sheet order, the totals last."""
        layer, _, item = label.rpartition(".")
        if layer == "total":
            return (len(self.rows), 0, total_items().index(item))
        row = self.layer(layer)
        last = self.members(row)[-1].name if row.kind == "group" else row.name
        return (list(self.rows).index(last), int(row.kind == "group"), layer_items().index(item))

    def mark(self, layer: str | None, item: str, raw: Any, tolerance: float = 0.0,
             location: Location | None = None) -> Mark:
        """Mark `raw` as the value of `item` for `layer` (None: the whole network's totals)."""
        answer = _shown(raw)
        try:
            label = self.label(layer, item)
        except (UnknownLayer, UnknownItem) as exc:
            return Mark(f"{layer if layer is not None else 'total'}.{item}", answer, None, problem=str(exc),
                        location=location)
        row = self.layer(layer) if layer is not None else None
        try:
            right, expected, hint = self._judge(row, item, raw, tolerance)
        except UnreadableValue as exc:
            return Mark(label, answer, None, problem=str(exc), location=location)
        mark = Mark(label, answer, right, expected, location=location, hint=hint)
        if not right:
            from cnncalc.grading.working import working

            mark.working = working(self, row, item)
        return mark

    # -- the truth of each item ---------------------------------------------------------------

    def _judge(self, row: LayerRow | None, item: str, raw: Any, tolerance: float) -> tuple[bool, str, str]:
        """Is `raw` the truth of `item`? The truth, written like the answer, and a hint on how to write it."""
        if item == "output_shape":
            return (*self._judge_shape(row.output_shape if row else self._output_shape(), raw), "")
        if item == "receptive_field":
            assert row is not None, "a receptive field is asked of a layer"
            return (*self._judge_receptive_field(row, raw, tolerance), "")
        metric = metrics.by_sheet_item(item)
        assert metric is not None, f"'{item}' is a sheet item of no metric"
        truth = row.values[metric.key] if row else self.analysis.totals.values[metric.totalled]
        units = self.analysis.conventions.units
        if metric.bytes_per_value or metric.unit == "bytes":
            quantity = parse_memory(raw, units)
            if metric.bytes_per_value and not quantity.is_bytes:  # values, as cs231n writes "memory: 3.2M"
                return _judge_count(quantity, truth, tolerance, " values")
            if metric.bytes_per_value:
                truth *= self.analysis.conventions.bytes_per_element
            return quantity.matches(truth, tolerance), _bytes_expected(truth, quantity, units), ""
        return _judge_count(parse_count(raw), truth, tolerance)

    def _judge_shape(self, truth: tuple[int, ...], raw: Any) -> tuple[bool, str]:
        layout = self.analysis.conventions.layout
        answer = parse_shape(raw, layout)
        expected = shape_text(truth, layout)
        other = "chw" if layout == "hwc" else "hwc"
        if answer != truth and len(truth) == 3 and parse_shape(raw, other) == truth:
            written, read = ("CxHxW", "HxWxC") if layout == "hwc" else ("HxWxC", "CxHxW")
            expected += f" (the answer is in {written} order; the key reads {read})"
        return answer == truth, expected

    @staticmethod
    def _judge_receptive_field(row: LayerRow, raw: Any, tolerance: float) -> tuple[bool, str]:
        field = row.receptive_field
        truth = None if field is None else field.size
        answer = parse_receptive_field(raw)
        if truth is None or answer is None:
            right = answer == truth
        else:
            right = all(abs(a - t) <= tolerance * t + 1e-9 for a, t in zip(answer, truth, strict=True))
        return right, rf_text(field) if field else "all (a dense unit sees the whole input)"

    def _output_shape(self) -> tuple[int, ...]:
        outputs = self.analysis.outputs
        if len(outputs) != 1:
            raise UnreadableValue(f"the network has {len(outputs)} outputs: give each layer's output_shape instead")
        return self.rows[outputs[0]].output_shape


def _shown(raw: Any) -> str:
    """An answer as written (a list as [a, b]); thousands of digits are cut short."""
    if isinstance(raw, list):
        return "[" + ", ".join(_shown(v) for v in raw) + "]"
    return short(raw)


def _judge_count(quantity: Quantity, truth: float, tolerance: float, unit: str = "") -> tuple[bool, str, str]:
    right = quantity.matches(truth, tolerance)
    return right, _count_expected(truth, quantity) + unit, "" if right else rounding_hint(quantity, truth)


def _count_expected(truth: float, quantity: Quantity) -> str:
    exact = f"{round(truth):,}"
    return f"{exact} ({quantity.written_like(truth)})" if quantity.half_step else exact


def _bytes_expected(truth: int, quantity: Quantity, units: str) -> str:
    shown = quantity.written_like(truth) if quantity.half_step else human_bytes(truth, units)
    return f"{truth:,} B ({shown})"
