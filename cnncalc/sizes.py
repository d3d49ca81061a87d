"""Input sizes as people type them: 227, 227x227, 227x227x3. One parser for `cnncalc calc`'s first
word and every command's `--input`; numbers are separated by x, X, × or a comma."""

from __future__ import annotations

import re
from typing import Literal

from cnncalc.limits import MAX_INPUT_SIZE

Shape = tuple[int, ...]  # channels first, as cnncalc.ops.base.Shape (not imported: it loads pydantic)
SizeProblem = Literal["unreadable", "count", "flat"]

_SEPARATOR = re.compile(r"[x×,]", re.IGNORECASE)
_SIZE = re.compile(r"[0-9]+(?:[x×,][0-9]+)*", re.IGNORECASE)


class SizeError(ValueError):
    """Why a size was refused: 'unreadable' (not numbers and separators), 'count' (not 1 to 3 sizes from
    1 to MAX_INPUT_SIZE) or 'flat' (several numbers for a spec whose input is a flat vector)."""

    def __init__(self, problem: SizeProblem):
        super().__init__(problem)
        self.problem: SizeProblem = problem


def is_size(text: str) -> bool:
    """Does `text` read as a size (rather than, say, a file name)?"""
    return _SIZE.fullmatch(text.strip()) is not None


def parse_size(text: str, layout: str = "hwc", like: Shape | None = None) -> Shape:
    """A typed size as a channels-first shape; three numbers follow `layout` (hwc: HxWxC, chw: CxHxW).

    Without `like` (a new network: `cnncalc calc`), N is a flat vector of N features and HxW has one
    channel. With `like` (the spec's own input, for `--input`), N means NxN and HxW keeps like's
    channels; a flat spec takes one number."""
    stripped = text.strip()
    if not _SIZE.fullmatch(stripped):
        raise SizeError("unreadable")
    sizes = [int(part) for part in _SEPARATOR.split(stripped)]
    if len(sizes) > 3 or not all(0 < size <= MAX_INPUT_SIZE for size in sizes):
        raise SizeError("count")
    if like is not None and len(like) != 3:
        if len(sizes) != 1:
            raise SizeError("flat")
        return (sizes[0],)
    if len(sizes) == 1:
        return (sizes[0],) if like is None else (like[0], sizes[0], sizes[0])
    if len(sizes) == 2:
        return (1 if like is None else like[0], sizes[0], sizes[1])
    return (sizes[2], sizes[0], sizes[1]) if layout == "hwc" else (sizes[0], sizes[1], sizes[2])
