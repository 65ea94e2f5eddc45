"""What a study and a run have produced: the study's trials and front, and the latest reports.

Every hardware figure comes with its source: trial rows with ``figure_sources`` (the estimator
of the trials, the surrogate's measured error from the latest ``surrogate_metrics``), the
compression summary and the firmware report with their own ``sources``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
from kedro.io import AbstractVersionedDataset
from mcp.server.mcpserver.exceptions import ToolError

from snac_pack.mcp_server.project import Project
from snac_pack.reporting.search_report import figure_sources
from snac_pack.search.study import (
    StorageUnavailableError,
    objective_names,
    open_study,
    pareto_front,
    redact_url,
    storage_file_path,
    trials_table,
)

#: The results ``get_results`` returns, with the pipeline that produces each.
RESULTS = {"pareto_front": "global_search", "compression_summary": "local_compression", "firmware_report": "firmware"}
#: Bookkeeping columns of a trials table left out of the rows shown.
_HIDDEN_TRIAL_COLUMNS = ("state", "datetime_start", "datetime_complete", "duration_s", "worker")
#: The trial attributes shown (``attr_<name>``): the network and its estimated hardware.
_SHOWN_ATTRIBUTES = ("architecture", "estimator", "bops", "lut", "ff", "dsp", "bram_18k", "latency_cycles")


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a trials table as JSON-ready dicts (missing values as null): number, objectives,
    parameters, constraints and the network's estimated hardware."""
    shown = [
        name
        for name in table.columns
        if name.removeprefix("attr_") in _SHOWN_ATTRIBUTES or not (name.startswith("attr_") or name in _HIDDEN_TRIAL_COLUMNS)
    ]
    return json.loads(table[shown].to_json(orient="records", date_format="iso"))


def trial_rows(table: pd.DataFrame, surrogate_metrics: dict[str, Any]) -> dict[str, Any]:
    """The rows of a trials table (:func:`records`) and the source of each hardware figure in them.

    Returns:
        ``rows`` and ``figure_sources``: figure → label (an objective ``lut`` and the attribute
        ``attr_lut`` alike), e.g. "LUT (surrogate, held-out median error 2.5 %, n=40)".
    """
    return {"rows": records(table), "figure_sources": figure_sources(table, surrogate_metrics)}


def _surrogate_metrics(catalog: Any) -> dict[str, Any]:
    """The latest ``surrogate_metrics``, or none (surrogate figures then say their error is not measured)."""
    return catalog.load("surrogate_metrics") if catalog.exists("surrogate_metrics") else {}


def study_status(project: Project, environment: str) -> dict[str, Any]:
    """Trials done, the front's size and the best points of ``environment``'s study, running or finished,
    with the source of each hardware figure (``figure_sources``).

    Raises:
        ArgumentError: the environment is unknown or invalid.
        ToolError: the study's database cannot be opened.
    """
    n_trials = project.parameters(environment).global_search.n_trials
    with project.context(environment) as context:
        project.check_catalog(context, environment)
        location = context.catalog.load("global_search_study")
        surrogate_metrics = _surrogate_metrics(context.catalog)
    status: dict[str, Any] = {
        "environment": environment,
        "study_name": location.study_name,
        "storage": redact_url(location.url),
        "n_trials_wanted": n_trials,
    }
    storage_file = storage_file_path(location.url)
    if storage_file is not None and not storage_file.exists():
        return {**status, "exists": False, "message": "no study yet: run the global_search pipeline"}
    try:
        study = open_study(location.url, location.study_name)
    except KeyError as error:
        return {**status, "exists": False, "message": str(error.args[0])}
    except StorageUnavailableError as error:
        raise ToolError(str(error)) from None
    table = trials_table(study)
    directions = dict(zip(objective_names(study), (d.name.lower() for d in study.directions), strict=True))
    complete = table[table["state"] == "COMPLETE"]
    running = int((table["state"] == "RUNNING").sum())
    front = pareto_front(study)
    best = {}
    for name, direction in directions.items():
        if not complete.empty:
            row = complete.loc[complete[name].idxmax() if direction == "maximize" else complete[name].idxmin()]
            best[name] = {"value": float(row[name]), "trial": int(row["number"])}
    return {
        **status,
        "exists": True,
        "objectives": directions,
        "trials_by_state": {str(state): int(count) for state, count in table["state"].value_counts().items()},
        "complete": len(complete),
        "running": running,
        "finished": len(complete) >= n_trials and running == 0,
        "last_completed": complete["datetime_complete"].max().isoformat() if not complete.empty else None,
        "best": best,
        "pareto_front_size": len(front),
        "pareto_front": records(front),
        "figure_sources": figure_sources(front, surrogate_metrics),
    }


def latest_outputs(project: Project, environment: str, names: Iterable[str]) -> dict[str, Any]:
    """The newest saved version of each catalog dataset in ``names``, summarised for an assistant.

    Returns:
        Per name: ``available``, the ``version`` loaded and the content (``rows`` of a table with
        its ``figure_sources``, the JSON itself, or a text file's ``path``); not yet produced:
        ``available: false``.
    """
    outputs: dict[str, Any] = {}
    with project.context(environment) as context:
        project.check_catalog(context, environment)
        catalog, config = context.catalog, context.config_loader["catalog"]
        surrogate_metrics = _surrogate_metrics(catalog)
        for name in names:
            if not catalog.exists(name):
                outputs[name] = {"available": False}
                continue
            dataset = catalog.get(name)
            version = dataset.resolve_load_version() if isinstance(dataset, AbstractVersionedDataset) else None
            content = _summary(name, catalog.load(name), config.get(name, {}), surrogate_metrics)
            outputs[name] = {"available": True, "version": version, **content}
    return outputs


def _summary(name: str, data: Any, config: dict[str, Any], surrogate_metrics: dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, pd.DataFrame):
        return trial_rows(data, surrogate_metrics)
    if isinstance(data, str):
        return {"path": config.get("filepath")}
    if name == "data_report":
        return {"content": {key: value for key, value in data.items() if key != "feature_summary"}}
    return {"content": data}


def get_results(project: Project, environment: str, results: Iterable[str]) -> dict[str, Any]:
    """The latest Pareto front, compression summary and firmware report of ``environment`` (those asked for).

    A result not produced yet says which pipeline produces it.
    """
    names = list(results)
    markdown = "firmware_report_markdown" if "firmware_report" in names else None
    outputs = latest_outputs(project, environment, names + ([markdown] if markdown else []))
    markdown_output = outputs.pop(markdown) if markdown else None
    for name, output in outputs.items():
        if not output["available"]:
            output["message"] = f"not produced yet in '{environment}': run the {RESULTS[name]} pipeline"
    if markdown_output and markdown_output["available"] and outputs["firmware_report"]["available"]:
        outputs["firmware_report"]["markdown"] = markdown_output["path"]
    return {"environment": environment, **outputs}
