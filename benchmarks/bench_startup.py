"""Cold-start time of `cnncalc summary vgg16 --format json` against importing cnncalc's own stack.

Run:  python benchmarks/bench_startup.py [--runs 15]

Each command runs in a fresh interpreter; the script prints the median and min wall time of:
  baseline  python -c "import typer, rich.console, yaml, pydantic"   (what the issue compares with)
  typer     a one-command typer app with one int option               (typer's own run-time cost)
  help      cnncalc --help
  summary   cnncalc summary vgg16 --format json
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

MINIMAL_TYPER_APP = """
import typer
app = typer.Typer()
@app.command()
def main(batch: int = typer.Option(1, min=1)):
    print(batch)
app()
"""

COMMANDS = {
    "baseline": [sys.executable, "-c", "import typer, rich.console, yaml, pydantic"],
    "typer": [sys.executable, "-c", MINIMAL_TYPER_APP, "--batch", "2"],
    "help": [sys.executable, "-m", "cnncalc", "--help"],
    "summary": [sys.executable, "-m", "cnncalc", "summary", "vgg16", "--format", "json"],
}


def time_command(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).parent)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results = {name: time_command(command, args.runs) for name, command in COMMANDS.items()}
    base = statistics.median(results["baseline"])
    print(f"{'command':10} {'median s':>9} {'min s':>7} {'vs baseline':>12}")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:10} {median:9.3f} {min(times):7.3f} {median - base:+11.3f}s")


if __name__ == "__main__":
    main()
