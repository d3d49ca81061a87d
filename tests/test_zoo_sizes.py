"""The torchvision-derived zoo specs match torchvision at input sizes other than their default.

torchvision's classifiers end in an adaptive (or global) average pool, so their parameter counts do
not depend on the input size; the counts below are torchvision's published ones (the model
builders' docs, `num_params`). The feature map that pool receives is worked out by hand below with
PyTorch's size rule floor((W + 2P - K)/S) + 1 (ceil for ceil_mode pools) along each network's
stride chain. Sizes: 256 and 320 (inception_v3: 320 and 384, since with its auxiliary head,
training mode, torchvision rejects inputs much below its default 299: at 256 the aux head's 5x5
conv meets a 4x4 map).

The paper-reproducing specs (alexnet_2012, vgg16_c, vgg11_lrn, zfnet, lenet5, googlenet) have no
adaptive pool: they keep the paper's behaviour, and their params grow with the input.
"""

from __future__ import annotations

import math

import pytest

from cnncalc.analysis import Analysis, analyze
from cnncalc.spec import load_graph


def out(size: int, kernel: int, stride: int = 1, padding: int = 0, ceil: bool = False) -> int:
    """PyTorch's output size (a ceil_mode window may not start in the right padding: not met here)."""
    span = size + 2 * padding - kernel
    return (math.ceil(span / stride) if ceil else span // stride) + 1


def alexnet_features(w: int) -> int:
    """conv1 11/4 p2, then three 3/2 max pools (conv2-5 keep the size)."""
    w = out(w, 11, 4, 2)
    for _ in range(3):
        w = out(w, 3, 2)
    return w


def vgg_features(w: int) -> int:
    """Five 2/2 max pools (every conv is 3x3 p1)."""
    for _ in range(5):
        w = out(w, 2, 2)
    return w


def resnet_features(w: int) -> int:
    """conv1 7/2 p3, max pool 3/2 p1, then the stride-2 3x3 p1 convs of layer2-4."""
    w = out(out(w, 7, 2, 3), 3, 2, 1)
    for _ in range(3):
        w = out(w, 3, 2, 1)
    return w


def densenet_features(w: int) -> int:
    """ResNet's stem, then three 2/2 average pools (the transitions)."""
    w = out(out(w, 7, 2, 3), 3, 2, 1)
    for _ in range(3):
        w = out(w, 2, 2)
    return w


def mobile_features(w: int) -> int:
    """MobileNetV2 and EfficientNet-B0: five stride-2 3x3 (or 5x5 p2) convs with padding (k-1)/2."""
    for _ in range(5):
        w = out(w, 3, 2, 1)
    return w


def squeezenet_features(w: int) -> int:
    """conv1 7/2 (no padding), three 3/2 ceil_mode max pools; the final 1x1 conv keeps the size."""
    w = out(w, 7, 2)
    for _ in range(3):
        w = out(w, 3, 2, ceil=True)
    return w


def googlenet_features(w: int) -> int:
    """conv1 7/2 p3, three 3/2 ceil_mode max pools, then maxpool4 2/2 ceil_mode."""
    w = out(w, 7, 2, 3)
    for _ in range(3):
        w = out(w, 3, 2, ceil=True)
    return out(w, 2, 2, ceil=True)


def inception_v3_features(w: int) -> int:
    """Conv2d_1a 3/2, 2a 3, max pool 3/2, 4a 3, max pool 3/2, Mixed_6a 3/2, Mixed_7a 3/2 (no padding)."""
    w = out(out(w, 3, 2), 3)
    w = out(w, 3, 2)
    w = out(w, 3)
    for _ in range(3):
        w = out(w, 3, 2)
    return w


# name: (torchvision params, channels into the final pool, features(w), sizes)
TORCHVISION = {
    "alexnet": (61_100_840, 256, alexnet_features, (256, 320)),
    "vgg11": (132_863_336, 512, vgg_features, (256, 320)),
    "vgg13": (133_047_848, 512, vgg_features, (256, 320)),
    "vgg16": (138_357_544, 512, vgg_features, (256, 320)),
    "vgg19": (143_667_240, 512, vgg_features, (256, 320)),
    "resnet18": (11_689_512, 512, resnet_features, (256, 320)),
    "resnet34": (21_797_672, 512, resnet_features, (256, 320)),
    "resnet50": (25_557_032, 2048, resnet_features, (256, 320)),
    "resnet101": (44_549_160, 2048, resnet_features, (256, 320)),
    "resnet152": (60_192_808, 2048, resnet_features, (256, 320)),
    "densenet121": (7_978_856, 1024, densenet_features, (256, 320)),
    "mobilenet_v2": (3_504_872, 1280, mobile_features, (256, 320)),
    "efficientnet_b0": (5_288_548, 1280, mobile_features, (256, 320)),
    "squeezenet1_0": (1_248_424, 1000, squeezenet_features, (256, 320)),
    "googlenet_torchvision": (6_624_904, 1024, googlenet_features, (256, 320)),
    "inception_v3": (23_834_568, 2048, inception_v3_features, (320, 384)),  # 27,161,264 with the aux head
}
CASES = [(name, size) for name, (*_, sizes) in TORCHVISION.items() for size in sizes]


def final_pool_input(analysis: Analysis) -> tuple[int, ...]:
    """The feature map the classifier's adaptive or global pool receives (the inference path's last)."""
    layers = {row.name: row for row in analysis.layers}
    pool = [row for row in analysis.layers
            if row.type in ("adaptive_avgpool", "global_avgpool") and not row.training_only][-1]
    return layers[pool.inputs[0]].output_shape


def test_hand_chains_reproduce_the_published_default_sizes():
    """The chains above give the sizes the papers print at the default input: 6 (AlexNet pool5),
    7 (VGG, ResNet, DenseNet, MobileNet, GoogLeNet), 13 (SqueezeNet's conv10), 8 (Inception-v3)."""
    assert alexnet_features(224) == 6 and vgg_features(224) == 7 and resnet_features(224) == 7
    assert densenet_features(224) == mobile_features(224) == googlenet_features(224) == 7
    assert squeezenet_features(224) == 13 and inception_v3_features(299) == 8


@pytest.mark.parametrize(("name", "size"), CASES)
def test_torchvision_specs_keep_torchvision_counts_and_shapes_at_other_sizes(name, size):
    params, channels, features, _ = TORCHVISION[name]
    analysis = analyze(load_graph(name, (3, size, size)))
    assert analysis.totals.params == params
    w = features(size)
    assert final_pool_input(analysis) == (channels, w, w)
    assert analysis.layers[-1].output_shape == (1000,)


@pytest.mark.parametrize("size", [320, 384])
def test_inception_v3_with_its_aux_head_is_torchvisions_27m(size):
    analysis = analyze(load_graph("inception_v3", (3, size, size)))
    assert analysis.training_only_totals is not None
    assert analysis.totals.params + analysis.training_only_totals.params == 27_161_264


def test_vgg16_at_256_on_the_command_line(run_cli):
    import json

    data = json.loads(run_cli("summary", "vgg16", "--input", "256", "--format", "json").stdout)
    assert data["totals"]["params"] == 138_357_544  # not 169,814,824 (fc6 on 8*8*512 inputs)


@pytest.mark.parametrize(("name", "default"), [("vgg16_c", 224), ("vgg11_lrn", 224), ("zfnet", 224),
                                               ("alexnet_2012", 227)])
def test_paper_specs_keep_the_papers_fixed_size_classifier(name, default):
    """No adaptive pool: at a larger input fc6 sees more values, so the params grow."""
    base = analyze(load_graph(name)).totals.params
    assert analyze(load_graph(name, (3, default + 32, default + 32))).totals.params > base
