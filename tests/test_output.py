"""One way out: every command writes through `cnncalc.render.output.Output`, names its format from the
one `Format` vocabulary, exits with an `ExitStatus`; `check`'s budgets and totals come from the metric
declarations; `zoo --format csv / markdown` are real CSV and Markdown tables."""

from __future__ import annotations

import ast
import csv
import importlib
import inspect
import io
import json
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cnncalc import metrics
from cnncalc.cli import app as cnncalc_app
from cnncalc.commands.common import takes_format
from cnncalc.errors import CnnCalcError, ExitStatus, SpecError, UsageError
from cnncalc.render.output import PIPE_WIDTH, Format, Output

PACKAGE = Path(__file__).resolve().parent.parent / "cnncalc"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# -- the Output object ----------------------------------------------------------------------------

def test_text_ends_in_exactly_one_newline():
    stdout = io.StringIO()
    out = Output(stdout=stdout)
    out.text("a,b\n1,2\n\n")
    out.text('{"ok": true}')
    assert stdout.getvalue() == 'a,b\n1,2\n{"ok": true}\n'


def test_notes_warnings_and_errors_go_to_stderr():
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(stdout=stdout, stderr=stderr)
    out.warn("layer 'conv1': stride 4x4 does not tile")
    out.error("net.yaml:3:5: unknown op")
    out.note("graded 3 sheet(s) into marks.csv")
    assert stdout.getvalue() == ""
    assert stderr.getvalue().splitlines() == [
        "cnncalc: warning: layer 'conv1': stride 4x4 does not tile",
        "cnncalc: error: net.yaml:3:5: unknown op",
        "cnncalc: graded 3 sheet(s) into marks.csv",
    ]


def test_a_pipe_gets_wide_plain_output_unless_columns_is_set(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    piped = Output(stdout=io.StringIO())
    assert not piped.is_tty() and piped.width() == PIPE_WIDTH == 160 and not piped.colour()
    console = piped.console()
    assert console.width == 160 and console.soft_wrap is False and piped.console() is console  # made once
    monkeypatch.setenv("COLUMNS", "80")
    assert Output(stdout=io.StringIO()).width() is None  # rich reads COLUMNS itself


def test_a_terminal_gets_colour_unless_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = Output(stdout=_Terminal())
    assert terminal.is_tty() and terminal.width() is None and terminal.colour()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.colour() and Output(stdout=_Terminal()).console().no_color


def test_show_draws_a_rich_renderable_on_the_output():
    from rich.table import Table

    stdout = io.StringIO()
    table = Table("Name")
    table.add_row("vgg16")
    Output(stdout=stdout).show(table)
    assert "Name" in stdout.getvalue() and "vgg16" in stdout.getvalue()
    assert "\x1b[" not in stdout.getvalue()  # no styles into a pipe


def test_output_and_the_cli_stay_light():
    """Importing the CLI and writing text load no rich (nor pydantic, numpy, yaml): `cnncalc --help` is fast."""
    code = ("import sys; import cnncalc.cli; from cnncalc.render.output import Output; Output().text('x'); "
            "heavy = [m for m in ('rich', 'pydantic', 'numpy', 'yaml') if m in sys.modules]; "
            "assert not heavy, heavy")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "x\n"


def _calls(path: Path) -> set[str]:
    """Dotted names a module calls or reads: typer.echo, sys.stdout.write, print, console ..."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.add(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(alias.name for alias in node.names)
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "commands").glob("*.py")), ids=lambda p: p.name)
def test_commands_write_only_through_output(path):
    """render/ is the only place that knows about terminals: no command prints, echoes, touches
    sys.stdout / sys.stderr or imports rich."""
    used = _calls(path)
    forbidden = {"print", "typer.echo", "sys.stdout", "sys.stderr", "console"}
    assert not used & forbidden, sorted(used & forbidden)
    assert not any(name == "rich" or name.startswith("rich.") for name in used), path.name


# -- one format vocabulary ------------------------------------------------------------------------

ACCEPTED = {  # each command's --format choices, in order; the human view first and the default
    "summary": ["table", "json", "csv", "markdown"],
    "calc": ["table", "json", "csv", "markdown"],
    "compare": ["table", "json", "csv", "markdown"],
    "explain": ["table", "json", "csv", "markdown"],
    "zoo": ["table", "json", "csv", "markdown"],
    "run": ["table", "json"],
    "check": ["text", "json", "github"],
    "grade": ["text", "json", "csv"],
}


@pytest.mark.parametrize("command", sorted(ACCEPTED))
def test_each_command_offers_its_subset_of_the_one_vocabulary(run_cli, command):
    help_text = run_cli(command, "--help").stdout
    choices = re.search(r"--format <([a-z|]+)>", help_text).group(1).split("|")
    assert choices == ACCEPTED[command]
    assert set(choices) <= {f.value for f in Format}
    assert not {"table", "text"} <= set(choices)  # the two human views never compete
    callback = next(c.callback for c in cnncalc_app.registered_commands if (c.name or c.callback.__name__) == command)
    declared = typing.get_type_hints(inspect.unwrap(callback))["format"]
    assert declared in (Format, Format | None)  # the command itself sees the one vocabulary


def test_takes_format_hands_the_command_the_vocabulary_member():
    seen = []

    @takes_format(Format.text, Format.json, help="text or json.")
    def probe(format: Format = Format.text) -> None:
        seen.append(format)

    app = typer.Typer()
    app.command()(probe)
    app.command("other")(lambda: None)  # two commands: `probe` is a subcommand, as in cnncalc
    runner = CliRunner()
    assert runner.invoke(app, ["probe", "-f", "json"]).exit_code == 0
    assert runner.invoke(app, ["probe"]).exit_code == 0
    assert seen == [Format.json, Format.text] and all(type(f) is Format for f in seen)
    refused = runner.invoke(app, ["probe", "--format", "table"])
    assert refused.exit_code == ExitStatus.USAGE
    assert "<text|json>" in runner.invoke(app, ["probe", "--help"]).stdout


def test_a_default_outside_the_accepted_formats_is_a_programming_error():
    with pytest.raises(ValueError, match="default format"):
        @takes_format(Format.text, Format.json)
        def probe(format: Format = Format.table) -> None:  # pragma: no cover
            pass


# -- one exit-status enum -------------------------------------------------------------------------

def test_exit_statuses():
    assert [int(s) for s in (ExitStatus.OK, ExitStatus.WRONG, ExitStatus.USAGE)] == [0, 1, 2]
    assert CnnCalcError("x").exit_code is SpecError("x").exit_code is ExitStatus.WRONG
    assert UsageError("x").exit_code is ExitStatus.USAGE


def test_commands_exit_with_the_statuses(run_cli):
    assert run_cli("check", "vgg16").exit_code == ExitStatus.OK
    assert run_cli("check", "vgg16", "--max-params", "1M").exit_code == ExitStatus.WRONG
    assert run_cli("check", "vgg16", "--max-params", "lots").exit_code == ExitStatus.USAGE
    assert run_cli("summary", "no/such/file.yaml").exit_code == ExitStatus.USAGE


# -- check: budgets and totals from the metric declarations ---------------------------------------

SPEC = "input: [3, 32, 32]\nlayers:\n  - {conv: 16, kernel: 3}\n  - {conv: 8, kernel: 3}\n"
BIASES = 16 + 8
OUTPUT_VALUES = 16 * 30 * 30 + 8 * 28 * 28  # per image: conv1 30x30x16, conv2 28x28x8


@pytest.fixture
def budgeted_metrics():
    """Two throwaway metrics with budgets (one per image), and `check` rebuilt to see them."""
    import cnncalc.commands.check as module

    added = [
        metrics.register(metrics.Metric(
            "bias_count", "biases", per_layer=lambda facts, values: facts.counts.biases, cell="exact",
            budget="max_bias_count")),
        metrics.register(metrics.Metric(
            "conv_output_values", "conv output values",
            per_layer=lambda facts, values: facts.elements * facts.conventions.batch if facts.macs else 0,
            cell="exact", budget="max_conv_output_values", per_image=True)),
    ]
    app = typer.Typer()
    app.command()(importlib.reload(module).check)
    app.command("other")(lambda: None)

    def invoke(*args: str):
        return CliRunner().invoke(app, ["check", *args], env={"COLUMNS": "160", "NO_COLOR": "1"})

    yield invoke
    for metric in added:
        metrics.unregister(metric.key)
    importlib.reload(module)


def test_a_budgeted_metric_gets_its_check_option(budgeted_metrics, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(SPEC)
    help_text = " ".join(budgeted_metrics("--help").stdout.split())
    assert "--max-bias-count N Fail above N biases (e.g. 25M)." in help_text
    assert "--max-conv-output-values N Fail above N conv output values per image (e.g. 25M)." in help_text
    assert budgeted_metrics(str(spec), "--max-bias-count", str(BIASES)).exit_code == ExitStatus.OK
    over = budgeted_metrics(str(spec), "--max-bias-count", str(BIASES - 1))
    assert over.exit_code == ExitStatus.WRONG
    assert f"biases {BIASES} exceed max_bias_count {BIASES - 1}" in over.stdout and "(--max-bias-count)" in over.stdout
    per_image = ("--max-conv-output-values", str(OUTPUT_VALUES), "--batch", "4")
    assert budgeted_metrics(str(spec), *per_image).exit_code == ExitStatus.OK


def test_check_totals_and_summary_follow_the_budgeted_metrics(budgeted_metrics, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(SPEC)
    data = json.loads(budgeted_metrics(str(spec), "--format", "json", "--batch", "4").stdout)
    totals = data["specs"][0]["totals"]
    assert totals["bias_count"] == BIASES
    assert totals["conv_output_values_per_image"] == OUTPUT_VALUES  # the batch of 4 divided out
    assert list(totals) == [m.totalled + ("_per_image" if m.per_image else "") for m in metrics.budgeted()]
    text = budgeted_metrics(str(spec), "--batch", "4").stdout
    assert f"{BIASES} biases, {OUTPUT_VALUES:,} conv output values/image)" in text


# -- zoo: real CSV and Markdown tables ------------------------------------------------------------

def test_zoo_csv_has_a_header_and_quotes_commas(run_cli):
    listed = json.loads(run_cli("zoo", "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(run_cli("zoo", "--format", "csv").stdout)))
    assert rows and list(rows[0]) == ["name", "title", "source", "input_shape", "params", "macs"]
    assert [row | {"input_shape": None, "params": int(row["params"]), "macs": int(row["macs"])} for row in rows] == [
        entry | {"input_shape": None} for entry in listed]  # every field as it is, commas included
    assert any("," in row["source"] for row in rows)


def test_zoo_csv_round_trips_a_title_with_a_comma(run_cli, tmp_path, monkeypatch):
    (tmp_path / "tiny.yaml").write_text('name: "Tiny, the net"\nsource: "Me, 2024; you"\n'
                                        "input: [3, 8, 8]\nlayers: [relu]\n")
    monkeypatch.setattr("cnncalc.zoo.zoo_dir", lambda: tmp_path)
    rows = list(csv.DictReader(io.StringIO(run_cli("zoo", "--format", "csv").stdout)))
    assert rows == [{"name": "tiny", "title": "Tiny, the net", "source": "Me, 2024; you", "input_shape": "8x8x3",
                     "params": "0", "macs": "0"}]


def test_zoo_markdown_is_a_table(run_cli):
    lines = run_cli("zoo", "--format", "markdown").stdout.splitlines()
    assert lines[0] == "| Name | Architecture | Source | Input | Params | MACs |"
    assert lines[1] == "|---|---|---|---|---:|---:|"
    names = json.loads(run_cli("zoo", "--format", "json").stdout)
    assert len(lines) == 2 + len(names)
    for line, entry in zip(lines[2:], names, strict=True):  # six cells a row, as the JSON has them
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert cells[:3] == [entry["name"], entry["title"], entry["source"]]
        assert [int(cell.replace(",", "")) for cell in cells[4:]] == [entry["params"], entry["macs"]]
