"""One module per op family; importing this package fills `REGISTRY`."""

from cnncalc.ops import conv, dense, elementwise, merge, pool, resize, source  # noqa: F401  (registration)
from cnncalc.ops.base import REGISTRY, Op, OpError, ParamCount, Shape

__all__ = ["REGISTRY", "Op", "OpError", "ParamCount", "Shape"]
