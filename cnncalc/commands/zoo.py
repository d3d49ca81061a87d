"""`cnncalc zoo`: the built-in architectures."""

from __future__ import annotations

import typer

from cnncalc.commands.common import Format, FormatOpt, console, reports_errors


@reports_errors
def zoo(format: FormatOpt = Format.table) -> None:
    """List the built-in architectures (use their names wherever a spec is expected).

    \b
    Example:
      cnncalc zoo
    """
    import json

    from cnncalc.spec.yaml_loader import load_yaml_file
    from cnncalc.zoo import zoo_dir, zoo_names

    entries = []
    for name in zoo_names():
        data = load_yaml_file(str(zoo_dir() / f"{name}.yaml"))
        entries.append({"name": name, "title": data.get("name", name), "source": data.get("source", "")})
    if format == Format.json:
        typer.echo(json.dumps(entries, indent=2))
        return
    if format in (Format.csv, Format.markdown):
        sep = "," if format == Format.csv else " | "
        for entry in entries:
            typer.echo(sep.join(str(entry[k]).replace(",", ";") if format == Format.csv else str(entry[k]) for k in ("name", "title", "source")))
        return
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for column in ("Name", "Architecture", "Source"):
        table.add_column(column)
    for entry in entries:
        table.add_row(entry["name"], entry["title"], entry["source"])
    console().print(table)
