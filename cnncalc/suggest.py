"""The "did you mean" hint after an unknown name: one spelling for every message that has one.

A leaf module (only the standard library), so the zoo lookup can use it without loading pydantic.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """The hint for the closest choice ("; did you mean 'kernel'?"), or an empty string when none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
