"""The geometry of a kernel sliding over an input, shared by conv and the window pools: its output
size, the pixels it never reaches, how it grows the receptive field, and each of these written
out as the slides do (`explain`, `grade`).

It is computed once per layer, when the spec is compiled (`Node.window`), and handed to the op's
shape, receptive-field, warning and formula methods.
"""

from __future__ import annotations

from cnncalc.formulas import Step, dot
from cnncalc.ops.base import OpError
from cnncalc.ops.spatial import Pair, ReceptiveField, dropped_pixels, output_size, pair, resolve_padding, window_span
from cnncalc.units import dims_text, num, number


class SlidingWindow:
    """Kernel, stride, dilation and resolved padding (before: top/left, after: bottom/right) over an
    input of `in_hw` pixels."""

    __slots__ = ("in_hw", "kernel", "stride", "dilation", "pad_before", "pad_after", "ceil_mode")

    def __init__(self, in_hw: Pair, kernel: int | Pair, stride: int | Pair, dilation: int | Pair, padding: object,
                 ceil_mode: bool = False):
        self.in_hw = in_hw
        self.kernel, self.stride, self.dilation = pair(kernel), pair(stride), pair(dilation)
        self.pad_before, self.pad_after = resolve_padding(padding, in_hw, self.kernel, self.stride, self.dilation)
        self.ceil_mode = ceil_mode

    def _args(self, a: int) -> tuple[int, int, int, int, int, int]:
        return (self.in_hw[a], self.kernel[a], self.stride[a], self.dilation[a], self.pad_before[a], self.pad_after[a])

    def out_hw(self) -> tuple[int, int]:
        sizes = []
        for axis in (0, 1):
            size = output_size(*self._args(axis), ceil_mode=self.ceil_mode)
            if size <= 0:
                padded = self.in_hw[axis] + self.pad_before[axis] + self.pad_after[axis]
                extent = self.dilation[axis] * (self.kernel[axis] - 1) + 1
                raise OpError(
                    f"kernel {dims_text(self.kernel)} (extent {extent}) is larger than its padded input "
                    f"{padded} ({'height' if axis == 0 else 'width'} {self.in_hw[axis]} + padding "
                    f"{self.pad_before[axis] + self.pad_after[axis]})"
                )
            sizes.append(size)
        return sizes[0], sizes[1]

    def lost(self, a: int) -> int:
        """Real pixels (not padding) at the bottom/right of axis `a` (0: rows, 1: columns) that no
        window reaches, (W + 2P − K) mod S − P_after; kernels smaller than their stride skip pixels
        everywhere by design and lose none here, and ceil_mode adds a last window instead."""
        if self.ceil_mode or self.dilation[a] * (self.kernel[a] - 1) + 1 < self.stride[a]:
            return 0
        return max(dropped_pixels(*self._args(a)) - self.pad_after[a], 0)

    def untiled_warning(self) -> list[str]:
        lost = [self.lost(0), self.lost(1)]
        if not any(lost):
            return []
        return [
            f"stride {dims_text(self.stride)} does not tile the input: the last {lost[0]} row(s) and "
            f"{lost[1]} column(s) of real pixels are never seen ((W + 2P - K) is not divisible by S)"
        ]

    def receptive_field(self, rf: ReceptiveField) -> ReceptiveField:
        return rf.through_window(self.kernel, self.stride, self.dilation, self.pad_before)

    # -- written out ------------------------------------------------------------------------

    @property
    def square(self) -> bool:
        """The same on both axes: written once ("output size"), not per axis."""
        return all(values[0] == values[1] for values in (self.in_hw, self.kernel, self.stride, self.dilation,
                                                         self.pad_before, self.pad_after))

    def axes(self) -> list[int]:
        return [0] if self.square else [0, 1]

    def numerator(self, a: int) -> tuple[str, str]:
        """W − K + 2P in symbols and numbers (with dilation and uneven padding when they apply)."""
        w, k, d = self.in_hw[a], self.kernel[a], self.dilation[a]
        pb, pa = self.pad_before[a], self.pad_after[a]
        size = "H" if a == 0 and not self.square else "W"
        pads_sym, pads_num = ("2P", f"2·{pb}") if pb == pa else ("P₁ + P₂", f"{pb} + {pa}")
        if d == 1:
            if pb == pa:
                return f"{size} − K + {pads_sym}", f"{w} − {k} + {pads_num}"
            return f"{size} + {pads_sym} − K", f"{w} + {pads_num} − {k}"
        return f"{size} + {pads_sym} − D·(K − 1) − 1", f"{w} + {pads_num} − {d}·({k} − 1) − 1"

    def size_steps(self, out_hw: tuple[int, ...], notes: list[str]) -> list[Step]:
        """(W − K + 2P)/S + 1, floored or ceiled when S does not divide it; `out_hw` is the analyzer's."""
        axes = self.axes()
        labels = {0: "output size" if len(axes) == 1 else "output height", 1: "output width"}
        steps = []
        for a in axes:
            inner_sym, inner_num = self.numerator(a)
            stride = self.stride[a]
            span = window_span(*self._args(a))
            value = out_hw[a]
            if span % stride == 0:
                formula, expression = f"({inner_sym})/S + 1", f"({inner_num})/{stride} + 1"
            elif self.ceil_mode:
                formula, expression = f"⌈({inner_sym})/S⌉ + 1", f"⌈({inner_num})/{stride}⌉ + 1"
                if -(-span // stride) + 1 == value + 1:  # PyTorch drops a last window that starts in the padding
                    formula, expression = formula + " − 1", expression + " − 1"
                    notes.append("ceil_mode: the last window would start in the padding, so it is dropped "
                                 "(PyTorch's rule)")
            else:
                formula, expression = f"⌊({inner_sym})/S⌋ + 1", f"⌊({inner_num})/{stride}⌋ + 1"
            steps.append(Step(labels[a], formula, expression, value))
        return steps

    def lost_steps(self) -> list[Step]:
        """The classic 224-vs-227 trap: the pixels at the bottom/right that no window reaches."""
        steps = []
        for a in self.axes():
            lost = self.lost(a)
            if lost <= 0:
                continue
            inner_sym, inner_num = self.numerator(a)
            pad = self.pad_after[a]
            formula = f"({inner_sym}) mod S" + (" − P" if pad else "")
            expression = f"({inner_num}) mod {self.stride[a]}" + (f" − {pad}" if pad else "")
            axis = "" if self.square else (" (rows)" if a == 0 else " (columns)")
            steps.append(Step(f"pixels lost{axis}", formula, expression, lost, "px"))
        return steps

    def field_steps(self, before: ReceptiveField, after: ReceptiveField) -> list[Step]:
        """r_out = r_in + (K − 1)·D·j_in and j_out = j_in·S, from the input's field to the output's."""
        steps = []
        square = self.square and before.size[0] == before.size[1] and before.jump[0] == before.jump[1]
        for a in ([0] if square else [0, 1]):
            axis = "" if square else (" (height)" if a == 0 else " (width)")
            k, d, s = self.kernel[a], self.dilation[a], self.stride[a]
            grow = "(K − 1)·j_in" if d == 1 else "(K − 1)·D·j_in"
            grow_num = f"({k} − 1)·{num(before.jump[a])}" if d == 1 else f"({k} − 1)·{d}·{num(before.jump[a])}"
            steps.append(Step(f"receptive field{axis}", f"r_in + {grow}", f"{num(before.size[a])} + {grow_num}",
                              number(after.size[a]), "px"))
            if s != 1:
                steps.append(Step(f"jump{axis}", "j_in·S", dot(before.jump[a], s), number(after.jump[a]), "px"))
        return steps
