"""The lecture notes' figures (seeds 000-004), each under the convention its table uses.

Every expected value below is the figure as printed in the notes (or, for an erratum, the correct
value with the printed one named in a comment); see docs/errata.md (claim ids such as 004-16), where
each was recomputed independently. The tool's numbers are rounded the way the slide rounds.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc.analysis import Analysis, analyze
from cnncalc.conventions import Conventions
from cnncalc.spec import load_graph, load_graph_text

FIXTURES = Path(__file__).parent / "fixtures"


def half_up(value: Fraction | float) -> int:
    """Round half away from zero, as a slide does (Python's round() rounds half to even)."""
    return math.floor(Fraction(value) + Fraction(1, 2))


def rows(analysis: Analysis) -> dict:
    return {row.name: row for row in analysis.layers}


def fixture(name: str, **conventions) -> Analysis:
    return analyze(load_graph(str(FIXTURES / name)), Conventions(**conventions))


# -- seed 000: Keras model.summary() examples (params with biases, as Keras counts) -------------

def keras_rows(analysis: Analysis) -> list[tuple[str, tuple[int, ...], int]]:
    """(name, Keras (None, H, W, C) shape without the batch, Param #) for every row but the input."""
    return [(r.name, (r.output_shape[1], r.output_shape[2], r.output_shape[0]), r.params) for r in analysis.layers[1:]]


def test_keras_example_1():
    analysis = fixture("keras_example1.yaml")
    assert keras_rows(analysis) == [("conv2d_19", (8, 8, 1), 10), ("activation_19", (8, 8, 1), 0)]
    assert analysis.totals.params == analysis.totals.trainable_params == 10  # "3*3 filter + bias = 10"
    assert analysis.totals.non_trainable_params == 0


def test_keras_example_2():
    analysis = fixture("keras_example2.yaml")
    assert keras_rows(analysis) == [
        ("conv2d_22", (8, 8, 5), 50),   # (3*3*1 + 1) * 5
        ("activation_22", (8, 8, 5), 0),
        ("conv2d_23", (6, 6, 2), 92),   # "3x3x5 = 45 ... add the bias => 46 ... Two filters = 92"
        ("activation_23", (6, 6, 2), 0),
    ]
    assert analysis.totals.params == 50 + 92 == 142


def test_keras_example_3():
    analysis = fixture("keras_example3.yaml")
    # The notes' prose says "98*98*3": erratum 000-08 (docs/errata.md), the depth is the number of filters, 8,
    # as the notes' own Keras summary shows.
    assert keras_rows(analysis) == [
        ("conv2d_24", (98, 98, 8), 224),  # "3*3*3 filters => 27 parameters + bias => 28 => 28*8 => 224"
        ("activation_24", (98, 98, 8), 0),
        ("conv2d_25", (96, 96, 1), 73),   # 3*3*8 + 1
        ("activation_25", (96, 96, 1), 0),
    ]
    assert analysis.totals.params == 224 + 73 == 297


def test_ten_5x5_filters_on_32x32x3_with_pad_2():
    """Seed 001 (also in cs231n): 'each filter has 5*5*3 + 1 = 76 params ... 76*10 = 760'."""
    analysis = analyze(load_graph_text(
        "input: [3, 32, 32]\nlayers:\n  - {conv: 10, kernel: 5, stride: 1, padding: 2}\n"))
    conv = analysis.layers[1]
    assert conv.output_shape == (10, 32, 32)  # (32 + 2*2 - 5)/1 + 1 = 32
    assert conv.params == 760 and conv.params // 10 == 76 == 5 * 5 * 3 + 1


# -- the cs231n VGG-16 listing (seeds 000, 001, 002): weights only, input counted -----------------

# (row, [HxWxC] as printed, memory as printed (2 significant figures), params as printed)
CS231N_VGG16 = [
    ("input", (224, 224, 3), 150_000, 0),
    ("conv1_1", (224, 224, 64), 3_200_000, 1_728),
    ("conv1_2", (224, 224, 64), 3_200_000, 36_864),
    ("pool1", (112, 112, 64), 800_000, 0),
    ("conv2_1", (112, 112, 128), 1_600_000, 73_728),
    ("conv2_2", (112, 112, 128), 1_600_000, 147_456),
    ("pool2", (56, 56, 128), 400_000, 0),
    ("conv3_1", (56, 56, 256), 800_000, 294_912),
    ("conv3_2", (56, 56, 256), 800_000, 589_824),
    ("conv3_3", (56, 56, 256), 800_000, 589_824),
    ("pool3", (28, 28, 256), 200_000, 0),
    ("conv4_1", (28, 28, 512), 400_000, 1_179_648),
    ("conv4_2", (28, 28, 512), 400_000, 2_359_296),
    ("conv4_3", (28, 28, 512), 400_000, 2_359_296),
    ("pool4", (14, 14, 512), 100_000, 0),
    ("conv5_1", (14, 14, 512), 100_000, 2_359_296),
    ("conv5_2", (14, 14, 512), 100_000, 2_359_296),
    ("conv5_3", (14, 14, 512), 100_000, 2_359_296),
    ("pool5", (7, 7, 512), 25_000, 0),
    ("fc6", (1, 1, 4096), 4096, 102_760_448),
    ("fc7", (1, 1, 4096), 4096, 16_777_216),
    ("fc8", (1, 1, 1000), 1000, 4_096_000),
]


def two_significant(n: int) -> int:
    """The listing's 'memory' column: 150K, 3.2M, 800K ... (exact below 10,000: 4096, 1000)."""
    if n < 10_000:
        return n
    scale = 10 ** (len(str(n)) - 2)
    return half_up(Fraction(n, scale)) * scale


def test_cs231n_vgg16_listing_row_by_row():
    analysis = analyze(load_graph("vgg16"), Conventions(bias=False))  # "params: 0 (not counting biases)"
    got = rows(analysis)
    for name, (h, w, c), memory, params in CS231N_VGG16:
        row = got[name]
        shape = (c, h, w) if h > 1 else (c,)
        assert row.output_shape == shape, name
        assert row.output_elements == h * w * c, name        # the listing's "224*224*64 = ..."
        assert two_significant(row.output_elements) == memory, name
        assert row.params == params, name
    # The listing's rows are exactly the layers that hold an activation: flatten is a view, dropout an
    # inference no-op, and torchvision's adaptive pool (7x7 -> 7x7 at 224) the identity, counted as a view.
    assert [r.name for r in analysis.layers if r.activation_bytes] == [row[0] for row in CS231N_VGG16]


def test_cs231n_vgg16_totals():
    analysis = analyze(load_graph("vgg16"), Conventions(bias=False))
    assert analysis.totals.params == sum(row[3] for row in CS231N_VGG16) == 138_344_128
    assert half_up(Fraction(analysis.totals.params, 10**6)) == 138  # "TOTAL params: 138M parameters"
    # "TOTAL memory: 24M * 4 bytes ~= 96MB / image" is an erratum carried over from the cs231n notes
    # (docs/errata.md VGG-45/46): the rows above sum to 15,237,608 values (15.2M), 61.0 MB (58.1 MiB)
    # in float32. Assert the correct sum, never the printed 24M.
    listing = sum(h * w * c for _, (h, w, c), _, _ in CS231N_VGG16)
    assert listing == 15_237_608
    assert round(listing * 4 / 1e6, 1) == 61.0
    assert round(listing * 4 / 2**20, 1) == 58.1
    assert analysis.totals.activation_elements == listing
    assert analysis.totals.activation_bytes == listing * 4
    # --count-views adds the copies PyTorch makes of the flatten and the identity pool: 2 x 7x7x512.
    counted = analyze(load_graph("vgg16"), Conventions(count_views=True)).totals
    assert counted.activation_elements == listing + 2 * 7 * 7 * 512


# -- the Michigan EECS 498 AlexNet table (seed 001): alexnet at 227 -------------------------------

# row: (C, H/W, memory (KB), params (k), flop (M)) as printed. KB = elements*4/1024, input not counted;
# params in thousands (the FC rows omit biases); flop = MACs in millions.
MICHIGAN_ALEXNET = {
    "conv1": (64, 56, 784, 23, 73),
    "pool1": (64, 27, 182, 0, 0),
    "conv2": (192, 27, 547, 307, 224),
    "pool2": (192, 13, 127, 0, 0),
    "conv3": (384, 13, 254, 664, 112),
    "conv4": (256, 13, 169, 885, 150),  # printed 145: erratum 001-38 (13*13*256*3*3*384 = 149,520,384)
    "conv5": (256, 13, 169, 590, 100),
    "pool5": (256, 6, 36, 0, 0),
    "flatten": (9216, None, 36, 0, 0),
    "fc6": (4096, None, 16, 37_749, 38),
    "fc7": (4096, None, 16, 16_777, 17),
    "fc8": (1000, None, 4, 4_096, 4),
}


def michigan_alexnet(**conventions) -> dict:
    table = Conventions(count_input=False, **conventions)
    analysis = analyze(load_graph("alexnet", (3, 227, 227)), table)
    got = rows(analysis)
    got["flatten"] = next(r for r in analysis.layers if r.type == "flatten")
    return got


def test_michigan_alexnet_table():
    # The memory column counts every row's output, the flatten's copy included: --count-views.
    weights_only = michigan_alexnet(bias=False, count_views=True)
    with_bias = michigan_alexnet(count_views=True)
    for name, (channels, size, memory_kb, params_k, mflop) in MICHIGAN_ALEXNET.items():
        row = weights_only[name]
        assert row.output_shape == ((channels, size, size) if size else (channels,)), name
        assert half_up(Fraction(row.output_elements * 4, 1024)) == memory_kb, name  # 9216 * 4 / 1024 = 36
        assert row.activation_bytes == row.output_elements * 4, name
        assert half_up(Fraction(row.params, 1000)) == params_k, name
        assert half_up(Fraction(row.macs, 10**6)) == mflop, name
        if name.startswith("conv"):  # biases are invisible at k precision for the conv rows
            assert half_up(Fraction(with_bias[name].params, 1000)) == params_k, name
        elif name.startswith("fc"):  # ... but not for the FC rows: 37,753 / 16,781 / 4,097 with biases
            assert half_up(Fraction(with_bias[name].params, 1000)) != params_k, name
    assert weights_only["conv4"].macs == 149_520_384 != 145_000_000


def test_flatten_is_a_view_unless_views_are_counted():
    """PyTorch's flatten (and NumPy's reshape) returns a view: by default it holds nothing, in the
    table, the totals and the answer sheet's `memory` item alike; --count-views adds its copy."""
    default, counted = michigan_alexnet()["flatten"], michigan_alexnet(count_views=True)["flatten"]
    assert (default.output_elements, default.activation_bytes) == (0, 0)
    assert (counted.output_elements, counted.activation_bytes) == (256 * 6 * 6, 256 * 6 * 6 * 4)
    table = Conventions(count_input=False)
    plain = analyze(load_graph("alexnet", (3, 227, 227)), table).totals
    views = analyze(load_graph("alexnet", (3, 227, 227)), Conventions(count_input=False, count_views=True)).totals
    # the flatten's 256x6x6 copy, and that of torchvision's adaptive 6x6 pool, the identity on pool5's 6x6x256
    assert views.activation_elements - plain.activation_elements == 2 * 9216
    assert views.activation_bytes - plain.activation_bytes == 2 * 9216 * 4


def test_grade_marks_the_flatten_row_by_the_same_rule():
    """The Michigan table's "flatten ... 36" (KB) is right under --count-views, wrong by default
    (where the working says why: a view), exactly as `summary` shows 36 KiB or '-'."""
    from cnncalc.grading.marking import AnswerKey

    graph = load_graph("alexnet", (3, 227, 227))
    name = next(node.name for node in graph.nodes if node.op == "flatten")
    for count_views, right in ((True, True), (False, False)):
        conventions = Conventions(count_input=False, count_views=count_views)
        mark = AnswerKey(graph, analyze(graph, conventions)).mark(name, "memory", "36 KB")
        assert mark.right is right, mark
    assert "a view" in mark.working


def test_michigan_alexnet_totals():
    """'AlexNet total: 1.9 MB' (conv outputs, MiB), '61M' params, '0.7 GFLOP'."""
    got = michigan_alexnet()
    conv_bytes = sum(r.activation_bytes for n, r in got.items() if n.startswith("conv"))
    assert round(conv_bytes / 2**20, 1) == 1.9
    analysis = analyze(load_graph("alexnet", (3, 227, 227)))
    assert analysis.totals.params == 61_100_840  # the input size does not change the params
    assert half_up(Fraction(analysis.totals.params, 10**6)) == 61
    assert round(analysis.totals.macs / 1e9, 1) == 0.7


# -- the Michigan "Compare with VGG-16" FC rows (seed 001, after the GoogLeNet table) ------------

# row: (C, memory (KB), params (K), flop (M)) as printed; KB = elements*4/1024, params without biases.
MICHIGAN_VGG16_FC = {
    "flatten": (25088, 98, 0, 0),         # 7*7*512 = 25,088 values * 4 B = 98 KiB: counted as a copy
    "fc6": (4096, 16, 102_760, 103),      # 25088*4096 = 102,760,448
    "fc7": (4096, 16, 16_777, 17),        # 4096*4096 = 16,777,216
    "fc8": (1000, 4, 4_096, 4),           # 4096*1000 = 4,096,000; 1000*4/1024 = 3.9 -> 4
}


def test_michigan_vgg16_fc_rows_count_the_flatten():
    analysis = analyze(load_graph("vgg16"), Conventions(bias=False, count_input=False, count_views=True))
    got = rows(analysis)
    got["flatten"] = next(r for r in analysis.layers if r.type == "flatten")
    for name, (channels, memory_kb, params_k, mflop) in MICHIGAN_VGG16_FC.items():
        row = got[name]
        assert row.output_shape == (channels,), name
        assert half_up(Fraction(row.activation_bytes, 1024)) == memory_kb, name
        assert half_up(Fraction(row.params, 1000)) == params_k, name
        assert half_up(Fraction(row.macs, 10**6)) == mflop, name
    default = analyze(load_graph("vgg16"), Conventions(bias=False, count_input=False))
    assert next(r for r in default.layers if r.type == "flatten").activation_bytes == 0


# -- the Michigan VGG-16 totals (seed 001): computed on a net missing conv3_3 ----------------------

def stage_sum(analysis: Analysis, attr: str, prefixes: tuple[str, ...]) -> int:
    return sum(getattr(r, attr) for r in analysis.layers if r.name.startswith(prefixes))


def test_michigan_vgg16_figures_need_the_12_conv_net():
    """The deck's '48.6 MB, 138M, 13.6 GFLOP' and the '224 -> 28' figures '42.9 MB, 1.1M, 7485 MFLOP'
    are reproduced by VGG-16 without conv3_3 (its "Stage 3: conv-conv-pool" rule: docs/errata.md 001-69/71/
    73/106-108); true VGG-16 gives 51.7 MB, 15.5 GFLOP, 45.9 MB, 1.7M, 9335 MFLOP."""
    michigan = fixture("vgg16_michigan_12conv.yaml")
    true = analyze(load_graph("vgg16"))
    conv = ("conv",)
    early = ("conv1_", "conv2_", "conv3_")
    mib = 2**20
    assert round(stage_sum(michigan, "activation_bytes", conv) / mib, 1) == 48.6
    assert round(stage_sum(true, "activation_bytes", conv) / mib, 1) == 51.7
    assert half_up(Fraction(michigan.totals.params, 10**6)) == 138  # 137.77M: rounds like the true 138.36M
    assert round(michigan.totals.macs / 1e9, 1) == 13.6
    assert round(true.totals.macs / 1e9, 1) == 15.5
    assert round(stage_sum(michigan, "activation_bytes", early) / mib, 1) == 42.9
    assert round(stage_sum(true, "activation_bytes", early) / mib, 1) == 45.9
    assert stage_sum(michigan, "params", early) == 1_145_408  # "1.1M"
    assert stage_sum(true, "params", early) == 1_735_488
    assert stage_sum(michigan, "macs", early) == 7_485_456_384  # "7485 MFLOP"
    assert stage_sum(true, "macs", early) == 9_335_144_448


# -- the VGG parameter table (seed 004; Simonyan & Zisserman Table 2) -----------------------------

def test_vgg_parameter_table():
    # Millions of params for A, A-LRN, B, C, D, E. (The seed lists VGG-13's layer sequence on every
    # row - erratum 004-46 in docs/errata.md - but the parameter column is right for each configuration.)
    printed = {"vgg11": 133, "vgg11_lrn": 133, "vgg13": 133, "vgg16_c": 134, "vgg16": 138, "vgg19": 144}
    got = {name: half_up(Fraction(analyze(load_graph(name)).totals.params, 10**6)) for name in printed}
    assert got == printed


# -- receptive fields (seeds 001, 002, 004) --------------------------------------------------------

def stacked_convs(layers: int, kernel: int, size: int, padding: int = 0) -> Analysis:
    text = (f"input: [1, {size}, {size}]\nlayers:\n"
            f"  - repeat: {layers}\n    layers: [{{conv: 1, kernel: {kernel}, padding: {padding}}}]\n")
    return analyze(load_graph_text(text))


def test_three_stacked_3x3_convs_see_7x7():
    """Seed 002: 'three stacked 3x3 have a 7x7 receptive field'."""
    rf = stacked_convs(3, 3, 32, padding=1).layers[-1].receptive_field
    assert rf.size == (7, 7) and rf.jump == (1, 1)


def test_receptive_field_indices_of_seed_004():
    """'Receptive field of C(3,3) is B(2:4, 2:4) and effective receptive field is A(1:5, 1:5)'
    for two 3x3 stride-1 pad-1 convs A -> B -> C (1-based, inclusive)."""

    def window(rf, index_1based):  # the input pixels a unit sees, 1-based inclusive
        centre = rf.start[0] + (index_1based - 1) * rf.jump[0]
        half = (rf.size[0] - 1) / 2
        return (int(centre - half) + 1, int(centre + half) + 1)

    b_to_c = stacked_convs(1, 3, 6, padding=1).layers[-1].receptive_field  # C's field in B
    a_to_c = stacked_convs(2, 3, 6, padding=1).layers[-1].receptive_field  # C's field in A
    assert window(b_to_c, 3) == (2, 4)
    assert window(a_to_c, 3) == (1, 5)


@settings(max_examples=60, deadline=None)
@given(layers=st.integers(1, 12), kernel=st.integers(1, 11))
def test_stacked_convs_receptive_field_formula(layers, kernel):
    """Seed 001: 'With L layers the receptive field size is 1 + L * (K - 1)' (stride 1). The input
    is exactly that size, so the last (1x1) unit must see all of it."""
    expected = 1 + layers * (kernel - 1)
    analysis = stacked_convs(layers, kernel, expected)
    last = analysis.layers[-1]
    assert last.output_shape == (1, 1, 1)
    assert last.receptive_field.size == (expected, expected)


def naive_receptive_field(layers: list[tuple[int, int]]) -> tuple[int, int]:
    """Walk (kernel, stride) pairs with r += (k - 1) * j, j *= s (Araujo et al. 2019)."""
    r, j = 1, 1
    for k, s in layers:
        r, j = r + (k - 1) * j, j * s
    return r, j


def test_vgg16_pool5_receptive_field():
    # Per stage: each 3x3 conv adds 2j, the 2x2/2 pool adds j and doubles j.
    # stage 1: 1 + 2 + 2 = 5, pool 6 (j 2); stage 2: 6 + 4 + 4 = 14, pool 16 (j 4);
    # stage 3: 16 + 3*8 = 40, pool 44 (j 8); stage 4: 44 + 3*16 = 92, pool 100 (j 16);
    # stage 5: 100 + 3*32 = 196, pool 212 (j 32).
    config_d = [2, 2, 3, 3, 3]
    walk = [layer for convs in config_d for layer in [(3, 1)] * convs + [(2, 2)]]
    assert naive_receptive_field(walk) == (212, 32)
    rf = rows(analyze(load_graph("vgg16")))["pool5"].receptive_field
    assert rf.size == (212, 212) and rf.jump == (32, 32)
