"""How numbers and shapes are written for people: decimal K/M/G for counts, KiB/MiB (or kB/MB) for
bytes, 3 or 2.5 for a number in a formula, 224x224x64 for a tensor. The one home of each."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.ops.spatial import ReceptiveField

# Imports nothing of the package at run time: the ops write their messages and formulas with
# these helpers, and `cnncalc --help` must not load the ops (pydantic) through them.

_COUNT_PREFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))
_BYTE_UNITS = {"iec": (1024, ("B", "KiB", "MiB", "GiB", "TiB")), "si": (1000, ("B", "kB", "MB", "GB", "TB"))}


def count_scale(value: float) -> tuple[float, str]:
    """The decimal prefix a count is written with: 138357544 -> (1e6, 'M'), 760 -> (1, '')."""
    return next(((scale, prefix) for scale, prefix in _COUNT_PREFIXES if abs(value) >= scale), (1.0, ""))


def byte_scale(value: float, units: str = "iec") -> tuple[float, str]:
    """The unit bytes are written in: 12845056 -> (1024**2, 'MiB'); 'si' gives kB/MB (1000)."""
    base, names = _BYTE_UNITS[units]
    index = 0
    while abs(value) >= base ** (index + 1) and index < len(names) - 1:
        index += 1
    return float(base**index), names[index]


def human_count(value: float, digits: int = 3) -> str:
    """138357544 -> '138M', 1792 -> '1.79K', 0 -> '0': decimal prefixes, `digits` significant figures."""
    scale, prefix = count_scale(value)
    return _significant(value / scale, digits) + prefix if value else "0"


def count_with_magnitude(count: int) -> str:
    """34,944 (34.9K): the exact count, then its rounded magnitude when that says something more."""
    short = human_count(count)
    return f"{count:,}" if short == str(count) else f"{count:,} ({short})"


def _significant(value: float, digits: int) -> str:
    if float(value).is_integer() and abs(value) >= 10 ** (digits - 1):
        return str(int(value))
    text = f"{value:.{digits}g}"
    if "e" in text:
        text = f"{value:.0f}"
    return text


def human_bytes(value: float, units: str = "iec") -> str:
    """Bytes in KiB/MiB/GiB (1024, the slides' "KB") or kB/MB/GB (1000)."""
    scale, name = byte_scale(value, units)
    return f"{int(value)} B" if scale == 1 else f"{value / scale:.2f} {name}"


def dims_text(dims: tuple[int, ...]) -> str:
    """Sizes in the order given: a kernel, stride or padding pair (3, 3) -> '3x3', an array's shape."""
    return "x".join(str(d) for d in dims)


def shape_text(shape: tuple[int, ...], layout: str = "hwc") -> str:
    """A tensor (channels-first, without the batch): (64, 224, 224) -> '224x224x64' (hwc, as the
    slides write it, and in messages) or '64x224x224' (chw). A flat vector is its length."""
    return dims_text(shape[1:] + shape[:1] if layout == "hwc" and len(shape) == 3 else tuple(shape))


def number(value: float) -> int | float:
    """An int when the value is whole (receptive-field starts can be halves)."""
    return int(value) if float(value).is_integer() else float(value)


def num(value: float) -> str:
    """A number as text: 3.0 -> '3', 2.5 -> '2.5', -0.0 -> '0'; six significant figures otherwise."""
    value = float(value) + 0.0  # -0.0 becomes 0.0
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def rf_value(pair: tuple[float, float]) -> int | float | list:
    """One number for a square field, [h, w] otherwise."""
    return number(pair[0]) if pair[0] == pair[1] else [number(pair[0]), number(pair[1])]


def pair_text(pair: tuple[float, float]) -> str:
    """A receptive-field size, jump or start: '11' when square, '11x13' otherwise."""
    value = rf_value(pair)
    return "x".join(str(v) for v in value) if isinstance(value, list) else str(value)


def rf_text(rf: ReceptiveField | None) -> str:
    """The field's size, or 'all' once the tensor is flat (a dense unit sees the whole input)."""
    return "all" if rf is None else pair_text(rf.size)


def cut_middle(text: str, width: int) -> str:
    """'branch3x3dbl' -> 'bra…dbl': the head and the tail of a name, `width` characters in all, for a
    column too narrow for it (a number is never cut)."""
    if len(text) <= width:
        return text
    keep = width - 1
    return text[: (keep + 1) // 2] + "…" + text[len(text) - keep // 2:]
