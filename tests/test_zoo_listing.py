"""`cnncalc zoo`: each network's input, params and MACs, one line per network at any width.

Independent figures: torchvision's published counts (the "Params" and "GFLOPS" columns of the
torchvision.models documentation, whose GFLOPS are multiply-accumulates): ResNet-50 25,557,032 / 4.09,
VGG-16 138,357,544 / 15.47, AlexNet 61,100,840 / 0.71, MobileNetV2 3,504,872 / 0.30,
EfficientNet-B0 5,288,548 / 0.39, DenseNet-121 7,978,856 / 2.83.
"""

from __future__ import annotations

import json

import pytest

from cnncalc.zoo import zoo_names

TORCHVISION = {  # name: (params, GMACs), as published
    "resnet50": (25_557_032, 4.09),
    "vgg16": (138_357_544, 15.47),
    "alexnet": (61_100_840, 0.71),
    "mobilenet_v2": (3_504_872, 0.30),
    "efficientnet_b0": (5_288_548, 0.39),
    "densenet121": (7_978_856, 2.83),
}
# The same counts as the table rounds them, to three significant figures: 25,557,032 -> 25.6M.
TABLE_FIGURES = {
    "resnet50": ("224x224x3", "25.6M", "4.09G"),
    "vgg16": ("224x224x3", "138M", "15.5G"),
    "alexnet": ("224x224x3", "61.1M", "714M"),  # 0.71 GMACs published; 0.714 to three figures (see the JSON test)
    "mobilenet_v2": ("224x224x3", "3.5M", "301M"),
    "efficientnet_b0": ("224x224x3", "5.29M", "386M"),
    "densenet121": ("224x224x3", "7.98M", "2.83G"),
}


def listing(run_cli, *args, columns=80):
    result = run_cli("zoo", *args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_json_has_the_published_params_and_macs(run_cli):
    entries = {entry["name"]: entry for entry in json.loads(listing(run_cli, "--format", "json"))}
    assert list(entries) == zoo_names()
    for name, (params, gmacs) in TORCHVISION.items():
        assert entries[name]["params"] == params, name
        assert round(entries[name]["macs"] / 1e9, 2) == gmacs, name
        assert entries[name]["input_shape"] == [3, 224, 224]
    assert entries["inception_v3"]["input_shape"] == [3, 299, 299]  # torchvision's transforms: 299
    assert entries["lenet5"]["input_shape"] == [1, 32, 32]           # LeCun et al. 1998: 32x32 grey
    for entry in entries.values():  # the fields scripts read before stay as they were
        assert {"name", "title", "source"} <= set(entry) and entry["source"]


@pytest.mark.parametrize("columns", [80, 120])
def test_one_line_per_network_with_input_params_and_macs(run_cli, columns):
    out = listing(run_cli, columns=columns)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    rows = {line.split()[0]: line for line in lines[2:] if "│" in line}
    assert list(rows) == zoo_names()                 # every network, on one line each
    assert len(lines) <= len(rows) + 6               # the header (2), a blank and at most three lines of notes
    for name, figures in TABLE_FIGURES.items():
        cells = [cell.strip() for cell in rows[name].split("│")]
        assert cells[2:5] == list(figures), name


def test_sources_are_dropped_when_narrow_and_cut_when_they_do_not_fit(run_cli):
    narrow, wide = listing(run_cli, columns=80), listing(run_cli, columns=120)
    assert "Source" not in narrow.splitlines()[0] and "Sources: cnncalc zoo NAME, or --format json." in narrow
    assert "Source" in wide.splitlines()[0]
    resnet50 = next(line for line in wide.splitlines() if line.startswith("resnet50 "))
    assert "He et al. 2016" in resnet50 and resnet50.rstrip().endswith("…")
    assert "Sources: cnncalc zoo NAME" in wide
    full = listing(run_cli, columns=400)
    assert "torchvision.models.resnet50 (v1.5)" in full and "Sources:" not in full


def test_one_network_in_full(run_cli):
    out = listing(run_cli, "resnet50", columns=120)
    assert "He et al. 2016, Table 1 (50-layer); torchvision.models.resnet50 (v1.5)" in out
    assert "25,557,032 (25.6M)" in out and "4,089,184,256 (4.09G)" in out and "224x224x3" in out
    entries = json.loads(listing(run_cli, "vgg16", "--format", "json"))
    assert [(e["name"], e["params"]) for e in entries] == [("vgg16", 138_357_544)]


def test_an_unknown_network_is_a_usage_error(run_cli):
    result = run_cli("zoo", "resnet5")
    assert result.exit_code == 2 and "'resnet5' is not a zoo model; did you mean 'resnet50'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_csv_and_markdown_carry_the_new_columns(run_cli):
    csv_lines = listing(run_cli, "--format", "csv").splitlines()
    assert csv_lines[0] == "name,title,source,input_shape,params,macs"
    assert next(line for line in csv_lines if line.startswith("vgg16,")).endswith(",224x224x3,138357544,15470264320")
    markdown = listing(run_cli, "--format", "markdown")
    assert "| 224x224x3 | 25,557,032 | 4,089,184,256 |" in markdown
