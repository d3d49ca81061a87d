"""`cnncalc run` on the lecture notes' worked examples (their numbers, exactly), and the command's
contract: the JSON keys, --repeat, exit 1 naming the layer that disagrees, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cnncalc.reference import executor as executor_module

FIXTURES = Path(__file__).parent / "fixtures" / "reference"


def run_json(run_cli, *args):
    result = run_cli("run", *args, "--format", "json")
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    return data


def output(run_cli, spec, image, *flags, name=None):
    data = run_json(run_cli, str(FIXTURES / spec), "--input", str(FIXTURES / image), *flags)
    outputs = data["outputs"]
    return np.array(outputs[name] if name else next(iter(outputs.values())))[0, 0]


def test_seed001_first_convolved_value_is_4(run_cli):
    """Top-left window [[1,1,1],[0,1,1],[0,0,1]] against [[1,0,1],[0,1,0],[1,0,1]]:
    1·1 + 1·1 (corners of row 1) + 1·1 (centre) + 0 + 1·1 (bottom right) = 4. The kernel is
    symmetric, so flipping it changes nothing."""
    got = output(run_cli, "seed001_conv.yaml", "seed001_image.txt")
    assert got[0, 0] == 4
    # the other eight, by the same hand count (docs/errata.md 001-02): [[4,3,4],[2,4,3],[2,3,4]]
    np.testing.assert_array_equal(got, [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    np.testing.assert_array_equal(output(run_cli, "seed001_conv.yaml", "seed001_image.txt", "--flip"), got)


def test_seed002_max_pool_gives_6_8_3_4(run_cli):
    """max of each 2x2 block of [[1,1,2,4],[5,6,7,8],[3,2,1,0],[1,2,3,4]]: 6, 8 / 3, 4."""
    np.testing.assert_array_equal(output(run_cli, "maxpool.yaml", "maxpool_input.csv"), [[6, 8], [3, 4]])


def test_seed004_horizontal_sobel_needs_the_flip(run_cli):
    """Rows 1-3 of the window are 255, 255, 0 at output row 1: the dot product gives
    (1+2+1)·255 - 0 = +1020; the seed's -1020 comes from the flipped kernel (top row -1 -2 -1)."""
    flipped = output(run_cli, "sobel_horizontal.yaml", "edge_horizontal.txt", "--flip")
    np.testing.assert_array_equal(flipped, [[0] * 4, [-1020] * 4, [-1020] * 4, [0] * 4])
    plain = output(run_cli, "sobel_horizontal.yaml", "edge_horizontal.txt")
    np.testing.assert_array_equal(plain, [[0] * 4, [1020] * 4, [1020] * 4, [0] * 4])
    # x' = (x + 1020)·255/1020: 0 -> 255 and -1020 -> 0, the seed's rescaled matrix
    rescaled = output(run_cli, "sobel_horizontal.yaml", "edge_horizontal.txt", "--flip", "--normalize")
    np.testing.assert_array_equal(rescaled, [[255] * 4, [0] * 4, [0] * 4, [255] * 4])


def test_seed004_vertical_sobel_is_a_plain_dot_product(run_cli):
    """Columns 0|255: window columns 1-3 give 0·(1+2+1) - 255·(1+2+1) = -1020; rescaled, the seed's
    255 0 0 255 rows. This example does not flip (docs/errata.md 004-04)."""
    raw = output(run_cli, "sobel_vertical.yaml", "edge_vertical.txt")
    np.testing.assert_array_equal(raw, [[0, -1020, -1020, 0]] * 4)
    rescaled = output(run_cli, "sobel_vertical.yaml", "edge_vertical.txt", "--normalize")
    np.testing.assert_array_equal(rescaled, [[255, 0, 0, 255]] * 4)


def test_seed004_zero_and_same_value_padding(run_cli):
    zero = output(run_cli, "padding.yaml", "edge_horizontal.txt", name="zero_padding")
    inner = [0] + [255] * 6 + [0]
    np.testing.assert_array_equal(zero, [[0] * 8, inner, inner, inner] + [[0] * 8] * 4)
    same = output(run_cli, "padding.yaml", "edge_horizontal.txt", name="same_value_padding")
    np.testing.assert_array_equal(same, [[255] * 8] * 4 + [[0] * 8] * 4)


def test_the_matrix_is_printed_as_the_slides_write_it(run_cli):
    result = run_cli("run", str(FIXTURES / "sobel_horizontal.yaml"), "--input", str(FIXTURES / "edge_horizontal.txt"), "--flip")
    assert result.exit_code == 0, result.stderr
    assert "output 'edges' 1x4x4:\n    0      0      0      0\n-1020  -1020  -1020  -1020\n" in result.stdout
    assert "all 2 layers agree with the analyzer" in result.stdout


def test_npy_input_sets_the_size_and_batch(run_cli, tmp_path):
    """A 2x1x7x7 array runs the 5x5-image spec at 7x7 with batch 2: 3x3 valid conv -> 5x5."""
    path = tmp_path / "batch.npy"
    np.save(path, np.ones((2, 1, 7, 7), np.float32))
    data = run_json(run_cli, str(FIXTURES / "seed001_conv.yaml"), "--input", str(path))
    assert data["layers"][-1]["output_shape"] == [1, 5, 5]
    out = np.array(data["outputs"]["convolved_feature"])
    assert out.shape == (2, 1, 5, 5)
    assert (out == 5).all()  # five ones in the kernel, all-ones image


def test_json_contract_and_repeat(run_cli):
    # vgg16_c, the paper's fixed classifier: at 32 its fc6 sees 1x1x512 (torchvision's vgg16 pools to 7x7)
    data = run_json(run_cli, "vgg16_c", "--input", "32", "--repeat", "2", "--seed", "3")
    assert set(data) == {"ok", "layers", "forward_seconds", "peak_rss_bytes"}
    assert {"name", "output_shape", "params", "seconds", "ok"} <= set(data["layers"][0])
    by_name = {layer["name"]: layer for layer in data["layers"]}
    assert by_name["conv1_1"]["params"] == 64 * 3 * 3 * 3 + 64          # hand count: 1,792
    assert by_name["fc6"]["params"] == 512 * 1 * 1 * 4096 + 4096         # 32 -> 1x1 after five pools
    assert by_name["pool5"]["output_shape"] == [512, 1, 1]
    assert data["forward_seconds"] > 0 and data["peak_rss_bytes"] > 0


def test_a_shape_disagreement_exits_1_naming_the_layer(run_cli, monkeypatch):
    """Sabotage max pooling (it returns its input): the check catches pool1, stops, and exits 1."""
    monkeypatch.setitem(executor_module.RUN, "maxpool", lambda o, xs, p: xs[0])
    result = run_cli("run", "vgg16", "--input", "32")
    assert result.exit_code == 1
    assert "specs/vgg16.yaml:13:5: layer 'pool1': the executor's output is 1x64x32x32 but the analyzer says 1x64x16x16" in result.stderr
    assert "(the pass stopped there)" in result.stderr   # before fc6 could ask for 2G weights
    assert "conv2_1" not in result.stdout
    assert "Traceback" not in result.stderr


def test_a_param_disagreement_exits_1_naming_the_layer(run_cli, monkeypatch):
    real = executor_module.PARAMS["dense"]

    def one_too_many(o, shapes, rng, flip):
        params = real(o, shapes, rng, flip)
        params.learnable["extra"] = np.zeros(1, np.float32)
        return params

    monkeypatch.setitem(executor_module.PARAMS, "dense", one_too_many)
    result = run_cli("run", "vgg16_c", "--input", "32", "-f", "json")
    assert result.exit_code == 1
    assert "layer 'fc6': the executor's weights hold 2,101,249 values but the analyzer counts 2,101,248 params" in result.stderr
    assert json.loads(result.stdout)["ok"] is False


@pytest.mark.parametrize("args, message", [
    (["--input", "missing.csv"], "--input: no such file 'missing.csv'"),
    (["--normalize"], "--normalize rescales the printed output matrix"),
])
def test_usage_errors_exit_2(run_cli, args, message):
    result = run_cli("run", str(FIXTURES / "maxpool.yaml"), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_ragged_text_matrix_is_located(run_cli, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("1 2 3\n4 5\n")
    result = run_cli("run", str(FIXTURES / "maxpool.yaml"), "--input", str(path))
    assert result.exit_code == 2
    assert f"{path}:2: --input: row of 2 numbers, the first row has 3" in result.stderr


def test_weights_that_do_not_fit_the_kernel_are_a_spec_error(run_cli, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("input: [1, 5, 5]\nlayers:\n  - {conv: 1, kernel: 3, weights: [[1, 0], [0, 1]]}\n")
    result = run_cli("summary", str(spec))
    assert result.exit_code == 1
    assert "bad.yaml:3:5: layer 'conv1': weights: 2x2 values do not fit 1x1x3x3" in result.stderr
    spec.write_text("input: [1, 5, 5]\nlayers:\n  - {conv: 1, kernel: 2, weights: [[1, 0], [0]]}\n")
    result = run_cli("run", str(spec))
    assert result.exit_code == 1
    assert "bad.yaml:3:5: layer 'conv1': weights: every row must have the same length" in result.stderr
