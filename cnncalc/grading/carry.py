"""Error carried forward (`cnncalc grade --carry-errors`): an answer that is wrong only because it
follows from the student's own earlier wrong output shape is marked as following from it, as a
teacher marking by hand gives credit for right working on a wrong figure.

Honest by construction: the student's shapes (those written, and those that follow from them
through the layers they did not answer) are put into the layer's own op formulas, the same
`analyze` and `explain` the key uses, on a one-layer network whose inputs have the student's
shapes. An answer follows when it is right for that network and the network differs from the
key's. Only shapes carry: a receptive field or a total never follows.
"""

from __future__ import annotations

from dataclasses import replace

from cnncalc.analysis import analyze
from cnncalc.grading.marking import AnswerKey, Mark, UnknownItem, UnknownLayer
from cnncalc.grading.sheet import Answer
from cnncalc.grading.values import UnreadableValue, parse_shape
from cnncalc.graph import Graph, Node
from cnncalc.ops import REGISTRY, OpError
from cnncalc.ops.base import Shape
from cnncalc.units import shape_text

CARRIED = ("output_shape", "params", "macs", "flops", "memory")  # what a wrong input shape can change


def carry_errors(key: AnswerKey, answers: list[Answer], marks: list[Mark], tolerance: float = 0.0) -> None:
    """Set `follows` on each wrong answer that the student's own earlier shapes account for."""
    stated = _stated_shapes(key, answers)
    if all(shape == key.rows[name].output_shape for name, shape in stated.items()):
        return  # every shape written is right (or unreadable): nothing to carry
    beliefs = _Beliefs(key, stated)
    for answer, mark in zip(answers, marks, strict=True):
        layer, _, item = mark.item.rpartition(".")
        if mark.right is False and item in CARRIED and layer in key.rows:
            mark.follows = beliefs.follows(layer, item, answer, tolerance)


def _stated_shapes(key: AnswerKey, answers: list[Answer]) -> dict[str, Shape | None]:
    """Each layer's output shape as the student wrote it (first answer); None when it cannot be read,
    or is not of the truth's rank, so that nothing is carried through it."""
    stated: dict[str, Shape | None] = {}
    for answer in answers:
        if answer.layer is None or answer.item != "output_shape":
            continue
        try:
            row = key.layer(answer.layer)
            shape: Shape | None = parse_shape(answer.raw, key.analysis.conventions.layout)
        except (UnknownLayer, UnknownItem, UnreadableValue):
            continue
        if row.kind == "layer" and row.name not in stated:
            stated[row.name] = shape if shape is not None and len(shape) == len(row.output_shape) else None
    return stated


class _Beliefs:
    """The shapes the student's answers imply, where they differ from the truth: written ones, and
    those their layers' ops compute from them (None: unknown, nothing follows through it)."""

    def __init__(self, key: AnswerKey, stated: dict[str, Shape | None]):
        self.key = key
        self.recomputed: dict[str, Shape | None] = {}   # a layer's output from the student's inputs
        self.believed: dict[str, Shape | None] = {}     # the student's shape of a layer, where not the truth
        self.origin: dict[str, list[str]] = {}          # the written answers a belief comes from
        self.written: set[str] = set()                  # layers whose wrong shape the student wrote
        for node in key.graph.nodes:
            if any(name in self.believed for name in node.inputs):
                ins = self.inputs(node)
                self.recomputed[node.name] = None if ins is None else _output(node, ins)
            shape = stated[node.name] if node.name in stated else self.recomputed.get(node.name, node.shape)
            if shape == node.shape:
                continue
            self.believed[node.name] = shape
            if node.name in stated:
                self.written.add(node.name)
                self.origin[node.name] = [f"{node.name}.output_shape {_text(key, shape)}"]
            else:
                self.origin[node.name] = self.sources(node)

    def inputs(self, node: Node) -> list[Shape] | None:
        """The shapes of the layer's inputs as the student has them; None when one is unknown."""
        shapes = []
        for name in node.inputs:
            shape = self.believed.get(name, self.key.graph.node(name).shape)
            if shape is None:
                return None
            shapes.append(shape)
        return shapes

    def sources(self, node: Node) -> list[str]:
        """The written answers behind the student's shapes of the layer's inputs."""
        return list(dict.fromkeys(o for name in node.inputs for o in self.origin.get(name, [])))

    def follows(self, layer: str, item: str, answer: Answer, tolerance: float) -> str:
        """How `answer` follows from the student's shapes ('' when it does not)."""
        node = self.key.graph.node(layer)
        if not node.inputs:
            return ""  # the network's input: its figures follow from the spec, not from an answer
        ins = self.inputs(node)
        out = self.recomputed.get(layer, node.shape) if item == "output_shape" else self.believed.get(layer, node.shape)
        truth = [self.key.graph.node(name).shape for name in node.inputs]
        if ins is None or out is None or (ins == truth and out == node.shape):
            return ""
        what_if = _what_if(self.key, node, ins, out)
        if what_if is None or not what_if.mark(layer, item, answer.raw, tolerance).right:
            return ""
        from cnncalc.grading.working import working

        origins = self.sources(node) + (self.origin[layer] if item != "output_shape" and layer in self.written else [])
        return f"follows from {', '.join(dict.fromkeys(origins))}: {working(what_if, what_if.rows[layer], item)}"


def _output(node: Node, ins: list[Shape]) -> Shape | None:
    op = REGISTRY[node.op]
    try:
        return op.output_shape(node.options, ins, op.window(node.options, ins))
    except OpError:
        return None  # the student's shapes cannot go through this layer: nothing follows


def _what_if(key: AnswerKey, node: Node, ins: list[Shape], out: Shape) -> AnswerKey | None:
    """The key of a one-layer network: `node` with output `out`, fed inputs of shapes `ins`."""
    op = REGISTRY[node.op]
    try:
        window = op.window(node.options, ins)
    except OpError:
        return None
    sources = {name: Node(name, "input", REGISTRY["input"].options(), [], shape, node.location)
               for name, shape in zip(node.inputs, ins, strict=True)}
    layer = replace(node, shape=out, window=window)
    graph = Graph(key.graph.name, key.graph.path, ins[0], [*sources.values(), layer], [node.name])
    return AnswerKey(graph, analyze(graph, key.analysis.conventions))


def _text(key: AnswerKey, shape: Shape | None) -> str:
    return f"({shape_text(shape, key.analysis.conventions.layout)})" if shape else "(unreadable)"
