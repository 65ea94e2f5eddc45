"""Quantization-aware training and iterative pruning on a small synthetic task."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from snac_pack.compression import loop
from snac_pack.compression.loop import CompressionJob, EmptyLayerError, compress, compress_at_each
from snac_pack.compression.saved import CompressedModel
from snac_pack.compression.settings import FixedPoint, PhaseTraining, PruningSchedule, QuantizationPoint
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.exact import ExactDesign
from snac_pack.hardware.fixed_point import quantize_to_format
from snac_pack.hardware.network import validate_weights
from snac_pack.models.mlp import BodyLayer, NetworkSpec, predict_classes, task_metric
from snac_pack.search.space import Candidate

INPUT = FixedPoint(bits=8, integer=3)
POINT = QuantizationPoint(weights=FixedPoint(bits=6, integer=0), activations=FixedPoint(bits=6, integer=3))


def _table(n: int, seed: int) -> FeatureTable:
    """Three classes a linear classifier separates with about 98 % accuracy (chance: 1/3)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, 10)) + 1.5 * y[:, None]
    return FeatureTable(x.astype(np.float32), y, tuple(f"f{i}" for i in range(10)), ("a", "b", "c"))


@pytest.fixture(scope="module")
def points() -> list:
    job = CompressionJob("tiny", "candidate", Candidate(NetworkSpec(hidden_units=(16, 8), dropout=0.1), 2e-2, None))
    schedule = PruningSchedule(iterations=3, fraction=0.4, finetune_epochs=2)
    warmup = PhaseTraining(epochs=3, batch_size=64)
    return compress(job, POINT, INPUT, schedule, warmup, _table(1500, 0), _table(400, 1), "accuracy", ImplementationTarget())


def test_every_iteration_is_recorded_and_sparsity_follows_the_schedule(points: list) -> None:
    assert [p.iteration for p in points] == [0, 1, 2, 3]
    for point in points:
        assert abs(point.sparsity - point.target_sparsity) <= 0.01
    assert points[-1].target_sparsity == pytest.approx(1 - 0.6**3)
    # Quantization-aware training learns the separable task (an untrained network scores about
    # 0.35), and fine-tuning keeps most of it through 78 % sparsity.
    assert points[0].val_metric >= 0.9
    assert all(p.val_metric >= 0.85 for p in points), [p.val_metric for p in points]


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


def test_da4ml_netlist_of_a_stored_model_computes_its_qkeras_outputs_bit_for_bit(points: list) -> None:
    stored = CompressedModel.from_point(points[-1], INPUT)
    weights = stored.hardware_weights()
    for (kernel, bias), (costed_kernel, costed_bias) in zip(weights, points[-1].hardware_weights, strict=True):
        np.testing.assert_array_equal(kernel, costed_kernel)
        np.testing.assert_array_equal(bias, costed_bias)
    # Inputs already on the input grid, validation-like and wide enough to saturate.
    rng = np.random.default_rng(3)
    raw = np.concatenate([_table(1000, 2).x, rng.normal(0.0, 6.0, size=(1000, 10))])
    x = quantize_to_format(raw, stored.arch.input_format)
    qkeras_outputs = np.asarray(stored.to_keras()(x.astype(np.float32), training=False), dtype=np.float64)
    da4ml_outputs = ExactDesign.build(stored.arch, weights).predict(x)
    np.testing.assert_array_equal(da4ml_outputs, qkeras_outputs)


def test_rewinding_restarts_the_survivors_from_the_warm_up() -> None:
    job = CompressionJob("tiny", "baseline", Candidate(NetworkSpec(hidden_units=(8,)), 3e-3, None))

    def run(rewind: bool) -> list:
        schedule = PruningSchedule(iterations=2, fraction=0.5, finetune_epochs=1, rewind=rewind, scope="layer")
        return compress(job, POINT, INPUT, schedule, PhaseTraining(epochs=2), _table(600, 0), _table(200, 1), "accuracy", ImplementationTarget())

    rewound, continued = run(True), run(False)
    assert [p.iteration for p in rewound] == [0, 1, 2]
    assert rewound[1].layer_sparsity == pytest.approx((0.5, 0.5), abs=0.02)
    assert rewound[2].layer_sparsity == pytest.approx((0.75, 0.75), abs=0.02)
    # The first pruning starts from the warm-up either way; the second restarts from it only when rewinding.
    assert all(np.array_equal(a, b) for a, b in zip(rewound[1].weights, continued[1].weights, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(rewound[2].weights, continued[2].weights, strict=True))


def _emptied_at(monkeypatch: pytest.MonkeyPatch, readings: Callable[[int], bool]) -> None:
    """At the readings of the quantized weights ``readings`` picks (1: the first warm-up's), the first kernel is all zeros.

    A layer that small weights leave empty (a token mixer of two tokens at 4 bits, say) is hard to
    train into on purpose; the loop only sees the quantized weights, so they are what is replaced.
    """
    real, count = loop.quantized_weights, []

    def emptied(model: object) -> list:
        weights = real(model)
        count.append(1)
        if readings(len(count)):
            kernel, bias = weights[0]
            weights[0] = (np.zeros_like(kernel), bias)
        return weights

    monkeypatch.setattr(loop, "quantized_weights", emptied)


TINY = CompressionJob("tiny", "candidate", Candidate(NetworkSpec(hidden_units=(8,)), 2e-2, None))
WIDER = QuantizationPoint(weights=FixedPoint(bits=8, integer=0), activations=FixedPoint(bits=6, integer=3))


def _compress_tiny(iterations: int, **options: bool) -> list:
    schedule = PruningSchedule(iterations=iterations, fraction=0.4, finetune_epochs=1)
    return compress(TINY, POINT, INPUT, schedule, PhaseTraining(epochs=1, batch_size=64), _table(300, 0), _table(100, 1), "accuracy",
                    ImplementationTarget(), **options)


def _compress_tiny_at_two_precisions() -> list:
    schedule = PruningSchedule(iterations=1, fraction=0.4, finetune_epochs=1)
    return compress_at_each(TINY, [(POINT, schedule), (WIDER, schedule)], INPUT, PhaseTraining(epochs=1, batch_size=64),
                            _table(300, 0), _table(100, 1), "accuracy", ImplementationTarget())


def test_pruning_that_empties_a_layer_ends_that_network_s_schedule_or_fails_naming_the_layer(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _emptied_at(monkeypatch, lambda reading: reading >= 3)  # warm-up and iteration 1 keep it, iteration 2 empties it
    with caplog.at_level("WARNING", logger="snac_pack.compression.loop"):
        points = _compress_tiny(3, stop_at_empty_layer=True)
    assert [p.iteration for p in points] == [0, 1]
    assert "every weight of layer dense_0 is zero" in caplog.text and "pruning stops at iteration 1 of 3" in caplog.text
    _emptied_at(monkeypatch, lambda reading: reading >= 3)
    with pytest.raises(EmptyLayerError, match="every weight of layer dense_0 is zero"):
        _compress_tiny(3)  # a trial that must reach its drawn precision fails instead


def test_a_precision_whose_warm_up_empties_a_layer_is_left_out_and_a_network_with_none_left_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _emptied_at(monkeypatch, lambda reading: True)
    with caplog.at_level("WARNING", logger="snac_pack.compression.loop"):
        assert _compress_tiny(1, stop_at_empty_layer=True) == []
    assert "tiny at w6.0-a6.3: every weight of layer dense_0" in caplog.text and "left out at this precision" in caplog.text
    with pytest.raises(EmptyLayerError, match=r"tiny leaves a layer without a nonzero weight at every precision .*w6.0-a6.3, w8.0-a6.3"):
        _compress_tiny_at_two_precisions()
    monkeypatch.undo()
    _emptied_at(monkeypatch, lambda reading: reading == 1)  # only the first precision's warm-up
    points = _compress_tiny_at_two_precisions()
    assert [(p.point.name(), p.iteration) for p in points] == [("w8.0-a6.3", 0), ("w8.0-a6.3", 1)]


def _token_table(n: int, seed: int) -> FeatureTable:
    """Three classes over 8 tokens of 2 features: the class shifts every token (a pooled sum separates them)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, 8, 2)) + 0.8 * y[:, None, None]
    names = tuple(f"{feature}_{token}" for token in range(8) for feature in ("a", "b"))
    return FeatureTable(x.reshape(n, -1).astype(np.float32), y, names, ("a", "b", "c"))


@pytest.mark.parametrize(
    "body",
    [
        (BodyLayer(kind="pointwise", units=8), BodyLayer(kind="pool")),
        (BodyLayer(kind="token_mix", units=4), BodyLayer(kind="pointwise", units=4), BodyLayer(kind="flatten")),
        (BodyLayer(kind="conv1d", units=4, kernel_size=3, stride=2), BodyLayer(kind="flatten")),
    ],
    ids=["deepsets", "mixer", "conv1d"],
)
def test_a_network_over_tokens_is_compressed_stored_and_costed_bit_exactly(body: tuple) -> None:
    job = CompressionJob("tokens", "candidate", Candidate(NetworkSpec(hidden_units=(8,), body=body), 2e-2, None))
    schedule = PruningSchedule(iterations=1, fraction=0.5, finetune_epochs=1)
    train, val = _token_table(1200, 0), _token_table(300, 1)
    points = compress(job, POINT, INPUT, schedule, PhaseTraining(epochs=3, batch_size=64), train, val, "accuracy",
                      ImplementationTarget())
    last = points[-1]
    validate_weights(last.arch, last.hardware_weights)
    assert points[0].val_metric >= 0.6  # chance is 1/3
    # Shared weights are pruned once: the kernel's sparsity is the schedule's.
    assert abs(last.sparsity - 0.5) <= 0.02
    stored = CompressedModel.from_point(last, INPUT)
    x = quantize_to_format(stored.inputs(val), stored.arch.input_format)
    assert x.shape == (300, *stored.arch.input_shape)
    qkeras_outputs = np.asarray(stored.to_keras()(x.astype(np.float32), training=False), dtype=np.float64)
    np.testing.assert_array_equal(ExactDesign.build(stored.arch, stored.hardware_weights()).predict(x), qkeras_outputs)
