"""The executor's numeric kernels against naive nested-loop references written out here from the
definitions (PyTorch's semantics), on small random cases; and against torch itself when installed."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc.ops.spatial import resolve_padding
from cnncalc.reference import kernels as K

SETTINGS = settings(max_examples=60, deadline=None)


# -- naive references --------------------------------------------------------------------------

def naive_conv(x, w, b, stride, pads, dilation, groups):
    """out[n, o, i, j] = b[o] + sum over the group's channels c and taps (a, e) of
    x_padded[n, c, i·s + a·d, j·s + e·d] · w[o, c, a, e]."""
    n, cin, h, wd = x.shape
    cout, cpg, kh, kw = w.shape
    (top, left), (bottom, right) = pads
    xp = np.zeros((n, cin, h + top + bottom, wd + left + right))
    xp[:, :, top:top + h, left:left + wd] = x
    ho = (h + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, cout, ho, wo))
    per_group = cout // groups
    for s in range(n):
        for o in range(cout):
            g = o // per_group
            for i in range(ho):
                for j in range(wo):
                    total = 0.0 if b is None else float(b[o])
                    for c in range(cpg):
                        for a in range(kh):
                            for e in range(kw):
                                total += xp[s, g * cpg + c, i * stride[0] + a * dilation[0], j * stride[1] + e * dilation[1]] * w[o, c, a, e]
                    out[s, o, i, j] = total
    return out


def torch_pool_size(size, k, s, p, ceil_mode):
    """PyTorch's pooling output size, as its documentation writes it."""
    if not ceil_mode:
        return (size + 2 * p - k) // s + 1
    out = math.ceil((size + 2 * p - k) / s) + 1
    if (out - 1) * s >= size + p:  # the last window must start inside the image or the left padding
        out -= 1
    return out


def naive_pool(x, kind, k, s, p, ceil_mode):
    """PyTorch's max_pool2d / avg_pool2d (count_include_pad=True) / lp_pool2d(p=2) window by window."""
    n, c, h, w = x.shape
    ho, wo = torch_pool_size(h, k[0], s[0], p[0], ceil_mode), torch_pool_size(w, k[1], s[1], p[1], ceil_mode)
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * s[0] - p[0], j * s[1] - p[1]
            r1, c1 = min(r0 + k[0], h + p[0]), min(c0 + k[1], w + p[1])
            divisor = (r1 - r0) * (c1 - c0)  # padding counts, ceil_mode's overhang does not
            window = x[:, :, max(r0, 0):min(r1, h), max(c0, 0):min(c1, w)]
            if kind == "max":
                out[:, :, i, j] = window.max(axis=(2, 3))
            elif kind == "avg":
                out[:, :, i, j] = window.sum(axis=(2, 3)) / divisor
            else:
                out[:, :, i, j] = np.sqrt((window ** 2).sum(axis=(2, 3)))
    return out


def naive_conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups):
    """Scatter: input pixel (i, j) adds x·w[c, o, a, e] at (i·s + a·d - p, j·s + e·d - p)."""
    n, cin, h, wd = x.shape
    _, cpg, kh, kw = w.shape
    cout = cpg * groups
    ho = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    wo = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    out = np.zeros((n, cout, ho, wo))
    per_group = cin // groups
    for s in range(n):
        for c in range(cin):
            g = c // per_group
            for i in range(h):
                for j in range(wd):
                    for o in range(cpg):
                        for a in range(kh):
                            for e in range(kw):
                                r = i * stride[0] + a * dilation[0] - padding[0]
                                q = j * stride[1] + e * dilation[1] - padding[1]
                                if 0 <= r < ho and 0 <= q < wo:
                                    out[s, g * cpg + o, r, q] += x[s, c, i, j] * w[c, o, a, e]
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


# -- strategies ----------------------------------------------------------------------------------

@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    h, w = draw(st.integers(dilation[0] * (kh - 1) + 1, 7)), draw(st.integers(dilation[1] * (kw - 1) + 1, 7))
    padding = draw(st.sampled_from([0, 1, (0, 2), (1, 0, 2, 1), "same", "valid"]))
    pads = resolve_padding(padding, (h, w), (kh, kw), stride, dilation)
    seed = draw(st.integers(0, 2**16))
    return cin, cout, groups, (kh, kw), stride, dilation, (h, w), pads, seed


@SETTINGS
@given(conv_cases(), st.booleans())
def test_conv_equals_the_naive_loops(case, with_bias):
    cin, cout, groups, kernel, stride, dilation, (h, w), pads, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, cin, h, w)).astype(np.float32)
    weight = rng.standard_normal((cout, cin // groups, *kernel)).astype(np.float32)
    bias = rng.standard_normal(cout).astype(np.float32) if with_bias else None
    got = K.conv2d(x, weight, bias, stride, pads, dilation, groups)
    want = naive_conv(x, weight, bias, stride, pads, dilation, groups)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("band_bytes", [1, 400])
def test_banded_im2col_equals_the_naive_loops(monkeypatch, band_bytes):
    """Large layers build their columns a band of output rows at a time: force it on small cases
    (bands of one row, and of a few) and compare with the loops."""
    monkeypatch.setattr(K, "COLUMNS_BYTES", 0)
    monkeypatch.setattr(K, "BAND_BYTES", band_bytes)
    rng = np.random.default_rng(7)
    for groups, stride, dilation, padding in ((1, (1, 1), (1, 1), 1), (2, (2, 1), (1, 2), (0, 1, 2, 1)), (4, (1, 2), (2, 1), 0)):
        x = rng.standard_normal((2, 4, 9, 8)).astype(np.float32)
        weight = rng.standard_normal((4, 4 // groups, 3, 2)).astype(np.float32)
        pads = resolve_padding(padding, (9, 8), (3, 2), stride, dilation)
        got = K.conv2d(x, weight, None, stride, pads, dilation, groups)
        np.testing.assert_allclose(got, naive_conv(x, weight, None, stride, pads, dilation, groups), rtol=1e-4, atol=1e-4)


def test_same_padding_is_asymmetric_bottom_right():
    """'same' on 6 with k=2, s=1 pads 0 top/left and 1 bottom/right (TensorFlow): a 2x2 ones kernel
    then sums each pixel with its right and lower neighbours, so the last column sees zeros."""
    x = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)
    pads = resolve_padding("same", (6, 6), (2, 2), (1, 1), (1, 1))
    out = K.conv2d(x, np.ones((1, 1, 2, 2), np.float32), None, (1, 1), pads, (1, 1), 1)
    assert out.shape == (1, 1, 6, 6)
    assert out[0, 0, 0, 0] == 0 + 1 + 6 + 7
    assert out[0, 0, 0, 5] == 5 + 11           # right neighbours are padding
    assert out[0, 0, 5, 5] == 35


def test_depthwise_conv_keeps_channels_apart():
    x = np.stack([np.full((4, 4), 1.0), np.full((4, 4), 10.0)])[None].astype(np.float32)
    weight = np.ones((2, 1, 3, 3), np.float32)
    out = K.conv2d(x, weight, None, (1, 1), ((0, 0), (0, 0)), (1, 1), groups=2)
    np.testing.assert_array_equal(out[0, :, 0, 0], [9.0, 90.0])


@st.composite
def pool_cases(draw):
    kind = draw(st.sampled_from(["max", "avg", "l2"]))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    h = draw(st.integers(max(k[0] - 2 * p[0], 1), 9))
    w = draw(st.integers(max(k[1] - 2 * p[1], 1), 9))
    return kind, k, s, p, (h, w), draw(st.booleans()), draw(st.integers(0, 2**16))


@SETTINGS
@given(pool_cases())
def test_pooling_equals_the_naive_loops(case):
    kind, k, s, p, (h, w), ceil_mode, seed = case
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w)).astype(np.float32)
    got = K.pool2d(x, kind, k, s, (p, p), ceil_mode)
    want = naive_pool(x, kind, k, s, p, ceil_mode)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_ceil_mode_keeps_a_partial_last_window():
    """5 wide, 2x2 windows, stride 2: floor gives 2 windows; ceil adds the lone last column."""
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    assert K.pool2d(x, "max", (2, 2), (2, 2), ((0, 0), (0, 0)), False).shape == (1, 1, 2, 2)
    out = K.pool2d(x, "max", (2, 2), (2, 2), ((0, 0), (0, 0)), True)
    np.testing.assert_array_equal(out[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    avg = K.pool2d(x, "avg", (2, 2), (2, 2), ((0, 0), (0, 0)), True)
    assert avg[0, 0, 2, 2] == 24  # the overhang is not in the divisor: 24 / 1


@SETTINGS
@given(st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
       st.integers(0, 1), st.integers(0, 1), st.integers(0, 2**16))
def test_conv_transpose_equals_the_naive_scatter(groups, per, k, s, d, p, op, seed):
    op = op if op < max(s, d) else 0
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, groups * per, 3, 4)).astype(np.float32)
    w = rng.standard_normal((groups * per, 2, k, k)).astype(np.float32)
    b = rng.standard_normal(2 * groups).astype(np.float32)
    want = naive_conv_transpose(x, w, b, (s, s), (p, p), (op, op), (d, d), groups)
    if min(want.shape[2:]) <= 0:
        return
    got = K.conv_transpose2d(x, w, b, (s, s), (p, p), (op, op), (d, d), groups)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_adaptive_avg_pool_uses_overlapping_windows():
    """5 -> 3: rows [0,2), [1,4), [3,5) (floor(i·5/3) .. ceil((i+1)·5/3))."""
    x = np.arange(5, dtype=np.float32).reshape(1, 1, 5, 1)
    out = K.adaptive_avg_pool2d(x, (3, 1))
    np.testing.assert_allclose(out[0, 0, :, 0], [0.5, 2.0, 3.5])


def test_lrn_matches_its_definition():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 7, 2, 2)).astype(np.float32)
    size, alpha, beta, k = 5, 1e-2, 0.75, 2.0
    want = np.empty_like(x)
    for c in range(7):
        lo, hi = max(0, c - size // 2), min(7, c + (size - 1) // 2 + 1)
        want[:, c] = x[:, c] / (k + alpha / size * (x[:, lo:hi] ** 2).sum(axis=1)) ** beta
    np.testing.assert_allclose(K.lrn(x, size, alpha, beta, k), want, rtol=1e-5)


def test_bilinear_upsample_uses_half_pixel_centres():
    """[0, 10] x2 with align_corners=False: centres at -0.25, 0.25, 0.75, 1.25 -> 0, 2.5, 7.5, 10."""
    x = np.array([[[[0.0, 10.0]]]], np.float32)
    np.testing.assert_allclose(K.upsample(x, (1, 2), "bilinear")[0, 0, 0], [0, 2.5, 7.5, 10])
    np.testing.assert_array_equal(K.upsample(x, (2, 2), "nearest")[0, 0], [[0, 0, 10, 10]] * 2)


def test_batchnorm_and_layernorm_normalise():
    x = np.random.default_rng(2).standard_normal((3, 4, 5, 5)).astype(np.float32)
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    out = K.batchnorm(x, mean, var, np.full(4, 2, np.float32), np.full(4, 1, np.float32), 0.0)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 1, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 2, atol=1e-4)
    ln = K.layernorm(x, np.ones(4, np.float32), np.zeros(4, np.float32), 0.0)
    np.testing.assert_allclose(ln.mean(axis=1), 0, atol=1e-5)


@pytest.mark.parametrize("name, x, want", [
    ("relu", [-1.0, 2.0], [0, 2]),
    ("relu6", [-1.0, 7.0], [0, 6]),
    ("leaky_relu", [-100.0, 1.0], [-1, 1]),
    ("sigmoid", [0.0], [0.5]),
    ("hardsigmoid", [-3.0, 0.0, 3.0], [0, 0.5, 1]),
    ("hardswish", [-3.0, 3.0, 1.0], [0, 3, 1 * 4 / 6]),
    ("silu", [0.0], [0.0]),
    ("gelu", [1.0], [0.5 * (1 + math.erf(1 / math.sqrt(2)))]),
    ("elu", [-1.0], [math.exp(-1) - 1]),
    ("selu", [1.0], [1.0507009873554805]),
    ("mish", [1.0], [math.tanh(math.log1p(math.e))]),
    ("tanh", [1.0], [math.tanh(1.0)]),
])
def test_activations_at_known_points(name, x, want):
    got = K.activate(name, np.array([x], np.float32))
    np.testing.assert_allclose(got[0], want, rtol=1e-6, atol=1e-6)


def test_softmax_sums_to_one_over_channels():
    x = np.random.default_rng(3).standard_normal((2, 5, 3, 3)).astype(np.float32)
    np.testing.assert_allclose(K.activate("softmax", x).sum(axis=1), 1, rtol=1e-6)


# -- optional cross-check against PyTorch ------------------------------------------------------

@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed (it is optional)")
@SETTINGS
@given(conv_cases(), pool_cases())
def test_against_torch(conv, pool):
    import torch

    F = torch.nn.functional
    cin, cout, groups, kernel, stride, dilation, (h, w), pads, seed = conv
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
    weight = rng.standard_normal((cout, cin // groups, *kernel)).astype(np.float32)
    (top, left), (bottom, right) = pads
    padded = F.pad(torch.from_numpy(x), (left, right, top, bottom))
    want = F.conv2d(padded, torch.from_numpy(weight), None, stride, 0, dilation, groups).numpy()
    np.testing.assert_allclose(K.conv2d(x, weight, None, stride, pads, dilation, groups), want, rtol=1e-4, atol=1e-4)

    kind, k, s, p, (h, w), ceil_mode, seed = pool
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((1, 2, h, w)).astype(np.float32))
    reference = {"max": F.max_pool2d, "avg": F.avg_pool2d}.get(kind)
    if reference is not None:
        want = reference(x, k, s, p, ceil_mode=ceil_mode).numpy()
        np.testing.assert_allclose(K.pool2d(x.numpy(), kind, k, s, (p, p), ceil_mode), want, rtol=1e-5, atol=1e-5)
