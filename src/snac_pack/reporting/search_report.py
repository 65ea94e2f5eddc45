"""Figures of the global search: Pareto plots and search statistics, every hardware figure named by its source.

A trial's hardware figures come from the study's estimator (``attr_estimator``: the surrogate or
da4ml); a study continued with another estimator holds both, and each trial's hover text says
which.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from snac_pack.reporting.sources import (
    BOPS_SOURCE,
    ESTIMATOR_SOURCES,
    FIGURE_NAMES,
    NONE_BY_CONSTRUCTION,
    SOURCE_NAMES,
    by_construction,
    figure_label,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Hardware figures a trial records (``attr_<name>``), named with their source in the statistics.
TRIAL_FIGURES = ("bops", "lut", "ff", "dsp", "bram_18k", "latency_cycles", "lut_pct", "ff_pct", "dsp_pct", "bram_18k_pct", "avg_resource_pct")


def trial_sources(trials: pd.DataFrame) -> list[str]:
    """The sources of the hardware figures of the complete trials (``surrogate``, ``da4ml``)."""
    complete = trials[trials["state"] == "COMPLETE"] if "state" in trials else trials
    if "attr_estimator" not in complete:
        return []
    return sorted({ESTIMATOR_SOURCES[name] for name in complete["attr_estimator"].dropna()})


def _strategy(trials: pd.DataFrame) -> str | None:
    """The implementation strategy of the trials' designs (one target per study)."""
    if trials.empty or "attr_arch_json" not in trials:
        return None
    described = trials["attr_arch_json"].dropna()
    return json.loads(described.iloc[0])["target"]["strategy"] if not described.empty else None


def figure_sources(trials: pd.DataFrame, surrogate_metrics: dict[str, Any]) -> dict[str, str]:
    """The source of every hardware figure the trials record, as a reader should see it.

    Args:
        trials: a trials table (or its Pareto front).
        surrogate_metrics: the surrogate's accuracy, whose error surrogate figures carry.

    Returns:
        Figure name (an objective ``lut`` and its attribute ``attr_lut`` alike) → label, e.g.
        "LUT (surrogate, held-out median error 2.5 %, n=40)".
    """
    sources, strategy = trial_sources(trials), _strategy(trials)
    return {name: figure_label(name, sources, surrogate_metrics, strategy) for name in TRIAL_FIGURES if f"attr_{name}" in trials}


def _hover(rows: pd.DataFrame, cost: str, strategy: str | None) -> list[str]:
    """Per trial: its number, architecture and the cost with the source of this trial's figure."""
    texts = []
    for _, row in rows.iterrows():
        if strategy is not None and by_construction(cost, strategy):
            shown = f"{FIGURE_NAMES[cost]} {NONE_BY_CONSTRUCTION}"
        else:
            source = SOURCE_NAMES[ESTIMATOR_SOURCES[row["attr_estimator"]]] if cost != "bops" else BOPS_SOURCE
            shown = f"{FIGURE_NAMES[cost]} {row[f'attr_{cost}']:.4g} ({source})"
        texts.append(f"trial {row['number']}: {row.get('attr_architecture', '')}<br>{shown}")
    return texts


def _baseline_traces(baselines: pd.DataFrame, metric: str, cost: str, strategy: str | None) -> list[dict[str, Any]]:
    """The baselines' points on one panel: as the search estimates them and, for hardware figures, da4ml's.

    Both sit at the metric the search measures (same training, same split); only the cost differs.
    """
    if baselines.empty:
        return []
    if cost == "bops" or (strategy is not None and by_construction(cost, strategy)):
        estimated_source = BOPS_SOURCE if cost == "bops" else NONE_BY_CONSTRUCTION
        exact = False
    else:
        estimated_source = SOURCE_NAMES[ESTIMATOR_SOURCES[baselines["estimator"].iloc[0]]]
        exact = f"exact_{cost}" in baselines and baselines["estimator"].iloc[0] != "exact"
    traces = [{
        "x": baselines[cost], "name": f"baselines ({estimated_source})",
        "marker": {"size": 13, "symbol": "star", "color": "#1f77b4"},
        "text": [f"baseline {row['baseline']}: {row['architecture']}<br>{FIGURE_NAMES[cost]} {row[cost]:.4g} "
                 f"({estimated_source})" for _, row in baselines.iterrows()],
    }]
    if exact:
        da4ml = SOURCE_NAMES["da4ml"]
        traces.append({
            "x": baselines[f"exact_{cost}"], "name": f"baselines ({da4ml})",
            "marker": {"size": 11, "symbol": "diamond", "color": "#2ca02c"},
            "text": [f"baseline {row['baseline']}: {row['architecture']}<br>{FIGURE_NAMES[cost]} "
                     f"{row[f'exact_{cost}']:.4g} ({da4ml})" for _, row in baselines.iterrows()],
        })
    for trace in traces:
        trace["y"] = baselines[metric]
    return traces


def pareto_plot(
    trials: pd.DataFrame, front: pd.DataFrame, metric: str, costs: list[str], surrogate_metrics: dict[str, Any],
    baselines: pd.DataFrame | None = None,
) -> go.Figure:
    """The task metric against each hardware objective: every complete trial, the front highlighted,
    the baselines beside it.

    Each cost axis names the source of its trials' figures (with the surrogate's measured error
    when the surrogate estimated them); each point's hover text names its source. A baseline is
    shown twice on a hardware axis: as the search's estimator costs it (comparable with the
    trials) and as da4ml costs it.

    Args:
        trials: the trials table (figures in ``attr_<name>`` columns).
        front: the Pareto-optimal rows of ``trials``.
        metric: name of the task metric.
        costs: names of the cost objectives, one panel each.
        surrogate_metrics: the surrogate's accuracy (``surrogate_metrics``).
        baselines: the baselines measured as the trials are (``search_baselines``), or ``None``.

    Returns:
        A plotly figure (kedro-viz renders it).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    complete = trials[trials["state"] == "COMPLETE"]
    sources, strategy = trial_sources(trials), _strategy(complete)
    named = " | ".join(SOURCE_NAMES[source] for source in sources)
    titles = [f"{metric} vs {FIGURE_NAMES[cost]} ({named if cost != 'bops' else BOPS_SOURCE})" for cost in costs]
    figure = make_subplots(rows=1, cols=len(costs), subplot_titles=titles)
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
                    text=_hover(rows, cost, strategy),
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
        for trace in _baseline_traces(baselines if baselines is not None else pd.DataFrame(), metric, cost, strategy):
            figure.add_trace(go.Scatter(mode="markers", showlegend=column == 1, **trace), row=1, col=column)
        figure.update_xaxes(title_text=figure_label(cost, sources, surrogate_metrics, strategy), type="log", row=1, col=column)
        figure.update_yaxes(title_text=metric, row=1, col=column)
    figure.update_layout(height=450, width=max(500, 450 * len(costs)), title="Global search")
    return figure


def _baseline_records(baselines: pd.DataFrame) -> list[dict[str, Any]]:
    """The baselines' figures and descriptions, JSON-ready (the weights' description left out)."""
    shown = baselines.drop(columns=[column for column in ("arch_json",) if column in baselines])
    return json.loads(shown.to_json(orient="records"))


#: What trials recorded before they named their split were measured on.
_UNNAMED_SPLIT = "validation split, which early stopping also watched (trials recorded before the two were kept apart)"


def metric_splits(trials: pd.DataFrame) -> list[str]:
    """The data the trials' task metric was measured on (``metric_split``), each description once."""
    if trials.empty:
        return []
    recorded = trials["attr_metric_split"] if "attr_metric_split" in trials else pd.Series(None, index=trials.index, dtype=object)
    return sorted(set(recorded.fillna(_UNNAMED_SPLIT)))


def search_statistics(
    trials: pd.DataFrame, front: pd.DataFrame, summary: dict[str, Any], surrogate_metrics: dict[str, Any],
    baselines: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Trials, wall time, throughput, workers, where the hardware figures come from, the
    baselines as the search measures them and (when both are recorded) the surrogate's error
    against da4ml on the front.

    Args:
        trials: the trials table.
        front: its Pareto-optimal rows.
        summary: what the workers reported for this run.
        surrogate_metrics: the surrogate's accuracy (``surrogate_metrics``).
        baselines: the baselines measured as the trials are (``search_baselines``), or ``None``.

    Returns:
        A JSON-ready dict; ``figure_sources`` names the source of every hardware figure the
        trials record, ``metric_measured_on`` the data their task metric comes from,
        ``baselines`` one record per baseline (``lut`` from the search's estimator,
        ``exact_lut`` from da4ml, each named in ``baseline_sources``).
    """
    states = trials["state"].value_counts().to_dict() if not trials.empty else {}
    complete = trials[trials["state"] == "COMPLETE"]
    statistics: dict[str, Any] = {
        "trials_by_state": {str(k): int(v) for k, v in states.items()},
        "pareto_front_size": len(front),
        "figure_sources": figure_sources(trials, surrogate_metrics),
        "metric_measured_on": metric_splits(complete),
        "this_run": summary,
    }
    if baselines is not None and not baselines.empty:
        statistics["baselines"] = _baseline_records(baselines)
        estimator = baselines["estimator"].iloc[0]
        statistics["baseline_sources"] = {
            "lut": figure_label("lut", [ESTIMATOR_SOURCES[estimator]], surrogate_metrics, _strategy(trials)),
            "exact_lut": figure_label("lut", ["da4ml"], surrogate_metrics, _strategy(trials)),
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
        statistics["surrogate_error_on_pareto_front_is"] = (
            f"median |surrogate - {SOURCE_NAMES['da4ml']}| / {SOURCE_NAMES['da4ml']}, over the {len(exact)} front trials costed by da4ml"
        )
    return statistics
