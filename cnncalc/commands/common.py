"""What every command shares: the convention switches, the --format choices, the --max-... budgets,
error reporting and exit statuses. Writing goes through `cnncalc.render.output.Output`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from cnncalc.errors import CnnCalcError, ExitStatus, Location
from cnncalc.limits import MAX_BATCH, MAX_OPTION_VALUE
from cnncalc.render.output import Format, Output

if TYPE_CHECKING:  # pragma: no cover
    from cnncalc.conventions import Conventions
    from cnncalc.graph import Graph
    from cnncalc.metrics import Metric

Command = TypeVar("Command", bound=Callable[..., Any])


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


SpecArg = Annotated[str, typer.Argument(
    metavar="SPEC", help="A spec file (YAML) or a zoo name such as vgg16 (see `cnncalc zoo`).", show_default=False,
    autocompletion=complete_spec)]
BatchOpt = Annotated[int, typer.Option("--batch", "-b", min=1, max=MAX_BATCH,
                                       help="Batch size: activation memory and MACs scale with it.")]
DtypeOpt = Annotated[Dtype, typer.Option("--dtype", help="Bytes per value for memory: fp32 4, fp16/bf16 2, int8 1.")]
InputOpt = Annotated[str | None, typer.Option(
    "--input", "-i", help="Override the input size: 227 (HxW), 227x227, or 227x227x3 (in --layout order).",
    show_default=False)]
BiasOpt = Annotated[bool, typer.Option(
    "--bias/--no-bias", help="--no-bias counts weights only, as the cs231n and Michigan tables do.")]
BnOpt = Annotated[BnStats, typer.Option(
    "--bn-stats", help="keras: batchnorm running mean/var count as non-trainable params; pytorch: they are buffers, "
    "not params.")]
UnitsOpt = Annotated[Units, typer.Option(
    "--units", help="iec: KiB/MiB = 1024 B (the slides' \"KB\"); si: kB/MB = 1000 B.")]
LayoutOpt = Annotated[Layout, typer.Option(
    "--layout", help="Shape display order: hwc (224x224x64, as the slides) or chw (64x224x224).")]
CountInputOpt = Annotated[bool, typer.Option(
    "--count-input/--no-count-input",
    help="Include the input tensor in activation memory (cs231n does; the Michigan tables do not).")]
CountViewsOpt = Annotated[bool, typer.Option(
    "--count-views/--no-count-views",
    help="Count a view's output (flatten) in activation memory, as the Michigan tables do; PyTorch allocates none.")]
OptimizerOpt = Annotated[Optimizer, typer.Option(
    "--optimizer",
    help="Optimizer state in the training-memory estimate: sgd 0, momentum 1, adam 2 values per trainable param.")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Treat warnings (e.g. a stride that drops pixels) as errors: exit 1.")]
PlotOpt = Annotated[str | None, typer.Option(
    "--plot", metavar="FILE", help="Also draw per-layer bars of memory, params and MACs to FILE.png, .svg or .pdf "
    "(needs matplotlib: pip install \"cnncalc[plot]\").", show_default=False)]
FreezeOpt = Annotated[str | None, typer.Option(
    "--freeze-until", metavar="LAYER", help="Transfer learning: freeze LAYER (a layer or module name) and everything "
    "before it; 'backbone' freezes all but the classifier.", show_default=False)]
HeadOpt = Annotated[int | None, typer.Option(
    "--head", metavar="N", min=1, max=MAX_OPTION_VALUE, show_default=False,
    help="Transfer learning: replace the final classifier (last dense or conv layer) by a new, trainable N-class one.")]


CONVENTION_OPTIONS: dict[str, tuple[object, object]] = {
    "batch": (BatchOpt, 1),
    "dtype": (DtypeOpt, Dtype.fp32),
    "bias": (BiasOpt, True),
    "bn_stats": (BnOpt, BnStats.pytorch),
    "units": (UnitsOpt, Units.iec),
    "layout": (LayoutOpt, Layout.hwc),
    "count_input": (CountInputOpt, True),
    "count_views": (CountViewsOpt, False),
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

        _give_signature(wrapper, signature.replace(parameters=kept + added))
        return wrapper

    return decorate


def make_conventions(batch: int = 1, dtype: Dtype = Dtype.fp32, bias: bool = True, bn_stats: BnStats = BnStats.pytorch,
                     units: Units = Units.iec, layout: Layout = Layout.hwc, count_input: bool = True,
                     count_views: bool = False, optimizer: Optimizer = Optimizer.adam) -> Conventions:
    from cnncalc.conventions import Conventions

    return Conventions(batch=batch, dtype=dtype.value, bias=bias, bn_stats=bn_stats.value, units=units.value,
                       layout=layout.value, count_input=count_input, count_views=count_views,
                       optimizer=optimizer.value)


TABLE_FORMATS = (Format.table, Format.json, Format.csv, Format.markdown)  # summary, calc, compare, explain, zoo


def takes_format(*accepted: Format, help: str = "Output format.") -> Callable[[Command], Command]:
    """Give a command `--format/-f` offering only the `accepted` formats (--help and shell completion list
    those), where the command declares `format: Format = <its default>` (or `Format | None = None`), and
    call it with the chosen member of the one vocabulary, `Format` (see cnncalc/render/output.py)."""

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        declared = signature.parameters["format"]
        choices = Enum(f"{command.__name__.title()}Format", [(f.name, f.value) for f in accepted], type=str)  # type: ignore[misc]
        if declared.default is None:
            default, annotation = None, choices | None
        elif declared.default in accepted:
            default, annotation = choices[declared.default.name], choices
        else:
            raise ValueError(f"{command.__name__}: the default format {declared.default} is not among {accepted}")
        option = typer.Option("--format", "-f", help=help, show_default=default is not None)
        parameters = [p.replace(annotation=Annotated[annotation, option], default=default) if p.name == "format" else p
                      for p in signature.parameters.values()]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            chosen = kwargs.get("format")
            if chosen is not None:
                kwargs["format"] = Format(getattr(chosen, "value", chosen))
            return command(*args, **kwargs)

        _give_signature(wrapper, signature.replace(parameters=parameters))
        return wrapper  # type: ignore[return-value]

    return decorate


def takes_budgets(command: Command) -> Command:
    """Give `check` one --max-... option per metric with a budget (`cnncalc.metrics.budgeted()`: --max-params,
    --max-macs, ...), right after its arguments, and call it with one `budgets` argument instead: each budget's
    name and the text given (None when not given). A new metric with a budget gets its option here."""
    from cnncalc import metrics

    budgeted = [metric for metric in metrics.budgeted() if metric.budget]
    signature = inspect.signature(command, eval_str=True)
    kept = [p for p in signature.parameters.values() if p.name != "budgets"]
    at = next((i for i, p in enumerate(kept) if p.default is not p.empty or p.kind is p.KEYWORD_ONLY), len(kept))
    added = [inspect.Parameter(str(metric.budget), inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                               annotation=Annotated[str | None, typer.Option(
                                   str(metric.option), metavar="N", help=budget_help(metric), show_default=False)])
             for metric in budgeted]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        budgets = {str(metric.budget): kwargs.pop(str(metric.budget), None) for metric in budgeted}
        return command(*args, budgets=budgets, **kwargs)

    _give_signature(wrapper, signature.replace(parameters=kept[:at] + added + kept[at:]))
    return wrapper  # type: ignore[return-value]


def budget_help(metric: Metric) -> str:
    """--max-params: 'Fail above N params (e.g. 25M).', from the metric's label, unit and per_image."""
    per_image = " per image" if metric.per_image else ""
    if metric.unit == "bytes":
        measured = "at --dtype" if metric.per_image else "at --batch and --dtype"
        return f"Fail above N bytes of {metric.label}{per_image} {measured} (e.g. {metric.budget_example})."
    return f"Fail above N {metric.label}{per_image} (e.g. {metric.budget_example})."


def _give_signature(wrapper: Callable[..., Any], signature: inspect.Signature) -> None:
    """typer reads a command's signature and annotations: show it the options a decorator added."""
    wrapper.__signature__ = signature  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}


def reports_errors(command: Command) -> Command:
    """Turn the user's mistakes into one line on stderr and their exit status: ExitStatus.WRONG (a spec
    or an answer) or ExitStatus.USAGE (the command line)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CnnCalcError as error:
            Output().error(str(error))
            raise typer.Exit(error.exit_code) from None
        except BrokenPipeError:  # `cnncalc summary vgg16 | head`
            Output().reader_gone()
            raise typer.Exit(ExitStatus.OK) from None

    return wrapper  # type: ignore[return-value]


def report_warnings(out: Output, warned: Iterable[tuple[Graph, list[tuple[str, str]]]], strict: bool) -> None:
    """Each layer warning of each graph on stderr, after the layer's file:line:column (a zoo model's
    as specs/<name>.yaml), as `check` shows them; under --strict they are errors and the command exits
    ExitStatus.WRONG."""
    from cnncalc.loading import display_path

    warned_any = False
    for graph, warnings in warned:
        for layer, message in warnings:
            at = graph.node(layer).location
            where = Location(display_path(at.path), at.line, at.column)
            (out.error if strict else out.warn)(f"{where}: layer '{layer}': {message}")
            warned_any = True
    if strict and warned_any:
        raise typer.Exit(ExitStatus.WRONG)
