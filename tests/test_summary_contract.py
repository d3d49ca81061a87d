"""The summary's JSON contract and the convention switches, checked against hand computations and
torchvision's published VGG-16 figures (138,357,544 params; 15.47 GFLOPS = MACs at 224)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import analyze_text, analyze_zoo

VGG16_PARAMS = 138_357_544          # torchvision.models.vgg16, published
VGG16_MACS = 15_470_264_320         # torchvision "GFLOPS" 15.47 (multiply-adds), exact
VGG16_ACTIVATIONS = 15_237_608      # cs231n listing summed, input included (its "24M": erratum VGG-45)
VGG16_INPUT = 224 * 224 * 3


def test_json_contract_has_the_documented_keys_and_types(run_cli):
    result = run_cli("summary", "vgg16", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"name", "input_shape", "conventions", "layers", "totals"} <= set(data)
    assert data["input_shape"] == [3, 224, 224]
    layer_keys = {"name", "type", "output_shape", "params", "trainable_params", "macs", "flops",
                  "output_elements", "activation_bytes", "receptive_field"}
    for layer in data["layers"]:
        assert layer_keys <= set(layer)
    by_name = {layer["name"]: layer for layer in data["layers"]}
    assert by_name["conv1_1"]["output_shape"] == [64, 224, 224]          # channels-first, no batch
    assert by_name["fc6"]["output_shape"] == [4096]
    assert by_name["pool5"]["receptive_field"] == {"size": 212, "jump": 32, "start": 15.5}
    assert by_name["fc6"]["receptive_field"] is None                      # a dense unit sees everything
    totals = data["totals"]
    assert {"params", "trainable_params", "non_trainable_params", "macs", "flops", "activation_elements",
            "activation_bytes", "param_bytes"} <= set(totals)
    assert totals["params"] == VGG16_PARAMS
    assert totals["macs"] == VGG16_MACS
    assert totals["flops"] == 2 * VGG16_MACS
    assert totals["activation_elements"] == VGG16_ACTIVATIONS
    assert totals["activation_bytes"] == 4 * VGG16_ACTIVATIONS
    assert totals["param_bytes"] == 4 * VGG16_PARAMS
    assert data["conventions"]["batch"] == 1 and data["conventions"]["dtype"] == "fp32"
    # added by the tree view, the geometry column and slices (nothing renamed or removed)
    assert {"depth", "parent", "geometry"} <= set(by_name["conv1_1"])
    assert (by_name["conv1_1"]["depth"], by_name["conv1_1"]["parent"]) == (0, None)
    assert by_name["conv1_1"]["geometry"] == "k3 s1 p1"              # VGG's 3x3 convs, stride 1, padding 1
    assert data["modules"] == [] and data["slice"] is None           # a plain chain: no module, the whole network


def test_batch_and_dtype_scale_memory_and_macs_but_not_params():
    analysis = analyze_zoo("vgg16", batch=8, dtype="fp16")
    assert analysis.totals.params == VGG16_PARAMS
    assert analysis.totals.macs == 8 * VGG16_MACS
    assert analysis.totals.activation_bytes == 8 * 2 * VGG16_ACTIVATIONS
    assert analysis.totals.param_bytes == 2 * VGG16_PARAMS


def test_training_estimate_is_twice_the_activations_plus_weights_gradients_and_adam_state():
    t = analyze_zoo("vgg16").totals
    assert t.training_bytes == 2 * 4 * VGG16_ACTIVATIONS + 4 * VGG16_PARAMS * (1 + 1 + 2)
    sgd = analyze_zoo("vgg16", optimizer="sgd").totals
    assert sgd.training_bytes == 2 * 4 * VGG16_ACTIVATIONS + 4 * VGG16_PARAMS * 2


def test_input_can_be_left_out_of_activation_memory():
    assert analyze_zoo("vgg16", count_input=False).totals.activation_elements == VGG16_ACTIVATIONS - VGG16_INPUT


def test_no_bias_counts_weights_only():
    # cs231n: "TOTAL params: 138M" either way; weights only = 138,344,128 (docs/errata.md VGG-47).
    assert analyze_zoo("vgg16", bias=False).totals.params == 138_344_128


def test_input_override_recomputes_shapes_and_warns_about_dropped_pixels(run_cli):
    result = run_cli("summary", "vgg16", "--input", "227", "--format", "json")
    data = json.loads(result.stdout)
    by_name = {layer["name"]: layer for layer in data["layers"]}
    assert by_name["conv1_1"]["output_shape"] == [64, 227, 227]          # 3x3 pad 1 keeps the size
    assert by_name["pool1"]["output_shape"] == [64, 113, 113]            # floor((227 - 2)/2) + 1 = 113
    assert "pool1" in result.stderr and "never seen" in result.stderr    # (227 - 2) is odd: one row lost


BN_NET = """
input: [3, 8, 8]
layers:
  - {conv: 8, kernel: 3, bias: false}
  - batchnorm
  - relu
"""


def test_batchnorm_running_stats_follow_the_chosen_convention():
    conv = 8 * 3 * 3 * 3                     # 216 weights
    gamma_beta, running = 2 * 8, 2 * 8
    pytorch = analyze_text(BN_NET).totals
    assert (pytorch.params, pytorch.trainable_params, pytorch.non_trainable_params) == (conv + gamma_beta, conv + gamma_beta, 0)
    keras = analyze_text(BN_NET, bn_stats="keras").totals
    assert (keras.params, keras.trainable_params, keras.non_trainable_params) == (conv + gamma_beta + running, conv + gamma_beta, running)


def test_frozen_layers_are_not_trainable_and_cost_no_gradients():
    analysis = analyze_text("""
input: [4, 6, 6]
layers:
  - {conv: 2, kernel: 3, frozen: true}
  - flatten
  - {dense: 3}
""")
    frozen, head = 2 * (4 * 9 + 1), 2 * 4 * 4 * 3 + 3
    t = analysis.totals
    assert (t.params, t.trainable_params, t.non_trainable_params) == (frozen + head, head, frozen)
    assert t.gradient_bytes == 4 * head and t.optimizer_bytes == 4 * 2 * head


@pytest.mark.parametrize("size, kernel, stride, padding, extra, expected", [
    (7, 3, 2, "same", "", 4),                   # TensorFlow: ceil(7/2)
    (8, 3, 2, "same", "", 4),                   # ceil(8/2); the odd pad goes bottom/right
    (10, 3, 1, 0, ", dilation: 2", 6),          # 10 - 2*(3-1) = 6
    (112, 3, 2, 0, "", 55),                     # floor((112 - 3)/2) + 1
    (5, 2, 1, "valid", "", 4),
])
def test_conv_output_size(size, kernel, stride, padding, extra, expected):
    analysis = analyze_text(f"input: [1, {size}, {size}]\nlayers:\n  - {{conv: 1, kernel: {kernel}, stride: {stride}, padding: {padding}{extra}}}\n")
    assert analysis.layers[-1].output_shape == (1, expected, expected)


def test_ceil_mode_pooling_keeps_the_partial_window():
    # GoogLeNet's Caffe pools: ceil((112 - 3)/2) + 1 = 56 where floor gives 55.
    analysis = analyze_text("input: [1, 112, 112]\nlayers:\n  - {maxpool: 3, stride: 2, ceil_mode: true}\n")
    assert analysis.layers[-1].output_shape == (1, 56, 56)
    assert analysis.layers[-1].warnings == []


def test_depthwise_and_grouped_conv_params_and_macs():
    analysis = analyze_text("""
input: [32, 10, 10]
layers:
  - {conv: 32, kernel: 3, padding: 1, groups: 32, name: dw}
  - {conv: 64, kernel: 1, groups: 4, bias: false, name: grouped}
""")
    dw, grouped = analysis.layers[1], analysis.layers[2]
    assert dw.params == 32 * 3 * 3 + 32 and dw.macs == 10 * 10 * 32 * 3 * 3
    assert grouped.params == 64 * (32 // 4) and grouped.macs == 10 * 10 * 64 * 8


def test_transposed_conv_doubles_the_size():
    analysis = analyze_text("input: [16, 4, 4]\nlayers:\n  - {conv_transpose: 8, kernel: 4, stride: 2, padding: 1}\n")
    row = analysis.layers[-1]
    assert row.output_shape == (8, 8, 8)                   # (4 - 1)*2 - 2*1 + (4 - 1) + 1 = 8
    assert row.params == 16 * 8 * 4 * 4 + 8
    assert row.macs == 4 * 4 * 16 * 8 * 4 * 4


def test_dilated_receptive_field():
    # r = 1 + (3-1)*1 + (3-1)*2 + (3-1)*4 = 15 for dilations 1, 2, 4 (WaveNet/DeepLab-style growth).
    analysis = analyze_text("""
input: [1, 32, 32]
defaults: {conv: {kernel: 3, padding: same}}
layers:
  - {conv: 1, dilation: 1}
  - {conv: 1, dilation: 2}
  - {conv: 1, dilation: 4}
""")
    assert analysis.layers[-1].receptive_field.size == (15, 15)


def test_tree_view_module_rows_sum_their_layers():
    analysis = analyze_text((Path(__file__).parent / "fixtures" / "tree.yaml").read_text())
    from cnncalc.analysis import collapse

    rows = {row.name: row for row in collapse(analysis, 0)}
    # inception 3a of GoogLeNet's Table 1 on 28x28x192: params with biases, computed by hand
    params_3a = (192 * 64 + 64) + (192 * 96 + 96) + (96 * 9 * 128 + 128) + (192 * 16 + 16) + (16 * 25 * 32 + 32) + (192 * 32 + 32)
    assert rows["inception_3a"].params == params_3a
    assert rows["inception_3a"].output_shape == (256, 28, 28)
    assert rows["inception_3a"].macs == 28 * 28 * (192 * 64 + 192 * 96 + 96 * 9 * 128 + 192 * 16 + 16 * 25 * 32 + 192 * 32)
    # the projection shortcut of basic2: 1x1 stride 2, 256 -> 512, no bias (the body has batchnorm) + its BN
    assert rows["basic2"].params == 2 * (3 * 3 * 512 * 512 + 2 * 512) - 3 * 3 * 512 * 512 + 3 * 3 * 256 * 512 + 256 * 512 + 2 * 512
    assert analysis.training_only_totals.params == 520 * 10 + 10
