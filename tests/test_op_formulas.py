"""Each op writes out its own arithmetic (`size_steps`, `param_steps`, `mac_steps` ... on the op
class): every op of the registry must, and what it writes must compute the analyzer's value.

- No op that counts parameters or MACs may go without their formula (`formula_gaps`); a throwaway
  op that does is caught, and explaining one of its layers fails instead of printing "params = N".
- A spec that uses every registered op (the test fails when a new op is missing from it): every
  written expression evaluates to the step's value, params / MACs / window reads / memory steps
  are the analyzer's values, and every output size that differs from the input's is written out.
- The sliding-window geometry of a layer is computed once, when the spec is compiled.
"""

from __future__ import annotations

from collections import Counter

import pytest
from test_explain import MODELS, available, evaluate

from cnncalc.analysis import analyze
from cnncalc.conventions import Conventions
from cnncalc.formulas import Step
from cnncalc.grading.marking import AnswerKey
from cnncalc.grading.working import working
from cnncalc.ops import REGISTRY, Op, ParamCount
from cnncalc.ops.base import ACTIVATIONS, MissingFormula, formula_gaps, register
from cnncalc.ops.window import SlidingWindow
from cnncalc.render.explain import Explainer
from cnncalc.spec import load_graph, load_graph_text
from cnncalc.units import dims_text, num, shape_text

LAYER_ACTIVATIONS = [name for name in ACTIVATIONS if name not in ("leaky_relu", "softmax")]  # those two come later

EVERY_OP = """
input: [3, 17, 18]
layers:
  - {zeropad: [1, 2, 0, 3]}
  - {conv: 8, kernel: 3, stride: 2, padding: same, activation: relu}
  - {conv: 8, kernel: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 4, bias: false}
  - {batchnorm: {affine: false}}
  - batchnorm
  - layernorm
  - {lrn: 3}
  - {l2pool: 2, stride: 1}
  - {maxpool: 3, stride: 2, padding: 1, ceil_mode: true}
  - {conv_transpose: 4, kernel: 3, stride: 2, padding: 1, output_padding: 1, activation: gelu}
  - {conv_transpose: 4, kernel: [3, 2], stride: [2, 3], dilation: 2, groups: 2, bias: false}
  - {upsample: 2, mode: bilinear}
  - {upsample: [1, 2]}
  - {channel_pad: 8, stride: 2}
  - {zeropad: 1}
  - {name: a, leaky_relu: 0.2}
  - {name: b, conv: 8, kernel: 1}
  - {name: c, add: {}, from: [a, b]}
  - {name: d, concat: {activation: relu}, from: [a, c, b]}
  - {name: g, global_avgpool: {}}
  - {name: e, multiply: {}, from: [g, d]}
  - {adaptive_avgpool: [3, 2]}
  - {avgpool: 2, stride: 1, padding: 1}
  - {adaptive_avgpool: 2}
  - global_maxpool
  - identity
  - {dropout: 0.1}
ACTIVATIONS
  - {name: flat, flatten: {}}
  - {name: f1, dense: 7, bias: false, activation: tanh}
  - {name: f2, dense: 5, from: flat}
  - {name: f3, concat: {}, from: [f1, f2]}
  - softmax
""".replace("ACTIVATIONS", "\n".join(f"  - {name}" for name in LAYER_ACTIVATIONS))

CONVENTIONS = [Conventions(), Conventions(batch=3, bias=False, dtype="fp16", bn_stats="keras", layout="chw")]
ANALYZER = {"params": "params", "MACs": "macs", "other ops (window reads)": "other_ops", "memory": "activation_bytes"}
SIZE_DIMS = {"output size": (1, 2), "output height": (1,), "output width": (2,), "output channels": (0,),
             "output length": (0,)}


def every_op_graph():
    return load_graph_text(EVERY_OP, "every_op.yaml")


def test_no_op_counts_params_or_macs_without_writing_them_out():
    assert formula_gaps() == []


@pytest.fixture
def throwaway_op():
    """An op with parameters and no formula, registered for one test only."""

    class Scale(Op):
        key = "throwaway_scale"
        prefix = "scale"
        description = "a per-channel scale (test only)"

        def params(self, o, inputs, out):
            return ParamCount(weights=inputs[0][0])

    register(Scale)
    try:
        yield Scale
    finally:
        del REGISTRY[Scale.key]


def test_an_op_with_params_but_no_formula_is_caught(throwaway_op):
    assert formula_gaps() == ["throwaway_scale: overrides params but not param_steps"]
    assert formula_gaps({"throwaway_scale": throwaway_op()}) == formula_gaps()
    graph = load_graph_text("input: [3, 8, 8]\nlayers:\n  - throwaway_scale\n", "throwaway.yaml")
    analysis = analyze(graph)
    assert analysis.layers[-1].params == 3
    with pytest.raises(MissingFormula, match="throwaway_scale"):  # never "params = 3" with no formula
        Explainer(graph, analysis).explain()


def test_the_spec_uses_every_registered_op():
    assert {node.op for node in every_op_graph().nodes} == set(REGISTRY)


def _size_steps_explain(row, in_shape, steps: list[Step], op) -> None:
    """Every dimension of the output that differs from the (first) input's is written out."""
    out = row.output_shape
    explained: set[int] = set()
    for step in steps:
        if step.quantity not in SIZE_DIMS:
            continue
        dims = SIZE_DIMS[step.quantity]
        assert all(out[d] == step.value for d in dims), (row.name, step)
        explained.update(dims)
    if len(out) != len(in_shape):
        changed = set(range(len(out)))
    else:
        changed = {d for d in range(len(out)) if out[d] != in_shape[d]}
    if 0 in changed and len(out) == 3 and op.channels_reason(out):
        explained.add(0)  # conv: "96 filters" (the channels are an option, not a formula)
    assert changed <= explained, (row.name, row.type, in_shape, out, steps)


@pytest.mark.parametrize("conventions", CONVENTIONS, ids=["default", "batch3-nobias-fp16-keras-chw"])
def test_every_op_writes_what_the_analyzer_computes(conventions):
    graph = every_op_graph()
    analysis = analyze(graph, conventions)
    rows = {row.name: row for row in analysis.layers}
    written: Counter[str] = Counter()
    for item in Explainer(graph, analysis).explain():
        row, node = rows[item.name], graph.node(item.name)
        for step in item.steps:
            if step.expression:
                assert evaluate(step.expression) == pytest.approx(step.value, rel=1e-12), (item.name, step)
                written[item.type] += 1
            if step.quantity in ANALYZER:
                assert step.value == row[ANALYZER[step.quantity]], (item.name, step)
        quantities = {step.quantity for step in item.steps}
        if row.params:
            assert "params" in quantities, item.name
        if row.macs:
            assert "MACs" in quantities, item.name
        if node.inputs:
            _size_steps_explain(row, graph.node(node.inputs[0]).shape, item.steps, REGISTRY[node.op])
    for op in ("conv", "conv_transpose", "dense", "batchnorm", "layernorm", "zeropad", "upsample", "channel_pad",
               "global_avgpool", "global_maxpool", "flatten", "concat", "maxpool", "avgpool", "l2pool"):
        assert written[op], f"{op}: no written expression was checked"


@pytest.mark.parametrize("model", available(MODELS))
def test_every_size_change_in_the_zoo_is_written_out(model):
    graph = load_graph(model)
    analysis = analyze(graph)
    rows = {row.name: row for row in analysis.layers}
    for item in Explainer(graph, analysis).explain():
        node = graph.node(item.name)
        if node.inputs:
            _size_steps_explain(rows[item.name], graph.node(node.inputs[0]).shape, item.steps, REGISTRY[node.op])


def test_the_transposed_conv_output_size(run_cli, tmp_path):
    spec = tmp_path / "deconv.yaml"
    spec.write_text("input: [8, 4, 4]\nlayers:\n  - {conv_transpose: 4, kernel: 3, stride: 2, padding: 1, "
                    "output_padding: 1}\n")
    result = run_cli("explain", str(spec), "--layer", "deconv1")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("output size"))
    assert line.split(maxsplit=2)[2] == ("(W − 1)·S − 2P + D·(K − 1) + output_padding + 1 "
                                         "= (4 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 8")


def test_grade_shows_how_the_output_size_arises():
    graph = every_op_graph()
    analysis = analyze(graph)
    key = AnswerKey(graph, analysis)
    shown = {row.name: working(key, row, "output_shape") for row in analysis.layers}
    first = {row.type: row.name for row in reversed(analysis.layers)}
    assert shown["flat"] == "output length: H·W·C = 1·1·24 = 24 -> 24"
    assert shown["d"] == "output channels: C₁ + C₂ + C₃ = 8 + 8 + 8 = 24 -> 17x62x24"
    assert shown["f3"] == "output length: C₁ + C₂ = 7 + 5 = 12 -> 12"
    assert shown[first["conv"]].endswith("(8 filters)")
    assert shown[first["maxpool"]].endswith("(pooling keeps the 8 channels)")
    assert shown[first["relu6"]] == "relu6 of 1x1x24 -> 1x1x24"


# -- the sliding window: one geometry per layer, computed when compiled ---------------------------


def test_the_window_is_computed_once_per_layer(monkeypatch):
    calls: Counter[str] = Counter()
    owners = {owner for op in REGISTRY.values() for owner in type(op).__mro__
              if "window" in owner.__dict__ and owner is not Op}
    for owner in owners:
        original = owner.__dict__["window"]

        def counted(self, o, inputs, _original=original):
            calls[self.key] += 1
            return _original(self, o, inputs)

        monkeypatch.setattr(owner, "window", counted)
    graph = every_op_graph()
    windowed = [node for node in graph.nodes if node.window is not None]
    assert {node.op for node in windowed} == {"conv", "maxpool", "avgpool", "l2pool"}
    assert sum(calls.values()) == len(windowed)
    for conventions in CONVENTIONS:
        analysis = analyze(graph, conventions)
        Explainer(graph, analysis).explain()
        key = AnswerKey(graph, analysis)
        for row in analysis.layers:
            for item in ("output_shape", "receptive_field"):
                working(key, row, item)
    assert sum(calls.values()) == len(windowed)  # analysis, explain and grade reuse it


def test_the_lost_pixel_rule_is_the_windows():
    window = SlidingWindow((224, 224), 11, 4, 1, 0)  # AlexNet conv1 on 224: (224 - 11) mod 4 = 1
    assert window.lost(0) == window.lost(1) == 1
    assert "the last 1 row(s) and 1 column(s)" in window.untiled_warning()[0]
    assert [(s.quantity, s.expression, s.value) for s in window.lost_steps()] == [
        ("pixels lost", "(224 − 11 + 2·0) mod 4", 1)]
    assert SlidingWindow((224, 224), 1, 2, 1, 0).lost(0) == 0      # a 1x1 stride-2 shortcut skips by design
    assert SlidingWindow((8, 8), 3, 2, 1, 0, ceil_mode=True).lost(0) == 0


# -- one home per helper ------------------------------------------------------------------------


def test_shape_and_number_text():
    assert shape_text((96, 55, 55)) == "55x55x96" and shape_text((96, 55, 55), "chw") == "96x55x55"
    assert shape_text((4096,)) == "4096" and dims_text((3, 1)) == "3x1"
    assert [num(v) for v in (3.0, 2.5, -0.0, 255, 1 / 3)] == ["3", "2.5", "0", "255", "0.333333"]
