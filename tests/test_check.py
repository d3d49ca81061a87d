"""`cnncalc check`: the zoo passes; broken, over-budget and unkept specs fail at the right line,
in text, JSON and GitHub-annotation form; the pre-commit hook runs in a scratch git repository."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cnncalc.gate import Budget, check_spec
from cnncalc.grading.values import parse_budget

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "check"

# file -> (line, column) of the first error, read off the fixture files by hand
BROKEN = {
    "shape_mismatch.yaml": (6, 5, "add: shapes 32x32x32 (body) and 32x32x16 (shortcut) differ"),
    "concat_mismatch.yaml": (6, 5, "spatial sizes 32x32x8 and 16x16x8 differ"),
    "kernel_too_big.yaml": (8, 5, "kernel 7x7"),
    "unknown_op.yaml": (5, 6, "unknown op 'covn'; did you mean 'conv'?"),
    "bad_yaml.yaml": (6, 1, "invalid YAML"),
    "dense_without_flatten.yaml": (6, 5, "add '- flatten' before it"),
    "over_budget.yaml": (6, 3, "params 165,642 (166K) exceed max_params 100,000"),
    "unmet_expect.yaml": (6, 3, "expected total params 41,000, but it is 41,418"),
    "bad_budget.yaml": (4, 3, "unknown key 'max_parms'; did you mean 'max_params'?"),
}


def test_the_whole_zoo_passes(run_cli):
    """Speed is measured in benchmarks/bench_analysis.py, not here."""
    specs = sorted((ROOT / "specs").glob("*.yaml"))
    result = run_cli("check", str(ROOT / "specs"))
    assert result.exit_code == 0, result.output
    assert f"checked {len(specs)} spec(s): {len(specs)} ok, 0 failed" in result.output
    assert all(check_spec(str(spec), Budget()).ok for spec in specs)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_spec_fails_at_its_line(run_cli, name):
    line, column, message = BROKEN[name]
    result = run_cli("check", str(FIXTURES / name))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{FIXTURES / name}:{line}:{column}: error: "), first
    assert message in first


def test_all_three_formats_point_at_the_same_lines(run_cli):
    files = [str(FIXTURES / name) for name in sorted(BROKEN)]
    text = run_cli("check", *files)
    data = json.loads(run_cli("check", *files, "--format", "json").output)
    github = run_cli("check", *files, "--format", "github")
    assert text.exit_code == github.exit_code == 1 and data["ok"] is False
    for spec in data["specs"]:
        name = Path(spec["path"]).name
        line, column, message = BROKEN[name]
        first = spec["problems"][0]
        assert (first["line"], first["column"], first["severity"]) == (line, column, "error")
        assert message in first["message"]
        annotation = f"::error file={spec['path']},line={line},col={column},title=cnncalc check::"
        assert any(row.startswith(annotation) and message in row for row in github.output.splitlines()), annotation
    assert github.output.splitlines()[-1] == f"checked {len(files)} spec(s): 0 ok, {len(files)} failed"


def test_github_annotations_escape_their_properties():
    from cnncalc.render.check import escape as _escape

    assert _escape("a:b,c%", property=True) == "a%3Ab%2Cc%25"
    assert _escape("line1\nline2: 50%") == "line1%0Aline2: 50%25"


def test_unkept_expectations_are_reported_one_per_line(run_cli):
    result = run_cli("check", str(FIXTURES / "unmet_expect.yaml"))
    lines = result.output.splitlines()
    # conv1 with padding 1 keeps 32x32 (the spec promised 30x30); its params 3*3*3*16 + 16 = 448 are right
    assert any(":8:13: error: layer 'conv1': expected output_shape 30x30x16, but it is 32x32x16" in row for row in lines)
    assert not any("conv1.params" in row or "expected params 448" in row for row in lines)
    assert any(":9:13: error: expect: conv9.params: no layer" in row and "'conv9'" in row for row in lines)


def test_kept_promises_and_budgets_pass_and_tighter_ones_fail(run_cli):
    spec = str(FIXTURES / "within_budget.yaml")
    assert run_cli("check", spec).exit_code == 0
    # (3,072 + 16,384 + 4,096 + 10) values x 64 x 2 B = 3,015,936 B at batch 64 in fp16
    args = ("--batch", "64", "--dtype", "fp16")
    assert run_cli("check", spec, "--max-activation-memory", "3015936", *args).exit_code == 0
    over = run_cli("check", spec, "--max-activation-memory", "3015935", *args)
    assert over.exit_code == 1
    assert "activation memory at batch 64, fp16 3,015,936 B" in over.output and "(--max-activation-memory)" in over.output
    # params 41,418: a 41.4K budget (41,400) fails, 41,418 passes
    assert run_cli("check", spec, "--max-params", "41418").exit_code == 0
    assert run_cli("check", spec, "--max-params", "41.4K").exit_code == 1


def test_command_line_budgets_on_resnet50():
    # torchvision: resnet50 has 25,557,032 params and 4.09 GMACs (its "4.09 GFLOPS")
    report = check_spec("resnet50", Budget(limits={"max_params": 25_000_000, "max_macs": 4_000_000_000}))
    messages = [p.message for p in report.problems]
    assert any("params 25,557,032" in m and "max_params 25,000,000" in m for m in messages)
    assert any("MACs per image 4,089,184,256" in m for m in messages)
    assert check_spec("resnet50", Budget(limits={"max_params": 25_557_032})).ok


def test_expect_file_applies_to_each_spec(run_cli, tmp_path):
    expect = tmp_path / "expect.yaml"
    expect.write_text("params: 25557032\nlayers:\n  conv1: {output_shape: 112x112x64, params: 9408}\n")
    assert run_cli("check", "resnet50", "--expect", str(expect)).exit_code == 0
    # resnet18 has 11,689,512 params (torchvision): the same promise fails, pointing into the file
    result = run_cli("check", "resnet18", "--expect", str(expect))
    assert result.exit_code == 1
    assert f"{expect}:1:1: error: expected total params 25557032, but it is 11,689,512" in result.output


def test_warnings_pass_unless_strict(run_cli):
    spec = str(FIXTURES / "dropped_pixels.yaml")
    relaxed = run_cli("check", spec)
    assert relaxed.exit_code == 0 and ":5:5: warning: layer 'conv1': stride 4x4 does not tile" in relaxed.output
    strict = run_cli("check", spec, "--strict", "--format", "github")
    assert strict.exit_code == 1 and f"::error file={spec},line=5,col=5" in strict.output


@pytest.mark.parametrize("args", [
    ("--max-params", "lots"), ("--max-activation-memory", "2G"), ("--expect", "/nonexistent.yaml"),
])
def test_usage_errors_exit_2(run_cli, args):
    result = run_cli("check", "vgg16", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_folder_is_checked_recursively_in_path_order(run_cli, tmp_path):
    good = (FIXTURES / "within_budget.yaml").read_text()
    broken = (FIXTURES / "shape_mismatch.yaml").read_text()
    for name, text in {"b.yaml": good, "a/z.YML": good, "a/deep/er/c.Yaml": good, "notes.txt": broken,
                       ".git/hooks/x.yaml": broken, ".hidden.yaml": broken, "a/.cache/y.yml": broken}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 0, result.output
    checked = [row.split(": ok")[0] for row in result.output.splitlines() if ": ok" in row]
    assert checked == [str(tmp_path / "a" / "deep" / "er" / "c.Yaml"), str(tmp_path / "a" / "z.YML"),
                       str(tmp_path / "b.yaml")]
    assert result.output.splitlines()[-1] == "checked 3 spec(s): 3 ok, 0 failed"


def test_a_folder_with_specs_only_in_hidden_folders_is_a_usage_error(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text((FIXTURES / "within_budget.yaml").read_text())
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 2 and "no specs (*.yaml, *.yml)" in result.output and "subfolders" in result.output


def test_missing_spec_is_a_usage_error(run_cli):
    assert run_cli("check", "no/such/file.yaml").exit_code == 2


def test_budget_quantities():
    assert parse_budget("25M") == 25_000_000
    assert parse_budget("4G") == 4_000_000_000
    assert parse_budget("2GiB", memory=True) == 2 * 1024**3
    assert parse_budget("512MB", memory=True, units="si") == 512_000_000
    assert parse_budget("512MB", memory=True) == 512 * 1024**2  # the slides' MB, by default


# -- pre-commit ---------------------------------------------------------------------------------

def _hook():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert len(hooks) == 1 and hooks[0]["id"] == "cnncalc-check"
    return hooks[0]


def _entry_command(entry: str) -> list[str]:
    """The hook's entry as pre-commit would run it (its venv has the `cnncalc` script)."""
    argv = shlex.split(entry)
    if argv[0] == "cnncalc" and shutil.which("cnncalc") is None:  # pragma: no cover
        argv = [sys.executable, "-m", "cnncalc", *argv[1:]]
    return argv


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hook_runs_on_staged_specs(tmp_path):
    hook = _hook()
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "vgg16.yaml", repo / "specs" / "vgg16.yaml")
    shutil.copy(FIXTURES / "shape_mismatch.yaml", repo / "specs" / "broken.yaml")
    (repo / ".github" / "workflows" / "ci.yaml").write_text("on: push\njobs: {}\n")  # YAML, not a spec
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)

    def run_hook() -> subprocess.CompletedProcess:
        staged = subprocess.run([*git, "diff", "--cached", "--name-only"], check=True, capture_output=True, text=True).stdout.split()
        files = [f for f in staged if re.search(hook["files"], f)]
        assert ".github/workflows/ci.yaml" not in files
        return subprocess.run([*_entry_command(hook["entry"]), *hook.get("args", []), *files], cwd=repo, capture_output=True, text=True)

    failing = run_hook()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "specs/broken.yaml:6:5: error: layer 'residual1': add: shapes" in failing.stdout
    assert "specs/vgg16.yaml: ok" in failing.stdout

    (repo / "specs" / "broken.yaml").write_text((FIXTURES / "shape_mismatch.yaml").read_text().replace("identity", "projection"))
    subprocess.run([*git, "add", "."], check=True)
    passing = run_hook()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "checked 2 spec(s): 2 ok, 0 failed" in passing.stdout


def _has_pre_commit() -> bool:
    return importlib.util.find_spec("pre_commit") is not None


@pytest.mark.skipif(shutil.which("git") is None or not _has_pre_commit(), reason="needs git and pre-commit (dev extra)")
def test_real_pre_commit_runs_the_hook_offline(tmp_path):
    """The real pre-commit program runs this repository's hook definition on staged specs, offline.

    The scratch repository's .pre-commit-config.yaml is a `repo: local` copy of .pre-commit-hooks.yaml
    (id, entry, files, args) with `language: system`, so the cnncalc installed beside this Python runs
    and pre-commit builds no environment; no package index is reachable (PIP_NO_INDEX, and a proxy on a
    loopback port where nothing listens, so any attempt fails at once and stays on this machine)."""
    hook = _hook()
    local = {key: hook[key] for key in ("id", "name", "entry", "files", "args") if key in hook}
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "notes").mkdir()
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [{**local, "language": "system"}]}]}))
    shutil.copy(ROOT / "specs" / "vgg16.yaml", repo / "specs" / "vgg16.yaml")
    (repo / "notes" / "ci.yaml").write_text("on: push\njobs: {}\n")  # YAML outside specs/: not checked
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    proxy = "http://127.0.0.1:9"  # loopback, discard port: nothing answers
    env.update({
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_NO_INDEX": "1", "PIP_DEFAULT_TIMEOUT": "1", "PIP_RETRIES": "0",
        "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy,
        "NO_PROXY": "", "no_proxy": "",
    })
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True, env=env)
    subprocess.run([*git, "add", "."], check=True, env=env)

    def pre_commit() -> subprocess.CompletedProcess:  # on the staged files, as `git commit` runs it
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--color", "never"],
                              cwd=repo, capture_output=True, text=True, env=env, timeout=120)

    passing = pre_commit()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"^cnncalc check\.+Passed$", passing.stdout, re.MULTILINE), passing.stdout

    shutil.copy(FIXTURES / "shape_mismatch.yaml", repo / "specs" / "broken.yaml")
    subprocess.run([*git, "add", "."], check=True, env=env)
    failing = pre_commit()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert re.search(r"^cnncalc check\.+Failed$", failing.stdout, re.MULTILINE), failing.stdout
    assert "specs/broken.yaml:6:5: error: layer 'residual1': add: shapes" in failing.stdout
    assert "specs/vgg16.yaml: ok" in failing.stdout
