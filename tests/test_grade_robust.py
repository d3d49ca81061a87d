"""`cnncalc grade`: one bad sheet never costs the class, and a single sheet that cannot be marked
says so in one line about a sheet (exit 1), never with a traceback or 'score: 0/0'."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cnncalc.grading.values import UnreadableValue, parse_count, parse_receptive_field

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "grade"
KEY = str(FIXTURES / "alexnet_key.yaml")
GOOD = "layers:\n  conv1: {params: 34944}\n"

# name -> (file bytes, what its row's problems must say)
BAD_SHEETS: dict[str, tuple[bytes, str]] = {
    "control": (b'student: "Eve\\e[31m\\rRed"\n' + GOOD.encode(), ""),  # marked: the name is only escaped
    "big_exponent": (b"layers:\n  conv1: {params: 1e400}\n", "'1e400' is out of range"),
    "many_digits": (b"layers:\n  conv1:\n    params: " + b"9" * 4000 + b"\n", "out of range"),
    "too_many_digits": (b"layers:\n  conv1:\n    params: " + b"9" * 5000 + b"\n", "5,000 digits"),
    "nan": (b"layers:\n  conv1: {params: .nan, macs: .inf}\n", "'nan' is not a number"),
    "surrogate": (b'student: "S\\ud800"\n' + GOOD.encode(), ""),
    "latin1": (b"student: Jos\xe9\n" + GOOD.encode(), "not a UTF-8 text file"),
    "nul": (b"student: N\x00l\n" + GOOD.encode(), "U+0000 is not allowed"),
    "raw_escape": (b"student: A\x1b[2J\n" + GOOD.encode(), "U+001B is not allowed"),
    "structure": (b"student: [a, b]\nspec: {x: 1}\nlayers:\n  conv1: {params: [1, [2]], output_shape: {a: 1}}\n"
                  b"  7: {params: 3}\ntotals: 5\n", "'student' must be one line of text"),
    "list_layers": (b"layers: [conv1, conv2]\n", "'layers' must map layer names"),
    "empty": (b"# nothing yet\n---\n", "the sheet is empty"),
}


@pytest.fixture
def bad_class(tmp_path: Path) -> Path:
    (tmp_path / "a_good.yaml").write_text("student: Good\n" + GOOD, encoding="utf-8")
    for name, (content, _) in BAD_SHEETS.items():
        (tmp_path / f"{name}.yaml").write_bytes(content)
    return tmp_path


def test_every_bad_sheet_is_its_own_row_and_the_class_csv_is_written(run_cli, bad_class):
    result = run_cli("grade", str(bad_class), "--key", KEY)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 1 + len(BAD_SHEETS)  # header, the good sheet, one line per bad sheet
    assert all(line.isprintable() for line in lines), "a control character from a sheet reached the CSV"
    rows = {Path(row["sheet"]).stem: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["a_good"]["score"] == "1" and rows["a_good"]["out_of"] == "9"
    for name, (_, reason) in BAD_SHEETS.items():
        assert reason in rows[name]["problems"], (name, rows[name]["problems"])
        assert rows[name]["out_of"] == "9"  # the key's questions, for every sheet
    assert rows["control"]["student"] == "Eve\\x1b[31m\\rRed" and rows["control"]["score"] == "1"
    assert rows["surrogate"]["student"] == "S\\ud800"
    assert rows["big_exponent"]["conv1.params"] == "?"  # an item that cannot be read, not a crash


def test_bad_values_are_unreadable_with_a_reason():
    """1e400 would overflow a float; 10**4000 has no float; NaN compares false with everything."""
    for raw, reason in [("1e400", "out of range"), (10**4000, "a number of 4,001 digits"), (float("nan"), "not a number"),
                        ("9" * 500, "500 characters"), ("1e99999999999", "out of range")]:
        with pytest.raises(UnreadableValue, match=reason):
            parse_count(raw)
    with pytest.raises(UnreadableValue):
        parse_receptive_field(10**4000)


def test_text_and_json_escape_or_keep_what_came_from_the_sheet(run_cli, tmp_path):
    sheet = tmp_path / "s.yaml"
    sheet.write_bytes(b'student: "Eve\\e[31m\\ud800"\n' + GOOD.encode())
    text = run_cli("grade", str(sheet), "--key", KEY)
    assert text.exit_code == 0 and "Eve\\x1b[31m\\ud800" in text.stdout
    assert all(line.isprintable() for line in text.stdout.splitlines())
    data = json.loads(run_cli("grade", str(sheet), "--key", KEY, "-f", "json").stdout)
    assert data["sheets"][0]["student"] == "Eve\x1b[31m\ud800"  # JSON escapes it itself: the value is kept


@pytest.mark.parametrize("name", ["latin1", "nul", "empty", "list_layers"])
def test_a_single_unreadable_sheet_exits_1_speaking_of_a_sheet(run_cli, bad_class, name):
    result = run_cli("grade", str(bad_class / f"{name}.yaml"), "--key", KEY)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("cnncalc: error: cannot mark the answer sheet: ")
    assert BAD_SHEETS[name][1] in result.stderr and "spec" not in result.stderr
    assert result.stderr.endswith("\n") and result.stderr[:-1].isprintable()  # one line, nothing raw


def test_a_sheet_with_no_answers_exits_1(run_cli, tmp_path):
    sheet = tmp_path / "blank.yaml"
    sheet.write_text("student: Zoe\n", encoding="utf-8")
    result = run_cli("grade", str(sheet), "--key", KEY)
    assert result.exit_code == 1 and "the answer sheet has no answers" in result.stderr
