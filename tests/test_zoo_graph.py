"""The graph zoo (modules, residuals, concat branches, `from:`) against published figures.

Every expected number is independent of cnncalc: torchvision's published parameter counts and
GFLOPS (conv + linear MACs, biases not counted, batch 1), the papers' tables as checked in
docs/errata.md (the lecture notes' figures and errata), Araujo et al.'s receptive-field table, or a hand
computation written out below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnncalc.analysis import analyze, collapse
from cnncalc.spec import load_graph

FIXTURES = Path(__file__).parent / "fixtures" / "graph"

# torchvision's model definitions (torchvision/models/*.py) and their published counts.
ZOO = [
    # name, input side, params, MACs
    ("inception_v3", 299, 23_834_568, 5_713_216_096),     # no aux head
    ("resnet18", 224, 11_689_512, 1_814_073_344),
    ("resnet34", 224, 21_797_672, 3_663_761_408),
    ("resnet50", 224, 25_557_032, 4_089_184_256),        # v1.5: stride on the 3x3
    ("resnet101", 224, 44_549_160, 7_801_405_440),
    ("resnet152", 224, 60_192_808, 11_513_626_624),
    ("densenet121", 224, 7_978_856, 2_834_161_664),
    ("mobilenet_v2", 224, 3_504_872, 300_774_272),
    ("efficientnet_b0", 224, 5_288_548, 385_814_752),
    ("squeezenet1_0", 224, 1_248_424, 818_924_576),
]

_cache: dict[str, object] = {}


def zoo(name: str):
    """Each zoo model is analysed once per test session (ResNet-152 has 500+ layers)."""
    if name not in _cache:
        _cache[name] = analyze(load_graph(name))
    return _cache[name]


def fixture(name: str):
    return analyze(load_graph(str(FIXTURES / name)))


@pytest.mark.parametrize("name, side, params, macs", ZOO, ids=[row[0] for row in ZOO])
def test_zoo_matches_torchvision(name, side, params, macs):
    analysis = zoo(name)
    assert analysis.input_shape == (3, side, side)
    assert analysis.totals.params == params
    assert analysis.totals.macs == macs
    assert analysis.layers[-1].output_shape == (1000,)
    assert analysis.source, f"{name} must cite its source"


def test_every_graph_zoo_file_cites_its_source_in_a_comment():
    for name in [row[0] for row in ZOO] + ["googlenet", "googlenet_torchvision"]:
        text = (Path(__file__).parent.parent / "specs" / f"{name}.yaml").read_text()
        assert text.startswith("# ") and ("torchvision" in text or "Szegedy" in text), name


# -- GoogLeNet ---------------------------------------------------------------------------------

# Szegedy et al. 2015, Table 1, "ops" column (MACs, the convention docs/errata.md names:
# Caffe ceil-mode pools, ops = conv/linear MACs, pools 0). The printed 5a "54M" is erratum 002-65:
# the branch MACs at 7x7 are 51,079,168 (54M needs #5x5reduce = 48 as in 5b). The column rounds
# to nearest except 4a: 73.6M is printed "73" (truncated; docs/errata.md 002-49).
PAPER_OPS_M = {
    "inception_3a": 128, "inception_3b": 304, "inception_4b": 88, "inception_4c": 100,
    "inception_4d": 119, "inception_4e": 170, "inception_5b": 71, "linear": 1,
}


def test_googlenet_per_module_ops_reproduce_the_paper():
    rows = {row.name: row for row in collapse(zoo("googlenet"), 0)}
    for module, millions in PAPER_OPS_M.items():
        assert round(rows[module].macs / 1e6) == millions, module
    assert int(rows["inception_4a"].macs / 1e6) == 73
    assert round(rows["inception_5a"].macs / 1e6, 1) == 51.1  # erratum 002-65 in the paper: "54M"
    # the paper's conv2 row is the 1x1 reduce plus the 3x3: 56*56*(64*64 + 192*64*9) = 359.7M -> "360M"
    assert rows["conv2_reduce"].macs + rows["conv2"].macs == 56 * 56 * (64 * 64 + 192 * 64 * 9)
    assert round((rows["conv2_reduce"].macs + rows["conv2"].macs) / 1e6) == 360
    # conv1: 112*112*64*7*7*3 = 118.0M (the paper's "34M" is an erratum, docs/errata.md 002-34)
    assert rows["conv1"].macs == 112 * 112 * 64 * 7 * 7 * 3


def test_googlenet_is_about_seven_million_parameters():
    analysis = zoo("googlenet")
    assert analysis.totals.params == 6_998_552  # docs/errata.md 000-21: weights + biases, no aux heads
    shapes = {row.name: row.output_shape for row in collapse(analysis, 0)}
    # Table 1's output sizes
    assert shapes["pool2"] == (192, 28, 28)
    assert shapes["inception_3b"] == (480, 28, 28)
    assert shapes["inception_4e"] == (832, 14, 14)
    assert shapes["inception_5b"] == (1024, 7, 7)


def test_googlenet_aux_heads_are_training_only():
    # Sec. 5: avgpool 5x5/3 (14 -> 4), 1x1 conv 128, FC 1024, FC 1000; on 4a (512 ch) and 4d (528 ch)
    def aux(channels):
        return (channels * 128 + 128) + (4 * 4 * 128 * 1024 + 1024) + (1024 * 1000 + 1000)

    analysis = zoo("googlenet")
    assert analysis.training_only_totals.params == aux(512) + aux(528)
    assert all(row.training_only == row.name.startswith(("aux1", "aux2")) for row in analysis.layers)


def test_googlenet_torchvision():
    analysis = zoo("googlenet_torchvision")
    assert analysis.totals.params == 6_624_904       # torchvision's published count (no aux heads)
    assert round(analysis.totals.macs / 1e9, 2) == 1.50  # torchvision: 1.50 GFLOPS


def test_inception_v3_aux_head_is_reported_apart():
    analysis = zoo("inception_v3")
    # torchvision's inception_v3 with aux_logits=True has 27,161,264 parameters
    assert analysis.totals.params + analysis.training_only_totals.params == 27_161_264


# -- ResNet: torchvision v1.5 vs the paper's column --------------------------------------------

# He et al. 2016, Table 1 "FLOPs" (= MACs): 1.8 / 3.6 / 3.8 / 7.6 / 11.3 x 10^9. Under the
# convention of docs/errata.md ("Michigan ResNet GFLOP column"): option-A shortcuts for 18/34,
# stride on the first 1x1 for 50/101/152; round to nearest, except 3.86 -> "3.8" (truncated).
PAPER_GFLOPS = [
    ("resnet18_v1", "1.8", 1.7948, round),
    ("resnet34_v1", "3.6", 3.6445, round),
    ("resnet50_v1", "3.8", 3.8580, lambda x, n: int(x * 10) / 10),
    ("resnet101_v1", "7.6", 7.5702, round),
    ("resnet152_v1", "11.3", 11.2824, round),
]


@pytest.mark.parametrize("name, printed, exact, rounding", PAPER_GFLOPS, ids=[row[0] for row in PAPER_GFLOPS])
def test_resnet_paper_variants_reproduce_table1(name, printed, exact, rounding):
    gmacs = zoo(name).totals.macs / 1e9
    assert f"{rounding(gmacs, 1):.1f}" == printed
    assert round(gmacs, 4) == exact  # docs/errata.md 001-147 ... 001-155


def test_resnet_paper_variants_params():
    # moving the stride changes no weights: v1 and v1.5 have torchvision's counts
    for depth, params in ((50, 25_557_032), (101, 44_549_160), (152, 60_192_808)):
        assert zoo(f"resnet{depth}_v1").totals.params == params
    # option A drops the three projection shortcuts (1x1 conv + batchnorm) of torchvision's nets
    projections = sum(cin * cout + 2 * cout for cin, cout in ((64, 128), (128, 256), (256, 512)))
    assert projections == 173_824
    assert zoo("resnet18_v1").totals.params == 11_689_512 - projections
    assert zoo("resnet34_v1").totals.params == 21_797_672 - projections


# -- receptive fields --------------------------------------------------------------------------

def hand_rf(layers):
    """Araujo et al.: r += (k - 1) * j ; j *= s, along the deepest path."""
    r, j = 1, 1
    for k, s in layers:
        r += (k - 1) * j
        j *= s
    return r, j


def resnet50_path(stride_on):
    """The main path of a ResNet-50: stem, then 3-4-6-3 bottlenecks (1x1, 3x3, 1x1)."""
    layers = [(7, 2), (3, 2)]
    for stage, blocks in enumerate((3, 4, 6, 3)):
        for block in range(blocks):
            s = 2 if stage > 0 and block == 0 else 1
            layers += [(1, s if stride_on == "1x1" else 1), (3, s if stride_on == "3x3" else 1), (1, 1)]
    return layers


def last_spatial_rf(analysis):
    row = [r for r in analysis.layers if len(r.output_shape) == 3 and r.output_shape[1:] != (1, 1)][-1]
    return row.receptive_field


def test_receptive_field_through_resnet50_matches_araujo():
    # Araujo, Norris & Sim (Distill 2019), table: resnet_v1_50 (TF-Slim): r = 483, stride 32, padding 239
    slim = last_spatial_rf(fixture("resnet50_tfslim.yaml"))
    assert slim.size == (483, 483) and slim.jump == (32, 32)
    assert (slim.size[0] - 1) / 2 - slim.start[0] == 239  # effective padding = (r - 1)/2 - centre of unit 0
    # The paper's placement (stride on the first 1x1) gives the same field: every 3x3 of a stage
    # runs at the same jump as in TF-Slim, which strides at the END of each stage instead.
    assert last_spatial_rf(zoo("resnet50_v1")).size == (483, 483) == (hand_rf(resnet50_path("1x1"))[0],) * 2
    # torchvision (v1.5) strides the first 3x3 of stages 2-4: that 3x3 runs at the lower jump -> 427
    assert hand_rf(resnet50_path("3x3")) == (427, 32)
    v15 = last_spatial_rf(zoo("resnet50"))
    assert v15.size == (427, 427) and v15.jump == (32, 32)


# -- the seeds' inception cost examples ---------------------------------------------------------

def test_one_by_one_bottleneck_cost():
    # seeds 003/004: 28x28x32 5x5 conv on 192 channels, and the same after a 1x1 to 16 channels
    analysis = fixture("inception_cost.yaml")
    rows = {row.name: row for row in collapse(analysis, 0)}
    assert rows["direct"].macs == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert rows["bottleneck"].macs == 28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16 == 12_443_648
    assert analysis.outputs == ["direct", "bottleneck/conv5x5"]


def test_naive_inception_module_cost():
    # seed 001: [1x1,128] + [3x3,192] + [5x5,96] on 28x28x256, pool 0 ops: "Total: 854M ops"
    macs = fixture("inception_naive.yaml").totals.macs
    assert macs == 28 * 28 * 256 * (128 * 1 + 192 * 9 + 96 * 25) == 854_196_224
    assert round(macs / 1e6) == 854


def test_reduced_inception_module_cost():
    # seed 001 lists six convs and prints "Total: 358M ops"; that total is an erratum (docs/errata.md
    # 001-81): the listed products sum to 271,351,808 - 358M would need 128 channels into the 3x3.
    analysis = fixture("inception_reduced.yaml")
    listed = 28 * 28 * (64 * 256 + 64 * 256 + 128 * 256 + 192 * 9 * 64 + 96 * 25 * 64 + 64 * 256)
    assert analysis.totals.macs == listed == 271_351_808
    assert analysis.layers[-1].output_shape == (128 + 192 + 96 + 64, 28, 28)


# -- structure ---------------------------------------------------------------------------------

def test_densenet121_block_widths():
    # Table 1 with k = 32: each dense block adds n*32 channels; transitions halve them
    shapes = {row.name: row.output_shape for row in collapse(zoo("densenet121"), 0)}
    assert shapes["denseblock1"] == (64 + 6 * 32, 56, 56)
    assert shapes["transition1"] == (128, 28, 28)
    assert shapes["denseblock2"] == (128 + 12 * 32, 28, 28)
    assert shapes["denseblock3"] == (256 + 24 * 32, 14, 14)
    assert shapes["denseblock4"] == (512 + 16 * 32, 7, 7)


def test_residual_counts():
    # identity shortcuts where a block keeps its shape: MobileNetV2 has 10 (Table 2: n - 1 per row),
    # EfficientNet-B0 9 (Table 1), ResNet-50 16 adds of which 4 projections
    def adds(name):
        return sum(row.type == "add" for row in zoo(name).layers)

    assert adds("mobilenet_v2") == (2 - 1) + (3 - 1) + (4 - 1) + (3 - 1) + (3 - 1)
    assert adds("efficientnet_b0") == (2 - 1) + (2 - 1) + (3 - 1) + (3 - 1) + (4 - 1)
    assert adds("resnet50") == 16
    assert sum(row.name.endswith("/shortcut") for row in zoo("resnet50").layers) == 4
    assert sum(row.type == "channel_pad" for row in zoo("resnet34_v1").layers) == 3


# -- naive reference computations for the exact totals ------------------------------------------

def naive_resnet(blocks, bottleneck, stride_on="3x3", shortcut="B"):
    """He et al. Table 1 walked by hand: (params, MACs) with batchnorm, a 1000-way FC, 224 input.

    stride_on: "3x3" (torchvision v1.5) or "1x1" (the paper); shortcut: "A" zero-padding or
    "B" 1x1 projection + batchnorm where the shape changes.
    """
    params = 7 * 7 * 3 * 64 + 2 * 64
    macs = 112 * 112 * 64 * 7 * 7 * 3
    side, cin = 56, 64
    for stage, count in enumerate(blocks):
        width = 64 * 2 ** stage
        cout = width * 4 if bottleneck else width
        for index in range(count):
            stride = 2 if stage > 0 and index == 0 else 1
            out = side // stride
            if bottleneck:
                s1, s3 = (stride, 1) if stride_on == "1x1" else (1, stride)
                convs = [(cin, width, 1, side // s1), (width, width, 9, side // s1 // s3), (width, cout, 1, out)]
            else:
                convs = [(cin, width, 9, out), (width, width, 9, out)]
            if (stride != 1 or cin != cout) and shortcut == "B":
                convs.append((cin, cout, 1, out))
            for c_in, c_out, kk, hw in convs:
                params += c_in * c_out * kk + 2 * c_out
                macs += hw * hw * c_out * c_in * kk
            side, cin = out, cout
    return params + cin * 1000 + 1000, macs + cin * 1000


RESNETS = [
    ("resnet18", [2, 2, 2, 2], False, "3x3", "B"), ("resnet34", [3, 4, 6, 3], False, "3x3", "B"),
    ("resnet50", [3, 4, 6, 3], True, "3x3", "B"), ("resnet101", [3, 4, 23, 3], True, "3x3", "B"),
    ("resnet152", [3, 8, 36, 3], True, "3x3", "B"),
    ("resnet18_v1", [2, 2, 2, 2], False, "1x1", "A"), ("resnet34_v1", [3, 4, 6, 3], False, "1x1", "A"),
    ("resnet50_v1", [3, 4, 6, 3], True, "1x1", "B"), ("resnet101_v1", [3, 4, 23, 3], True, "1x1", "B"),
    ("resnet152_v1", [3, 8, 36, 3], True, "1x1", "B"),
]


@pytest.mark.parametrize("name, blocks, bottleneck, stride_on, shortcut", RESNETS, ids=[r[0] for r in RESNETS])
def test_resnets_match_a_naive_walk_of_table1(name, blocks, bottleneck, stride_on, shortcut):
    totals = zoo(name).totals
    assert (totals.params, totals.macs) == naive_resnet(blocks, bottleneck, stride_on, shortcut)


def test_naive_walk_agrees_with_torchvision():
    # the reference itself, checked against torchvision's published figures
    assert naive_resnet([3, 4, 6, 3], True) == (25_557_032, 4_089_184_256)
    assert naive_resnet([2, 2, 2, 2], False) == (11_689_512, 1_814_073_344)


GOOGLENET_TABLE1 = [
    # side, input channels, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
    (28, 192, 64, 96, 128, 16, 32, 32), (28, 256, 128, 128, 192, 32, 96, 64),
    (14, 480, 192, 96, 208, 16, 48, 64), (14, 512, 160, 112, 224, 24, 64, 64),
    (14, 512, 128, 128, 256, 24, 64, 64), (14, 512, 112, 144, 288, 32, 64, 64),
    (14, 528, 256, 160, 320, 32, 128, 128), (7, 832, 256, 160, 320, 32, 128, 128),
    (7, 832, 384, 192, 384, 48, 128, 128),
]


def googlenet_from_table1(k5, batchnorm):
    """(params, MACs) of the stem, the nine modules of Table 1 and the classifier, by hand.

    k5: the kernel area of the "5x5" branch (25 in the paper, 9 in torchvision); batchnorm:
    torchvision's convs have no bias and a batchnorm (2 params per channel), the paper's a bias.
    """
    per_channel = 2 if batchnorm else 1
    stem = [(7 * 7 * 3, 64, 112), (64, 64, 56), (64 * 9, 192, 56)]
    params = (1024 + 1) * 1000
    macs = 1024 * 1000
    for fan_in, cout, side in stem:
        params += fan_in * cout + per_channel * cout
        macs += side * side * cout * fan_in
    for side, cin, c1, c3r, c3, c5r, c5, pp in GOOGLENET_TABLE1:
        weights = cin * c1 + cin * c3r + c3r * 9 * c3 + cin * c5r + c5r * k5 * c5 + cin * pp
        macs += side * side * weights
        params += weights + per_channel * (c1 + c3r + c3 + c5r + c5 + pp)
    return params, macs


def test_googlenet_totals_from_table1():
    paper = googlenet_from_table1(25, batchnorm=False)
    assert paper[0] == 6_998_552                  # docs/errata.md 000-21
    assert (zoo("googlenet").totals.params, zoo("googlenet").totals.macs) == paper
    torchvision = googlenet_from_table1(9, batchnorm=True)
    assert torchvision[0] == 6_624_904            # torchvision's published count
    totals = zoo("googlenet_torchvision").totals
    assert (totals.params, totals.macs) == torchvision


def test_googlenet_receptive_field_by_hand():
    # deepest path: the 5x5 branch of every module; Caffe pools 3x3/2; the final 7x7 average pool
    stem = [(7, 2), (3, 2), (1, 1), (3, 1), (3, 2)]
    module = [(1, 1), (5, 1)]
    path = stem + module * 2 + [(3, 2)] + module * 5 + [(3, 2)] + module * 2 + [(7, 1)]
    rows = {row.name: row for row in collapse(zoo("googlenet"), 0)}
    assert hand_rf(stem + module)[0] == 59
    assert rows["inception_3a"].receptive_field.size == (59, 59)
    assert rows["pool5"].receptive_field.size == (hand_rf(path)[0],) * 2 == (907, 907)
