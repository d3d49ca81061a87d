"""The contract every op implements, and the registry the spec compiler and analyzer read.

Each op keeps all of its formulas (shape, params, MACs, other ops, receptive field) in one class,
so the table, the JSON, `explain` and the executor's cross-check can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, Strict

from cnncalc.ops.spatial import ReceptiveField

Shape = tuple[int, ...]  # channels-first without the batch: (C, H, W) or (F,)

PositiveInt = Annotated[int, Strict(), Field(gt=0, le=10_000_000)]
NonNegativeInt = Annotated[int, Strict(), Field(ge=0, le=10_000_000)]
IntPair = Union[PositiveInt, tuple[PositiveInt, PositiveInt]]
Padding = Union[NonNegativeInt, tuple[NonNegativeInt, NonNegativeInt], tuple[NonNegativeInt, NonNegativeInt, NonNegativeInt, NonNegativeInt], Literal["same", "valid"]]

ACTIVATIONS = (
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hardsigmoid",
    "tanh", "softmax", "silu", "swish", "hardswish", "mish",
)
ActivationName = Literal[ACTIVATIONS]  # type: ignore[valid-type]


class Options(BaseModel):
    """Base of every op's options: unknown keys are errors, values are not coerced from strings."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class NoOptions(Options):
    pass


class OpError(ValueError):
    """The op cannot apply to its inputs (shape mismatch, kernel too large...)."""


@dataclass(frozen=True)
class ParamCount:
    """weights and biases are learnable; buffers are state such as batchnorm's running statistics."""

    weights: int = 0
    biases: int = 0
    buffers: int = 0


class Op:
    """One layer type. Subclasses override what applies; the defaults describe a free, pointwise op."""

    key: ClassVar[str]                      # the word used in specs
    options: ClassVar[type[Options]] = NoOptions
    primary: ClassVar[str | None] = None    # the option filled by the shorthand `{op: value}`
    prefix: ClassVar[str] = ""              # for auto-names: conv1, pool1, fc1 ...
    inputs: ClassVar[tuple[int, int | None]] = (1, 1)  # min and max number of inputs
    allocates: ClassVar[bool] = True        # False for views (flatten) and inference no-ops (dropout)
    description: ClassVar[str] = ""

    def output_shape(self, o: Any, inputs: list[Shape]) -> Shape:
        return inputs[0]

    def params(self, o: Any, inputs: list[Shape], out: Shape) -> ParamCount:
        return ParamCount()

    def macs(self, o: Any, inputs: list[Shape], out: Shape) -> int:
        """Multiply-accumulates per sample (conv and dense only; everything else is `other_ops`)."""
        return 0

    def other_ops(self, o: Any, inputs: list[Shape], out: Shape) -> int:
        """Comparisons, additions and elementwise ops per sample, reported apart from MACs."""
        return 0

    def receptive_field(self, o: Any, inputs: list[Shape], rfs: list[ReceptiveField]) -> ReceptiveField:
        return rfs[0]

    def warnings(self, o: Any, inputs: list[Shape], out: Shape) -> list[str]:
        return []


REGISTRY: dict[str, Op] = {}


def register(op_class: type[Op]) -> type[Op]:
    REGISTRY[op_class.key] = op_class()
    return op_class


def numel(shape: Shape) -> int:
    total = 1
    for dim in shape:
        total *= dim
    return total


def require_spatial(shape: Shape, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise OpError(f"{what} needs a CxHxW input, got a flat vector of {shape[0]}")
    return shape  # type: ignore[return-value]


def fmt_shape(shape: tuple[int, ...]) -> str:
    """A kernel, stride or padding pair: (3, 3) -> '3x3'."""
    return "x".join(str(d) for d in shape)


def tensor_text(shape: Shape) -> str:
    """A tensor in messages, height x width x channels as the slides write it: (64, 56, 56) -> '56x56x64'."""
    return fmt_shape(shape[1:] + shape[:1] if len(shape) == 3 else shape)
