"""Ops that keep the shape: activations, normalisation, dropout, identity.

batchnorm: 2C learnable (gamma, beta) + 2C running statistics (buffers: not parameters in
PyTorch, "non-trainable params" in Keras). layernorm (over channels): 2C. LRN: no parameters.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from cnncalc.formulas import Step
from cnncalc.ops.base import (
    ACTIVATIONS,
    Layer,
    NoOptions,
    Op,
    Options,
    ParamCount,
    PositiveInt,
    Shape,
    numel,
    register,
)


class Activation(Op):
    prefix = ""
    description = "activation function"

    def other_ops(self, o, inputs, out) -> int:
        return numel(out)


class LeakyReluOptions(Options):
    negative_slope: float = 0.01


class EluOptions(Options):
    alpha: float = 1.0


_ACTIVATION_OPTIONS: dict[str, tuple[type[Options], str | None]] = {
    "leaky_relu": (LeakyReluOptions, "negative_slope"), "elu": (EluOptions, "alpha"),
}

for _name in ACTIVATIONS:
    _options, _primary = _ACTIVATION_OPTIONS.get(_name, (NoOptions, None))
    register(type(f"Activation_{_name}", (Activation,), {
        "key": _name, "options": _options, "primary": _primary, "prefix": _name,
        "description": f"{_name} activation",
    }))


class BatchNormOptions(Options):
    eps: float = 1e-5
    affine: bool = True


def _channels(shape: Shape) -> int:
    return shape[0]


@register
class BatchNorm(Op):
    key = "batchnorm"
    options = BatchNormOptions
    prefix = "bn"
    description = "batch normalisation (inference: a per-channel scale and shift)"

    def params(self, o: BatchNormOptions, inputs: list[Shape], out: Shape) -> ParamCount:
        c = _channels(inputs[0])
        return ParamCount(weights=2 * c if o.affine else 0, buffers=2 * c)

    def param_steps(self, layer: Layer) -> list[Step]:
        """2·C (a scale and a shift per channel), + 2·C running statistics when they count (Keras)."""
        if not layer.values["params"]:
            return []
        c = _channels(layer.inputs[0])
        terms = [("2·C", f"2·{c}")] if layer.options.affine else []
        if layer.conventions.bn_stats == "keras":
            terms.append(("2·C", f"2·{c}"))
            layer.notes.append("the running mean and variance count as non-trainable params (--bn-stats keras)")
        return [Step("params", " + ".join(t[0] for t in terms), " + ".join(t[1] for t in terms),
                     layer.values["params"], "params")]

    def other_ops(self, o, inputs, out) -> int:
        return 2 * numel(out)


class LayerNormOptions(Options):
    eps: float = 1e-5


@register
class LayerNorm(Op):
    key = "layernorm"
    options = LayerNormOptions
    prefix = "ln"
    description = "layer normalisation over the channels (ConvNeXt's LayerNorm2d)"

    def params(self, o: LayerNormOptions, inputs: list[Shape], out: Shape) -> ParamCount:
        return ParamCount(weights=2 * _channels(inputs[0]))

    def param_steps(self, layer: Layer) -> list[Step]:
        """2·C: a scale and a shift per channel."""
        if not layer.values["params"]:
            return []
        return [Step("params", "2·C", f"2·{_channels(layer.inputs[0])}", layer.values["params"], "params")]

    def other_ops(self, o, inputs, out) -> int:
        return 5 * numel(out)


class LRNOptions(Options):
    size: PositiveInt = 5
    alpha: float = 1e-4
    beta: float = 0.75
    k: float = 2.0


@register
class LRN(Op):
    key = "lrn"
    options = LRNOptions
    primary = "size"
    prefix = "lrn"
    description = "local response normalisation across channels (AlexNet)"

    def other_ops(self, o: LRNOptions, inputs, out) -> int:
        return numel(out) * o.size


class DropoutOptions(Options):
    rate: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.5


@register
class Dropout(Op):
    key = "dropout"
    options = DropoutOptions
    primary = "rate"
    prefix = "dropout"
    allocates = False
    description = "dropout (the identity at inference)"


@register
class Identity(Op):
    key = "identity"
    prefix = "identity"
    allocates = False
    description = "passes its input through"
