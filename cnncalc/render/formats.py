"""Machine-readable renderings of an analysis: JSON (the stable contract), CSV and Markdown.

Renderers compute nothing: every value comes from the analysis rows and totals.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from cnncalc.analysis import Analysis, LayerRow, Totals
from cnncalc.units import count_with_magnitude, human_bytes, human_count, rf_text, rf_value, shape_text

LAYER_FIELDS = (
    "name", "type", "output_shape", "params", "trainable_params", "non_trainable_params", "macs", "flops",
    "other_ops", "output_elements", "activation_bytes",
)


def layer_dict(row: LayerRow) -> dict:
    data = {field: getattr(row, field) for field in LAYER_FIELDS}
    data["output_shape"] = list(row.output_shape)
    rf = row.receptive_field
    data["receptive_field"] = None if rf is None else {
        "size": rf_value(rf.size), "jump": rf_value(rf.jump), "start": rf_value(rf.start)}
    data.update(inputs=row.inputs, frozen=row.frozen, training_only=row.training_only, kind=row.kind, warnings=row.warnings)
    return data


def totals_dict(totals: Totals | None) -> dict | None:
    return None if totals is None else asdict(totals)


def analysis_dict(analysis: Analysis, rows: list[LayerRow] | None = None) -> dict:
    return {
        "name": analysis.name,
        "source": analysis.source,
        "path": analysis.path,
        "input_shape": list(analysis.input_shape),
        "conventions": analysis.conventions.as_dict(),
        "layers": [layer_dict(row) for row in (rows if rows is not None else analysis.layers)],
        "totals": totals_dict(analysis.totals),
        "training_only_totals": totals_dict(analysis.training_only_totals),
        "outputs": analysis.outputs,
        "warnings": [{"layer": layer, "message": message} for layer, message in analysis.warnings],
    }


def to_json(analysis: Analysis, rows: list[LayerRow] | None = None) -> str:
    return json.dumps(analysis_dict(analysis, rows), indent=2)


CSV_COLUMNS = LAYER_FIELDS + ("rf_size", "rf_jump", "rf_start", "frozen", "training_only")


def to_csv(analysis: Analysis, rows: list[LayerRow] | None = None) -> str:
    """One row per layer (output_shape channels-first, like the JSON) and a final TOTAL row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows if rows is not None else analysis.layers:
        data = layer_dict(row)
        rf = data["receptive_field"] or {}
        writer.writerow([shape_text(row.output_shape, "chw") if f == "output_shape" else data[f] for f in LAYER_FIELDS]
                        + [_csv_rf(rf.get(k)) for k in ("size", "jump", "start")] + [row.frozen, row.training_only])
    totals = analysis.totals
    writer.writerow(["TOTAL", "", "", totals.params, totals.trainable_params, totals.non_trainable_params, totals.macs,
                     totals.flops, totals.other_ops, totals.activation_elements, totals.activation_bytes, "", "", "", "", ""])
    return buffer.getvalue()


def _csv_rf(value) -> str:
    if value is None:
        return ""
    return "x".join(str(v) for v in value) if isinstance(value, list) else str(value)


def display_cells(row: LayerRow, analysis: Analysis, indent: bool = True) -> list[str]:
    """The human-readable cells shared by the rich table and Markdown."""
    conventions = analysis.conventions
    label = ("  " * len(row.scope) + row.name.rsplit("/", 1)[-1]) if indent else row.name
    flags = (" (frozen)" if row.frozen and row.params else "") + (" (train only)" if row.training_only else "")
    return [
        label + flags, row.type, shape_text(row.output_shape, conventions.layout), f"{row.params:,}",
        human_count(row.macs) if row.macs else "-", human_bytes(row.activation_bytes, conventions.units) if row.activation_bytes else "-",
        rf_text(row.receptive_field),
    ]


TABLE_COLUMNS = ("Layer", "Type", "Output shape", "Params", "MACs", "Memory", "RF")


def total_lines(analysis: Analysis) -> list[str]:
    """The totals footer, in words, for the table and Markdown views."""
    t, conventions = analysis.totals, analysis.conventions
    lines = [
        f"Params: {count_with_magnitude(t.params)}; trainable {t.trainable_params:,}, non-trainable {t.non_trainable_params:,}",
        f"MACs: {count_with_magnitude(t.macs)}; FLOPs: {human_count(t.flops)}",
        f"Activations: {t.activation_elements:,} values = {human_bytes(t.activation_bytes, conventions.units)} forward; "
        f"params {human_bytes(t.param_bytes, conventions.units)}",
        f"Training estimate ({conventions.optimizer}): {human_bytes(t.training_bytes, conventions.units)} = 2 x activations + params "
        f"+ gradients {human_bytes(t.gradient_bytes, conventions.units)} + optimizer state {human_bytes(t.optimizer_bytes, conventions.units)}",
    ]
    aux = analysis.training_only_totals
    if aux is not None:
        lines.append(f"Training-only layers (auxiliary heads), not in the totals: {aux.params:,} params, {human_count(aux.macs)} MACs")
    return lines


def to_markdown(analysis: Analysis, rows: list[LayerRow] | None = None) -> str:
    lines = [f"## {analysis.name}", "", "| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---|" * len(TABLE_COLUMNS)]
    for row in rows if rows is not None else analysis.layers:
        cells = display_cells(row, analysis, indent=False)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in total_lines(analysis))
    lines.extend(f"- {line}" for line in analysis.conventions.describe())
    return "\n".join(lines) + "\n"
