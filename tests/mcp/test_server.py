"""The MCP server over stdio, driven by the SDK's own client as an assistant would drive it.

One session takes a new table from description to a searched study; another sends bad
arguments and checks that each comes back as an error naming the argument, with nothing
written outside the project's ``conf/`` and ``data/``.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

#: The documented command, installed into the virtual environment by `pip install -e .`.
SERVER_COMMAND = Path(sys.executable).with_name("snac-pack-mcp")
TOOLS = {"list_environments", "describe_dataset", "propose_configuration", "run_pipeline", "study_status", "get_results"}
TABLE = "data/01_raw/events/events.csv"
FEATURES = [f"f{index}" for index in range(6)]
CLASSES = ["kaon", "muon", "pion"]
# Tiny settings (the sizes of conf/test, smaller still): the proposal is written with them.
TINY = {
    "search_space.hidden_layers": {"low": 1, "high": 1},
    "search_space.units": [4, 8],
    "search_space.batch_norm": [False],
    "surrogate_training": {"n_random_designs": 24, "n_trained_designs": 0, "yosys_designs": 0, "n_workers": 1},
    "global_search": {
        "n_trials": 4,
        "n_workers": 1,
        "training": {"epochs": 1},
        "sampler": {"population_size": 2},
        "heartbeat_interval_s": 5,
        "grace_period_s": 15,
        "progress_interval_s": 5,
    },
}

Progress = list[tuple[float, float | None, str | None]]


@asynccontextmanager
async def serve(project: Path) -> AsyncIterator[Client]:
    """A client connected to the server of ``project``; the server's log goes to ``server.log`` beside it."""
    with (project.parent / "server.log").open("w") as log:
        parameters = StdioServerParameters(command=str(SERVER_COMMAND), args=["--project", str(project)])
        async with Client(stdio_client(parameters, errlog=log)) as client:
            yield client


async def call(client: Client, tool: str, arguments: dict[str, Any], progress: Progress | None = None) -> dict[str, Any]:
    """The structured result of a tool call that must succeed."""

    async def record(done: float, total: float | None, message: str | None) -> None:
        assert progress is not None
        progress.append((done, total, message))

    result = await client.call_tool(tool, arguments, progress_callback=record if progress is not None else None)
    assert not result.is_error, result.content[0].text
    assert result.structured_content is not None
    return result.structured_content


async def refused(client: Client, tool: str, arguments: dict[str, Any], argument: str) -> str:
    """The error text of a tool call that must fail cleanly, naming ``argument``.

    The server's own checks start with ``argument '<name>':``; the SDK's schema check (a wrong
    type, a value outside an enum) names the argument on a line of its own.
    """
    result = await client.call_tool(tool, arguments)
    assert result.is_error, f"{tool}({arguments}) succeeded"
    text = result.content[0].text
    assert f"argument '{argument}':" in text or re.search(rf"^{argument}(\.\d+)?$", text, re.MULTILINE), text
    assert "Traceback" not in text
    return text


def _write_table(path: Path) -> None:
    """Three classes, six numeric features and an identifier column that is not a feature."""
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=600, n_features=6, n_informative=4, n_redundant=1, n_classes=3, class_sep=1.5, random_state=0)
    table = pd.DataFrame(x, columns=FEATURES).assign(event_id=[f"event-{index:04d}" for index in range(len(y))], kind=np.asarray(CLASSES)[y])
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)


@pytest.mark.slow
@pytest.mark.anyio
async def test_an_assistant_takes_a_new_table_to_a_searched_study(project_copy: Path) -> None:
    _write_table(project_copy / TABLE)
    top_level = sorted(path.name for path in project_copy.iterdir())
    async with serve(project_copy) as client:
        assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS

        listed = await call(client, "list_environments", {})
        assert listed["default"] == "jet"
        assert {"example_tabular", "jet", "qubit", "test"} <= {env["name"] for env in listed["environments"]}

        described = await call(client, "describe_dataset", {"path": TABLE})
        assert described["rows"] == 600 and described["label_column"] == "kind" and described["label_source"] == "guessed"
        assert list(described["classes"]) == CLASSES and sum(described["classes"].values()) == 600
        assert described["feature_columns"] == FEATURES and described["non_numeric_columns"] == ["event_id"]
        assert described["ready"] and described["class_names"] == CLASSES

        arguments = {"name": "events", "table": TABLE, "feature_columns": described["feature_columns"], "overrides": TINY}
        proposed = await call(client, "propose_configuration", arguments)
        assert not proposed["written"] and not (project_copy / "conf/events").exists()
        data = proposed["data"]
        assert {key: data[key] for key in ("table", "rows", "n_features", "classes", "label_column", "label_source")} == {
            "table": TABLE, "rows": 600, "n_features": 6, "classes": CLASSES, "label_column": "kind", "label_source": "guessed"
        }
        # The features were named: the id is flagged, not left out by the proposal.
        assert data["left_out_of_features"] == {} and list(data["flagged_columns"]) == ["event_id"]
        written = await call(client, "propose_configuration", {**arguments, "write": True})
        assert written["written"] and written["files"] == proposed["files"]
        parameters = yaml.safe_load((project_copy / "conf/events/parameters.yml").read_text())
        assert parameters["task"] == {"name": "tabular", "metric": "accuracy"}
        assert parameters["data_processing"]["features"] == {"kind": "tabular", "label_column": "kind", "feature_columns": FEATURES}
        assert parameters["global_search"]["objectives"] == {"accuracy": "maximize", "lut": "minimize"}
        assert parameters["global_search"]["n_trials"] == 4 and parameters["hardware_target"]["part"]
        catalog = yaml.safe_load((project_copy / "conf/events/catalog.yml").read_text())
        assert catalog["raw_sources"]["paths"]["table"] == TABLE and catalog["global_search_study"]["study_name"] == "events_mlp"
        events = next(env for env in (await call(client, "list_environments", {}))["environments"] if env["name"] == "events")
        assert events["valid"] and events["task"] == "tabular"

        progress: Progress = []
        run = await call(client, "run_pipeline", {"environment": "events", "pipeline": "data_processing"}, progress)
        report = run["outputs"]["data_report"]
        assert report["available"] and report["content"]["n_examples"] == 600 and report["content"]["n_features"] == 6
        assert run["nodes_completed"] == progress[-1][1] == 7
        assert any(message == "running node split_examples_node" for _, _, message in progress)

        await call(client, "run_pipeline", {"environment": "events", "pipeline": "surrogate_training"})
        progress = []
        search = {"environment": "events", "pipeline": "global_search", "params": {"global_search.n_trials": 2}}
        run = await call(client, "run_pipeline", search, progress)
        assert run["params"] == {"global_search": {"n_trials": 2}}
        assert run["outputs"]["search_statistics"]["content"]["trials_by_state"] == {"COMPLETE": 2}
        front = run["outputs"]["pareto_front"]["rows"]
        assert front and {"number", "accuracy", "lut", "attr_architecture"} <= set(front[0])
        assert run["outputs"]["pareto_front"]["figure_sources"]["lut"].startswith("LUT (surrogate, ")
        assert progress and all(total == 6 for _, total, _ in progress)  # the nodes of global_search

        status = await call(client, "study_status", {"environment": "events"})
        assert status["exists"] and status["study_name"] == "events_mlp" and status["objectives"] == {"accuracy": "maximize", "lut": "minimize"}
        assert status["complete"] == 2 and status["n_trials_wanted"] == 4 and not status["finished"]
        assert status["pareto_front_size"] == len(front) and set(status["best"]) == {"accuracy", "lut"}
        assert status["figure_sources"] == run["outputs"]["pareto_front"]["figure_sources"]
        assert status["run_in_progress"] is None

        results = await call(client, "get_results", {"environment": "events"})
        assert results["pareto_front"]["rows"] == front
        assert not results["compression_summary"]["available"] and "local_compression" in results["compression_summary"]["message"]
        assert not results["firmware_report"]["available"] and "firmware" in results["firmware_report"]["message"]

    # Runs wrote under data/ only: no session store, log file or other folder beside it.
    assert sorted(path.name for path in project_copy.iterdir()) == top_level and not any((project_copy / "src").iterdir())


@pytest.mark.anyio
async def test_bad_arguments_come_back_as_errors_naming_the_argument(project_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    _write_table(outside / "table.csv")
    _write_table(project_copy / TABLE)
    (project_copy / "data/01_raw/linked.csv").symlink_to(outside / "table.csv")
    (project_copy / "data/elsewhere").symlink_to(outside)
    (project_copy / "conf/linked").symlink_to(outside)
    # A valid environment whose catalog would write the Pareto front through a link out of data/.
    escape = project_copy / "conf/escape"
    escape.mkdir()
    shutil.copy(project_copy / "conf/test/parameters.yml", escape / "parameters.yml")
    (escape / "catalog.yml").write_text(
        (project_copy / "conf/test/catalog.yml").read_text()
        + "\npareto_front:\n  type: pandas.ParquetDataset\n  filepath: data/elsewhere/pareto_front.parquet\n"
    )
    proposal = {"name": "events", "table": TABLE, "feature_columns": FEATURES}

    async with serve(project_copy) as client:
        await refused(client, "describe_dataset", {"path": str(outside / "table.csv")}, "path")
        await refused(client, "describe_dataset", {"path": "../outside/table.csv"}, "path")
        await refused(client, "describe_dataset", {"path": "data/01_raw/linked.csv"}, "path")
        await refused(client, "describe_dataset", {"path": 3}, "path")
        await refused(client, "describe_dataset", {}, "path")
        await refused(client, "describe_dataset", {"path": TABLE, "label_column": "energy"}, "label_column")
        await refused(client, "describe_dataset", {"environment": "nope"}, "environment")

        await refused(client, "propose_configuration", {**proposal, "table": "data/01_raw/linked.csv"}, "table")
        await refused(client, "propose_configuration", {**proposal, "name": "../escaped"}, "name")
        await refused(client, "propose_configuration", {**proposal, "name": "linked", "write": True}, "name")
        await refused(client, "propose_configuration", {**proposal, "name": "test", "write": True}, "name")
        await refused(client, "propose_configuration", {**proposal, "label_column": "energy"}, "label_column")
        await refused(client, "propose_configuration", {**proposal, "feature_columns": ["f0", "event_id"]}, "feature_columns")
        text = await refused(client, "propose_configuration", {**proposal, "objectives": {"accuracy": "maximize", "luts": "minimize"}}, "objectives")
        assert "unknown figure(s) ['luts']" in text
        text = await refused(client, "propose_configuration", {**proposal, "overrides": {"global_search.n_trials": 0}}, "overrides")
        assert "global_search.n_trials" in text

        await refused(client, "run_pipeline", {"environment": "nope"}, "environment")
        await refused(client, "run_pipeline", {"environment": "test", "pipeline": "everything"}, "pipeline")
        text = await refused(client, "run_pipeline", {"environment": "test", "params": {"global_search.n_trials": 0}}, "params")
        assert "global_search.n_trials" in text
        text = await refused(client, "run_pipeline", {"environment": "escape", "pipeline": "global_search"}, "environment")
        assert "pareto_front" in text and "outside data/" in text
        await refused(client, "study_status", {"environment": "nope"}, "environment")
        await refused(client, "get_results", {"environment": "escape"}, "environment")
        await refused(client, "get_results", {"environment": "test", "results": ["trials"]}, "results")

        status = await call(client, "study_status", {"environment": "test"})
        assert not status["exists"] and "global_search" in status["message"]

    assert [path.name for path in outside.iterdir()] == ["table.csv"]
    assert not (project_copy / "conf/events").exists() and not (project_copy / "conf/escaped").exists()


FLAWED_TABLE = "data/01_raw/flawed/flawed.csv"


def _write_flawed_table(path: Path) -> None:
    """Two informative features, a row number, a constant, a column with gaps and a 1:50 label."""
    rng = np.random.default_rng(0)
    rows = 1020
    label = np.array(["signal"] * 20 + ["background"] * 1000)
    energy = rng.normal(size=rows) + 3.0 * (label == "signal")
    table = pd.DataFrame({
        "row_number": np.arange(rows),
        "energy": energy,
        "mass": rng.normal(size=rows),
        "run_period": np.full(rows, 7),
        "timing": np.where(rng.random(rows) < 0.05, np.nan, rng.normal(size=rows)),
        "label": label,
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    table.sample(frac=1.0, random_state=1).sort_values("row_number").to_csv(path, index=False)


@pytest.mark.anyio
async def test_describe_and_propose_flag_identifiers_constants_gaps_and_imbalance(project_copy: Path) -> None:
    _write_flawed_table(project_copy / FLAWED_TABLE)
    async with serve(project_copy) as client:
        described = await call(client, "describe_dataset", {"path": FLAWED_TABLE})
        flags = described["flagged_columns"]
        assert list(flags) == ["row_number", "run_period", "timing"]
        assert flags["row_number"].startswith("identifier-like") and flags["run_period"].startswith("constant")
        assert flags["timing"].startswith("missing values: ") and "of 1020 rows" in flags["timing"]
        assert described["feature_columns"] == ["energy", "mass"]
        balance = described["label_balance"]
        assert balance["heavily_imbalanced"] and balance["ratio"] == 50.0 and balance["smallest_class"] == "signal"

        proposed = await call(client, "propose_configuration", {"name": "flawed", "table": FLAWED_TABLE, "overrides": TINY})
    assert list(proposed["data"]["left_out_of_features"]) == ["row_number", "run_period", "timing"]
    assert proposed["data"]["n_features"] == 2
    text = proposed["files"]["conf/flawed/parameters.yml"]
    assert "# Left out of the features: 'row_number', identifier-like" in text
    assert "# Left out of the features: 'run_period', constant" in text
    assert "# Left out of the features: 'timing', missing values" in text
    assert "outnumbers the smallest 50:1" in text
    assert yaml.safe_load(text)["data_processing"]["features"]["feature_columns"] == ["energy", "mass"]
