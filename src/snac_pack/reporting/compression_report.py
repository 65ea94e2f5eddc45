"""Figures of local compression: the metric against da4ml's LUTs, and the side-by-side summary.

The history's ``exact_*`` columns are da4ml's pre-placement estimate of the trained, quantized
network (the column names stay; every label a person reads says da4ml); ``surrogate_*`` the
surrogate's prediction for the same architecture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from snac_pack.compression.selection import on_front
from snac_pack.reporting.sources import NONE_BY_CONSTRUCTION, SOURCE_NAMES, by_construction, figure_label

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from snac_pack.compression.comparison import MetricDifference

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
# da4ml builds the distributed-arithmetic implementation only.
_DA4ML_STRATEGY = "distributed_arithmetic"
LUT_AXIS = figure_label("lut", ["da4ml"])


def summary_sources(surrogate_metrics: dict[str, Any]) -> dict[str, str]:
    """The source of every hardware column of the summary, as a reader should see it.

    Args:
        surrogate_metrics: the surrogate's accuracy (``surrogate_metrics``).

    Returns:
        Column → label, e.g. ``exact_lut`` → "LUT (da4ml pre-placement estimate)".
    """
    sources = {}
    for column in SUMMARY_COLUMNS:
        source, _, figure = column.partition("_")
        if column == "bops":
            sources[column] = figure_label("bops", [])
        elif source in ("exact", "surrogate"):
            sources[column] = figure_label(figure, ["da4ml" if source == "exact" else source], surrogate_metrics, _DA4ML_STRATEGY)
    return sources


def compression_plot(history: pd.DataFrame, metric: str) -> go.Figure:
    """Validation metric against da4ml's LUT estimate: one line per network and precision through
    its pruning iterations, each network's front circled.

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
                text=[
                    f"iteration {i}, sparsity {s:.2f}, LUT {lut:.0f} ({SOURCE_NAMES['da4ml']})"
                    for i, s, lut in zip(rows["iteration"], rows["sparsity"], rows["exact_lut"], strict=True)
                ],
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
            text=[f"{model} {precision}, LUT {lut:.0f} ({SOURCE_NAMES['da4ml']})" for model, precision, lut in zip(front["model"], front["precision"], front["exact_lut"], strict=True)],
        )
    )
    figure.update_xaxes(title_text=LUT_AXIS, type="log")
    figure.update_yaxes(title_text=f"validation {metric}")
    figure.update_layout(height=500, width=850, title="Local compression: quantization-aware training and pruning")
    return figure


def compression_summary(
    selected: pd.DataFrame,
    metric: str,
    selection: dict[str, Any],
    surrogate_metrics: dict[str, Any],
    comparisons: Sequence[MetricDifference] = (),
    picks: pd.DataFrame | None = None,
    pick_comparisons: Sequence[MetricDifference] = (),
) -> dict[str, Any]:
    """Baselines and candidates side by side at their selected compression points (JSON-ready).

    Args:
        selected: the selected row of every network (compression history columns, ``test_metric``).
        metric: the task metric's name.
        selection: the selection settings.
        surrogate_metrics: the surrogate's accuracy, whose error the surrogate columns carry.
        comparisons: candidates against baselines on the test split.
        picks: the points chosen against each baseline
            (:func:`~snac_pack.compression.selection.picks_against_baselines`).
        pick_comparisons: each pick against its baseline on the test split, in ``picks``' order.

    Returns:
        ``metric``, ``selection``, ``sources`` (the source of every hardware column), ``models``,
        ``comparisons`` (per pair: the metric difference with its interval and verdict, and both
        networks' LUTs from da4ml with their ratio) and ``against_baselines`` (per pick: the
        point, its validation metric and LUTs, and the same comparison); DSP and BRAM, which
        distributed arithmetic never uses, read "none by construction".
    """
    ordered = selected.sort_values(["kind", "model"], key=lambda column: column.map({"baseline": 0, "candidate": 1}) if column.name == "kind" else column)
    rows = []
    for _, row in ordered.iterrows():
        rows.append({column: _shown(column, row[column]) for column in SUMMARY_COLUMNS if column in row})
    lut = dict(zip(selected["model"], selected["exact_lut"].astype(float), strict=True))
    compared = [{"model": pair.model, "baseline": pair.reference, **_compared(pair, lut[pair.model], lut[pair.reference])} for pair in comparisons]
    picks = pd.DataFrame() if picks is None else picks
    if len(pick_comparisons) != len(picks):
        raise ValueError(f"{len(pick_comparisons)} comparisons for {len(picks)} picks against baselines")
    against = [
        {
            "pick": row["pick"], "baseline": row["baseline"], "model": row["model"], "precision": row["precision"],
            "iteration": int(row["iteration"]), "sparsity": float(row["sparsity"]), "val_metric": float(row["val_metric"]),
            "baseline_val_metric": float(row["baseline_val_metric"]),
            **_compared(pair, float(row["exact_lut"]), float(row["baseline_exact_lut"])),
        }
        for (_, row), pair in zip(picks.iterrows(), pick_comparisons, strict=True)
    ]
    return {
        "metric": metric, "selection": selection, "sources": summary_sources(surrogate_metrics), "models": rows,
        "comparisons": compared, "against_baselines": against,
    }


def _compared(pair: MetricDifference, model_lut: float, baseline_lut: float) -> dict[str, Any]:
    """A test comparison and both networks' LUTs (da4ml), JSON-ready."""
    return {
        "difference": pair.difference, "low": pair.low, "high": pair.high, "confidence": pair.confidence, "verdict": pair.verdict,
        "n_examples": pair.n_examples, "n_resamples": pair.n_resamples, "model_lut": model_lut, "baseline_lut": baseline_lut,
        "lut_ratio": model_lut / baseline_lut if baseline_lut else None,
    }


def _shown(column: str, value: Any) -> Any:
    if column.startswith("exact_") and by_construction(column.removeprefix("exact_"), _DA4ML_STRATEGY):
        return NONE_BY_CONSTRUCTION
    return value.item() if hasattr(value, "item") else value
