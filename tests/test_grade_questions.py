"""`cnncalc grade`: the key decides what is asked. Each sheet is marked out of the key's questions
(its `questions:` list, or `--questions FILE`), never out of what other sheets answered; answers to
anything else are extra, not scored; the class CSV names the key that marked each sheet."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "grade"
CLASS = FIXTURES / "class"
KEY = FIXTURES / "alexnet_key.yaml"


def _rows(result) -> dict[str, dict[str, str]]:
    assert result.exit_code == 0, result.output
    return {row["student"]: row for row in csv.DictReader(io.StringIO(result.stdout))}


@pytest.fixture
def bare_key(tmp_path: Path) -> Path:
    """The class key without its `questions:` list."""
    text = KEY.read_text(encoding="utf-8")
    path = tmp_path / "bare_key.yaml"
    path.write_text(text[: text.index("\nquestions:") + 1], encoding="utf-8")
    return path


def test_a_sheets_mark_does_not_depend_on_the_other_sheets(run_cli):
    """Mia answers 2 items nobody asked (conv2, fc7): Ada is still out of the key's 9 (the old grader
    counted the union of every answer, 11, and lowered everyone's mark)."""
    alone = _rows(run_cli("grade", str(CLASS / "ada_right.yaml"), "--key", str(KEY), "-f", "csv"))
    together = _rows(run_cli("grade", str(CLASS / "ada_right.yaml"), str(CLASS / "mia_extra.yaml"), "--key", str(KEY)))
    assert alone["Ada"]["out_of"] == together["Ada"]["out_of"] == together["Mia"]["out_of"] == "9"
    assert together["Mia"]["score"] == "9" and together["Mia"]["extra"] == "conv2.params=1; fc7.params=1"
    assert "conv2.params" not in together["Mia"]  # not a column: not a question


def test_without_a_questions_list_each_sheet_is_out_of_what_it_answered(run_cli, bare_key):
    result = run_cli("grade", str(CLASS / "ada_right.yaml"), str(CLASS / "mia_extra.yaml"), str(CLASS / "hal_partial.yaml"),
                     "--key", str(bare_key))
    rows = _rows(result)
    # Ada 9 answers, Mia 11 (all right), Hal 2 (55x55x96 right, 62M right)
    assert {name: (row["score"], row["out_of"]) for name, row in rows.items()} == {
        "Ada": ("9", "9"), "Mia": ("11", "11"), "Hal": ("2", "2")}
    assert "the key has no questions list: each sheet is marked out of the items it answered" in result.stderr
    text = run_cli("grade", str(CLASS / "hal_partial.yaml"), "--key", str(bare_key))
    assert "score: 2/2 (out of the items answered: the key has no questions list)" in text.stdout


def test_a_template_sheet_gives_the_questions(run_cli, tmp_path):
    """--questions: the template's items are asked, its values ignored. Hand-marked:
    Dan: 34,848 (no biases), 13x13x96, 62,369,152 -> 0/3; Cat: 36K, 13x13x256, 60M -> 1/3;
    Mia: all three right, and her 8 other answers extra."""
    template = tmp_path / "questions.yaml"
    template.write_text("layers:\n  conv1: {params: ~}\n  pool2: {output_shape: ~}\ntotals: {params: ~}\n")
    result = run_cli("grade", str(CLASS), "--key", str(KEY), "--questions", str(template))
    rows = _rows(result)
    assert list(next(iter(rows.values())))[3:6] == ["conv1.params", "pool2.output_shape", "total.params"]
    assert (rows["Dan"]["score"], rows["Cat"]["score"], rows["Mia"]["score"]) == ("0", "1", "3")
    assert all(row["out_of"] == "3" for row in rows.values())
    assert rows["Mia"]["extra"].count("=1") == 8


def test_json_says_what_a_sheet_is_out_of(run_cli):
    data = json.loads(run_cli("grade", str(CLASS / "hal_partial.yaml"), "--key", str(KEY), "-f", "json").stdout)
    sheet = data["sheets"][0]
    assert (sheet["score"], sheet["out_of"], sheet["answered"], sheet["questions"]) == (2, 9, 2, "key")
    assert sheet["unanswered"] == ["conv1.params", "conv1.macs", "conv1.memory", "pool2.output_shape",
                                   "conv3.params", "conv3.receptive_field", "fc6.params"]
    assert sheet["key_spec"].endswith("alexnet_key.yaml") and sheet["key"] == "AlexNet (cs231n, ungrouped)"


def test_the_class_csv_names_each_sheets_key(run_cli):
    """Without --key a single sheet is marked against its own `spec:`, and the CSV says so."""
    rows = _rows(run_cli("grade", str(CLASS / "ada_right.yaml"), "-f", "csv"))  # spec: ../alexnet_key.yaml
    assert rows["Ada"]["key"] == str(CLASS / ".." / "alexnet_key.yaml") and rows["Ada"]["score"] == "9"


@pytest.mark.parametrize("sheets", [[str(CLASS)], [str(CLASS / "ada_right.yaml"), str(CLASS / "mia_extra.yaml")]])
def test_a_class_needs_one_key(run_cli, sheets):
    result = run_cli("grade", *sheets)
    assert result.exit_code == 2 and result.stdout == ""
    assert "a class (a folder or several sheets) is graded against one key: add --key SPEC" in result.stderr


@pytest.mark.parametrize("questions, error", [
    ("[conv1.params, conv9.params]", "questions: no layer or module 'conv9'"),
    ("[conv1.params, conv1.parms]", "questions: unknown item 'parms'; did you mean 'params'?"),
    ("[conv1.params, Conv1.params]", "questions: 'conv1.params' is asked twice"),
    ("conv1.params", "'questions' must be a list"),
    ("[conv1]", "questions: 'conv1' is not layer.item"),
])
def test_a_bad_questions_list_is_the_teachers_error(run_cli, tmp_path, questions, error):
    key = tmp_path / "key.yaml"
    text = KEY.read_text(encoding="utf-8")
    key.write_text(text[: text.index("\nquestions:") + 1] + f"questions: {questions}\n", encoding="utf-8")
    line = text[: text.index("\nquestions:") + 1].count("\n") + 1
    result = run_cli("grade", str(CLASS / "ada_right.yaml"), "--key", str(key))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"cnncalc: error: {key}:{line}:") and error in result.stderr


def test_a_spec_with_questions_is_still_a_spec(run_cli, tmp_path):
    shutil.copy(KEY, tmp_path / "key.yaml")
    assert run_cli("summary", str(tmp_path / "key.yaml")).exit_code == 0
    assert run_cli("check", str(tmp_path / "key.yaml")).exit_code == 0


def test_module_questions_are_columns_after_their_layers(run_cli, tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text("input: [3, 8, 8]\nlayers:\n  - {conv: 4, kernel: 3, name: c1}\n"
                   "  - block: [{conv: 4, kernel: 1, name: a}, {conv: 4, kernel: 1, name: b}]\n    name: stage\n"
                   "  - {conv: 2, kernel: 1, name: c2}\n"
                   "questions: [total.params, c2.params, stage.params, c1.params, stage/a.params]\n")
    sheet = tmp_path / "s.yaml"
    # c1: (3*3*3 + 1)*4 = 112; a, b: (4 + 1)*4 = 20 each, stage 40; c2: (4 + 1)*2 = 10; total 162
    sheet.write_text("layers: {c1: {params: 112}, stage: {params: 40}, c2: {params: 10}}\ntotals: {params: 162}\n")
    rows = _rows(run_cli("grade", str(sheet), str(sheet), "--key", str(key)))
    assert list(rows["s"])[3:8] == ["total.params", "c2.params", "stage.params", "c1.params", "stage/a.params"]
    assert rows["s"]["score"] == "4" and rows["s"]["out_of"] == "5"


def test_a_question_answered_twice_is_marked_once(run_cli, tmp_path):
    """Conv1 and conv1 are one question: the first answer (34,944, right) is marked, the second
    (34,848, wrong) is a problem, and the sheet is still out of the key's 9."""
    sheet = tmp_path / "twice.yaml"
    sheet.write_text("layers:\n  conv1: {params: 34944}\n  Conv1: {params: 34848}\n", encoding="utf-8")
    rows = _rows(run_cli("grade", str(sheet), str(sheet), "--key", str(KEY)))
    assert (rows["twice"]["conv1.params"], rows["twice"]["score"], rows["twice"]["out_of"]) == ("1", "1", "9")
    assert "conv1.params: answered twice (line 3); the first answer is marked" in rows["twice"]["problems"]
