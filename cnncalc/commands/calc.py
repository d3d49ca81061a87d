"""`cnncalc calc`: a quick calculation without a spec file, written as a one-line chain of layers."""

from __future__ import annotations

from typing import Annotated

import typer

from cnncalc.commands.common import (
    TABLE_FORMATS,
    FreezeOpt,
    HeadOpt,
    PlotOpt,
    StrictOpt,
    reports_errors,
    takes_conventions,
    takes_format,
)
from cnncalc.commands.summary import ColumnsOpt
from cnncalc.conventions import Conventions
from cnncalc.render.output import Format, Output

ChainArg = Annotated[list[str], typer.Argument(
    metavar="INPUT LAYER", help="The input size, then one layer per argument (or several separated by commas).",
    show_default=False)]
SpecOpt = Annotated[bool, typer.Option("--spec", help="Print the equivalent YAML spec instead (to save as a file).")]


@reports_errors
@takes_conventions()
@takes_format(*TABLE_FORMATS)
def calc(
    chain: ChainArg,
    format: Format = Format.table,
    strict: StrictOpt = False,
    freeze_until: FreezeOpt = None,
    head: HeadOpt = None,
    plot: PlotOpt = None,
    columns: ColumnsOpt = None,
    spec: SpecOpt = False,
    *,
    conventions: Conventions,  # from the convention switches: see takes_conventions
) -> None:
    """A network typed on one line: the same table (or --format) as summary.

    INPUT is HxWxC (227x227x3; CxHxW with --layout chw), HxW (one channel) or N (a flat
    vector). Each LAYER is an op name (conv, maxpool, avgpool, dense or fc, flatten, dropout,
    batchnorm or bn, relu, sigmoid, ... any op of the spec language), its main value (conv
    filters, dense units, pool kernel, dropout rate), then option words:

    \b
      k3 or k3x5  kernel        s2  stride     p1, same, valid  padding
      d2          dilation      g2  groups     relu, sigmoid ...  activation
      nobias      no bias       ceil  ceil_mode   frozen  not trained
      x3          the layer 3 times               name=conv1, key=value  any option

    \b
    Examples:
      cnncalc calc 227x227x3 "conv 96 k11 s4" "maxpool k3 s2"
      cnncalc calc 32x32x3 "conv 10 k5 p2"
      cnncalc calc 10x10x1 "conv 5 k3" sigmoid "conv 2 k3" sigmoid
      cnncalc calc 224x224x3 "conv 64 k3 p1 relu x2, maxpool 2" --spec
      cnncalc calc 32x32x3 "conv 10 k5 p2" "maxpool 2" --columns geometry,output,params
    """
    from cnncalc.commands.summary import report
    from cnncalc.spec.chain import chain_graph, parse_chain

    if spec:
        import yaml

        Output().text(yaml.safe_dump(parse_chain(chain, conventions.layout), sort_keys=False, default_flow_style=None))
        return
    report(chain_graph(chain, conventions.layout), conventions, format, None, strict, freeze_until, head, plot,
           columns=columns)
