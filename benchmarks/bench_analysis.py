"""Analysis time and memory against network depth: it should grow linearly with the layers.

Run:  python benchmarks/bench_analysis.py

Builds specs of N layers (conv 1x1 + relu pairs via `repeat`), then times compile + analyze
(median of 5) and measures peak Python memory with tracemalloc; prints time per layer, which
stays flat when the cost is linear. Also times the whole zoo, compiled and analysed once each,
and checked as `cnncalc check` does.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

from cnncalc.analysis import analyze
from cnncalc.gate import Budget, check_spec
from cnncalc.spec import load_graph, load_graph_text
from cnncalc.zoo import zoo_names


def deep_spec(pairs: int) -> str:
    outer, inner = max(pairs // 1000, 1), min(pairs, 1000)
    return f"""
input: [16, 32, 32]
layers:
  - repeat: {outer}
    layers:
      - repeat: {inner}
        layers: [{{conv: 16, kernel: 1}}, relu]
"""


def measure(text: str) -> tuple[float, int, int]:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        analysis = analyze(load_graph_text(text, "bench.yaml"))
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    analyze(load_graph_text(text, "bench.yaml"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak, len(analysis.layers)


def main() -> None:
    print(f"{'layers':>7} {'seconds':>8} {'us/layer':>9} {'peak MiB':>9}")
    for pairs in (500, 1000, 2000, 4000, 8000, 16000, 32000):
        seconds, peak, layers = measure(deep_spec(pairs))
        print(f"{layers:7d} {seconds:8.3f} {seconds / layers * 1e6:9.1f} {peak / 2**20:9.1f}")
    start = time.perf_counter()
    names = zoo_names()
    for name in names:
        analyze(load_graph(name))
    print(f"whole zoo ({len(names)} specs) compiled and analysed in {time.perf_counter() - start:.3f} s")
    start = time.perf_counter()
    reports = [check_spec(name, Budget()) for name in names]
    verdict = "all ok" if all(r.ok for r in reports) else "SOME FAILED"
    print(f"whole zoo checked as `cnncalc check` does ({verdict}) in {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
