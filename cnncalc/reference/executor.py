"""Run a compiled `Graph` forward in NumPy (float32), with random weights from a seeded generator.

Each layer's parameter arrays are created the first time the layer runs, sized from the tensor
that actually reaches it (not from the analyzer's shapes), one array per tensor: weight, bias,
gamma, beta as learnable parameters and running mean / variance as buffers. So the sum of their
sizes is an independent parameter count to hold against the analyzer's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnncalc.graph import Graph, Node
from cnncalc.ops.spatial import pair, resolve_padding
from cnncalc.reference import kernels as K

DTYPE = np.float32


class ExecutionError(Exception):
    """NumPy could not run a layer on the tensors that reached it."""

    def __init__(self, node: Node, message: str):
        super().__init__(message)
        self.node = node


@dataclass
class LayerParams:
    learnable: dict[str, np.ndarray] = field(default_factory=dict)  # weight, bias, gamma, beta
    buffers: dict[str, np.ndarray] = field(default_factory=dict)    # running_mean, running_var

    @property
    def count(self) -> int:
        return sum(a.size for a in self.learnable.values())

    @property
    def buffer_count(self) -> int:
        return sum(a.size for a in self.buffers.values())


@dataclass
class Pass:
    """One forward pass: every layer's output shape (with the batch) and seconds, and the outputs."""

    shapes: dict[str, tuple[int, ...]]
    seconds: dict[str, float]
    outputs: dict[str, np.ndarray]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


# -- parameters ----------------------------------------------------------------------------------

def _normal(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> np.ndarray:
    out = rng.standard_normal(shape, dtype=DTYPE)
    out *= DTYPE(std)
    return out


def _weight_and_bias(weight: np.ndarray, bias: np.ndarray, with_bias: bool) -> LayerParams:
    return LayerParams({"weight": weight, **({"bias": bias} if with_bias else {})})


def _conv_params(o, shapes, rng, flip) -> LayerParams:
    cin = shapes[0][0]
    kh, kw = pair(o.kernel)
    shape = (o.filters, cin // o.groups, kh, kw)
    if o.weights is not None:  # a worked example's kernel: biases are zero
        weight = np.array(o.weights, dtype=DTYPE).reshape(shape)
        bias = np.zeros(o.filters, DTYPE)
    else:
        weight = _normal(rng, shape, (2.0 / (shape[1] * kh * kw)) ** 0.5)  # He: keeps activations O(1)
        bias = _normal(rng, (o.filters,), 0.01)
    if flip:  # true convolution: the kernel turned 180 degrees
        weight = np.ascontiguousarray(weight[:, :, ::-1, ::-1])
    return _weight_and_bias(weight, bias, o.bias)


def _conv_transpose_params(o, shapes, rng, flip) -> LayerParams:
    cin = shapes[0][0]
    kh, kw = pair(o.kernel)
    shape = (cin, o.filters // o.groups, kh, kw)
    weight = _normal(rng, shape, (2.0 / (cin // o.groups * kh * kw)) ** 0.5)
    return _weight_and_bias(weight, _normal(rng, (o.filters,), 0.01), o.bias)


def _dense_params(o, shapes, rng, flip) -> LayerParams:
    features = shapes[0][0]
    weight = _normal(rng, (o.units, features), (2.0 / features) ** 0.5)
    return _weight_and_bias(weight, _normal(rng, (o.units,), 0.01), o.bias)


def _affine(channels: int, rng) -> dict[str, np.ndarray]:
    return {"gamma": 1 + _normal(rng, (channels,), 0.1), "beta": _normal(rng, (channels,), 0.1)}


def _batchnorm_params(o, shapes, rng, flip) -> LayerParams:
    c = shapes[0][0]
    buffers = {"running_mean": _normal(rng, (c,), 0.1), "running_var": rng.uniform(0.5, 1.5, c).astype(DTYPE)}
    return LayerParams(_affine(c, rng) if o.affine else {}, buffers)


def _layernorm_params(o, shapes, rng, flip) -> LayerParams:
    return LayerParams(_affine(shapes[0][0], rng))


PARAMS: dict[str, Callable[..., LayerParams]] = {
    "conv": _conv_params, "conv_transpose": _conv_transpose_params, "dense": _dense_params,
    "batchnorm": _batchnorm_params, "layernorm": _layernorm_params,
}


# -- the forward of each op ----------------------------------------------------------------------

def _fused(o, out: np.ndarray) -> np.ndarray:
    """The `activation:` option of conv, dense and the joins."""
    return K.activate(o.activation, out, o, in_place=True) if getattr(o, "activation", None) else out


def _conv(o, xs, p: LayerParams):
    x = xs[0]
    kernel, stride, dilation = pair(o.kernel), pair(o.stride), pair(o.dilation)
    pads = resolve_padding(o.padding, x.shape[2:], kernel, stride, dilation)
    return _fused(o, K.conv2d(x, p.learnable["weight"], p.learnable.get("bias"), stride, pads, dilation, o.groups))


def _conv_transpose(o, xs, p: LayerParams):
    out = K.conv_transpose2d(xs[0], p.learnable["weight"], p.learnable.get("bias"), pair(o.stride), pair(o.padding),
                             pair(o.output_padding), pair(o.dilation), o.groups)
    return _fused(o, out)


def _pool(kind: str):
    def run(o, xs, p):
        kernel = pair(o.kernel)
        stride = pair(o.stride if o.stride is not None else o.kernel)
        pads = resolve_padding(o.padding, xs[0].shape[2:], kernel, stride, (1, 1))
        return K.pool2d(xs[0], kind, kernel, stride, pads, o.ceil_mode)
    return run


def _batchnorm(o, xs, p: LayerParams):
    b, lp = p.buffers, p.learnable
    return K.batchnorm(xs[0], b["running_mean"], b["running_var"], lp.get("gamma"), lp.get("beta"), o.eps)


def _zeropad(o, xs, p):
    pads = resolve_padding(o.padding, xs[0].shape[2:], (1, 1), (1, 1), (1, 1))
    return K.pad_hw(xs[0], pads, {"zeros": "constant"}.get(o.mode, o.mode))


def _sum(o, xs, p):
    out = xs[0] + xs[1]
    for x in xs[2:]:
        out += x
    return _fused(o, out)


def _product(o, xs, p):
    out = xs[0] * xs[1]
    for x in xs[2:]:
        out = out * x
    return _fused(o, out)


def _activation(name: str):
    return lambda o, xs, p: K.activate(name, xs[0], o)


RUN: dict[str, Callable[[Any, list[np.ndarray], LayerParams], np.ndarray]] = {
    "conv": _conv,
    "conv_transpose": _conv_transpose,
    "dense": lambda o, xs, p: _fused(o, K.dense(xs[0], p.learnable["weight"], p.learnable.get("bias"))),
    "flatten": lambda o, xs, p: xs[0].reshape(len(xs[0]), -1),
    "maxpool": _pool("max"), "avgpool": _pool("avg"), "l2pool": _pool("l2"),
    "global_avgpool": lambda o, xs, p: xs[0].mean(axis=(2, 3), keepdims=True),
    "global_maxpool": lambda o, xs, p: xs[0].max(axis=(2, 3), keepdims=True),
    "adaptive_avgpool": lambda o, xs, p: K.adaptive_avg_pool2d(xs[0], pair(o.size)),
    "batchnorm": _batchnorm,
    "layernorm": lambda o, xs, p: K.layernorm(xs[0], p.learnable["gamma"], p.learnable["beta"], o.eps),
    "lrn": lambda o, xs, p: K.lrn(xs[0], o.size, o.alpha, o.beta, o.k),
    "dropout": lambda o, xs, p: xs[0],   # the identity at inference
    "identity": lambda o, xs, p: xs[0],
    "zeropad": _zeropad,
    "upsample": lambda o, xs, p: K.upsample(xs[0], pair(o.scale), o.mode),
    "channel_pad": lambda o, xs, p: K.channel_pad(xs[0], o.channels, o.stride),
    "add": _sum,
    "multiply": _product,
    "concat": lambda o, xs, p: _fused(o, np.concatenate(xs, axis=1)),
    **{name: _activation(name) for name in K.ACTIVATIONS},
}


class Executor:
    """Holds a graph's random parameters (made on first use, from `seed`) and runs it forward."""

    def __init__(self, graph: Graph, seed: int = 0, flip: bool = False):
        self.graph = graph
        self.flip = flip
        self.rng = np.random.default_rng(seed)
        self.params: dict[str, LayerParams] = {}

    def random_input(self, batch: int) -> np.ndarray:
        return self.rng.standard_normal((batch, *self.graph.input_shape), dtype=DTYPE)

    def forward(self, x: np.ndarray, on_layer: Callable[[Node, np.ndarray, float], None] | None = None) -> Pass:
        """Run every node in order, calling on_layer(node, output, seconds) after each; a tensor is
        dropped as soon as its last reader has run."""
        readers: dict[str, int] = {}
        for node in self.graph.nodes:
            for name in node.inputs:
                readers[name] = readers.get(name, 0) + 1
        live: dict[str, np.ndarray] = {}
        result = Pass({}, {}, {})
        for node in self.graph.nodes:
            xs = [live[name] for name in node.inputs]
            params = self._params(node, xs)
            start = time.perf_counter()
            try:
                out = x.astype(DTYPE, copy=False) if node.op == "input" else RUN[node.op](node.options, xs, params)
            except (ValueError, IndexError, FloatingPointError) as exc:
                raise ExecutionError(node, str(exc)) from None
            result.seconds[node.name] = time.perf_counter() - start
            result.shapes[node.name] = out.shape
            live[node.name] = out
            for name in node.inputs + [node.name]:
                if name != node.name:
                    readers[name] -= 1
                if readers.get(name, 0) == 0 and name not in self.graph.outputs:
                    live.pop(name, None)
            if on_layer is not None:
                on_layer(node, out, result.seconds[node.name])
        result.outputs = {name: live[name] for name in self.graph.outputs}
        return result

    def _params(self, node: Node, xs: list[np.ndarray]) -> LayerParams:
        if node.name not in self.params:
            make = PARAMS.get(node.op)
            shapes = [x.shape[1:] for x in xs]
            self.params[node.name] = make(node.options, shapes, self.rng, self.flip) if make else LayerParams()
        return self.params[node.name]
