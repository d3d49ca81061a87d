"""Errors a user can cause, each carrying where in their file it happened, and the exit statuses.

Anything raised as `CnnCalcError` is printed as one line and never as a traceback; the command
then exits with the error's `exit_code`, an `ExitStatus`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitStatus(IntEnum):
    """What every command's exit status means (click's own usage errors exit 2 as well)."""

    OK = 0      # done, and nothing is wrong
    WRONG = 1   # a spec, a budget, an expectation or an answer is wrong (or a warning under --strict)
    USAGE = 2   # the command line asks for something impossible: a bad option, a missing file


@dataclass(frozen=True)
class Location:
    """A place in a spec file; line and column are 1-based like every editor's."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}:{self.column or 1}"


class CnnCalcError(Exception):
    """A problem with the user's input (exit status 1: ExitStatus.WRONG)."""

    exit_code: ExitStatus = ExitStatus.WRONG

    def __init__(self, message: str, location: Location | None = None, layer: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.layer = layer

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.layer:
            parts.append(f"layer '{self.layer}'")
        parts.append(self.message)
        return ": ".join(parts)


class SpecError(CnnCalcError):
    """The spec is malformed, inconsistent, or its network cannot be built."""


class UsageError(CnnCalcError):
    """The command line asks for something impossible (exit status 2: ExitStatus.USAGE)."""

    exit_code = ExitStatus.USAGE
