"""The one way out: every command names its output format from `Format` and writes through an
`Output` (stdout for results, stderr for warnings and errors), never through `print`, `typer.echo`
or `sys.stdout` itself.

The format vocabulary
---------------------
`Format` holds every format name once; each command accepts a subset of it (declared with
`takes_format` in `cnncalc/commands/common.py`, so --help and shell completion offer only those).
Both human-readable words stay, with one meaning each, so every value scripts use today keeps
working and no command needs an alias:

- ``table``: the terminal view, drawn by rich: columns and aligned blocks, as wide as the terminal
  (160 in a pipe), styled when colour is on. `summary`, `calc`, `compare`, `explain`, `zoo`, `run`.
- ``text``: plain lines, byte for byte the same on a terminal, in a pipe or in a file, one finding
  per line (``specs/net.yaml:6:5: error: ...``) for people, editors and grep. `check`, `grade`.

No command offers both, and each offers its human view as the default. ``table`` goes out through
`Output.show`; ``text`` and the machine formats (``json``, ``csv``, ``markdown``, ``github``)
through `Output.text`.

Importing this module is cheap (no rich): `cnncalc --help` never loads rich; the console is built
the first time something is shown.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, RenderableType

PIPE_WIDTH = 160  # columns for rich output into a pipe or a file (unless COLUMNS says otherwise)


class Format(str, Enum):
    """Every output format any command offers (see the module docstring for table vs text)."""

    table = "table"        # rich's terminal view
    text = "text"          # plain lines, one finding each
    json = "json"          # the stable machine contract
    csv = "csv"            # one row per layer, model, sheet or zoo entry, with a header
    markdown = "markdown"  # a Markdown table (and notes) to paste into docs
    github = "github"      # GitHub Actions workflow commands (::error file=...,line=...::)


class Output:
    """One command's way out: plain text or rich renderables to stdout, notes, warnings and errors
    to stderr. The streams are looked up when written to (a test runner may swap them), and the
    rich consoles are made on first use and kept."""

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self._stdout = stdout
        self._stderr = stderr
        self._consoles: dict[bool, Console] = {}

    # -- what the terminal is ---------------------------------------------------------------------

    def stream(self, stderr: bool = False) -> TextIO:
        if stderr:
            return self._stderr or sys.stderr
        return self._stdout or sys.stdout

    def is_tty(self, stderr: bool = False) -> bool:
        """Whether stdout (or stderr) is a terminal: progress bars and styles only go to one."""
        try:
            return self.stream(stderr).isatty()
        except (AttributeError, ValueError):  # no isatty, or a closed stream
            return False

    def width(self, stderr: bool = False) -> int | None:
        """Columns for rich output: None lets rich ask the terminal (or read COLUMNS); a pipe gets
        PIPE_WIDTH, room for the widest table, so `cnncalc summary vgg16 > out.txt` does not wrap."""
        return None if self.is_tty(stderr) or os.environ.get("COLUMNS") else PIPE_WIDTH

    def colour(self, stderr: bool = False) -> bool:
        """Whether rich output is styled: on a terminal (or under FORCE_COLOR), never under NO_COLOR."""
        if os.environ.get("NO_COLOR"):
            return False
        return self.is_tty(stderr) or bool(os.environ.get("FORCE_COLOR"))

    def console(self, stderr: bool = False) -> Console:
        """The rich console for stdout (or stderr), made on first use: rich is slow to import."""
        if stderr not in self._consoles:
            from rich.console import Console

            # file=None: rich writes to whatever sys.stdout / sys.stderr is at the time.
            self._consoles[stderr] = Console(file=self._stderr if stderr else self._stdout, stderr=stderr,
                                             width=self.width(stderr), no_color=not self.colour(stderr),
                                             highlight=False, soft_wrap=False)
        return self._consoles[stderr]

    # -- results, to stdout -----------------------------------------------------------------------

    def text(self, text: str) -> None:
        """Plain or machine output (text, JSON, CSV, Markdown, annotations), ending in one newline."""
        self.stream().write(text.rstrip("\n") + "\n")

    def show(self, renderable: RenderableType) -> None:
        """A rich renderable (a table, a group of them), laid out for the terminal."""
        self.console().print(renderable)

    # -- about the run, to stderr -----------------------------------------------------------------

    def note(self, message: str) -> None:
        """Something the user should know that is not the result: `cnncalc: graded 30 sheet(s) into marks.csv`."""
        self.stream(stderr=True).write(f"cnncalc: {message}\n")

    def warn(self, message: str) -> None:
        self.note(f"warning: {message}")

    def error(self, message: str) -> None:
        self.note(f"error: {message}")

    def reader_gone(self) -> None:
        """stdout's reader went away (`cnncalc summary vgg16 | head`): say nothing more, not even
        the interpreter's complaint when it flushes stdout at exit."""
        self.stream(stderr=True).close()
