"""Input sizes as people type them: 227, 227x227, 227x227x3. One parser for `cnncalc calc`'s first
word and every command's `--input`; numbers are separated by x, X, × or a comma."""

from __future__ import annotations

import re
from typing import Literal

from cnncalc.limits import MAX_INPUT_SIZE

Shape = tuple[int, ...]  # channels first, as cnncalc.ops.base.Shape (not imported: it loads pydantic)
SizeProblem = Literal["unreadable", "count", "flat", "order"]
AXES = ("channels", "height", "width")  # a shape's sizes by name: a spec's `input:` as a mapping
IMAGE_CHANNELS = (1, 3, 4)  # grey, RGB, RGBA: what an image's channel count usually is
IMAGE_SIDE = 8              # the smallest number read as "looks like an image's side" (8x8 digits)

_SEPARATOR = re.compile(r"[x×,]", re.IGNORECASE)
_SIZE = re.compile(r"[0-9]+(?:[x×,][0-9]+)*", re.IGNORECASE)


class SizeError(ValueError):
    """Why a size was refused: 'unreadable' (not numbers and separators), 'count' (not 1 to 3 sizes from
    1 to MAX_INPUT_SIZE), 'flat' (several numbers for a spec whose input is a flat vector) or 'order'
    (three sizes that look typed in the other layout; `detail` says how it reads and what to write)."""

    def __init__(self, problem: SizeProblem, detail: str = ""):
        super().__init__(problem)
        self.problem: SizeProblem = problem
        self.detail = detail


def misordered(sizes: tuple[int, ...] | list[int], layout: str) -> tuple[int, ...] | None:
    """Three sizes written in `layout` order (hwc: HxWxC; chw: CxHxW, as a spec's `input:`) that look
    written in the other order, rearranged as probably meant; None when they look right. They look swapped
    when the channel position holds an image side (IMAGE_SIDE or more, as does the middle number) and the
    other end an image's channel count (1, 3 or 4): [224, 224, 3] as CxHxW, 3x224x224 as HxWxC. In one of
    the two orders every shape looks right, so the opt-out is always to write it in that order."""
    if len(sizes) != 3:
        return None
    first, middle, last = sizes
    channels, other = (first, last) if layout == "chw" else (last, first)
    if other in IMAGE_CHANNELS and channels >= IMAGE_SIDE and middle >= IMAGE_SIDE:
        return (last, first, middle) if layout == "chw" else (middle, last, first)
    return None


def _order_detail(sizes: list[int], layout: str, meant: tuple[int, ...]) -> str:
    """How three typed sizes read in `layout`, what was probably meant, and how to mean them as read."""
    c, h, w = (sizes[2], sizes[0], sizes[1]) if layout == "hwc" else sizes
    other, as_read = ("chw", f"{c}x{h}x{w}") if layout == "hwc" else ("hwc", f"{h}x{w}x{c}")
    order = "HxWxC" if layout == "hwc" else "CxHxW"
    return (f"reads as {h}x{w} pixels with {c} channels ({order}, --layout {layout}); did you mean "
            f"{'x'.join(map(str, meant))}? (to mean it as read, write it in the other order: --layout {other} "
            f"{as_read})")


def is_size(text: str) -> bool:
    """Does `text` read as a size (rather than, say, a file name)?"""
    return _SIZE.fullmatch(text.strip()) is not None


def parse_size(text: str, layout: str = "hwc", like: Shape | None = None) -> Shape:
    """A typed size as a channels-first shape; three numbers follow `layout` (hwc: HxWxC, chw: CxHxW),
    and are refused ('order') when they look typed in the other order (see `misordered`).

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
    meant = misordered(sizes, layout)
    if meant is not None:
        raise SizeError("order", _order_detail(sizes, layout, meant))
    return (sizes[2], sizes[0], sizes[1]) if layout == "hwc" else (sizes[0], sizes[1], sizes[2])
