"""The JSON Schema: shipped file up to date, every zoo spec valid, typical mistakes invalid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from cnncalc.ops import REGISTRY
from cnncalc.schema import SHIPPED, schema_text
from cnncalc.spec.compile import TOP_LEVEL_KEYS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(SHIPPED.read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def test_the_shipped_schema_is_up_to_date_and_printed_by_the_command(run_cli, golden):
    # stale: `python -m pytest --update-golden`, or `cnncalc schema > cnncalc/spec.schema.json`
    golden(SHIPPED, schema_text())
    result = run_cli("schema")
    assert result.exit_code == 0 and result.output == schema_text()
    assert run_cli("schema", "--path").output.strip() == str(SHIPPED)


def test_the_schema_is_valid_draft7_and_covers_the_language():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert set(SCHEMA["properties"]) == set(TOP_LEVEL_KEYS)
    assert {f"op.{key}" for key in REGISTRY if key != "input"} <= set(SCHEMA["definitions"])


@pytest.mark.parametrize("spec", sorted((ROOT / "specs").glob("*.yaml")), ids=lambda p: p.name)
def test_every_zoo_spec_validates(spec):
    errors = [f"{list(e.path)}: {e.message[:120]}" for e in VALIDATOR.iter_errors(yaml.safe_load(spec.read_text()))]
    assert not errors


BASE = "input: [3, 32, 32]\nlayers:\n"


@pytest.mark.parametrize("text", [
    BASE + "  - {conv: 16, kernal: 3}\n",                 # misspelt option
    BASE + "  - {covn: 16, kernel: 3}\n",                 # misspelt op beside an option
    BASE + "  - {conv: 16, kernel: 3, padding: full}\n",  # padding is a number, a pair, same or valid
    BASE + "  - {conv: 0, kernel: 3}\n",                  # filters must be positive
    BASE + "  - {conv: 16, kernel: 3, activation: relu7}\n",
    BASE + "  - {repeat: 0, layers: [{conv: 8, kernel: 3}]}\n",
    BASE + "  - {dropout: 1.5}\n",
    "input: [3, 32, 32]\n",                                 # no layers
    "input: [0, 32]\nlayers: [flatten]\n",                  # input sizes
    BASE + "  - flatten\nbudget: {max_parms: 1M}\n",        # misspelt budget key
    BASE + "  - flatten\nlayer: []\n",                      # misspelt top-level key
])
def test_broken_specs_do_not_validate(text):
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text)))


def test_module_bodies_may_use_arguments():
    text = """
input: [3, 32, 32]
modules:
  stage:
    args: [width, {stride: 1}]
    layers:
      - {conv: $width, kernel: 3, stride: $stride, padding: 1}
      - {conv: $width * 2, kernel: 1}
layers:
  - {stage: [16, 2]}
  - {stage: {width: 32}}
"""
    assert not list(VALIDATOR.iter_errors(yaml.safe_load(text)))
