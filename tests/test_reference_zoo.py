"""`cnncalc run` verifies every spec of the zoo at batch 1: each layer's NumPy output shape and weight
arrays agree with the analyzer. Models over 1 GMAC or 30M params run at a reduced input (the first
of 64, 96, 128 the architecture accepts; their own size when none does) to keep the suite fast."""

from __future__ import annotations

import json

import pytest

from cnncalc.analysis import analyze
from cnncalc.errors import SpecError
from cnncalc.loading import load
from cnncalc.ops import REGISTRY
from cnncalc.reference.executor import RUN
from cnncalc.spec import load_graph
from cnncalc.zoo import zoo_dir

SPECS = sorted(zoo_dir().glob("*.yaml"))
REDUCED = (64, 96, 128)


def input_size(spec: str) -> list[str]:
    """The --input argument: none for cheap models, else the smallest size that compiles."""
    graph = load_graph(spec)
    totals = analyze(graph).totals
    if (totals.macs <= 1e9 and totals.params <= 30e6) or len(graph.input_shape) != 3:
        return []
    for size in REDUCED:
        try:
            load_graph(spec, (graph.input_shape[0], size, size))
        except SpecError:
            continue
        return ["--input", str(size)]
    return []


@pytest.mark.parametrize("spec", SPECS, ids=[path.stem for path in SPECS])
def test_run_verifies_the_zoo(run_cli, spec):
    size = input_size(str(spec))
    result = run_cli("run", str(spec), "--batch", "1", "--format", "json", *size)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert all(layer["ok"] for layer in data["layers"])
    assert len(data["layers"]) == len(load(str(spec), size[1] if size else None).graph.nodes)  # its aux head may not apply


def test_every_op_the_analyzer_knows_can_run():
    assert set(REGISTRY) - {"input"} <= set(RUN)
