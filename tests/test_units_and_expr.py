"""Number formatting and the module-argument arithmetic, against hand-written values."""

from __future__ import annotations

import pytest

from cnncalc.spec.expr import ExpressionError, evaluate
from cnncalc.units import human_bytes, human_count, shape_text


@pytest.mark.parametrize("value, text", [
    (0, "0"), (760, "760"), (1792, "1.79K"), (34_944, "34.9K"), (138_357_544, "138M"),
    (15_470_264_320, "15.5G"), (4_096_000, "4.1M"),
])
def test_human_count_uses_decimal_prefixes(value, text):
    assert human_count(value) == text


@pytest.mark.parametrize("value, units, text", [
    (512, "iec", "512 B"), (1024, "iec", "1.00 KiB"), (1_161_600, "iec", "1.11 MiB"),
    (1_161_600, "si", "1.16 MB"), (60_950_432, "si", "60.95 MB"), (60_950_432, "iec", "58.13 MiB"),
])
def test_human_bytes(value, units, text):
    assert human_bytes(value, units) == text


def test_shape_text_layouts():
    assert shape_text((96, 55, 55), "hwc") == "55x55x96"
    assert shape_text((96, 55, 55), "chw") == "96x55x55"
    assert shape_text((4096,), "hwc") == "4096"


@pytest.mark.parametrize("text, env, value", [
    ("$w * 4", {"w": 64}, 256),
    ("$a + $b * 2", {"a": 1, "b": 3}, 7),
    ("($a + $b) * 2", {"a": 1, "b": 3}, 8),
    ("$c // 3", {"c": 10}, 3),
    ("$c / 4", {"c": 10}, 2.5),
    ("-$c % 3", {"c": 10}, 2),
    ("$c / 2", {"c": 10}, 5),
    ("$layers", {"layers": [1, 2]}, [1, 2]),
])
def test_expressions(text, env, value):
    result = evaluate(text, env)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize("text, message", [
    ("$w * ", "ends too soon"),
    ("$nope + 1", "unknown argument '$nope'"),
    ("$w / 0", "division by zero"),
    ("__import__('os')", "cannot read"),
    ("$w ** 2", "unexpected"),
    ("($w + 1", "missing ')'"),
])
def test_bad_expressions_are_refused(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$").replace("*", r"\*")):
        evaluate(text, {"w": 2})
