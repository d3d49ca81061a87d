"""Answers as people write them: a number with its unit word is read whole, even where YAML splits a
flow mapping at its commas; an exact answer that is the truth rounded is told how to write a rounded
one. The last two tests need the YAML loader's reading of `{params: 61,706, macs: 417,000}` and
`0156` (spec/yaml_loader.py, docs/spec.md "Numbers")."""

from __future__ import annotations

import json

import pytest

# A key small enough to work out by hand: a 32x32x3 input, two 5x5 convs with padding 2 (sizes kept).
KEY = """input: [3, 32, 32]
layers:
  - {conv: 32, kernel: 5, padding: 2, name: conv1}
  - {conv: 64, kernel: 5, padding: 2, name: conv2}
  - {conv: 156, kernel: 1, name: conv3}
"""
# conv1: (5*5*3 + 1)*32 = 2,432 params; 32*32*32 * 5*5*3 = 2,457,600 MACs; 32*32*32 = 32,768 values
#        x 4 B = 131,072 B (128 KiB)
# conv2: (5*5*32 + 1)*64 = 51,264 params; 32*32*64 * 5*5*32 = 52,428,800 MACs
# conv3: 156 filters: (64 + 1)*156 = 10,140 params; 32*32*156 = 159,744 values
# total: 2,432 + 51,264 + 10,140 = 63,836 params


def _marks(run_cli, tmp_path, answers: str) -> dict[str, dict]:
    key = tmp_path / "key.yaml"
    key.write_text(KEY, encoding="utf-8")
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(answers, encoding="utf-8")
    result = run_cli("grade", str(sheet), "--key", str(key), "-f", "json")
    assert result.exit_code == 0, result.output
    return {m["item"]: m for m in json.loads(result.stdout)["sheets"][0]["marks"]}


def test_numbers_with_unit_words_are_read_whole(run_cli, tmp_path):
    marks = _marks(run_cli, tmp_path, "layers:\n"
                   "  conv1: {params: 2,432 params, macs: 2,457,600 MACs, memory: 128 KiB}\n"
                   "  conv2: {params: 51,264 params, macs: 52.4M MACs}\n"
                   "  conv3:\n    params: 10,140 params\n    memory: 0.16 M values\n"
                   "totals: {params: 63,836 parameters}\n")
    assert sorted(marks) == ["conv1.macs", "conv1.memory", "conv1.params", "conv2.macs", "conv2.params",
                             "conv3.memory", "conv3.params", "total.params"]
    assert all(mark["right"] for mark in marks.values()), marks
    assert marks["conv2.params"]["answer"] == "51,264 params"


def test_a_wrong_unit_word_answer_is_wrong_not_split(run_cli, tmp_path):
    marks = _marks(run_cli, tmp_path, "layers:\n  conv2: {params: 51,200 params, macs: 417K MACs}\n")
    assert sorted(marks) == ["conv2.macs", "conv2.params"]
    assert marks["conv2.params"]["right"] is False and marks["conv2.params"]["expected"] == "51,264"
    assert marks["conv2.macs"]["right"] is False and marks["conv2.macs"]["expected"] == "52,428,800 (52429K)"


@pytest.mark.parametrize("answer, hint", [
    ("2400", "exact value expected; write 2.4K to round"),       # 2,432 to the hundred is 2,400
    ("2,430", "exact value expected; write 2.43K to round"),
    ("2000", "exact value expected; write 2K to round"),
    ("2500", None),                                                # 2,432 does not round to it
    ("2431", None),                                                # no zeros: not a rounding
])
def test_an_exact_answer_that_is_the_truth_rounded_is_told_how_to_round(run_cli, tmp_path, answer, hint):
    mark = _marks(run_cli, tmp_path, f"layers:\n  conv1: {{params: {answer}}}\n")["conv1.params"]
    assert mark["right"] is False and mark["expected"] == "2,432" and mark["hint"] == hint


def test_the_hint_in_text(run_cli, tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text(KEY, encoding="utf-8")
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("layers:\n  conv1: {params: 2400}\n", encoding="utf-8")
    result = run_cli("grade", str(sheet), "--key", str(key))
    assert "expected 2,432 (exact value expected; write 2.4K to round)" in result.stdout


def test_thousands_in_a_flow_mapping(run_cli, tmp_path):
    """`{params: 51,000, macs: 417,000}`: YAML alone reads two keys '000' (a duplicate: the whole sheet
    was unreadable). Needs the YAML loader's comma rule."""
    marks = _marks(run_cli, tmp_path, "layers:\n  conv2: {params: 51,264, macs: 52,428,800}\n"
                   "  conv1: {params: 2,000, macs: 417,000}\n")
    assert marks["conv2.params"]["right"] and marks["conv2.macs"]["right"]
    assert marks["conv1.params"]["answer"] == "2,000" and marks["conv1.macs"]["answer"] == "417,000"


def test_a_leading_zero_is_decimal(run_cli, tmp_path):
    """`0156` is 156 (conv3's channels), not YAML 1.1's octal 110. Needs the YAML loader's reading."""
    marks = _marks(run_cli, tmp_path, "layers:\n  conv3: {output_shape: [32, 32, 0156]}\n")
    assert marks["conv3.output_shape"]["right"] is True
