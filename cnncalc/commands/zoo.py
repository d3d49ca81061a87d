"""`cnncalc zoo`: the built-in architectures."""

from __future__ import annotations

from cnncalc.commands.common import TABLE_FORMATS, reports_errors, takes_format
from cnncalc.render.output import Format, Output


@reports_errors
@takes_format(*TABLE_FORMATS)
def zoo(format: Format = Format.table) -> None:
    """List the built-in architectures (use their names wherever a spec is expected).

    \b
    Example:
      cnncalc zoo
    """
    from cnncalc.render import zoo as view
    from cnncalc.spec.yaml_loader import load_yaml_file
    from cnncalc.zoo import zoo_dir, zoo_names

    entries: list[view.ZooEntry] = []
    for name in zoo_names():
        data = load_yaml_file(str(zoo_dir() / f"{name}.yaml"))
        entries.append({"name": name, "title": str(data.get("name", name)), "source": str(data.get("source", ""))})
    out = Output()
    if format == Format.table:
        out.show(view.zoo_table(entries))
    else:
        out.text(view.RENDERERS[format](entries))
