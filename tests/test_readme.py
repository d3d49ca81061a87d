"""The README's examples are executed: what it shows is what cnncalc prints today.

Every fenced block whose first line is `$ cnncalc ...` is run (from the repository root, at the
terminal width an `<!-- columns: N -->` comment before the block gives, 120 by default, no colour)
and its output must match the block line by line; a line `...` stands for any number of lines, and
`...` within a line for any text (a time).
Commands in `sh` blocks that carry a `# result` comment must print every figure the comment names.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"(?:<!-- columns: (\d+) -->\n)?```(\w*)\n(.*?)```", re.S)
DEFAULT_COLUMNS = 120


def _blocks() -> list[tuple[str, int, str, str]]:
    """(language, columns, body, first line) of every fenced block."""
    return [(lang, int(cols or DEFAULT_COLUMNS), body, body.split("\n", 1)[0])
            for cols, lang, body in FENCE.findall(README)]


def _sessions() -> list[tuple[int, str, list[str]]]:
    """(columns, command, expected lines) for every block that starts with `$ cnncalc`."""
    sessions = []
    for _, columns, body, first in _blocks():
        if not first.startswith("$ cnncalc "):
            continue
        lines = body.rstrip("\n").split("\n")
        command = lines.pop(0)[2:]
        while command.endswith("\\"):
            command = command[:-1] + lines.pop(0).strip()
        sessions.append((columns, command, lines))
    return sessions


def _commented_commands() -> list[tuple[str, list[str]]]:
    """`cnncalc ...  # 55x55x96, 34,944 params` lines of sh blocks: the command and the figures it promises."""
    found = []
    for lang, _, body, _ in _blocks():
        if lang != "sh":
            continue
        for line in body.splitlines():
            command, _, comment = line.partition("  # ")
            figures = re.findall(r"\d[\d,]*(?:x\d+)*", comment)
            if command.startswith("cnncalc ") and figures:
                found.append((command.strip(), figures))
    return found


def _run(command: str, columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command)
    assert argv[0] == "cnncalc"
    result = CliRunner().invoke(app, argv[1:], env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    return result.output


def _matches(expected: list[str], actual: list[str]) -> bool:
    pattern = "".join("(?:.*\n)*?" if line == "..." else ".*?".join(map(re.escape, line.rstrip().split("..."))) + "\n"
                      for line in expected)
    return re.fullmatch(pattern, "".join(line.rstrip() + "\n" for line in actual)) is not None


def test_the_readme_has_examples_to_run():
    assert len(_sessions()) >= 8
    assert len(_commented_commands()) >= 4


@pytest.mark.parametrize("columns, command, expected", _sessions(), ids=[c for _, c, _ in _sessions()])
def test_readme_session(columns, command, expected, monkeypatch):
    output = _run(command, columns, monkeypatch)
    actual = output.rstrip("\n").split("\n")
    assert _matches(expected, actual), f"README's `{command}` no longer prints what it shows; today:\n{output}"


@pytest.mark.parametrize("command, figures", _commented_commands(), ids=[c for c, _ in _commented_commands()])
def test_readme_commented_command(command, figures, monkeypatch):
    output = _run(command, DEFAULT_COLUMNS, monkeypatch)
    missing = [figure for figure in figures if figure not in output]
    assert not missing, f"`{command}` does not print {missing}; today:\n{output}"


def test_ci_runs_the_readme_install_and_test_commands():
    """The quick start's two commands are what CI runs (the first without its demo summary)."""
    quick_start = next(body for lang, _, body, _ in _blocks() if lang == "sh" and "pip install" in body)
    install_and_demo, test = quick_start.strip().splitlines()
    install = install_and_demo.split(" && ")[0]
    assert f"{install} && {test}" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_plot_ids_are_as_the_readme_says(tmp_path, monkeypatch):
    """`bar-macs-1-11` is VGG-16's conv4_1: half the MACs of conv4_2 (`bar-macs-1-12`), both 28x28x512
    outputs of 3x3 convs, on 256 and 512 input channels."""
    pytest.importorskip("matplotlib")
    import xml.etree.ElementTree as ET

    assert "`bar-macs-1-11` is VGG-16's `conv4_1`" in README
    svg = tmp_path / "f.svg"
    _run(f"cnncalc compare alexnet vgg16 --plot {svg}", DEFAULT_COLUMNS, monkeypatch)
    heights = {}
    for element in ET.parse(svg).iter():
        if element.get("id") in ("bar-macs-1-11", "bar-macs-1-12"):
            path = next(child for child in element.iter() if child.get("d"))
            ys = [float(y) for y in re.findall(r"[\d.]+ ([\d.]+)", path.get("d"))]
            heights[element.get("id")] = max(ys) - min(ys)
    conv4_1, conv4_2 = 28 * 28 * 512 * 3 * 3 * 256, 28 * 28 * 512 * 3 * 3 * 512
    assert heights["bar-macs-1-11"] / heights["bar-macs-1-12"] == pytest.approx(conv4_1 / conv4_2, rel=1e-4)


def test_the_readme_zoo_table_is_the_zoo():
    """The README's zoo table lists every zoo spec with the figures cnncalc computes for it (the
    figures themselves are held against torchvision and the papers in tests/test_zoo_*.py)."""
    from cnncalc.analysis import analyze
    from cnncalc.spec import load_graph
    from cnncalc.zoo import zoo_names

    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([\d,]+) \| ([\d,]+) \|", README, re.M)
    assert sorted(name for name, _, _ in rows) == sorted(zoo_names())
    ending_in_softmax = []
    for name, params, macs in rows:
        analysis = analyze(load_graph(name))
        assert (f"{analysis.totals.params:,}", f"{analysis.totals.macs:,}") == (params, macs), name
        if analysis.layers[-1].type == "softmax":
            ending_in_softmax.append(name)
    assert ending_in_softmax == ["googlenet"]
    assert "except `googlenet`, which ends in the\nsoftmax" in README
