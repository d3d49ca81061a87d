"""The house rules of docs/architecture.md, checked on the source: each idea has one home.

- A metric is named only where it is declared and computed (cnncalc/metrics.py): renderers,
  `check` and `grade` read the metric list.
- An op is named only in cnncalc/ops/ (and the compiler that builds its shortcuts): renderers and
  grading ask the op class, never test `node.op == "conv"`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cnncalc import metrics
from cnncalc.ops import REGISTRY

PACKAGE = Path(__file__).resolve().parent.parent / "cnncalc"
READERS = ("render", "grading", "commands")  # packages that must stay generic over metrics and ops
# Metric keys that are also the words people write ("62.4M params", "1.1 GFLOPs") and the words of
# definitions ("depth: the layers that have MACs"); every other key must not appear outside metrics.py.
EVERYDAY_WORDS = {"params", "macs", "flops"}


def _names_and_strings(path: Path, attributes: bool = True) -> set[str]:
    """Every string constant (and attribute name) in a module; docstrings and f-string text excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    in_fstrings = {id(value) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for value in node.values}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | in_fstrings:
            found.add(node.value)
        elif attributes and isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


def _modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (PACKAGE / package).rglob("*.py"))


def test_a_metric_is_named_only_where_it_is_declared():
    declared = {m.key for m in metrics.METRICS} | {m.totalled for m in metrics.METRICS}
    named = [path.name for path in PACKAGE.rglob("*.py") if "activation_bytes" in path.read_text(encoding="utf-8")]
    assert named == ["metrics.py"]
    offenders = {}
    for path in [*_modules(*READERS), PACKAGE / "gate.py"]:
        used = (_names_and_strings(path) & declared) - EVERYDAY_WORDS
        if used:
            offenders[str(path.relative_to(PACKAGE))] = sorted(used)
    assert offenders == {}


@pytest.mark.parametrize("path", _modules("render", "grading"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_op_name_in_renderers_or_grading(path):
    ops = set(REGISTRY) - {"input"}  # "input" is also the word for a layer's inputs
    assert sorted(_names_and_strings(path, attributes=False) & ops) == []
