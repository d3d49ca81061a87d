"""`cnncalc zoo`: the built-in architectures, with each one's input, params and MACs."""

from __future__ import annotations

from typing import Annotated

import typer

from cnncalc.commands.common import TABLE_FORMATS, complete_spec, reports_errors, takes_format
from cnncalc.render.output import Format, Output

NameArg = Annotated[str | None, typer.Argument(
    metavar="NAME", help="One network: its source in full (the list shortens or drops the sources to fit).",
    show_default=False, autocompletion=complete_spec)]


@reports_errors
@takes_format(*TABLE_FORMATS)
def zoo(name: NameArg = None, format: Format = Format.table) -> None:
    """List the built-in architectures (use their names wherever a spec is expected), each with its
    input size, params and MACs (analysed at the spec's own input, default conventions).

    \b
    Examples:
      cnncalc zoo
      cnncalc zoo resnet50                # one network, with its full source
      cnncalc zoo --format json           # every field, every source in full
    """
    from cnncalc.analysis import analyze
    from cnncalc.errors import UsageError
    from cnncalc.loading import load
    from cnncalc.render import zoo as view
    from cnncalc.suggest import did_you_mean
    from cnncalc.zoo import zoo_dir, zoo_names

    names = zoo_names()
    if name is not None:
        if name not in names:
            raise UsageError(f"'{name}' is not a zoo model{did_you_mean(name, names) or ' (cnncalc zoo lists them)'}")
        names = [name]
    entries: list[view.ZooEntry] = []
    for each in names:
        analysis = analyze(load(str(zoo_dir() / f"{each}.yaml")).graph)
        entries.append({"name": each, "title": analysis.name, "source": analysis.source or "",
                        "input_shape": list(analysis.input_shape), "params": analysis.totals.params,
                        "macs": analysis.totals.macs})
    out = Output()
    if format != Format.table:
        out.text(view.RENDERERS[format](entries))
    elif name is not None:
        out.show(view.entry_table(entries[0]))
    else:
        out.show(view.zoo_table(entries, out.console().width))
