"""The transfer-learning view: freeze a pretrained backbone, put a new N-class head on it.

Both are Graph -> Graph transformations, so they work on any spec (zoo or file) without touching
the spec language: `freeze_until` sets `Node.frozen` (the analyzer already keeps frozen layers'
parameters out of the trainable count, the gradients and the optimizer state), and `new_head`
rebuilds the classifier with N outputs and re-derives the shapes after it from the ops' formulas.
"""

from __future__ import annotations

from dataclasses import replace

from cnncalc.errors import UsageError
from cnncalc.graph import Graph, Node, find_layers
from cnncalc.ops import REGISTRY

BACKBONE = "backbone"  # --freeze-until backbone: everything but the classifier
_CLASSIFIER_OPTIONS = ("units", "filters")  # dense, conv (fully-convolutional heads), conv_transpose


def classifier(graph: Graph) -> Node:
    """The last conv or dense layer on the way to the (first) output: the layer a new head replaces."""
    feeds_output = _ancestors(graph, [graph.outputs[0]])
    for node in reversed(graph.nodes):
        if node.name in feeds_output and REGISTRY[node.op].primary in _CLASSIFIER_OPTIONS:
            return node
    raise UsageError("--head: this network has no conv or dense layer to replace")


def freeze_until(graph: Graph, layer: str) -> Graph:
    """Freeze `layer` (a layer or module name; `backbone` = all but the classifier) and everything it depends on."""
    if layer == BACKBONE:
        targets = classifier(graph).inputs
    else:
        targets = find_layers(graph.nodes, layer, "--freeze-until")
    frozen = _ancestors(graph, targets)
    return _rebuild(graph, [replace(n, frozen=True) if n.name in frozen else n for n in graph.nodes])


def new_head(graph: Graph, classes: int) -> Graph:
    """Replace the classifier by a trainable one with `classes` outputs; later layers (softmax) follow its shape."""
    head = classifier(graph)
    option = REGISTRY[head.op].primary
    nodes: list[Node] = []
    shapes: dict[str, tuple[int, ...]] = {}
    for node in graph.nodes:
        if node.name == head.name:
            node = replace(node, options=node.options.model_copy(update={option: classes}), frozen=False)
        if node.inputs:
            in_shapes = [shapes[i] for i in node.inputs]
            node = replace(node, shape=REGISTRY[node.op].output_shape(node.options, in_shapes))
        shapes[node.name] = node.shape
        nodes.append(node)
    return _rebuild(graph, nodes)


def apply(graph: Graph, freeze: str | None, head: int | None) -> Graph:
    """The `--freeze-until` / `--head` options: freeze first, so a new head is always trainable."""
    if freeze is not None:
        graph = freeze_until(graph, freeze)
    if head is not None:
        graph = new_head(graph, head)
    return graph


def _ancestors(graph: Graph, names: list[str]) -> set[str]:
    """The named layers and every layer they depend on."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(graph.node(name).inputs)
    return seen


def _rebuild(graph: Graph, nodes: list[Node]) -> Graph:
    return replace(graph, nodes=nodes)
