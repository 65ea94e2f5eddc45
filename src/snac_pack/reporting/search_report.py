"""Figures of the global search: Pareto plots and search statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go


def pareto_plot(trials: pd.DataFrame, front: pd.DataFrame, metric: str, costs: list[str]) -> go.Figure:
    """The task metric against each hardware objective: every complete trial, the front highlighted.

    Args:
        trials: the trials table (figures in ``attr_<name>`` columns).
        front: the Pareto-optimal rows of ``trials``.
        metric: name of the task metric.
        costs: names of the cost objectives, one panel each.

    Returns:
        A plotly figure (kedro-viz renders it).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    complete = trials[trials["state"] == "COMPLETE"]
    figure = make_subplots(rows=1, cols=len(costs), subplot_titles=[f"{metric} vs {cost}" for cost in costs])
    for column, cost in enumerate(costs, start=1):
        for rows, name, marker in (
            (complete, "trials", {"size": 6, "opacity": 0.45, "color": "#7f7f7f"}),
            (front.sort_values(f"attr_{cost}"), "Pareto front", {"size": 9, "color": "#d62728"}),
        ):
            figure.add_trace(
                go.Scatter(
                    x=rows[f"attr_{cost}"],
                    y=rows[f"attr_{metric}"],
                    mode="markers" if name == "trials" else "lines+markers",
                    name=name,
                    marker=marker,
                    text=rows["attr_architecture"] if "attr_architecture" in rows else None,
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
        figure.update_xaxes(title_text=cost, type="log", row=1, col=column)
        figure.update_yaxes(title_text=metric, row=1, col=column)
    figure.update_layout(height=450, width=max(500, 450 * len(costs)), title="Global search")
    return figure


def search_statistics(trials: pd.DataFrame, front: pd.DataFrame, summary: dict[str, Any]) -> dict[str, Any]:
    """Trials, wall time, throughput, workers and (when both are recorded) the surrogate's error.

    Args:
        trials: the trials table.
        front: its Pareto-optimal rows.
        summary: what the workers reported for this run.

    Returns:
        A JSON-ready dict.
    """
    states = trials["state"].value_counts().to_dict() if not trials.empty else {}
    complete = trials[trials["state"] == "COMPLETE"]
    statistics: dict[str, Any] = {
        "trials_by_state": {str(k): int(v) for k, v in states.items()},
        "pareto_front_size": len(front),
        "this_run": summary,
    }
    if not complete.empty:
        start, end = complete["datetime_start"].min(), complete["datetime_complete"].max()
        hours = max((end - start).total_seconds(), 1e-9) / 3600
        statistics["study_wall_time_s"] = round(hours * 3600, 1)
        statistics["trials_per_hour"] = round(len(complete) / hours, 1)
        statistics["workers"] = sorted(complete["worker"].dropna().unique().tolist())
        if {"attr_train_seconds", "attr_estimator_seconds"} <= set(complete.columns):
            estimator = complete["attr_estimator_seconds"].sum()
            statistics["estimator_share_of_trial_time"] = float(estimator / (estimator + complete["attr_train_seconds"].sum()))
    exact = front[front.get("attr_estimator", pd.Series(dtype=str)) == "exact"] if not front.empty else front
    if not exact.empty:
        statistics["surrogate_error_on_pareto_front"] = {
            name: float(np.median(np.abs(exact[f"attr_surrogate_{name}"] - exact[f"attr_{name}"]) / exact[f"attr_{name}"].clip(lower=1)))
            for name in ("lut", "ff")
        }
    return statistics
