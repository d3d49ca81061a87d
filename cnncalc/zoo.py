"""Find specs by zoo name or path. The zoo lives in `specs/` (a checkout) or `cnncalc/specs/`
(an installed wheel), so `cnncalc summary vgg16` works from any folder."""

from __future__ import annotations

import difflib
from pathlib import Path

from cnncalc.errors import UsageError

_PACKAGE_DIR = Path(__file__).resolve().parent


def zoo_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "specs", _PACKAGE_DIR.parent / "specs"):
        if candidate.is_dir():
            return candidate
    raise UsageError("the built-in zoo is missing from this installation (reinstall cnncalc)")  # pragma: no cover


def zoo_names() -> list[str]:
    return sorted(path.stem for path in zoo_dir().glob("*.yaml"))


def resolve_spec(ref: str) -> str:
    """A path that exists wins; otherwise a zoo name (with or without .yaml)."""
    path = Path(ref)
    if path.exists():
        return str(path)
    if "/" in ref or "\\" in ref:
        raise UsageError(f"no such file '{ref}'")
    name = ref.removesuffix(".yaml").lower()
    candidate = zoo_dir() / f"{name}.yaml"
    if candidate.is_file():
        return str(candidate)
    close = difflib.get_close_matches(name, zoo_names(), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else " (see 'cnncalc zoo' for the list)"
    if ref.endswith((".yaml", ".yml")):
        raise UsageError(f"no such file '{ref}'")
    raise UsageError(f"'{ref}' is neither a file nor a zoo model{hint}")
