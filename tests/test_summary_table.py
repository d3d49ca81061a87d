"""The summary table keeps its context and never cuts a number (issue 10): the module tree at
--depth N, the fit to 80 and 120 columns, the Geometry and Connected-to columns, --columns,
--from/--to slices, and located warnings.

Independent figures: hand computations written out below (ResNet-50's stages from torchvision's
layer shapes, VGG-16's first three stages), the papers' layer geometry (AlexNet conv1 11x11 stride 4;
GoogLeNet's Caffe pools 3x3 stride 2, ceil mode; MobileNetV2's 3x3 depthwise convolutions).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from conftest import analyze_text

from cnncalc import metrics
from cnncalc.zoo import zoo_names


# ResNet-50 (torchvision), biases off, each batchnorm 2·C: a bottleneck is 1x1 in->w, 3x3 w->w, 1x1 w->4w,
# plus the projection 1x1 in->4w on a stage's first block.
def _bottleneck(cin: int, width: int, projection: bool) -> int:
    body = cin * width + 2 * width + 9 * width * width + 2 * width + width * 4 * width + 2 * 4 * width
    return body + (cin * 4 * width + 2 * 4 * width if projection else 0)


LAYER1 = _bottleneck(64, 64, True) + 2 * _bottleneck(256, 64, False)      # 75,008 + 2·70,400
LAYER2 = _bottleneck(256, 128, True) + 3 * _bottleneck(512, 128, False)   # 379,392 + 3·280,064


def table_rows(stdout: str) -> tuple[list[str], list[list[str]]]:
    """The header and the body rows of a rich table as cells (a continuation line joins its row)."""
    lines = stdout.splitlines()
    header_at = next(i for i, line in enumerate(lines) if "┃" in line)
    header = [cell.strip() for cell in lines[header_at].split("┃")]
    rows: list[list[str]] = []
    for line in lines[header_at + 2:]:
        if "│" not in line:
            break
        first, *rest = line.split("│")
        cells = [first.rstrip(), *(cell.strip() for cell in rest)]   # the name keeps its indentation
        if cells[0] == "" and rows:   # a wrapped cell's second line
            rows[-1] = [a + (" " + b if b else "") for a, b in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
    return header, rows


def json_of(run_cli, *args):
    result = run_cli("summary", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- 1. --depth N shows the tree cut at depth N ---------------------------------------------------


def test_depth_1_shows_each_stage_above_its_blocks(run_cli):
    result = run_cli("summary", "resnet50", "--depth", "1")
    assert result.exit_code == 0, result.stderr
    header, rows = table_rows(result.stdout)
    names = [row[0] for row in rows]
    params = {row[0]: row[header.index("Params")] for row in rows}
    at = names.index("layer1")
    assert names[at:at + 4] == ["layer1", "  bottleneck1", "  bottleneck2", "  bottleneck3"]
    assert [name for name in names if not name.startswith(" ") and name.startswith("layer")] == [
        "layer1", "layer2", "layer3", "layer4"]
    assert params["layer1"] == f"{LAYER1:,}" == "215,808"
    assert params["layer2"] == f"{LAYER2:,}" == "1,219,584"


def test_depth_1_json_keeps_layers_adding_up_and_lists_the_open_modules(run_cli):
    data = json_of(run_cli, "resnet50", "--depth", "1")
    modules = {m["name"]: m for m in data["modules"]}
    assert list(modules) == ["layer1", "layer2", "layer3", "layer4"]
    assert modules["layer2"]["params"] == LAYER2 and modules["layer2"]["kind"] == "module"
    blocks = [layer for layer in data["layers"] if layer["parent"] == "layer2"]
    assert [b["name"] for b in blocks] == [f"layer2/bottleneck{i}" for i in range(1, 5)]
    assert all(b["kind"] == "group" and b["depth"] == 1 for b in blocks)
    assert sum(b["params"] for b in blocks) == LAYER2
    # the rows that are not headers still add up to the network's total
    assert sum(layer["params"] for layer in data["layers"]) == data["totals"]["params"]


def test_depth_1_googlenet_concats_sit_under_their_module(run_cli, tmp_path):
    data = json_of(run_cli, "googlenet", "--depth", "1")
    concats = [layer for layer in data["layers"] if layer["name"].endswith("/concat")]
    assert len(concats) == 9 and all(c["parent"] == c["name"].rsplit("/", 1)[0] for c in concats)
    assert {c["parent"] for c in concats} <= {m["name"] for m in data["modules"]}
    csv_text = run_cli("summary", "googlenet", "--depth", "1", "--format", "csv").stdout
    assert "\ninception_3a,inception," in csv_text and ",module,0,\n" in csv_text
    markdown = run_cli("summary", "googlenet", "--depth", "1", "--format", "markdown").stdout
    assert "| **inception_3a** |" in markdown and "| inception_3a/concat |" in markdown


# -- 2. the table fits the terminal and never cuts a number ------------------------------------


def number_cells(data: dict) -> dict[str, Counter]:
    """Each number column's expected cells, from the JSON figures of the same run."""
    rows = data["layers"] + data.get("modules", [])
    expected = {m.column: Counter(m.cell_text(row[m.key], data["conventions"]["units"]) for row in rows)
                for m in metrics.columns() if m.column}
    expected["RF"] = Counter("all" if row["receptive_field"] is None else
                             rf_text_of(row["receptive_field"]["size"]) for row in rows)
    return expected


def rf_text_of(size) -> str:
    return "x".join(map(str, size)) if isinstance(size, list) else str(size)


@pytest.mark.parametrize("name", zoo_names())
def test_every_number_is_printed_in_full_at_80_and_120_columns(run_cli, name):
    expected = number_cells(json_of(run_cli, name))
    for width in (80, 120):
        result = run_cli("summary", name, env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.stderr
        assert max(len(line) for line in result.stdout.splitlines()) <= width
        header, rows = table_rows(result.stdout)
        assert {"Layer", "Output shape", "Params"} <= set(header), (width, header)
        for column, cells in expected.items():
            if column in header:
                assert Counter(row[header.index(column)] for row in rows) == cells, (width, column)
        assert all(re.fullmatch(r"[\d,]+", row[header.index("Params")]) for row in rows)


def test_80_columns_keep_the_metrics_and_drop_type_before_a_number(run_cli):
    header, _ = table_rows(run_cli("summary", "googlenet", env={"COLUMNS": "80"}).stdout)
    assert header == ["Layer", "Output shape", "Params", "MACs", "Memory", "RF"]
    header, _ = table_rows(run_cli("summary", "lenet5", env={"COLUMNS": "80"}).stdout)
    assert header == ["Layer", "Type", "Geometry", "Output shape", "Params", "MACs", "Memory", "RF"]  # room for all


def test_a_pipe_is_160_columns_as_documented(run_cli):
    """CliRunner's stdout is not a terminal: with COLUMNS unset the table is PIPE_WIDTH wide."""
    result = run_cli("summary", "inception_v3", env={"COLUMNS": None})
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) == 160
    header, rows = table_rows(result.stdout)
    assert Counter(row[header.index("Params")] for row in rows) == number_cells(json_of(run_cli, "inception_v3"))["Params"]


def test_long_names_lose_their_middle_not_their_flags():
    from cnncalc.render.summary import shorten

    assert shorten("    inception_4e_branch2_reduce", 20) == "    inceptio…_reduce"   # 4 + 8 + 1 + 7 = 20
    assert shorten("  aux_classifier (train only)", 24, " (train only)") == "  aux_…fier (train only)"
    assert shorten("short", 20) == "short"


# -- 3. geometry, connected-to, --columns -------------------------------------------------------


def test_geometry_in_calc_words(run_cli):
    alexnet = {layer["name"]: layer for layer in json_of(run_cli, "alexnet")["layers"]}
    assert alexnet["conv1"]["geometry"] == "k11 s4 p2"           # 11x11, stride 4, padding 2 (torchvision)
    assert alexnet["pool1"]["geometry"] == "k3 s2"               # overlapping pooling, 3x3 stride 2
    assert all(layer["geometry"] == "" for layer in alexnet.values() if layer["type"] == "dense")
    assert alexnet["avgpool"]["geometry"] == "to 6x6"            # torchvision's AdaptiveAvgPool2d((6, 6))
    googlenet = {layer["name"]: layer for layer in json_of(run_cli, "googlenet")["layers"]}
    assert googlenet["pool1"]["geometry"] == "k3 s2 ceil"        # Caffe's ceil-mode pools
    mobilenet = json_of(run_cli, "mobilenet_v2")["layers"]
    assert next(layer["geometry"] for layer in mobilenet if "g" in layer["geometry"]) == "k3 s1 p1 g32"  # depthwise


def test_geometry_of_dilation_uneven_padding_and_transposed_conv():
    analysis = analyze_text("""
input: [4, 8, 8]
layers:
  - {conv: 4, kernel: 3, padding: 2, dilation: 2}
  - {conv: 4, kernel: 3, stride: 2, padding: same}
  - {conv: 4, kernel: [1, 7], padding: [0, 3]}
  - {conv_transpose: 2, kernel: 4, stride: 2, padding: 1}
""")
    # TensorFlow 'same' at 8 px, k3 s2: total padding max((4-1)*2 + 3 - 8, 0) = 1, the odd pixel bottom/right
    assert [row.geometry for row in analysis.layers[1:]] == ["k3 s1 p2 d2", "k3 s2 p0x1x0x1", "k1x7 s1 p0x3",
                                                              "k4 s2 p1"]


def test_connected_to_names_the_inputs_of_joins_and_branches(run_cli):
    result = run_cli("summary", "googlenet", "--columns", "name,inputs", env={"COLUMNS": "200"})
    header, rows = table_rows(result.stdout)
    assert header == ["Layer", "Connected to"]
    at = [row[0] for row in rows].index("inception_3a")
    block = rows[at:at + 13]
    assert block[-1] == ["  concat", "branch1/conv1, branch2/conv2, branch3/conv2, branch4/conv1"]
    assert ["    conv1", "pool2"] in block        # branch 2 starts again from the module's input
    assert rows[at - 1][1] == ""                  # pool2 follows the layer before it


def test_columns_choose_and_order_nothing_else(run_cli):
    result = run_cli("summary", "vgg16", "--columns", "params,geometry,MACS")
    header, rows = table_rows(result.stdout)
    assert header == ["Layer", "Geometry", "Params", "MACs"]
    markdown = run_cli("summary", "vgg16", "--columns", "memory,activation_bytes", "--format", "markdown").stdout
    assert "| Layer | Memory |" in markdown


def test_unknown_column_is_a_usage_error_with_a_hint(run_cli):
    result = run_cli("summary", "vgg16", "--columns", "name,parms")
    assert result.exit_code == 2
    assert result.stderr.startswith("cnncalc: error: --columns: unknown column 'parms'; did you mean 'params'?")
    assert result.stderr.count("\n") == 1


# -- 4. --from / --to ------------------------------------------------------------------------------


def test_vgg16_slice_conv1_1_to_pool3_by_hand(run_cli):
    data = json_of(run_cli, "vgg16", "--from", "conv1_1", "--to", "pool3")
    # params with biases, (3·3·Cin + 1)·Cout: 1,792 + 36,928 + 73,856 + 147,584 + 295,168 + 590,080 + 590,080
    params = sum((9 * cin + 1) * cout for cin, cout in [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256),
                                                         (256, 256), (256, 256)])
    assert params == 1_735_488 == data["totals"]["params"]
    macs = (224 * 224 * 64 * 9 * (3 + 64) + 112 * 112 * 128 * 9 * (64 + 128) + 56 * 56 * 256 * 9 * (128 + 256 + 256))
    assert data["totals"]["macs"] == macs
    assert [layer["name"] for layer in data["layers"]][:1] == ["conv1_1"] and data["layers"][-1]["name"] == "pool3"
    assert data["layers"][-1]["output_shape"] == [256, 28, 28]          # the lecture notes' "224 -> 28"
    assert data["slice"] == {"from": "conv1_1", "to": "pool3"}
    table = run_cli("summary", "vgg16", "--from", "conv1_1", "--to", "pool3").stdout
    assert "Slice conv1_1 .. pool3 (inclusive, in execution order, 10 layers)" in table
    assert "Params: 1,735,488 (1.74M)" in table


def test_slice_names_modules_and_short_names(run_cli):
    data = json_of(run_cli, "resnet50", "--from", "layer2", "--to", "layer2")
    assert data["totals"]["params"] == LAYER2
    assert data["slice"] == {"from": "layer2/bottleneck1/conv1", "to": data["layers"][-1]["name"]}
    short = json_of(run_cli, "googlenet", "--from", "inception_3a/branch2", "--to", "pool3")
    assert short["layers"][0]["name"] == "inception_3a/branch2/conv1"


@pytest.mark.parametrize("args, message", [
    (["vgg16", "--from", "conv1_9"], "cnncalc: error: --from: no layer or module 'conv1_9'; did you mean 'conv1_"),
    (["vgg16", "--from", "pool3", "--to", "conv1_1"],
     "cnncalc: error: --from pool3 comes after --to conv1_1 in execution order; swap them"),
    (["googlenet", "--to", "concat"], "cnncalc: error: --to: 9 layers are called 'concat'"),
])
def test_slice_errors_are_usage_errors(run_cli, args, message):
    result = run_cli("summary", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1


# -- 5. warnings carry file:line:column --------------------------------------------------------


WARNED = "input: [3, 227, 227]\nlayers:\n  - {conv: 8, kernel: 3}\n  - {maxpool: 2}\n"


def test_warnings_and_strict_errors_are_located(run_cli, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(WARNED)   # 225 px into a 2x2/2 pool: (225 - 2) is odd, the last row is never seen
    result = run_cli("summary", str(spec))
    assert result.exit_code == 0
    assert result.stderr.startswith(f"cnncalc: warning: {spec}:4:5: layer 'pool1': stride 2x2 does not tile")
    strict = run_cli("summary", str(spec), "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.startswith(f"cnncalc: error: {spec}:4:5: layer 'pool1': ")
    calc = run_cli("calc", "227x227x3", "conv 8 k3", "maxpool k2", "--strict")
    assert calc.exit_code == 1 and calc.stderr.startswith("cnncalc: error: calc:3:1: layer 'pool1': ")


def test_zoo_warnings_point_at_the_zoo_file_as_shown_elsewhere(run_cli):
    result = run_cli("summary", "vgg16", "--input", "227")
    lines = result.stderr.splitlines()
    assert lines and all(re.match(r"cnncalc: warning: specs/vgg16\.yaml:\d+:\d+: layer 'pool\d'", line) for line in lines)
