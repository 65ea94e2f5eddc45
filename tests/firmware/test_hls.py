"""hls4ml conversion of QKeras networks: bit-exact C simulation, refusals that name the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from snac_pack.compression.qmodel import build_qkeras_classifier
from snac_pack.firmware.hls import FirmwareError, convert, hls_type
from snac_pack.firmware.keras2 import keras2_converter
from snac_pack.firmware.verify import Agreement, check_agreement, compare
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.fixed_point import FixedFormat
from snac_pack.models.mlp import NetworkSpec
from snac_pack.search.space import Precision, to_architecture

NETWORK, PRECISION = NetworkSpec(hidden_units=(8,), dropout=0.1), Precision(8, 3, 6, 0, 6, 3)
ARCH = to_architecture(NETWORK, 10, 3, PRECISION, ImplementationTarget())


def _model(seed: int = 0):
    model = build_qkeras_classifier(10, 3, NETWORK, PRECISION, seed=seed)
    rng = np.random.default_rng(seed)
    # Trained-looking weights, some pruned: conversion must keep them exactly.
    model.set_weights([w if w.ndim == 1 else w * (rng.random(w.shape) > 0.3) for w in model.get_weights()])
    return model


def _inputs(n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    # Wide enough that the input quantizer rounds and saturates.
    return (3 * rng.normal(size=(n, 10))).astype(np.float32), rng.integers(0, 3, n)


def test_keras2_converter_presents_tf_keras_and_restores_keras() -> None:
    import keras
    import tf_keras

    installed = keras.__version__
    with pytest.raises(RuntimeError), keras2_converter():
        assert keras.__version__ == tf_keras.__version__
        raise RuntimeError("conversion failed")
    assert keras.__version__ == installed


def test_hls_types_count_the_sign_as_hls4ml_does() -> None:
    assert hls_type(FixedFormat(8, 3, signed=True)) == "fixed<8,4,RND_CONV,SAT>"
    assert hls_type(FixedFormat(6, 3, signed=False)) == "ufixed<6,3,RND_CONV,SAT>"


def test_latency_firmware_reproduces_qkeras_bit_for_bit(tmp_path: Path) -> None:
    model = _model()
    firmware = convert(model, ARCH, ImplementationTarget(strategy="latency"), "Vitis", tmp_path / "prj")
    x, y = _inputs()
    agreement = compare(firmware.graph, model, x, y, "accuracy")
    assert agreement.bit_exact_fraction == 1.0
    assert agreement.argmax_agreement == 1.0
    assert agreement.firmware_metric == agreement.qkeras_metric
    assert "nnet::dense_da_" not in (tmp_path / "prj" / "firmware" / "snac_pack_firmware.cpp").read_text()


@pytest.mark.slow
def test_distributed_arithmetic_firmware_reproduces_qkeras_bit_for_bit(tmp_path: Path) -> None:
    model = _model(seed=2)
    firmware = convert(model, ARCH, ImplementationTarget(strategy="distributed_arithmetic"), "Vitis", tmp_path / "prj")
    # hls4ml wrote da4ml's adder-graph kernels, not its latency-strategy multipliers.
    assert "nnet::dense_da_" in (tmp_path / "prj" / "firmware" / "snac_pack_firmware.cpp").read_text()
    x, y = _inputs(300)
    assert compare(firmware.graph, model, x, y, "accuracy").bit_exact_fraction == 1.0


def test_an_unsupported_layer_is_named(tmp_path: Path) -> None:
    import tf_keras

    inputs = tf_keras.Input(shape=(4,), name="inputs")
    outputs = tf_keras.layers.Lambda(lambda t: t * 2, name="doubling")(inputs)
    with pytest.raises(FirmwareError, match=r"doubling \(Lambda\)"):
        convert(tf_keras.Model(inputs, outputs), ARCH, ImplementationTarget(strategy="latency"), "Vitis", tmp_path / "prj")


def test_too_little_agreement_fails_and_says_by_how_much() -> None:
    agreement = Agreement(1000, 0.95, 0.99, 0.25, 0.7, 0.69)
    with pytest.raises(ValueError, match=r"95.00 % of 1000 test inputs, 4.00 points below firmware.min_bit_exact_fraction = 99.00 %"):
        check_agreement(agreement, 0.99)
    check_agreement(agreement, 0.95)


@pytest.mark.slow
def test_weights_trained_beyond_their_format_are_snapped_to_the_grid_before_conversion(tmp_path: Path) -> None:
    from snac_pack.models.quantized import snap_to_grid

    model = _model(seed=3)
    # Training leaves weights the quantizers saturate (6-bit weights hold [-1, 0.97]).
    model.set_weights([3.0 * w if w.ndim > 1 else w for w in model.get_weights()])
    x, y = _inputs(300)
    before = np.asarray(model(x), dtype=np.float64)
    snap_to_grid(model)
    np.testing.assert_array_equal(np.asarray(model(x), dtype=np.float64), before)  # the same network
    assert np.abs(model.get_weights()[0]).max() <= 1.0
    firmware = convert(model, ARCH, ImplementationTarget(strategy="distributed_arithmetic"), "Vitis", tmp_path / "prj")
    assert compare(firmware.graph, model, x, y, "accuracy").bit_exact_fraction == 1.0
