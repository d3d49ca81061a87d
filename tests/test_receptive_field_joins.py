"""The receptive field where branches join (concat, add): axis by axis, never the larger (h, w) tuple.

Inception-v3's Mixed_7b/7c join 1x3 and 3x1 branches; their published fields come from
google-research/receptive_field, receptive_field/RECEPTIVE_FIELD_TABLE.md (rows `inception_v3 | None`,
columns RF, effective stride, effective padding; the README's headline row gives the last endpoint,
Mixed_7c: 1311, 32, 618). Its effective padding P relates to our start u (the centre of the first
output unit's field) by u = (r - 1)/2 - P (Araujo et al., Distill 2019, eq. for u_0).
"""

from __future__ import annotations

import pytest

from cnncalc.analysis import analyze
from cnncalc.spec import load_graph, load_graph_text

# endpoint: (RF, effective stride, effective padding), RECEPTIVE_FIELD_TABLE.md, inception_v3 at "None"
PUBLISHED = {
    "Conv2d_1a_3x3": (3, 2, 0),
    "Conv2d_2a_3x3": (7, 2, 0),
    "Conv2d_2b_3x3": (11, 2, 2),
    "MaxPool_3a_3x3": (15, 4, 2),
    "Conv2d_3b_1x1": (15, 4, 2),
    "Conv2d_4a_3x3": (23, 4, 2),
    "MaxPool_5a_3x3": (31, 8, 2),
    "Mixed_5b": (63, 8, 18),
    "Mixed_5c": (95, 8, 34),
    "Mixed_5d": (127, 8, 50),
    "Mixed_6a": (159, 16, 58),
    "Mixed_6b": (351, 16, 154),
    "Mixed_6c": (543, 16, 250),
    "Mixed_6d": (735, 16, 346),
    "Mixed_6e": (927, 16, 442),
    "Mixed_7a": (1055, 32, 490),
    "Mixed_7b": (1183, 32, 554),
    "Mixed_7c": (1311, 32, 618),
}

# The TF-slim endpoint names against the zoo spec's layers (a module's output is its last layer).
ZOO_NAME = {"MaxPool_3a_3x3": "maxpool1", "MaxPool_5a_3x3": "maxpool2"}


def zoo_layer(endpoint: str) -> str:
    if endpoint in ZOO_NAME:
        return ZOO_NAME[endpoint]
    return f"{endpoint}/concat" if endpoint.startswith("Mixed") else f"{endpoint}/relu1"


@pytest.mark.parametrize("size", [299, 342])
def test_inception_v3_endpoints_match_the_published_table(size):
    """The table's "None" rows hold at any input size the network accepts (342 = 299 + 43)."""
    rows = {row.name: row for row in analyze(load_graph("inception_v3", (3, size, size))).layers}
    for endpoint, (size_px, stride, padding) in PUBLISHED.items():
        rf = rows[zoo_layer(endpoint)].receptive_field
        assert rf is not None, endpoint
        assert rf.size == (size_px, size_px), endpoint
        assert rf.jump == (stride, stride), endpoint
        assert rf.start == ((size_px - 1) / 2 - padding,) * 2, endpoint


def test_inception_v3_mixed_7b_is_square_not_the_larger_tuple():
    """Before the per-axis rule the join reported 1183x1119 and 1311x1183 (the tuple max of (h, w))."""
    rows = {row.name: row for row in analyze(load_graph("inception_v3")).layers}
    assert rows["Mixed_7b/concat"].receptive_field.size == (1183, 1183)
    assert rows["Mixed_7c/concat"].receptive_field.size == (1311, 1311)


ONE_BY_THREE_JOIN = """\
input: [4, 8, 8]
layers:
  - concat:
      - [{conv: 2, kernel: [1, 3], padding: [0, 1]}]
      - [{conv: 2, kernel: [3, 1], padding: [1, 0]}]
"""


def test_a_1x3_and_a_3x1_branch_see_3x3():
    """By hand: the 1x3 branch sees 1 row x 3 columns, the 3x1 branch 3 rows x 1 column; both are
    centred on the same pixel (start 0 on each axis, stride 1), so their union is 3x3."""
    analysis = analyze(load_graph_text(ONE_BY_THREE_JOIN, "join.yaml"))
    join = analysis.layers[-1]
    assert join.type == "concat"
    assert join.receptive_field.size == (3, 3)
    assert join.receptive_field.jump == (1, 1) and join.receptive_field.start == (0, 0)
    assert not analysis.warnings


def test_an_add_joins_per_axis_too():
    text = """\
input: [4, 8, 8]
layers:
  - {conv: 2, kernel: [1, 3], padding: [0, 1], name: wide}
  - {conv: 2, kernel: [3, 1], padding: [1, 0], from: input, name: tall}
  - {add: , from: [wide, tall]}
"""
    join = analyze(load_graph_text(text, "add.yaml")).layers[-1]
    assert join.type == "add"
    assert join.receptive_field.size == (3, 3)


def test_misalignment_is_named_by_axis():
    """By hand. Widths: a 1x5 kernel (start 2, jump 1) against a 1x2 kernel at stride 2 (start 0.5,
    jump 2), both 4 columns wide; the heights agree. Heights: a 2x1 kernel (start 0.5) against a 3x1
    kernel padded one row on top only (start (3 - 1)/2 - 1 = 0), both 7 rows high."""
    widths = """\
input: [4, 8, 8]
layers:
  - concat:
      - [{conv: 2, kernel: [1, 5]}]
      - [{conv: 2, kernel: [1, 2], stride: [1, 2]}]
"""
    messages = [message for _, message in analyze(load_graph_text(widths, "w.yaml")).warnings]
    assert messages == ["the branches' receptive-field centres and jumps disagree (width starts 2, 0.5; "
                        "width jumps 1, 2): the field shown is the widest on each axis"]
    heights = """\
input: [4, 8, 8]
layers:
  - concat:
      - [{conv: 2, kernel: [2, 1]}]
      - [{conv: 2, kernel: [3, 1], padding: [1, 0, 0, 0]}]
"""
    messages = [message for _, message in analyze(load_graph_text(heights, "h.yaml")).warnings]
    assert messages == ["the branches' receptive-field centres disagree (height starts 0.5, 0): "
                        "the field shown is the widest on each axis"]
