"""Nodes of the global_search pipeline: thin calls into ``snac_pack.search``."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from snac_pack.config import GlobalSearchParams, LocalCompressionParams, TaskParams, trial_objective
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.surrogate import Surrogate
from snac_pack.reporting.search_report import pareto_plot, search_statistics
from snac_pack.search.baselines import measure_baselines
from snac_pack.search.pareto import front_of, select_candidates
from snac_pack.search.space import SearchSpace
from snac_pack.search.objective import TrialObjective
from snac_pack.search.study import StudyChangedError, StudyLocation, StudySpec, open_study, trials_table
from snac_pack.search.workers import require_complete, run_workers

if TYPE_CHECKING:
    import plotly.graph_objects as go

logger = logging.getLogger(__name__)


def _spec(location: StudyLocation, params: GlobalSearchParams, objective: TrialObjective) -> StudySpec:
    return StudySpec(
        study_name=location.study_name,
        directions=params.objectives,
        n_trials=params.n_trials,
        sampler=params.sampler,
        heartbeat_interval_s=params.heartbeat_interval_s,
        grace_period_s=params.grace_period_s,
        constraints=bool(params.budgets),
        made_under=objective.made_under(),
        accepted_changes=params.accept_study_changes,
    )


def _objective(
    surrogate: Surrogate,
    model_input_train: dict[str, np.ndarray],
    model_input_val: dict[str, np.ndarray],
    task: dict[str, Any],
    search_space: dict[str, Any],
    hardware_target: dict[str, Any],
    params: GlobalSearchParams,
    networks_dir: Path | None = None,
) -> TrialObjective:
    """The trials' objective; the surrogate must have been trained for the configured target."""
    target = ImplementationTarget.model_validate(hardware_target)
    surrogate.check_target(target)
    return trial_objective(
        TaskParams.model_validate(task),
        SearchSpace.model_validate(search_space),
        target,
        params,
        surrogate,
        FeatureTable.from_arrays(model_input_train),
        FeatureTable.from_arrays(model_input_val),
        cores=os.cpu_count() or 1,
        networks_dir=networks_dir,
    )


def measure_search_baselines(
    surrogate: Surrogate,
    model_input_train: dict[str, np.ndarray],
    model_input_val: dict[str, np.ndarray],
    task: dict[str, Any],
    search_space: dict[str, Any],
    hardware_target: dict[str, Any],
    global_search: dict[str, Any],
    local_compression: dict[str, Any],
) -> pd.DataFrame:
    """The baselines (``local_compression.baselines``) trained, scored and costed as the trials are.

    Returns:
        One row per baseline (:func:`snac_pack.search.baselines.measure_baselines`): the figures
        from the search's estimator and da4ml's exact ones; no rows without baselines.
    """
    baselines = LocalCompressionParams.model_validate(local_compression).baselines
    if not baselines:
        return pd.DataFrame({"baseline": pd.Series(dtype=str)})
    params = GlobalSearchParams.model_validate(global_search)
    objective = _objective(surrogate, model_input_train, model_input_val, task, search_space, hardware_target, params)
    return measure_baselines(objective, {baseline.name: baseline.candidate() for baseline in baselines})


def run_search(
    study: StudyLocation,
    surrogate: Surrogate,
    model_input_train: dict[str, np.ndarray],
    model_input_val: dict[str, np.ndarray],
    task: dict[str, Any],
    search_space: dict[str, Any],
    hardware_target: dict[str, Any],
    global_search: dict[str, Any],
    search_trial_networks: dict[str, Path],
) -> dict[str, Any]:
    """Run worker processes on the study until it has ``n_trials`` complete trials.

    Quantization-aware trials store their networks under ``search_trial_networks["directory"]``,
    in a folder named after the study.

    The surrogate must have been trained for the configured hardware target (the firmware's).
    An existing study made under other settings is refused before any trial starts, and a study
    that ends short of ``n_trials`` fails the run, unless ``allow_partial_study`` is set.

    Returns:
        What this run's workers did (JSON-ready), with ``partial`` true when the study is short.
    """
    params = GlobalSearchParams.model_validate(global_search)
    objective = _objective(
        surrogate, model_input_train, model_input_val, task, search_space, hardware_target, params,
        networks_dir=Path(search_trial_networks["directory"]) / study.study_name,
    )
    try:
        summary = run_workers(
            study.url,
            _spec(study, params, objective),
            objective,
            n_workers=params.n_workers,
            progress_interval_s=params.progress_interval_s,
            max_restarts=params.max_worker_restarts,
        )
    except StudyChangedError as error:
        raise StudyChangedError(
            f"{error} In this project: a new study is another study_name of global_search_study in "
            "conf/<env>/catalog.yml; accepting is global_search.accept_study_changes (a list of those names)."
        ) from None
    if params.allow_partial_study and not summary.reached_target:
        logger.warning("The study has %d of %d complete trials; going on because global_search.allow_partial_study "
                       "is set", summary.complete, summary.target)
    elif not params.allow_partial_study:
        require_complete(summary)
    record = json.loads(json.dumps(dataclasses.asdict(summary), default=str))
    return {**record, "partial": not summary.reached_target}


def collect_trials(study: StudyLocation, search_summary: dict[str, Any]) -> pd.DataFrame:
    """Every trial of the study (parameters, objectives, attributes, state, duration, worker).

    ``search_summary`` is not read: taking it orders this node after this run's workers.
    """
    return trials_table(open_study(study.url, study.study_name))


def extract_pareto_front(global_search_trials: pd.DataFrame, global_search: dict[str, Any]) -> pd.DataFrame:
    """The feasible, non-dominated complete trials."""
    params = GlobalSearchParams.model_validate(global_search)
    front = front_of(global_search_trials, params.objectives)
    logger.info("Pareto front: %d of %d trials", len(front), len(global_search_trials))
    return front


def choose_candidates(
    pareto_front: pd.DataFrame, search_baselines: pd.DataFrame, task: dict[str, Any], global_search: dict[str, Any]
) -> list[dict[str, Any]]:
    """The Pareto trials that go on to compression, by the configured rule.

    ``cheapest_at_baseline`` and ``around_baseline`` compare the front with the best of
    ``search_baselines`` (the baselines measured as the trials are).

    Returns:
        One record per candidate: trial number, selectors, how the trial trained (``mode``), searched
        parameters, architecture and figures.
    """
    params = GlobalSearchParams.model_validate(global_search)
    metric = TaskParams.model_validate(task).metric
    baseline_metric = float(search_baselines[metric].max()) if not search_baselines.empty else None
    chosen = select_candidates(
        pareto_front, f"attr_{metric}", f"attr_{params.candidates.cost}", params.candidates, baseline_metric
    )
    records = []
    for _, row in chosen.iterrows():
        records.append(
            {
                "trial": int(row["number"]),
                "selected_by": row["selected_by"].split(","),
                # How the trial trained: a quantization-aware trial's params hold its bits and sparsity.
                "mode": row["attr_mode"] if pd.notna(row.get("attr_mode")) else "float",
                "params": {k.removeprefix("param_"): _plain(v) for k, v in row.items() if k.startswith("param_") and pd.notna(v)},
                "architecture": row["attr_architecture"],
                "arch_json": row["attr_arch_json"],
                "figures": {k.removeprefix("attr_"): _plain(v) for k, v in row.items() if k.startswith("attr_") and isinstance(v, (int, float, np.number)) and pd.notna(v)},
            }
        )
        logger.info("Candidate trial %d (%s): %s", records[-1]["trial"], row["selected_by"], row["attr_architecture"])
    return records


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def report_search(
    global_search_trials: pd.DataFrame,
    pareto_front: pd.DataFrame,
    search_baselines: pd.DataFrame,
    search_summary: dict[str, Any],
    surrogate_metrics: dict[str, Any],
    task: dict[str, Any],
    global_search: dict[str, Any],
) -> tuple[go.Figure, dict[str, Any]]:
    """Pareto plot (task metric against each cost objective, baselines beside the front) and
    search statistics, figures named by source."""
    params = GlobalSearchParams.model_validate(global_search)
    metric = TaskParams.model_validate(task).metric
    costs = [name for name in params.objectives if name != metric]
    return (
        pareto_plot(global_search_trials, pareto_front, metric, costs, surrogate_metrics, search_baselines),
        search_statistics(global_search_trials, pareto_front, search_summary, surrogate_metrics, search_baselines),
    )
