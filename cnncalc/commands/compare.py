"""`cnncalc compare`: several models' totals side by side, and where each keeps its costs."""

from __future__ import annotations

from pathlib import Path
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
from cnncalc.errors import UsageError
from cnncalc.limits import MAX_INPUT_SIZE
from cnncalc.loading import InputSize, load
from cnncalc.render.output import Format, Output
from cnncalc.sizes import Shape, SizeError, parse_size
from cnncalc.units import dims_text, shape_text

SpecsArg = Annotated[list[str], typer.Argument(
    metavar="SPEC[@SIZE]...", help="Two or more spec files or zoo names; ratios are against the first. "
    "NAME@SIZE sets that model's input as --input does (alexnet@227, net.yaml@64x64).", show_default=False)]
DepthOpt = Annotated[int, typer.Option(
    "--depth", "-d", min=0, help="Bars per layer, with modules deeper than N folded into one bar "
    "(0: one bar per top-level layer or module, e.g. per ResNet stage).")]


_SIZE_PROBLEMS = {  # by SizeError.problem; {fix}: the size written three ways, from the spec's own input
    "unreadable": "cannot read the size '{size}'; write {fix}",
    "count": "the size '{size}' must be 1 to 3 numbers from 1 to {limit}; write {fix}",
    "flat": "this spec takes a flat input, of one number; write {fix}",
    "order": "the size '{size}' {detail}",
}


def sized(spec: str, input: str | None, layout: str) -> tuple[str, InputSize, str]:
    """load()'s arguments for one SPEC[@SIZE]: 'alexnet@227' is the zoo's AlexNet at 227x227, read as
    --input reads a size (against the spec's own input); a model without @SIZE takes --input. A file
    that exists wins over the '@' in its name, and so does a path whose '@' is in a folder's name."""
    ref, at, size = spec.rpartition("@")
    if not at or Path(spec).exists() or "/" in size or "\\" in size:
        return spec, input, layout
    if not ref:
        raise UsageError(f"'{spec}': name a model before the '@' (e.g. alexnet{spec})")

    def shape(own: Shape) -> Shape:
        try:
            return parse_size(size, layout, like=own)
        except SizeError as exc:
            fix = (f"{ref}@{own[0]}" if len(own) != 3
                   else f"{ref}@{own[1]}, {ref}@{dims_text(own[1:])} or {ref}@{shape_text(own, layout)}")
            problem = _SIZE_PROBLEMS[exc.problem].format(size=size, limit=MAX_INPUT_SIZE, fix=fix, detail=exc.detail)
            raise UsageError(f"'{spec}': {problem}") from None

    return ref, shape, layout


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
    against the first model, then bars of where each model keeps its memory, params and MACs (one
    scale per column for all models) and its totals by layer type.

    \b
    Examples:
      cnncalc compare alexnet vgg16
      cnncalc compare alexnet@227 vgg16          # AlexNet at 227x227, VGG-16 at its own 224x224
      cnncalc compare resnet18 resnet50 --format markdown
      cnncalc compare alexnet vgg16 --no-count-input --plot alexnet-vs-vgg16.svg
    """
    from cnncalc.analysis import analyze
    from cnncalc.render import compare as view

    if len(specs) < 2:
        raise UsageError("compare needs at least two models, e.g. cnncalc compare alexnet vgg16")
    if plot is not None:
        from cnncalc.render.plot import check_plot_path

        check_plot_path(plot)
    graphs = [load(*sized(spec, input, conventions.layout)).graph for spec in specs]
    analyses = [analyze(graph, conventions) for graph in graphs]
    out = Output()
    report_warnings(out, [(graph, a.warnings) for graph, a in zip(graphs, analyses, strict=True)], strict)
    models = view.compared_models(analyses, depth)
    if plot is not None:
        from cnncalc.render.plot import plot_bars

        plot_bars([(m.label, m.bars) for m in models], plot, conventions.units)
    if format == Format.table:
        out.show(view.compare_table(models, out.console().width))
        return
    render = {Format.json: view.to_json, Format.csv: view.to_csv, Format.markdown: view.to_markdown}[format]
    out.text(render(models))
