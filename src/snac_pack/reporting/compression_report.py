"""Figures of local compression: the metric against exact LUTs, and the side-by-side summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from snac_pack.compression.selection import on_front

if TYPE_CHECKING:
    import plotly.graph_objects as go

SUMMARY_COLUMNS = (
    "model",
    "kind",
    "architecture",
    "precision",
    "iteration",
    "sparsity",
    "reference_metric",
    "val_metric",
    "test_metric",
    "exact_lut",
    "exact_ff",
    "exact_dsp",
    "exact_bram_18k",
    "exact_latency_cycles",
    "exact_latency_ns",
    "surrogate_lut",
    "surrogate_ff",
    "surrogate_latency_cycles",
    "bops",
)


def compression_plot(history: pd.DataFrame, metric: str) -> go.Figure:
    """Validation metric against exact LUTs: one line per network and precision through its
    pruning iterations, each network's front circled, selected points starred when given.

    Args:
        history: the compression history.
        metric: the task metric's name (axis title).

    Returns:
        A plotly figure (kedro-viz renders it).
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    front = history[on_front(history)]
    for (model, precision), rows in history.groupby(["model", "precision"], sort=False):
        rows = rows.sort_values("iteration")
        figure.add_trace(
            go.Scatter(
                x=rows["exact_lut"],
                y=rows["val_metric"],
                mode="lines+markers",
                name=f"{model} {precision}",
                text=[f"iteration {i}, sparsity {s:.2f}" for i, s in zip(rows["iteration"], rows["sparsity"], strict=True)],
                marker={"size": 7},
            )
        )
    figure.add_trace(
        go.Scatter(
            x=front["exact_lut"],
            y=front["val_metric"],
            mode="markers",
            name="front (per network)",
            marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "#d62728"}},
            text=front["model"] + " " + front["precision"],
        )
    )
    figure.update_xaxes(title_text="exact LUTs (da4ml)", type="log")
    figure.update_yaxes(title_text=f"validation {metric}")
    figure.update_layout(height=500, width=850, title="Local compression: quantization-aware training and pruning")
    return figure


def compression_summary(selected: pd.DataFrame, metric: str, selection: dict[str, Any]) -> dict[str, Any]:
    """Baselines and candidates side by side at their selected compression points (JSON-ready)."""
    ordered = selected.sort_values(["kind", "model"], key=lambda column: column.map({"baseline": 0, "candidate": 1}) if column.name == "kind" else column)
    rows = []
    for _, row in ordered.iterrows():
        rows.append({column: _plain(row[column]) for column in SUMMARY_COLUMNS if column in row})
    return {"metric": metric, "selection": selection, "models": rows}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
