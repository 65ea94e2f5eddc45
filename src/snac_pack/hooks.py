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


class MissingInputsError(RuntimeError):
    """A pipeline run alone before the pipelines that make its inputs ran in this environment."""


class RequireInputsHook:
    """Stops a run before any node when an input it does not make is missing in this environment.

    Each environment's outputs live under ``data/<environment>/``, so a pipeline run on its own
    (``--pipeline firmware``) reads only what this environment's earlier runs wrote; when one of
    them has not run yet, the error says which run to do first instead of failing mid-way.
    """

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline, catalog: DataCatalog) -> None:
        """Raise ``MissingInputsError`` naming each missing input, its file and the pipeline that makes it."""
        from snac_pack.pipeline_registry import every_pipeline

        missing = [name for name in sorted(pipeline.inputs()) if not name.startswith("params:") and name != "parameters"
                   and not catalog.exists(name)]
        if not missing:
            return
        env = run_params.get("env") or _default_env()
        every = every_pipeline()
        # Pipelines in the order a full run takes them (Kedro sorts nodes topologically).
        order = [node.name for node in sum(every.values(), Pipeline([])).nodes]
        ranked = sorted(every, key=lambda key: min(order.index(node.name) for node in every[key].nodes))
        makers = {name: [key for key in ranked if name in every[key].all_outputs()] for name in missing}
        lines = [f"  - {name} ({_where(catalog, name)}): made by {', '.join(makers[name]) or 'no pipeline'}" for name in missing]
        first = next((key for key in ranked if any(key in found for found in makers.values())), None)
        advice = (f"Run `kedro run --env {env} --pipeline {first}` first, or `kedro run --env {env}` for every pipeline."
                  if first else "Provide these datasets.")
        raise MissingInputsError(f"Environment '{env}' has no output yet for these inputs of the run:\n" + "\n".join(lines)
                                 + f"\n{advice} (each environment keeps its outputs under data/{env}/)")


def _default_env() -> str:
    """The environment a run without ``--env`` uses."""
    from kedro.framework.project import settings

    return settings.CONFIG_LOADER_ARGS.get("default_run_env", "local")


def _where(catalog: DataCatalog, name: str) -> str:
    dataset = catalog.get(name) if name in catalog else None
    if dataset is None:
        return "kept in memory during a run"
    described = dataset._describe() if hasattr(dataset, "_describe") else {}  # noqa: SLF001  Kedro's own description
    return str(described.get("filepath") or described.get("path") or type(dataset).__name__)


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
            location = getattr(catalog.get("run_report"), "_filepath", "data/<environment>/08_reporting/run_report.html")
            logger.info("Run report: %s (open it in a browser)", location)
