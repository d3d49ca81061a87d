"""The transfer-learning view: --freeze-until LAYER and --head N (Graph -> Graph transformations).

Independent figures: seed 004's Tigger / Misty / neither example (a frozen VGG-16 backbone and a
new 3-class softmax trains 4096*3 + 3 = 12,291 parameters) and VGG-16's layer counts by hand.
"""

from __future__ import annotations

import json

import pytest

from cnncalc.analysis import analyze
from cnncalc.conventions import Conventions
from cnncalc.errors import UsageError
from cnncalc.spec import load_graph, load_graph_text
from cnncalc.transfer import apply, classifier, freeze_until, new_head

VGG16_PARAMS = 138_357_544
FC8 = 4096 * 1000 + 1000
FC6_FC7 = (25088 * 4096 + 4096) + (4096 * 4096 + 4096)


def totals(*args, run_cli):
    result = run_cli("summary", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["totals"]


@pytest.mark.parametrize("freeze", ["backbone", "fc7", "dropout2"])
def test_vgg16_frozen_backbone_with_a_three_class_head_trains_12291_params(run_cli, freeze):
    t = totals("vgg16", "--freeze-until", freeze, "--head", "3", run_cli=run_cli)
    assert t["trainable_params"] == 4096 * 3 + 3 == 12_291             # seed 004
    assert t["params"] == VGG16_PARAMS - FC8 + 12_291
    assert t["non_trainable_params"] == VGG16_PARAMS - FC8
    # Training memory: gradients and Adam's two moments only for the 12,291 trained values.
    assert t["gradient_bytes"] == 12_291 * 4
    assert t["optimizer_bytes"] == 12_291 * 4 * 2
    assert t["training_bytes"] == 2 * t["activation_bytes"] + t["param_bytes"] + t["gradient_bytes"] + t["optimizer_bytes"]


def test_freezing_the_convs_leaves_the_three_fc_layers_trainable(run_cli):
    t = totals("vgg16", "--freeze-until", "pool5", run_cli=run_cli)
    assert t["params"] == VGG16_PARAMS
    assert t["trainable_params"] == FC6_FC7 + FC8
    assert t["non_trainable_params"] == VGG16_PARAMS - FC6_FC7 - FC8


def test_a_new_head_alone_is_fine_tuning_everything(run_cli):
    t = totals("vgg16", "--head", "10", "--optimizer", "sgd", run_cli=run_cli)
    assert t["params"] == t["trainable_params"] == VGG16_PARAMS - FC8 + 4096 * 10 + 10
    assert t["optimizer_bytes"] == 0


def test_the_table_marks_frozen_layers_and_splits_the_totals(run_cli):
    result = run_cli("summary", "vgg16", "--freeze-until", "backbone", "--head", "3")
    assert result.exit_code == 0, result.stderr
    assert "conv1_1 (frozen)" in result.stdout and "fc8 (frozen)" not in result.stdout
    assert "trainable 12,291, non-trainable 134,260,544" in result.stdout


def test_layers_after_the_new_head_follow_its_shape():
    graph = load_graph_text("input: [16]\nlayers:\n  - {dense: 1000, name: logits}\n  - softmax\n")
    changed = new_head(graph, 3)
    assert [n.shape for n in changed.nodes] == [(16,), (3,), (3,)]
    assert analyze(changed).totals.params == 16 * 3 + 3
    assert [n.shape for n in graph.nodes] == [(16,), (1000,), (1000,)]  # the input graph is untouched


def test_a_fully_convolutional_classifier_is_replaced_too():
    text = ("input: [512, 13, 13]\nlayers:\n  - {conv: 1000, kernel: 1, name: conv10}\n"
            "  - global_avgpool\n  - flatten\n")
    changed = new_head(load_graph_text(text), 10)
    assert classifier(changed).name == "conv10"
    assert changed.nodes[-1].shape == (10,)
    assert analyze(changed).totals.params == 512 * 10 + 10


def test_freezing_a_module_freezes_all_its_layers_and_their_inputs():
    text = """
input: [3, 8, 8]
layers:
  - {conv: 4, kernel: 3, padding: 1, name: stem}
  - block: [{conv: 4, kernel: 3, padding: 1}, {conv: 4, kernel: 3, padding: 1}]
    name: stage1
  - {conv: 4, kernel: 3, padding: 1, name: late}
  - flatten
  - {dense: 2, name: out}
"""
    graph = freeze_until(load_graph_text(text), "stage1")
    frozen = {n.name for n in graph.nodes if n.frozen}
    assert frozen == {"input", "stem", "stage1/conv1", "stage1/conv2"}
    per_conv = 3 * 3 * 4 * 4 + 4
    result = analyze(graph, Conventions())
    assert result.totals.non_trainable_params == (3 * 3 * 3 * 4 + 4) + 2 * per_conv
    assert result.totals.trainable_params == per_conv + 4 * 8 * 8 * 2 + 2


def test_unknown_layer_is_a_usage_error(run_cli):
    with pytest.raises(UsageError, match="did you mean 'conv5_3'"):
        apply(load_graph("vgg16"), "conv5_33", None)
    result = run_cli("summary", "vgg16", "--freeze-until", "conv5_33")
    assert result.exit_code == 2
    assert result.stderr.strip() == "cnncalc: error: --freeze-until: no layer or module 'conv5_33'; did you mean 'conv5_3'?"
    result = run_cli("summary", "vgg16", "--head", "0")
    assert result.exit_code == 2
