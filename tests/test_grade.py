"""`cnncalc grade`: written values read at their precision, sheets marked with the working,
a class graded into the expected CSV, and seed 004's AlexNet erratum caught."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cnncalc.grading.values import UnreadableValue, parse_count, parse_memory, parse_receptive_field, parse_shape

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "grade"
KEY = FIXTURES / "alexnet_key.yaml"


# -- values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, truth, right", [
    ("35K", 34_944, True), ("35K", 35_200, True), ("35K", 36_000, False),   # the example
    ("34,944", 34_944, True), ("34,944", 34_945, False), (34944, 34_944, True),
    ("60M", 60_400_000, True), ("60M", 60_965_224, False),                   # 60.97M rounds to 61M
    ("62.4M params", 62_378_344, True), ("1.1 GFLOPs", 1_130_000_000, True),
    ("2.5e6", 2_540_000, True), ("2.5e6", 2_560_000, False), ("~138M", 138_357_544, True),
    ("0.105G", 105_415_200, True), ("2B", 1_600_000_000, True),                 # "B" on a count: billion
])
def test_counts_are_marked_at_the_precision_written(written, truth, right):
    assert parse_count(written).matches(truth) is right


def test_tolerance_widens_exact_answers():
    assert not parse_count("34,900").matches(34_944)
    assert parse_count("34,900").matches(34_944, tolerance=0.01)  # 44 <= 1% of 34,944


@pytest.mark.parametrize("written, units, truth_bytes, right", [
    ("1.9 MB", "iec", 2_000_000, True),          # 1.9 MiB = 1,992,294 B +- 52,429
    ("1.9 MB", "si", 2_000_000, False),          # 1.9 MB = 1,900,000 B +- 50,000
    ("1.9 MiB", "si", 2_000_000, True),          # MiB is 1024-based whatever the convention
    ("600 kB", "iec", 600_400, True),            # lowercase k: SI
    ("1,161,600 B", "iec", 1_161_600, True),
])
def test_memory_units(written, units, truth_bytes, right):
    quantity = parse_memory(written, units)
    assert quantity.is_bytes and quantity.matches(truth_bytes) is right


def test_memory_without_a_byte_unit_counts_values():
    quantity = parse_memory("3.2M")  # cs231n: "memory: 224*224*64 = 3.2M"
    assert not quantity.is_bytes and quantity.matches(224 * 224 * 64)


@pytest.mark.parametrize("written", ["55x55x96", "(55, 55, 96)", [55, 55, 96], "55 × 55 × 96", "55*55*96", "[55,55,96]"])
def test_shapes_are_read_height_width_channels(written):
    assert parse_shape(written) == (96, 55, 55)


def test_shapes_in_chw_and_flat():
    assert parse_shape("96x55x55", "chw") == (96, 55, 55)
    assert parse_shape(9216) == parse_shape("9216") == (9216,)


@pytest.mark.parametrize("bad", ["lots", "1,9", "12x", "", None, True])
def test_unreadable_counts(bad):
    with pytest.raises(UnreadableValue):
        parse_count(bad)


@pytest.mark.parametrize("bad", ["55x55", "a x b", "0x1x2", None])
def test_unreadable_shapes(bad):
    with pytest.raises(UnreadableValue):
        parse_shape(bad)


def test_receptive_fields():
    assert parse_receptive_field(11) == parse_receptive_field("11x11") == parse_receptive_field([11, 11]) == (11, 11)
    assert parse_receptive_field("all") is None


# -- one sheet -----------------------------------------------------------------------------------

def test_a_wrong_sheet_gets_expected_values_and_working(run_cli):
    result = run_cli("grade", str(FIXTURES / "class" / "dan_wrong.yaml"), "--key", str(KEY), "--format", "json")
    assert result.exit_code == 0, result.output
    marks = {m["item"]: m for m in json.loads(result.stdout)["sheets"][0]["marks"]}
    # conv1: (11*11*3 + 1)*96 = 34,944 with biases; the student's 34,848 forgot them
    assert marks["conv1.params"]["right"] is False and marks["conv1.params"]["expected"] == "34,944"
    assert "(11·11·3 + 1)·96 = 34,944" in marks["conv1.params"]["working"]
    # pool2: (27 - 3)/2 + 1 = 13 and pooling keeps conv2's 256 channels
    assert marks["pool2.output_shape"]["expected"] == "13x13x256"
    assert "(27 − 3 + 2·0)/2 + 1 = 13" in marks["pool2.output_shape"]["working"]
    # RF: conv1 11 (jump 4), pool1 11 + 2*4 = 19 (jump 8), conv2 19 + 4*8 = 51, pool2 51 + 2*8 = 67
    # (jump 16), conv3 67 + 2*16 = 99
    assert marks["conv3.receptive_field"]["expected"] == "99"
    assert "67 + (3 − 1)·16 = 99" in marks["conv3.receptive_field"]["working"]
    # 55*55*96 outputs x 11*11*3 = 105,415,200
    assert marks["conv1.macs"]["right"] is True
    # (9216 + 1)*4096 = 37,752,832
    assert marks["fc6.params"]["expected"] == "37,752,832"


def test_no_bias_convention_reproduces_weight_only_slides(run_cli):
    result = run_cli("grade", str(FIXTURES / "class" / "dan_wrong.yaml"), "--key", str(KEY), "--no-bias", "-f", "json")
    marks = {m["item"]: m["right"] for m in json.loads(result.output)["sheets"][0]["marks"]}
    # weights only: 11*11*3*96 = 34,848; 3*3*256*384 = 884,736; 9216*4096 = 37,748,736
    assert marks["conv1.params"] and marks["conv3.params"] and marks["fc6.params"]


def test_rounded_wrong_shows_the_truth_at_the_students_precision(run_cli):
    result = run_cli("grade", str(FIXTURES / "class" / "cat_overrounded.yaml"), "--key", str(KEY))
    assert "36K" in result.output and "expected 34,944 (35K)" in result.output
    assert "expected 105,415,200 (105M)" in result.output


def test_units_switch_marks_si_megabytes(run_cli):
    sheet = str(FIXTURES / "class" / "kim_si_units.yaml")
    # conv1 output: 55*55*96 = 290,400 values x 4 B = 1,161,600 B: 1.16 MB (SI), 1.11 MiB
    iec = json.loads(run_cli("grade", sheet, "--key", str(KEY), "-f", "json").output)
    si = json.loads(run_cli("grade", sheet, "--key", str(KEY), "-f", "json", "--units", "si").output)
    assert [m["right"] for m in iec["sheets"][0]["marks"]] == [False, True]
    assert [m["right"] for m in si["sheets"][0]["marks"]] == [True, True]


# -- a class ------------------------------------------------------------------------------------

# The key's `questions:` (tests/fixtures/grade/alexnet_key.yaml) ask 9 items: conv1 shape/params/macs/memory,
# pool2 shape, conv3 params/RF, fc6 params, total params. Every sheet is marked out of those 9, whatever
# the others answer. The truths, from the key (the cs231n AlexNet, ungrouped, 227x227x3, with biases):
#   conv1: (227 - 11)/4 + 1 = 55 -> 55x55x96; (11*11*3 + 1)*96 = 34,944; 55*55*96 * 11*11*3 = 105,415,200 MACs;
#          55*55*96 = 290,400 values x 4 B = 1,161,600 B (1.11 MiB)
#   pool2: conv2 keeps 27x27 (5x5, pad 2) with 256 filters; (27 - 3)/2 + 1 = 13 -> 13x13x256
#   conv3: (3*3*256 + 1)*384 = 885,120; RF 11 -> 19 -> 51 -> 67 -> 99 (jumps 4, 8, 8, 16)
#   fc6:   (6*6*256 + 1)*4096 = 37,752,832;  total: 62,378,344 (34,944 + 614,656 + 885,120 + 1,327,488
#          + 884,992 + 37,752,832 + 16,781,312 + 4,097,000, the ungrouped AlexNet's published 62.4M)
# Each sheet's cells, worked out by hand against those truths (the sheets' comments say why), in the
# order of the questions; blank: not answered, ?: unreadable. f never appears without --carry-errors.
HAND_MARKS = {
    "Ada": "1 1 1 1 1 1 1 1 1",          # every answer exact
    "Ben": "1 1 1 1 1 1 1 1 1",          # 35K, 105M, 1.1 MB (1.11 MiB), 885K, 99x99, 37.8M, 62.4M all round right
    "Cat": "1 0 0 _ 1 _ _ 1 0",          # 36K is not 34.9K, 106M is not 105.4M, 60M is not 62.4M; 38M is 37.75M
    "Dan": "1 0 1 _ 0 0 0 0 0",          # no biases (34,848 ...), 13x13x96, RF 67, total 62,369,152
    "Eve": "0 1 _ _ 0 _ _ _ _",          # 96x55x55 read HxWxC is wrong
    "fay_broken_yaml": "_ _ _ _ _ _ _ _ _",
    "Gus": "1 1 _ _ _ ? _ _ 1",          # Conv1 is conv1; 'lots' is unreadable; conv6 is no layer (a problem, not a question)
    "Hal": "1 _ _ _ _ _ _ _ 1",          # 62M: 62.38M rounds to 62M
    "ivy_list": "_ _ _ _ _ _ _ _ _",
    "Jon": "_ 1 1 1 _ 1 1 _ 1",          # 290.4K values, 0.105G, 0.885M, "params" after a count
    "Kim": "1 _ _ 0 _ _ _ _ _",          # 1.16 MB is 1,216,348 B in MiB: +-5,243 misses 1,161,600
    "Lee": "1 _ _ _ _ _ _ _ 1",          # 'parms' is no item; pool2 is not a mapping
    "Mia": "1 1 1 1 1 1 1 1 1",          # and conv2, fc7 right but not asked: extra, not scored
    "Nat": "0 1 0 0 0 1 1 0 0",          # a 224 input's figures: see test_grade_carry.py for --carry-errors
}
QUESTIONS = ["conv1.output_shape", "conv1.params", "conv1.macs", "conv1.memory", "pool2.output_shape",
             "conv3.params", "conv3.receptive_field", "fc6.params", "total.params"]


def test_a_class_is_graded_into_the_expected_csv(run_cli, monkeypatch, golden):
    """The hand-worked marks above, then the whole CSV against expected_class.csv (a golden file:
    `python -m pytest tests/test_grade.py --update-golden` rewrites it once the marks hold)."""
    monkeypatch.chdir(FIXTURES)
    result = run_cli("grade", "class", "--key", "alexnet_key.yaml")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[3:12] == QUESTIONS
    cells = {row["student"]: " ".join(row[q] or "_" for q in QUESTIONS) for row in rows}
    assert cells == HAND_MARKS
    scores = {name: marks.split().count("1") for name, marks in HAND_MARKS.items()}
    assert {row["student"]: int(row["score"]) for row in rows} == scores
    assert all(row["out_of"] == "9" and row["key"] == "alexnet_key.yaml" for row in rows)
    by_name = {row["student"]: row for row in rows}
    assert "no layer or module 'conv6'" in by_name["Gus"]["problems"]
    assert by_name["Mia"]["extra"] == "conv2.params=1; fc7.params=1"
    assert "invalid YAML" in by_name["fay_broken_yaml"]["problems"]
    assert "2 of 14 sheets could not be marked" in result.stderr
    golden(FIXTURES / "expected_class.csv", result.stdout)


def test_a_class_csv_goes_to_a_file(run_cli, monkeypatch, tmp_path, golden):
    monkeypatch.chdir(FIXTURES)
    out = tmp_path / "marks.csv"
    result = run_cli("grade", "class", "--key", "alexnet_key.yaml", "-o", str(out))
    assert result.exit_code == 0
    golden(FIXTURES / "expected_class.csv", out.read_text())


def test_sheets_name_their_own_spec(run_cli):
    result = run_cli("grade", str(FIXTURES / "class" / "ada_right.yaml"))  # spec: ../alexnet_key.yaml
    assert result.exit_code == 0 and "score: 9/9" in result.output


def test_a_sheet_without_a_spec_cannot_be_marked(run_cli):
    """One line, exit 1 (it used to print 'score: 0/0' and exit 0)."""
    result = run_cli("grade", str(FIXTURES / "class" / "ben_rounded.yaml"))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("cnncalc: error: cannot mark the answer sheet: no answer key: the sheet names no spec")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [("no/such/dir",), ("{sheet}", "--tolerance", "lots"), ("{sheet}", "--key", "no_such_model")])
def test_usage_errors(run_cli, args):
    sheet = str(FIXTURES / "class" / "ada_right.yaml")
    result = run_cli("grade", *(a.format(sheet=sheet) for a in args))
    assert result.exit_code == 2 and "Traceback" not in result.output


# -- seed 004 -----------------------------------------------------------------------------------

def test_seed_004_alexnet_walkthrough_erratum_is_caught_with_the_working(run_cli):
    """Seed 004 writes Maxpool2 as 'floor((27-3)/2)+1 = 13x13x96' (docs/errata.md 004-16: an erratum,
    correct 13x13x256); every other shape of its walk-through is right (004-13..004-24)."""
    key = "alexnet_2012" if (ROOT / "specs" / "alexnet_2012.yaml").exists() else str(KEY)
    result = run_cli("grade", str(FIXTURES / "seed004_alexnet.yaml"), "--key", key, "-f", "json")
    assert result.exit_code == 0, result.output
    marks = json.loads(result.stdout)["sheets"][0]["marks"]
    wrong = [m for m in marks if m["right"] is not True]
    assert [m["item"] for m in wrong] == ["pool2.output_shape"]
    assert wrong[0]["answer"] == "13x13x96" and wrong[0]["expected"] == "13x13x256"
    assert wrong[0]["working"] == ("output size: (W − K + 2P)/S + 1 = (27 − 3 + 2·0)/2 + 1 = 13 "
                                   "-> 13x13x256 (pooling keeps the 256 channels)")
    assert len(marks) == 12


def test_a_folder_yields_its_sheets_whatever_the_suffix_case(run_cli, tmp_path):
    """.yaml, .yml and .YAML sheets are all graded (an upper-case suffix used to be skipped)."""
    sheet = (FIXTURES / "class" / "ada_right.yaml").read_text(encoding="utf-8")
    for name in ("a.yaml", "b.yml", "C.YAML", "notes.txt"):
        (tmp_path / name).write_text(sheet, encoding="utf-8")
    result = run_cli("grade", str(tmp_path), "--key", str(KEY))
    assert result.exit_code == 0, result.output
    assert [int(row["score"]) for row in csv.DictReader(io.StringIO(result.stdout))] == [9, 9, 9]
