"""A metric is declared once (cnncalc/metrics.py): a throwaway metric registered here reaches the
table, JSON, CSV, Markdown and a `check` budget with no other code change.

Independent figures: VGG-16 has 13 conv layers and 3 dense layers whose biases number
2·64 + 2·128 + 3·256 + 6·512 + 2·4096 + 1000 = 13,416 (one per filter or unit, Simonyan &
Zisserman's Table 1), which is also 138,357,544 − 138,344,128, the torchvision count with biases
minus the cs231n listing's weights-only count; its largest activation is conv1's 224·224·64 =
3,211,264 values.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cnncalc import metrics
from cnncalc.gate import Budget, check_spec

VGG16_BIASES = 2 * 64 + 2 * 128 + 3 * 256 + 6 * 512 + 2 * 4096 + 1000


@pytest.fixture
def bias_metric():
    """Biases per layer (summed), and the largest layer output (a max), as two throwaway metrics."""
    added = [
        metrics.register(metrics.Metric(
            "bias_count", "biases", per_layer=lambda facts, values: facts.counts.biases, column="Biases",
            cell="exact", budget="max_bias_count")),
        metrics.register(metrics.Metric(
            "largest_output", "largest output", per_layer=lambda facts, values: facts.elements, aggregate="max")),
    ]
    yield added
    for metric in added:
        metrics.unregister(metric.key)


def test_the_independent_figure():
    assert VGG16_BIASES == 13_416 == 138_357_544 - 138_344_128


def test_a_new_metric_reaches_the_json_rows_and_totals(run_cli, bias_metric):
    data = json.loads(run_cli("summary", "vgg16", "--format", "json").stdout)
    assert data["totals"]["bias_count"] == VGG16_BIASES
    assert data["totals"]["largest_output"] == 224 * 224 * 64
    fc8 = next(layer for layer in data["layers"] if layer["name"] == "fc8")
    assert fc8["bias_count"] == 1000 and fc8["largest_output"] == 1000


def test_a_new_metric_reaches_the_csv_with_its_total(run_cli, bias_metric):
    rows = list(csv.DictReader(io.StringIO(run_cli("summary", "vgg16", "--format", "csv").stdout)))
    assert rows[-1]["name"] == "TOTAL" and int(rows[-1]["bias_count"]) == VGG16_BIASES
    assert sum(int(row["bias_count"]) for row in rows[:-1]) == VGG16_BIASES
    assert int(rows[-1]["largest_output"]) == 3_211_264


def test_a_new_metric_with_a_column_reaches_the_table_and_markdown(run_cli, bias_metric):
    table = run_cli("summary", "vgg16").stdout
    assert "Biases" in table.splitlines()[1]
    fc7 = next(line for line in table.splitlines() if line.startswith("fc7"))
    assert "4,096" in fc7.split("│")[7]  # after Layer, Type, Geometry, Output shape, Params, MACs, Memory
    markdown = run_cli("summary", "vgg16", "--format", "markdown").stdout
    header = next(line for line in markdown.splitlines() if line.startswith("| Layer"))
    assert header.split("|")[8].strip() == "Biases"
    assert "| fc8 | dense |  | 1000 | 4,097,000 | 4.1M | 3.91 KiB | 1,000 | all |" in markdown


def test_a_new_metric_with_a_budget_is_checked(tmp_path, bias_metric):
    spec = tmp_path / "net.yaml"
    spec.write_text("input: [3, 32, 32]\nlayers:\n  - {conv: 16, kernel: 3}\n  - {conv: 8, kernel: 3}\n"
                    "budget:\n  max_bias_count: 20\n")
    report = check_spec(str(spec), Budget())
    assert not report.ok
    (problem,) = report.problems
    assert problem.kind == "budget" and problem.location.line == 6
    assert "biases 24 exceed max_bias_count 20" in problem.message  # 16 + 8 biases


def test_a_metric_needs_one_way_to_be_computed():
    with pytest.raises(ValueError, match="exactly one"):
        metrics.Metric("nothing", "nothing")
    with pytest.raises(ValueError, match="already declared"):
        metrics.register(metrics.Metric("params", "params", per_layer=lambda facts, values: 0))
