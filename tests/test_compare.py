"""`cnncalc compare`: totals side by side with ratios, bars of where each model keeps its costs.

Independent figures: torchvision's published counts (AlexNet 61,100,840 params; VGG-16
138,357,544 params, 15.47 GMACs), seed 001's AlexNet-vs-VGG chart (61M vs 138M, 2.3x; 1.9 MB vs
48.6 MB, 25x; 0.7 vs 13.6 GFLOP, 19.4x), which the seed computed on a VGG-16 missing conv3_3
(docs/errata.md 001-69..001-75), and hand sums written out below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
ALEXNET = str(FIXTURES / "alexnet_michigan.yaml")
VGG_12CONV = str(FIXTURES / "vgg16_missing_conv3_3.yaml")
MIB = 1024 * 1024


CHARTED = ("activation_bytes", "params", "macs")  # what by_type and the bars hold


def compare_json(run_cli, *args):
    """The models of `compare ... --format json`, by name; for each, the by-type rows add up to its totals."""
    result = run_cli("compare", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    models = {model["name"]: model for model in json.loads(result.stdout)["models"]}
    for model in models.values():
        for key in CHARTED:
            assert sum(entry[key] for entry in model["by_type"].values()) == model["totals"][key], (model["name"], key)
    return models


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


# -- per-model input: NAME@SIZE --------------------------------------------------------------------

# AlexNet at 227x227 (the Michigan table), layer by layer: output H·W·C × kernel K·K·C_in.
ALEXNET_227_MACS = (56 * 56 * 64 * 11 * 11 * 3 + 27 * 27 * 192 * 5 * 5 * 64 + 13 * 13 * 384 * 3 * 3 * 192
                    + 13 * 13 * 256 * 3 * 3 * 384 + 13 * 13 * 256 * 3 * 3 * 256
                    + 6 * 6 * 256 * 4096 + 4096 * 4096 + 4096 * 1000)


def test_each_model_takes_its_own_input_size(run_cli):
    """The lecture's comparison: AlexNet at 227 against VGG-16 at its own 224 (docs/errata.md 001-75: 21.6x)."""
    models = compare_json(run_cli, "alexnet@227", "vgg16")
    alexnet, vgg = models["AlexNet"], models["VGG-16"]
    assert alexnet["input_shape"] == [3, 227, 227] and vgg["input_shape"] == [3, 224, 224]
    assert alexnet["totals"]["macs"] == ALEXNET_227_MACS == 716_767_232  # the avgpool is 6x6 -> 6x6: no MACs
    assert vgg["totals"]["macs"] == 15_470_264_320                     # torchvision: 15.47 GFLOPS
    assert f"{vgg['ratios']['macs']:.1f}" == "21.6"
    for size in ("227x227", "227x227x3", "227,227"):
        assert compare_json(run_cli, f"alexnet@{size}", "vgg16")["AlexNet"]["totals"]["macs"] == ALEXNET_227_MACS
    # --input applies to the models without @SIZE
    models = compare_json(run_cli, "alexnet@224", "vgg16", "--input", "227")
    assert models["AlexNet"]["input_shape"] == [3, 224, 224] and models["VGG-16"]["input_shape"] == [3, 227, 227]


def test_the_table_shows_each_input_and_tells_same_named_models_apart(run_cli):
    out = run_cli("compare", "alexnet@227", "alexnet").stdout
    assert re.search(r"Input\s+│\s+227x227x3 │\s+224x224x3", out)
    assert "AlexNet @ 227x227x3" in out and "AlexNet @ 224x224x3 (ratio)" in out


def test_sizes_on_files_and_files_with_at_in_their_name(run_cli, tmp_path):
    net = tmp_path / "net.yaml"
    net.write_text("input: [3, 32, 32]\nlayers:\n  - {conv: 8, kernel: 3}\n")
    models = compare_json(run_cli, str(net), f"{net}@64")
    assert len(models) == 1  # both are named after the file; the second is 64x64
    at = tmp_path / "run@2"
    at.mkdir()
    (at / "net@v2.yaml").write_text(net.read_text())
    result = run_cli("compare", str(at / "net@v2.yaml"), f"{at / 'net@v2.yaml'}@16", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    shapes = [row.split(",")[-1] for row in result.stdout.splitlines()[1:]]
    assert shapes == ["3x32x32", "3x16x16"]  # the file that exists wins; its @16 is the size
    result = run_cli("compare", str(tmp_path / "gone@2" / "net.yaml"), "vgg16")
    assert result.exit_code == 2 and "no such file" in result.stderr  # a folder's '@' is not a size


@pytest.mark.parametrize("spec, message", [
    ("alexnet@22a", "'alexnet@22a': cannot read the size '22a'; write alexnet@224, alexnet@224x224 or alexnet@224x224x3"),
    ("alexnet@0", "'alexnet@0': the size '0' must be 1 to 3 numbers from 1 to"),
    ("alexnet@1x2x3x4", "must be 1 to 3 numbers"),
    ("alexnet@", "cannot read the size ''"),
    ("alexnet@3x224x224", "'alexnet@3x224x224': the size '3x224x224' reads as 3x224 pixels with 224 channels"),
    ("@227", "'@227': name a model before the '@' (e.g. alexnet@227)"),
])
def test_a_bad_size_is_a_usage_error_with_the_fix(run_cli, spec, message):
    result = run_cli("compare", spec, "vgg16")
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_flat_spec_takes_one_number(run_cli, tmp_path):
    mlp = tmp_path / "mlp.yaml"
    mlp.write_text("input: [784]\nlayers:\n  - {dense: 10}\n")
    result = run_cli("compare", f"{mlp}@28x28", "vgg16")
    assert result.exit_code == 2 and f"this spec takes a flat input, of one number; write {mlp}@784" in result.stderr
    assert compare_json(run_cli, f"{mlp}@100", "vgg16")["mlp"]["totals"]["params"] == 100 * 10 + 10


# -- the bars: one scale per metric, for every model -----------------------------------------------

def _table_rows(out: str, model: str, heading: str) -> dict[str, list[str]]:
    """The rows of a table under `heading` in one model's part of the output: first cell -> the other cells
    (a rule line between rows is skipped)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{model}: where"))
    start = next(i for i in range(start, len(lines)) if lines[i].startswith(heading))
    start = next(i for i in range(start, len(lines)) if "━" in lines[i])
    rows = {}
    for line in lines[start + 1:]:
        if "│" in line:
            name, *cells = (cell.strip() for cell in line.split("│"))
            rows[name] = cells
        elif "┼" not in line:
            break
    return rows


def _bar_rows(out: str, model: str) -> dict[str, list[str]]:
    """One model's bar chart: layer name -> its three cells."""
    return _table_rows(out, model, "Layer ")


def test_bars_share_one_scale_across_the_models(run_cli):
    """A full bar is the largest layer of either model: VGG-16's conv1_1 output, 224·224·64 × 4 B = 12.25 MiB;
    its fc6, 25088·4096 + 4096 = 102,764,544 params; its conv1_2, 224·224·64 × 3·3·64 = 1,849,688,064 MACs.
    AlexNet's conv1 output, 56·56·64 × 4 B, is 1/16 of that memory: 24 × 8 / 16 = 12 eighths of a bar."""
    out = run_cli("compare", ALEXNET, "vgg16").stdout
    assert "a full bar is 12.25 MiB activation memory, 103M params, 1.85G MACs" in out
    alexnet, vgg = _bar_rows(out, "AlexNet (Michigan table)"), _bar_rows(out, "VGG-16")
    assert vgg["conv1_1"][0].startswith("█" * 24)
    assert alexnet["conv1"][0].startswith("█▌ ")               # 12 eighths, not a full bar of its own
    assert vgg["fc6"][1].startswith("█" * 24) and not alexnet["fc6"][1].startswith("█" * 24)


# -- by layer type: every type, adding up to the totals --------------------------------------------

def _by_type_rows(out: str, model: str) -> dict[str, list[str]]:
    """One model's by-type table: type -> its cells."""
    return _table_rows(out, model, "By layer type")


def test_by_layer_type_covers_every_type_and_adds_up(run_cli):
    """The Michigan AlexNet's pools hold 15% of its memory (without the input): pool1 27·27·64, pool2 13·13·192,
    pool5 6·6·256 values × 4 B = 353,280 B = 345.00 KiB; today's total 2.25 MiB is the conv, pool and dense outputs."""
    pools = (27 * 27 * 64 + 13 * 13 * 192 + 6 * 6 * 256) * 4
    convs = (64 * 56 * 56 + 192 * 27 * 27 + 384 * 13 * 13 + 2 * 256 * 13 * 13) * 4
    denses = (4096 + 4096 + 1000) * 4
    models = compare_json(run_cli, ALEXNET, VGG_12CONV, "--no-count-input")
    alexnet = models["AlexNet (Michigan table)"]
    assert alexnet["by_type"]["maxpool"]["activation_bytes"] == pools == 353_280
    assert alexnet["totals"]["activation_bytes"] == pools + convs + denses
    assert round(100 * pools / (pools + convs + denses)) == 15
    out = run_cli("compare", ALEXNET, VGG_12CONV, "--no-count-input").stdout
    rows = _by_type_rows(out, "AlexNet (Michigan table)")
    assert rows["maxpool"] == ["345.00 KiB  15%", "-", "-"]
    assert rows["total"] == ["2.25 MiB 100%", "61.1M 100%", "717M 100%"]
    assert "flatten, input: no params, MACs or activation memory" in out
    for name, model in models.items():
        section = out[out.index(f"{name}: where"):]
        section = section[section.index("By layer type"):]
        for kind in model["by_type"]:
            assert kind in section.split("\n\n")[0], (name, kind)


@pytest.mark.parametrize("pair", [("alexnet", "vgg16"), ("resnet18", "resnet50"), ("googlenet", "inception_v3"),
                                  ("mobilenet_v2", "efficientnet_b0"), ("densenet121", "squeezenet1_0")])
def test_by_type_adds_up_for_zoo_pairs(run_cli, pair):
    """compare_json asserts the sums; the markdown lists every type that holds something."""
    models = compare_json(run_cli, *pair)
    markdown = run_cli("compare", *pair, "--format", "markdown").stdout
    for model in models.values():
        for kind, entry in model["by_type"].items():
            assert (f"| {kind} |" in markdown) == any(entry.values()), kind


# -- the receptive field names its layer -----------------------------------------------------------

def test_receptive_field_row_names_its_layer(run_cli):
    """AlexNet (Michigan): conv1 11, pool1 11 + 2·4 = 19, conv2 19 + 4·8 = 51, pool2 51 + 2·8 = 67,
    conv3-5 67 + 3·2·16 = 163, pool5 163 + 2·16 = 195; VGG-16: 212 at pool5 (Araujo et al.)."""
    models = compare_json(run_cli, ALEXNET, "vgg16")
    assert (models["AlexNet (Michigan table)"]["receptive_field"], models["VGG-16"]["receptive_field"]) == (195, 212)
    assert models["VGG-16"]["receptive_field_layer"] == "pool5"
    out = run_cli("compare", ALEXNET, "vgg16").stdout
    assert re.search(r"Receptive field\s+│\s+195 at pool5 │\s+212 at pool5 \(1\.1x\)", out)
    markdown = run_cli("compare", ALEXNET, "vgg16", "--format", "markdown").stdout
    assert "| Receptive field | 195 at pool5 | 212 at pool5 (1.1x) |" in markdown


# -- narrow terminals ------------------------------------------------------------------------------

PERCENT = re.compile(r"\d+\.\d%")


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("models", [(ALEXNET, "vgg16"), ("googlenet", "inception_v3", "--depth", "2")])
def test_bars_fit_the_terminal_with_names_and_percentages_whole(run_cli, columns, models):
    """Bars shrink first, then long names are shortened in the middle; no line is wider than the terminal,
    and every bar keeps each of its percentages whole."""
    out = run_cli("compare", *models, env={"COLUMNS": str(columns)}).stdout
    assert max(len(line) for line in out.splitlines()) <= columns
    figures = compare_json(run_cli, *models)
    for name, model in figures.items():
        rows = _bar_rows(out, name)
        assert len(rows) == len(model["bars"])
        for (shown, cells), bar in zip(rows.items(), model["bars"], strict=True):
            assert shown == bar["name"] or ("…" in shown and len(shown) < len(bar["name"]))
            assert len([c for c in cells if PERCENT.search(c)]) == sum(1 for key in CHARTED if bar[key])
            assert all(PERCENT.fullmatch(c.split()[-1]) for c in cells if c)


def test_long_names_are_shortened_in_the_middle(run_cli):
    from cnncalc.render.compare import shorten

    assert shorten("inception_3a/branch1/conv1", 19) == "inc…3a/bra…h1/conv1"
    assert shorten("conv1", 8) == "conv1"
    assert shorten("Mixed_5b_branch3x3dbl", 11) == "Mixed…x3dbl"
    out = run_cli("compare", "googlenet", "vgg16", "--depth", "2", env={"COLUMNS": "80"}).stdout
    assert "inception_3a/branch1/conv1" in out  # at 80 columns the bars shrink, names stay whole
