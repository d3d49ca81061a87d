"""`cnncalc schema`: the JSON Schema of the spec language, for editors."""

from __future__ import annotations

from typing import Annotated

import typer

from cnncalc.commands.common import reports_errors
from cnncalc.render.output import Output

PathOpt = Annotated[bool, typer.Option(
    "--path", help="Print where the installed copy of the schema is, instead of the schema.")]


@reports_errors
def schema(
    path: PathOpt = False,
) -> None:
    """Print the JSON Schema of spec files (the same file ships as cnncalc/spec.schema.json).

    Point your editor at it with a first line in the spec (yaml-language-server, e.g. VS Code's
    YAML extension) to get completion and validation while you type.

    \b
    Examples:
      cnncalc schema > spec.schema.json
      cnncalc schema --path
      # yaml-language-server: $schema=./spec.schema.json
    """
    from cnncalc.schema import SHIPPED, schema_text

    Output().text(str(SHIPPED) if path else schema_text())
