"""The CI gate behind `cnncalc check`: does a spec build, does it fit its budgets and meet what it
promises (`expect:`)? Every finding is a `Problem` that points at a line of a file.

A spec may carry its own limits and promises:

    budget:                       # checked at this batch size and dtype (default 1, fp32)
      max_params: 25M
      max_macs: 4.1G              # per image
      max_activation_memory: 2GiB
      batch: 32
      dtype: fp16
    expect:                       # read like answer sheets: 25557032 is exact, 25.6M is rounded
      params: 25557032
      layers:
        conv1: {output_shape: 112x112x64}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from cnncalc import metrics
from cnncalc.analysis import Analysis, analyze
from cnncalc.conventions import DTYPE_BYTES, Conventions, Dtype
from cnncalc.errors import CnnCalcError, Location
from cnncalc.grading.marking import AnswerKey, layer_items, total_items
from cnncalc.grading.values import UnreadableValue, parse_budget, parse_count
from cnncalc.graph import Graph
from cnncalc.limits import MAX_BATCH
from cnncalc.loading import Section
from cnncalc.spec.yaml_loader import LocDict
from cnncalc.suggest import did_you_mean

CONDITIONS = ("batch", "dtype")  # what a spec's budget is measured under, beside the metrics' limits


def budget_keys() -> tuple[str, ...]:
    """The keys of a spec's `budget:` block: one limit per budgeted metric, then the conditions."""
    return (*(m.budget for m in metrics.budgeted() if m.budget), *CONDITIONS)


Severity = Literal["error", "warning"]
# what found it: building, a budget, an expectation, a layer warning
ProblemKind = Literal["spec", "budget", "expect", "warning"]


@dataclass
class Problem:
    message: str
    location: Location
    layer: str | None = None
    severity: Severity = "error"
    kind: ProblemKind = "spec"

    def __str__(self) -> str:
        layer = f"layer '{self.layer}': " if self.layer else ""
        return f"{self.location}: {self.severity}: {layer}{self.message}"


@dataclass
class Budget:
    """Limits and the conditions they are measured under; `where` locates each limit's source."""

    limits: dict[str, int] = field(default_factory=dict)
    batch: int = 1
    dtype: Dtype = "fp32"
    where: dict[str, Location] = field(default_factory=dict)


@dataclass
class Report:
    path: str
    problems: list[Problem] = field(default_factory=list)
    analysis: Analysis | None = None

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def check_spec(ref: str, command_budget: Budget, expect_file: tuple[Any, str] | None = None,
               conventions: Conventions | None = None, strict: bool = False) -> Report:
    """Check one spec: build it, then its warnings, its budgets (its own and the command line's)
    and its expectations (its own `expect:` and those of `--expect FILE`)."""
    from cnncalc.loading import display_path, load, resolve

    path = resolve(ref)  # a missing spec is a usage error (exit 2), not a failed check
    report = Report(display_path(path))
    conventions = conventions or Conventions()
    try:
        model = load(path)
    except CnnCalcError as exc:
        report.problems.append(Problem(exc.message, exc.location or Location(report.path), exc.layer))
        return report
    graph = model.graph
    report.analysis = analyze(graph, conventions)
    for layer, message in report.analysis.warnings:
        severity: Severity = "error" if strict else "warning"
        report.problems.append(Problem(message, graph.node(layer).location, layer, severity, "warning"))
    spec_budget = _read_budget(model.budget, report)
    for budget in (spec_budget, command_budget):
        if budget is not None and budget.limits:
            report.problems.extend(_over_budget(graph, report.analysis, budget, report.path))
    key = AnswerKey(graph, report.analysis)
    if model.expect is not None:
        report.problems.extend(_unmet(key, model.expect.value, model.expect.where))
    if expect_file is not None:
        report.problems.extend(_unmet(key, expect_file[0], Location(expect_file[1], 1, 1)))
    return report


def budget_from_options(limits: dict[str, str | None], batch: int, dtype: Dtype, units: str) -> Budget:
    """The command line's --max-* options (raises UnreadableValue for a bad number)."""
    budget = Budget(batch=batch, dtype=dtype)
    for name, text in limits.items():
        if text is not None:
            budget.limits[name] = parse_budget(text, memory=metrics.by_budget(name).unit == "bytes", units=units)
    return budget


def _read_budget(spec_budget: Section | None, report: Report) -> Budget | None:
    """A spec's own `budget:` block (problems in it are reported, not raised)."""
    if spec_budget is None or spec_budget.value is None:
        return None
    section, where = spec_budget.value, spec_budget.where
    keys = budget_keys()
    if not isinstance(section, LocDict):
        report.problems.append(Problem(f"'budget' must be a mapping of {', '.join(keys)}", where, kind="budget"))
        return None
    budget = Budget()
    for key, value in section.items():
        at = section.where(key)
        if key not in keys:
            message = f"budget: unknown key '{key}'{did_you_mean(key, keys)} (allowed: {', '.join(keys)})"
            report.problems.append(Problem(message, at, kind="budget"))
        elif key == "dtype":
            if value not in DTYPE_BYTES:
                message = f"budget: dtype must be one of {', '.join(DTYPE_BYTES)}, got {value!r}"
                report.problems.append(Problem(message, at, kind="budget"))
            else:
                budget.dtype = value
        else:
            try:
                if key == "batch":
                    budget.batch = _batch(value)
                else:
                    budget.limits[key] = parse_budget(value, memory=metrics.by_budget(key).unit == "bytes")
                    budget.where[key] = at
            except UnreadableValue as exc:
                report.problems.append(Problem(f"budget: {key}: {exc}", at, kind="budget"))
    return budget


def _batch(raw: Any) -> int:
    """A budget's batch as written (32, 1,024, 2K), read like every other number."""
    value = parse_count(raw).value
    if not value.is_integer() or not 1 <= value <= MAX_BATCH:
        raise UnreadableValue(f"a batch is a whole number from 1 to {MAX_BATCH:,}, got {raw!r}")
    return int(value)


def _over_budget(graph: Graph, analysis: Analysis, budget: Budget, path: str) -> list[Problem]:
    """Measured at the budget's batch and dtype (analysed again only when those differ)."""
    conventions = replace(analysis.conventions, batch=budget.batch, dtype=budget.dtype)
    if conventions != analysis.conventions:
        analysis = analyze(graph, conventions)
    problems = []
    for name, limit in budget.limits.items():
        metric = metrics.by_budget(name)
        value = measured(metric, analysis)
        if value > limit:
            what = metric.label + (" per image" if metric.per_image else "")
            if metric.unit == "bytes":
                what += f" at batch {budget.batch}, {budget.dtype}"
            source = "" if name in budget.where else f" ({metric.option})"
            shown = f"{metric.written(value, form='both')} exceed {name} {metric.written(limit, form='both')}"
            problems.append(Problem(f"over budget: {what} {shown}{source}", budget.where.get(name, Location(path)),
                                    kind="budget"))
    return problems


def measured(metric: metrics.Metric, analysis: Analysis) -> int:
    """A budgeted metric's total, per image when its budget is per image."""
    value = analysis.totals[metric.totalled]
    return value // analysis.conventions.batch if metric.per_image else value


def _unmet(key: AnswerKey, section: Any, where: Location) -> list[Problem]:
    """Each expectation that is not met, or cannot be read, is an error at its line."""
    if not isinstance(section, dict):
        return [Problem(f"'expect' must be a mapping of {', '.join((*total_items(), 'layers'))}", where, kind="expect")]
    problems = []
    items: list[tuple[str | None, str, Any, Location]] = []
    for item, raw in section.items():
        at = section.where(item) if hasattr(section, "where") else where
        if item != "layers":
            items.append((None, item, raw, at))
        elif not isinstance(raw, LocDict):
            problems.append(Problem("expect: 'layers' must map layer names to expectations", at, kind="expect"))
        else:
            for layer, expected in raw.items():
                layer_at = raw.where(layer)
                if not isinstance(expected, LocDict):
                    message = f"expect: layer '{layer}' must map items ({', '.join(layer_items())}) to values"
                    problems.append(Problem(message, layer_at, kind="expect"))
                    continue
                items.extend((str(layer), k, v, expected.where(k)) for k, v in expected.items())
    for layer, item, raw, at in items:
        mark = key.mark(layer, item, raw, location=at)
        if mark.right is None:
            problems.append(Problem(f"expect: {mark.item}: {mark.problem}", at, kind="expect"))
        elif not mark.right:
            what = item if layer else f"total {item}"
            message = f"expected {what} {mark.answer}, but it is {mark.expected}"
            problems.append(Problem(message, at, layer, kind="expect"))
    return problems
