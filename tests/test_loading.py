"""One way in: `cnncalc.loading.load` resolves, reads and compiles a spec once, whatever the command,
and the result carries what `check` needs. Plus the small helpers it owns: sizes, folders, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cnncalc.spec.compile as compile_module
import cnncalc.spec.yaml_loader as yaml_loader
from cnncalc.errors import SpecError, UsageError
from cnncalc.loading import expand_folders, load, load_text
from cnncalc.sizes import SizeError, is_size, parse_size

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def compiles(monkeypatch) -> list[tuple[int, ...] | None]:
    """The input override of every compile, in order."""
    calls: list[tuple[int, ...] | None] = []
    real = compile_module.compile_spec

    def counting(spec, path, input_override=None):
        calls.append(input_override)
        return real(spec, path, input_override)

    monkeypatch.setattr(compile_module, "compile_spec", counting)
    return calls


def test_input_option_compiles_once_at_the_final_size(run_cli, compiles):
    """`--input 227` keeps the spec's 3 channels: read from the parsed YAML, not from a first compile."""
    result = run_cli("summary", "alexnet", "--input", "227", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert compiles == [(3, 227, 227)]
    assert json.loads(result.stdout)["input_shape"] == [3, 227, 227]


def test_run_with_an_input_file_compiles_once_at_the_arrays_shape(run_cli, compiles, tmp_path):
    """The 6x6 Sobel spec given an 8x5 matrix: compiled once, at 1x8x5 (not at 6x6 first)."""
    image = tmp_path / "image.csv"
    image.write_text("\n".join(",".join(str(10 * r + c) for c in range(5)) for r in range(8)) + "\n")
    result = run_cli("run", str(FIXTURES / "reference" / "sobel_horizontal.yaml"), "--input", str(image),
                     "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert compiles == [(1, 8, 5)]
    assert len(json.loads(result.stdout)["outputs"]["edges"][0][0]) == 6  # 8 - 3 + 1 rows


def test_check_reads_budget_and_expect_from_the_one_load(run_cli, monkeypatch):
    reads: list[str] = []
    real = yaml_loader.load_yaml_file
    monkeypatch.setattr(yaml_loader, "load_yaml_file", lambda path: reads.append(path) or real(path))
    result = run_cli("check", str(FIXTURES / "check" / "over_budget.yaml"))
    assert result.exit_code == 1 and "over budget" in result.stdout
    assert len(reads) == 1


def test_the_model_carries_its_budget_and_expect_sections_where_they_are_written():
    text = "input: [3, 8, 8]\nlayers: [{conv: 4, kernel: 3}]\nbudget:\n  max_params: 1K\nexpect:\n  params: 112\n"
    model = load_text(text, "net.yaml")
    assert model.path == "net.yaml" and model.graph.input_shape == (3, 8, 8)
    assert model.budget is not None and model.expect is not None
    assert model.budget.value == {"max_params": "1K"} and model.expect.value == {"params": 112}
    assert (model.budget.where.line, model.expect.where.line) == (3, 5)
    assert load_text("input: [4]\nlayers: [{dense: 2}]\n").budget is None


def test_a_zoo_model_is_shown_at_its_place_in_the_repository():
    assert load("vgg16").path == "specs/vgg16.yaml"


@pytest.mark.parametrize("size, shape", [("64", (3, 64, 64)), ("64x96", (3, 64, 96)), ("64×96×1", (1, 64, 96))])
def test_partial_input_sizes_keep_the_specs_channels(size, shape):
    assert load("vgg16", size).graph.input_shape == shape


def test_input_sizes_the_spec_cannot_take_are_usage_errors():
    with pytest.raises(UsageError, match="flat input"):
        load_text("input: [16]\nlayers: [{dense: 2}]\n", input_size="4x4")
    with pytest.raises(UsageError, match="cannot read 'big'"):
        load("vgg16", "big")


def test_a_spec_error_wins_over_an_unreadable_input_shape():
    with pytest.raises(SpecError, match="'input' must be"):
        load_text("input: seven\nlayers: [relu]\n", input_size="32")


@pytest.mark.parametrize("text, layout, like, shape", [
    ("227x227x3", "hwc", None, (3, 227, 227)), ("3×227×227", "chw", None, (3, 227, 227)),
    ("28X28", "hwc", None, (1, 28, 28)), ("4096", "hwc", None, (4096,)), (" 7,5 ", "hwc", (3, 9, 9), (3, 7, 5)),
    ("227", "hwc", (3, 224, 224), (3, 227, 227)), ("10", "hwc", (16,), (10,)),
])
def test_one_size_parser(text, layout, like, shape):
    assert is_size(text) and parse_size(text, layout, like) == shape


@pytest.mark.parametrize("text, problem", [("big", "unreadable"), ("3x", "unreadable"), ("-3", "unreadable"),
                                           ("1x2x3x4", "count"), ("0x5", "count"), ("1000001", "count")])
def test_sizes_refused_say_why(text, problem):
    with pytest.raises(SizeError) as error:
        parse_size(text)
    assert error.value.problem == problem


def test_folders_expand_to_yaml_files_in_any_case(tmp_path):
    for name in ("b.yml", "a.yaml", "C.YAML", "d.Yml", "notes.txt"):
        (tmp_path / name).write_text("x: 1\n")
    (tmp_path / "sub.yaml").mkdir()
    found = expand_folders([str(tmp_path), "vgg16"])
    assert [Path(p).name for p in found[:-1]] == ["C.YAML", "a.yaml", "b.yml", "d.Yml"] and found[-1] == "vgg16"
    with pytest.raises(UsageError, match="no answer sheets"):
        expand_folders([str(tmp_path / "sub.yaml")], "answer sheets")
