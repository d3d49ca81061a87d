"""No silent traps in the spec language (issue 10): an input written in the other order, automatic
names that collide with written ones, `calc`'s op words in YAML, and a training-only head that
cannot apply at another input size. Expected counts are worked out by hand in each test.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from conftest import analyze_text

from cnncalc import ops, sizes
from cnncalc.analysis import analyze
from cnncalc.errors import SpecError
from cnncalc.schema import spec_schema
from cnncalc.sizes import SizeError, parse_size
from cnncalc.spec import chain, load_graph, load_graph_text


def one_error_line(result, status=1):
    assert result.exit_code == status, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# -- 1. input order --------------------------------------------------------------------------------

SWAPPED = "input: [224, 224, 3]\nlayers:\n  - {conv: 64, kernel: 3, padding: 1, name: conv1}\n"


def test_a_spec_input_written_hwc_is_refused_with_the_other_order(run_cli, tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(SWAPPED)
    line = one_error_line(run_cli("summary", str(path)))
    assert line.startswith(f"cnncalc: error: {path}:1:1: 'input' [224, 224, 3] reads as 224 channels of 224x3 pixels")
    assert "did you mean [3, 224, 224]?" in line and "input: {channels: 224, height: 224, width: 3}" in line


def test_the_channels_first_list_and_the_explicit_mapping():
    right = {r.name: r for r in analyze_text(SWAPPED.replace("[224, 224, 3]", "[3, 224, 224]")).layers}
    assert right["conv1"].params == 3 * 3 * 3 * 64 + 64 == 1_792
    meant = SWAPPED.replace("[224, 224, 3]", "{channels: 224, height: 224, width: 3}")
    rows = {r.name: r for r in analyze_text(meant).layers}
    assert rows["conv1"].params == 224 * 3 * 3 * 64 + 64 == 129_088  # what the list used to give silently
    assert rows["conv1"].output_shape == (64, 224, 3)
    flat = analyze_text("input: {features: 10}\nlayers: [{dense: 3}]\n")
    assert flat.totals.params == 10 * 3 + 3


@pytest.mark.parametrize("shape", [[3, 224, 224], [1, 28, 28], [64, 56, 56], [2048, 1, 1], [256, 4, 4], [4, 12, 3],
                                   [3, 8, 8], [512, 7, 7]])
def test_real_channels_first_inputs_are_not_questioned(shape):
    assert sizes.misordered(shape, "chw") is None


def test_calc_size_typed_chw_under_hwc_is_refused(run_cli):
    line = one_error_line(run_cli("calc", "3x32x32", "conv 10 k5"))
    assert line.startswith("cnncalc: error: calc:1:1: input '3x32x32' reads as 3x32 pixels with 32 channels (HxWxC")
    assert "did you mean 32x32x3?" in line and "--layout chw 32x3x32" in line
    line = one_error_line(run_cli("calc", "224x224x3", "conv 10 k3", "--layout", "chw"))
    assert "did you mean 3x224x224?" in line and "--layout hwc 224x3x224" in line


def test_calc_means_it_when_written_in_the_other_layout(run_cli):
    # 32 channels of 3x32 pixels, as the hint says: a 1x1 conv to 10 has 32·10 + 10 parameters
    result = run_cli("calc", "32x3x32", "conv 10 k1", "--layout", "chw", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["params"] == 32 * 10 + 10
    # 224 channels of 224x3 typed HxWxC: its spec says the order is meant, and compiles back
    spec = chain.parse_chain(["224x3x224", "conv 10 k1"])
    assert spec["input"] == {"channels": 224, "height": 224, "width": 3}
    assert analyze(chain.chain_graph(["224x3x224", "conv 10 k1"])).totals.params == 224 * 10 + 10


def test_input_option_typed_in_the_other_order(run_cli):
    line = one_error_line(run_cli("summary", "resnet18", "--input", "3x224x224"), status=2)
    assert "--input: '3x224x224' reads as 3x224 pixels with 224 channels" in line and "did you mean 224x224x3?" in line
    with pytest.raises(SizeError) as error:
        parse_size("3x227x227", "hwc", like=(3, 224, 224))
    assert error.value.problem == "order"
    assert parse_size("227x227x3", "hwc", like=(3, 224, 224)) == (3, 227, 227)


# -- 2. automatic names never take a written one ------------------------------------------------------

def names(text):
    return [node.name for node in load_graph_text(text, "t.yaml").nodes]


def test_an_automatic_name_skips_a_written_one_before_or_after():
    assert names("input: [3, 8, 8]\nlayers:\n  - {conv: 4, kernel: 1, name: conv1}\n  - {conv: 4, kernel: 1}\n") == [
        "input", "conv1", "conv2"]
    assert names("input: [3, 8, 8]\nlayers:\n  - {conv: 4, kernel: 1}\n  - {conv: 4, kernel: 1, name: conv1}\n") == [
        "input", "conv2", "conv1"]
    # a name written inside an unnamed repeat stands in the same scope
    text = "input: [3, 8, 8]\nlayers:\n  - {conv: 4, kernel: 1}\n  - {repeat: 1, layers: [{conv: 4, kernel: 1, name: conv1}]}\n"
    assert names(text) == ["input", "conv2", "conv1"]


def test_names_in_other_scopes_do_not_renumber():
    # torchvision's names: a written top-level conv1 and each block's own conv1
    graph = load_graph("resnet18")
    assert {"conv1", "layer1/basic1/conv1", "layer1/basic1/bn1"} <= {node.name for node in graph.nodes}


def test_a_written_name_that_a_residual_uses_for_its_join():
    text = "input: [4, 8, 8]\nlayers:\n  - {residual: [{conv: 4, kernel: 1, name: add}], name: res}\n"
    assert names(text) == ["input", "res/add", "res/add2"]
    rows = {r.name: r for r in analyze_text(text).layers}
    assert rows["res/add2"].inputs == ["res/add", "input"]


# -- 3. calc's op words in YAML ---------------------------------------------------------------------

ALIASED = """
input: [3, 8, 8]
defaults:
  fc: {bias: false}
layers:
  - {conv: 4, kernel: 3, padding: 1}
  - bn
  - {pool: 2}
  - {avg: 1}
  - {pad: 1}
  - {deconv: 2, kernel: 2}
  - gap
  - flatten
  - {fc: 10}
  - {linear: 5, bias: true}
"""


def test_calc_words_work_in_yaml_specs():
    rows = analyze_text(ALIASED).layers
    assert [r.type for r in rows] == ["input", "conv", "batchnorm", "maxpool", "avgpool", "zeropad", "conv_transpose",
                                      "global_avgpool", "flatten", "dense", "dense"]
    params = {r.name: r.params for r in rows}
    assert params["conv1"] == 3 * 9 * 4 + 4
    assert params["bn1"] == 2 * 4
    assert params["deconv1"] == 4 * 2 * 2 * 2 + 2
    assert params["fc1"] == 2 * 10                   # the default given under `fc` applies: no bias
    assert params["fc2"] == 10 * 5 + 5


def test_one_alias_table_for_calc_the_compiler_and_the_schema():
    assert chain.ALIASES is ops.ALIASES
    validator = jsonschema.Draft7Validator(spec_schema())
    assert not list(validator.iter_errors(yaml.safe_load(ALIASED)))
    assert not list(validator.iter_errors(yaml.safe_load(SWAPPED.replace("[224, 224, 3]",
                                                                         "{channels: 3, height: 8, width: 8}"))))
    assert list(validator.iter_errors(yaml.safe_load("input: [3, 8, 8]\nlayers: [{bn: , batchnorm: }]\n")))


@pytest.mark.parametrize("text, message", [
    ("input: [3, 8, 8]\nlayers: [{bn: , batchnorm: }]\n", "one layer entry names two ops: bn, batchnorm"),
    ("input: [3, 8, 8]\nlayers: [lineer]\n", "unknown op 'lineer'; did you mean 'linear'?"),
    ("input: [3, 8, 8]\ndefaults: {fc: {bias: false}, dense: {bias: true}}\nlayers: [flatten]\n",
     "defaults for 'dense' are given twice"),
    ("input: [3, 8, 8]\nmodules:\n  fc: {layers: [relu]}\nlayers: [fc]\n", "module name 'fc' is already an op"),
])
def test_alias_errors(text, message):
    with pytest.raises(SpecError, match=message):
        load_graph_text(text, "t.yaml")


# -- 4 is tests/test_resnet_sizes.py; 5. a training-only head that cannot apply -------------------------

def test_inception_v3_at_224_leaves_its_aux_head_out_with_a_warning(run_cli):
    analysis = analyze(load_graph("inception_v3", (3, 224, 224)))
    assert analysis.totals.params == 23_834_568  # torchvision's inception_v3 without the aux head
    assert analysis.training_only_totals is None
    assert not any(row.name.startswith("AuxLogits") for row in analysis.layers)
    (layer, message), = [(layer, m) for layer, m in analysis.warnings if "AuxLogits" in m]
    assert layer == "Mixed_6e/concat"
    assert "'AuxLogits' that starts here is not applicable at input 224x224x3 and is left out" in message
    assert "layer 'AuxLogits/aux_classifier1/conv_bn2/conv1'" in message and "larger than its padded input 3" in message
    result = run_cli("summary", "inception_v3", "--input", "224", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["totals"]["params"] == 23_834_568
    # at its own 299 the head is there: 27,161,264 with it, 23,834,568 without (torchvision)
    own = analyze(load_graph("inception_v3"))
    assert own.training_only_totals.params == 27_161_264 - 23_834_568


AUX = """
input: [3, 32, 32]
layers:
  - {conv: 8, kernel: 3, stride: 4, name: trunk}
  - {branch: [{conv: 4, kernel: 5}, flatten, {dense: 10}], training_only: true, name: aux}
  - {conv: 8, kernel: 1, name: after}
"""


def test_a_head_that_fails_at_the_specs_own_size_is_still_an_error():
    # trunk: floor((32 - 3)/4) + 1 = 8; the head's 5x5 fits 8 but not 2 (input 8: floor((8 - 3)/4) + 1 = 2)
    assert load_graph_text(AUX, "t.yaml").node("aux/fc1").shape == (10,)
    graph = load_graph_text(AUX, "t.yaml", (3, 8, 8))
    assert [node.name for node in graph.nodes] == ["input", "trunk", "after"]
    assert "aux" in graph.node("trunk").notes[0]
    broken = AUX.replace("input: [3, 32, 32]", "input: [3, 8, 8]")
    with pytest.raises(SpecError, match=r"t.yaml:5:15: layer 'aux/conv1': kernel 5x5"):
        load_graph_text(broken, "t.yaml")


def test_errors_name_the_layers_full_path():
    text = "input: [3, 8, 8]\nlayers:\n  - block: [{conv: 4, kernel: 9}]\n    name: head\n"
    with pytest.raises(SpecError, match=r"t.yaml:3:13: layer 'head/conv1': kernel 9x9"):
        load_graph_text(text, "t.yaml")
