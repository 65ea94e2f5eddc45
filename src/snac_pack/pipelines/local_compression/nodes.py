"""Nodes of the local_compression pipeline: thin calls into ``snac_pack.compression``."""

from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from snac_pack.compression.comparison import compare_picks_with_baselines, compare_with_baselines
from snac_pack.compression.evaluate import exact_costs, history_table
from snac_pack.compression.loop import CompressionJob, CompressionPoint, compress_at_each
from snac_pack.compression.saved import CompressedModel
from snac_pack.compression.selection import picks_against_baselines, select_points
from snac_pack.compression.settings import PruningSchedule, QuantizationPoint, searched_run
from snac_pack.config import LocalCompressionParams, TaskParams
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.ground_truth import GroundTruthStore
from snac_pack.hardware.surrogate import Surrogate
from snac_pack.models.mlp import task_metric
from snac_pack.reporting.compression_report import compression_plot, compression_summary
from snac_pack.search.space import SearchSpace, suggest_candidate

if TYPE_CHECKING:
    import plotly.graph_objects as go

logger = logging.getLogger(__name__)


#: Suffix of the compression job of a candidate at its searched precision (``trial_12_searched``).
SEARCHED_SUFFIX = "_searched"


def _jobs(
    search_candidates: list[dict[str, Any]], space: SearchSpace, params: LocalCompressionParams
) -> list[tuple[CompressionJob, list[tuple[QuantizationPoint, PruningSchedule]]]]:
    """Each network to compress with its runs (precision, pruning schedule): baselines first, then the search's candidates.

    Candidates are rebuilt from their trial parameters and compressed at every configured
    precision. A candidate of a quantization-aware trial is also compressed, as its own network
    ``trial_<n>_searched``, at the per-layer bits its trial drew, pruned in ``pruning.iterations``
    steps to the sparsity it drew (``searched_precision``; float trials drew neither).
    """
    import optuna

    configured = [(point, params.pruning) for point in params.precisions]
    jobs = [(CompressionJob(baseline.name, "baseline", baseline.candidate()), configured) for baseline in params.baselines]
    for record in search_candidates:
        trial = optuna.trial.FixedTrial(record["params"])
        candidate = suggest_candidate(space, trial)
        name = f"trial_{record['trial']}"
        jobs.append((CompressionJob(name, "candidate", candidate), configured))
        if params.searched_precision and record.get("mode", "float") == "quantization_aware":
            jobs.append((CompressionJob(name + SEARCHED_SUFFIX, "candidate", candidate), [searched_run(space, trial, candidate, params.pruning)]))
    return jobs


def compress_networks(
    search_candidates: list[dict[str, Any]],
    model_input_train: dict[str, np.ndarray],
    model_input_val: dict[str, np.ndarray],
    task: dict[str, Any],
    search_space: dict[str, Any],
    hardware_target: dict[str, Any],
    local_compression: dict[str, Any],
) -> list[CompressionPoint]:
    """Warm up and prune every candidate and baseline at every configured precision (and searched ones, see :func:`_jobs`).

    Returns:
        Every network × precision × iteration, with its weights.
    """
    params = LocalCompressionParams.model_validate(local_compression)
    space = SearchSpace.model_validate(search_space)
    metric = TaskParams.model_validate(task).metric
    target = ImplementationTarget.model_validate(hardware_target)
    train, val = FeatureTable.from_arrays(model_input_train), FeatureTable.from_arrays(model_input_val)
    input_format = params.input_format(space)
    points: list[CompressionPoint] = []
    jobs = _jobs(search_candidates, space, params)
    searched = len(jobs) - len(params.baselines) - len(search_candidates)
    logger.info("Compressing %d networks at %d precisions, %d pruning iterations each%s", len(jobs) - searched,
                len(params.precisions), params.pruning.iterations, f"; {searched} at their searched precision" if searched else "")
    for job, runs in jobs:
        points += compress_at_each(job, runs, input_format, params.warmup, train, val, metric, target, params.seed)
    return points


def cost_compression(
    compression_points: list[CompressionPoint],
    surrogate: Surrogate,
    ground_truth_store: dict[str, Path],
    hardware_target: dict[str, Any],
    local_compression: dict[str, Any],
) -> pd.DataFrame:
    """Exact (da4ml) and surrogate figures of every point: the compression history.

    The exact costs join the persistent ground-truth table (trained weights), so they are
    computed once and the next surrogate_training sees them.
    """
    params = LocalCompressionParams.model_validate(local_compression)
    surrogate.check_target(ImplementationTarget.model_validate(hardware_target))
    store = GroundTruthStore(Path(ground_truth_store["table"]))
    exact = exact_costs(compression_points, store, params.n_workers or os.cpu_count() or 1)
    return history_table(compression_points, exact, surrogate)


def select_compressed(
    compression_history: pd.DataFrame,
    compression_points: list[CompressionPoint],
    model_input_test: dict[str, np.ndarray],
    surrogate_metrics: dict[str, Any],
    task: dict[str, Any],
    search_space: dict[str, Any],
    local_compression: dict[str, Any],
) -> tuple[dict[str, CompressedModel], dict[str, Any]]:
    """The selected point of every network, stored for reloading, and the side-by-side summary.

    The summary adds each selected network's metric on the test split (never used to choose),
    every candidate's difference to every baseline there (paired bootstrap interval), the points
    chosen on validation against each baseline (the cheapest at its metric, the best at its
    cost) judged the same way, and names the source of every hardware figure (the surrogate's
    with its measured error).
    """
    params = LocalCompressionParams.model_validate(local_compression)
    metric = TaskParams.model_validate(task).metric
    input_format = params.input_format(SearchSpace.model_validate(search_space))
    test = FeatureTable.from_arrays(model_input_test)
    selected = select_points(compression_history, params.selection)
    by_key = {(p.job.name, p.point.name(), p.iteration): p for p in compression_points}
    models, test_metrics, test_predictions = {}, [], {}
    for _, row in selected.iterrows():
        point = by_key[(row["model"], row["precision"], int(row["iteration"]))]
        model = CompressedModel.from_point(point, input_format)
        models[model.name] = model
        test_predictions[model.name] = model.predict_classes(test)
        test_metrics.append(task_metric(metric, test.y, test_predictions[model.name]))
        logger.info(
            "%s: selected %s iteration %d (sparsity %.2f): validation %s %.4f, da4ml LUT estimate %.0f",
            model.name, row["precision"], row["iteration"], row["sparsity"], metric, row["val_metric"], row["exact_lut"],
        )
    selected["test_metric"] = test_metrics
    score = partial(task_metric, metric)
    comparisons = compare_with_baselines(selected, test.y, test_predictions, score, params.comparison)
    picks = picks_against_baselines(compression_history, selected, params.selection.tolerance)
    picked = [
        CompressedModel.from_point(by_key[(row["model"], row["precision"], int(row["iteration"]))], input_format).predict_classes(test)
        for _, row in picks.iterrows()
    ]
    pick_comparisons = compare_picks_with_baselines(picks, picked, test.y, test_predictions, score, params.comparison)
    for comparison in [*comparisons, *pick_comparisons]:
        logger.info(
            "%s against %s on the test split: %s %+.4f [%+.4f, %+.4f] (%s, paired bootstrap)", comparison.model,
            comparison.reference, metric, comparison.difference, comparison.low, comparison.high, comparison.verdict,
        )
    summary = compression_summary(selected, metric, params.selection.model_dump(), surrogate_metrics, comparisons, picks, pick_comparisons)
    return models, summary


def plot_compression(compression_history: pd.DataFrame, task: dict[str, Any]) -> go.Figure:
    """Validation metric against da4ml's LUT estimate per network and precision, fronts highlighted."""
    return compression_plot(compression_history, TaskParams.model_validate(task).metric)
