"""Golden-file tests of the rendered summary (torchinfo's approach): the printed output must equal
the stored file. The numbers inside are asserted against independent figures elsewhere
(test_summary_contract.py, the seed tests); these files guard the layout.

Regenerate after an intended change with:  python -m pytest tests/test_summary_golden.py --update-golden
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

CASES = {
    "summary_vgg16.txt": ["summary", "vgg16"],
    "summary_vgg16_chw_si.md": ["summary", "vgg16", "--format", "markdown", "--layout", "chw", "--units", "si"],
    "summary_vgg16.csv": ["summary", "vgg16", "--format", "csv", "--no-bias"],
    "summary_tree.txt": ["summary", str(FIXTURES / "tree.yaml")],
    "summary_tree_depth0.txt": ["summary", str(FIXTURES / "tree.yaml"),
                                "--depth", "0", "--batch", "8", "--dtype", "fp16"],
}


@pytest.mark.parametrize("golden_name", sorted(CASES))
def test_rendered_output_matches_golden_file(run_cli, golden, golden_name):
    result = run_cli(*CASES[golden_name])
    assert result.exit_code == 0, result.stderr
    golden(golden_name, result.stdout.replace(str(FIXTURES), "tests/fixtures"))
