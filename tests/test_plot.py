"""`--plot FILE` on summary and compare: valid images with one bar per layer and metric.

The expected bar counts are counted by hand from the architectures: VGG-16 has 22 layers that
hold memory, params or MACs (the input, 13 convs, 5 pools, 3 FC; flatten and dropout hold none),
the Michigan AlexNet fixture 12 (input, 5 convs, 3 pools, 3 FC); each gets three bars.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
VGG16_BARS = 1 + 13 + 5 + 3  # input, convs, pools, FCs (the identity adaptive pool and flatten hold nothing)
ALEXNET_BARS = 1 + 5 + 3 + 3


def svg_bars(path: Path) -> dict[str, int]:
    """Bars per metric, read from the SVG's element ids (bar-<metric>-<model>-<index>)."""
    counts: dict[str, int] = {}
    for element in ET.parse(path).iter():
        gid = element.get("id", "")
        if gid.startswith("bar-"):
            metric = gid.split("-")[1]
            counts[metric] = counts.get(metric, 0) + 1
    return counts


def test_summary_svg_has_three_panels_of_bars(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "vgg16.svg"
    result = run_cli("summary", "vgg16", "--plot", str(out))
    assert result.exit_code == 0, result.stderr
    assert "VGG-16" in result.stdout  # the table is still printed
    assert svg_bars(out) == {"activation_bytes": VGG16_BARS, "params": VGG16_BARS, "macs": VGG16_BARS}


def test_compare_png_is_a_valid_image_with_both_models(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "compare.png"
    result = run_cli("compare", str(FIXTURES / "alexnet_michigan.yaml"), "vgg16", "--plot", str(out), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_figure_bars_and_heights(tmp_path):
    pytest.importorskip("matplotlib")
    from cnncalc.analysis import analyze
    from cnncalc.render.compare import figures
    from cnncalc.render.plot import plot_bars
    from cnncalc.spec import load_graph

    models = [figures(analyze(load_graph(str(FIXTURES / "alexnet_michigan.yaml")))), figures(analyze(load_graph("vgg16")))]
    figure = plot_bars([(m.analysis.name, m.bars) for m in models], tmp_path / "c.svg")
    panels = figure.axes
    assert len(panels) == 3
    for ax in panels:
        assert len(ax.patches) == ALEXNET_BARS + VGG16_BARS
    params_panel = panels[1]  # in millions: VGG-16's fc6 is 102,764,544 = 25088*4096 + 4096
    heights = [patch.get_height() for patch in params_panel.patches]
    assert max(heights) == pytest.approx((25088 * 4096 + 4096) / 1e6)
    assert svg_bars(tmp_path / "c.svg")["macs"] == ALEXNET_BARS + VGG16_BARS


def test_missing_matplotlib_is_one_line_and_exit_2(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    result = run_cli("summary", "vgg16", "--plot", str(tmp_path / "x.png"))
    assert result.exit_code == 2
    assert result.stderr == 'cnncalc: error: --plot needs matplotlib: pip install "cnncalc[plot]" (or pip install matplotlib)\n'
    assert not (tmp_path / "x.png").exists()


def test_unknown_image_type_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("compare", "vgg16", "vgg16", "--plot", str(tmp_path / "x.gif"))
    assert result.exit_code == 2 and "must end in .png, .svg or .pdf" in result.stderr
