"""Weight-aware prediction: the surrogate reads the counts of actual quantized weights where they are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.cost import HardwareCost
from snac_pack.hardware.ground_truth import DesignRequest, cost_row, row_statistics
from snac_pack.hardware.network import quantize_weights, value_intervals
from snac_pack.hardware.surrogate import evaluate_rows, fit_surrogate
from snac_pack.hardware.surrogate_features import column_index, matrix_columns, realised_matrix, weight_statistics


def test_weight_statistics_count_digits_nonzeros_the_busiest_column_and_adder_bits() -> None:
    arch = Architecture.from_widths([2, 2, 1], weight_bits=8, weight_integer_bits=4)  # 3 fractional bits
    lsb = 2.0**-3
    first = np.array([[3, 0], [1, -7]]) * lsb  # CSD digits 2, 0 / 1, 2 (7 = 8 - 1)
    second = np.array([[5], [1]]) * lsb  # 5 = 4 + 1: 2 digits, 1: 1
    counts = weight_statistics(arch, [(first, np.zeros(2)), (second, np.zeros(1))])
    # The inputs span their 8-bit format [-8, 7.9375]. da4ml bounds each digit on its own: hidden
    # ReLU 0 (3 = 4 - 1, and 1) reaches (4 · 7.9375 + 8 + 7.9375) / 8 = 5.9609375, rounded to
    # 5.96875 on ufixed<8,3>'s steps of 1/32 (192 values); ReLU 1 (-7 = 1 - 8) reaches
    # (7.9375 + 64) / 8, saturated at 7.96875 (256 values: 8 bits).
    np.testing.assert_allclose(counts[:, :6], [[5, 3, 3, 5 * 8, 0, 2 * 8], [3, 2, 3, 2 * np.log2(192) + 8, 0, 0]])


def test_value_intervals_bound_each_signed_digit_as_da4ml_does() -> None:
    """A weight whose digits have both signs widens the interval: da4ml's adder graph adds each digit on its own."""
    from snac_pack.hardware.exact import trace_network

    arch = Architecture.from_widths([2, 2, 1], weight_bits=8, weight_integer_bits=4)
    lsb = 2.0**-3
    network = [(np.array([[3, 0], [1, -7]]) * lsb, np.zeros(2)), (np.array([[5], [1]]) * lsb, np.zeros(1))]
    intervals = value_intervals(arch, network)
    np.testing.assert_array_equal(intervals[1][1], [5.96875, 7.96875])  # not the kernel's own 3.96875 and 7
    out_low, out_high, _ = intervals[-1]
    traced = trace_network(arch, network).out_qint
    assert (out_low[0], out_high[0]) == (traced[0].min, traced[0].max) == (0.0, 4.75)
    # A ReLU of ReLUs with only negative weights varies when a weight's digits have both signs.
    relus = Architecture.from_widths([2, 2, 2, 1], weight_bits=8, weight_integer_bits=4)
    mixed = [(np.eye(2) * lsb, np.zeros(2)), (np.array([[-7, -1], [-1, -2]]) * lsb, np.zeros(2)), (np.array([[1], [1]]) * lsb, np.zeros(1))]
    low, high, _ = value_intervals(relus, mixed)[2]
    assert high[0] > low[0] == 0.0  # -7 = 1 - 8: its +1 digit reaches above zero
    assert high[1] == low[1] == 0.0  # -1 and -2: single negative digits, a constant zero


def test_weight_statistics_leave_out_the_weights_of_dead_and_constant_neurons() -> None:
    """da4ml builds no adders for a neuron that feeds nothing, nor for one that reads nothing (a constant)."""
    arch = Architecture.from_widths([2, 3, 1], weight_bits=8, weight_integer_bits=4)
    lsb = 2.0**-3
    first = np.array([[3, 1, 7], [1, 0, 5]]) * lsb  # neuron 1 (digits 1 + 0) and neuron 2 (2 + 2) of the hidden layer
    second = np.array([[1], [0], [6]]) * lsb  # neuron 1 reaches nothing
    counts = weight_statistics(arch, [(first, np.zeros(3)), (second, np.zeros(1))])
    # Layer 0 keeps neurons 0 (digits 2 + 1) and 2 (2 + 2): 7 digits, 4 weights, busiest column 4,
    # on 8-bit inputs; layer 1 reads neuron 0 (3 = 4 - 1 and 1, each digit bounded on its own: up to
    # (4 · 7.9375 + 8 + 7.9375) / 8, rounded to 5.96875, 192 values) and neuron 2 (saturated: 8 bits).
    np.testing.assert_allclose(counts[:, :6], [[7, 4, 4, 7 * 8, 0, 2 * 8], [3, 2, 3, 1 * np.log2(192) + 2 * 8, 0, 0]])
    # A zero in a chain: before it nothing is used (dead), after it nothing varies (constant).
    deep = Architecture.from_widths([1, 1, 1, 1], weight_bits=8, weight_integer_bits=4)
    zero_middle = [(np.array([[3.0]]) * lsb, np.zeros(1)), (np.array([[0.0]]), np.zeros(1)), (np.array([[1.0]]) * lsb, np.zeros(1))]
    np.testing.assert_array_equal(weight_statistics(deep, zero_middle)[:, :6], np.zeros((3, 6)))  # the input reaches nothing live
    # Hidden neuron 1 reads nothing: a constant, so its outgoing weight (3: 2 digits) builds nothing.
    constant = [(np.array([[1, 0], [2, 0]]) * lsb, np.zeros(2)), (np.array([[1], [3]]) * lsb, np.zeros(1))]
    np.testing.assert_allclose(weight_statistics(Architecture.from_widths([2, 2, 1], weight_bits=8, weight_integer_bits=4), constant)[:, :6],
                               [[2, 2, 2, 2 * 8, 0, 2 * 8], [1, 1, 1, np.log2(96), 0, 0]])  # neuron 0 reaches 2.96875: 96 values


def test_weight_statistics_leave_out_neurons_that_interval_arithmetic_proves_constant() -> None:
    """A ReLU whose sum never turns positive is a constant zero, though its weights are nonzero (da4ml's bounds)."""
    arch = Architecture.from_widths([2, 2, 2, 1], weight_bits=8, weight_integer_bits=4)
    lsb = 2.0**-3
    network = [
        (np.array([[1, 0], [0, 1]]) * lsb, np.zeros(2)),  # two ReLUs of the inputs: never negative
        (np.array([[-1, 1], [-2, 1]]) * lsb, np.zeros(2)),  # neuron 0 sums them with negative weights: always 0
        (np.array([[3], [5]]) * lsb, np.zeros(1)),
    ]
    counts = weight_statistics(arch, network)
    # Layer 1 builds neuron 1 only (2 digits), layer 2 the weight from it (5: 2 digits), not 3's.
    np.testing.assert_array_equal(counts[:, :3], [[2, 2, 1], [2, 2, 2], [2, 1, 2]])
    low, high, _ = value_intervals(arch, network)[2]
    assert low[0] == high[0] == 0.0 and high[1] > 0.0


def test_a_pool_sums_only_the_values_that_vary_into_outputs_that_are_used() -> None:
    """da4ml folds a constant (a dead neuron's output) into the sum and removes a sum nothing reads."""
    from snac_pack.hardware.architecture import DenseLayerSpec, PointwiseLayerSpec, PoolLayerSpec

    formats = {"weight_bits": 8, "weight_integer_bits": 4, "activation_bits": 8, "activation_integer_bits": 3}
    arch = Architecture(
        n_inputs=1, tokens=4, input_bits=4, input_integer_bits=1,
        layers=(PointwiseLayerSpec(units=2, **formats), PoolLayerSpec(), DenseLayerSpec(units=1, activation="linear", **formats)),
    )
    lsb = 2.0**-3
    live_head = (np.array([[1.0], [1.0]]) * lsb, np.zeros(1))
    # Feature 1's weight is zero: a constant on every token, its average costs nothing.
    network = [(np.array([[3.0, 0.0]]) * lsb, np.zeros(2)), live_head]
    counts = weight_statistics(arch, network)
    # 3 adders sum feature 0's 4 tokens, each as wide as da4ml makes it; they go to the pointwise
    # layer, the one before the pool.
    pool_bits = _da4ml_costs(arch, network)[0][1]
    assert pool_bits > 0
    np.testing.assert_allclose(counts[:, 4], [pool_bits, 0.0])
    # The head does not read feature 0: its average and the weights into it are removed.
    unread = [network[0], (np.array([[0.0], [1.0]]) * lsb, np.zeros(1))]
    np.testing.assert_array_equal(weight_statistics(arch, unread)[0], np.zeros(7))
    # The weight-aware description carries the counted bits; the architecture-only one, every sum.
    columns = matrix_columns(2)
    aware = dict(zip(columns, realised_matrix([arch], [counts], max_layers=2)[0], strict=True))
    assert aware["pool_adder_bits"] == pytest.approx(pool_bits)
    from snac_pack.hardware.surrogate_features import architecture_matrix

    # Per feature, 2 adders of the 8-bit activations, then 1 of their 9-bit sums.
    assert dict(zip(columns, architecture_matrix([arch], max_layers=2)[0], strict=True))["pool_adder_bits"] == 2 * (2 * 8 + 9)


def test_the_used_input_bits_are_those_da4ml_registers() -> None:
    """An input whose every weight is pruned, or whose neurons feed nothing, gets no input register in da4ml."""
    from da4ml.cmvm.types import _minimal_kif  # da4ml's width of a registered value

    from snac_pack.hardware.exact import ExactDesign

    arch = Architecture.from_widths([4, 3, 2], weight_bits=6, weight_integer_bits=2, input_bits=6)
    lsb = 2.0**-3
    first = np.array([[1, 2, 0], [0, 0, 0], [0, 0, 3], [1, 0, 0]]) * lsb  # input 1 pruned away; input 2 feeds neuron 2 only
    second = np.array([[1, 0], [2, 1], [0, 0]]) * lsb  # neuron 2 feeds nothing, so input 2 is unused too
    network = [(first, np.zeros(3)), (second, np.zeros(2))]
    counts = weight_statistics(arch, network)
    assert counts[0, 5] == 2 * 6 and counts[1, 5] == 0
    pipeline = ExactDesign.build(arch, network).pipeline
    registered = sum(sum(kif) for kif in map(_minimal_kif, pipeline.inp_qint))
    assert registered == counts[0, 5]


def test_realised_matrix_holds_the_counts_and_the_realised_sparsity() -> None:
    arch = Architecture.from_widths([2, 2, 1], weight_bits=8, weight_integer_bits=4)
    counts = np.array([[5.0, 3.0, 3.0, 40.0, 0.0, 8.0, 30.0], [2.0, 1.0, 2.0, 11.0, 0.0, 0.0, 12.0]])
    matrix = realised_matrix([arch], [counts], max_layers=3)
    columns = dict(zip(matrix_columns(3), matrix[0], strict=True))
    assert columns["layer0_csd_digits"] == 5 and columns["layer1_csd_digits"] == 2
    assert columns["layer0_sparsity"] == pytest.approx(0.25) and columns["layer1_sparsity"] == pytest.approx(0.5)
    assert columns["layer0_digit_bits"] == 40 and columns["layer1_digit_bits"] == 11
    assert columns["layer1_input_bits"] == 5.5  # the interval width the digits read, on average
    assert columns["layer0_rounded_bits"] == 30 and columns["layer1_rounded_bits"] == 12
    assert columns["layer2_units"] == 0  # padding stays empty
    assert matrix[0, column_index("unpruned_weights", 3)] == 4
    # The registers count the used input bits (one 8-bit input of two), not every input's.
    every_input = realised_matrix([arch], [np.column_stack([counts[:, :5], [16.0, 0.0], counts[:, 6]])], max_layers=3)
    assert every_input[0, column_index("register_bits", 3)] - matrix[0, column_index("register_bits", 3)] == 8
    with pytest.raises(ValueError, match="expected \\(2, 7\\)"):
        realised_matrix([arch], [counts[:1]], max_layers=3)


def _trained_like(arch: Architecture, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Heavy-tailed kernels of a scale far from Glorot's, magnitude-pruned at a random rate: what training gives."""
    scale = rng.uniform(0.02, 0.6)
    network = []
    for (fan_in, units), layer in zip(arch.layer_shapes(), arch.layers, strict=True):
        kernel = rng.laplace(0.0, scale, size=(fan_in, units))
        kernel[np.abs(kernel) < np.quantile(np.abs(kernel), rng.uniform(0.0, 0.9))] = 0.0
        network.append((quantize_weights(kernel, layer.weight_bits, layer.weight_integer_bits),
                        quantize_weights(np.zeros(units), layer.weight_bits, layer.weight_integer_bits)))
    return network


def _rows(n: int, seed: int, origin: str = "trained") -> pd.DataFrame:
    """Rows costed as da4ml counts LUTs: the adder bits of the kernels' actual CSD digits.

    ``origin``: ``trained`` (heavy-tailed kernels far from Glorot's) or ``random`` (Glorot-normal draws).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(n):
        widths = [16, *rng.choice([8, 16, 32], size=rng.integers(1, 4)), 5]
        arch = Architecture.from_widths(widths, weight_bits=int(rng.choice([4, 6, 8])), sparsity=float(rng.uniform(0, 0.8)))
        request = DesignRequest(arch, "random", seed * 10_000 + index) if origin == "random" else None
        network = request.network() if request else _trained_like(arch, rng)
        counts = weight_statistics(arch, network)
        input_bits = [arch.input_bits, *(layer.activation_bits for layer in arch.layers[:-1])]
        lut = float(sum(c[0] * bits for c, bits in zip(counts, input_bits, strict=True)))
        cost = HardwareCost(source="da4ml", stage="estimate", target=arch.target, lut=lut, ff=0.3 * lut + 50, dsp=0.0,
                            bram_18k=0.0, latency_cycles=2 * arch.depth, latency_ns=10.0 * arch.depth, initiation_interval=1)
        rows.append(cost_row(request or DesignRequest(arch, "trained", seed * 10_000 + index, network), cost, 0.1, network))
    return pd.DataFrame(rows)


def _training_rows(n_trained: int, seed: int) -> pd.DataFrame:
    """Trained networks and half as many random draws (which the architecture-only regressors learn from)."""
    return pd.concat([_rows(n_trained, seed), _rows(n_trained // 2, seed + 100, "random")], ignore_index=True)


def test_weight_aware_prediction_follows_trained_weights_that_the_architecture_alone_cannot() -> None:
    training, held_out = _training_rows(400, seed=0), _rows(80, seed=1)
    archs = [Architecture.model_validate_json(text) for text in training["arch_json"]]
    surrogate = fit_surrogate(training, archs, max_layers=4, statistics=[row_statistics(row) for _, row in training.iterrows()])
    assert surrogate.weight_aware and surrogate.n_weight_rows == 600 and surrogate.n_architecture_rows == 200

    weight_aware = evaluate_rows(surrogate, held_out, weight_aware=True)
    architecture_only = evaluate_rows(surrogate, held_out)
    assert weight_aware["n"] == 80
    assert weight_aware["lut"]["median_rel_error"] < 0.05
    assert architecture_only["lut"]["median_rel_error"] > 3 * weight_aware["lut"]["median_rel_error"]


def test_weights_and_their_statistics_give_one_prediction_and_unknown_weights_are_refused() -> None:
    training = _training_rows(60, seed=0)
    archs = [Architecture.model_validate_json(text) for text in training["arch_json"]]
    rng = np.random.default_rng(5)
    networks = [_trained_like(arch, rng) for arch in archs[:5]]
    surrogate = fit_surrogate(training, archs, max_layers=4, statistics=[row_statistics(row) for _, row in training.iterrows()])
    by_weights = surrogate.predict(archs[:5], weights=networks)
    by_counts = surrogate.predict(archs[:5], statistics=[weight_statistics(a, n) for a, n in zip(archs[:5], networks, strict=True)])
    pd.testing.assert_frame_equal(by_weights, by_counts)

    architecture_only = fit_surrogate(training, archs, max_layers=4)
    with pytest.raises(ValueError, match="no weight-aware regressors"):
        architecture_only.predict(archs[:1], weights=networks[:1])


def test_a_random_draw_without_recorded_counts_is_recounted_from_its_seed() -> None:
    arch = Architecture.from_widths([16, 8, 5], sparsity=0.5)
    request = DesignRequest(arch, "random", 7)
    cost = HardwareCost(source="da4ml", stage="estimate", target=arch.target, lut=1.0, ff=1.0, dsp=0.0, bram_18k=0.0,
                        latency_cycles=1, latency_ns=5.0, initiation_interval=1)
    recorded = cost_row(request, cost, 0.1, request.network())
    legacy = cost_row(request, cost, 0.1)
    assert "weight_statistics" not in legacy
    np.testing.assert_array_equal(row_statistics(legacy), row_statistics(recorded))
    assert row_statistics(cost_row(DesignRequest(arch, "trained", 3, request.network()), cost, 0.1)) is None
    # Counts of an older definition (before dead neurons were left out): a random draw is
    # recounted from its seed, a trained network (whose weights are gone) is unknown.
    stale = {**recorded, "weight_statistics": [[99.0, 9.0, 9.0, 9.0]] * 2}
    stale.pop("weight_statistics_version")
    np.testing.assert_array_equal(row_statistics(stale), row_statistics(recorded))
    assert row_statistics({**stale, "weight_origin": "trained"}) is None


def test_accuracy_is_reported_per_plan_of_designs() -> None:
    from snac_pack.hardware.surrogate import accuracy_by_plan

    training, held_out = _training_rows(200, seed=0), _rows(40, seed=1)
    archs = [Architecture.model_validate_json(text) for text in training["arch_json"]]
    surrogate = fit_surrogate(training, archs, max_layers=4, statistics=[row_statistics(row) for _, row in training.iterrows()])
    held_out["plan"] = ["jet" if index % 2 else None for index in range(len(held_out))]
    by_plan = accuracy_by_plan(surrogate, held_out)
    assert set(by_plan) == {"jet", "untagged"}
    assert by_plan["jet"]["trained_weights_weight_aware"]["n"] == 20 and by_plan["jet"]["random_weights"] == {"n": 0}
    assert by_plan["jet"]["trained_weights_weight_aware"]["lut"]["median_rel_error"] < 0.05


def test_architecture_only_regressors_learn_from_glorot_draws_only_and_say_so_without_any() -> None:
    """A trained network described by the Glorot expectation of its digits would teach them a wrong cost."""
    trained, random = _rows(60, seed=0), _rows(40, seed=1, origin="random")
    archs = [Architecture.model_validate_json(text) for text in random["arch_json"]]
    alone = fit_surrogate(random, archs, max_layers=4)
    mixed_table = pd.concat([random, trained], ignore_index=True)
    mixed_archs = archs + [Architecture.model_validate_json(text) for text in trained["arch_json"]]
    mixed = fit_surrogate(mixed_table, mixed_archs, max_layers=4)
    assert mixed.n_architecture_rows == alone.n_architecture_rows == 40 and mixed.n_training_rows == 100
    pd.testing.assert_frame_equal(mixed.predict(archs[:10]), alone.predict(archs[:10]))
    with pytest.raises(ValueError, match="no ground-truth row is a random Glorot-normal weight draw.*n_random_designs"):
        fit_surrogate(trained, mixed_archs[40:], max_layers=4)


def _da4ml_costs(arch: Architecture, network: list) -> tuple[list[float], list[float]]:
    """da4ml's adder bits of each layer and of each layer's quantizer, from traces of the network cut after each."""
    from da4ml.trace import FixedVariableArrayInput, HWConfig, comb_trace
    from da4ml.trace.ops import quantize

    from snac_pack.hardware.architecture import quantizes
    from snac_pack.hardware.exact import HARD_DELAY_CONSTRAINT, _round_half_even
    from snac_pack.hardware.layers import apply_layer
    from snac_pack.hardware.network import layer_weights

    inputs = FixedVariableArrayInput(arch.input_shape, HWConfig(1, -1, -1), solver_options={"hard_dc": HARD_DELAY_CONSTRAINT})
    x = quantize(inputs, *arch.input_format.kif)
    layer_bits, quantizer_bits, before = [], [], 0.0
    for layer, own in zip(arch.layers, layer_weights(arch, network), strict=True):
        x = apply_layer(layer, x, own)
        computed = float(comb_trace(inputs, x).cost)
        if quantizes(layer):
            x = _round_half_even(x, *layer.activation_format.kif)
        rounded = float(comb_trace(inputs, x).cost)
        layer_bits.append(computed - before)
        quantizer_bits.append(rounded - computed)
        before = rounded
    return layer_bits, quantizer_bits


def test_the_quantizers_bits_are_what_da4ml_builds_for_them() -> None:
    """Each layer's rounding and saturation, and a pool's, counted as da4ml's netlist costs them.

    Where da4ml's adder graph shares subexpressions its bounds of a sum can be looser than the
    digits' (a neuron of weights 5, 1, 1 reached ±8.7 where the digits bound it by ±7): these
    kernels share nothing, so the intervals, and the quantizers' bits, are exactly da4ml's.
    """
    from snac_pack.hardware.architecture import DenseLayerSpec, PointwiseLayerSpec, PoolLayerSpec

    lsb = 2.0**-3
    mlp = Architecture.from_widths([3, 4, 2], weight_bits=6, weight_integer_bits=2, input_bits=6)
    network = [(np.array([[1, 2, 0, 4], [3, 0, 1, 1], [0, 6, 2, 1]]) * lsb, np.array([0, 1, 0, 2]) * lsb),
               (np.array([[1, 0], [2, 3], [1, 1], [0, 5]]) * lsb, np.zeros(2))]
    np.testing.assert_array_equal(weight_statistics(mlp, network)[:, 6], _da4ml_costs(mlp, network)[1])
    formats = {"weight_bits": 6, "weight_integer_bits": 2, "activation_bits": 6, "activation_integer_bits": 2}
    tokens = Architecture(
        n_inputs=2, tokens=4, input_bits=6, input_integer_bits=2,
        layers=(PointwiseLayerSpec(units=3, **formats), PoolLayerSpec(), DenseLayerSpec(units=2, activation="linear", **formats)),
    )
    pooled = [(np.array([[1, 2, 0], [3, 1, 1]]) * lsb, np.zeros(3)), (np.array([[1, 2], [0, 1], [3, 1]]) * lsb, np.zeros(2))]
    layer_bits, quantizer_bits = _da4ml_costs(tokens, pooled)
    counts = weight_statistics(tokens, pooled)
    # The pool's quantizer goes to the layer before it, as its adders do.
    np.testing.assert_array_equal(counts[:, 6], [quantizer_bits[0] + quantizer_bits[1], quantizer_bits[2]])
    assert counts[0, 4] == layer_bits[1]
