"""`cnncalc run`: run a spec forward in NumPy and check every shape and parameter count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.commands.common import (
    BatchOpt,
    Layout,
    LayoutOpt,
    SpecArg,
    reports_errors,
    takes_format,
)
from cnncalc.errors import CnnCalcError, UsageError
from cnncalc.limits import MAX_RUN_REPEAT
from cnncalc.reference.resources import peak_rss_bytes
from cnncalc.render.output import Format, Output

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from cnncalc.graph import Graph

SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Seed of the random weights and input.")]
RepeatOpt = Annotated[int | None, typer.Option(
    "--repeat", "-r", min=1, max=MAX_RUN_REPEAT, show_default=False,
    help="Time R forward passes after a warm-up pass and report the median.")]
RunInputOpt = Annotated[str | None, typer.Option(
    "--input", "-i", help="An input size (227, 227x227, 227x227x3 in --layout order) or a FILE holding the input: "
    ".npy, or a CSV / whitespace text matrix (HxW).", show_default=False)]
FlipOpt = Annotated[bool, typer.Option(
    "--flip", help="True convolution: turn every conv kernel 180 degrees (the default slides it as given: "
    "cross-correlation, as PyTorch does).")]
NormalizeOpt = Annotated[bool, typer.Option(
    "--normalize", help="Min-max rescale each printed output matrix to 0..255 (needs --input FILE).")]


@reports_errors
@takes_format(Format.table, Format.json)
def run(
    spec: SpecArg,
    batch: BatchOpt = 1,
    seed: SeedOpt = 0,
    repeat: RepeatOpt = None,
    format: Format = Format.table,
    input: RunInputOpt = None,
    flip: FlipOpt = False,
    normalize: NormalizeOpt = False,
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

    from cnncalc.reference.agreement import checked_forward, use_medians
    from cnncalc.reference.executor import ExecutionError, Executor
    from cnncalc.render import run as view

    graph, data = _graph_and_data(spec, input, batch, layout)
    if normalize and data is None:
        raise UsageError("--normalize rescales the printed output matrix: give the input with --input FILE")
    executor = Executor(graph, seed=seed, flip=flip)
    x = data if data is not None else executor.random_input(batch)
    out = Output()
    try:
        with view.layer_progress(out, len(graph.nodes), wanted=format == Format.table) as on_layer:
            checks, first = checked_forward(executor, x, on_layer)
        passes = [executor.forward(x) for _ in range(repeat or 0)] if first is not None else []
    except ExecutionError as exc:
        raise CnnCalcError(f"the executor cannot run this layer: {exc}", exc.node.location, exc.node.name) from None
    if passes:
        use_medians(checks, passes)
    forward_seconds = float(np.median([p.total_seconds for p in passes or [first]])) if first is not None else None
    report = view.RunReport(graph.name, len(graph.nodes), checks, layout.value, forward_seconds, repeat,
                            peak_rss_bytes(), first.outputs if first is not None and data is not None else {},
                            normalize)

    if format == Format.json:
        out.text(view.to_json(report))
    else:
        out.show(view.run_table(report))
        if report.outputs:
            out.text(view.matrices_text(report))
    failed = next((c for c in checks if not c.ok), None)
    if failed is not None:
        node = graph.node(failed.name)
        raise CnnCalcError(f"{failed.problem} (the pass stopped there)", node.location, node.name)


def _graph_and_data(spec: str, input: str | None, batch: int, layout: Layout) -> tuple[Graph, np.ndarray | None]:
    """--input is a size (the graph is compiled at it) or a file whose array becomes the input (the
    graph is compiled at the array's shape, and the array's batch is the batch)."""
    from cnncalc.loading import load
    from cnncalc.sizes import is_size

    if input is None or is_size(input):
        return load(spec, input, layout).graph, None
    from cnncalc.reference.matrix import as_batch, read_array

    data: np.ndarray | None = None

    def array_shape(spec_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The array read against the spec's own input (is it one image, a batch, a vector?)."""
        nonlocal data
        data = as_batch(read_array(input), spec_shape)
        if batch != 1 and batch != len(data):
            raise UsageError(f"--batch {batch}: the --input array holds {len(data)} sample(s)")
        return data.shape[1:]

    graph = load(spec, array_shape, layout).graph  # reads the array, through array_shape
    return graph, data

