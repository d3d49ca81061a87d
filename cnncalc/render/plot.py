"""`--plot FILE`: per-layer bars of memory, params and MACs, one panel each, models side by side.

matplotlib is an optional extra (`pip install "cnncalc[plot]"`), imported only when a plot is
asked for; the figure is drawn without pyplot, so no GUI backend or global state is involved.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cnncalc import metrics
from cnncalc.analysis import LayerRow
from cnncalc.errors import UsageError
from cnncalc.units import byte_scale, count_scale

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

FORMATS = ("png", "svg", "pdf")


def check_plot_path(path: Path | str) -> Path:
    """Fail early (exit 2) on an unknown image type or a missing matplotlib, before any work is done."""
    path = Path(path)
    if path.suffix.lower().lstrip(".") not in FORMATS:
        raise UsageError(f"--plot: '{path.name}' must end in .png, .svg or .pdf")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError('--plot needs matplotlib: pip install "cnncalc[plot]" (or pip install matplotlib)') from None
    return path


def _scale(values: list[int], bytes_units: str | None) -> tuple[float, str]:
    """A divisor and its unit name so the axis reads 12.3 MiB or 138 M, not 1.38e8."""
    peak = max(values, default=0)
    return byte_scale(peak, bytes_units) if bytes_units is not None else count_scale(peak)


def plot_bars(models: list[tuple[str, list[LayerRow]]], path: Path | str, units: str = "iec") -> Figure:
    """Draw and save the figure; every bar gets the SVG id `bar-<metric>-<model>-<index>`."""
    from matplotlib.figure import Figure

    count = sum(len(rows) for _, rows in models)
    figure = Figure(figsize=(max(6.0, 0.22 * count + 2), 9), layout="constrained")
    charted = metrics.charted()
    axes = figure.subplots(len(charted), 1)
    colors = [f"C{i % 10}" for i in range(len(models))]
    for ax, metric in zip(axes, charted, strict=True):
        key, label = metric.key, metric.column or metric.label
        all_values = [row.values[key] for _, rows in models for row in rows]
        divisor, unit = _scale(all_values, units if metric.unit == "bytes" else None)
        x = 0
        ticks: list[int] = []
        names: list[str] = []
        for m, (model_name, rows) in enumerate(models):
            positions = list(range(x, x + len(rows)))
            bars = ax.bar(positions, [row.values[key] / divisor for row in rows], color=colors[m], label=model_name)
            for i, patch in enumerate(bars.patches):
                patch.set_gid(f"bar-{key}-{m}-{i}")
            ticks.extend(positions)
            names.extend(row.name for row in rows)
            x += len(rows) + 1  # a gap between models
        ax.set_ylabel(f"{label} ({unit})" if unit else label)
        ax.set_xticks(ticks, names, rotation=90, fontsize=7)
        ax.set_xlim(-1, max(x - 1, 1))
        if len(models) > 1:
            ax.legend(fontsize=8)
    axes[0].set_title("Per-layer activation memory, parameters and MACs")
    try:
        figure.savefig(path)
    except OSError as error:
        raise UsageError(f"--plot: cannot write '{path}': {error.strerror or error}") from None
    return figure
