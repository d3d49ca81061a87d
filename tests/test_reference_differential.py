"""Differential tests: random valid specs, sequential and branched, compiled and analyzed, then run
by the NumPy executor; every layer's shape and parameter count must agree.

The generator keeps its own running shape with the textbook formulas (written out below, not read
from cnncalc) to draw only layers that fit; the final shape is a third, independent figure.
"""

from __future__ import annotations

import math

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.reference.agreement import checked_forward
from cnncalc.reference.executor import Executor
from cnncalc.spec import load_graph_text

ACTIVATIONS = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hardsigmoid", "tanh",
               "softmax", "silu", "swish", "hardswish", "mish"]
MAX_SIDE = 24


def conv_out(size, k, s, d, before, after):
    return (size + before + after - d * (k - 1) - 1) // s + 1


def pool_out(size, k, s, p, ceil_mode):
    if not ceil_mode:
        return (size + 2 * p - k) // s + 1
    out = math.ceil((size + 2 * p - k) / s) + 1
    return out - 1 if (out - 1) * s >= size + p else out


class Builder:
    """Draws layers that fit the running shape (c, h, w), or (f,) once flat."""

    def __init__(self, draw, c, h, w):
        self.draw, self.shape, self.count = draw, (c, h, w), 0

    def name(self, stem):
        self.count += 1
        return f"{stem}{self.count}"

    def pair(self, low, high):
        a = self.draw(st.integers(low, high))
        return a if self.draw(st.booleans()) else [a, self.draw(st.integers(low, high))]

    def conv(self):
        """Any kernel, stride, dilation, padding (int, pair, [t, b, l, r], same, valid) and groups
        (depthwise when groups = channels) whose dilated kernel fits the padded input."""
        c, h, w = self.shape
        groups = self.draw(st.sampled_from([g for g in range(1, c + 1) if c % g == 0]))
        filters = groups * self.draw(st.integers(1, max(1, 6 // groups) if groups < c else 1))
        stride, dilation = self.pair(1, 3), self.pair(1, 2)
        s, d = _two(stride), _two(dilation)
        padding = self.draw(st.sampled_from(["same", "valid", 0, 1, [1, 2], [0, 1, 2, 0]]))
        pads = _pads(padding)
        kernel = []
        for axis, size in enumerate((h, w)):
            room = size + pads[axis][0] + pads[axis][1] if padding != "same" else 99
            kernel.append(self.draw(st.integers(1, min(4, (room - 1) // d[axis] + 1))))  # d(k-1)+1 <= room
        layer = {"conv": filters, "kernel": kernel if kernel[0] != kernel[1] else kernel[0], "stride": stride,
                 "dilation": dilation, "padding": padding, "groups": groups}
        if self.draw(st.booleans()):
            layer["activation"] = self.draw(st.sampled_from(ACTIVATIONS))
        if self.draw(st.booleans()):
            layer["bias"] = False
        if padding == "same":
            self.shape = (filters, -(-h // s[0]), -(-w // s[1]))
        else:
            self.shape = (filters, *(conv_out(size, kernel[a], s[a], d[a], *pads[a]) for a, size in enumerate((h, w))))
        return layer

    def pool(self):
        c, h, w = self.shape
        kind = self.draw(st.sampled_from(["maxpool", "avgpool", "l2pool"]))
        k = self.draw(st.integers(1, min(3, h, w) + (1 if min(h, w) >= 2 else 0)))
        p = self.draw(st.integers(0, k // 2))
        k = min(k, min(h, w) + 2 * p)
        p = min(p, k // 2)
        s = self.draw(st.integers(1, 3))
        ceil_mode = self.draw(st.booleans())
        self.shape = (c, pool_out(h, k, s, p, ceil_mode), pool_out(w, k, s, p, ceil_mode))
        return {kind: {"kernel": k, "stride": s, "padding": p, "ceil_mode": ceil_mode}}

    def conv_transpose(self):
        c, h, w = self.shape
        k, s, d = self.draw(st.integers(1, 3)), self.draw(st.integers(1, 2)), self.draw(st.integers(1, 2))
        op = self.draw(st.integers(0, max(s, d) - 1))
        filters = self.draw(st.integers(1, 4))
        sizes = [(size - 1) * s + d * (k - 1) + op + 1 for size in (h, w)]
        p = self.draw(st.integers(0, max(0, (min(sizes) - 1) // 2)))
        self.shape = (filters, sizes[0] - 2 * p, sizes[1] - 2 * p)
        return {"conv_transpose": filters, "kernel": k, "stride": s, "dilation": d, "padding": p, "output_padding": op}

    def residual(self):
        c, h, w = self.shape
        stride = 2 if h % 2 == 0 and w % 2 == 0 and self.draw(st.booleans()) else 1
        width = self.draw(st.sampled_from([c, c + 2, 2 * c]))
        body = [{"conv": width, "kernel": 3, "padding": 1, "stride": stride}, "batchnorm", "relu",
                {"conv": width, "kernel": 3, "padding": 1}]
        layer = {"residual": body, "activation": "relu"}
        if (width, stride) != (c, 1):
            layer["shortcut"] = self.draw(st.sampled_from(["auto", "projection", "zero_pad"]))
        self.shape = (width, h // stride, w // stride)
        return layer

    def inception(self):
        c, h, w = self.shape
        branches, channels = [], 0
        for _ in range(self.draw(st.integers(2, 3))):
            kind = self.draw(st.sampled_from(["1x1", "3x3", "pool", "skip"]))
            filters = self.draw(st.integers(1, 4))
            branches.append({
                "1x1": [{"conv": filters, "kernel": 1}],
                "3x3": [{"conv": filters, "kernel": 1}, {"conv": filters, "kernel": 3, "padding": 1}],
                "pool": [{"maxpool": {"kernel": 3, "stride": 1, "padding": 1}}, {"conv": filters, "kernel": 1}],
                "skip": [],
            }[kind])
            channels += c if kind == "skip" else filters
        self.shape = (channels, h, w)
        return [{"concat": branches}]

    def squeeze_excite(self):
        """Squeeze-and-excitation: a 1x1 gate from the global average, multiplied back (broadcast)."""
        c = self.shape[0]
        x, gate = self.name("x"), self.name("gate")
        return [{"identity": None, "name": x}, "global_avgpool",
                {"conv": max(1, c // 2), "kernel": 1, "activation": "relu"},
                {"conv": c, "kernel": 1, "activation": "sigmoid", "name": gate},
                {"multiply": None, "from": [x, gate]}]

    def skip_add(self):
        """A DAG join by name (`from:`): a shape-keeping conv's input added to its output."""
        start, body = self.name("start"), self.name("body")
        return [{"identity": None, "name": start}, {"conv": self.shape[0], "kernel": 3, "padding": 1, "name": body},
                {"add": None, "from": [start, body]}]

    def spatial_layer(self):
        c, h, w = self.shape
        small = max(h, w) <= MAX_SIDE // 2
        kind = self.draw(st.sampled_from(
            ["conv", "conv", "conv", "pool", "pool", "residual", "inception", "se", "skip", "norm", "activation",
             "zeropad", "adaptive", "channel_pad"] + (["upsample", "conv_transpose"] if small else [])))
        if kind == "conv":
            return [self.conv()]
        if kind == "pool":
            return [self.pool()]
        if kind == "residual":
            return [self.residual()]
        if kind == "inception":
            return self.inception()
        if kind == "se":
            return self.squeeze_excite()
        if kind == "skip":
            return self.skip_add()
        if kind == "norm":
            return [self.draw(st.sampled_from(["batchnorm", {"batchnorm": {"affine": False}}, "layernorm",
                                               {"lrn": self.draw(st.integers(1, 5))}, {"dropout": 0.3}, "identity"]))]
        if kind == "activation":
            return [self.draw(st.sampled_from(ACTIVATIONS + [{"leaky_relu": 0.2}, {"elu": 0.5}]))]
        if kind == "zeropad":
            padding = self.draw(st.sampled_from([1, [1, 2], [0, 1, 2, 1]]))
            pads = _pads(padding)
            mode = self.draw(st.sampled_from(["zeros", "edge"] + (["reflect"] if min(h, w) > 2 else [])))
            self.shape = (c, h + sum(pads[0]), w + sum(pads[1]))
            return [{"zeropad": padding, "mode": mode}]
        if kind == "adaptive":
            size = self.pair(1, 3)
            self.shape = (c, *_two(size))
            return [{"adaptive_avgpool": size}]
        if kind == "channel_pad":
            channels, stride = c + self.draw(st.integers(0, 3)), self.draw(st.integers(1, 2))
            self.shape = (channels, -(-h // stride), -(-w // stride))
            return [{"channel_pad": channels, "stride": stride}]
        if kind == "upsample":
            scale = self.pair(1, 2)
            self.shape = (c, h * _two(scale)[0], w * _two(scale)[1])
            return [{"upsample": {"scale": scale, "mode": self.draw(st.sampled_from(["nearest", "bilinear"]))}}]
        return [self.conv_transpose()]

    def flat_tail(self):
        """End flat: flatten or a global pool, then dense layers and friends."""
        c, h, w = self.shape
        layers = [self.draw(st.sampled_from(["flatten", "global_avgpool", "global_maxpool"]))]
        if layers[0] != "flatten":
            layers.append("flatten")
            h = w = 1
        features = c * h * w
        for _ in range(self.draw(st.integers(1, 3))):
            kind = self.draw(st.sampled_from(["dense", "dense", "batchnorm", "layernorm", "dropout", "softmax"]))
            if kind == "dense":
                features = self.draw(st.integers(1, 16))
                layer = {"dense": features}
                if self.draw(st.booleans()):
                    layer["activation"] = self.draw(st.sampled_from(ACTIVATIONS))
                layers.append(layer)
            else:
                layers.append(kind)
        self.shape = (features,)
        return layers


@st.composite
def random_specs(draw):
    """A spec dict and the output shape the generator expects."""
    c, h, w = draw(st.integers(1, 4)), draw(st.integers(1, 12)), draw(st.integers(1, 12))
    builder = Builder(draw, c, h, w)
    layers = []
    for _ in range(draw(st.integers(1, 6))):
        layers += builder.spatial_layer()
        if max(builder.shape[1:]) > MAX_SIDE or builder.shape[0] > 16:  # keep every case small
            layers.append({"adaptive_avgpool": 4})
            layers.append({"conv": 4, "kernel": 1})
            builder.shape = (4, 4, 4)
    if draw(st.booleans()):
        layers += builder.flat_tail()
    return {"name": "random", "input": [c, h, w], "layers": layers}, builder.shape


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(random_specs(), st.integers(1, 2), st.integers(0, 1000))
def test_analyzer_and_executor_agree_on_random_specs(case, batch, seed):
    spec, expected = case
    text = yaml.safe_dump(spec, sort_keys=False)
    graph = load_graph_text(text, "random.yaml")
    executor = Executor(graph, seed=seed)
    checks, result = checked_forward(executor, executor.random_input(batch))
    bad = [c for c in checks if not c.ok]
    assert not bad, f"{bad[0].name}: {bad[0].problem}\n{text}"
    assert result is not None and len(checks) == len(graph.nodes)
    assert graph.nodes[-1].shape == tuple(expected), text      # the generator's own shape arithmetic
    for out in result.outputs.values():
        assert out.dtype == np.float32 and np.isfinite(out).all(), text


def _two(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _pads(padding):
    if padding == "valid":
        return ((0, 0), (0, 0))
    if isinstance(padding, int):
        return ((padding, padding), (padding, padding))
    if len(padding) == 2:
        return ((padding[0], padding[0]), (padding[1], padding[1]))
    top, bottom, left, right = padding
    return ((top, bottom), (left, right))
