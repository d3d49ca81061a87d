"""The `cnncalc` command line: parses arguments and delegates; each command lives in
`cnncalc/commands/` and imports what it needs when it runs, so start-up stays fast."""

from __future__ import annotations

import typer

from cnncalc.commands.calc import calc
from cnncalc.commands.check import check
from cnncalc.commands.compare import compare
from cnncalc.commands.explain import explain
from cnncalc.commands.grade import grade
from cnncalc.commands.run import run
from cnncalc.commands.schema import schema
from cnncalc.commands.summary import summary
from cnncalc.commands.zoo import zoo

app = typer.Typer(
    name="cnncalc",
    help="A calculator for convolutional networks: shapes, parameters, MACs, memory and receptive fields.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command()(summary)
app.command()(zoo)
app.command()(run)
app.command()(compare)
app.command()(calc)
app.command()(explain)
app.command()(grade)
app.command()(check)
app.command()(schema)


def main() -> None:
    app(prog_name="cnncalc")
