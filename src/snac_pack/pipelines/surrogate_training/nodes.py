"""Nodes of the surrogate_training pipeline: thin calls into ``snac_pack.hardware`` and ``snac_pack.search``."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from snac_pack.config import SurrogateTrainingParams
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.ground_truth import (
    DesignRequest,
    GroundTruthStore,
    architecture_of,
    extend_ground_truth,
    is_held_out,
    rows_for,
)
from snac_pack.hardware.surrogate import Surrogate, evaluate_surrogate, fit_surrogate
from snac_pack.models.mlp import TrainingSettings
from snac_pack.reporting.surrogate_report import parity_figure, tool_agreement
from snac_pack.search.sampling import random_weight_designs, trained_weight_designs
from snac_pack.search.space import SearchSpace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)


def _store(ground_truth_store: dict[str, Path]) -> GroundTruthStore:
    return GroundTruthStore(Path(ground_truth_store["table"]))


def _workers(params: SurrogateTrainingParams) -> int:
    return params.n_workers or os.cpu_count() or 1


def plan_random_designs(
    search_space: dict[str, Any], hardware_target: dict[str, Any], surrogate_training: dict[str, Any], model_input_train: dict[str, np.ndarray]
) -> list[DesignRequest]:
    """Architectures from the search space with random quantized weights, sized to the task's inputs."""
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    train = FeatureTable.from_arrays(model_input_train)
    return random_weight_designs(
        SearchSpace.model_validate(search_space),
        params.n_random_designs,
        n_features=train.x.shape[1],
        n_classes=len(train.class_names),
        target=ImplementationTarget.model_validate(hardware_target),
        seed=params.seed,
    )


def plan_trained_designs(
    ground_truth_store: dict[str, Path],
    search_space: dict[str, Any],
    hardware_target: dict[str, Any],
    surrogate_training: dict[str, Any],
    model_input_train: dict[str, np.ndarray],
    model_input_val: dict[str, np.ndarray],
) -> list[DesignRequest]:
    """Architectures from the search space trained on the task's data, then pruned and quantized.

    Networks whose exact cost is already in the ground-truth table are not trained again.
    """
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    return trained_weight_designs(
        SearchSpace.model_validate(search_space),
        params.n_trained_designs,
        FeatureTable.from_arrays(model_input_train),
        FeatureTable.from_arrays(model_input_val),
        ImplementationTarget.model_validate(hardware_target),
        TrainingSettings(epochs=params.trained_epochs),
        seed=params.seed,
        already_costed=_store(ground_truth_store).done("da4ml"),
    )


def compute_exact_costs(
    ground_truth_store: dict[str, Path],
    random_designs: list[DesignRequest],
    trained_designs: list[DesignRequest],
    surrogate_training: dict[str, Any],
) -> pd.DataFrame:
    """da4ml's exact cost of every planned design not yet in the store; returns the whole store."""
    store = _store(ground_truth_store)
    extend_ground_truth(store, [*random_designs, *trained_designs], "da4ml", _workers(SurrogateTrainingParams.model_validate(surrogate_training)))
    return store.table()


def synthesize_subsample(
    ground_truth_store: dict[str, Path], random_designs: list[DesignRequest], surrogate_training: dict[str, Any], exact_ground_truth: pd.DataFrame
) -> pd.DataFrame:
    """Yosys synthesis of the ``yosys_designs`` smallest random designs (after their exact costs).

    The smallest by BOPs: Yosys needs minutes and gigabytes per medium design, so the
    subsample is bounded by cost rather than drawn at random.

    Returns:
        The whole ground-truth table.
    """
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    store = _store(ground_truth_store)
    smallest = sorted(random_designs, key=lambda design: design.arch.bops())[: params.yosys_designs]
    extend_ground_truth(store, smallest, "yosys", _workers(params), params.yosys_timeout_s)
    return store.table()


def train_surrogate(
    ground_truth: pd.DataFrame, search_space: dict[str, Any], hardware_target: dict[str, Any], surrogate_training: dict[str, Any]
) -> Surrogate:
    """Fit the surrogate on the training side of every random-weight row of the configured target and sources."""
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    target = ImplementationTarget.model_validate(hardware_target)
    max_layers = SearchSpace.model_validate(search_space).hidden_layers.high + 1
    rows = rows_for(ground_truth, target, params.train_sources, "random", max_layers)
    training = rows[[not is_held_out(d, params.holdout_fraction) for d in rows["design_id"]]]
    if len(training) < 10:
        raise ValueError(
            f"only {len(training)} ground-truth rows to train the surrogate for {target.model_dump()}; "
            "raise surrogate_training.n_random_designs (at least 10 after the hold-out)"
        )
    archs = [architecture_of(row) for _, row in training.iterrows()]
    return fit_surrogate(training, archs, max_layers=max_layers, seed=params.seed)


def evaluate_surrogate_accuracy(
    surrogate: Surrogate,
    ground_truth: pd.DataFrame,
    random_weight_designs: list[DesignRequest],
    trained_weight_designs: list[DesignRequest],
    surrogate_training: dict[str, Any],
) -> tuple[dict[str, Any], Figure]:
    """Surrogate accuracy on this run's designs: held-out random ones, trained networks, Yosys.

    The surrogate learns from every row of its target in the table (which may hold other
    tasks' designs); it is judged on the designs of the configured search space only.

    Returns:
        ``surrogate_metrics`` (JSON-ready) and the parity plot.
    """
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    target = surrogate.target
    planned = {design.design_id() for design in [*random_weight_designs, *trained_weight_designs]}
    table = ground_truth[ground_truth["design_id"].isin(planned)] if not ground_truth.empty else ground_truth
    random_rows = rows_for(table, target, surrogate.sources, "random", surrogate.max_layers)
    held_out = random_rows[[is_held_out(d, params.holdout_fraction) for d in random_rows["design_id"]]].reset_index(drop=True)
    trained = rows_for(table, target, surrogate.sources, "trained", surrogate.max_layers)
    yosys = rows_for(table, target, ("yosys",), "random", surrogate.max_layers)

    metrics: dict[str, Any] = {
        "target": target.model_dump(),
        "sources": list(surrogate.sources),
        "n_training_rows": surrogate.n_training_rows,
    }
    panels = {}
    for label, rows in (("held_out_random_weights", held_out), ("trained_weights", trained), ("yosys", yosys)):
        if rows.empty:
            metrics[label] = {"n": 0}
            continue
        archs = [architecture_of(row) for _, row in rows.iterrows()]
        metrics[label] = evaluate_surrogate(surrogate, rows, archs)
        panels[label.replace("_", " ")] = (rows, surrogate.predict(archs))
    exact = random_rows.set_index("design_id")[["lut", "ff"]]
    pairs = yosys.set_index("design_id")[["lut", "ff"]].join(exact, lsuffix="_yosys", rsuffix="_da4ml", how="inner")
    metrics["yosys_vs_da4ml"] = tool_agreement(pairs)
    for label in ("held_out_random_weights", "trained_weights"):
        figures = metrics[label]
        if "lut" in figures:
            logger.info(
                "Surrogate on %s: LUT R2 %.4f, median rel. error %.2f%%; FF R2 %.4f; latency within 1 cycle %.0f%%",
                label, figures["lut"].get("r2", float("nan")), 100 * figures["lut"]["median_rel_error"],
                figures["ff"].get("r2", float("nan")), 100 * figures["latency_cycles"]["within_one_cycle"],
            )
    return metrics, parity_figure(panels)
