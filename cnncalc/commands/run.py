"""`cnncalc run`: run a spec forward in NumPy and check every shape and parameter count."""

from __future__ import annotations

import json
import re
import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.commands.common import (
    BatchOpt,
    Layout,
    LayoutOpt,
    SpecArg,
    console,
    load,
    reports_errors,
)
from cnncalc.errors import CnnCalcError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.reference.agreement import LayerCheck


class RunFormat(str, Enum):
    table = "table"
    json = "json"


SIZE = re.compile(r"^\d+([x×,]\d+){0,2}$", re.IGNORECASE)


@reports_errors
def run(
    spec: SpecArg,
    batch: BatchOpt = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the random weights and input.")] = 0,
    repeat: Annotated[int | None, typer.Option("--repeat", "-r", min=1, max=10_000, help="Time R forward passes after a warm-up pass and report the median.", show_default=False)] = None,
    format: Annotated[RunFormat, typer.Option("--format", "-f", help="Output format.")] = RunFormat.table,
    input: Annotated[str | None, typer.Option("--input", "-i", help="An input size (227, 227x227, 227x227x3 in --layout order) or a FILE holding the input: .npy, or a CSV / whitespace text matrix (HxW).", show_default=False)] = None,
    flip: Annotated[bool, typer.Option("--flip", help="True convolution: turn every conv kernel 180 degrees (the default slides it as given: cross-correlation, as PyTorch does).")] = False,
    normalize: Annotated[bool, typer.Option("--normalize", help="Min-max rescale each printed output matrix to 0..255 (needs --input FILE).")] = False,
    layout: LayoutOpt = Layout.hwc,
) -> None:
    """Run SPEC forward in NumPy (float32, seeded random weights) and check, layer by layer, that the
    output shapes and the weight arrays' sizes equal the analyzer's. Exit 1 names the first layer
    that disagrees.

    A layer may fix its kernel (conv option weights: [[1, 0, 1], ...], with zero biases); with
    --input FILE the output matrix is printed, so the slides' worked examples run as written.

    \b
    Examples:
      cnncalc run vgg16
      cnncalc run resnet50 --input 96 --repeat 5 --format json
      cnncalc run sobel.yaml --input image.csv --flip --normalize
    """
    import numpy as np

    from cnncalc.reference.agreement import use_medians
    from cnncalc.reference.executor import ExecutionError, Executor

    graph, data = _graph_and_data(spec, input, batch, layout)
    if normalize and data is None:
        raise UsageError("--normalize rescales the printed output matrix: give the input with --input FILE")
    executor = Executor(graph, seed=seed, flip=flip)
    x = data if data is not None else executor.random_input(batch)
    out = console()
    try:
        checks, first = _checked_forward(executor, x, out if format == RunFormat.table and sys.stdout.isatty() else None)
        passes = [executor.forward(x) for _ in range(repeat or 0)] if first is not None else []
    except ExecutionError as exc:
        raise CnnCalcError(f"the executor cannot run this layer: {exc}", exc.node.location, exc.node.name) from None
    if passes:
        use_medians(checks, passes)
    forward_seconds = float(np.median([p.total_seconds for p in passes or [first]])) if first is not None else None
    outputs = first.outputs if first is not None and data is not None else {}

    if format == RunFormat.json:
        typer.echo(json.dumps(_json(checks, forward_seconds, outputs, normalize), indent=2))
    else:
        out.print(_table(graph.name, checks, len(graph.nodes), layout, forward_seconds, repeat))
        for name, array in outputs.items():
            _print_matrices(name, array, normalize)
    failed = next((c for c in checks if not c.ok), None)
    if failed is not None:
        node = graph.node(failed.name)
        raise CnnCalcError(f"{failed.problem} (the pass stopped there)", node.location, node.name)


def _graph_and_data(spec: str, input: str | None, batch: int, layout: Layout):
    """--input is a size (the graph is compiled at it) or a file whose array becomes the input (the
    graph is compiled at the array's shape, and the array's batch is the batch)."""
    if input is None or SIZE.match(input.strip()):
        return load(spec, input, layout), None
    from cnncalc.reference.matrix import as_batch, read_array
    from cnncalc.spec import load_graph

    graph = load_graph(spec)
    data = as_batch(read_array(input), graph.input_shape)
    if batch != 1 and batch != len(data):
        raise UsageError(f"--batch {batch}: the --input array holds {len(data)} sample(s)")
    if data.shape[1:] != graph.input_shape:
        graph = load_graph(spec, data.shape[1:])
    return graph, data


def _checked_forward(executor, x, out):
    """The first, verifying pass, with a per-layer progress bar when printing to a terminal."""
    from cnncalc.reference.agreement import checked_forward

    if out is None:
        return checked_forward(executor, x)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as progress:
        task = progress.add_task("running", total=len(executor.graph.nodes))
        return checked_forward(executor, x, lambda node: progress.update(task, advance=1, description=node.name))


def peak_rss_bytes() -> int | None:
    """This process's peak resident memory (None where the OS does not say). Linux's VmHWM first:
    getrusage's figure survives exec, so it would include a parent's memory."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # pragma: no cover  (Windows)
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes


def _json(checks: list[LayerCheck], forward_seconds: float | None, outputs: dict, normalize: bool) -> dict:
    from cnncalc.reference.matrix import rescaled

    data = {
        "ok": all(c.ok for c in checks),
        "layers": [{
            "name": c.name, "type": c.op, "output_shape": list(c.actual_shape[1:]), "params": c.actual_params,
            "seconds": c.seconds, "ok": c.ok, **({"problem": c.problem} if not c.ok else {}),
        } for c in checks],
        "forward_seconds": forward_seconds,
        "peak_rss_bytes": peak_rss_bytes(),
    }
    if outputs:
        data["outputs"] = {name: (rescaled(array) if normalize else array).tolist() for name, array in outputs.items()}
    return data


def _table(name: str, checks: list[LayerCheck], layers: int, layout: Layout, forward_seconds: float | None,
           repeat: int | None):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from cnncalc.units import human_bytes, shape_text

    table = Table(show_edge=False, pad_edge=False)
    for column, justify in (("Layer", "left"), ("Type", "left"), ("Output", "left"), ("Params", "right"),
                            ("Time (ms)", "right"), ("Check", "left")):
        table.add_column(column, justify=justify, no_wrap=column != "Check")
    for c in checks:
        table.add_row(c.name, c.op, shape_text(c.actual_shape[1:], layout.value), f"{c.actual_params:,}",
                      f"{c.seconds * 1000:.2f}", "ok" if c.ok else Text(c.problem, style="bold red"))
    title = Text(f"{name}: NumPy forward pass checked against the analyzer", style="bold")
    if forward_seconds is None:
        return Group(title, table, Text(""), Text(f"stopped at layer {len(checks)} of {layers}: it disagrees with the analyzer",
                                                  style="bold red"))
    timing = f"median of {repeat} passes after a warm-up" if repeat else "one pass; --repeat R for a median"
    peak = peak_rss_bytes()
    lines = [
        f"forward: {forward_seconds:.4f} s ({timing}), batch {checks[0].batch}, fp32"
        + (f"; peak RSS {human_bytes(peak)}" if peak else ""),
        f"params: {sum(c.actual_params for c in checks):,} in weight arrays; "
        f"running statistics: {sum(c.actual_buffers for c in checks):,}",
    ]
    verdict = Text(f"all {len(checks)} layers agree with the analyzer", style="bold green")
    return Group(title, table, Text(""), Text("\n".join(lines)), verdict)


def _print_matrices(name: str, array, normalize: bool) -> None:
    from cnncalc.ops.base import fmt_shape
    from cnncalc.reference.matrix import grid, matrices

    for label, matrix in matrices(array, normalize):
        title = f"output '{name}' {fmt_shape(array.shape[1:])}" + (f", {label}" if label else "")
        typer.echo(f"\n{title}" + (" (min-max to 0..255)" if normalize else "") + ":")
        typer.echo(grid(matrix))
