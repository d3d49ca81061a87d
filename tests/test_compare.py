"""`cnncalc compare`: totals side by side with ratios, bars of where each model keeps its costs.

Independent figures: torchvision's published counts (AlexNet 61,100,840 params; VGG-16
138,357,544 params, 15.47 GMACs), seed 001's AlexNet-vs-VGG chart (61M vs 138M, 2.3x; 1.9 MB vs
48.6 MB, 25x; 0.7 vs 13.6 GFLOP, 19.4x), which the seed computed on a VGG-16 missing conv3_3
(docs/errata.md 001-69..001-75), and hand sums written out below.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
ALEXNET = str(FIXTURES / "alexnet_michigan.yaml")
VGG_12CONV = str(FIXTURES / "vgg16_missing_conv3_3.yaml")
MIB = 1024 * 1024


def compare_json(run_cli, *args):
    result = run_cli("compare", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {model["name"]: model for model in json.loads(result.stdout)["models"]}


def test_alexnet_vs_vgg16_params_match_the_slide_and_torchvision(run_cli):
    models = compare_json(run_cli, ALEXNET, "vgg16")
    alexnet, vgg = models["AlexNet (Michigan table)"], models["VGG-16"]
    assert alexnet["totals"]["params"] == 61_100_840      # torchvision.models.alexnet
    assert vgg["totals"]["params"] == 138_357_544         # torchvision.models.vgg16
    assert f"{vgg['ratios']['params']:.1f}" == "2.3"      # seed 001: "138M (2.3x)"
    assert vgg["totals"]["macs"] == 15_470_264_320        # torchvision: 15.47 GFLOPS (MACs)
    assert vgg["depth"] == 16 and alexnet["depth"] == 8   # seed 000: "8 layers (AlexNet) -> 16 - 19 layers (VGG16Net)"
    assert vgg["receptive_field"] == 212                  # 1 + 2*(2+2+... ): Araujo et al.'s table for VGG-16


def test_seed_001_memory_and_flop_figures_come_from_vgg16_without_conv3_3(run_cli):
    models = compare_json(run_cli, ALEXNET, VGG_12CONV)
    alexnet, vgg = models["AlexNet (Michigan table)"], models["VGG-16 missing conv3_3"]
    # The slide's memory is the conv layers' outputs only, fp32, KiB/1024 = "MB".
    alexnet_conv = (64 * 56 * 56 + 192 * 27 * 27 + 384 * 13 * 13 + 2 * 256 * 13 * 13) * 4
    vgg_conv = (2 * 64 * 224 * 224 + 2 * 128 * 112 * 112 + 2 * 256 * 56 * 56 + 3 * 512 * 28 * 28 + 3 * 512 * 14 * 14) * 4
    assert alexnet["by_type"]["conv"]["activation_bytes"] == alexnet_conv
    assert vgg["by_type"]["conv"]["activation_bytes"] == vgg_conv
    alexnet_mb, vgg_mb = round(alexnet_conv / MIB, 1), round(vgg_conv / MIB, 1)
    assert (alexnet_mb, vgg_mb) == (1.9, 48.6)              # "AlexNet total: 1.9 MB", "VGG-16 total: 48.6 MB"
    assert int(vgg_mb / alexnet_mb) == 25                   # "(25x)": the slide truncates 25.6
    # GFLOP = MACs of conv + FC layers.
    alexnet_g, vgg_g = round(alexnet["totals"]["macs"] / 1e9, 1), round(vgg["totals"]["macs"] / 1e9, 1)
    assert (alexnet_g, vgg_g) == (0.7, 13.6)                # "0.7 GFLOP", "13.6 GFLOP"
    assert f"{vgg_g / alexnet_g:.1f}" == "19.4"             # "(19.4x)", a ratio of rounded totals
    assert f"{vgg['ratios']['macs']:.1f}" == "19.0"         # the exact ratio (docs/errata.md 001-75)
    assert vgg["totals"]["params"] == 138_357_544 - (3 * 3 * 256 * 256 + 256)  # 137.77M still rounds to 138M
    assert vgg["depth"] == 15                               # docs/errata.md 004-36: "15 not 16"


def test_true_vgg16_figures_in_the_product(run_cli):
    """docs/errata.md 001-71/001-73: true VGG-16 is 51.68 MiB of conv outputs and 15.47 GMACs (21.6x)."""
    models = compare_json(run_cli, ALEXNET, "vgg16")
    vgg = models["VGG-16"]
    conv_bytes = (2 * 64 * 224 * 224 + 2 * 128 * 112 * 112 + 3 * 256 * 56 * 56 + 3 * 512 * 28 * 28 + 3 * 512 * 14 * 14) * 4
    assert vgg["by_type"]["conv"]["activation_bytes"] == conv_bytes
    assert f"{conv_bytes / MIB:.2f}" == "51.68"
    assert f"{vgg['ratios']['macs']:.1f}" == "21.6"


def test_lessons_show_in_the_shares(run_cli):
    """Seed 001's three lessons: memory in the early convs, params in the FC layers, MACs in the convs."""
    vgg = compare_json(run_cli, ALEXNET, "vgg16")["VGG-16"]
    by_type = vgg["by_type"]
    assert by_type["dense"]["params"] > 0.85 * vgg["totals"]["params"]
    assert by_type["conv"]["macs"] > 0.95 * vgg["totals"]["macs"]
    bars = {bar["name"]: bar for bar in vgg["bars"]}
    assert max(bars, key=lambda name: bars[name]["activation_bytes"]) in ("conv1_1", "conv1_2")
    assert max(bars, key=lambda name: bars[name]["params"]) == "fc6"


def test_table_view_has_ratios_verdict_and_bars(run_cli):
    result = run_cli("compare", ALEXNET, "vgg16")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "VGG-16: 2.3x the params" in out
    assert "138M (2.3x)" in out and "61.1M" in out
    assert "█" in out and "fc6" in out
    assert out.count("where the memory, params and MACs are") == 2


def test_conventions_switches_apply_to_every_model(run_cli):
    base = compare_json(run_cli, ALEXNET, "vgg16")["VGG-16"]["totals"]
    fp16 = compare_json(run_cli, ALEXNET, "vgg16", "--dtype", "fp16", "--batch", "2", "--no-bias")["VGG-16"]["totals"]
    assert fp16["activation_bytes"] == base["activation_bytes"]          # x2 batch, /2 bytes
    assert fp16["macs"] == 2 * base["macs"]
    assert fp16["params"] == 138_357_544 - (2 * 64 + 2 * 128 + 3 * 256 + 6 * 512 + 4096 * 2 + 1000)  # minus the 13,416 biases


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_other_formats(run_cli, fmt):
    result = run_cli("compare", ALEXNET, "vgg16", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if fmt == "csv":
        header, first, second = result.stdout.splitlines()
        assert header.startswith("name,params,macs")
        assert second.startswith("VGG-16,138357544,15470264320")
        assert "2.2644" in second  # 138,357,544 / 61,100,840
    else:
        assert "| Params | 61.1M | 138M (2.3x) |" in result.stdout


def test_needs_two_models_and_reports_unknown_ones(run_cli):
    result = run_cli("compare", "vgg16")
    assert result.exit_code == 2 and "at least two" in result.stderr
    result = run_cli("compare", "vgg16", "vgg61")
    assert result.exit_code == 2 and "did you mean" in result.stderr
    assert "Traceback" not in result.stderr


def test_golden_table(run_cli, golden):
    """Guards the layout; the numbers in it are asserted above."""
    result = run_cli("compare", ALEXNET, VGG_12CONV, "--no-count-input")
    assert result.exit_code == 0, result.stderr
    golden("compare_alexnet_vgg12.txt", result.stdout)


@pytest.mark.parametrize("model, depth", [("googlenet", 22), ("resnet50", 50), ("resnet18", 18), ("inception_v3", 48)])
def test_depth_is_the_weight_layers_on_the_longest_path(run_cli, model, depth):
    """The numbers in the names (ResNet-50, ResNet-18), GoogLeNet's "22 layers deep" (docs/errata.md 000-17,
    001-76: inception = 2 deep) and Inception-v3's "48 layers deep"; shortcut projections are off the path."""
    from cnncalc.zoo import zoo_names

    if model not in zoo_names():
        pytest.skip(f"{model} not in the zoo yet")
    models = compare_json(run_cli, "vgg16", model)
    assert list(models.values())[1]["depth"] == depth
