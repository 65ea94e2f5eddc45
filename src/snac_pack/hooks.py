"""Project hooks: validate every parameter before any node runs."""

from __future__ import annotations

import logging
import time
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.pipeline import Node, Pipeline

from snac_pack.config import parse_parameters

logger = logging.getLogger(__name__)


class ValidateParametersHook:
    """Stops a run with a clear error before any work if a parameter is invalid."""

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog) -> None:
        """Validate the merged parameters of the run (``ConfigError`` names each bad key)."""
        parse_parameters(catalog.load("parameters"))
        logger.info("Parameters of environment '%s' are valid", run_params.get("env") or "default")


class RunSummaryHook:
    """Ends every run with the time spent in each pipeline and, if written, where the run report is."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._seconds: dict[str, float] = {}

    @hook_impl
    def before_node_run(self, node: Node) -> None:
        """Start the node's clock."""
        self._started[node.name] = time.perf_counter()

    @hook_impl
    def after_node_run(self, node: Node) -> None:
        """Add the node's time to its pipeline (its namespace)."""
        group = node.namespace or "other"
        self._seconds[group] = self._seconds.get(group, 0.0) + time.perf_counter() - self._started.pop(node.name)

    @hook_impl
    def after_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog) -> None:
        """Log the time per pipeline, then the report's path (the last line of the run's output)."""
        if self._seconds:
            timing = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self._seconds.items())
            logger.info("Time per pipeline: %s (total %.0f s)", timing, sum(self._seconds.values()))
        self._seconds.clear()
        if "run_report" in pipeline.all_outputs():
            location = getattr(catalog.get("run_report"), "_filepath", "data/08_reporting/run_report.html")
            logger.info("Run report: %s (open it in a browser)", location)
