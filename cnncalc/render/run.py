"""`cnncalc run`: the layer-by-layer check of the NumPy forward pass as a rich table or JSON, the
output matrices of a worked example, and the progress bar of the verifying pass."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnncalc.render.output import Output

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from rich.console import Group

    from cnncalc.graph import Node
    from cnncalc.reference.agreement import LayerCheck


@dataclass
class RunReport:
    """What `run` found, for the renderers."""

    name: str                      # the network's
    layers: int                    # how many the graph has (the checks stop at the first disagreement)
    checks: list[LayerCheck]
    layout: str                    # shape order of the table: hwc or chw
    forward_seconds: float | None  # None: the pass stopped at a layer that disagrees
    repeat: int | None             # timed passes (None: the verifying pass alone)
    peak_rss: int | None           # bytes; None where the OS does not say
    outputs: dict[str, np.ndarray] = field(default_factory=dict)  # printed with --input FILE
    normalize: bool = False        # print the outputs min-max rescaled to 0..255


@contextmanager
def layer_progress(out: Output, total: int, wanted: bool = True) -> Iterator[Callable[[Node], None] | None]:
    """A per-layer progress bar while the verifying pass runs, on a terminal only (and gone when it
    ends); yields what to call after each layer, or None when there is no bar."""
    if not wanted or not out.is_tty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out.console(), transient=True) as progress:
        task = progress.add_task("running", total=total)
        yield lambda node: progress.update(task, advance=1, description=node.name)


def to_json(run: RunReport) -> str:
    from cnncalc.reference.matrix import rescaled

    data: dict[str, Any] = {
        "ok": all(c.ok for c in run.checks),
        "layers": [{
            "name": c.name, "type": c.op, "output_shape": list(c.actual_shape[1:]), "params": c.actual_params,
            "seconds": c.seconds, "ok": c.ok, **({"problem": c.problem} if not c.ok else {}),
        } for c in run.checks],
        "forward_seconds": run.forward_seconds,
        "peak_rss_bytes": run.peak_rss,
    }
    if run.outputs:
        data["outputs"] = {name: (rescaled(array) if run.normalize else array).tolist()
                           for name, array in run.outputs.items()}
    return json.dumps(data, indent=2)


def run_table(run: RunReport) -> Group:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from cnncalc.units import human_bytes, shape_text

    table = Table(show_edge=False, pad_edge=False)
    for column, right in (("Layer", False), ("Type", False), ("Output", False), ("Params", True),
                          ("Time (ms)", True), ("Check", False)):
        table.add_column(column, justify="right" if right else "left", no_wrap=column != "Check")
    for c in run.checks:
        table.add_row(c.name, c.op, shape_text(c.actual_shape[1:], run.layout), f"{c.actual_params:,}",
                      f"{c.seconds * 1000:.2f}", "ok" if c.ok else Text(c.problem or "", style="bold red"))
    title = Text(f"{run.name}: NumPy forward pass checked against the analyzer", style="bold")
    if run.forward_seconds is None:
        stopped = f"stopped at layer {len(run.checks)} of {run.layers}: it disagrees with the analyzer"
        return Group(title, table, Text(""), Text(stopped, style="bold red"))
    timing = f"median of {run.repeat} passes after a warm-up" if run.repeat else "one pass; --repeat R for a median"
    lines = [
        f"forward: {run.forward_seconds:.4f} s ({timing}), batch {run.checks[0].batch}, fp32"
        + (f"; peak RSS {human_bytes(run.peak_rss)}" if run.peak_rss else ""),
        f"params: {sum(c.actual_params for c in run.checks):,} in weight arrays; "
        f"running statistics: {sum(c.actual_buffers for c in run.checks):,}",
    ]
    verdict = Text(f"all {len(run.checks)} layers agree with the analyzer", style="bold green")
    return Group(title, table, Text(""), Text("\n".join(lines)), verdict)


def matrices_text(run: RunReport) -> str:
    """Each output's 2-D maps as rows of numbers, each under its title ('' when there are none)."""
    from cnncalc.reference.matrix import grid, matrices
    from cnncalc.units import dims_text

    blocks = []
    for name, array in run.outputs.items():
        for label, matrix in matrices(array, run.normalize):
            title = f"output '{name}' {dims_text(array.shape[1:])}" + (f", {label}" if label else "")
            blocks.append(f"\n{title}" + (" (min-max to 0..255)" if run.normalize else "") + f":\n{grid(matrix)}")
    return "\n".join(blocks)
