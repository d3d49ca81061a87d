"""Numbers as people write them (docs/spec.md, "Numbers"): the YAML loader reads `0156` as 156 and
`{params: 61,706}` as one number, and budget:, expect:, --expect files and --max-... read every count
with one reader, which refuses what cannot be a count at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnncalc.errors import Location, SpecError
from cnncalc.grading.values import parse_count
from cnncalc.spec.yaml_loader import load_yaml_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"
WRITTEN = FIXTURES / "numbers_as_written.yaml"


# -- the YAML loader ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("{params: 61,706, macs: 417,000}", {"params": "61,706", "macs": "417,000"}),
    ("{a: 1,234,567, b: 2}", {"a": "1,234,567", "b": 2}),
    ("{a: 61,706 }", {"a": "61,706"}),
    ("{a: 61,706,}", {"a": "61,706"}),
    ("{a: 61,706  # a comment\n}", {"a": "61,706"}),
    ("{output_shape: 128,128,256}", {"output_shape": "128,128,256"}),  # a shape reader still sees 3 sizes
    ("layers: {conv1: {params: 34,944}}", {"layers": {"conv1": {"params": "34,944"}}}),
    # what is not joined: a space after the comma, a group that is not 3 digits, a first group of 4,
    # a quoted or anchored part, a group that is a key with a value
    ("{a: 61, 706}", {"a": 61, "706": None}),
    ("{a: 61 ,706}", {"a": 61, "706": None}),
    ("{a: 61,7060}", {"a": 61, "7060": None}),
    ("{a: 6100,706}", {"a": 6100, "706": None}),
    ("{a: 61,'706'}", {"a": 61, "706": None}),
    ("{a: &n 61,706}", {"a": 61, "706": None}),
    ("{a: 61,706: , b: 1}", {"a": 61, "706": None, "b": 1}),
])
def test_thousands_commas_in_flow_mappings_read_as_block_style_does(text, expected):
    assert load_yaml_text(text, "sheet.yaml") == expected


@pytest.mark.parametrize("text, expected", [
    ("[3, 224, 224]", [3, 224, 224]), ("[1,2,3]", [1, 2, 3]), ("[224,224,3]", [224, 224, 3]),
    ("[61,706]", [61, 706]), ("{input: [224,224,224]}", {"input": [224, 224, 224]}),
])
def test_lists_are_never_joined(text, expected):
    assert load_yaml_text(text, "spec.yaml") == expected


def test_joined_numbers_keep_their_positions():
    data = load_yaml_text("totals:\n  {params: 61,706, macs: 417,000}\n", "sheet.yaml")
    totals = data["totals"]
    # 'params' starts at column 4 of line 2, 'macs' at column 20 (counted by hand)
    assert totals.where("params") == Location("sheet.yaml", 2, 4)
    assert totals.where("macs") == Location("sheet.yaml", 2, 20)
    assert parse_count(totals["params"]).value == 61_706 and parse_count(totals["params"]).half_step == 0
    assert parse_count(totals["macs"]).value == 417_000


def test_a_flow_comma_number_reads_as_its_block_style_twin():
    flow = load_yaml_text("{params: 61,706}", "a.yaml")["params"]
    block = load_yaml_text("params: 61,706", "b.yaml")["params"]
    assert flow == block == "61,706"


@pytest.mark.parametrize("written, value", [
    ("0156", 156),   # YAML 1.1: octal 110
    ("-0156", -156),
    ("0158", 158),
    ("007", 7),
    ("0", 0),
    ("1_000", 1000),
    ("0x1F", 31),    # explicit prefixes keep their base
    ("0o17", 15),
    ("0b101", 5),
    ("1:30", "1:30"),  # YAML 1.1: base 60, 90
    ("'0156'", "0156"),
    ("1.5", 1.5),
])
def test_leading_zeros_are_decimal_and_prefixes_say_the_base(written, value):
    assert load_yaml_text(f"a: {written}", "spec.yaml")["a"] == value


def test_a_leading_zero_option_in_a_spec_is_decimal():
    from cnncalc.loading import load_text

    # 064 filters of 3x3 over 3 channels make 6x6x64 of an 8x8x3 input (octal 064 would be 52 filters)
    model = load_text("input: [3, 8, 8]\nlayers:\n  - {conv: 064, kernel: 3}\n")
    assert model.graph.nodes[-1].shape == (64, 6, 6)


def test_a_number_too_long_for_python_is_a_located_error():
    with pytest.raises(SpecError) as error:
        load_yaml_text("totals:\n  params: " + "9" * 5000 + "\n", "sheet.yaml")
    assert error.value.location == Location("sheet.yaml", 2, 11)
    assert "5,000 digits" in str(error.value) and len(str(error.value)) < 200


# -- check: budget:, expect:, --expect and --max-... --------------------------------------------

def test_numbers_as_written_pass_their_own_check(run_cli):
    result = run_cli("check", str(WRITTEN))
    assert result.exit_code == 0, result.output
    assert "41,418 params" in result.output


# Each figure of the fixture made one smaller (or larger for an expectation): that check alone fails,
# at that key, with the hand-worked figure of the fixture's comment.
@pytest.mark.parametrize("written, changed, line, column, message", [
    ("max_params: 41,418", "max_params: 41,417", 9, 10, "params 41,418 (41.4K) exceed max_params 41,417"),
    ("max_macs: 483,328", "max_macs: 483,327", 9, 30, "MACs per image 483,328 (483K) exceed max_macs 483,327"),
    # batch 010 is ten: the limit one byte below ten images' 942,480 B fails (at octal's eight it would pass)
    ("max_activation_memory: 942,480", "max_activation_memory: 942,479", 9, 49,
     "activation memory at batch 10, fp32 942,480 B"),
    ("  params: 41,418", "  params: 41,419", 11, 3, "expected total params 41,419, but it is 41,418"),
    ("conv1: {params: 448, macs: 442,368}", "conv1: {params: 448, macs: 442,369}", 14, 26,
     "layer 'conv1': expected macs 442,369, but it is 442,368"),
    ("fc: {params: 40,970,", "fc: {params: 40,971,", 15, 10, "layer 'fc': expected params 40,971, but it is 40,970"),
])
def test_each_written_number_is_read_whole(run_cli, tmp_path, written, changed, line, column, message):
    text = WRITTEN.read_text()
    assert text.count(written) == 1
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace(written, changed))
    result = run_cli("check", str(spec))
    assert result.exit_code == 1
    errors = [row for row in result.output.splitlines() if ": error: " in row]
    assert len(errors) == 1 and errors[0].startswith(f"{spec}:{line}:{column}: error: "), result.output
    assert message in errors[0]


def test_block_style_commas_are_read_too(run_cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(WRITTEN.read_text().replace(
        "budget: {max_params: 41,418, max_macs: 483,328, max_activation_memory: 942,480, batch: 010}",
        "budget:\n  max_params: 41,417\n  batch: 1,000\n  max_activation_memory: 94,248,000"))
    result = run_cli("check", str(spec))
    # 23,562 values * 4 B * 1,000 images = 94,248,000 B: exactly the limit, so only the params fail
    assert result.exit_code == 1 and result.output.count(": error: ") == 1
    assert f"{spec}:10:3: error: over budget: params 41,418 (41.4K) exceed max_params 41,417" in result.output


def test_expect_file_reads_flow_commas(run_cli, tmp_path):
    spec = str(FIXTURES / "within_budget.yaml")  # 41,418 params and 483,328 MACs, as numbers_as_written.yaml
    expect = tmp_path / "expect.yaml"
    expect.write_text("{params: 41,418, macs: 483,328}\n")
    assert run_cli("check", spec, "--expect", str(expect)).exit_code == 0
    expect.write_text("{params: 41,418, macs: 483,329}\n")
    result = run_cli("check", spec, "--expect", str(expect))
    assert result.exit_code == 1
    assert f"{expect}:1:18: error: expected total macs 483,329, but it is 483,328" in result.output


BAD = {
    ".nan": "not a number",
    ".inf": "out of range",
    "1e400": "out of range",
    "1.0e+400": "out of range",
    "9" * 4000: "a number of 4,000 digits",
    "-5": "negative",
    "'-5'": "negative",
}


@pytest.mark.parametrize("key", ["max_params", "max_activation_memory", "batch"])
@pytest.mark.parametrize("bad", sorted(BAD))
def test_a_budget_that_cannot_be_a_count_is_one_located_line(run_cli, tmp_path, key, bad):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"input: [3, 32, 32]\nbudget:\n  {key}: {bad}\nlayers:\n  - {{conv: 16, kernel: 3}}\n")
    result = run_cli("check", str(spec))
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [row for row in result.output.splitlines() if ": error: " in row]
    assert len(errors) == 1 and errors[0].startswith(f"{spec}:3:3: error: budget: {key}: "), result.output
    # a memory limit that is not a count of bytes is refused as a memory size
    assert (BAD[bad] if key != "max_activation_memory" else "as a memory size") in errors[0]
    assert len(errors[0]) < 300


@pytest.mark.parametrize("bad", sorted(BAD))
def test_an_expectation_that_cannot_be_a_count_is_one_located_line(run_cli, tmp_path, bad):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"input: [3, 32, 32]\nexpect:\n  layers:\n    conv1: {{params: {bad}}}\n"
                    "layers:\n  - {conv: 16, kernel: 3, name: conv1}\n")
    result = run_cli("check", str(spec))
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [row for row in result.output.splitlines() if ": error: " in row]
    assert len(errors) == 1 and errors[0].startswith(f"{spec}:4:13: error: expect: conv1.params: "), result.output
    assert BAD[bad] in errors[0] and len(errors[0]) < 300


@pytest.mark.parametrize("option, message", [
    ("--max-params=1e400", "out of range"), ("--max-params=nan", "cannot read 'nan'"),
    ("--max-params=-5", "negative"), ("--max-macs=" + "9" * 4000, "out of range"),
])
def test_max_options_that_cannot_be_counts_are_usage_errors(run_cli, option, message):
    result = run_cli("check", str(WRITTEN), option)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_max_options_read_commas_and_multipliers(run_cli):
    assert run_cli("check", str(WRITTEN), "--max-params", "41,418", "--max-macs", "483,328").exit_code == 0
    over = run_cli("check", str(WRITTEN), "--max-params", "41,417")
    assert over.exit_code == 1 and "params 41,418 (41.4K) exceed max_params 41,417 (41.4K) (--max-params)" in over.output
    assert run_cli("check", str(WRITTEN), "--max-params", "41.4K").exit_code == 1  # 41,400
