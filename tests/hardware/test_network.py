"""Fixed-point quantization, random quantized networks and the numpy reference forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from snac_pack.hardware import (
    Architecture,
    FixedFormat,
    forward_quantized,
    quantize_to_format,
    quantize_weights,
    random_quantized_network,
    validate_weights,
)


def test_quantize_rounds_to_nearest_ties_to_even_and_saturates() -> None:
    signed = FixedFormat(bits=4, integer_bits=1, signed=True)  # step 0.25, range [-2, 1.75]
    values = [0.1, 0.125, 0.375, -0.125, 0.374, 1.9, -2.6, -1.875, -1.625]
    assert quantize_to_format(values, signed).tolist() == [0.0, 0.0, 0.5, 0.0, 0.25, 1.75, -2.0, -2.0, -1.5]
    unsigned = FixedFormat(bits=3, integer_bits=1, signed=False)  # step 0.25, range [0, 1.75]
    assert quantize_to_format([-0.5, 0.3, 5.0], unsigned).tolist() == [0.0, 0.25, 1.75]


def test_fixed_format_describes_its_range_and_hls_type() -> None:
    fmt = FixedFormat(bits=8, integer_bits=3, signed=True)
    assert (fmt.fractional_bits, fmt.min_value, fmt.max_value, fmt.kif) == (4, -8.0, 8.0 - 1 / 16, (1, 3, 4))
    assert fmt.hls_type() == "ap_fixed<8,4,AP_RND_CONV,AP_SAT>"
    assert FixedFormat(6, 2, signed=False).hls_type() == "ap_ufixed<6,2,AP_RND_CONV,AP_SAT>"
    with pytest.raises(ValueError, match="integer_bits"):
        FixedFormat(bits=4, integer_bits=4, signed=True)


def test_quantize_weights_is_qkeras_quantized_bits() -> None:
    # quantized_bits(4, 0): step 1/8, range [-1, 7/8]
    assert quantize_weights([0.3, -1.2, 0.95, -0.1], 4, 0).tolist() == [0.25, -1.0, 0.875, -0.125]


@pytest.mark.parametrize(("bits", "integer_bits"), [(4, 0), (6, 0), (6, 2), (8, 3)])
def test_quantizers_agree_with_qkeras_ties_included(bits: int, integer_bits: int) -> None:
    from qkeras import quantized_bits, quantized_relu

    # Random float32 values beyond both ends of every range, and every tie (half-way between two
    # steps) of both formats: QKeras rounds those to even, and so must we.
    rng = np.random.default_rng(bits + integer_bits)
    steps = [2.0 ** -(bits - integer_bits - 1), 2.0 ** -(bits - integer_bits)]
    ties = np.concatenate([(np.arange(-2**bits, 2**bits) + 0.5) * step for step in steps])
    values = np.concatenate([rng.uniform(-20.0, 20.0, 5000), ties]).astype(np.float32)
    qkeras_bits = np.asarray(quantized_bits(bits, integer_bits, alpha=1)(values), dtype=np.float64)
    np.testing.assert_array_equal(quantize_weights(values, bits, integer_bits), qkeras_bits)
    qkeras_relu = np.asarray(quantized_relu(bits, integer_bits)(values), dtype=np.float64)
    unsigned = FixedFormat(bits, integer_bits, signed=False)
    np.testing.assert_array_equal(quantize_to_format(values, unsigned), qkeras_relu)


def test_random_network_is_on_the_grid_with_the_requested_sparsity() -> None:
    arch = Architecture.from_widths([16, 32, 5], weight_bits=6, weight_integer_bits=0, sparsity=0.5)
    weights = random_quantized_network(arch, np.random.default_rng(1))
    validate_weights(arch, weights)
    assert [kernel.shape for kernel, _ in weights] == [(16, 32), (32, 5)]
    for kernel, _ in weights:
        assert np.mean(kernel == 0) >= 0.5
        assert np.mean(kernel == 0) < 0.8  # quantization zeroes only a few more
    again = random_quantized_network(arch, np.random.default_rng(1))
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(weights, again, strict=True))


def test_validate_weights_names_the_offending_layer() -> None:
    arch = Architecture.from_widths([4, 3, 2], weight_bits=4)
    weights = random_quantized_network(arch, np.random.default_rng(0))
    off_grid = [weights[0], (weights[1][0] + 0.01, weights[1][1])]
    with pytest.raises(ValueError, match="layer 1: kernel is not on the fixed<4,0> grid"):
        validate_weights(arch, off_grid)
    with pytest.raises(ValueError, match="layer 0: kernel"):
        validate_weights(arch, [(weights[0][0].T, weights[0][1]), weights[1]])
    with pytest.raises(ValueError, match="1 layers"):
        validate_weights(arch, weights[:1])


def test_forward_pass_by_hand() -> None:
    arch = Architecture.from_widths(
        [2, 2, 1],
        weight_bits=4,
        weight_integer_bits=0,
        activation_bits=4,
        activation_integer_bits=1,
        input_bits=4,
        input_integer_bits=1,
    )
    kernel0 = np.array([[0.5, -0.25], [0.125, 0.75]])
    bias0 = np.array([0.0, 0.125])
    kernel1 = np.array([[0.5], [-0.5]])
    bias1 = np.array([0.25])
    # x = (1.3, -0.7) -> input grid (step 1/4): (1.25, -0.75)
    # layer 0: (0.625 - 0.09375, -0.3125 - 0.5625 + 0.125) = (0.53125, -0.75) -> relu, step 1/8: (0.5, 0)
    # layer 1: 0.25 + 0.25 = 0.5 -> signed, step 1/4: 0.5
    out = forward_quantized(arch, [(kernel0, bias0), (kernel1, bias1)], np.array([[1.3, -0.7]]))
    assert out.tolist() == [[0.5]]
