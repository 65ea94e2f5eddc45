"""Pipeline runs through ``KedroSession``, their progress forwarded while they run.

A run takes a worker thread (the server keeps answering other calls, e.g. ``study_status``);
one run at a time. Progress comes from log records: Kedro's "Running node" and completed-task
count, and every INFO record of snac-pack (e.g. the search's trials), each sent with the count
of completed nodes out of the run's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import cached_property
from queue import Empty, SimpleQueue
from typing import Any

import anyio
from kedro.framework.session import KedroSession
from kedro.io import DatasetError
from kedro.pipeline import Pipeline
from mcp.server.mcpserver.exceptions import ToolError

from snac_pack.mcp_server.errors import ArgumentError
from snac_pack.mcp_server.project import Project, nested_params
from snac_pack.mcp_server.results import latest_outputs
from snac_pack.pipeline_registry import register_pipelines

#: The order in which the pipelines feed each other (``None``, all of them, runs them in this order).
PIPELINE_ORDER = ("data_processing", "surrogate_training", "global_search", "local_compression", "firmware", "run_report")
#: What a run reports back, when its pipelines write them.
KEY_OUTPUTS = (
    "data_report",
    "surrogate_metrics",
    "search_statistics",
    "pareto_front",
    "compression_summary",
    "firmware_report",
    "run_report",
)
_RUNNING_NODE = "Running node: %s"
_COMPLETED_TASKS = "Completed %d out of %d tasks"
_FORWARD_INTERVAL_S = 0.5

#: ``(progress, total, message)`` sent to the client.
Report = Callable[[float, float | None, str], Awaitable[None]]


class RunProgress(logging.Handler):
    """Collects a run's progress from log records (any thread) for the server to send.

    Attributes:
        done: nodes completed.
        total: nodes of the run.
        node: the node running now (or the one that failed).
    """

    def __init__(self, total: int) -> None:
        super().__init__(level=logging.INFO)
        self.done, self.total, self.node = 0, total, ""
        self.messages: SimpleQueue[tuple[int, int, str]] = SimpleQueue()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("kedro") and record.msg == _COMPLETED_TASKS:
            self.done, self.total = record.args  # type: ignore[misc]
            return
        if record.name.startswith("kedro") and record.msg == _RUNNING_NODE:
            self.node = str(record.args[0]).split(":", 1)[0]  # type: ignore[index]
            message = f"running node {self.node}"
        elif record.name.startswith("snac_pack"):
            message = record.getMessage()
        else:
            return
        self.messages.put((self.done, self.total, message[:500]))

    async def forward(self, report: Report) -> None:
        """Send every message collected so far."""
        while True:
            try:
                done, total, message = self.messages.get_nowait()
            except Empty:
                return
            await report(done, total, message)


class PipelineRuns:
    """Runs pipelines of one project, one at a time."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._lock = threading.Lock()
        self._current = ""

    @property
    def current(self) -> str | None:
        """The run in progress (pipeline and environment), or None."""
        return self._current or None

    @cached_property
    def pipelines(self) -> dict[str, Pipeline]:
        """The project's pipelines, as its registry registers them (``__default__``: all)."""
        return register_pipelines()

    def pipeline_names(self) -> list[str]:
        """The registered pipelines, in the order they feed each other."""
        names = [name for name in self.pipelines if name != "__default__"]
        return sorted(names, key=lambda name: (PIPELINE_ORDER.index(name) if name in PIPELINE_ORDER else len(PIPELINE_ORDER), name))

    async def run(
        self, environment: str, pipeline: str | None, params: Mapping[str, Any], report: Report
    ) -> dict[str, Any]:
        """Run ``pipeline`` (all when None) of ``environment`` with runtime ``params``, reporting progress.

        Returns:
            The run's duration, nodes and key outputs (:data:`KEY_OUTPUTS` that it wrote).

        Raises:
            ArgumentError: an unknown pipeline or environment, invalid parameters, or a catalog
                path outside ``data/``; nothing has run.
            ToolError: another run is in progress, or the run failed (naming the node and the error).
        """
        names = await anyio.to_thread.run_sync(self.pipeline_names)  # the first call imports every pipeline
        if pipeline is not None and pipeline not in names:
            raise ArgumentError("pipeline", f"unknown pipeline '{pipeline}'; the pipelines are {names} (or null for all)")
        environment = self.project.environment(environment)
        tree = nested_params(params)
        await anyio.to_thread.run_sync(self._check, environment, tree)
        selected = self.pipelines[pipeline or "__default__"]
        if not self._lock.acquire(blocking=False):
            raise ToolError(f"a run is in progress ({self._current}); wait for it to end (study_status follows a search)")
        progress = RunProgress(total=len(selected.nodes))
        root = logging.getLogger()
        root.addHandler(progress)
        started = time.monotonic()
        try:
            self._current = f"{pipeline or 'all pipelines'} in '{environment}'"
            await report(0, progress.total, f"starting {self._current}")
            failure = None
            async with anyio.create_task_group() as group:
                group.start_soon(self._keep_forwarding, progress, report)
                try:
                    await anyio.to_thread.run_sync(self._run, environment, pipeline, tree, progress)
                except ToolError as error:  # raised after the group, which would wrap it in an ExceptionGroup
                    failure = error
                finally:
                    group.cancel_scope.cancel()
            await progress.forward(report)
            if failure is not None:
                raise failure
        finally:
            root.removeHandler(progress)
            self._current = ""
            self._lock.release()
        written = [name for name in KEY_OUTPUTS if name in selected.all_outputs()]
        outputs = await anyio.to_thread.run_sync(latest_outputs, self.project, environment, written)
        return {
            "environment": environment,
            "pipeline": pipeline or "all",
            "params": tree,
            "duration_s": round(time.monotonic() - started, 1),
            "nodes_completed": progress.done,
            "outputs": outputs,
        }

    def _check(self, environment: str, params: dict[str, Any]) -> None:
        """Validate the parameters and the catalog's paths before anything runs."""
        self.project.parameters(environment, params)
        with self.project.context(environment, params) as context:
            self.project.check_catalog(context, environment)

    @staticmethod
    async def _keep_forwarding(progress: RunProgress, report: Report) -> None:
        while True:
            await progress.forward(report)
            await anyio.sleep(_FORWARD_INTERVAL_S)

    def _run(self, environment: str, pipeline: str | None, params: dict[str, Any], progress: RunProgress) -> None:
        try:
            with KedroSession.create(project_path=self.project.root, env=environment, runtime_params=params) as session:
                session.run(pipeline_names=[pipeline] if pipeline else None)
        except Exception as error:  # the run's own failure, reported to the client without a traceback
            hint = ""
            if isinstance(error, DatasetError):
                hint = f" (if an input is missing, run the pipelines before it first, in the order {list(PIPELINE_ORDER)})"
            where = f" at node {progress.node}" if progress.node else ""
            raise ToolError(f"the run of {self._current} failed{where}: {type(error).__name__}: {error}{hint}") from error
