"""The built-in zoo. It lives in `specs/` (a checkout) or `cnncalc/specs/` (an installed wheel), so
`cnncalc summary vgg16` works from any folder; `cnncalc.loading.resolve` looks names up here."""

from __future__ import annotations

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
