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
    help="Fold modules deeper than N into one row each (0: one row per top-level module, as GoogLeNet's paper table).")]


@reports_errors
@takes_conventions()
@takes_format(*TABLE_FORMATS)
def summary(
    spec: SpecArg,
    format: Format = Format.table,
    input: InputOpt = None,
    depth: DepthOpt = None,
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
      cnncalc summary alexnet --input 227 --no-bias --no-count-input
      cnncalc summary googlenet --depth 0 --format json
      cnncalc summary vgg16 --freeze-until backbone --head 3 --plot vgg16.png
    """
    report(load(spec, input, conventions.layout).graph, conventions, format, depth, strict, freeze_until, head, plot)


def report(graph: Graph, conventions: Conventions, format: Format, depth: int | None, strict: bool,
           freeze_until: str | None = None, head: int | None = None, plot: str | None = None) -> None:
    """Everything summary does once it has a graph (shared with `cnncalc calc`)."""
    from cnncalc.analysis import analyze, collapse, scope_groups
    from cnncalc.transfer import apply

    if plot is not None:
        from cnncalc.render.plot import check_plot_path

        check_plot_path(plot)
    analysis = analyze(apply(graph, freeze_until, head), conventions)
    rows = collapse(analysis, depth) if depth is not None else analysis.layers
    out = Output()
    report_warnings(out, analysis.warnings, strict)
    if plot is not None:
        from cnncalc.render.compare import charted
        from cnncalc.render.plot import plot_bars

        plot_bars([(analysis.name, charted(rows))], plot, conventions.units)
    if format == Format.table:
        from cnncalc.render.summary import summary_table

        groups = scope_groups(analysis) if depth is None else {}
        out.show(summary_table(analysis, rows, groups))
        return
    from cnncalc.render import summary as view

    render = {Format.json: view.to_json, Format.csv: view.to_csv, Format.markdown: view.to_markdown}[format]
    out.text(render(analysis, rows))
