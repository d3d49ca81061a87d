"""`cnncalc compare`: several models' totals side by side, and where each keeps its costs."""

from __future__ import annotations

from typing import Annotated

import typer

from cnncalc.commands.common import (
    TABLE_FORMATS,
    InputOpt,
    PlotOpt,
    StrictOpt,
    report_warnings,
    reports_errors,
    takes_conventions,
    takes_format,
)
from cnncalc.conventions import Conventions
from cnncalc.loading import load
from cnncalc.render.output import Format, Output

SpecsArg = Annotated[list[str], typer.Argument(
    metavar="SPEC...", help="Two or more spec files or zoo names; ratios are against the first.", show_default=False)]
DepthOpt = Annotated[int, typer.Option(
    "--depth", "-d", min=0, help="Bars per layer, with modules deeper than N folded into one bar "
    "(0: one bar per top-level layer or module, e.g. per ResNet stage).")]


@reports_errors
@takes_conventions()
@takes_format(*TABLE_FORMATS)
def compare(
    specs: SpecsArg,
    format: Format = Format.table,
    input: InputOpt = None,
    depth: DepthOpt = 0,
    strict: StrictOpt = False,
    plot: PlotOpt = None,
    *,
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """Totals side by side (params, MACs, FLOPs, memory, depth, receptive field) with ratios
    against the first model, then bars of where each model keeps its memory, params and MACs.

    \b
    Examples:
      cnncalc compare alexnet vgg16
      cnncalc compare resnet18 resnet50 --format markdown
      cnncalc compare alexnet vgg16 --no-count-input --plot alexnet-vs-vgg16.svg
    """
    from cnncalc.analysis import analyze
    from cnncalc.errors import UsageError
    from cnncalc.render import compare as view

    if len(specs) < 2:
        raise UsageError("compare needs at least two models, e.g. cnncalc compare alexnet vgg16")
    if plot is not None:
        from cnncalc.render.plot import check_plot_path

        check_plot_path(plot)
    analyses = [analyze(load(spec, input, conventions.layout).graph, conventions) for spec in specs]
    out = Output()
    report_warnings(out, [(f"{a.name}: {layer}", message) for a in analyses for layer, message in a.warnings], strict)
    models = [view.figures(analysis, depth) for analysis in analyses]
    if plot is not None:
        from cnncalc.render.plot import plot_bars

        plot_bars([(m.analysis.name, m.bars) for m in models], plot, conventions.units)
    if format == Format.table:
        out.show(view.compare_table(models))
        return
    render = {Format.json: view.to_json, Format.csv: view.to_csv, Format.markdown: view.to_markdown}[format]
    out.text(render(models))
