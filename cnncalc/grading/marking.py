"""Mark one written answer (`conv1.params: 35K`) against the analysis of a spec.

Shared by `cnncalc grade` (answer sheets) and `cnncalc check` (`expect:` blocks): both ask
"is what is written here the true value of this quantity, at the precision it was written?".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnncalc.analysis import Analysis, LayerRow
from cnncalc.errors import Location
from cnncalc.grading.values import (
    Quantity,
    UnreadableValue,
    parse_count,
    parse_memory,
    parse_receptive_field,
    parse_shape,
)
from cnncalc.graph import Graph
from cnncalc.spec.validate import did_you_mean
from cnncalc.units import human_bytes, rf_text, shape_text

LAYER_ITEMS = ("output_shape", "params", "macs", "flops", "memory", "receptive_field")
TOTAL_ITEMS = ("output_shape", "params", "trainable_params", "macs", "flops", "memory")


@dataclass
class Mark:
    """One answered item: right or wrong (None when it could not be marked), and why."""

    item: str                  # "conv1.params", "total.macs"
    answer: str                # as the student wrote it
    right: bool | None
    expected: str = ""         # the true value, written like the answer
    problem: str = ""          # why it could not be marked (unknown layer, unreadable value)
    working: str = ""          # the arithmetic, for a wrong answer
    location: Location | None = None


class UnknownLayer(LookupError):
    pass


class AnswerKey:
    """The truth for one spec under one set of conventions: what answers are marked against."""

    def __init__(self, graph: Graph, analysis: Analysis):
        self.graph = graph
        self.analysis = analysis
        self.rows = {row.name: row for row in analysis.layers}
        from cnncalc.render.explain import Explainer

        self.explainer = Explainer(graph, analysis)
        self._by_local: dict[str, list[str]] = {}
        for row in analysis.layers:
            for alias in {row.name.lower(), row.name.rsplit("/", 1)[-1].lower()}:
                self._by_local.setdefault(alias, []).append(row.name)

    def layer(self, name: str) -> LayerRow:
        """A layer by its full name ('inception_3a/branch2/conv2') or a unique short name ('conv1')."""
        if name in self.rows:
            return self.rows[name]
        matches = self._by_local.get(str(name).lower(), [])
        if len(matches) == 1:
            return self.rows[matches[0]]
        if matches:
            raise UnknownLayer(f"'{name}' is ambiguous: {', '.join(matches[:4])}")
        raise UnknownLayer(f"no layer '{name}' in {self.analysis.name}{did_you_mean(name, self.rows)}")

    def mark(self, layer: str | None, item: str, raw: Any, tolerance: float = 0.0,
             location: Location | None = None) -> Mark:
        """Mark `raw` as the value of `item` for `layer` (None: the whole network's totals)."""
        label = f"{layer if layer is not None else 'total'}.{item}"
        answer = _shown(raw)
        allowed = LAYER_ITEMS if layer is not None else TOTAL_ITEMS
        if item not in allowed:
            return Mark(label, answer, None, problem=f"unknown item '{item}'{did_you_mean(item, allowed)} (items: {', '.join(allowed)})", location=location)
        try:
            row = self.layer(layer) if layer is not None else None
        except UnknownLayer as exc:
            return Mark(label, answer, None, problem=str(exc), location=location)
        label = f"{row.name}.{item}" if row else label  # 'Conv1' and 'conv1' are one question
        try:
            right, expected = self._judge(row, item, raw, tolerance)
        except UnreadableValue as exc:
            return Mark(label, answer, None, problem=str(exc), location=location)
        mark = Mark(label, answer, right, expected, location=location)
        if not right:
            from cnncalc.grading.working import working

            mark.working = working(self, row, item)
        return mark

    # -- the truth of each item ---------------------------------------------------------------

    def _judge(self, row: LayerRow | None, item: str, raw: Any, tolerance: float) -> tuple[bool, str]:
        conventions = self.analysis.conventions
        totals = self.analysis.totals
        if item == "output_shape":
            truth = row.output_shape if row else self._output_shape()
            answer = parse_shape(raw, conventions.layout)
            expected = shape_text(truth, conventions.layout)
            if answer != truth and len(truth) == 3 and parse_shape(raw, "chw" if conventions.layout == "hwc" else "hwc") == truth:
                expected += f" (the answer is in {'CxHxW' if conventions.layout == 'hwc' else 'HxWxC'} order; the key reads {'HxWxC' if conventions.layout == 'hwc' else 'CxHxW'})"
            return answer == truth, expected
        if item == "receptive_field":
            field = row.receptive_field
            truth_rf = None if field is None else field.size
            answer_rf = parse_receptive_field(raw)
            right = answer_rf == truth_rf if truth_rf is None or answer_rf is None else all(
                abs(a - t) <= tolerance * t + 1e-9 for a, t in zip(answer_rf, truth_rf))
            return right, rf_text(field) if field else "all (a dense unit sees the whole input)"
        if item == "memory":
            quantity = parse_memory(raw, conventions.units)
            if quantity.is_bytes:
                truth = row.output_elements * conventions.bytes_per_element if row else totals.activation_bytes
                return quantity.matches(truth, tolerance), _bytes_expected(truth, quantity, conventions.units)
            truth = row.output_elements if row else totals.activation_elements
            return quantity.matches(truth, tolerance), _count_expected(truth, quantity) + " values"
        truth = getattr(row if row else totals, item)
        quantity = parse_count(raw)
        return quantity.matches(truth, tolerance), _count_expected(truth, quantity)

    def _output_shape(self) -> tuple[int, ...]:
        outputs = self.analysis.outputs
        if len(outputs) != 1:
            raise UnreadableValue(f"the network has {len(outputs)} outputs: give each layer's output_shape instead")
        return self.rows[outputs[0]].output_shape


def _shown(raw: Any) -> str:
    if isinstance(raw, list):
        return "[" + ", ".join(str(v) for v in raw) + "]"
    return str(raw)


def _count_expected(truth: float, quantity: Quantity) -> str:
    exact = f"{round(truth):,}"
    return f"{exact} ({quantity.written_like(truth)})" if quantity.half_step else exact


def _bytes_expected(truth: int, quantity: Quantity, units: str) -> str:
    shown = quantity.written_like(truth) if quantity.half_step else human_bytes(truth, units)
    return f"{truth:,} B ({shown})"
