"""Worked examples with given numbers: read an input matrix, rescale an output, print it as a grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnncalc.errors import UsageError
from cnncalc.limits import MAX_MATRIX_TEXT_BYTES
from cnncalc.units import dims_text, num

TEXT_SEPARATORS = (",", ";", "\t")


def read_array(path: str) -> np.ndarray:
    """A .npy file, or a text matrix: one row per line, numbers split by commas, semicolons or
    whitespace; blank lines and lines starting with '#' are skipped."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"--input: no such file '{path}'")
    if file.suffix.lower() == ".npy":
        try:
            array = np.load(file, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise UsageError(f"--input: cannot read '{path}' as a NumPy array: {exc}") from None
        if array.dtype.kind not in "biuf":
            raise UsageError(f"--input: '{path}' holds {array.dtype} values, not numbers")
        return array.astype(np.float32)
    if file.stat().st_size > MAX_MATRIX_TEXT_BYTES:
        raise UsageError(f"--input: '{path}' is larger than {MAX_MATRIX_TEXT_BYTES // 1_000_000} MB; save it as .npy")
    rows = []
    for number, line in enumerate(file.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for sep in TEXT_SEPARATORS:
            line = line.replace(sep, " ")
        try:
            rows.append([float(v) for v in line.split()])
        except ValueError:
            raise UsageError(f"{path}:{number}: --input: a text matrix holds numbers only, got '{line}'") from None
        if len(rows[-1]) != len(rows[0]):
            raise UsageError(
                f"{path}:{number}: --input: row of {len(rows[-1])} numbers, the first row has {len(rows[0])}")
    if not rows:
        raise UsageError(f"--input: '{path}' holds no numbers")
    return np.array(rows, dtype=np.float32)


def as_batch(array: np.ndarray, spec_shape: tuple[int, ...]) -> np.ndarray:
    """Give an input array its batch axis: HxW is one single-channel image, CxHxW one image, NxCxHxW
    a batch; a flat spec takes a vector (one sample) or a matrix (a batch of rows)."""
    if len(spec_shape) == 1:
        batch = array.reshape(1, -1) if array.ndim == 1 else array
        if batch.ndim != 2:
            raise UsageError(f"--input: this spec takes vectors, the array is {dims_text(array.shape)}")
        return batch
    add_axes = {2: lambda a: a[None, None], 3: lambda a: a[None], 4: lambda a: a}.get(array.ndim)
    if add_axes is None:
        raise UsageError(f"--input: an image is HxW, CxHxW or NxCxHxW; the array is {dims_text(array.shape)}")
    return np.ascontiguousarray(add_axes(array))


def min_max(matrix: np.ndarray, low: float = 0.0, high: float = 255.0) -> np.ndarray:
    """x' = (x - min)·(high - low)/(max - min) + low: the slides' rescaling to 0..255 (a constant
    matrix maps to `low`)."""
    lo, hi = float(matrix.min()), float(matrix.max())
    if hi == lo:
        return np.full_like(matrix, low, dtype=np.float64)
    return (matrix.astype(np.float64) - lo) * (high - low) / (hi - lo) + low


def _maps(array: np.ndarray) -> np.ndarray:
    """An output as a stack of 2-D maps: (N, C, H, W) -> N·C maps of HxW; (N, F) -> N rows of 1xF."""
    return array.reshape(-1, *array.shape[2:]) if array.ndim == 4 else array.reshape(len(array), 1, -1)


def rescaled(array: np.ndarray) -> np.ndarray:
    """Every 2-D map of an output min-max rescaled to 0..255 on its own, as the slides do for one image."""
    return np.stack([min_max(m) for m in _maps(array)]).reshape(array.shape)


def matrices(array: np.ndarray, normalize: bool) -> list[tuple[str, np.ndarray]]:
    """The 2-D maps of an output, each labelled with its sample and channel when there are several."""
    n = len(array)
    channels = array.shape[1] if array.ndim == 4 else 1
    maps = _maps(rescaled(array) if normalize else array.astype(np.float64))
    labels = [" ".join(part for part in (f"sample {i // channels + 1}" if n > 1 else "",
                                          f"channel {i % channels + 1}" if channels > 1 else "") if part)
              for i in range(len(maps))]
    return list(zip(labels, maps, strict=True))


def grid(matrix: np.ndarray) -> str:
    """Rows of right-aligned numbers, as the slides print them."""
    cells = [[num(v) for v in row] for row in matrix]
    width = max(len(cell) for row in cells for cell in row)
    return "\n".join("  ".join(cell.rjust(width) for cell in row) for row in cells)
