"""`cnncalc grade --carry-errors`: an answer wrong only because it is worked out right from the
student's own earlier wrong output shape "follows" (scored as right); anything else stays wrong."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "grade"
KEY = str(FIXTURES / "alexnet_key.yaml")
NAT = str(FIXTURES / "class" / "nat_carried.yaml")


def _marks(run_cli, sheet: str, *options: str) -> dict[str, dict]:
    result = run_cli("grade", sheet, "--key", KEY, "-f", "json", *options)
    assert result.exit_code == 0, result.output
    return {m["item"]: m for m in json.loads(result.stdout)["sheets"][0]["marks"]}


def test_a_224_input_carried_through_the_network(run_cli):
    """Nat's sheet (its comments work every figure out from conv1's 54x54x96): without the option 3/9,
    with it the four figures that follow from 54x54x96 count too: 7/9."""
    plain = run_cli("grade", NAT, "--key", KEY, "-f", "csv")
    carried = run_cli("grade", NAT, "--key", KEY, "-f", "csv", "--carry-errors")
    row = next(csv.DictReader(io.StringIO(plain.stdout)))
    assert (row["score"], row["conv1.macs"]) == ("3", "0")
    row = next(csv.DictReader(io.StringIO(carried.stdout)))
    cells = [row[q] for q in ("conv1.output_shape", "conv1.params", "conv1.macs", "conv1.memory", "pool2.output_shape",
                              "conv3.params", "conv3.receptive_field", "fc6.params", "total.params")]
    assert cells == ["0", "1", "f", "f", "f", "1", "1", "f", "0"] and row["score"] == "7"


def test_a_follow_on_says_from_what_with_the_students_numbers(run_cli):
    marks = _marks(run_cli, NAT, "--carry-errors")
    macs = marks["conv1.macs"]
    assert macs["right"] is False and macs["expected"] == "105,415,200"  # the truth is still shown
    assert macs["follows"] == ("follows from conv1.output_shape (54x54x96): MACs: Ho·Wo·F outputs × K·K·C = "
                               "54·54·96 × 11·11·3 = 101,616,768 MACs")
    # pool1 (not answered) is (54 - 3)/2 + 1 = 26 from the student's conv1, conv2 keeps 26, pool2:
    assert "⌊(26 − 3 + 2·0)/2⌋ + 1 = 12" in marks["pool2.output_shape"]["follows"]
    # fc6 follows from the student's pool2 through conv3-5, pool5 5x5x256 and flatten: 6,400 inputs
    assert marks["fc6.params"]["follows"].startswith("follows from pool2.output_shape (12x12x256): ")
    assert "(6400 + 1)·4096 = 26,218,496" in marks["fc6.params"]["follows"]
    assert marks["total.params"]["follows"] is None  # a total never follows


def test_only_exact_dependence_follows(run_cli, tmp_path):
    """conv1 written with 48 channels (half of AlexNet's 96, as on one GPU of the grouped original):
    conv2's params from 48 input channels, (5*5*48 + 1)*256 = 307,456, follow; conv1's own params do
    not depend on its output's channels (the filters are the spec's 96), so 17,472 = (11*11*3 + 1)*48
    is simply wrong; a figure that is neither the truth nor what follows stays wrong; a right answer
    stays right; conv2's shape 27x27x256, computed from 55x55x48 -> pool1 27x27x48, is the truth."""
    sheet = tmp_path / "half.yaml"
    sheet.write_text("layers:\n  conv1: {output_shape: 55x55x48, params: 17472, macs: 52707600}\n"
                     "  conv2: {params: 307456, output_shape: 27x27x256, macs: 200000000}\n")
    marks = _marks(run_cli, str(sheet), "--carry-errors")
    assert marks["conv2.params"]["follows"].startswith("follows from conv1.output_shape (55x55x48): ")
    assert marks["conv1.params"]["right"] is False and marks["conv1.params"]["follows"] is None
    # conv1 MACs from its own 55x55x48 output: 55*55*48 * 11*11*3 = 52,707,600
    assert marks["conv1.macs"]["follows"] is not None
    assert marks["conv2.macs"]["right"] is False and marks["conv2.macs"]["follows"] is None
    assert marks["conv2.output_shape"]["right"] is True and marks["conv2.output_shape"]["follows"] is None


def test_without_the_option_nothing_follows(run_cli):
    assert all(m["follows"] is None for m in _marks(run_cli, NAT).values())


def test_text_shows_follows(run_cli):
    result = run_cli("grade", NAT, "--key", KEY, "--carry-errors")
    assert "  follows conv1.macs" in result.stdout
    assert "score: 7/9 (4 follow from earlier answers)" in result.stdout
