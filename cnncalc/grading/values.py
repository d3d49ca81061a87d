"""Read numbers and shapes the way people write them: `34,944`, `35K`, `60M`, `1.9 MB`,
`55x55x96`, `(55, 55, 96)`. Used by answer sheets, `expect:` blocks and `--max-*` budgets.

A number written with a multiplier (`35K`, `1.9 MB`, `2.5e6`) stands for every value that
rounds to it: `35K` covers 34,500..35,500, so it is right for 34,944 and 35,200 and wrong for
36,000. A plain number (`34,944`, `34944`) is exact.

Memory is values (elements, as cs231n writes "memory: 224*224*64 = 3.2M") unless a byte unit
is written; `KiB`/`MiB` are 1024-based, `kB` is 1000-based, and the ambiguous `KB`/`MB`/`GB`
follow the `units` convention (iec: 1024, as the slides mean them; si: 1000).

Anything else (`.nan`, `1e400`, a number of thousands of digits) is an `UnreadableValue` whose
message says what to write: a value that cannot be a count is never compared, and never overflows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from cnncalc.ops.base import Shape


class UnreadableValue(ValueError):
    """The text is not a number, shape or size we can read; the message says what to write."""


COUNT_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mil": 1e6, "million": 1e6, "millions": 1e6,
    "g": 1e9, "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9, "t": 1e12,
}
# Words that may follow a count and change nothing: "62.4M params", "1.1 GFLOPs", "3.2M values".
COUNT_WORDS = (
    "params", "parameters", "param", "weights", "macs", "mac", "mult-adds", "multiply-adds", "madds",
    "flops", "flop", "ops", "values", "activations", "elements", "numbers", "floats", "neurons",
)
_NUMBER = re.compile(r"(?P<mantissa>\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE](?P<exp>[+-]?\d+))?")
_BYTES = re.compile(r"(?P<prefix>[kmgt]?)(?P<iec>i?)(?:b|byte|bytes)", re.IGNORECASE)
_UNICODE = str.maketrans({"×": "x", "·": "*", "−": "-", "\u2009": " ", "\u00a0": " "})


@dataclass(frozen=True)
class Quantity:
    """A written number: `value` in base units (values or bytes); it stands for anything within
    `half_step` of it (0 for an exact number); `scale`/`decimals` say how it was written."""

    value: float
    half_step: float = 0.0
    scale: float = 1.0
    decimals: int = 0
    suffix: str = ""
    is_bytes: bool = False

    def matches(self, truth: float, tolerance: float = 0.0) -> bool:
        """Right when `truth` rounds to what was written, or lies within `tolerance` (relative)."""
        allowed = max(self.half_step, tolerance * abs(truth))
        return abs(truth - self.value) <= allowed * (1 + 1e-9) + 1e-9

    def written_like(self, truth: float) -> str:
        """`truth` at the precision this answer was written with: 34944 -> '35K' for a '36K' answer."""
        if not self.half_step:
            return f"{truth:,.{self.decimals}f}" if self.decimals else f"{round(truth):,}"
        return f"{truth / self.scale:.{self.decimals}f}{self.suffix}"


MAX_EXPONENT = 30  # 1e30 is beyond any network's count or size; 1e400 would overflow a float
_OUT_OF_RANGE = "{} is out of range for a count or a size (write 62.4M or 62,378,344)"
_NEGATIVE = "{} is negative: counts and sizes are 0 or more"


def _finite(value: float | int, written: object) -> float:
    """`value` as a float, or an UnreadableValue when it is not a finite number of sensible size."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isnan(number):
        raise UnreadableValue(f"{_quoted(written)} is not a number (write the value: 34,944 or 35K)")
    if not abs(number) < 10.0 ** MAX_EXPONENT:
        raise UnreadableValue(_OUT_OF_RANGE.format(_quoted(written)))
    if number < 0:
        raise UnreadableValue(_NEGATIVE.format(_quoted(written)))
    return number


def short(written: object) -> str:
    """A value as shown to people: a number of thousands of digits is cut, its length said."""
    if isinstance(written, int) and abs(written) >= 10 ** 40:  # str() refuses ints of over 4,300 digits
        digits = int(abs(written).bit_length() * math.log10(2))
        return f"a number of {digits + (abs(written) >= 10 ** digits):,} digits"
    text = str(written)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text):,} characters)"


def _quoted(written: object) -> str:
    shown = short(written)
    return shown if shown.startswith("a number of") else f"'{shown}'"


def _text(raw: object) -> str:
    if isinstance(raw, bool) or raw is None or isinstance(raw, (list, dict)):
        raise UnreadableValue(f"expected a number, got {raw!r}")
    return str(raw).translate(_UNICODE).strip().lstrip("~≈").strip()


def _number(text: str) -> tuple[float, int, int | None, str]:
    """The leading number of `text`: (value, decimals of the mantissa, exponent or None, rest)."""
    if text.startswith("-"):
        raise UnreadableValue(_NEGATIVE.format(_quoted(text)))
    match = _NUMBER.match(text)
    if not match:
        raise UnreadableValue(f"cannot read '{text}' as a number")
    mantissa = match["mantissa"]
    if "," in mantissa and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", mantissa):
        raise UnreadableValue(
            f"cannot read '{text}': commas separate thousands (34,944); write decimals with a point (1.9)")
    mantissa = mantissa.replace(",", "").replace("_", "")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(match["exp"]) if match["exp"] and len(match["exp"].lstrip("+-")) <= 4 else None
    if match["exp"] and (exponent is None or abs(exponent) > MAX_EXPONENT):
        raise UnreadableValue(_OUT_OF_RANGE.format(_quoted(text)))
    value = _finite(float(mantissa) * 10.0 ** (exponent or 0), text)
    return value, decimals, exponent, text[match.end():].strip()


def _multiplier_word(rest: str) -> str:
    """'GFLOPs' -> 'g', 'M params' -> 'm', 'MACs' -> '': drop a trailing count word."""
    word = rest.lower()
    for known in sorted(COUNT_WORDS, key=len, reverse=True):
        if word.endswith(known) and word[: -len(known)].strip(" -") in ("", *COUNT_MULTIPLIERS):
            return word[: -len(known)].strip(" -")
    return word


def parse_count(raw: object) -> Quantity:
    """'34,944' (exact), '35K', '62.4M params', '1.1 GFLOPs', '2B', '2.5e6' -> a Quantity."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Quantity(_finite(raw, raw))  # a YAML number: exact, however it was typed
    text = _text(raw)
    value, decimals, exponent, rest = _number(text)
    word = _multiplier_word(rest)
    if word and word not in COUNT_MULTIPLIERS:
        raise UnreadableValue(f"cannot read '{text}': unknown unit '{rest}' (write 35K, 60M, 1.1G or 34,944)")
    if not word and exponent is None:
        return Quantity(value, decimals=decimals)
    scale = COUNT_MULTIPLIERS.get(word, 1.0) * 10.0 ** (exponent or 0)
    suffix = {"": "", "k": "K", "thousand": "K", "b": "B", "bn": "B"}.get(word, word[:1].upper())
    suffix = suffix if exponent is None else f"e{exponent}"
    return Quantity(value * COUNT_MULTIPLIERS.get(word, 1.0), 0.5 * 10.0 ** -decimals * scale, scale, decimals, suffix)


def rounding_hint(quantity: Quantity, truth: float) -> str:
    """For an exact answer that is the truth rounded (`2400` for 2,432): how to write a rounded one
    (`2.4K`), since only a written multiplier says "rounded"; empty when the answer is simply wrong."""
    value = round(quantity.value)
    if quantity.half_step or quantity.is_bytes or quantity.decimals or value <= 0 or value != quantity.value:
        return ""
    zeros = len(str(value)) - len(str(value).rstrip("0"))
    if not zeros or round(truth, -zeros) != value:
        return ""
    power = 3 * max(1, min(4, (len(str(value)) - 1) // 3))  # K, M, G or T
    shown = f"{value / 10 ** power:.{max(0, power - zeros)}f}{'KMGT'[power // 3 - 1]}"
    return f"exact value expected; write {shown} to round"


def parse_memory(raw: object, units: str = "iec") -> Quantity:
    """'1.9 MB', '12.25 MiB', '600 kB' -> bytes; '3.2M', '150,528' (no byte unit) -> values."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return parse_count(raw)
    text = _text(raw)
    value, decimals, exponent, rest = _number(text)
    match = _BYTES.fullmatch(rest) if exponent is None else None
    if not match:
        return parse_count(raw)
    prefix = match["prefix"].lower()
    if match["iec"]:
        base = 1024
    elif match["prefix"] == "k":  # lowercase k: the SI symbol, unambiguous
        base = 1000
    else:
        base = 1024 if units == "iec" else 1000
    scale = float(base ** " kmgt".index(prefix or " ")) if prefix else 1.0
    suffix = " " + rest if rest else ""
    half = 0.5 * 10 ** (-decimals) * scale if prefix else 0.0
    return Quantity(value * scale, half, scale, decimals, suffix, is_bytes=True)


def parse_shape(raw: object, layout: str = "hwc") -> Shape:
    """'55x55x96', '(55, 55, 96)', [55, 55, 96] or 9216 -> channels-first (96, 55, 55).

    Three numbers are read in `layout` order (hwc, as the slides write them, unless told chw)."""
    if isinstance(raw, bool) or raw is None:
        raise UnreadableValue(f"expected a shape like 55x55x96, got {raw!r}")
    if isinstance(raw, int):
        numbers = [raw]
    elif isinstance(raw, list):
        numbers = raw
    else:
        text = str(raw).translate(_UNICODE).strip().strip("()[]{} ")
        parts = [p for p in re.split(r"\s*[x*,]\s*|\s+", text.lower()) if p]
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise UnreadableValue(f"cannot read '{raw}' as a shape (write 55x55x96 or (55, 55, 96))") from None
    positive = all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in numbers)
    if not numbers or len(numbers) > 3 or not positive:
        raise UnreadableValue(f"cannot read {raw!r} as a shape: give 1 to 3 positive whole numbers (55x55x96)")
    if len(numbers) == 3 and layout == "hwc":
        return (numbers[2], numbers[0], numbers[1])
    if len(numbers) == 2:  # HxW only: the channels are not given
        raise UnreadableValue(f"'{raw}' gives height and width only: write all three (55x55x96)")
    return tuple(numbers)


def parse_receptive_field(raw: object) -> tuple[float, float] | None:
    """11, '11x11', [11, 11] -> (11, 11); 'all' (a dense unit sees the whole input) -> None."""
    if isinstance(raw, str) and raw.strip().lower() in ("all", "whole", "whole input", "global"):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return (_finite(raw, raw), _finite(raw, raw))
    if isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, (int, float)) for v in raw):
        return (_finite(raw[0], raw[0]), _finite(raw[1], raw[1]))
    if isinstance(raw, str):
        parts = [p for p in re.split(r"\s*[x*,]\s*|\s+", raw.translate(_UNICODE).strip().strip("()[] ").lower()) if p]
        try:
            values = [_finite(float(p), p) for p in parts]
        except ValueError:
            values = []
        if len(values) in (1, 2):
            return (values[0], values[-1])
    raise UnreadableValue(f"cannot read {raw!r} as a receptive field (write 11, 11x11 or all)")


def parse_budget(text: object, memory: bool = False, units: str = "iec") -> int:
    """A limit: '25M', '4G', '25557032' (counts); '2GiB', '512MB', '1000000' (bytes)."""
    if not memory:
        return round(parse_count(text).value)
    try:
        quantity = parse_memory(text, units)
    except UnreadableValue:
        quantity = None
    if quantity is None or (not quantity.is_bytes and quantity.scale != 1.0):
        raise UnreadableValue(f"cannot read {_quoted(text)} as a memory size: write 2GiB, 512MB or a number of bytes")
    return round(quantity.value)
