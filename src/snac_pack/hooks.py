"""Project hooks: validate every parameter before any node runs."""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline

from snac_pack.config import parse_parameters

logger = logging.getLogger(__name__)


class ValidateParametersHook:
    """Stops a run with a clear error before any work if a parameter is invalid."""

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog) -> None:
        """Validate the merged parameters of the run (``ConfigError`` names each bad key)."""
        parse_parameters(catalog.load("parameters"))
        logger.info("Parameters of environment '%s' are valid", run_params.get("env") or "default")


class RunReportLocationHook:
    """Ends a run that wrote the run report by saying where it is."""

    @hook_impl
    def after_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog) -> None:
        """Print the report's path (the last line of the run's output)."""
        if "run_report" not in pipeline.all_outputs():
            return
        location = getattr(catalog.get("run_report"), "_filepath", "data/08_reporting/run_report.html")
        logger.info("Run report: %s (open it in a browser)", location)
