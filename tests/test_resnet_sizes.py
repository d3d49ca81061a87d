"""Every zoo ResNet at every input size torchvision runs (issue 10): a block's shortcut takes the stride
that gives the body's output size, floor((W - 1)/S) + 1, so odd sizes (57 -> 29) are projected too.

Expected figures are written out here: each stage's output side from the layer arithmetic
floor((s + 2p - k)/stride) + 1 (conv1 7x7/2 p3, maxpool 3x3/2 p1, then a stride 2 at the start of
stages 2-4: a 3x3 p1 conv, or the paper's 1x1 p0 conv, the same size), torchvision's published
parameter counts (constant at every size: only the global pool sees the size) and MACs at 224.
The specs are compiled and analysed only (no NumPy run), parsed once each.
"""

from __future__ import annotations

import json

import pytest

from cnncalc.analysis import analyze
from cnncalc.spec.compile import compile_spec
from cnncalc.spec.yaml_loader import load_yaml_file
from cnncalc.zoo import zoo_dir

# torchvision.models: resnet18 ... resnet152 (params), and their exact MACs at 224x224 (tests/test_zoo_graph.py
# walks Table 1 by hand to the same figures: 1.81, 3.66, 4.09, 7.80, 11.51 GFLOPS)
TORCHVISION = {
    "resnet18": (11_689_512, 1_814_073_344), "resnet34": (21_797_672, 3_663_761_408),
    "resnet50": (25_557_032, 4_089_184_256), "resnet101": (44_549_160, 7_801_405_440),
    "resnet152": (60_192_808, 11_513_626_624),
}
# The paper's 18 and 34 use option A where the shape changes: no 1x1 projection + batchnorm in stages 2-4,
# (64·128 + 2·128) + (128·256 + 2·256) + (256·512 + 2·512) = 8,448 + 33,280 + 132,096 parameters fewer.
PROJECTIONS = 64 * 128 + 2 * 128 + 128 * 256 + 2 * 256 + 256 * 512 + 2 * 512
PARAMS = {
    **{name: params for name, (params, _) in TORCHVISION.items()},
    "resnet18_v1": 11_689_512 - PROJECTIONS, "resnet34_v1": 21_797_672 - PROJECTIONS,
    "resnet50_v1": 25_557_032, "resnet101_v1": 44_549_160, "resnet152_v1": 60_192_808,
}
CHANNELS = {"basic": (64, 128, 256, 512), "bottleneck": (256, 512, 1024, 2048)}
ALL_SIZES = range(64, 513)
# Each stride-2 layer maps s to floor((s - 1)/2) + 1 = ceil(s/2), so stage 4 sees ceil(s/32) and every
# shortcut's case (odd or even input, at each of the five halvings) depends on s mod 32 alone: one run of
# 32 consecutive sizes meets every case the full range does. ResNet-18 runs every size; the others one
# such run, plus 224 for the MACs (the full range for all ten would take ~40 s: this file takes ~4 s).
CYCLE = [*range(64, 96), 224]


def side(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def expected_stages(size: int) -> list[int]:
    s = side(side(size, 7, 2, 3), 3, 2, 1)  # conv1, maxpool
    sides = [s]
    for _ in range(3):
        s = side(s, 3, 2, 1)
        sides.append(s)
    return sides


def test_the_stage_formula_by_hand():
    assert expected_stages(224) == [56, 28, 14, 7]
    assert expected_stages(227) == [57, 29, 15, 8]  # the size `summary resnet50 --input 227` refused
    assert expected_stages(64) == [16, 8, 4, 2]


@pytest.mark.parametrize("name, sizes", [
    ("resnet18", ALL_SIZES), *((name, CYCLE) for name in PARAMS if name != "resnet18"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_every_resnet_at_every_size(name, sizes):
    data = load_yaml_file(str(zoo_dir() / f"{name}.yaml"))
    stages = ("conv2_x", "conv3_x", "conv4_x", "conv5_x") if "_v1" in name else ("layer1", "layer2", "layer3", "layer4")
    block = "basic" if name.removesuffix("_v1") in ("resnet18", "resnet34") else "bottleneck"
    for size in sizes:
        graph = compile_spec(data, name, (3, size, size))
        last = {}
        for node in graph.nodes:
            last[node.name.split("/", 1)[0]] = node.shape
        got = [last[stage] for stage in stages]
        assert got == [(c, s, s) for c, s in zip(CHANNELS[block], expected_stages(size), strict=True)], (name, size)
        analysis = analyze(graph)
        assert analysis.totals.params == PARAMS[name], (name, size)
        if size == 224 and name in TORCHVISION:
            assert analysis.totals.macs == TORCHVISION[name][1]


def test_summary_resnet50_at_227(run_cli):
    # the command of the issue; torchvision's downsample is a 1x1 conv with stride 2: 57 -> floor(56/2) + 1 = 29
    result = run_cli("summary", "resnet50", "--input", "227", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["params"] == 25_557_032
    shortcut = next(layer for layer in data["layers"] if layer["name"] == "layer2/bottleneck1/shortcut")
    assert shortcut["output_shape"] == [512, 29, 29]
    graph = compile_spec(load_yaml_file(str(zoo_dir() / "resnet50.yaml")), "resnet50", (3, 227, 227))
    assert graph.node("layer2/bottleneck1/shortcut").options.stride == 2
