"""Quantization-aware training and iterative pruning on a small synthetic task."""

from __future__ import annotations

import numpy as np
import pytest

from snac_pack.compression.loop import CompressionJob, compress
from snac_pack.compression.saved import CompressedModel
from snac_pack.compression.settings import FixedPoint, PhaseTraining, PruningSchedule, QuantizationPoint
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.network import validate_weights
from snac_pack.models.mlp import MLPSpec, predict_classes, task_metric
from snac_pack.search.space import Candidate

INPUT = FixedPoint(bits=8, integer=3)
POINT = QuantizationPoint(weights=FixedPoint(bits=6, integer=0), activations=FixedPoint(bits=6, integer=3))


def _table(n: int, seed: int) -> FeatureTable:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, 10)) + 0.7 * y[:, None]
    return FeatureTable(x.astype(np.float32), y, tuple(f"f{i}" for i in range(10)), ("a", "b", "c"))


@pytest.fixture(scope="module")
def points() -> list:
    job = CompressionJob("tiny", "candidate", Candidate(MLPSpec(hidden_units=(16, 8), dropout=0.1), 3e-3, None))
    schedule = PruningSchedule(iterations=3, fraction=0.4, finetune_epochs=2)
    return compress(job, POINT, INPUT, schedule, PhaseTraining(epochs=4), _table(1500, 0), _table(400, 1), "accuracy", ImplementationTarget())


def test_every_iteration_is_recorded_and_sparsity_follows_the_schedule(points: list) -> None:
    assert [p.iteration for p in points] == [0, 1, 2, 3]
    for point in points:
        assert abs(point.sparsity - point.target_sparsity) <= 0.01
    assert points[-1].target_sparsity == pytest.approx(1 - 0.6**3)
    assert all(0.0 <= p.val_metric <= 1.0 for p in points)


def test_hardware_weights_lie_on_the_grids_and_the_architecture_carries_their_sparsity(points: list) -> None:
    last = points[-1]
    validate_weights(last.arch, last.hardware_weights)
    for layer, (kernel, _) in zip(last.arch.layers, last.hardware_weights, strict=True):
        assert layer.sparsity == pytest.approx(float(np.mean(kernel == 0)))
        assert layer.weight_bits == 6 and layer.activation_bits == 6
    # Quantization can only add zeros to the pruned ones.
    for quantized, trained in zip(last.arch.layers, last.layer_sparsity, strict=True):
        assert quantized.sparsity >= trained


def test_a_stored_point_rebuilds_the_same_network(points: list) -> None:
    stored = CompressedModel.from_point(points[2], INPUT)
    val = _table(400, 1)
    assert task_metric("accuracy", val.y, predict_classes(stored.to_keras(), val.x)) == points[2].val_metric


def test_rewinding_restarts_the_survivors_from_the_warm_up() -> None:
    job = CompressionJob("tiny", "baseline", Candidate(MLPSpec(hidden_units=(8,)), 3e-3, None))
    schedule = PruningSchedule(iterations=1, fraction=0.5, finetune_epochs=1, rewind=True, scope="layer")
    points = compress(job, POINT, INPUT, schedule, PhaseTraining(epochs=2), _table(600, 0), _table(200, 1), "accuracy", ImplementationTarget())
    assert [p.iteration for p in points] == [0, 1]
    assert points[1].layer_sparsity == pytest.approx((0.5, 0.5), abs=0.02)
