"""`cnncalc explain`: the written-out arithmetic must compute the analyzer's value, every time.

Each step's numeric expression is evaluated here (independently of the tool) and compared with
the step's result and with the analyzer's row, for every layer of several zoo models and under
several conventions. The worked examples are the seeds' own (seed 004's AlexNet conv1, seed
003/004's inception 5x5 branch: 12,443,648 vs 120,422,400 multiplications).
"""

from __future__ import annotations

import json
import math
import re

import pytest

from cnncalc.analysis import analyze
from cnncalc.conventions import Conventions
from cnncalc.render.explain import Explainer
from cnncalc.spec import load_graph
from cnncalc.zoo import zoo_names

MODELS = ["vgg16", "alexnet_2012", "googlenet", "resnet50", "mobilenet_v2", "squeezenet1_0", "densenet121", "inception_v3"]
CONVENTIONS = [Conventions(), Conventions(batch=3, bias=False, dtype="fp16", bn_stats="keras")]
ANALYZER = {"params": "params", "MACs": "macs", "memory": "activation_bytes", "other ops (window reads)": "other_ops"}


def evaluate(expression: str) -> float:
    """The slide notation as Python: · and × multiply, − subtracts, ⌊⌋ ⌈⌉ round, mod is %."""
    text = (expression.replace("·", "*").replace("×", "*").replace("−", "-").replace(" mod ", " % ")
            .replace("⌊", "floor(").replace("⌋", ")").replace("⌈", "ceil(").replace("⌉", ")"))
    assert re.fullmatch(r"[\d\s.+\-*/%()a-z]*", text) and set(re.findall(r"[a-z]+", text)) <= {"floor", "ceil"}, text
    return eval(text, {"__builtins__": {}, "floor": math.floor, "ceil": math.ceil})  # noqa: S307 - our own arithmetic


def available(names):
    present = set(zoo_names())
    return [pytest.param(n, marks=pytest.mark.skipif(n not in present, reason=f"{n} not in the zoo yet")) for n in names]


@pytest.mark.parametrize("conventions", CONVENTIONS, ids=["default", "batch3-nobias-fp16-keras"])
@pytest.mark.parametrize("model", available(MODELS))
def test_every_written_expression_gives_the_analyzer_value(model, conventions):
    graph = load_graph(model)
    analysis = analyze(graph, conventions)
    rows = {row.name: row for row in analysis.layers}
    checked = 0
    for item in Explainer(graph, analysis).explain():
        row = rows[item.name]
        for step in item.steps:
            if step.expression:
                assert evaluate(step.expression) == pytest.approx(step.value, rel=1e-12), (item.name, step)
                checked += 1
            if step.quantity in ANALYZER:
                assert step.value == getattr(row, ANALYZER[step.quantity]), (item.name, step)
            if step.quantity == "output size":
                assert row.output_shape[1] == row.output_shape[2] == step.value
            if step.quantity.startswith("receptive field") and row.receptive_field is not None and step.expression:
                assert step.value in row.receptive_field.size
        explained = {step.quantity for step in item.steps}
        if row.macs:
            assert "MACs" in explained, item.name
        if row.params and row.type in ("conv", "dense", "batchnorm", "conv_transpose", "layernorm"):
            assert "params" in explained and any(s.quantity == "params" and s.expression for s in item.steps), item.name
    assert checked > 20


def explain_text(run_cli, *args):
    result = run_cli("explain", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_alexnet_conv1_as_the_slides_write_it(run_cli):
    out = explain_text(run_cli, "alexnet_2012", "--layer", "conv1")
    assert "(W − K + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55" in out
    assert "(K·K·C + 1)·F = (11·11·3 + 1)·96 = 34,944 params" in out
    assert "55·55·96 × 11·11·3 = 105,415,200 MACs" in out
    assert "55·55·96 × 4 = 1,161,600 B" in out
    assert "1 + (11 − 1)·1 = 11 px" in out and "j_in·S = 1·4 = 4 px" in out


def test_a_stride_that_does_not_tile_is_called_out_with_the_lost_pixels(run_cli):
    out = explain_text(run_cli, "alexnet_2012", "--layer", "conv1", "--input", "224")
    assert "⌊(224 − 11 + 2·0)/4⌋ + 1 = 54" in out            # (224 - 11)/4 + 1 = 54.25
    assert "(W − K + 2P) mod S = (224 − 11 + 2·0) mod 4 = 1 px" in out
    assert "does not tile" in out


@pytest.mark.skipif("googlenet" not in zoo_names(), reason="googlenet not in the zoo yet")
def test_inception_branch_costs_and_the_bottleneck(run_cli):
    out = explain_text(run_cli, "googlenet", "--layer", "inception_3a")
    assert "28·28·16·192 + 28·28·32·5·5·16 = 12,443,648 MACs" in out      # seed 003/004
    assert "28·28·32·5·5·192 = 120,422,400 MACs" in out                   # the same 5x5 without the 1x1
    assert "9.7x cheaper" in out
    assert "inception_3a/branch1/conv1 (conv)" in out


def test_no_bias_and_batch_change_the_written_formula(run_cli):
    out = explain_text(run_cli, "vgg16", "--layer", "fc6", "--no-bias", "--batch", "2")
    assert "N·M = 25088·4096 = 102,760,448 params" in out          # cs231n: "7*7*512*4096 = 102,760,448"
    assert "N·M × batch = 25088·4096 × 2 = 205,520,896 MACs" in out
    assert "biases not counted" in out


def test_formats_and_layer_errors(run_cli):
    result = run_cli("explain", "vgg16", "--layer", "conv1_1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    steps = {s["quantity"]: s for s in json.loads(result.stdout)["layers"][0]["steps"]}
    assert steps["params"]["expression"] == "(3·3·3 + 1)·64" and steps["params"]["value"] == 1792
    result = run_cli("explain", "vgg16", "--layer", "conv1_1", "--format", "csv")
    assert result.stdout.splitlines()[0] == "layer,quantity,formula,expression,value,unit"
    result = run_cli("explain", "vgg16", "--layer", "conv9")
    assert result.exit_code == 2 and result.stderr.startswith("cnncalc: error: --layer: no layer or module 'conv9'")


def test_golden_explanation(run_cli, golden):
    """Guards the layout; the numbers in it are asserted above and by the evaluation test."""
    golden("explain_alexnet_conv1_224.txt", explain_text(run_cli, "alexnet_2012", "--layer", "conv1", "--input", "224"))


EDGE_CASES = """
input: [3, 15, 16]
layers:
  - {conv: 8, kernel: 3, stride: 2, padding: same}
  - {conv: 8, kernel: 3, dilation: 2, padding: 2}
  - {conv: 8, kernel: [1, 3], stride: [1, 2], groups: 2, bias: false}
  - {maxpool: 2, stride: 2, padding: 1, ceil_mode: true}
  - {conv_transpose: 4, kernel: 3, stride: 2, padding: 1, output_padding: 1}
  - {avgpool: 3, stride: 2}
  - global_avgpool
  - flatten
  - {dense: 5}
"""


@pytest.mark.parametrize("conventions", CONVENTIONS, ids=["default", "batch3-nobias-fp16-keras"])
def test_edge_cases_same_padding_dilation_groups_ceil_and_transpose(conventions):
    from cnncalc.spec import load_graph_text

    graph = load_graph_text(EDGE_CASES, "edge.yaml")
    analysis = analyze(graph, conventions)
    steps = [step for item in Explainer(graph, analysis).explain() for step in item.steps if step.expression]
    assert len(steps) > 20
    for step in steps:
        assert evaluate(step.expression) == pytest.approx(step.value, rel=1e-12), step
    formulas = {step.formula for step in steps}
    assert "(W + P₁ + P₂ − K)/S + 1" in formulas or "⌊(W + P₁ + P₂ − K)/S⌋ + 1" in formulas or any("P₁" in f for f in formulas)
    assert any("D·(K − 1)" in f for f in formulas)
    assert any(f.startswith("⌈") for f in formulas)
