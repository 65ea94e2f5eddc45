"""The MCP server: six tools over the project's library and ``KedroSession``, served on stdio.

Started by ``snac-pack-mcp --project <project root>`` (``cli.py``; docs/mcp.md). A bad argument comes
back as the tool's error result, its message starting ``argument '<name>':``; a failed run as
the node and the error, never a traceback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field

import snac_pack
from snac_pack.mcp_server.describe import describe_file, describe_sources
from snac_pack.mcp_server.errors import ArgumentError
from snac_pack.mcp_server.project import Project
from snac_pack.mcp_server.proposal import propose
from snac_pack.mcp_server import results as outputs
from snac_pack.mcp_server.runs import PipelineRuns
from snac_pack.search.objective import available_figures

INSTRUCTIONS = """\
snac-pack searches tiny neural networks and their FPGA firmware for a classification data set.
A usual session: list_environments; describe_dataset on the user's table (under data/);
propose_configuration for it, then again with write=true once the user agrees; run_pipeline in
that environment, one pipeline at a time in the order data_processing, surrogate_training,
global_search, local_compression, firmware, run_report (or all at once); study_status while
or after the search runs; get_results for the Pareto front, the compression summary and the
firmware report. Every hardware figure comes with its source (figure_sources, sources): the
surrogate with its measured error, da4ml's pre-placement estimate, Yosys synthesis or a vendor
tool; quote them with their source. Tools write only under the project's conf/ and data/.
"""

ResultName = Literal["pareto_front", "compression_summary", "firmware_report"]


def build_server(project: Project) -> MCPServer:
    """The server of ``project``; Kedro is configured for it when the server starts."""

    @asynccontextmanager
    async def configure_kedro(_: MCPServer) -> AsyncIterator[None]:
        # Here, not before: the stdio transport has diverted stdout, so Kedro's log output cannot reach the wire.
        project.bootstrap()
        yield

    server = MCPServer("snac-pack", instructions=INSTRUCTIONS, version=snac_pack.__version__, lifespan=configure_kedro)
    runs = PipelineRuns(project)
    reading = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=reading)
    def list_environments() -> dict[str, Any]:
        """The project's environments (folders of conf/): task, metric, data source, objectives, study name, and whether their parameters are valid."""
        listed = []
        for name in project.environments():
            try:
                listed.append(project.summary(name))
            except ArgumentError as error:
                listed.append({"name": name, "valid": False, "problems": str(error)})
        return {"project": str(project.root), "default": project.default_environment, "environments": listed}

    @server.tool(annotations=reading)
    def describe_dataset(
        path: Annotated[
            str | None, Field(description="a CSV, Parquet, .npy or .npz file inside the project, relative to its root (e.g. data/01_raw/my/table.csv)")
        ] = None,
        environment: Annotated[str | None, Field(description="instead of path: describe the files this environment's catalog reads (raw_sources)")] = None,
        label_column: Annotated[str | None, Field(description="with path to a table: the class column; guessed when left out")] = None,
    ) -> dict[str, Any]:
        """Shape, classes and a per-column (or per-array) summary of a data file, and whether a run of the tabular task could read a table as it stands."""
        if (path is None) == (environment is None):
            raise ArgumentError("path", "give either path (a file) or environment (the files it is configured to read)")
        if path is not None:
            return describe_file(project.inside(path, "path", [project.root]), path, label_column)
        if label_column is not None:
            raise ArgumentError("label_column", "goes with path; an environment names its label in data_processing.features")
        environment = project.environment(environment)
        params = project.parameters(environment)
        with project.context(environment) as context:
            project.check_catalog(context, environment)
            declared = context.catalog.load("raw_sources")
        data = params.data_processing
        described = {
            "environment": environment,
            "task": params.task.name,
            "source": data.source,
            "files": describe_sources(
                {key: project.root / path for key, path in declared.items()},
                data.features,
                data.source,
                {key: str(path) for key, path in declared.items()},
            ),
        }
        if data.source == "simulator":
            described["simulation"] = {"n_examples": data.simulation.n_examples, "seed": data.simulation.seed}
        return described

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False))
    def propose_configuration(
        name: Annotated[str, Field(description="the new environment's name: conf/<name>/ (letters, digits, '_', '-')")],
        table: Annotated[str, Field(description="the CSV or Parquet table under data/, relative to the project root")],
        label_column: Annotated[str | None, Field(description="the class column; guessed when left out")] = None,
        feature_columns: Annotated[
            list[str] | None, Field(description="the numeric feature columns, in order; left out: every column but the label")
        ] = None,
        objectives: Annotated[
            dict[str, Literal["minimize", "maximize"]] | None,
            Field(
                description="figure -> direction; default {accuracy: maximize, lut: minimize}; "
                f"figures: {', '.join(available_figures('accuracy'))}"
            ),
        ] = None,
        overrides: Annotated[
            dict[str, Any] | None,
            Field(description="parameters set over the proposal, dotted or nested, e.g. {'global_search.n_trials': 100}"),
        ] = None,
        write: Annotated[bool, Field(description="write conf/<name>/parameters.yml and catalog.yml; false: only propose")] = False,
        overwrite: Annotated[bool, Field(description="with write: replace an existing environment's two files")] = False,
    ) -> dict[str, Any]:
        """A new environment for a table (task tabular): data source, metric, search space and objectives sized to the data, hardware target; validated as a run validates its parameters, written only when write is true."""
        return propose(project, name, table, label_column, feature_columns, objectives, overrides, write, overwrite)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False))
    async def run_pipeline(
        environment: Annotated[str, Field(description="the environment to run (see list_environments)")],
        ctx: Context,
        pipeline: Annotated[
            str | None,
            Field(description="data_processing, surrogate_training, global_search, local_compression, firmware or run_report; null: all, in that order"),
        ] = None,
        params: Annotated[
            dict[str, Any] | None,
            Field(description="runtime parameters, as kedro run --params: dotted or nested, e.g. {'global_search.n_trials': 200}"),
        ] = None,
    ) -> dict[str, Any]:
        """Run a pipeline (or all) in an environment through KedroSession, sending progress notifications; returns the run's key outputs (data report, surrogate metrics, search statistics and front, compression summary, firmware report)."""
        return await runs.run(environment, pipeline, params or {}, ctx.report_progress)

    @server.tool(annotations=reading)
    def study_status(environment: Annotated[str, Field(description="the environment whose global-search study to read")]) -> dict[str, Any]:
        """The global search's study of an environment, running or finished: trials by state, whether it reached the environment's n_trials, the best value of each objective, the Pareto front with the source of each hardware figure (figure_sources), and this server's run in progress."""
        return {**outputs.study_status(project, project.environment(environment)), "run_in_progress": runs.current}

    @server.tool(annotations=reading)
    def get_results(
        environment: Annotated[str, Field(description="the environment whose results to read")],
        results: Annotated[list[ResultName] | None, Field(description=f"which of {list(outputs.RESULTS)}; null: all")] = None,
    ) -> dict[str, Any]:
        """The latest Pareto front (global_search), compression summary (local_compression) and firmware report (firmware) of an environment; one not produced yet says which pipeline makes it."""
        return outputs.get_results(project, project.environment(environment), results or list(outputs.RESULTS))

    return server

