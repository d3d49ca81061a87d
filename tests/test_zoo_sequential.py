"""The sequential zoo: every file's exact params and MACs against an independent figure.

Sources of the expected numbers: torchvision's published counts (alexnet, vgg11/13/16/19:
`num_params` and "GFLOPS", which are MACs of conv + linear layers at 224x224), and otherwise a hand
computation written out below, layer by layer, from the paper's architecture. Params include
biases; MACs count conv and dense multiply-accumulates only, batch 1.
"""

from __future__ import annotations

import json

import pytest

from cnncalc.analysis import analyze
from cnncalc.spec import load_graph, load_graph_text
from cnncalc.spec.yaml_loader import load_yaml_file
from cnncalc.zoo import zoo_dir

# -- hand computations (params = Cout*Cin/g*K*K + Cout; MACs = Hout*Wout*Cout*Cin/g*K*K) --------

FC_4096_4096_1000_PARAMS = (9216 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)  # 58,631,144
FC_4096_4096_1000_MACS = 9216 * 4096 + 4096 * 4096 + 4096 * 1000                              # 58,621,952

# Krizhevsky 2012 at 227: 55 -> pool 27 -> 27 -> pool 13 -> 13 -> 13 -> 13 -> pool 6.
# conv2, conv4, conv5 are split over two GPUs (groups 2: each filter sees half the input maps).
ALEXNET_2012_PARAMS = (
    96 * 3 * 11 * 11 + 96            # conv1      34,944
    + 256 * (96 // 2) * 5 * 5 + 256  # conv2     307,456
    + 384 * 256 * 3 * 3 + 384        # conv3     885,120
    + 384 * (384 // 2) * 3 * 3 + 384  # conv4    663,936
    + 256 * (384 // 2) * 3 * 3 + 256  # conv5    442,624
    + FC_4096_4096_1000_PARAMS
)
ALEXNET_2012_MACS = (
    55 * 55 * 96 * 3 * 11 * 11           # conv1  105,415,200
    + 27 * 27 * 256 * (96 // 2) * 5 * 5  # conv2  223,948,800
    + 13 * 13 * 384 * 256 * 3 * 3        # conv3  149,520,384
    + 13 * 13 * 384 * (384 // 2) * 3 * 3  # conv4 112,140,288
    + 13 * 13 * 256 * (384 // 2) * 3 * 3  # conv5  74,760,192
    + FC_4096_4096_1000_MACS
)
# The same net drawn on one GPU (cs231n's "62.4M"): every conv sees all its input maps.
ALEXNET_2012_UNGROUPED_PARAMS = (
    96 * 3 * 11 * 11 + 96 + 256 * 96 * 5 * 5 + 256 + 384 * 256 * 9 + 384 + 384 * 384 * 9 + 384
    + 256 * 384 * 9 + 256 + FC_4096_4096_1000_PARAMS
)

# LeNet-5 (common variant) on 32x32x1: c1 28x28x6, s2 14x14, c3 10x10x16, s4 5x5, c5 1x1x120.
LENET5_PARAMS = (
    6 * 1 * 5 * 5 + 6       # c1        156
    + 16 * 6 * 5 * 5 + 16   # c3      2,416 (full connection; the paper's sparse table gives 1,516)
    + 120 * 16 * 5 * 5 + 120  # c5   48,120
    + 120 * 84 + 84         # f6     10,164
    + 84 * 10 + 10          # output    850
)                           # = 61,706
LENET5_MACS = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 6 * 25 + 1 * 1 * 120 * 16 * 25 + 120 * 84 + 84 * 10  # 416,520

# ZFNet (Zeiler & Fergus Fig. 3) at 224: 110 -> pool 55 -> 26 -> pool 13 -> 13 -> 13 -> 13 -> pool 6.
ZFNET_PARAMS = (
    96 * 3 * 7 * 7 + 96        # conv1      14,208
    + 256 * 96 * 5 * 5 + 256   # conv2     614,656
    + 384 * 256 * 3 * 3 + 384  # conv3     885,120
    + 384 * 384 * 3 * 3 + 384  # conv4   1,327,488
    + 256 * 384 * 3 * 3 + 256  # conv5     884,992
    + FC_4096_4096_1000_PARAMS
)                              # = 62,357,608
ZFNET_MACS = (
    110 * 110 * 96 * 3 * 7 * 7       # conv1  170,755,200
    + 26 * 26 * 256 * 96 * 5 * 5     # conv2  415,334,400
    + 13 * 13 * 384 * 256 * 3 * 3    # conv3  149,520,384
    + 13 * 13 * 384 * 384 * 3 * 3    # conv4  224,280,576
    + 13 * 13 * 256 * 384 * 3 * 3    # conv5  149,520,384
    + FC_4096_4096_1000_MACS
)                                    # = 1,168,032,896

# VGG config C = config D with the last conv of stages 3-5 a 1x1 instead of a 3x3:
# each loses Cout*Cin*(9 - 1) weights and Hout*Wout*Cout*Cin*(9 - 1) MACs.
VGG16_PARAMS, VGG16_MACS = 138_357_544, 15_470_264_320  # torchvision vgg16
VGG16_C_PARAMS = VGG16_PARAMS - (256 * 256 * 8 + 512 * 512 * 8 + 512 * 512 * 8)  # = 133,638,952
VGG16_C_MACS = VGG16_MACS - (56 * 56 * 256 * 256 * 8 + 28 * 28 * 512 * 512 * 8 + 14 * 14 * 512 * 512 * 8)

ZOO = {
    # name: (params, MACs)
    "alexnet": (61_100_840, 714_188_480),          # torchvision alexnet: 61,100,840 / 0.71 GFLOPS
    "alexnet_2012": (ALEXNET_2012_PARAMS, ALEXNET_2012_MACS),
    "lenet5": (LENET5_PARAMS, LENET5_MACS),
    "zfnet": (ZFNET_PARAMS, ZFNET_MACS),
    "vgg11": (132_863_336, 7_609_090_048),         # torchvision vgg11: 7.61 GFLOPS
    "vgg11_lrn": (132_863_336, 7_609_090_048),     # config A-LRN: A plus a parameter-free LRN
    "vgg13": (133_047_848, 11_308_466_176),        # torchvision vgg13: 11.31 GFLOPS
    "vgg16_c": (VGG16_C_PARAMS, VGG16_C_MACS),
    "vgg16": (VGG16_PARAMS, VGG16_MACS),           # torchvision vgg16: 15.47 GFLOPS
    "vgg19": (143_667_240, 19_632_062_464),        # torchvision vgg19: 19.63 GFLOPS
}


def test_hand_computations_agree_with_the_published_figures():
    """The arithmetic above reproduces the figures the papers and brief state."""
    assert ALEXNET_2012_PARAMS == 60_965_224
    assert ALEXNET_2012_UNGROUPED_PARAMS == 62_378_344
    assert LENET5_PARAMS == 61_706
    assert VGG16_C_PARAMS == 133_638_952


@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_params_and_macs(name):
    params, macs = ZOO[name]
    analysis = analyze(load_graph(name))
    assert analysis.totals.params == params
    assert analysis.totals.macs == macs
    assert analysis.totals.flops == 2 * macs
    assert analysis.totals.trainable_params == params
    assert analysis.warnings == []  # every zoo net tiles its input at its stated size


@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_file_names_its_source(name):
    path = zoo_dir() / f"{name}.yaml"
    text = path.read_text()
    spec = load_yaml_file(str(path))
    assert isinstance(spec["name"], str) and spec["name"]
    assert isinstance(spec["source"], str) and spec["source"]
    assert text.startswith("#"), "the file opens with a comment citing the paper"


def shapes(name: str, input_override=None) -> dict[str, tuple[int, ...]]:
    return {row.name: row.output_shape for row in analyze(load_graph(name, input_override)).layers}


def test_alexnet_torchvision_shapes_at_224_and_227():
    at224 = shapes("alexnet")
    # floor((224 + 2*2 - 11)/4) + 1 = 55; pools floor((n - 3)/2) + 1: 27, 13, 6
    assert [at224[n] for n in ("conv1", "pool1", "pool2", "pool5", "avgpool")] == [
        (64, 55, 55), (64, 27, 27), (192, 13, 13), (256, 6, 6), (256, 6, 6)]
    at227 = shapes("alexnet", (3, 227, 227))
    # floor((227 + 4 - 11)/4) + 1 = 56 (the Michigan table), then 27, 13, 6 again
    assert at227["conv1"] == (64, 56, 56)
    assert at227["pool5"] == at227["avgpool"] == (256, 6, 6)


def test_alexnet_2012_ungrouped_variant():
    """cs231n draws AlexNet on one GPU: dropping the groups gives 62,378,344 params."""
    text = (zoo_dir() / "alexnet_2012.yaml").read_text()
    assert text.count(", groups: 2") == 3
    ungrouped = analyze(load_graph_text(text.replace(", groups: 2", ""), "alexnet_ungrouped.yaml"))
    assert ungrouped.totals.params == ALEXNET_2012_UNGROUPED_PARAMS == 62_378_344


def test_alexnet_2012_shapes_follow_the_paper():
    got = shapes("alexnet_2012")
    # (227 - 11)/4 + 1 = 55; (55 - 3)/2 + 1 = 27; 27 + 4 - 5 + 1 = 27; (27 - 3)/2 + 1 = 13; 13; (13 - 3)/2 + 1 = 6
    expected = {"conv1": (96, 55, 55), "norm1": (96, 55, 55), "pool1": (96, 27, 27), "conv2": (256, 27, 27),
                "pool2": (256, 13, 13), "conv3": (384, 13, 13), "conv4": (384, 13, 13), "conv5": (256, 13, 13),
                "pool5": (256, 6, 6), "fc6": (4096,), "fc8": (1000,)}
    assert {k: got[k] for k in expected} == expected


def test_zfnet_shapes_match_figure_3():
    got = shapes("zfnet")
    # Fig. 3: 224 -> 110 (7x7/2) -> 55 (3x3/2 pool) -> 26 (5x5/2) -> 13 -> 13 -> 13 -> 13 -> 6
    assert [got[n][1] for n in ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5")] == [
        110, 55, 26, 13, 13, 13, 13, 6]
    assert [got[n][0] for n in ("conv1", "conv2", "conv3", "conv4", "conv5")] == [96, 256, 384, 384, 256]


def test_lenet5_shapes():
    got = shapes("lenet5")
    # 32 - 5 + 1 = 28; /2 = 14; 14 - 5 + 1 = 10; /2 = 5; 5 - 5 + 1 = 1
    assert [got[n] for n in ("c1", "s2", "c3", "s4", "c5", "f6", "output")] == [
        (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120, 1, 1), (84,), (10,)]


def test_cli_summary_json_of_a_zoo_model(run_cli):
    result = run_cli("summary", "alexnet_2012", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["totals"]["params"] == 60_965_224
    assert data["layers"][1]["output_shape"] == [96, 55, 55]


def test_cli_summary_at_another_input(run_cli):
    result = run_cli("summary", "alexnet", "--input", "227", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["input_shape"] == [3, 227, 227]
    layers = {layer["name"]: layer for layer in data["layers"]}
    assert layers["conv1"]["output_shape"] == [64, 56, 56]
    assert layers["conv1"]["macs"] == 56 * 56 * 64 * 3 * 11 * 11  # 72,855,552: the table's 73 M

