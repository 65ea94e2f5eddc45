"""Float MLPs: structure from the description, learning a separable problem, the task metrics."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from snac_pack.models.mlp import (
    NetworkSpec,
    TrainingSettings,
    build_float_network,
    early_stopping_split,
    predict_classes,
    task_metric,
    train_classifier,
)


def test_model_has_the_described_layers() -> None:
    model = build_float_network((16,), 5, NetworkSpec(hidden_units=(64, 32, 32), batch_norm=True, dropout=0.1))
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    assert [layer.units for layer in dense] == [64, 32, 32, 5]
    assert sum(layer.__class__.__name__ == "BatchNormalization" for layer in model.layers) == 3
    assert model.count_params() == (16 * 64 + 64) + (64 * 32 + 32) + (32 * 32 + 32) + (32 * 5 + 5) + 4 * (64 + 32 + 32)


def test_learns_a_separable_problem() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 1500)
    x = rng.normal(size=(1500, 4)).astype(np.float32) + 3.0 * np.eye(3, 4)[y]
    model = build_float_network((4,), 3, NetworkSpec(hidden_units=(8,)))
    train_classifier(model, (x[:1000], y[:1000]), (x[1000:], y[1000:]), TrainingSettings(epochs=15, learning_rate=1e-2))
    assert task_metric("accuracy", y[1000:], predict_classes(model, x[1000:])) > 0.9


def test_fidelity_is_one_minus_mean_misassignment() -> None:
    y_true = np.array([0, 0, 0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 1, 1, 1])
    assert task_metric("fidelity", y_true, y_pred) == pytest.approx(1 - (0.25 + 0.0) / 2)


def test_invalid_description_names_the_field() -> None:
    with pytest.raises(ValidationError, match="dropout"):
        NetworkSpec(hidden_units=(4,), dropout=1.5)
    with pytest.raises(ValueError, match="hidden_units must all be at least 1"):
        NetworkSpec(hidden_units=(4, 0))


def test_early_stopping_split_is_stratified_disjoint_reproducible_and_keeps_every_class_fitted() -> None:
    y = np.array([0] * 100 + [1] * 40 + [2] * 1 + [3] * 2)
    fit, watched = early_stopping_split(y, 0.15, seed=4)
    assert sorted([*fit, *watched]) == list(range(len(y)))
    assert [int(np.sum(y[watched] == label)) for label in range(4)] == [15, 6, 0, 1]  # a lone example is fitted
    assert all(np.sum(y[fit] == label) >= 1 for label in range(4))
    np.testing.assert_array_equal(early_stopping_split(y, 0.15, seed=4)[1], watched)
    assert not np.array_equal(early_stopping_split(y, 0.15, seed=5)[1], watched)
    with pytest.raises(ValueError, match="early-stopping fraction must lie in \\(0, 1\\), got 1.0"):
        early_stopping_split(y, 1.0, seed=0)
