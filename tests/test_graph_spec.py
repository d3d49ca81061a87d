"""The graph part of the spec language: joins and their errors, shortcuts, modules, `from:`,
side branches, and the worked examples of docs/spec.md.

Expected figures are hand computations written out in each test (or in the docs next to the
example), never the tool's own output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import analyze_text

from cnncalc.analysis import analyze, collapse
from cnncalc.errors import SpecError
from cnncalc.spec import load_graph_text

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "graph"

# -- join errors through the CLI: one located line, exit 1, both inputs named -----------------

JOIN_ERRORS = [
    # fixture, line:column, layer, fragments that must appear
    ("residual_mismatch.yaml", "5:5", "res2a", ["add: shapes 56x56x128 (body) and 56x56x64 (shortcut) differ", "shortcut: projection"]),
    ("add_mismatch.yaml", "6:5", "join", ["add: shapes 56x56x64 and 56x56x256 differ", "'a' 56x56x64", "'b' 56x56x256"]),
    ("concat_mismatch.yaml", "4:5", "mixed", ["spatial sizes 28x28x64 and 14x14x96 differ", "'mixed/branch1/conv1' 28x28x64",
                                              "'mixed/branch2/conv1' 14x14x96"]),
    ("from_unknown.yaml", "6:13", None, ["'from: conv_2' names no layer", "did you mean 'conv2'?"]),
    ("from_cycle.yaml", "4:48", None, ["'from: b' names a layer that comes later", "no cycles"]),
]


@pytest.mark.parametrize("fixture, where, layer, fragments", JOIN_ERRORS, ids=[c[0].removesuffix(".yaml") for c in JOIN_ERRORS])
def test_join_errors_are_one_located_line(run_cli, fixture, where, layer, fragments):
    path = str(FIXTURES / fixture)
    result = run_cli("summary", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    prefix = f"cnncalc: error: {path}:{where}: " + (f"layer '{layer}': " if layer else "")
    assert lines[0].startswith(prefix), lines[0]
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_multiply_that_does_not_broadcast():
    text = ("input: [8, 4, 4]\nlayers:\n  - {conv: 8, kernel: 1, name: a}\n  - {conv: 4, kernel: 4, name: g}\n"
            "  - {multiply: , from: [a, g]}\n")
    with pytest.raises(SpecError, match=r"test.yaml:5:5: layer 'mul1': multiply: shapes .* do not broadcast"):
        load_graph_text(text, "test.yaml")


def test_join_needs_two_inputs():
    with pytest.raises(SpecError, match=r"add takes at least 2 input\(s\), got 1 \(list them with from: \[a, b\]\)"):
        load_graph_text("input: [3, 8, 8]\nlayers:\n  - add\n", "test.yaml")


# -- residual shortcuts -------------------------------------------------------------------------

BASIC = """
input: [64, 56, 56]
defaults:
  conv: {{kernel: 3, padding: 1, bias: false}}
layers:
  - residual: [{{conv: {c}, stride: {s}}}, batchnorm, relu, {{conv: {c}}}, batchnorm]
    shortcut: {shortcut}
    name: res
"""


def residual_rows(c, s, shortcut):
    return {row.name: row for row in analyze_text(BASIC.format(c=c, s=s, shortcut=shortcut)).layers}


def test_auto_shortcut_is_identity_when_shapes_agree():
    rows = residual_rows(64, 1, "auto")
    assert rows["res/add"].inputs == ["res/bn2", "input"]
    assert "res/shortcut" not in rows


def test_auto_shortcut_projects_with_batchnorm_when_shapes_change():
    rows = residual_rows(128, 2, "auto")
    conv = rows["res/shortcut"]
    assert conv.type == "conv" and conv.output_shape == (128, 28, 28)
    assert conv.params == 64 * 128  # 1x1, no bias because the body has batchnorm
    assert conv.macs == 28 * 28 * 128 * 64
    assert rows["res/shortcut_bn"].params == 2 * 128
    assert rows["res/add"].inputs == ["res/bn2", "res/shortcut_bn"]


def test_projection_without_batchnorm_keeps_its_bias():
    rows = {r.name: r for r in analyze_text(
        "input: [16, 8, 8]\nlayers:\n  - {residual: [{conv: 32, kernel: 3, stride: 2, padding: 1}], name: res}\n").layers}
    assert rows["res/shortcut"].params == 16 * 32 + 32
    assert "res/shortcut_bn" not in rows


def test_zero_pad_shortcut_is_parameter_free_and_identity_when_shapes_agree():
    rows = residual_rows(128, 2, "zero_pad")
    pad = rows["res/shortcut"]
    assert pad.type == "channel_pad" and pad.output_shape == (128, 28, 28)
    assert pad.params == 0 and pad.macs == 0
    same = residual_rows(64, 1, "zero_pad")
    assert "res/shortcut" not in same and same["res/add"].inputs == ["res/bn2", "input"]


def test_projection_on_request_even_when_shapes_agree():
    rows = residual_rows(64, 1, "projection")
    assert rows["res/shortcut"].params == 64 * 64


def test_explicit_shortcut_list():
    text = ("input: [16, 8, 8]\nlayers:\n  - residual: [{conv: 16, kernel: 3, stride: 2, padding: 1}]\n"
            "    shortcut: [{maxpool: 1, stride: 2}]\n    name: res\n")
    rows = {r.name: r for r in analyze_text(text).layers}
    assert rows["res/shortcut/pool1"].output_shape == (16, 4, 4)
    assert rows["res/add"].inputs == ["res/conv1", "res/shortcut/pool1"]


def test_unknown_shortcut_kind():
    with pytest.raises(SpecError, match="shortcut must be one of auto, identity, projection, zero_pad"):
        load_graph_text("input: [3, 8, 8]\nlayers:\n  - {residual: [relu], shortcut: option_a}\n", "t.yaml")


# -- modules, repeat and names ------------------------------------------------------------------

MODULES = """
input: [3, 16, 16]
modules:
  unit:
    args: [c, {k: 3}, {stride: 1}]
    layers: [{conv: $c * 2, kernel: $k, stride: $stride, padding: ($k - 1) // 2, name: conv}]
  twice:
    args: [c]
    repeat: 2
    layers: [{conv: $c, kernel: 1}]
layers:
  - {unit: [4], name: a}
  - {unit: {c: 4, k: 5, stride: 2}, name: b}
  - {unit: 8, name: c}
  - {twice: 6, name: d}
  - {repeat: 3, name: stage, first: [{unit: [4, 1, 2]}], layers: [{unit: [4]}]}
  - {conv: 2, kernel: 1, from: c, name: tap}
  - {conv: 2, kernel: 1, from: stage/unit2, name: tap2}
"""


def test_module_arguments_positional_named_single_and_defaults():
    rows = {r.name: r for r in analyze(load_graph_text(MODULES, "m.yaml")).layers}
    assert rows["a/conv"].output_shape == (8, 16, 16)                      # c*2, 3x3 pad 1
    assert rows["b/conv"].output_shape == (8, 8, 8)                        # 5x5 pad 2 stride 2
    assert rows["b/conv"].params == 8 * 8 * 25 + 8
    assert rows["c/conv"].output_shape == (16, 8, 8)                       # a single value = first arg
    assert [r.name for r in rows.values() if r.name.startswith("d/")] == ["d/conv1", "d/conv2"]  # repeat body
    assert rows["stage/unit1/conv"].output_shape == (8, 4, 4)              # first: strides
    assert rows["stage/unit3/conv"].output_shape == (8, 4, 4)
    assert rows["tap"].inputs == ["c/conv"]                                 # a module's name = its output
    assert rows["tap2"].inputs == ["stage/unit2/conv"]                      # a path reaches inside


def test_module_argument_errors():
    with pytest.raises(SpecError, match=r"m.yaml:13:13: module 'unit' has no argument 'width' \(arguments: c, k, stride\)"):
        load_graph_text(MODULES.replace("{c: 4, k: 5", "{width: 4, k: 5"), "m.yaml")
    with pytest.raises(SpecError, match=r"module 'unit' takes 3 argument\(s\) \(c, k, stride\), got 4"):
        load_graph_text(MODULES.replace("[4, 1, 2]", "[4, 1, 2, 9]"), "m.yaml")
    misspelt = MODULES.replace("    layers: [{conv: $c * 2", "    lyers: 2\n    layers: [{conv: $c * 2")
    with pytest.raises(SpecError, match=r"m.yaml:6:5: module 'unit': unknown key 'lyers'; did you mean 'layers'\?"):
        load_graph_text(misspelt, "m.yaml")


def test_input_inside_a_module_is_the_module_input():
    text = """
input: [8, 4, 4]
modules:
  dense_layer:
    layers:
      - {conv: 4, kernel: 3, padding: 1, name: new}
      - {concat: , from: [input, new]}
layers:
  - {conv: 8, kernel: 1, name: stem}
  - {repeat: 2, name: block, layers: [dense_layer]}
"""
    rows = {r.name: r for r in analyze_text(text).layers}
    assert rows["block/dense_layer1/concat1"].inputs == ["stem", "block/dense_layer1/new"]
    assert rows["block/dense_layer2/concat1"].inputs == ["block/dense_layer1/concat1", "block/dense_layer2/new"]
    assert rows["block/dense_layer2/concat1"].output_shape == (8 + 4 + 4, 4, 4)


def test_branch_is_a_side_path_and_training_only_is_reported_apart():
    text = """
input: [3, 8, 8]
layers:
  - {conv: 4, kernel: 3, padding: 1, name: trunk}
  - {branch: [flatten, {dense: 10}], training_only: true, name: aux}
  - {conv: 4, kernel: 1, name: next}
"""
    analysis = analyze_text(text)
    rows = {r.name: r for r in analysis.layers}
    assert rows["next"].inputs == ["trunk"]              # the main path continues from the branch's input
    assert rows["aux/fc1"].training_only and not rows["next"].training_only
    assert analysis.training_only_totals.params == 4 * 8 * 8 * 10 + 10
    assert analysis.totals.params == (3 * 9 + 1) * 4 + (4 + 1) * 4


def test_depth_zero_folds_modules_into_one_row_each():
    analysis = analyze(load_graph_text((FIXTURES / "inception_naive.yaml").read_text(), "n.yaml"))
    rows = collapse(analysis, 0)
    assert [r.name for r in rows] == ["input", "naive"]
    assert rows[1].type == "concat" and rows[1].output_shape == (128 + 192 + 96 + 256, 28, 28)
    assert rows[1].params == (256 + 1) * 128 + (256 * 9 + 1) * 192 + (256 * 25 + 1) * 96


# -- receptive field through branches -----------------------------------------------------------

def test_receptive_field_takes_the_largest_branch():
    rows = {r.name: r for r in analyze(load_graph_text((FIXTURES / "inception_naive.yaml").read_text(), "n.yaml")).layers}
    assert rows["naive/concat"].receptive_field.size == (5, 5)  # the 5x5 branch wins over 1x1, 3x3, pool 3x3


def test_misaligned_branches_warn():
    # a 2x2 conv without padding is centred half a pixel off the 1x1 branch
    text = "input: [3, 9, 9]\nlayers:\n  - concat: [[{conv: 4, kernel: 1}], [{conv: 4, kernel: 3, padding: 1}], [{zeropad: [0, 1, 0, 1]}, {conv: 4, kernel: 2}]]\n"
    analysis = analyze_text(text)
    assert any("centres disagree" in message for _, message in analysis.warnings)
    aligned = analyze_text(text.replace(", [{zeropad: [0, 1, 0, 1]}, {conv: 4, kernel: 2}]", ""))
    assert not aligned.warnings


# -- docs/spec.md: every example compiles and its "Result" line is right -----------------------

def doc_examples():
    text = (ROOT / "docs" / "spec.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```\n\nResult: params ([\d,]+); MACs ([\d,]+)\.", text, re.S)
    return [(body, int(params.replace(",", "")), int(macs.replace(",", ""))) for body, params, macs in blocks]


def test_docs_have_an_example_per_construct():
    text = (ROOT / "docs" / "spec.md").read_text()
    examples = doc_examples()
    assert len(examples) == text.count("```yaml")  # every yaml example states its result
    bodies = "\n".join(body for body, _, _ in examples)
    for construct in ("defaults:", "repeat:", "first:", "block:", "concat:", "residual:", "shortcut: zero_pad",
                      "modules:", "args:", "from:", "multiply", "branch:", "training_only", "outputs:", "frozen:", "$"):
        assert construct in bodies, construct


@pytest.mark.parametrize("body, params, macs", doc_examples(), ids=lambda v: None)
def test_docs_examples(body, params, macs):
    analysis = analyze(load_graph_text(body, "docs/spec.md"))
    assert (analysis.totals.params, analysis.totals.macs) == (params, macs)
