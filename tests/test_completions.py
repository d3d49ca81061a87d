"""Shell completions: the shipped scripts are what completions/generate.py makes from the CLI
today, and the bash one really completes commands, options and zoo names."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_completions", COMPLETIONS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_are_up_to_date(shell, golden):
    # stale: `python completions/generate.py`, or `python -m pytest --update-golden`
    generator = _generator()
    golden(COMPLETIONS / generator.FILES[shell], generator.script(shell))


def test_zsh_script_starts_with_compdef():
    assert (COMPLETIONS / "_cnncalc").read_text().startswith("#compdef cnncalc\n")


def _bash_complete(*words: str) -> list[str]:
    script = (f"source {COMPLETIONS / 'cnncalc.bash'}; COMP_WORDS=({' '.join(words)}); "
              f"COMP_CWORD={len(words) - 1}; _cnncalc_completion cnncalc; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("cnncalc") is None, reason="needs bash and an installed cnncalc")
def test_bash_completes_commands_options_and_zoo_names():
    assert "check" in _bash_complete("cnncalc", "ch")
    assert _bash_complete("cnncalc", "check", "--max-p") == ["--max-params"]
    assert {"vgg16", "vgg19"} <= set(_bash_complete("cnncalc", "summary", "vgg"))
    assert {"fp16", "bf16"} <= set(_bash_complete("cnncalc", "check", "x.yaml", "--dtype", ""))
