"""Pareto fronts of finished trials and the rule that picks candidates for compression."""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

logger = logging.getLogger(__name__)

Selector = Literal["best_metric", "knee", "cheapest_within_tolerance", "cheapest_at_baseline", "around_baseline", "whole_front"]


class CandidateRule(BaseModel):
    """Which Pareto-optimal trials go on to compression.

    Attributes:
        selectors: ``best_metric`` (the best task metric among feasible trials), ``knee`` (the
            point of the metric-vs-cost front farthest from the line joining its ends) and
            ``cheapest_within_tolerance`` (the lowest cost whose metric is within ``tolerance``
            of the best) and ``cheapest_at_baseline`` (the lowest cost whose metric is at least the
            best baseline's, measured as the trials are, minus ``tolerance``); ``around_baseline``
            takes every front design whose metric lies within ``tolerance`` of the best
            baseline's, above or below (compression moves each network's metric its own way, so
            the designs that bracket the baseline are the ones that may beat it cheaply);
            ``whole_front`` takes every front design (as a benchmark compares whole fronts).
        cost: the figure that measures cost for every selector but ``best_metric``.
        tolerance: allowed absolute drop of the metric for ``cheapest_within_tolerance`` and
            ``cheapest_at_baseline``; half the width of ``around_baseline``'s band.
        n_cheapest: how many of the cheapest designs at or above their floor
            ``cheapest_within_tolerance`` and ``cheapest_at_baseline`` take (the metric of a
            float-trained trial predicts its compressed network's only roughly, so the cheapest
            alone may fall below the baseline after compression while the next one does not).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    selectors: tuple[Selector, ...] = Field(default=("cheapest_at_baseline", "best_metric", "knee"), min_length=1)
    cost: str = "lut"
    tolerance: float = Field(default=0.01, ge=0)
    n_cheapest: int = Field(default=1, ge=1)


def pareto_mask(values: np.ndarray, maximize: np.ndarray) -> np.ndarray:
    """Rows not dominated by any other row.

    Args:
        values: one row per point, one column per objective.
        maximize: per column, whether larger is better.

    Returns:
        Boolean mask of the non-dominated rows.
    """
    oriented = np.where(maximize, -values, values)  # everything minimised
    mask = np.ones(len(values), dtype=bool)
    for index, point in enumerate(oriented):
        dominated_by = np.all(oriented <= point, axis=1) & np.any(oriented < point, axis=1)
        mask[index] = not dominated_by.any()
    return mask


def feasible(trials: pd.DataFrame) -> pd.Series:
    """Trials meeting every budget (all constraint columns ≤ 0; no constraints: all)."""
    constraints = [column for column in trials.columns if column.startswith("constraint_")]
    if not constraints:
        return pd.Series(True, index=trials.index)
    return (trials[constraints].fillna(np.inf) <= 0).all(axis=1)


def front_of(trials: pd.DataFrame, directions: dict[str, str]) -> pd.DataFrame:
    """The feasible, complete, non-dominated trials."""
    complete = trials[(trials["state"] == "COMPLETE") & feasible(trials)]
    if complete.empty:
        return complete
    names = list(directions)
    mask = pareto_mask(complete[names].to_numpy(dtype=float), np.array([directions[n] == "maximize" for n in names]))
    return complete[mask].sort_values(names[0], ascending=directions[names[0]] == "minimize")


def _knee(front: pd.DataFrame, metric: str, cost: str) -> int:
    points = front[[cost, metric]].to_numpy(dtype=float)
    span = points.max(0) - points.min(0)
    span[span == 0] = 1.0
    scaled = (points - points.min(0)) / span
    order = np.argsort(scaled[:, 0])
    start, end = scaled[order[0]], scaled[order[-1]]
    direction = (end - start) / (np.linalg.norm(end - start) or 1.0)
    offsets = scaled - start
    distance = np.abs(offsets[:, 0] * direction[1] - offsets[:, 1] * direction[0])
    return int(front.index[np.argmax(distance)])


def select_candidates(
    front: pd.DataFrame, metric_column: str, cost_column: str, rule: CandidateRule, baseline_metric: float | None = None
) -> pd.DataFrame:
    """Apply the rule's selectors to a front; a trial picked twice appears once with both names.

    A selector that finds no eligible design (``cheapest_at_baseline`` or ``around_baseline``
    without baselines, or when no front design reaches the baseline or lies near it) picks
    nothing and says so in the log.

    Args:
        front: the Pareto-optimal trials.
        metric_column: column of the task metric (larger is better).
        cost_column: column of the cost the rule trades against the metric.
        rule: the selectors and tolerance.
        baseline_metric: the best baseline's metric, measured as the trials' (``cheapest_at_baseline``,
            ``around_baseline``).

    Returns:
        The chosen rows with a ``selected_by`` column.

    Raises:
        ValueError: the front is empty, or no selector picked a design.
    """
    if front.empty:
        raise ValueError("the Pareto front is empty: no complete trial meets the budgets; relax global_search.budgets")
    metric, cost = metric_column, cost_column
    chosen: dict[int, list[str]] = {}
    for selector in rule.selectors:
        if selector == "whole_front":
            for index in front.index:
                chosen.setdefault(int(index), []).append(selector)
            continue
        if selector == "around_baseline":
            if baseline_metric is None:
                logger.warning("around_baseline: the run has no baselines (local_compression.baselines); it picks nothing")
                continue
            near = front[(front[metric] - baseline_metric).abs() <= rule.tolerance + 1e-12]
            if near.empty:
                logger.warning("around_baseline: no front design lies within %.4f of the baseline's %s %.4f; it picks nothing",
                               rule.tolerance, metric.removeprefix("attr_"), baseline_metric)
            for index in near.index:
                chosen.setdefault(int(index), []).append(selector)
            continue
        if selector == "best_metric":
            index = int(front[metric].idxmax())
        elif selector == "knee":
            index = _knee(front, metric, cost)
        else:
            if selector == "cheapest_within_tolerance":
                floor = front[metric].max() - rule.tolerance
            elif baseline_metric is None:
                logger.warning("cheapest_at_baseline: the run has no baselines (local_compression.baselines); it picks nothing")
                continue
            else:
                floor = baseline_metric - rule.tolerance
            good = front[front[metric] >= floor - 1e-12]
            if good.empty:
                logger.warning(
                    "%s: no front design reaches %s %.4f (best on the front %.4f); it picks nothing",
                    selector, metric.removeprefix("attr_"), floor, front[metric].max(),
                )
                continue
            for index in good.sort_values(cost, kind="stable").index[: rule.n_cheapest]:
                chosen.setdefault(int(index), []).append(selector)
            continue
        chosen.setdefault(index, []).append(selector)
    if not chosen:
        raise ValueError(f"global_search.candidates.selectors {list(rule.selectors)} picked no design; add best_metric or knee")
    selected = front.loc[list(chosen)].copy()
    selected["selected_by"] = [",".join(names) for names in chosen.values()]
    return selected
