"""Bad input: each case gets one located line on stderr and the right exit code, never a traceback."""

from __future__ import annotations

import pytest

DEEP = "input: [3, 8, 8]\nlayers: " + "[" * 100 + "]" * 100 + "\n"
BOMB = "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9) if prev else ', '.join(['1'] * 9)}]\n"
    for prev, name in zip([None, "a", "b", "c", "d", "e", "f"], "abcdefg", strict=True)
) + "input: [3, 8, 8]\nlayers: [*g]\n"

INCEPTION = """
input: [192, 28, 28]
modules:
  inception:
    args: [c1, c3r, c3, c5r, c5, pp]
    concat:
      - [{conv: $c1, kernel: 1}]
      - [{conv: $c3r, kernel: 1}, {conv: $c3, kernel: 3, padding: 1}]
      - [{conv: $c5r, kernel: 1}, {conv: $c5, kernel: 5, padding: 2}]
      - [{maxpool: {kernel: 3, stride: 1, padding: 1}}, {conv: $pp, kernel: 1}]
layers:
"""

# (id, spec text, expected line:column, a fragment of the message)
SPEC_CASES = [
    ("empty", "", "1:1", "the file is empty"),
    ("list at top", "- conv\n- relu\n", "1:1", "a spec must be a mapping"),
    ("scalar at top", "just words\n", "1:1", "a spec must be a mapping"),
    ("missing input", "layers: [relu]\n", "1:1", "missing 'input'"),
    ("input wrong type", "input: [3, a, 3]\nlayers: [relu]\n", "1:1", "'input' must be [channels, height, width]"),
    ("input zero", "input: [3, 0, 224]\nlayers: [relu]\n", "1:1", "between 1 and 1,000,000"),
    ("no layers", "input: [3, 8, 8]\n", "1:1", "'layers' must be a non-empty list"),
    ("top-level typo", "input: [3, 8, 8]\nlayer: [relu]\n", "2:1", "unknown top-level key 'layer'; did you mean 'layers'?"),
    ("unknown op", "input: [3, 8, 8]\nlayers:\n  - {convv: 8, kernel: 3}\n", "3:6", "unknown op 'convv'; did you mean 'conv'?"),
    ("unknown option", "input: [3, 8, 8]\nlayers:\n  - {conv: 8, kernal: 3}\n", "3:15", "unknown key 'kernal'; did you mean 'kernel'?"),
    ("negative filters", "input: [3, 8, 8]\nlayers:\n  - {conv: {filters: -3, kernel: 3}}\n", "3:13", "filters: Input should be greater than 0 (got -3)"),
    ("string filters", "input: [3, 8, 8]\nlayers:\n  - {conv: '64', kernel: 3}\n", "3:6", "filters: Input should be a valid integer"),
    ("missing kernel", "input: [3, 8, 8]\nlayers:\n  - {conv: 8}\n", "3:5", "conv: missing 'kernel'"),
    ("kernel larger than input", "input: [3, 8, 8]\nlayers:\n  - {conv: 16, kernel: 11}\n", "3:5", "kernel 11x11 (extent 11) is larger than its padded input 8"),
    ("groups do not divide", "input: [3, 8, 8]\nlayers:\n  - {conv: 16, kernel: 3, groups: 2}\n", "3:5", "input channels 3 are not divisible by groups=2"),
    ("enormous repeat", "input: [3, 8, 8]\nlayers:\n  - {repeat: 100000000, layers: [relu]}\n", "3:6", "repeat must be a whole number from 1 to 1000"),
    ("nested repeats too big", "input: [3, 8, 8]\nlayers:\n  - repeat: 1000\n    layers:\n      - {repeat: 1000, layers: [relu]}\n", "5:33", "grows past 100,000 layers"),
    ("alias bomb", BOMB, "1:1", "YAML aliases expand to more than 200,000 nodes"),
    ("deep nesting", DEEP, "2:", "nesting deeper than 64 levels"),
    ("invalid yaml", "input: [3, 8, 8]\nlayers: [\n  {conv: {filters: -3}}\n", "4:1", "invalid YAML"),
    ("duplicate key", "input: [3, 8, 8]\ninput: [3, 9, 9]\nlayers: [relu]\n", "2:1", "duplicate key 'input'"),
    ("dense on an image", "input: [3, 8, 8]\nlayers:\n  - {dense: 10}\n", "3:5", "add '- flatten' before it"),
    ("two ops in one entry", "input: [3, 8, 8]\nlayers:\n  - {conv: 8, relu: null, kernel: 3}\n", "3:5", "one layer entry names two ops"),
    ("bad padding word", "input: [3, 8, 8]\nlayers:\n  - {conv: 8, kernel: 3, padding: full}\n", "3:26", "'padding' must be a whole number"),
    ("unknown activation", "input: [3, 8, 8]\nlayers:\n  - {conv: 8, kernel: 3, activation: rellu}\n", "3:26", "unknown activation 'rellu'; did you mean 'relu'?"),
    ("module arity", INCEPTION + "  - {inception: [64, 96]}\n", "12:6", "needs argument 'c3'"),
    ("unknown $arg", INCEPTION.replace("$pp", "$p") + "  - {inception: [1, 1, 1, 1, 1, 1]}\n", "10:", "unknown argument '$p'"),
    ("$arg outside a module", "input: [3, 8, 8]\nlayers:\n  - {conv: $width, kernel: 3}\n", "3:6", "(got '$width'); $arguments only work inside modules"),
    ("from names nothing", "input: [3, 8, 8]\nlayers:\n  - {conv: 8, kernel: 3, name: a}\n  - {add: , from: [a, b]}\n", "4:13", "'from: b' names no layer"),
    ("cycle", "input: [3, 8, 8]\nlayers:\n  - {conv: 8, kernel: 1, name: a, from: b}\n  - {conv: 8, kernel: 1, name: b, from: a}\n", "3:", "comes later"),
    ("duplicate layer names", "input: [3, 8, 8]\nlayers:\n  - {conv: 8, kernel: 1, name: a}\n  - {conv: 8, kernel: 1, name: a}\n", "4:5", "two layers are named 'a'"),
    ("residual shapes differ", "input: [8, 8, 8]\nlayers:\n  - {residual: [{conv: 16, kernel: 1}], shortcut: identity, name: res}\n", "3:5", "shapes 8x8x16 (body) and 8x8x8 (shortcut) differ"),
    ("concat spatial sizes differ", "input: [3, 8, 8]\nlayers:\n  - {conv: 4, kernel: 1, name: a}\n  - {conv: 4, kernel: 3, name: b}\n  - {concat: , from: [a, b]}\n", "5:5", "spatial sizes 8x8x4 and 6x6x4 differ"),
    ("add shapes differ", "input: [3, 8, 8]\nlayers:\n  - {conv: 4, kernel: 1, name: a}\n  - {conv: 8, kernel: 1, name: b}\n  - {add: , from: [a, b]}\n", "5:5", "shapes 8x8x4 and 8x8x8 differ"),
]


@pytest.mark.parametrize("case_id, text, where, fragment", SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_bad_spec_gets_one_located_line(run_cli, tmp_path, case_id, text, where, fragment):
    spec = tmp_path / "net.yaml"
    spec.write_text(text)
    result = run_cli("summary", str(spec))
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"cnncalc: error: {spec}:{where}"), lines[0]
    assert fragment in lines[0]
    assert "Traceback" not in result.output + result.stderr


def test_binary_file_is_a_spec_error(run_cli, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_bytes(b"\xff\xfe\x00binary")
    result = run_cli("summary", str(spec))
    assert result.exit_code == 1
    assert "not a UTF-8 text file" in result.stderr


def test_a_directory_and_a_missing_file_are_both_usage_errors(run_cli, tmp_path):
    """Neither names a spec, so both are the command line's mistake: exit 2, one line, no traceback
    (a directory used to be a spec error, exit 1)."""
    for ref, fragment in ((str(tmp_path), "is a directory"), (str(tmp_path / "missing.yaml"), "no such file")):
        result = run_cli("summary", ref)
        assert result.exit_code == 2, (ref, result.stderr)
        assert fragment in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.output


USAGE_CASES = [
    (["summary", "vgg-16"], "did you mean 'vgg16'?"),
    (["summary", "no/such/file.yaml"], "no such file"),
    (["summary", "vgg16", "--batch", "0"], "--batch"),
    (["summary", "vgg16", "--input", "big"], "--input: cannot read 'big'"),
    (["summary", "vgg16", "--format", "xml"], "--format"),
]


@pytest.mark.parametrize("args, fragment", USAGE_CASES, ids=[" ".join(c[0]) for c in USAGE_CASES])
def test_bad_usage_exits_2(run_cli, args, fragment):
    result = run_cli(*args)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_strict_turns_dropped_pixels_into_an_error(run_cli, tmp_path):
    # AlexNet's classic trap: 11x11 stride 4 on 224 without padding: (224 - 11) = 213 = 4*53 + 1.
    spec = tmp_path / "net.yaml"
    spec.write_text("input: [3, 224, 224]\nlayers:\n  - {conv: 96, kernel: 11, stride: 4, name: conv1}\n")
    lenient = run_cli("summary", str(spec), "-f", "json")
    assert lenient.exit_code == 0
    assert "the last 1 row(s) and 1 column(s) of real pixels are never seen" in lenient.stderr
    strict = run_cli("summary", str(spec), "--strict")
    assert strict.exit_code == 1
    assert f"error: {spec}:3:5: layer 'conv1'" in strict.stderr   # located, as `check` locates it
