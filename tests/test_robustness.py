"""Untrusted specs: whatever the input, the loader and compiler either build a graph or raise a
CnnCalcError (a one-line message) - never any other exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.analysis import analyze
from cnncalc.errors import CnnCalcError, Location
from cnncalc.spec import load_graph_text
from cnncalc.spec.compile import compile_spec
from cnncalc.spec.yaml_loader import LocDict, LocList

WORDS = ["conv", "maxpool", "avgpool", "dense", "flatten", "relu", "concat", "add", "residual", "repeat",
         "layers", "kernel", "stride", "padding", "filters", "groups", "dilation", "from", "name", "same",
         "valid", "input", "batchnorm", "global_avgpool", "branch", "shortcut", "units", "ceil_mode", "a", "$x"]

scalars = st.one_of(st.integers(-3, 40), st.sampled_from(WORDS), st.booleans(), st.none(), st.floats(-2, 2))


def _located(value):
    """Wrap plain dicts/lists the way the YAML loader does, so the compiler sees what it always sees."""
    where = Location("fuzz.yaml", 1, 1)
    if isinstance(value, dict):
        result = LocDict({str(k): _located(v) for k, v in value.items()})
        result.location, result.key_locations = where, {str(k): where for k in value}
        return result
    if isinstance(value, list):
        result = LocList(_located(v) for v in value)
        result.location, result.item_locations = where, [where] * len(value)
        return result
    return value


trees = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.sampled_from(WORDS), children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers=st.lists(trees, min_size=1, max_size=6), size=st.integers(1, 12), channels=st.integers(1, 6))
def test_random_layer_lists_never_crash(layers, size, channels):
    spec = _located({"input": [channels, size, size], "layers": layers})
    try:
        analyze(compile_spec(spec, "fuzz.yaml"))
    except CnnCalcError as error:
        assert "\n" not in str(error)


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(list("{}[]:,- \n&*!|>'\"#%@`abc123") + WORDS), max_size=60))
def test_random_text_never_crashes(pieces):
    text = "".join(pieces)
    try:
        load_graph_text(text, "fuzz.yaml")
    except CnnCalcError as error:
        assert "\n" not in str(error)
