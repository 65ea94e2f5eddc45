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
