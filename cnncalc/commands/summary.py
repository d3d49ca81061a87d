"""`cnncalc summary`: the per-layer table and the totals."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cnncalc.commands.common import (
    BatchOpt, BiasOpt, BnOpt, BnStats, CountInputOpt, Dtype, DtypeOpt, Format, FormatOpt, InputOpt, Layout, LayoutOpt,
    Optimizer, OptimizerOpt, SpecArg, StrictOpt, Units, UnitsOpt, console, load, make_conventions, reports_errors, warn,
)


@reports_errors
def summary(
    spec: SpecArg,
    format: FormatOpt = Format.table,
    batch: BatchOpt = 1,
    dtype: DtypeOpt = Dtype.fp32,
    input: InputOpt = None,
    bias: BiasOpt = True,
    bn_stats: BnOpt = BnStats.pytorch,
    units: UnitsOpt = Units.iec,
    layout: LayoutOpt = Layout.hwc,
    count_input: CountInputOpt = True,
    optimizer: OptimizerOpt = Optimizer.adam,
    depth: Annotated[Optional[int], typer.Option("--depth", "-d", min=0, help="Fold modules deeper than N into one row each (0: one row per top-level module, as GoogLeNet's paper table).")] = None,
    strict: StrictOpt = False,
) -> None:
    """Per-layer output shape, params, MACs, memory and receptive field, with totals.

    \b
    Examples:
      cnncalc summary vgg16
      cnncalc summary alexnet --input 227 --no-bias --no-count-input
      cnncalc summary googlenet --depth 0 --format json
    """
    from cnncalc.analysis import analyze, collapse, scope_groups

    conventions = make_conventions(batch, dtype, bias, bn_stats, units, layout, count_input, optimizer)
    analysis = analyze(load(spec, input, layout), conventions)
    rows = collapse(analysis, depth) if depth is not None else analysis.layers
    warn(analysis.warnings, strict)
    if format == Format.table:
        from cnncalc.render.table import summary_table

        groups = scope_groups(analysis) if depth is None else {}
        console().print(summary_table(analysis, rows, groups))
        return
    from cnncalc.render import formats

    render = {Format.json: formats.to_json, Format.csv: formats.to_csv, Format.markdown: formats.to_markdown}[format]
    typer.echo(render(analysis, rows).rstrip("\n"))
