"""`cnncalc explain`: the arithmetic behind every figure, written out as a teacher would."""

from __future__ import annotations

from typing import Annotated

import typer

from cnncalc.commands.common import (
    TABLE_FORMATS,
    InputOpt,
    SpecArg,
    reports_errors,
    takes_conventions,
    takes_format,
)
from cnncalc.conventions import Conventions
from cnncalc.loading import load
from cnncalc.render.output import Format, Output

LayerOpt = Annotated[str | None, typer.Option(
    "--layer", "-l", metavar="NAME", help="Only this layer (full or short name), or every layer of this module.",
    show_default=False)]


@reports_errors
@takes_conventions("batch", "dtype", "bias", "bn_stats", "units", "layout", "count_input", "count_views")
@takes_format(*TABLE_FORMATS)
def explain(
    spec: SpecArg,
    layer: LayerOpt = None,
    format: Format = Format.table,
    input: InputOpt = None,
    *,
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """Each layer's output size, params, MACs, memory and receptive field: the formula in
    symbols, then with the layer's numbers, then the result. For an inception module, each
    branch's cost and what its 1x1 bottleneck saves; a stride that does not tile the input
    is shown with the pixels it loses.

    \b
    Examples:
      cnncalc explain alexnet_2012 --layer conv1
      cnncalc explain googlenet --layer inception_3a
      cnncalc explain alexnet_2012 --input 224 --layer conv1
      cnncalc explain vgg16 --no-bias --format markdown
    """
    from cnncalc.analysis import analyze
    from cnncalc.render import explain as view

    graph = load(spec, input, conventions.layout).graph
    analysis = analyze(graph, conventions)
    explanations = view.Explainer(graph, analysis).explain(view.select(graph, layer))
    out = Output()
    if format == Format.table:
        out.show(view.explain_text(explanations, analysis))
        return
    render = {Format.json: view.to_json, Format.csv: view.to_csv, Format.markdown: view.to_markdown}[format]
    out.text(render(explanations, analysis))
