"""Nodes of the surrogate_training pipeline: thin calls into ``snac_pack.hardware`` and ``snac_pack.search``."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from snac_pack.config import SurrogateTrainingParams, TaskParams
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.ground_truth import (
    SHIPPED_TABLE,
    DesignRequest,
    GroundTruthStore,
    architecture_of,
    extend_ground_truth,
    is_held_out,
    row_statistics,
    rows_for,
    split_rows,
)
from snac_pack.hardware.surrogate import (
    Surrogate,
    accuracy_by_family,
    accuracy_by_origin,
    accuracy_by_plan,
    evaluate_rows,
    fit_surrogate,
)
from snac_pack.models.mlp import TrainingSettings
from snac_pack.reporting.surrogate_report import parity_figure, tool_agreement
from snac_pack.search.sampling import random_weight_designs, trained_weight_designs
from snac_pack.search.space import SearchSpace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)


def _store(ground_truth_store: dict[str, Path], params: SurrogateTrainingParams) -> GroundTruthStore:
    return GroundTruthStore(Path(ground_truth_store["table"]), shipped=SHIPPED_TABLE if params.use_shipped_table else None)


def _workers(params: SurrogateTrainingParams) -> int:
    return params.n_workers or os.cpu_count() or 1


def plan_random_designs(
    search_space: dict[str, Any],
    hardware_target: dict[str, Any],
    surrogate_training: dict[str, Any],
    model_input_train: dict[str, np.ndarray],
    task: dict[str, Any],
) -> list[DesignRequest]:
    """Architectures from the search space with random quantized weights, sized to the task's inputs (rows tagged with the task)."""
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    train = FeatureTable.from_arrays(model_input_train)
    return random_weight_designs(
        SearchSpace.model_validate(search_space),
        params.n_random_designs,
        feature_names=train.feature_names,
        n_classes=len(train.class_names),
        target=ImplementationTarget.model_validate(hardware_target),
        seed=params.seed,
        plan=TaskParams.model_validate(task).name,
        max_built_weights=params.max_built_weights,
    )


def plan_trained_designs(
    ground_truth_store: dict[str, Path],
    search_space: dict[str, Any],
    hardware_target: dict[str, Any],
    surrogate_training: dict[str, Any],
    model_input_train: dict[str, np.ndarray],
    model_input_val: dict[str, np.ndarray],
    task: dict[str, Any],
) -> list[DesignRequest]:
    """Architectures from the search space trained on the task's data, then pruned and quantized (rows tagged with the task).

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
        already_costed=_store(ground_truth_store, params).done("da4ml"),
        plan=TaskParams.model_validate(task).name,
    )


def compute_exact_costs(
    ground_truth_store: dict[str, Path],
    random_designs: list[DesignRequest],
    trained_designs: list[DesignRequest],
    surrogate_training: dict[str, Any],
) -> pd.DataFrame:
    """da4ml's exact cost of every planned design not yet in the store; returns the whole store."""
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    store = _store(ground_truth_store, params)
    extend_ground_truth(store, [*random_designs, *trained_designs], "da4ml", _workers(params))
    return store.table()


def synthesize_subsample(
    ground_truth_store: dict[str, Path], random_designs: list[DesignRequest], surrogate_training: dict[str, Any], exact_ground_truth: pd.DataFrame
) -> pd.DataFrame:
    """Yosys synthesis of the ``yosys_designs`` smallest random designs (after their exact costs).

    The smallest by BOPs: Yosys needs minutes and gigabytes per medium design, so the
    subsample is bounded by cost rather than drawn at random. Unless the surrogate learns Yosys
    figures (``yosys`` in ``train_sources``), they come from held-out architectures: Yosys rows
    then judge the surrogate on networks it never saw.

    Returns:
        The whole ground-truth table.
    """
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    store = _store(ground_truth_store, params)
    if "yosys" not in params.train_sources:
        random_designs = [design for design in random_designs if is_held_out(design.arch, params.holdout_fraction)]
    smallest = sorted(random_designs, key=lambda design: design.arch.bops())[: params.yosys_designs]
    extend_ground_truth(store, smallest, "yosys", _workers(params), params.yosys_timeout_s)
    return store.table()


def _log_rows_left_out(table: pd.DataFrame, selected: pd.DataFrame, sources: tuple[str, ...], target: ImplementationTarget) -> None:
    """Say which rows of the learnt tools the surrogate does not learn from, and why."""
    if table.empty:
        return
    of_sources = table[table["source"].isin(sources)]
    other_target = of_sources[
        (of_sources["target_part"] != target.part) | (of_sources["target_strategy"] != target.strategy)
        | (of_sources["target_clock_period_ns"] != target.clock_period_ns) | (of_sources["target_io_type"] != target.io_type)
        | (of_sources["target_reuse_factor"] != target.reuse_factor)
    ]
    if len(other_target):
        targets = other_target.groupby(["target_part", "target_clock_period_ns"]).size().to_dict()
        logger.info("Not learning %d ground-truth rows of other implementation targets than %s (%s)", len(other_target),
                    target.model_dump(), ", ".join(f"{part} at {clock:g} ns: {n}" for (part, clock), n in targets.items()))
    deeper = len(of_sources) - len(other_target) - len(selected)
    if deeper > 0:
        logger.info("Not learning %d ground-truth rows deeper than the search space's deepest network", deeper)


def train_surrogate(
    ground_truth: pd.DataFrame, search_space: dict[str, Any], hardware_target: dict[str, Any], surrogate_training: dict[str, Any]
) -> Surrogate:
    """Fit the surrogate on every row of the configured target and sources whose architecture is not held out.

    Rows of every origin (random draws, trained networks, compression points, firmware and
    imported results) are learnt from; a held-out architecture's rows never are, whatever their origin.
    """
    params = SurrogateTrainingParams.model_validate(surrogate_training)
    target = ImplementationTarget.model_validate(hardware_target)
    max_layers = SearchSpace.model_validate(search_space).max_weighted_layers
    selected = rows_for(ground_truth, target, params.train_sources, max_layers)
    _log_rows_left_out(ground_truth, selected, params.train_sources, target)
    training, _ = split_rows(selected, params.holdout_fraction)
    if len(training) < 10:
        raise ValueError(
            f"only {len(training)} ground-truth rows to train the surrogate for {target.model_dump()}; "
            "raise surrogate_training.n_random_designs (at least 10 after the hold-out)"
        )
    logger.info("Surrogate training rows by origin: %s", training["origin"].value_counts().to_dict())
    archs = [architecture_of(row) for _, row in training.iterrows()]
    statistics = [row_statistics(row) for _, row in training.iterrows()]
    return fit_surrogate(training, archs, max_layers=max_layers, seed=params.seed, statistics=statistics)


def evaluate_surrogate_accuracy(
    surrogate: Surrogate,
    ground_truth: pd.DataFrame,
    random_weight_designs: list[DesignRequest],
    trained_weight_designs: list[DesignRequest],
    surrogate_training: dict[str, Any],
) -> tuple[dict[str, Any], Figure]:
    """Surrogate accuracy on held-out architectures only: per origin, and on this run's designs.

    ``by_origin`` covers every held-out row of the surrogate's target and sources in the table
    (other tasks sharing it included). ``held_out_random_weights``, ``trained_weights`` and
    ``yosys`` are this run's planned designs on held-out architectures: random draws, trained
    ground-truth networks and their Yosys synthesis. Every group states its ``n`` (rows).

    Returns:
        ``surrogate_metrics`` (JSON-ready) and the parity plot.
    """
    fraction = SurrogateTrainingParams.model_validate(surrogate_training).holdout_fraction
    target = surrogate.target
    training, held_out = split_rows(rows_for(ground_truth, target, surrogate.sources, surrogate.max_layers), fraction)
    yosys = rows_for(ground_truth, target, ("yosys",), surrogate.max_layers)
    planned = {design.design_id() for design in [*random_weight_designs, *trained_weight_designs]}
    this_run = held_out[held_out["design_id"].isin(planned)]
    yosys_this_run = yosys[yosys["design_id"].isin(planned)]
    groups = {
        "held_out_random_weights": this_run[this_run["origin"] == "random"],
        "trained_weights": this_run[this_run["origin"] == "trained"],
        "yosys": split_rows(yosys_this_run, fraction)[1],
    }
    metrics: dict[str, Any] = {
        "target": target.model_dump(),
        "sources": list(surrogate.sources),
        "n_training_rows": surrogate.n_training_rows,
        "split": {
            "by": "architecture (layers and input format): all weight draws, origins, sources and targets of one architecture on one side",
            "holdout_fraction": fraction,
            "n_training_architectures": len(surrogate.trained_on),
            "n_training_rows_by_origin": {origin: int(n) for origin, n in training["origin"].value_counts().items()},
            "n_held_out_rows": len(held_out),
        },
        **{label: evaluate_rows(surrogate, rows.reset_index(drop=True)) for label, rows in groups.items()},
        # The same held-out trained networks, predicted from their quantized weights (as trials,
        # compression points and firmware models are).
        "trained_weights_weight_aware": evaluate_rows(surrogate, groups["trained_weights"].reset_index(drop=True), weight_aware=True),
        "n_weight_aware_training_rows": surrogate.n_weight_rows,
        "by_origin": accuracy_by_origin(surrogate, held_out),
        "by_origin_weight_aware": accuracy_by_origin(surrogate, held_out, weight_aware=True),
        "by_plan": accuracy_by_plan(surrogate, held_out),
        "by_family": accuracy_by_family(surrogate, held_out),
        "by_origin_scope": "every held-out row of the surrogate's target and sources in the ground-truth table; "
                           "weight-aware: those whose weights are known",
    }
    exact = ground_truth[ground_truth["design_id"].isin(planned) & (ground_truth["source"] == "da4ml")].set_index("design_id")[["lut", "ff"]]
    pairs = yosys_this_run.set_index("design_id")[["lut", "ff"]].join(exact, lsuffix="_yosys", rsuffix="_da4ml", how="inner")
    metrics["yosys_vs_da4ml"] = tool_agreement(pairs)
    for record in metrics["by_origin"]:
        if record["n"]:
            logger.info("Surrogate on held-out %s rows: %s", record["origin"], {k: v for k, v in record.items() if k != "origin"})
    panels = {f"held-out, {origin}": rows for origin, rows in held_out.groupby("origin")} | {"held-out, Yosys": groups["yosys"]}
    return metrics, parity_figure({
        label: (rows.reset_index(drop=True), surrogate.predict([architecture_of(row) for _, row in rows.iterrows()]))
        for label, rows in panels.items()
    })
