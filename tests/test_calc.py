"""`cnncalc calc`: one-line chains compile to the same spec as YAML and give the seeds' figures.

Independent figures: seed 000's Keras model.summary() outputs (10; 50 + 92 = 142; 224 + 73 = 297),
seed 001/002's 32x32x3 conv 10@5x5 pad 2 example ((5*5*3 + 1)*10 = 760), seed 004's AlexNet
conv1 / pool1 (55x55x96, 27x27x96) and hand arithmetic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cnncalc.analysis import analyze
from cnncalc.errors import SpecError
from cnncalc.spec import load_graph, load_graph_text
from cnncalc.spec.chain import chain_graph, parse_chain

FIXTURES = Path(__file__).parent / "fixtures"


def calc_json(run_cli, *chain, options=()):
    result = run_cli("calc", *chain, *options, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("chain, layer_params, total", [
    (["10x10x1", "conv 1 k3", "sigmoid"], [10], 10),                                     # 3*3 + 1
    (["10x10x1", "conv 5 k3", "sigmoid", "conv 2 k3", "sigmoid"], [50, 92], 142),        # (9+1)*5, (45+1)*2
    (["100x100x3", "conv 8 k3 sigmoid, conv 1 k3 sigmoid"], [224, 73], 297),             # 28*8, 3*3*8 + 1
    (["32x32x3", "conv 10 k5 p2"], [760], 760),                                          # 76*10
])
def test_seed_examples_are_one_line_each(run_cli, chain, layer_params, total):
    data = calc_json(run_cli, *chain)
    assert [layer["params"] for layer in data["layers"] if layer["type"] == "conv"] == layer_params
    assert data["totals"]["params"] == data["totals"]["trainable_params"] == total


def test_keras_shapes():
    shapes = [n.shape for n in chain_graph(["100x100x3", "conv 8 k3", "sigmoid", "conv 1 k3", "sigmoid"]).nodes]
    assert shapes[1] == (8, 98, 98) and shapes[3] == (1, 96, 96)   # (None, 98, 98, 8), (None, 96, 96, 1)


def test_alexnet_stem_from_the_issue(run_cli):
    data = calc_json(run_cli, "227x227x3", "conv 96 k11 s4", "maxpool k3 s2")
    assert [layer["output_shape"] for layer in data["layers"]] == [[3, 227, 227], [96, 55, 55], [96, 27, 27]]
    assert data["layers"][1]["params"] == (11 * 11 * 3 + 1) * 96 == 34_944
    assert data["layers"][1]["macs"] == 55 * 55 * 96 * 11 * 11 * 3


def test_chain_is_the_same_spec_data_as_yaml():
    chain = ["224x224x3", "conv 64 k3 p1 relu x2", "maxpool 2", "conv 128 k3x1 s2 p1x0 d2 g2 nobias name=c",
             "avgpool k3 s2 ceil", "bn", "dropout 0.25", "flatten", "fc 10 frozen"]
    expected = yaml.safe_load("""
name: calc
source: 224x224x3, conv 64 k3 p1 relu x2, maxpool 2, conv 128 k3x1 s2 p1x0 d2 g2 nobias name=c, avgpool k3 s2 ceil, bn, dropout 0.25, flatten, fc 10 frozen
input: [3, 224, 224]
layers:
  - repeat: 2
    layers: [{conv: 64, kernel: 3, padding: 1, activation: relu}]
  - {maxpool: 2}
  - {conv: 128, kernel: [3, 1], stride: 2, padding: [1, 0], dilation: 2, groups: 2, bias: false, name: c}
  - {avgpool: 3, stride: 2, ceil_mode: true}
  - batchnorm
  - {dropout: 0.25}
  - flatten
  - {dense: 10, frozen: true}
""")
    assert parse_chain(chain) == expected
    from_chain = analyze(chain_graph(chain))
    from_yaml = analyze(load_graph_text(yaml.safe_dump(expected)))
    assert from_chain.totals == from_yaml.totals
    assert [(r.name, r.output_shape) for r in from_chain.layers] == [(r.name, r.output_shape) for r in from_yaml.layers]


def test_chain_matches_the_keras_fixture():
    chained = analyze(chain_graph(["10x10x1", "conv 5 k3 name=conv2d_22", "sigmoid name=activation_22",
                                   "conv 2 k3 name=conv2d_23", "sigmoid name=activation_23"]))
    fixture = analyze(load_graph(str(FIXTURES / "keras_example2.yaml")))
    assert [(r.name, r.output_shape, r.params) for r in chained.layers] == [(r.name, r.output_shape, r.params) for r in fixture.layers]


def test_input_forms():
    assert chain_graph(["28x28", "conv 4 k3"]).input_shape == (1, 28, 28)     # one channel
    assert chain_graph(["3x32x32", "conv 4 k3"], layout="chw").input_shape == (3, 32, 32)
    flat = analyze(chain_graph(["4096", "fc 3"]))
    assert flat.totals.params == 4096 * 3 + 3 == 12_291


def test_spec_option_prints_yaml_that_compiles_to_the_same_network(run_cli):
    result = run_cli("calc", "32x32x3", "conv 10 k5 p2", "maxpool 2", "--spec")
    assert result.exit_code == 0, result.stderr
    graph = load_graph_text(result.stdout)
    assert analyze(graph).totals.params == 760
    assert graph.nodes[-1].shape == (10, 16, 16)


@pytest.mark.parametrize("chain, message", [
    (["32x32x3", "cnv 10 k5"], "calc:2:1: unknown op 'cnv'; did you mean 'conv'?"),
    (["32x32x3", "conv 10 k5", "maxpool k3 s2 q7"], "calc:3:15: maxpool: cannot read 'q7'"),
    (["32x32x3", "flatten 3"], "calc:2:9: flatten takes no value: '3'"),
    (["32x32", "conv 10 k40"], "calc:2:1: layer 'conv1': kernel 40x40 (extent 40) is larger than its padded input 32"),
    (["32x32x3x1", "conv 1 k1"], "calc:1:1: input '32x32x3x1': give 1 to 3 sizes"),
    (["conv 10 k5"], "calc:1:1: the first word must be the input size"),
    (["32x32x3"], "calc:1:1: no layers"),
])
def test_errors_point_at_the_argument_and_column(run_cli, chain, message):
    result = run_cli("calc", *chain)
    assert result.exit_code == 1
    assert result.stderr.startswith("cnncalc: error: " + message), result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_bad_option_value_is_located_at_its_word():
    with pytest.raises(SpecError) as error:
        chain_graph(["32x32x3", "conv 10 k5 s0"])
    assert str(error.value.location) == "calc:2:12"


def test_golden_table(run_cli, golden):
    """Guards the layout; the numbers in it are asserted above."""
    result = run_cli("calc", "227x227x3", "conv 96 k11 s4", "maxpool k3 s2")
    assert result.exit_code == 0, result.stderr
    golden("calc_alexnet_stem.txt", result.stdout)


@pytest.mark.parametrize("size", ["32×32×3", "32X32X3", "32,32,3"])
def test_the_input_size_takes_the_same_separators_as_input_option(run_cli, size):
    """`--input 32×32` always worked; calc's first word now reads sizes with the same parser.
    760 = (5·5·3 + 1)·10: a 5x5 kernel over 3 channels, plus a bias, for each of 10 filters."""
    data = calc_json(run_cli, size, "conv 10 k5 p2")
    assert [layer["params"] for layer in data["layers"] if layer["type"] == "conv"] == [760]
    assert data["input_shape"] == [3, 32, 32]  # channels first in JSON
