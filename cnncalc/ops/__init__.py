"""One module per op family; importing this package fills `REGISTRY`."""

from cnncalc.ops import conv, dense, elementwise, merge, pool, resize, source  # noqa: F401  (registration)
from cnncalc.ops.base import REGISTRY, Op, OpError, ParamCount, Shape

# Other words for ops, accepted wherever an op is named: `cnncalc calc`'s chains, YAML specs (layers and
# `defaults:`) and the JSON Schema. One table, so a word that works on the command line works in a file.
ALIASES = {
    "fc": "dense", "linear": "dense", "pool": "maxpool", "max": "maxpool", "avg": "avgpool",
    "gap": "global_avgpool", "bn": "batchnorm", "deconv": "conv_transpose", "pad": "zeropad",
}

__all__ = ["ALIASES", "REGISTRY", "Op", "OpError", "ParamCount", "Shape"]
