"""Node of the run_report pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from snac_pack.reporting.run_report import run_report_html

if TYPE_CHECKING:
    import plotly.graph_objects as go


def write_run_report(
    data_report: dict[str, Any],
    surrogate_metrics: dict[str, Any],
    search_statistics: dict[str, Any],
    pareto_plot: go.Figure,
    compression_summary: dict[str, Any],
    compression_plot: go.Figure,
    firmware_report: dict[str, Any],
) -> str:
    """The HTML page comparing baselines with the found models, with the search and the firmware."""
    return run_report_html(data_report, surrogate_metrics, search_statistics, pareto_plot, compression_summary, compression_plot, firmware_report)
