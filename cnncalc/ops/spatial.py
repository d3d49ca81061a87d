"""Sliding-window arithmetic shared by every op that has a kernel: sizes, padding, receptive field.

Output size: floor((W + P_before + P_after - D*(K-1) - 1) / S) + 1, or ceil(...) with ceil_mode
(PyTorch semantics: a last window that would start inside the right padding is dropped).
'same' follows TensorFlow: out = ceil(W / S), the odd extra pixel of padding goes bottom/right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Pair = tuple[int, int]


def pair(value: int | tuple[int, int] | list[int]) -> Pair:
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def resolve_padding(padding, in_hw: Pair, kernel: Pair, stride: Pair, dilation: Pair) -> tuple[Pair, Pair]:
    """Return ((top, left), (bottom, right)) for int, [ph, pw], [t, b, l, r], 'same' or 'valid'."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        before, after = [], []
        for size, k, s, d in zip(in_hw, kernel, stride, dilation, strict=False):
            out = math.ceil(size / s)
            total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
            before.append(total // 2)
            after.append(total - total // 2)
        return (before[0], before[1]), (after[0], after[1])
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        top, bottom, left, right = (int(p) for p in padding)
        return (top, left), (bottom, right)
    p = pair(padding)
    return p, p


def window_span(size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int) -> int:
    """The numerator W + P_b + P_a - D(K-1) - 1: negative when the kernel does not fit."""
    return size + pad_before + pad_after - dilation * (kernel - 1) - 1


def output_size(size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int,
                ceil_mode: bool = False) -> int:
    span = window_span(size, kernel, stride, dilation, pad_before, pad_after)
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


def dropped_pixels(size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int) -> int:
    """Pixels at the bottom/right that no window reaches when the stride does not tile the input."""
    span = window_span(size, kernel, stride, dilation, pad_before, pad_after)
    return span % stride if span >= 0 else 0


@dataclass(frozen=True)
class ReceptiveField:
    """Araujo et al. (Distill 2019), per axis (h, w): size r, jump j, and start = centre of the
    first output unit's field, in input pixel indices (0 = centre of the first input pixel)."""

    size: tuple[float, float]
    jump: tuple[float, float]
    start: tuple[float, float]

    @classmethod
    def of_input(cls) -> ReceptiveField:
        return cls((1, 1), (1, 1), (0, 0))

    def through_window(self, kernel: Pair, stride: Pair, dilation: Pair, pad_before: Pair) -> ReceptiveField:
        """r_out = r_in + (K-1)·D·j_in ; j_out = j_in·S ; start_out = start_in + ((K-1)/2·D - P)·j_in."""
        size = tuple(r + (k - 1) * d * j for r, k, d, j in zip(self.size, kernel, dilation, self.jump, strict=False))
        jump = tuple(j * s for j, s in zip(self.jump, stride, strict=False))
        start = tuple(st + ((k - 1) / 2 * d - p) * j
                      for st, k, d, p, j in zip(self.start, kernel, dilation, pad_before, self.jump, strict=False))
        return ReceptiveField(size, jump, start)  # type: ignore[arg-type]

    def upsampled(self, scale: Pair, extra_size: Pair = (0, 0)) -> ReceptiveField:
        """Upsampling (and transposed conv) divide the jump; the first output's centre stays put."""
        jump = tuple(j / s for j, s in zip(self.jump, scale, strict=False))
        size = tuple(r + e * j for r, e, j in zip(self.size, extra_size, self.jump, strict=False))
        return ReceptiveField(size, jump, self.start)  # type: ignore[arg-type]


def spatial_branches(rfs: list[ReceptiveField], shapes: list[tuple[int, ...]]) -> list[ReceptiveField]:
    """The inputs of a join whose field counts: not a 1x1 gate (squeeze-and-excitation) nor a flat
    vector; all of them when none is left. The join's field is `joined` of these, and the
    analyzer warns when their centres or jumps disagree (`misalignment`)."""
    return [rf for rf, shape in zip(rfs, shapes, strict=False) if len(shape) == 3 and shape[1:] != (1, 1)] or list(rfs)


def joined(fields: list[ReceptiveField]) -> ReceptiveField:
    """The field of a join of aligned branches: on each axis the widest branch's, so a 1x3 branch
    joined with a 3x1 one sees 3x3 (google-research/receptive_field takes the same per-axis max)."""
    widest = [max(fields, key=lambda rf: rf.size[axis]) for axis in (0, 1)]
    return ReceptiveField((widest[0].size[0], widest[1].size[1]), (widest[0].jump[0], widest[1].jump[1]),
                          (widest[0].start[0], widest[1].start[1]))


def misalignment(fields: list[ReceptiveField]) -> str | None:
    """What disagrees between a join's branches, axis by axis (their centres or their jumps), when
    the per-axis widest field is then only the widest, not the union of aligned fields."""
    from cnncalc.units import num

    found: dict[str, list[str]] = {}
    for what, attribute in (("centres", "start"), ("jumps", "jump")):
        for axis, name in enumerate(("height", "width")):
            values = [getattr(rf, attribute)[axis] for rf in fields]
            if len(set(values)) > 1:
                found.setdefault(what, []).append(f"{name} {attribute}s {', '.join(num(v) for v in values)}")
    if not found:
        return None
    details = "; ".join(part for parts in found.values() for part in parts)
    return (f"the branches' receptive-field {' and '.join(found)} disagree ({details}): "
            "the field shown is the widest on each axis")
