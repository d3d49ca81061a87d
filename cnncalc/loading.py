"""One way in: every command gets its network from `load` (a zoo name or a spec file) as one `Model`.

    model = load("resnet50", "227")        # --input 227: the spec's channels, 227x227, compiled once
    model.graph, model.path, model.budget, model.expect

The steps: `resolve` a reference to a file, read the file into spec data (`_read`: the one place an
importer for another format, e.g. ONNX or Keras, would go), settle the input size from the spec's own
`input:` and compile once. `expand_folders` turns folders of specs (or answer sheets) into their files
for `check` and `grade`. Nothing heavy (yaml, pydantic) is imported until something is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnncalc.errors import Location, SpecError, UsageError
from cnncalc.sizes import Shape, SizeError, parse_size

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.graph import Graph

SPEC_SUFFIXES = (".yaml", ".yml")  # what a folder contributes, in any case (.YAML too)

# The input size to compile at: None (the spec's own), the text of --input ("227", "227x227x3"), an
# exact channels-first shape, or a function of the spec's own shape (run --input FILE: the array's).
InputSize = str | Shape | Callable[[Shape], Shape] | None

_INPUT_PROBLEMS = {
    "unreadable": "--input: cannot read '{text}' (write 227, 227x227 or 227x227x3)",
    "count": "--input: '{text}' must be 1 to 3 positive sizes",
    "flat": "--input: this spec takes a flat input: give one number",
    "order": "--input: '{text}' {detail}",
}


@dataclass(frozen=True)
class Section:
    """A top-level section of a spec as written (`budget:`, `expect:`) and where its key stands."""

    value: Any
    where: Location


@dataclass(frozen=True)
class Model:
    """A loaded network: its compiled graph, the path shown in messages (specs/vgg16.yaml for a zoo
    model), and the spec's `budget:` and `expect:` sections for `cnncalc check` and `questions:` for
    `cnncalc grade` (None when absent)."""

    graph: Graph
    path: str
    budget: Section | None = None
    expect: Section | None = None
    questions: Section | None = None


def load(ref: str, input_size: InputSize = None, layout: str = "hwc") -> Model:
    """Load a network by zoo name or file path, compiled at `input_size` (see InputSize; three typed
    numbers follow `layout`). A missing file or a folder is a UsageError, a bad spec a SpecError."""
    path = resolve(ref)
    return _compile(_read(path), display_path(path), input_size, layout)


def load_text(text: str, path: str = "<spec>", input_size: InputSize = None, layout: str = "hwc") -> Model:
    """Load spec text as if it were the file `path` (tests, fuzzing, spec text from elsewhere)."""
    from cnncalc.spec.yaml_loader import load_yaml_text

    return _compile(load_yaml_text(text, path), path, input_size, layout)


def resolve(ref: str) -> str:
    """The file a reference names: a path that exists wins; otherwise a zoo name (with or without .yaml)."""
    from cnncalc.suggest import did_you_mean
    from cnncalc.zoo import zoo_dir, zoo_names

    path = Path(ref)
    if path.is_dir():
        raise UsageError(f"'{ref}' is a directory, not a spec file")
    if path.exists():
        return str(path)
    if "/" in ref or "\\" in ref:
        raise UsageError(f"no such file '{ref}'")
    name = ref.removesuffix(".yaml").lower()
    candidate = zoo_dir() / f"{name}.yaml"
    if candidate.is_file():
        return str(candidate)
    if ref.endswith(SPEC_SUFFIXES):
        raise UsageError(f"no such file '{ref}'")
    hint = did_you_mean(name, zoo_names()) or " (see 'cnncalc zoo' for the list)"
    raise UsageError(f"'{ref}' is neither a file nor a zoo model{hint}")


def display_path(path: str) -> str:
    """Zoo files are shown as specs/<name>.yaml wherever the package is installed."""
    from cnncalc.zoo import zoo_dir

    resolved = Path(path).resolve()
    if resolved.parent == zoo_dir().resolve():
        return f"specs/{resolved.name}"
    return path


def expand_folders(refs: Iterable[str], what: str = "specs") -> list[str]:
    """Each folder among `refs` becomes the *.yaml / *.yml files in it and in its subfolders, at any
    depth (the suffix in any case; hidden files and folders such as .git skipped; sorted by path);
    anything else is kept as given. A folder with none is a UsageError naming `what` it lacks."""
    files: list[str] = []
    for ref in refs:
        if not Path(ref).is_dir():
            files.append(ref)
            continue
        found: list[tuple[str, ...]] = []
        for folder, subfolders, names in os.walk(ref):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            below = Path(folder).relative_to(ref).parts
            found.extend((*below, name) for name in names
                         if not name.startswith(".") and Path(name).suffix.lower() in SPEC_SUFFIXES
                         and Path(folder, name).is_file())
        if not found:
            raise UsageError(f"no {what} (*.yaml, *.yml) in '{ref}' or its subfolders")
        files.extend(str(Path(ref, *parts)) for parts in sorted(found))
    return files


def _read(path: str) -> Any:
    """A file's spec data (LocDict / LocList). Other formats (an ONNX or Keras model) would be told
    apart here, by suffix, and converted into the same data."""
    from cnncalc.spec.yaml_loader import load_yaml_file

    return load_yaml_file(path)


def _compile(data: Any, path: str, input_size: InputSize, layout: str) -> Model:
    from cnncalc.spec.compile import compile_spec

    graph = compile_spec(data, path, _input_shape(data, input_size, layout))
    budget, expect, questions = (Section(data[key], data.where(key)) if key in data else None
                                 for key in ("budget", "expect", "questions"))
    return Model(graph, path, budget, expect, questions)  # compiled, so `data` is a mapping (a LocDict)


def _input_shape(data: Any, input_size: InputSize, layout: str) -> Shape | None:
    """The shape to compile at, read against the spec's own `input:` before anything is compiled.
    None compiles at the spec's own size (and, when that is unreadable, reports why)."""
    if input_size is None or isinstance(input_size, tuple):
        return input_size
    from cnncalc.spec.compile import read_input

    try:
        spec_shape = read_input(data)
    except SpecError:
        return None  # compiling reports the spec's first error, wherever it is
    if callable(input_size):
        return input_size(spec_shape)
    try:
        return parse_size(input_size, layout, like=spec_shape)
    except SizeError as exc:
        raise UsageError(_INPUT_PROBLEMS[exc.problem].format(text=input_size, detail=exc.detail)) from None
