"""Parity plots and agreement figures of the hardware surrogate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_PLOTTED = (("lut", "LUTs"), ("ff", "FFs"), ("latency_cycles", "latency (cycles)"))


def parity_figure(panels: dict[str, tuple[pd.DataFrame, pd.DataFrame]]) -> Figure:
    """Predicted against true figures, one column per figure, one colour per set of designs.

    Args:
        panels: per label (e.g. "held-out, random weights"), the true and the predicted table.

    Returns:
        The figure.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 4.2), layout="constrained")
    axes = figure.subplots(1, len(_PLOTTED))
    for axis, (column, title) in zip(axes, _PLOTTED, strict=True):
        low, high = np.inf, -np.inf
        for label, (truth, predicted) in panels.items():
            # A source that does not give this figure (Yosys measures no latency) has no point here.
            known = truth[column].notna().to_numpy()
            if not known.any():
                continue
            true_values, predicted_values = truth[column][known], predicted[column][known]
            axis.scatter(true_values, predicted_values, s=12, alpha=0.7, label=label)
            low = min(low, true_values.min(), predicted_values.min())
            high = max(high, true_values.max(), predicted_values.max())
        if np.isfinite(low):
            axis.plot([low, high], [low, high], color="grey", linewidth=1)
        axis.set(title=title, xlabel="ground truth: the surrogate's source tools (Yosys set: Yosys)", ylabel="surrogate")
        if column != "latency_cycles":
            axis.set(xscale="log", yscale="log")
    axes[0].legend()
    return figure


def tool_agreement(pairs: pd.DataFrame) -> dict[str, Any]:
    """How Yosys synthesis agrees with da4ml's cost on the same designs.

    Args:
        pairs: one row per design with ``lut_da4ml``, ``lut_yosys``, ``ff_da4ml``, ``ff_yosys``.

    Returns:
        Per figure: the median, minimum and maximum of yosys / da4ml, and the number of designs.
    """
    if pairs.empty:
        return {"n_designs": 0}
    agreement: dict[str, Any] = {"n_designs": len(pairs)}
    for column in ("lut", "ff"):
        ratio = pairs[f"{column}_yosys"] / pairs[f"{column}_da4ml"]
        agreement[f"{column}_yosys_over_da4ml"] = {
            "median": float(ratio.median()),
            "min": float(ratio.min()),
            "max": float(ratio.max()),
        }
    return agreement
