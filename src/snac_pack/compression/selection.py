"""Choosing each network's final compression point, and the metric-versus-LUT front."""

from __future__ import annotations

import numpy as np
import pandas as pd

from snac_pack.compression.settings import SelectionRule
from snac_pack.search.pareto import pareto_mask


def select_points(history: pd.DataFrame, rule: SelectionRule) -> pd.DataFrame:
    """The selected row of every model in ``history``.

    The reference of a model is its best validation metric before pruning (iteration 0, any
    precision); its selected point has the fewest exact LUTs among the points within
    ``rule.tolerance`` of that reference (ties: the better metric, then the earlier iteration).

    Returns:
        One row per model, with ``reference_metric`` added.
    """
    selected = []
    for _, rows in history.groupby("model", sort=False):
        reference = float(rows.loc[rows["iteration"] == 0, "val_metric"].max())
        eligible = rows[rows["val_metric"] >= reference - rule.tolerance - 1e-12]
        best = eligible.sort_values(["exact_lut", "val_metric", "iteration"], ascending=[True, False, True]).iloc[0]
        selected.append(best.to_dict() | {"reference_metric": reference})
    return pd.DataFrame(selected).reset_index(drop=True)


def on_front(history: pd.DataFrame) -> np.ndarray:
    """Per row, whether it is on its model's front of validation metric (max) against exact LUTs (min)."""
    mask = np.zeros(len(history), dtype=bool)
    for _, rows in history.groupby("model", sort=False):
        positions = history.index.get_indexer(rows.index)
        values = rows[["val_metric", "exact_lut"]].to_numpy(dtype=float)
        mask[positions] = pareto_mask(values, np.array([True, False]))
    return mask


#: The two points chosen against each baseline by :func:`picks_against_baselines`.
BASELINE_PICKS = ("cheapest_at_baseline_metric", "best_at_baseline_cost")


def picks_against_baselines(history: pd.DataFrame, selected: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Per baseline, the candidates' compression points that answer "cheaper at its metric?" and "better at its cost?".

    Chosen on the validation metric, over every iteration and precision of every candidate;
    the test split then judges them (:mod:`snac_pack.compression.comparison`). A baseline is
    represented by its selected point (:func:`select_points`).

    - ``cheapest_at_baseline_metric``: the fewest exact LUTs among points whose validation metric
      is at least the baseline's minus ``tolerance`` (ties: the better metric, then the earlier iteration);
    - ``best_at_baseline_cost``: the best validation metric among points with at most the
      baseline's exact LUTs (ties: the fewer LUTs, then the earlier iteration).

    Args:
        history: every compression point (``model``, ``kind``, ``val_metric``, ``exact_lut``, ``iteration``).
        selected: the selected point of every network (:func:`select_points`).
        tolerance: allowed absolute drop of the metric for the first pick.

    Returns:
        One row per (baseline, pick) that has an eligible point: the point's history columns,
        ``baseline``, ``baseline_val_metric``, ``baseline_exact_lut`` and ``pick``.
    """
    candidates = history[history["kind"] == "candidate"]
    picks = []
    for _, baseline in selected[selected["kind"] == "baseline"].iterrows():
        reference = {"baseline": baseline["model"], "baseline_val_metric": float(baseline["val_metric"]),
                     "baseline_exact_lut": float(baseline["exact_lut"])}
        at_metric = candidates[candidates["val_metric"] >= reference["baseline_val_metric"] - tolerance - 1e-12]
        if not at_metric.empty:
            best = at_metric.sort_values(["exact_lut", "val_metric", "iteration"], ascending=[True, False, True]).iloc[0]
            picks.append(best.to_dict() | reference | {"pick": BASELINE_PICKS[0]})
        at_cost = candidates[candidates["exact_lut"] <= reference["baseline_exact_lut"]]
        if not at_cost.empty:
            best = at_cost.sort_values(["val_metric", "exact_lut", "iteration"], ascending=[False, True, True]).iloc[0]
            picks.append(best.to_dict() | reference | {"pick": BASELINE_PICKS[1]})
    return pd.DataFrame(picks).reset_index(drop=True)
