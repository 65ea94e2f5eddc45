"""Designs sampled from the search space for the surrogate's ground truth.

Random-weight designs span the space cheaply; a few networks trained on the task's data show
how far trained weights sit from random ones (their costs differ through the weights' values).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
import math
from collections.abc import Collection, Sequence

import numpy as np

from snac_pack.data.features import FeatureTable, iq_window_columns, token_grid
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.ground_truth import DesignRequest
from snac_pack.models.export import quantized_network
from snac_pack.models.mlp import TrainingSettings, build_float_network, train_classifier
from snac_pack.search.space import (
    Candidate,
    SearchSpace,
    n_weighted_layers,
    random_trials,
    suggest_candidate,
    suggest_precision,
    to_architecture,
)

logger = logging.getLogger(__name__)


def _input_columns(candidate: Candidate, feature_names: Sequence[str]) -> np.ndarray:
    """Indices of the columns a candidate reads: its readout window, or every feature; ``(tokens, features)`` for a body."""
    names = tuple(feature_names)
    columns = np.arange(len(names)) if candidate.input_window is None else iq_window_columns(names, *candidate.input_window)
    return columns[token_grid([names[column] for column in columns])] if candidate.network.body else columns


def candidate_inputs(candidate: Candidate, table: FeatureTable) -> np.ndarray:
    """The model inputs a candidate reads: its readout window, or every feature; as tokens for a network with a body.

    Returns:
        ``(N, features)`` for an MLP, ``(N, tokens, features)`` for a network with a body.
    """
    if candidate.input_window is None and not candidate.network.body:
        return table.x
    return table.x[:, _input_columns(candidate, table.feature_names)]


def network_input_shape(candidate: Candidate, feature_names: Sequence[str]) -> int | tuple[int, int]:
    """What the candidate's network reads from inputs with these columns (as :func:`candidate_inputs` gives them).

    Returns:
        The number of inputs of an MLP (two per window sample, I and Q, else every feature), or
        ``(tokens, features)`` of a network with a body.
    """
    shape = _input_columns(candidate, feature_names).shape
    return int(shape[0]) if len(shape) == 1 else (int(shape[0]), int(shape[1]))


def random_weight_designs(
    space: SearchSpace, n_designs: int, feature_names: Sequence[str], n_classes: int, target: ImplementationTarget,
    seed: int, plan: str | None = None, max_built_weights: float = math.inf,
) -> list[DesignRequest]:
    """``n_designs`` architectures drawn at random from ``space``, with random quantized weights.

    The same seed gives the same designs, so a rerun finds them in the ground-truth table.
    ``feature_names`` are the model inputs' columns (their count, or their tokens for a network
    with a body); ``plan`` (the task's name) is recorded in their rows. A draw with more than
    ``max_built_weights`` (:meth:`Architecture.n_built_weights`) is skipped: da4ml's memory grows
    with them (a convolution over a 150-sample trace with 155,000 took more than 15 GB).
    """
    designs = []
    for index, trial in enumerate(random_trials(seed)):
        if len(designs) == n_designs:
            break
        if index >= 100 * n_designs:
            raise ValueError(f"only {len(designs)} of {index} architectures drawn from the search space have at most "
                             f"surrogate_training.max_built_weights = {max_built_weights:,.0f} built weights: raise it or narrow the space")
        candidate = suggest_candidate(space, trial)
        precision = suggest_precision(space, trial, n_weighted_layers(candidate))
        shape = network_input_shape(candidate, feature_names)
        arch = to_architecture(candidate.network, shape, n_classes, precision, target)
        if arch.n_built_weights() > max_built_weights:
            continue
        designs.append(DesignRequest(arch=arch, weight_origin="random", weight_seed=seed * 1_000_003 + index, plan=plan))
    return designs


def trained_weight_id(data: str, training: TrainingSettings, seed: int, index: int) -> int:
    """The identity of a trained ground-truth network: its data, training settings, seed and place in the plan.

    The data's digest is part of it, so that a table shared between tasks, or shipped with the
    package, never passes off a network trained on other data as this task's.
    """
    described = json.dumps([data, training.model_dump(mode="json"), seed, index], sort_keys=True)
    return int(hashlib.sha256(described.encode()).hexdigest()[:15], 16)


def trained_weight_designs(
    space: SearchSpace,
    n_designs: int,
    train: FeatureTable,
    val: FeatureTable,
    target: ImplementationTarget,
    training: TrainingSettings,
    seed: int,
    already_costed: Collection[str] = (),
    plan: str | None = None,
) -> list[DesignRequest]:
    """Architectures drawn from ``space``, trained on the task's data, then pruned and quantized.

    A design whose identity is in ``already_costed`` is not trained again (its cost is in the
    ground-truth table): it comes back without weights, which is all the table needs to find it.

    Args:
        space: the search space.
        n_designs: how many networks to train.
        train: training split of the model inputs.
        val: validation split (early stopping).
        target: implementation target.
        training: epochs, batch size and patience; the learning rate is the candidate's.
        seed: seed of the draws (distinct from the random designs' seed).
        already_costed: design identities (:meth:`DesignRequest.design_id`) already in the table.
        plan: the task's name, recorded in the rows.

    Returns:
        The designs, ``weight_origin="trained"``.
    """
    designs = []
    n_classes = len(train.class_names)
    data = f"{train.digest()}{val.digest()}"
    for index, trial in enumerate(itertools.islice(random_trials(seed + 7919), n_designs)):
        candidate = suggest_candidate(space, trial)
        x_train, x_val = candidate_inputs(candidate, train), candidate_inputs(candidate, val)
        precision = suggest_precision(space, trial, n_weighted_layers(candidate))
        arch = to_architecture(candidate.network, x_train.shape[1:], n_classes, precision, target)
        planned = DesignRequest(arch=arch, weight_origin="trained", weight_seed=trained_weight_id(data, training, seed, index), plan=plan)
        if planned.design_id() in already_costed:
            designs.append(planned)
            continue
        model = build_float_network(x_train.shape[1:], n_classes, candidate.network, seed=seed + index)
        settings = training.model_copy(update={"learning_rate": candidate.learning_rate, "seed": seed + index})
        train_classifier(model, (x_train, train.y), (x_val, val.y), settings)
        designs.append(dataclasses.replace(planned, weights=quantized_network(model, arch)))
        logger.info("Trained ground-truth network %d/%d: %s", index + 1, n_designs, arch.describe())
    n_known = sum(design.weights is None for design in designs)
    if n_known:
        logger.info("%d of %d trained ground-truth networks are already in the table: not trained again", n_known, n_designs)
    return designs
