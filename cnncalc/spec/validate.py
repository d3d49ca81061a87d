"""Run pydantic on a piece of the spec and turn its errors into one located, readable line."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from cnncalc.errors import Location, SpecError
from cnncalc.spec.yaml_loader import LocDict, LocList
from cnncalc.suggest import did_you_mean

VALUE_HINTS = {
    "kernel": "a positive whole number or a pair [height, width]",
    "stride": "a positive whole number or a pair [height, width]",
    "dilation": "a positive whole number or a pair [height, width]",
    "scale": "a positive whole number or a pair [height, width]",
    "size": "a positive whole number or a pair [height, width]",
    "padding": "a whole number, [height, width], [top, bottom, left, right], 'same' or 'valid'",
    "output_padding": "a whole number or a pair [height, width]",
    "activation": "one of the activation names (relu, sigmoid, ...)",
    "weights": "a matrix of numbers [[...], ...] (kh x kw), or filters x in/groups x kh x kw nested lists",
}


def locate(data: Any, path: tuple, fallback: Location) -> Location:
    """The position of the deepest part of `data` along a pydantic error path."""
    where = getattr(data, "location", fallback)
    for part in path:
        if isinstance(data, LocDict) and isinstance(part, str) and part in data:
            where = data.where(part)
            data = data[part]
        elif isinstance(data, LocList) and isinstance(part, int) and 0 <= part < len(data):
            where = data.item_locations[part]
            data = data[part]
        else:
            break
    return where


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(model: type[BaseModel], data: dict, what: str, where: Location,
             origins: dict[str, Location] | None = None, layer: str | None = None) -> BaseModel:
    """Validate `data` against `model`; `origins` maps option keys to where the user wrote them."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        error = min(errors, key=lambda e: e["type"] != "extra_forbidden")  # unknown keys first
        path = tuple(error["loc"])
        key = path[0] if path else None
        alternatives = sum(1 for e in errors if e["loc"][:1] == path[:1])
        location = (origins or {}).get(key) if isinstance(key, str) else None
        location = location or locate(data, path, where)
        field_names = list(model.model_fields)
        if error["type"] == "extra_forbidden":
            message = f"{what}: unknown key '{key}'{did_you_mean(key, field_names)} (allowed: {', '.join(field_names)})"
        elif error["type"] == "missing":
            message = f"{what}: missing '{key}'"
        elif error["type"] == "literal_error" and isinstance(error.get("input"), str):
            choices = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
            message = (f"{what}: unknown {key} '{error['input']}'{did_you_mean(error['input'], choices)} "
                       f"(choose from {', '.join(choices)})")
        elif alternatives > 1 and isinstance(key, str):
            expected = VALUE_HINTS.get(key, "a valid value")
            message = f"{what}: '{key}' must be {expected} (got {describe(data.get(key))})"
        else:
            dotted = ".".join(str(p) for p in path if not str(p).startswith(("tuple[", "int", "literal", "union")))
            message = f"{what}: {dotted}: {error['msg'].rstrip('.')} (got {describe(error.get('input'))})"
            if isinstance(error.get("input"), str) and "$" in error["input"]:
                message += "; $arguments only work inside modules"
        raise SpecError(message, location, layer) from None
