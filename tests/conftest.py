"""Shared helpers for the tests: run the CLI in-process, compile spec text, compare golden files.

`python -m pytest --update-golden` rewrites every file the `golden` fixture guards (tests/golden/,
the class CSV, the shipped JSON Schema, the shell completions) from today's output; review the
result with `git diff` before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.analysis import analyze
from cnncalc.cli import app
from cnncalc.conventions import Conventions
from cnncalc.spec import load_graph, load_graph_text

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite the golden files (tests/golden/, the class CSV, cnncalc/spec.schema.json, completions/) "
             "from today's output instead of comparing with them",
    )


class Golden:
    """`golden(name, text)`: assert that text equals the stored file; with --update-golden, write it first.

    name is a file in tests/golden/, or an absolute path (a fixture, the schema, a completion script).
    """

    def __init__(self, update: bool) -> None:
        self.update = update

    def __call__(self, name: str | Path, text: str) -> None:
        path = Path(name) if Path(name).is_absolute() else GOLDEN / name
        if self.update and (not path.exists() or path.read_text(encoding="utf-8") != text):
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"missing {path}: run `python -m pytest --update-golden` to create it"
        assert text == path.read_text(encoding="utf-8"), (
            f"{path.name} differs from today's output; if the change is intended, run "
            "`python -m pytest --update-golden` and review `git diff`")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-golden")))


@pytest.fixture
def run_cli():
    """Invoke `cnncalc ARGS...` in-process; returns click's Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(app, list(args), env={"COLUMNS": "160", "NO_COLOR": "1", **(env or {})})

    return invoke


def analyze_text(text: str, **conventions):
    return analyze(load_graph_text(text, "test.yaml"), Conventions(**conventions))


def analyze_zoo(name: str, **conventions):
    return analyze(load_graph(name), Conventions(**conventions))
