"""The contract every op implements, and the registry the spec compiler and analyzer read.

Each op keeps all of its formulas (shape, params, MACs, other ops, receptive field) in one class,
together with the same formulas written out for people (`size_steps`, `param_steps`, `mac_steps`
...: the `Step`s that `cnncalc explain` prints and `cnncalc grade` shows under a wrong answer), so
the table, the JSON, `explain` and the executor's cross-check can never disagree.

An op whose layers can have parameters or MACs must write them out: `formula_gaps()` names the
ops that override `params` or `macs` but not `param_steps` or `mac_steps` (the test suite runs it
over the registry), and the base methods raise `MissingFormula` rather than print an empty formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from cnncalc.formulas import Step, num
from cnncalc.limits import MAX_OPTION_VALUE
from cnncalc.ops.spatial import ReceptiveField
from cnncalc.units import pair_text

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.conventions import Conventions
    from cnncalc.ops.window import SlidingWindow

Shape = tuple[int, ...]  # channels-first without the batch: (C, H, W) or (F,)

PositiveInt = Annotated[int, Strict(), Field(gt=0, le=MAX_OPTION_VALUE)]
NonNegativeInt = Annotated[int, Strict(), Field(ge=0, le=MAX_OPTION_VALUE)]
IntPair = PositiveInt | tuple[PositiveInt, PositiveInt]
Padding = (NonNegativeInt | tuple[NonNegativeInt, NonNegativeInt]
           | tuple[NonNegativeInt, NonNegativeInt, NonNegativeInt, NonNegativeInt] | Literal["same", "valid"])

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


class MissingFormula(NotImplementedError):
    """An op's layer has parameters or MACs but the op does not write out how they arise."""


@dataclass
class Layer:
    """One compiled layer as its op's written formulas see it: the options, the input and output
    shapes, the analyzer's figures for it (metric key -> value, batch included), the conventions
    they were counted under, the layer's sliding window if it has one, and where notes go; for the
    formulas that span several layers (a join's branches), its name, op and the layers feeding it."""

    options: Any
    inputs: list[Shape]
    out: Shape
    values: Mapping[str, int]
    conventions: Conventions
    window: SlidingWindow | None = None
    notes: list[str] = field(default_factory=list)
    name: str = ""
    op: Op | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def batch(self) -> int:
        return self.conventions.batch


class Op:
    """One layer type. Subclasses override what applies; the defaults describe a free, pointwise op."""

    key: ClassVar[str]                      # the word used in specs
    options: ClassVar[type[Options]] = NoOptions
    primary: ClassVar[str | None] = None    # the option filled by the shorthand `{op: value}`
    prefix: ClassVar[str] = ""              # for auto-names: conv1, pool1, fc1 ...
    inputs: ClassVar[tuple[int, int | None]] = (1, 1)  # min and max number of inputs
    allocates: ClassVar[bool] = True        # False for inference no-ops (dropout); see `holds_memory`
    description: ClassVar[str] = ""
    branch_join: ClassVar[bool] = False     # joins branches whose costs `explain` breaks down (`branch_steps`)
    bottleneck: ClassVar[bool] = False      # a 1x1 of this op ahead of a larger one is a bottleneck (conv)

    # -- the arithmetic -------------------------------------------------------------------------

    def window(self, o: Any, inputs: list[Shape]) -> SlidingWindow | None:
        """The layer's sliding-window geometry (conv, window pools), computed once when it is compiled."""
        return None

    def output_shape(self, o: Any, inputs: list[Shape], window: SlidingWindow | None = None) -> Shape:
        return inputs[0]

    def params(self, o: Any, inputs: list[Shape], out: Shape) -> ParamCount:
        return ParamCount()

    def macs(self, o: Any, inputs: list[Shape], out: Shape) -> int:
        """Multiply-accumulates per sample (conv and dense only; everything else is `other_ops`)."""
        return 0

    def other_ops(self, o: Any, inputs: list[Shape], out: Shape) -> int:
        """Comparisons, additions and elementwise ops per sample, reported apart from MACs."""
        return 0

    def receptive_field(self, o: Any, inputs: list[Shape], rfs: list[ReceptiveField],
                        window: SlidingWindow | None = None) -> ReceptiveField:
        return rfs[0]

    def warnings(self, o: Any, inputs: list[Shape], out: Shape, window: SlidingWindow | None = None) -> list[str]:
        return []

    def geometry(self, o: Any, window: SlidingWindow | None = None) -> str:
        """What the layer slides, in `cnncalc calc`'s option words, for the summary's Geometry column:
        `k3 s2 p1 d2 ceil` (kernel and stride always; padding, dilation and ceil_mode only when they are
        not the default; `3x5` for a pair, `p0x1x0x1` for padding uneven per side, top bottom left right).
        "" for an op that slides no window."""
        if window is None:
            return ""
        before, after = window.pad_before, window.pad_after
        words = [f"k{pair_text(window.kernel)}", f"s{pair_text(window.stride)}"]
        if before != after:
            words.append(f"p{before[0]}x{after[0]}x{before[1]}x{after[1]}")
        elif any(before):
            words.append(f"p{pair_text(before)}")
        if window.dilation != (1, 1):
            words.append(f"d{pair_text(window.dilation)}")
        return " ".join(words + (["ceil"] if window.ceil_mode else []))

    # -- the same, written out ------------------------------------------------------------------

    def size_steps(self, layer: Layer) -> list[Step]:
        """How the output size arises; nothing for an op that keeps its input's shape."""
        if layer.window is not None:
            return layer.window.size_steps(layer.out[1:], layer.notes)
        return []

    def param_steps(self, layer: Layer) -> list[Step]:
        """The parameter count in symbols and numbers (the analyzer's `params`, conventions applied)."""
        if layer.values["params"]:
            raise MissingFormula(f"op '{self.key}' counts parameters but writes no formula for them (param_steps)")
        return []

    def mac_steps(self, layer: Layer) -> list[Step]:
        """The multiply-accumulates in symbols and numbers (the analyzer's `macs`, batch included)."""
        if layer.values["macs"]:
            raise MissingFormula(f"op '{self.key}' counts MACs but writes no formula for them (mac_steps)")
        return []

    def other_op_steps(self, layer: Layer) -> list[Step]:
        """Other operations worth writing out (a pool's window reads); most ops show none."""
        return []

    def field_steps(self, layer: Layer, before: ReceptiveField, after: ReceptiveField) -> list[Step]:
        """How the receptive field grows from the input's (`before`) to the output's (`after`)."""
        if layer.window is not None:
            return layer.window.field_steps(before, after)
        return [Step("receptive field", "", "", max(after.size), "px")]

    def lost_steps(self, layer: Layer) -> list[Step]:
        """The pixels a strided window never reaches (the 224-vs-227 trap)."""
        return layer.window.lost_steps() if layer.window is not None else []

    def mac_term(self, layer: Layer) -> str:
        """The layer's MACs per sample as one product, for a sum over a branch: '28·28·16·192'."""
        return num(layer.values["macs"] // layer.batch)

    def branch_steps(self, join: Layer, branches: list[tuple[str, list[Layer]]], module: str,
                     inside: list[Layer]) -> list[Step]:
        """For a `branch_join` op: the cost of each branch (label, its layers) that `join` joins, and
        of the whole `module` when its layers (`inside`, the join excepted) are just the branches."""
        return []

    def unreduced_step(self, reduce: Layer, main: Layer, label: str) -> Step | None:
        """For a `bottleneck` op: the cost of `main` on the input of the 1x1 `reduce` before it."""
        return None

    def channels_reason(self, out: Shape) -> str | None:
        """Why the output has its channels, when the op decides them ('96 filters')."""
        return None

    def holds_memory(self, conventions: Conventions, inputs: list[Shape], out: Shape) -> bool:
        """Whether a layer of this op, with these input and output shapes, counts in activation memory
        under these conventions."""
        return self.allocates

    def memory_note(self, conventions: Conventions) -> str | None:
        """Why a layer of this op adds no activation memory."""
        return None if self.allocates else "a view or an inference no-op: no memory of its own"


REGISTRY: dict[str, Op] = {}


def register(op_class: type[Op]) -> type[Op]:
    REGISTRY[op_class.key] = op_class()
    return op_class


def _overrides(op: Op, method: str) -> bool:
    return getattr(type(op), method) is not getattr(Op, method)


def formula_gaps(ops: Mapping[str, Op] | None = None) -> list[str]:
    """The ops (by default every registered one) that count parameters or MACs but do not write
    them out: each would print an empty formula in `explain` and `grade`."""
    gaps = []
    for key, op in (REGISTRY if ops is None else ops).items():
        for counted, written in (("params", "param_steps"), ("macs", "mac_steps")):
            if _overrides(op, counted) and not _overrides(op, written):
                gaps.append(f"{key}: overrides {counted} but not {written}")
    return gaps


def numel(shape: Shape) -> int:
    total = 1
    for dim in shape:
        total *= dim
    return total


def require_spatial(shape: Shape, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise OpError(f"{what} needs a CxHxW input, got a flat vector of {shape[0]}")
    return shape
