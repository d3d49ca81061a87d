"""Shared helpers for the tests: run the CLI in-process and compile spec text."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cnncalc.analysis import analyze
from cnncalc.cli import app
from cnncalc.conventions import Conventions
from cnncalc.spec import load_graph, load_graph_text


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
