"""`cnncalc summary`: the per-layer table and the totals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.commands.common import (
    TABLE_FORMATS,
    FreezeOpt,
    HeadOpt,
    InputOpt,
    PlotOpt,
    SpecArg,
    StrictOpt,
    report_warnings,
    reports_errors,
    takes_conventions,
    takes_format,
)
from cnncalc.conventions import Conventions
from cnncalc.loading import load
from cnncalc.render.output import Format, Output

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.graph import Graph

DepthOpt = Annotated[int | None, typer.Option(
    "--depth", "-d", min=0, show_default=False,
    help="Show the module tree down to depth N, deeper modules folded into one row each (0: one row per top-level "
    "module, as GoogLeNet's paper table; 1: ResNet's stages and their blocks).")]
ColumnsOpt = Annotated[str | None, typer.Option(
    "--columns", metavar="LIST", show_default=False,
    help="The table's (and Markdown's) columns, comma-separated, from: name, type, geometry, output, params, "
    "macs, memory, rf, inputs (default: all that have something to show and fit the terminal).")]
FromOpt = Annotated[str | None, typer.Option(
    "--from", metavar="LAYER", show_default=False,
    help="Start at LAYER (a full or short layer name, or a module): the totals are the slice's.")]
ToOpt = Annotated[str | None, typer.Option(
    "--to", metavar="LAYER", show_default=False, help="End at LAYER, inclusive (as --from).")]


@reports_errors
@takes_conventions()
@takes_format(*TABLE_FORMATS)
def summary(
    spec: SpecArg,
    format: Format = Format.table,
    input: InputOpt = None,
    depth: DepthOpt = None,
    columns: ColumnsOpt = None,
    first: FromOpt = None,
    last: ToOpt = None,
    strict: StrictOpt = False,
    freeze_until: FreezeOpt = None,
    head: HeadOpt = None,
    plot: PlotOpt = None,
    *,
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """Per-layer output shape, params, MACs, memory and receptive field, with totals.

    \b
    Examples:
      cnncalc summary vgg16
      cnncalc summary alexnet --input 227 --no-bias --no-count-input --count-views
      cnncalc summary googlenet --depth 0 --format json
      cnncalc summary resnet50 --depth 1 --columns name,geometry,output,params,macs
      cnncalc summary vgg16 --from conv1_1 --to pool3
      cnncalc summary vgg16 --freeze-until backbone --head 3 --plot vgg16.png
    """
    report(load(spec, input, conventions.layout).graph, conventions, format, depth, strict, freeze_until, head, plot,
           columns=columns, span=(first, last))


def report(graph: Graph, conventions: Conventions, format: Format, depth: int | None, strict: bool,
           freeze_until: str | None = None, head: int | None = None, plot: str | None = None,
           columns: str | None = None, span: tuple[str | None, str | None] = (None, None)) -> None:
    """Everything summary does once it has a graph (shared with `cnncalc calc`)."""
    from cnncalc.analysis import analyze, collapse, take_slice, tree_rows
    from cnncalc.render import summary as view
    from cnncalc.transfer import apply

    chosen = view.parse_columns(columns) if columns is not None else None
    if plot is not None:
        from cnncalc.render.plot import check_plot_path

        check_plot_path(plot)
    graph = apply(graph, freeze_until, head)
    whole = analyze(graph, conventions)
    analysis = take_slice(whole, *span) if span != (None, None) else whole
    out = Output()
    report_warnings(out, [(graph, whole.warnings)], strict)
    rows = tree_rows(analysis, depth)
    if plot is not None:
        from cnncalc.render.compare import charted
        from cnncalc.render.plot import plot_bars

        plot_bars([(analysis.name, charted(collapse(analysis, depth) if depth is not None else analysis.layers))],
                  plot, conventions.units)
    if format == Format.table:
        out.show(view.summary_table(analysis, rows, chosen, out.console().width))
    elif format == Format.markdown:
        out.text(view.to_markdown(analysis, rows, chosen))
    else:
        out.text({Format.json: view.to_json, Format.csv: view.to_csv}[format](analysis, rows))

