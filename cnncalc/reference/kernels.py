"""The numeric forward of each op family, on float32 NumPy arrays laid out NCHW (or NF when flat).

Output sizes are never taken from the analyzer's output-size functions: they fall out of slicing
the padded input (a window fits or it does not), or for a transposed conv out of where the last
input pixel scatters, so comparing them with the analyzer is a real check. What the two share is
the padding convention (`resolve_padding`: how many pixels 'same' or [t, b, l, r] add).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]
Pads = tuple[Pair, Pair]  # ((top, left), (bottom, right))
PadMode = Literal["constant", "edge", "reflect"]  # the NumPy pad modes the zeropad op uses


def pad_hw(x: np.ndarray, pads: Pads, mode: PadMode = "constant", value: float = 0.0) -> np.ndarray:
    """Pad the two trailing (spatial) axes; mode is NumPy's: constant, edge or reflect."""
    (top, left), (bottom, right) = pads
    if not (top or left or bottom or right):
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode=mode)


def windows(x: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    """A view (N, C, Ho, Wo, Kh, Kw) of every window that fits entirely inside x (N, C, H, W)."""
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    view = sliding_window_view(x, extent, axis=(2, 3))
    return view[:, :, ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]


# -- convolutions --------------------------------------------------------------------------------

COLUMNS_BYTES = 32 << 20  # larger im2col matrices are built a band of output rows at a time ...
BAND_BYTES = 4 << 20      # ... of about this size: it stays in cache and its memory is reused


def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Pair, pads: Pads,
           dilation: Pair, groups: int) -> np.ndarray:
    """Cross-correlation (PyTorch's conv2d) by im2col: one matmul per group.

    weight is (Cout, Cin/groups, Kh, Kw). Each sample's input windows are copied into columns
    ordered (group, Cin/groups, Kh, Kw) x (Ho·Wo), so that weight.reshape(groups, Cout/groups, -1)
    @ columns is the whole layer, already NCHW.
    """
    n, cin = x.shape[:2]
    cout, _, kh, kw = weight.shape
    w = weight.reshape(groups, cout // groups, -1)
    xp = pad_hw(x, pads)
    if (kh, kw) == (1, 1):  # a 1x1 conv is a plain matmul over the (subsampled) pixels
        sub = np.ascontiguousarray(xp[:, :, ::stride[0], ::stride[1]])
        out = np.matmul(w, sub.reshape(n, groups, cin // groups, -1)).reshape(n, cout, *sub.shape[2:])
    else:
        view = windows(xp, (kh, kw), stride, dilation).transpose(0, 1, 4, 5, 2, 3)  # (N, C, Kh, Kw, Ho, Wo)
        ho, wo = view.shape[4:]
        row_bytes = n * cin * kh * kw * wo * x.itemsize
        band = ho if row_bytes * ho <= COLUMNS_BYTES else max(1, BAND_BYTES // row_bytes)
        out = None if band == ho else np.empty((n, cout, ho, wo), x.dtype)
        for top in range(0, ho, band):
            part = view[:, :, :, :, top:top + band]
            rows = part.shape[4]
            cols = np.ascontiguousarray(part).reshape(n, groups, (cin // groups) * kh * kw, rows * wo)
            result = np.matmul(w, cols).reshape(n, cout, rows, wo)
            if out is None:
                out = result
            else:
                out[:, :, top:top + rows] = result
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


def conv_transpose2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Pair, padding: Pair,
                     output_padding: Pair, dilation: Pair, groups: int) -> np.ndarray:
    """Transposed conv (PyTorch's conv_transpose2d): every input pixel scatters its kernel-weighted
    values into the output; then `padding` pixels are cropped from each border.

    weight is (Cin, Cout/groups, Kh, Kw), as PyTorch stores it.
    """
    n, cin, h, w = x.shape
    _, cpg, kh, kw = weight.shape
    wg = weight.reshape(groups, cin // groups, cpg * kh * kw).transpose(0, 2, 1)  # (g, Cout/g·Kh·Kw, Cin/g)
    cols = np.matmul(wg, x.reshape(n, groups, cin // groups, h * w)).reshape(n, groups * cpg, kh, kw, h, w)
    full_h = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
    full_w = (w - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
    full = np.zeros((n, groups * cpg, full_h, full_w), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            top, left = i * dilation[0], j * dilation[1]
            rows = slice(top, top + (h - 1) * stride[0] + 1, stride[0])
            columns = slice(left, left + (w - 1) * stride[1] + 1, stride[1])
            full[:, :, rows, columns] += cols[:, :, i, j]
    out = full[:, :, padding[0]:full_h - padding[0], padding[1]:full_w - padding[1]]
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return np.ascontiguousarray(out)


def dense(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """weight is (out, in), as PyTorch's Linear stores it."""
    out = x @ weight.T
    if bias is not None:
        out += bias
    return out


# -- pooling -------------------------------------------------------------------------------------

def _ceil_extra(size: int, kernel: int, stride: int, pad_before: int, pad_after: int) -> int:
    """Positions ceil_mode adds on the right: when the full windows leave pixels uncovered at the
    end, one more, partial window, which PyTorch keeps only if it starts in the image or its left padding."""
    padded = size + pad_before + pad_after
    last_end = (padded - kernel) // stride * stride + kernel
    start = last_end - kernel + stride
    if last_end == padded or start >= size + pad_before:
        return 0
    return start + kernel - padded


def pool2d(x: np.ndarray, kind: str, kernel: Pair, stride: Pair, pads: Pads, ceil_mode: bool) -> np.ndarray:
    """Max, average or L2 pooling over windows that fit the padded input (+ ceil_mode's last one).

    max ignores padding (it pads with -inf); avg counts the explicit padding in its divisor but not
    ceil_mode's overhang (PyTorch's count_include_pad=True); L2 is sqrt(sum of squares) with zeros.
    """
    (top, left), (bottom, right) = pads
    h, w = x.shape[2:]
    extra = (_ceil_extra(h, kernel[0], stride[0], top, bottom), _ceil_extra(w, kernel[1], stride[1], left, right)) \
        if ceil_mode else (0, 0)
    full_pads = ((top, left), (bottom + extra[0], right + extra[1]))
    source = x * x if kind == "l2" else x
    padded = pad_hw(source, full_pads, value=-np.inf if kind == "max" else 0.0)
    out = _reduce_windows(padded, kernel, stride, np.maximum if kind == "max" else np.add)
    if kind == "l2":
        return np.sqrt(out)
    if kind == "avg":
        counts = np.zeros((1, 1, h + top + bottom + extra[0], w + left + right + extra[1]), dtype=x.dtype)
        counts[..., :h + top + bottom, :w + left + right] = 1  # real pixels and explicit padding count
        out /= _reduce_windows(counts, kernel, stride, np.add)
    return out


def _reduce_windows(x: np.ndarray, kernel: Pair, stride: Pair, ufunc: np.ufunc) -> np.ndarray:
    """Combine every window's Kh·Kw values with `ufunc`, one strided pass per kernel offset."""
    view = windows(x, kernel, stride, (1, 1))
    out = view[..., 0, 0].copy()
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            if i or j:
                ufunc(out, view[..., i, j], out=out)
    return out


def adaptive_avg_pool2d(x: np.ndarray, size: Pair) -> np.ndarray:
    """PyTorch's AdaptiveAvgPool2d: output cell i averages rows floor(i·H/oh) .. ceil((i+1)·H/oh)."""
    h, w = x.shape[2:]
    oh, ow = size
    out = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for i in range(oh):
        r0, r1 = i * h // oh, -(-(i + 1) * h // oh)
        for j in range(ow):
            c0, c1 = j * w // ow, -(-(j + 1) * w // ow)
            out[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
    return out


# -- normalisation ---------------------------------------------------------------------------------

def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def batchnorm(x: np.ndarray, mean: np.ndarray, var: np.ndarray, gamma: np.ndarray | None, beta: np.ndarray | None,
              eps: float) -> np.ndarray:
    """Inference: (x - running_mean) / sqrt(running_var + eps) · gamma + beta, as one scale and shift."""
    scale = 1.0 / np.sqrt(var + eps)
    shift = -mean * scale
    if gamma is not None:
        scale, shift = scale * gamma, shift * gamma + beta
    out = x * _per_channel(scale.astype(x.dtype), x.ndim)
    out += _per_channel(shift.astype(x.dtype), x.ndim)
    return out


def layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Normalise over the channel axis at every pixel (ConvNeXt's LayerNorm2d; a plain LayerNorm when flat)."""
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * _per_channel(gamma, x.ndim) + _per_channel(beta, x.ndim)


def lrn(x: np.ndarray, size: int, alpha: float, beta: float, k: float) -> np.ndarray:
    """PyTorch's LocalResponseNorm: x / (k + alpha/size · sum of x² over `size` neighbouring channels)^beta."""
    squares = np.pad(x * x, [(0, 0), (size // 2, (size - 1) // 2)] + [(0, 0)] * (x.ndim - 2))
    cumulative = np.concatenate([np.zeros_like(squares[:, :1]), np.cumsum(squares, axis=1)], axis=1)
    window_sum = cumulative[:, size:] - cumulative[:, :-size]
    return x / (k + alpha / size * window_sum) ** beta


# -- activations -----------------------------------------------------------------------------------

def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (error below 1.5e-7, finer than float32): NumPy has no erf."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # never overflows, unlike 1 / (1 + exp(-x))


def _softmax(x: np.ndarray) -> np.ndarray:
    """Over the channel (or feature) axis."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

ACTIVATIONS = {
    "relu": lambda x, o: np.maximum(x, 0),
    "relu6": lambda x, o: np.clip(x, 0, 6),
    "leaky_relu": lambda x, o: np.where(x >= 0, x, x * getattr(o, "negative_slope", 0.01)),
    "elu": lambda x, o: np.where(x > 0, x, getattr(o, "alpha", 1.0) * np.expm1(np.minimum(x, 0))),
    "selu": lambda x, o: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))),
    "gelu": lambda x, o: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0))),
    "sigmoid": lambda x, o: _sigmoid(x),
    "hardsigmoid": lambda x, o: np.clip(x / 6 + 0.5, 0, 1),
    "tanh": lambda x, o: np.tanh(x),
    "softmax": lambda x, o: _softmax(x),
    "silu": lambda x, o: x * _sigmoid(x),
    "swish": lambda x, o: x * _sigmoid(x),
    "hardswish": lambda x, o: x * np.clip(x / 6 + 0.5, 0, 1),
    "mish": lambda x, o: x * np.tanh(np.logaddexp(0, x)),
}


_IN_PLACE = {"relu": lambda x: np.maximum(x, 0, out=x), "relu6": lambda x: np.clip(x, 0, 6, out=x)}


def activate(name: str, x: np.ndarray, options: object = None, in_place: bool = False) -> np.ndarray:
    """Apply activation `name`; `in_place` lets relu and relu6 overwrite x (a layer's own fresh output)."""
    if in_place and name in _IN_PLACE:
        return _IN_PLACE[name](x)
    return ACTIVATIONS[name](x, options).astype(x.dtype, copy=False)


# -- reshaping -------------------------------------------------------------------------------------

def upsample(x: np.ndarray, scale: Pair, mode: str) -> np.ndarray:
    """nearest: repeat each pixel; bilinear: PyTorch's align_corners=False (half-pixel centres)."""
    if mode == "nearest":
        return x.repeat(scale[0], axis=2).repeat(scale[1], axis=3)
    for axis, s in ((2, scale[0]), (3, scale[1])):
        size = x.shape[axis]
        src = np.maximum((np.arange(size * s) + 0.5) / s - 0.5, 0)
        low = np.floor(src).astype(int)
        high = np.minimum(low + 1, size - 1)
        frac = (src - low).astype(x.dtype)
        shape = [1] * x.ndim
        shape[axis] = -1
        frac = frac.reshape(shape)
        x = np.take(x, low, axis=axis) * (1 - frac) + np.take(x, high, axis=axis) * frac
    return x


def channel_pad(x: np.ndarray, channels: int, stride: int) -> np.ndarray:
    """ResNet option A: keep every stride-th pixel, then add zero channels, half before, half after."""
    sub = x[:, :, ::stride, ::stride]
    extra = channels - x.shape[1]
    return np.pad(sub, [(0, 0), (extra // 2, extra - extra // 2), (0, 0), (0, 0)])
