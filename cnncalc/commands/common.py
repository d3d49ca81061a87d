"""What every command shares: the convention switches, output formats, error reporting."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.errors import CnnCalcError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from cnncalc.conventions import Conventions


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Dtype(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"
    int8 = "int8"


class BnStats(str, Enum):
    pytorch = "pytorch"
    keras = "keras"


class Units(str, Enum):
    iec = "iec"
    si = "si"


class Layout(str, Enum):
    hwc = "hwc"
    chw = "chw"


class Optimizer(str, Enum):
    sgd = "sgd"
    momentum = "momentum"
    adam = "adam"


def complete_spec(incomplete: str) -> list[str]:
    """Shell completion of SPEC: the zoo names (the shell itself completes file names)."""
    from cnncalc.zoo import zoo_names

    return [name for name in zoo_names() if name.startswith(incomplete)]


SpecArg = Annotated[str, typer.Argument(metavar="SPEC", help="A spec file (YAML) or a zoo name such as vgg16 (see `cnncalc zoo`).", show_default=False, autocompletion=complete_spec)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
BatchOpt = Annotated[int, typer.Option("--batch", "-b", min=1, max=1_000_000, help="Batch size: activation memory and MACs scale with it.")]
DtypeOpt = Annotated[Dtype, typer.Option("--dtype", help="Bytes per value for memory: fp32 4, fp16/bf16 2, int8 1.")]
InputOpt = Annotated[str | None, typer.Option("--input", "-i", help="Override the input size: 227 (HxW), 227x227, or 227x227x3 (in --layout order).", show_default=False)]
BiasOpt = Annotated[bool, typer.Option("--bias/--no-bias", help="--no-bias counts weights only, as the cs231n and Michigan tables do.")]
BnOpt = Annotated[BnStats, typer.Option("--bn-stats", help="keras: batchnorm running mean/var count as non-trainable params; pytorch: they are buffers, not params.")]
UnitsOpt = Annotated[Units, typer.Option("--units", help="iec: KiB/MiB = 1024 B (the slides' \"KB\"); si: kB/MB = 1000 B.")]
LayoutOpt = Annotated[Layout, typer.Option("--layout", help="Shape display order: hwc (224x224x64, as the slides) or chw (64x224x224).")]
CountInputOpt = Annotated[bool, typer.Option("--count-input/--no-count-input", help="Include the input tensor in activation memory (cs231n does; the Michigan tables do not).")]
OptimizerOpt = Annotated[Optimizer, typer.Option("--optimizer", help="Optimizer state in the training-memory estimate: sgd 0, momentum 1, adam 2 values per trainable param.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings (e.g. a stride that drops pixels) as errors: exit 1.")]
PlotOpt = Annotated[str | None, typer.Option("--plot", metavar="FILE", help="Also draw per-layer bars of memory, params and MACs to FILE.png, .svg or .pdf (needs matplotlib: pip install \"cnncalc[plot]\").", show_default=False)]
FreezeOpt = Annotated[str | None, typer.Option("--freeze-until", metavar="LAYER", help="Transfer learning: freeze LAYER (a layer or module name) and everything before it; 'backbone' freezes all but the classifier.", show_default=False)]
HeadOpt = Annotated[int | None, typer.Option("--head", metavar="N", min=1, max=10_000_000, help="Transfer learning: replace the final classifier (last dense or conv layer) by a new, trainable N-class one.", show_default=False)]


CONVENTION_OPTIONS: dict[str, tuple[object, object]] = {
    "batch": (BatchOpt, 1),
    "dtype": (DtypeOpt, Dtype.fp32),
    "bias": (BiasOpt, True),
    "bn_stats": (BnOpt, BnStats.pytorch),
    "units": (UnitsOpt, Units.iec),
    "layout": (LayoutOpt, Layout.hwc),
    "count_input": (CountInputOpt, True),
    "optimizer": (OptimizerOpt, Optimizer.adam),
}


def takes_conventions(*names: str) -> Callable[[Callable], Callable]:
    """Give a command the convention switches (default: all of them) and call it with one
    `conventions` argument instead, so every command spells, defaults and documents them alike.

    typer reads a command's signature, so the switches are added to the signature it sees."""
    chosen = names or tuple(CONVENTION_OPTIONS)

    def decorate(command: Callable) -> Callable:
        signature = inspect.signature(command, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != "conventions"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=CONVENTION_OPTIONS[name][0],
                                   default=CONVENTION_OPTIONS[name][1]) for name in chosen]

        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            switches = {name: kwargs.pop(name) for name in chosen}
            return command(*args, conventions=make_conventions(**switches), **kwargs)

        wrapper.__signature__ = signature.replace(parameters=kept + added)
        wrapper.__annotations__ = {p.name: p.annotation for p in kept + added}
        return wrapper

    return decorate


def make_conventions(batch: int = 1, dtype: Dtype = Dtype.fp32, bias: bool = True, bn_stats: BnStats = BnStats.pytorch,
                     units: Units = Units.iec, layout: Layout = Layout.hwc, count_input: bool = True,
                     optimizer: Optimizer = Optimizer.adam) -> Conventions:
    from cnncalc.conventions import Conventions

    return Conventions(batch=batch, dtype=dtype.value, bias=bias, bn_stats=bn_stats.value, units=units.value,
                       layout=layout.value, count_input=count_input, optimizer=optimizer.value)


def parse_input_size(text: str | None, spec_shape: tuple[int, ...], layout: str) -> tuple[int, ...] | None:
    """'227' -> keep channels, 227x227; '227x227' -> H, W; three numbers follow --layout."""
    if text is None:
        return None
    parts = text.lower().replace("×", "x").replace(",", "x").split("x")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise UsageError(f"--input: cannot read '{text}' (write 227, 227x227 or 227x227x3)") from None
    if any(n <= 0 or n > 1_000_000 for n in numbers) or len(numbers) not in (1, 2, 3):
        raise UsageError(f"--input: '{text}' must be 1 to 3 positive sizes")
    if len(spec_shape) != 3:
        if len(numbers) != 1:
            raise UsageError("--input: this spec takes a flat input: give one number")
        return (numbers[0],)
    if len(numbers) == 1:
        return (spec_shape[0], numbers[0], numbers[0])
    if len(numbers) == 2:
        return (spec_shape[0], numbers[0], numbers[1])
    if layout == Layout.hwc:
        return (numbers[2], numbers[0], numbers[1])
    return tuple(numbers)


def load(spec: str, input_size: str | None, layout: str):
    """Compile a spec, at the --input size when one is given."""
    from cnncalc.spec import load_graph

    graph = load_graph(spec)
    override = parse_input_size(input_size, graph.input_shape, layout)
    return graph if override is None or override == graph.input_shape else load_graph(spec, override)


def console(stderr: bool = False) -> Console:
    """A rich console that respects NO_COLOR and pipes; piped output gets room for wide tables."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)


def fail(error: CnnCalcError) -> typer.Exit:
    sys.stderr.write(f"cnncalc: error: {error}\n")
    return typer.Exit(error.exit_code)


def reports_errors(command: Callable) -> Callable:
    """Turn the user's mistakes into one line on stderr and exit code 1 (spec) or 2 (usage)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CnnCalcError as error:
            raise fail(error) from None
        except BrokenPipeError:  # `cnncalc summary vgg16 | head`
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper


def warn(messages: list[tuple[str, str]], strict: bool) -> None:
    """Print warnings to stderr; under --strict they are errors."""
    for layer, message in messages:
        sys.stderr.write(f"cnncalc: {'error' if strict else 'warning'}: layer '{layer}': {message}\n")
    if strict and messages:
        raise typer.Exit(1)
