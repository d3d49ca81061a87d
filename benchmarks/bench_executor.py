"""Benchmark: the NumPy reference executor against PyTorch's CPU forward of the same architecture.

    python benchmarks/bench_executor.py                      # VGG-16 and ResNet-50, 224x224, batch 1
    python benchmarks/bench_executor.py vgg16 --repeat 20 --size 224

For each model, two fresh worker processes (so each peak RSS is its own) run a warm-up pass and then
--repeat timed passes, fp32, batch 1, with every core the libraries use by default; the medians are
compared. The torch model is built from the very same compiled cnncalc graph (`TorchGraph` below),
and a first, in-process step copies the executor's weights into it and checks that both give the
same output, so the two timings are of one computation. torch is optional and never a dependency of
cnncalc: without it only the NumPy figures are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

from cnncalc.ops.spatial import pair, resolve_padding
from cnncalc.reference.executor import Executor
from cnncalc.reference.resources import peak_rss_bytes
from cnncalc.spec import load_graph

MODELS = ("vgg16", "resnet50")


def _key(name: str) -> str:
    """torch module names may not contain '/' or '.'."""
    return name.replace("/", ":").replace(".", "_")


def _conv_pads(node, shape):
    o = node.options
    return resolve_padding(o.padding, tuple(shape[1:]), pair(o.kernel), pair(o.stride), pair(o.dilation))


def torch_graph(graph, executor: Executor | None = None):
    """A torch.nn.Module that runs `graph` op by op; with `executor`, it takes that executor's weights."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    class TorchGraph(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleDict()
            shapes = {node.name: node.shape for node in graph.nodes}
            for node in graph.nodes:
                module = self._module(node, [shapes[i] for i in node.inputs])
                if module is not None:
                    self.layers[_key(node.name)] = module
            self.eval()

        @staticmethod
        def _module(node, inputs):
            o = node.options
            if node.op == "conv":
                (top, left), (bottom, right) = _conv_pads(node, inputs[0])
                padding = (top, left) if (top, left) == (bottom, right) else 0  # else F.pad first, in forward
                return nn.Conv2d(inputs[0][0], o.filters, pair(o.kernel), pair(o.stride), padding, pair(o.dilation),
                                 o.groups, o.bias)
            if node.op == "dense":
                return nn.Linear(inputs[0][0], o.units, o.bias)
            if node.op == "batchnorm":
                norm = nn.BatchNorm2d if len(inputs[0]) == 3 else nn.BatchNorm1d
                return norm(inputs[0][0], o.eps, affine=o.affine)
            return None

        def forward(self, x):
            live = {}
            for node in graph.nodes:
                o, xs = node.options, [live[i] for i in node.inputs]
                module = self.layers[_key(node.name)] if _key(node.name) in self.layers else None
                if node.op == "input":
                    y = x
                elif node.op == "conv":
                    (top, left), (bottom, right) = _conv_pads(node, tuple(xs[0].shape[1:]))
                    uneven = module.padding == (0, 0) and (top or left or bottom or right)
                    y = module(F.pad(xs[0], (left, right, top, bottom)) if uneven else xs[0])
                elif node.op in ("dense", "batchnorm"):
                    y = module(xs[0])
                elif node.op == "maxpool":
                    size = tuple(xs[0].shape[2:])
                    (p, _), _ = resolve_padding(o.padding, size, pair(o.kernel), pair(o.stride or o.kernel), (1, 1))
                    y = F.max_pool2d(xs[0], pair(o.kernel), pair(o.stride or o.kernel), p, ceil_mode=o.ceil_mode)
                elif node.op == "global_avgpool":
                    y = xs[0].mean(dim=(2, 3), keepdim=True)
                elif node.op == "flatten":
                    y = torch.flatten(xs[0], 1)
                elif node.op in ("dropout", "identity"):
                    y = xs[0]
                elif node.op == "relu":
                    y = F.relu(xs[0])
                elif node.op == "add":
                    y = xs[0] + xs[1]
                else:
                    raise NotImplementedError(f"the benchmark's torch translation has no '{node.op}'")
                if getattr(o, "activation", None) == "relu":
                    y = F.relu(y, inplace=True)
                elif getattr(o, "activation", None):
                    raise NotImplementedError(f"activation {o.activation}")
                live[node.name] = y
            return live[graph.outputs[0]]

    model = TorchGraph()
    if executor is not None:
        with torch.no_grad():
            for node in graph.nodes:
                if _key(node.name) not in model.layers:
                    continue
                module, params = model.layers[_key(node.name)], executor.params[node.name]
                names = {"weight": "weight", "bias": "bias", "gamma": "weight", "beta": "bias",
                         "running_mean": "running_mean", "running_var": "running_var"}
                for name, array in {**params.learnable, **params.buffers}.items():
                    getattr(module, names[name]).copy_(torch.from_numpy(array))
    return model


def cross_check(spec: str, size: int) -> float:
    """Same weights, same input: the largest relative difference between the two outputs."""
    import torch

    graph = load_graph(spec, (3, size, size))
    executor = Executor(graph, seed=0)
    x = executor.random_input(1)
    ours = executor.forward(x).outputs[graph.outputs[0]]
    with torch.no_grad():
        theirs = torch_graph(graph, executor)(torch.from_numpy(x)).numpy()
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


def worker(engine: str, spec: str, size: int, repeat: int) -> dict:
    """Time one engine in this process: a warm-up pass, then `repeat` timed passes."""
    graph = load_graph(spec, (3, size, size))
    if engine == "numpy":
        executor = Executor(graph, seed=0)
        x = executor.random_input(1)
        forward = lambda: executor.forward(x)  # noqa: E731
        threads = "OpenBLAS/MKL default"
    else:
        import torch

        model = torch_graph(graph)
        x = torch.randn(1, 3, size, size)
        threads = torch.get_num_threads()

        def forward():
            with torch.no_grad():
                return model(x)
    forward()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        forward()
        times.append(time.perf_counter() - start)
    return {"median_seconds": statistics.median(times), "min_seconds": min(times), "peak_rss_bytes": peak_rss_bytes(),
            "threads": threads}


def spawn(engine: str, spec: str, size: int, repeat: int) -> dict:
    command = [sys.executable, __file__, spec, "--worker", engine, "--size", str(size), "--repeat", str(repeat)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--worker", choices=("numpy", "torch"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.models[0], args.size, args.repeat)))
        return
    try:
        import torch
    except ImportError:
        torch = None
    print(f"{'model':10} {'numpy s':>9} {'torch s':>9} {'ratio':>6} {'numpy RSS':>10} {'torch RSS':>10} "
          f"{'RSS ratio':>9}  same output")
    for spec in args.models:
        ours = spawn("numpy", spec, args.size, args.repeat)
        mib = lambda b: f"{b / 2**20:.0f} MiB"  # noqa: E731
        if torch is None:
            rss = mib(ours['peak_rss_bytes'])
            print(f"{spec:10} {ours['median_seconds']:9.3f} {'-':>9} {'-':>6} {rss:>10}  (torch not installed)")
            continue
        theirs = spawn("torch", spec, args.size, args.repeat)
        difference = cross_check(spec, 64)
        print(f"{spec:10} {ours['median_seconds']:9.3f} {theirs['median_seconds']:9.3f} "
              f"{ours['median_seconds'] / theirs['median_seconds']:6.2f} {mib(ours['peak_rss_bytes']):>10} "
              f"{mib(theirs['peak_rss_bytes']):>10} {ours['peak_rss_bytes'] / theirs['peak_rss_bytes']:9.2f}  "
              f"max rel. diff {difference:.1e} (at 64x64)")
    print(f"\n{args.size}x{args.size}, batch 1, fp32, median of {args.repeat} passes after a warm-up; "
          f"numpy {np.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ""))


if __name__ == "__main__":
    main()
