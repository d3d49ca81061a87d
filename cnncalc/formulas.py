"""Written arithmetic, as the lecture slides write it: the formula in symbols, the same formula
with a layer's numbers, then the value. Ops and metrics build their `Step`s with these helpers;
`cnncalc explain` prints them and `cnncalc grade` shows them under a wrong answer.

    output size   (W − K + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.units import num

__all__ = ["Step", "dot", "num", "per_batch"]


@dataclass
class Step:
    quantity: str        # what is worked out: "params", "MACs", "output size", "memory" ...
    formula: str         # in symbols: "(W − K + 2P)/S + 1"
    expression: str      # the same with the layer's numbers: "(227 − 11 + 2·0)/4 + 1"
    value: int | float   # the analyzer's figure, never recomputed here
    unit: str = ""       # "params", "MACs", "B", "px", "x" ...


def dot(*factors: float | str) -> str:
    """dot(3, 3, 64) -> '3·3·64': a product as the slides write it."""
    return "·".join(factor if isinstance(factor, str) else num(factor) for factor in factors)


def per_batch(formula: str, expression: str, batch: int) -> tuple[str, str]:
    """A per-sample formula times the batch, when there is one."""
    if batch == 1:
        return formula, expression
    return f"{formula} × batch", f"{expression} × {batch}"

