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

from cnncalc.analysis import Analysis, analyze
from cnncalc.conventions import DTYPE_BYTES, Conventions
from cnncalc.errors import CnnCalcError, Location
from cnncalc.grading.marking import LAYER_ITEMS, TOTAL_ITEMS, AnswerKey
from cnncalc.grading.values import UnreadableValue, parse_budget
from cnncalc.graph import Graph
from cnncalc.spec.validate import did_you_mean
from cnncalc.units import count_with_magnitude, human_bytes

LIMITS = ("max_params", "max_macs", "max_activation_memory")
BUDGET_KEYS = LIMITS + ("batch", "dtype")
EXPECT_KEYS = TOTAL_ITEMS + ("layers",)


Severity = Literal["error", "warning"]
ProblemKind = Literal["spec", "budget", "expect", "warning"]  # what found it: building, a budget, an expectation, a layer warning


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
    dtype: str = "fp32"
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
    from cnncalc.spec import display_path
    from cnncalc.spec.compile import compile_spec
    from cnncalc.spec.yaml_loader import load_yaml_file
    from cnncalc.zoo import resolve_spec

    path = resolve_spec(ref)
    report = Report(display_path(path))
    conventions = conventions or Conventions()
    try:
        data = load_yaml_file(path)
        graph = compile_spec(data, report.path)
    except CnnCalcError as exc:
        report.problems.append(Problem(exc.message, exc.location or Location(report.path), exc.layer))
        return report
    report.analysis = analyze(graph, conventions)
    for layer, message in report.analysis.warnings:
        report.problems.append(Problem(message, graph.node(layer).location, layer, "error" if strict else "warning", "warning"))
    spec_budget = _read_budget(data, report)
    for budget in (spec_budget, command_budget):
        if budget is not None and budget.limits:
            report.problems.extend(_over_budget(graph, report.analysis, budget, report.path))
    key = AnswerKey(graph, report.analysis)
    if "expect" in data:
        report.problems.extend(_unmet(key, data["expect"], data.where("expect")))
    if expect_file is not None:
        report.problems.extend(_unmet(key, expect_file[0], Location(expect_file[1], 1, 1)))
    return report


def budget_from_options(limits: dict[str, str | None], batch: int, dtype: str, units: str) -> Budget:
    """The command line's --max-* options (raises UnreadableValue for a bad number)."""
    budget = Budget(batch=batch, dtype=dtype)
    for name, text in limits.items():
        if text is not None:
            budget.limits[name] = parse_budget(text, memory=name == "max_activation_memory", units=units)
    return budget


def _read_budget(data, report: Report) -> Budget | None:
    section = data.get("budget")
    if section is None:
        return None
    where = data.where("budget")
    if not isinstance(section, dict):
        report.problems.append(Problem(f"'budget' must be a mapping of {', '.join(BUDGET_KEYS)}", where, kind="budget"))
        return None
    budget = Budget()
    for key, value in section.items():
        at = section.where(key)
        if key not in BUDGET_KEYS:
            report.problems.append(Problem(f"budget: unknown key '{key}'{did_you_mean(key, BUDGET_KEYS)} (allowed: {', '.join(BUDGET_KEYS)})", at, kind="budget"))
        elif key == "batch":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
                report.problems.append(Problem(f"budget: batch must be a whole number from 1 to 1,000,000, got {value!r}", at, kind="budget"))
            else:
                budget.batch = value
        elif key == "dtype":
            if value not in DTYPE_BYTES:
                report.problems.append(Problem(f"budget: dtype must be one of {', '.join(DTYPE_BYTES)}, got {value!r}", at, kind="budget"))
            else:
                budget.dtype = value
        else:
            try:
                budget.limits[key] = parse_budget(str(value), memory=key == "max_activation_memory")
                budget.where[key] = at
            except UnreadableValue as exc:
                report.problems.append(Problem(f"budget: {key}: {exc}", at, kind="budget"))
    return budget


def _over_budget(graph: Graph, analysis: Analysis, budget: Budget, path: str) -> list[Problem]:
    """Measured at the budget's batch and dtype (analysed again only when those differ)."""
    conventions = replace(analysis.conventions, batch=budget.batch, dtype=budget.dtype)
    if conventions != analysis.conventions:
        analysis = analyze(graph, conventions)
    totals = analysis.totals
    measured = {
        "max_params": (totals.params, "params", count_with_magnitude),
        "max_macs": (totals.macs // budget.batch, "MACs per image", count_with_magnitude),
        "max_activation_memory": (totals.activation_bytes, f"activation memory at batch {budget.batch}, {budget.dtype}",
                                  lambda v: f"{v:,} B ({human_bytes(v)})"),
    }
    problems = []
    for name, limit in budget.limits.items():
        value, what, shown = measured[name]
        if value > limit:
            source = "" if name in budget.where else f" (--{name.replace('_', '-')})"
            problems.append(Problem(f"over budget: {what} {shown(value)} exceed {name} {shown(limit)}{source}",
                                    budget.where.get(name, Location(path)), kind="budget"))
    return problems


def _unmet(key: AnswerKey, section: Any, where: Location) -> list[Problem]:
    """Each expectation that is not met, or cannot be read, is an error at its line."""
    if not isinstance(section, dict):
        return [Problem(f"'expect' must be a mapping of {', '.join(EXPECT_KEYS)}", where, kind="expect")]
    problems = []
    items: list[tuple[str | None, str, Any, Location]] = []
    for item, raw in section.items():
        at = section.where(item) if hasattr(section, "where") else where
        if item != "layers":
            items.append((None, item, raw, at))
        elif not isinstance(raw, dict):
            problems.append(Problem("expect: 'layers' must map layer names to expectations", at, kind="expect"))
        else:
            for layer, expected in raw.items():
                layer_at = raw.where(layer)
                if not isinstance(expected, dict):
                    problems.append(Problem(f"expect: layer '{layer}' must map items ({', '.join(LAYER_ITEMS)}) to values", layer_at, kind="expect"))
                    continue
                items.extend((str(layer), k, v, expected.where(k)) for k, v in expected.items())
    for layer, item, raw, at in items:
        mark = key.mark(layer, item, raw, location=at)
        if mark.right is None:
            problems.append(Problem(f"expect: {mark.item}: {mark.problem}", at, kind="expect"))
        elif not mark.right:
            what = item if layer else f"total {item}"
            problems.append(Problem(f"expected {what} {mark.answer}, but it is {mark.expected}", at, layer, kind="expect"))
    return problems
