"""The surrogate's physical features and its lookup-table predictor."""

from __future__ import annotations

import numpy as np
import pytest

from snac_pack.hardware.architecture import (
    Architecture,
    DenseLayerSpec,
    PointwiseLayerSpec,
    PoolLayerSpec,
    TokenMixLayerSpec,
)
from snac_pack.hardware.fixed_point import signed_digit_parts
from snac_pack.hardware.network import random_quantized_network
from snac_pack.hardware.surrogate import LayerProxy, LookupForest, fit_surrogate
from snac_pack.hardware.surrogate_features import (
    LAYER_COLUMNS,
    architecture_matrix,
    column_index,
    column_index_of_layer,
    csd_digit_count,
    expected_csd_digits,
    matrix_columns,
    weight_statistics,
)

from surrogate.synthetic import synthetic_rows


def _naf_digits(value: int) -> int:
    """Nonzero digits of the non-adjacent form, digit by digit."""
    value, digits = abs(value), 0
    while value:
        if value & 1:
            digits += 1
            value += 1 if value & 3 == 3 else -1
        value >>= 1
    return digits


def test_csd_digit_count_is_the_non_adjacent_form() -> None:
    assert csd_digit_count(np.array([0, 1, 2, 3, 5, 7, -7, 15, 21])).tolist() == [0, 1, 1, 2, 2, 2, 2, 2, 3]
    values = np.arange(-3000, 3000)
    assert csd_digit_count(values).tolist() == [_naf_digits(int(v)) for v in values]


def test_signed_digit_parts_are_the_digits_da4ml_decomposes_constants_into() -> None:
    from da4ml.cmvm.util.bit_decompose import csd_decompose

    values = np.arange(-2000, 2000)
    positive, negative = signed_digit_parts(values)
    digits = csd_decompose(values.astype(np.float64)[None, :], center=False)[0][0]  # (values, digit positions)
    powers = 2 ** np.arange(digits.shape[-1])
    np.testing.assert_array_equal(positive, (digits == 1) @ powers)
    np.testing.assert_array_equal(negative, (digits == -1) @ powers)
    assert np.all(positive - negative == values) and np.all(positive & negative == 0)
    assert (signed_digit_parts(np.array([7, -7, 5])) == np.array([[8, 1, 5], [1, 8, 0]])).all()


@pytest.mark.parametrize(("widths", "weight_bits", "sparsity"), [((64, 64), 6, 0.3), ((24, 32), 4, 0.0), ((32, 5), 8, 0.6)])
def test_expected_csd_digits_match_the_random_weights(widths: tuple[int, int], weight_bits: int, sparsity: float) -> None:
    arch = Architecture.from_widths([*widths], weight_bits=weight_bits, sparsity=sparsity)
    fan_in, units = widths
    log2_scale = 0.5 * np.log2(2.0 / (fan_in + units)) + weight_bits - 1
    kernels = [random_quantized_network(arch, np.random.default_rng(seed))[0][0] for seed in range(40)]
    lsb = 2.0 ** -(weight_bits - 1)
    drawn = np.mean([csd_digit_count(np.rint(kernel / lsb)).mean() for kernel in kernels])
    assert expected_csd_digits(log2_scale, sparsity) == pytest.approx(drawn, rel=0.03)


def test_expected_csd_digits_fall_with_sparsity_and_grow_with_bits() -> None:
    digits = expected_csd_digits(np.array([3.0, 3.0, 5.0, 12.0]), np.array([0.0, 0.5, 0.0, 0.0]))
    assert digits[1] < digits[0] < digits[2] < digits[3]
    # Past the table (2^8 LSBs) a doubling adds about a third of a digit.
    assert expected_csd_digits(12.0, 0.0) - expected_csd_digits(11.0, 0.0) == pytest.approx(1 / 3, abs=0.02)


@pytest.mark.parametrize(
    ("widths", "weight_bits", "sparsity", "tolerance"),
    # Narrow layers at high sparsity, where whole neurons are constant or dead; the tolerance is the
    # expectation's error (counts of varying and live neurons enter at their mean, ReLUs' signs as
    # if independent: up to 3 % too many digits at 75-80 % sparsity) plus sampling.
    [
        ((24, 8, 8, 8, 5), 4, 0.8, 0.04),
        ((80, 8, 4, 2), 4, 0.75, 0.05),
        ((13, 8, 4, 3), 8, 0.62, 0.04),
        ((16, 16, 4, 5), 6, 0.6, 0.02),
        ((16, 32, 5), 8, 0.1, 0.02),
    ],
)
def test_expected_digits_of_built_weights_match_the_random_weights(
    widths: tuple[int, ...], weight_bits: int, sparsity: float, tolerance: float
) -> None:
    """The architecture's expected digits count, as weight_statistics does, only weights of varying, live neurons."""
    arch = Architecture.from_widths([*widths], weight_bits=weight_bits, sparsity=sparsity)
    expected = architecture_matrix([arch], arch.depth)[0, column_index("csd_digits", arch.depth)]
    drawn = np.mean([weight_statistics(arch, random_quantized_network(arch, np.random.default_rng(seed)))[:, 0].sum() for seed in range(300)])
    assert expected == pytest.approx(drawn, rel=tolerance)


def test_matrix_of_a_batch_equals_the_rows_of_each_architecture() -> None:
    archs = [
        Architecture.from_widths([16, 8, 5], weight_bits=4, sparsity=0.2),
        Architecture.from_widths([16, 32, 16, 32, 5], weight_bits=8, activation_bits=6, sparsity=0.5),
        Architecture.from_widths([8, 5]),
    ]
    batch = architecture_matrix(archs, max_layers=5)
    assert batch.shape == (3, len(matrix_columns(5)))
    for row, arch in zip(batch, archs, strict=True):
        np.testing.assert_array_equal(row, architecture_matrix([arch], max_layers=5)[0])
    # Absent layers are zeros; the network columns hold the depth and the physical estimates.
    assert not batch[0, 2 * len(LAYER_COLUMNS) : 5 * len(LAYER_COLUMNS)].any()
    assert batch[1, column_index("depth", 5)] == 4
    assert batch[1, column_index("digit_bits", 5)] > batch[0, column_index("digit_bits", 5)] > 0
    assert architecture_matrix([], max_layers=5).shape == (0, len(matrix_columns(5)))


def test_lookup_forest_predicts_what_the_regressor_predicts() -> None:
    table, archs = synthetic_rows(200, seed=0)
    surrogate = fit_surrogate(table, archs, max_layers=4)
    _, others = synthetic_rows(500, seed=3)
    matrix = architecture_matrix(others, max_layers=4)
    forests = [model for model in surrogate.models.values() if isinstance(model, LookupForest)]
    assert len(forests) == 3  # LUT, FF and latency; DSP, BRAM and II are constants
    for forest in forests:
        inputs = forest.inputs(matrix, max_layers=4)
        np.testing.assert_allclose(forest.predict(inputs), forest.regressor.predict(inputs), rtol=1e-12, atol=1e-12)
        # Values exactly on a split's threshold go left, as in sklearn (the bins count thresholds below a value).
        used, thresholds, _, _ = forest._binning  # noqa: SLF001
        on_thresholds = inputs.copy()
        for feature, edges in zip(used, thresholds, strict=True):
            on_thresholds[:, feature] = edges[np.arange(len(inputs)) % len(edges)]
        np.testing.assert_allclose(forest.predict(on_thresholds), forest.regressor.predict(on_thresholds), rtol=1e-12, atol=1e-12)


def test_refuses_a_surrogate_fitted_on_older_features() -> None:
    table, archs = synthetic_rows(30, seed=0)
    surrogate = fit_surrogate(table, archs, max_layers=4)
    surrogate.features_version = 0
    with pytest.raises(ValueError, match="features version 0.*rerun `kedro run --pipeline surrogate_training`"):
        surrogate.predict(archs[:1])


def test_layer_proxy_recovers_a_per_layer_law_of_the_adder_bits() -> None:
    """A figure that is each layer's adder bits times a factor of its shape is learnt from network totals alone."""
    rng = np.random.default_rng(0)
    archs = [
        Architecture.from_widths([16, *rng.choice([4, 8, 32], size=rng.integers(1, 4)), 5],
                                 weight_bits=int(rng.choice([4, 6, 8])), sparsity=float(rng.uniform(0, 0.8)))
        for _ in range(300)
    ]
    matrix = architecture_matrix(archs, max_layers=4)
    adder_bits = np.stack([matrix[:, column_index_of_layer(layer, "digit_bits")] for layer in range(4)], axis=1)
    fan_in = np.stack([matrix[:, column_index_of_layer(layer, "fan_in")] for layer in range(4)], axis=1)
    # Sharing grows with the fan-in: wide layers cost less per adder bit.
    lut = (adder_bits * 1.2 * np.maximum(fan_in, 1.0) ** -0.15).sum(axis=1)
    proxy = LayerProxy.fit(matrix, lut, max_layers=4)
    np.testing.assert_allclose(proxy(matrix, max_layers=4), lut + 1.0, rtol=0.01)
    # The network total alone, a single ratio, cannot follow it.
    ratio = np.median(lut / adder_bits.sum(axis=1))
    assert np.median(np.abs(ratio * adder_bits.sum(axis=1) / lut - 1.0)) > 0.02


def _tokens_network(mixing: str) -> Architecture:
    """4 tokens of 3 features: a per-token layer (or a token mixing), the average over tokens, a head."""
    body = (
        (PointwiseLayerSpec(units=4, weight_bits=6),)
        if mixing == "pointwise"
        else (TokenMixLayerSpec(units=4, weight_bits=6), PointwiseLayerSpec(units=4, weight_bits=6))
    )
    return Architecture(n_inputs=3, tokens=4, layers=(*body, PoolLayerSpec(), DenseLayerSpec(units=2, activation="linear", weight_bits=6)))


def _integer_network(arch: Architecture, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Kernels of nonzero integers (in LSBs) on each layer's grid: every weight is built."""
    weights = []
    for (fan_in, units), layer in zip(arch.layer_shapes(), arch.weighted_layers(), strict=True):
        integers = rng.integers(1, 20, size=(fan_in, units)) * rng.choice([-1, 1], size=(fan_in, units))
        weights.append((integers * 2.0**-layer.weight_format.fractional_bits, np.zeros(units)))
    return weights


@pytest.mark.parametrize("mixing", ["pointwise", "token_mix"])
def test_a_shared_kernel_is_counted_at_every_application(mixing: str) -> None:
    arch = _tokens_network(mixing)
    weights = _integer_network(arch, np.random.default_rng(1))
    counts = weight_statistics(arch, weights)
    for (kernel, _), layer, uses, (digits, nonzero, busiest, *_) in zip(
        weights, arch.weighted_layers(), arch.kernel_uses(), counts, strict=True
    ):
        kernel_digits = csd_digit_count(np.rint(kernel * 2.0**layer.weight_format.fractional_bits))
        assert digits == uses * kernel_digits.sum()
        assert nonzero == uses * kernel.size
        assert busiest == kernel_digits.sum(axis=0).max()
    assert counts[0, 5] == 4 * 3 * arch.input_bits  # every input of every token is used


def test_a_per_token_unit_that_feeds_nothing_is_not_counted_at_any_token() -> None:
    arch = _tokens_network("pointwise")
    weights = _integer_network(arch, np.random.default_rng(2))
    (body_kernel, body_bias), (head_kernel, head_bias) = weights
    head_kernel = head_kernel.copy()
    head_kernel[1] = 0.0  # unit 1 of every token reaches the head through the pool, with zero weights
    counts = weight_statistics(arch, [(body_kernel, body_bias), (head_kernel, head_bias)])
    digits = csd_digit_count(np.rint(body_kernel * 2.0**arch.layers[0].weight_format.fractional_bits))
    assert counts[0, 0] == arch.tokens * (digits.sum() - digits[:, 1].sum())
    assert counts[1, 1] == head_kernel.size - 2


def test_the_description_scales_a_shared_kernel_and_counts_the_pools_adders() -> None:
    arch = _tokens_network("pointwise")
    layers = arch.weighted_layers()
    matrix = architecture_matrix([arch], max_layers=3)[0]
    assert matrix[column_index_of_layer(0, "applications")] == arch.tokens
    assert matrix[column_index_of_layer(0, "fan_in")] == arch.n_inputs
    assert matrix[column_index("n_inputs", 3)] == arch.tokens * arch.n_inputs
    assert matrix[column_index("depth", 3)] == len(layers)
    # The global average sums 4 tokens of 4 features: 2 adders each at the pool's input width,
    # then 1 a bit wider (it adds two sums).
    width = layers[0].activation_bits
    assert matrix[column_index("pool_adder_bits", 3)] == 4 * (2 * width + (width + 1))
    # One token's kernel, drawn alone, has a quarter of the expected digits.
    alone = Architecture(n_inputs=3, layers=(DenseLayerSpec(units=4, weight_bits=6), DenseLayerSpec(units=2, activation="linear", weight_bits=6)))
    single = architecture_matrix([alone], max_layers=3)[0]
    assert matrix[column_index_of_layer(0, "csd_digits")] == pytest.approx(arch.tokens * single[column_index_of_layer(0, "csd_digits")])
    # Every token's neurons are rounded: the quantizers' bits scale the same way.
    assert single[column_index_of_layer(0, "rounded_bits")] > 0
    assert matrix[column_index_of_layer(0, "rounded_bits")] == pytest.approx(arch.tokens * single[column_index_of_layer(0, "rounded_bits")])
