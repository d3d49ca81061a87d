"""The JSON Schema of the spec language, generated from the ops' pydantic option models and the
compiler's keywords, so editors (yaml-language-server) can complete and validate spec files.

It is the shape of the language, not its meaning: a spec can validate and still fail to build
(shapes that disagree at a join); `cnncalc check` catches those. Draft-07, the draft editors
support best. `cnncalc schema > cnncalc/spec.schema.json` regenerates the shipped copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).resolve().parent / "spec.schema.json"
EXPRESSION: dict[str, Any] = {
    "type": "string", "pattern": "\\$", "description": "a $argument expression (inside modules), e.g. $width * 4",
}


def spec_schema() -> dict:
    from cnncalc import metrics
    from cnncalc.conventions import DTYPE_BYTES
    from cnncalc.gate import budget_keys
    from cnncalc.grading.marking import layer_items, total_items
    from cnncalc.limits import MAX_BATCH, MAX_INPUT_SIZE, MAX_REPEAT
    from cnncalc.ops import ALIASES, REGISTRY
    from cnncalc.ops.base import ACTIVATIONS
    from cnncalc.sizes import AXES
    from cnncalc.spec.compile import COMMON_KEYS, SHORTCUTS, STRUCTURAL, TOP_LEVEL_KEYS

    ops = {key: op for key, op in REGISTRY.items() if key != "input"}
    layers: dict[str, Any] = {"type": "array", "items": {"$ref": "#/definitions/layer"}}
    common: dict[str, Any] = {
        "name": {"type": "string", "pattern": "^[^/]+$", "description": "the layer's name (no '/')"},
        "from": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                 "description": "input layer(s), by name (a DAG: DenseNet, U-Net skips, heads)"},
        "frozen": {"type": "boolean", "description": "not trained (transfer learning)"},
        "training_only": {"type": "boolean", "description": "left out of the inference totals (auxiliary heads)"},
    }
    assert set(common) == set(COMMON_KEYS), "keep the schema's common keys in step with the compiler"
    definitions: dict[str, Any] = {"layers": layers}
    entries: list[dict] = [{"enum": sorted([*ops, *ALIASES])}, {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                                                    "description": "an op without options, or a module"}]
    for key, op in ops.items():
        option_schemas = op.options.model_json_schema().get("properties", {})
        fields = {name: _with_expressions(_draft7(schema)) for name, schema in option_schemas.items()}
        definitions[f"options.{key}"] = {"type": "object", "properties": fields, "additionalProperties": False}
        value: list[dict[str, Any]] = [{"type": "null"}, {"$ref": f"#/definitions/options.{key}"}]
        if op.primary:
            value.insert(0, fields[op.primary])
        if key == "concat":
            value.append({"type": "array", "items": layers, "description": "branches, concatenated along the channels"})
        definitions[f"op.{key}"] = _entry(key, {"anyOf": value}, {**fields, **common}, op.description)
        entries.append({"$ref": f"#/definitions/op.{key}"})
    for alias, key in ALIASES.items():  # `bn`, `fc` ...: the same entry under another word
        shared = dict(definitions[f"op.{key}"]["properties"])
        definitions[f"op.{alias}"] = _entry(alias, shared.pop(key), shared, f"{key}: {ops[key].description}")
        entries.append({"$ref": f"#/definitions/op.{alias}"})
    structures: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
        "repeat": ({"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_REPEAT}, EXPRESSION]},
                   {"layers": layers, "first": layers, **common},
                   "repeat 'layers' N times ('first' replaces the first copy)"),
        "residual": (layers, {"shortcut": {"anyOf": [{"enum": list(SHORTCUTS)}, layers]},
                              "activation": {"anyOf": [{"enum": list(ACTIVATIONS)}, {"type": "null"}]}, **common},
                     "body + shortcut, added (identity when shapes agree, else a strided 1x1 projection)"),
        "branch": (layers, common, "a side branch (aux head): its output is not passed on"),
        "block": (layers, common, "a named group of layers"),
    }
    assert set(structures) == set(STRUCTURAL)
    for key, (body, body_properties, description) in structures.items():
        definitions[f"op.{key}"] = _entry(key, body, {**body_properties}, description)
        entries.append({"$ref": f"#/definitions/op.{key}"})
    option_names = {name for key in ops for name in definitions[f"options.{key}"]["properties"]}
    reserved = sorted(set(ops) | set(ALIASES) | set(STRUCTURAL) | option_names - set(common))  # {covn: 32, kernel: 3}
    entries.append({"type": "object", "minProperties": 1, "description": "a module call: {module_name: [args...]}",
                    "propertyNames": {"not": {"enum": reserved}}})
    definitions["layer"] = {"anyOf": entries}
    positive: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_INPUT_SIZE}
    batch: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_BATCH}
    number: dict[str, Any] = {"type": ["string", "number"]}
    properties: dict[str, Any] = {
        "name": {"type": ["string", "number"], "description": "the network's name"},
        "source": {"type": "string", "description": "where the architecture comes from (paper, table)"},
        "description": {"type": "string"},
        "input": {"anyOf": [
            {"type": "array", "items": positive, "minItems": 1, "maxItems": 3},
            {"type": "object", "properties": {axis: positive for axis in AXES}, "required": list(AXES),
             "additionalProperties": False},
            {"type": "object", "properties": {"features": positive}, "required": ["features"],
             "additionalProperties": False},
        ], "description": "[channels, height, width], or [features]; {channels: C, height: H, width: W} when the "
                          "list would look swapped ([224, 224, 3])"},
        "defaults": {"type": "object", "description": "default options per op, e.g. conv: {kernel: 3}",
                     "properties": {word: {"$ref": f"#/definitions/options.{ALIASES.get(word, word)}"}
                                    for word in [*ops, *ALIASES]},
                     "additionalProperties": False},
        "modules": {"type": "object", "description": "reusable, parameterised blocks",
                    "additionalProperties": {"type": "object", "properties": {
                        "args": {"type": "array", "items": {"anyOf": [
                            {"type": "string"}, {"type": "object", "minProperties": 1, "maxProperties": 1},
                        ]}},
                        "layers": layers}}},
        "layers": {**layers, "minItems": 1},
        "outputs": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
        "budget": {"type": "object", "description": "limits for `cnncalc check`", "additionalProperties": False,
                   "properties": {
                       **{m.budget: number for m in metrics.budgeted() if m.budget},
                       "batch": batch, "dtype": {"enum": list(DTYPE_BYTES)}}},
        "expect": {"type": "object", "description": "values `cnncalc check` verifies (25557032 exact, 25.6M rounded)",
                   "additionalProperties": False, "properties": {
                       **{key: {"type": ["string", "number", "array"]} for key in total_items()},
                       "layers": {"type": "object", "additionalProperties": {
                           "type": "object", "additionalProperties": False,
                           "properties": {key: {"type": ["string", "number", "array"]} for key in layer_items()}}}}},
        "questions": {"type": "array", "items": {"type": "string", "pattern": r"^.+\.[a-z_]+$"}, "uniqueItems": True,
                      "description": "what `cnncalc grade` asks, as layer.item or total.item (conv1.params)"},
    }
    assert set(properties) == set(TOP_LEVEL_KEYS) and set(properties["budget"]["properties"]) == set(budget_keys())
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "cnncalc architecture spec",
        "type": "object",
        "required": ["input", "layers"],
        "additionalProperties": False,
        "properties": properties,
        "definitions": definitions,
    }


def _entry(key: str, value: dict, properties: dict, description: str) -> dict:
    return {"type": "object", "description": description, "required": [key],
            "properties": {key: value, **properties}, "additionalProperties": False}


def _draft7(schema: Any) -> Any:
    """pydantic writes draft 2020-12: turn `prefixItems` into draft-07 tuple `items`, drop titles."""
    if isinstance(schema, list):
        return [_draft7(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:  # pragma: no cover - options are flat models
        raise ValueError("nested option models are not supported by the schema generator")
    result = {key: _draft7(value) for key, value in schema.items() if key != "title"}
    if "prefixItems" in result:
        result["items"] = result.pop("prefixItems")
        result["additionalItems"] = False
    return result


def _with_expressions(schema: dict) -> dict:
    """Inside modules any option may be a `$arg` expression."""
    return {"anyOf": [schema, EXPRESSION], **({"default": schema.pop("default")} if "default" in schema else {})}


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2) + "\n"
