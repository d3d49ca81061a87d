"""Errors a user can cause, each carrying where in their file it happened.

Anything raised as `CnnCalcError` is printed as one line and never as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """A problem with the user's input (exit code 1)."""

    exit_code = 1

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
    """The command line asks for something impossible (exit code 2)."""

    exit_code = 2
