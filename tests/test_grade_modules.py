"""Module and stage names (`inception_3a`, `layer1`, `layer1/bottleneck1`) are answerable wherever a
layer name is, in `grade` and `check --expect`, with the module's totals as `summary --depth` folds them."""

from __future__ import annotations

import json

import pytest

from cnncalc.analysis import analyze
from cnncalc.conventions import Conventions
from cnncalc.grading.marking import AnswerKey, UnknownLayer
from cnncalc.spec import load_graph

# GoogLeNet Inception 3a (Szegedy et al. 2015, Table 1; the zoo spec keeps the paper's 5x5 branch and
# conv biases), 192 input channels at 28x28:
#   1x1 64:                (192 + 1)*64 = 12,352
#   3x3 reduce 96 + 3x3 128: (192 + 1)*96 = 18,528 and (3*3*96 + 1)*128 = 110,720
#   5x5 reduce 16 + 5x5 32:  (192 + 1)*16 = 3,088 and (5*5*16 + 1)*32 = 12,832
#   pool proj 32:          (192 + 1)*32 = 6,176
INCEPTION_3A = 12_352 + 18_528 + 110_720 + 3_088 + 12_832 + 6_176
INCEPTION_3A_NO_BIAS = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32
# MACs, each conv's output 28*28 = 784 positions: Table 1's "ops" column says 128M
INCEPTION_3A_MACS = 784 * (192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32)
# torchvision resnet50 (v1.5) layer1, BN weight and bias counted: bottleneck 1 has the 1x1 projection,
#   (64*64 + 9*64*64 + 64*256 + 64*256) + 2*(64 + 64 + 256 + 256) = 73,728 + 1,280 = 75,008
#   bottlenecks 2, 3: (256*64 + 9*64*64 + 64*256) + 2*(64 + 64 + 256) = 69,632 + 768 = 70,400
BOTTLENECK1, BOTTLENECK2 = 75_008, 70_400


def test_hand_counts():
    assert INCEPTION_3A == 163_696 and INCEPTION_3A_NO_BIAS == 163_328
    assert INCEPTION_3A_MACS == 128_049_152
    assert BOTTLENECK1 + 2 * BOTTLENECK2 == 215_808


@pytest.fixture(scope="module")
def googlenet() -> AnswerKey:
    graph = load_graph("googlenet")
    return AnswerKey(graph, analyze(graph))


def test_a_module_is_marked_on_its_totals(googlenet):
    assert googlenet.mark("inception_3a", "params", "163,696").right
    assert googlenet.mark("inception_3a", "macs", "128M").right          # the paper's Table 1 figure
    assert googlenet.mark("inception_3a", "macs", INCEPTION_3A_MACS).right
    assert googlenet.mark("inception_3a", "output_shape", "28x28x256").right  # 64 + 128 + 32 + 32 channels
    wrong = googlenet.mark("inception_3a", "params", "163,328")
    assert wrong.right is False and wrong.expected == "163,696"
    assert wrong.working.startswith("params = 12,352 (inception_3a/branch1/conv1) + 18,528 ")
    assert wrong.working.endswith("= 163,696")


def test_without_biases():
    graph = load_graph("googlenet")
    key = AnswerKey(graph, analyze(graph, Conventions(bias=False)))
    assert key.mark("inception_3a", "params", INCEPTION_3A_NO_BIAS).right


def test_names_that_are_not_there_suggest_the_module(googlenet):
    with pytest.raises(UnknownLayer, match="no layer or module 'inception_3z'.*did you mean 'inception_3"):
        googlenet.layer("inception_3z")
    assert googlenet.layer("Inception_3A").name == "inception_3a"  # as a layer name, case-blind


def test_grade_resnet50_stages(run_cli, tmp_path):
    sheet = tmp_path / "stages.yaml"
    sheet.write_text("layers:\n  layer1: {params: 215808, output_shape: 56x56x256}\n"
                     f"  layer1/bottleneck1: {{params: {BOTTLENECK1}}}\n  layer1/bottleneck2: {{params: {BOTTLENECK2}}}\n"
                     "  bottleneck3: {params: 70400}\n")
    result = run_cli("grade", str(sheet), "--key", "resnet50", "-f", "json")
    assert result.exit_code == 0, result.output
    marks = {m["item"]: m for m in json.loads(result.stdout)["sheets"][0]["marks"]}
    assert all(marks[item]["right"] for item in ("layer1.params", "layer1.output_shape", "layer1/bottleneck1.params",
                                                 "layer1/bottleneck2.params"))
    assert "ambiguous" in marks["bottleneck3.params"]["problem"]  # one in each of layer1..layer4


def test_check_expect_accepts_modules(run_cli, tmp_path):
    expect = tmp_path / "expect.yaml"
    expect.write_text(f"layers:\n  inception_3a: {{params: {INCEPTION_3A}, output_shape: 28x28x256}}\n")
    result = run_cli("check", "googlenet", "--expect", str(expect))
    assert result.exit_code == 0, result.output
    expect.write_text("layers:\n  inception_3a: {params: 163,000}\n")
    result = run_cli("check", "googlenet", "--expect", str(expect))
    assert result.exit_code == 1 and "163,696" in result.output and "no layer" not in result.output
