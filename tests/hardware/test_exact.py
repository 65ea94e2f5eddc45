"""da4ml exact cost: bit-exactness against the numpy reference, monotonic trends, Verilog metadata."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from snac_pack.hardware import (
    Architecture,
    DenseLayerSpec,
    ExactDesign,
    ImplementationTarget,
    cost_table_row,
    exact_cost,
    forward_quantized,
    latency_cutoff_for_clock,
    predict_exact,
    random_quantized_network,
)
from hardware.designs import TINY


def _cost_luts(arch: Architecture, seed: int = 0) -> float:
    """da4ml LUTs of one random draw of weights."""
    return exact_cost(arch, random_quantized_network(arch, np.random.default_rng(seed))).lut


@pytest.mark.parametrize(
    "arch",
    [
        TINY,
        Architecture.from_widths([8, 12, 6, 3], weight_bits=6, activation_bits=6, sparsity=0.5),
        Architecture(
            n_inputs=6,
            input_bits=7,
            input_integer_bits=2,
            layers=[
                DenseLayerSpec(
                    units=8, weight_bits=8, weight_integer_bits=1, activation_bits=5, activation_integer_bits=1
                ),
                DenseLayerSpec(
                    units=5, activation="linear", weight_bits=3, activation_bits=9, activation_integer_bits=4
                ),
                DenseLayerSpec(
                    units=4, activation="linear", weight_bits=5, activation_bits=4, activation_integer_bits=0
                ),
            ],
        ),
    ],
    ids=["tiny", "pruned", "mixed-precision"],
)
def test_da4ml_prediction_is_bit_exact_with_the_numpy_forward_pass(arch: Architecture) -> None:
    rng = np.random.default_rng(7)
    weights = random_quantized_network(arch, rng)
    # Wide inputs on purpose: they hit both limits of the input format.
    x = rng.normal(0.0, 3.0, size=(3000, arch.n_inputs))
    reference = forward_quantized(arch, weights, x)
    exact = predict_exact(arch, weights, x)
    assert exact.shape == (3000, arch.n_outputs)
    np.testing.assert_array_equal(exact, reference)


def test_saturating_activations_are_bit_exact() -> None:
    wider_weights = tuple(layer.model_copy(update={"weight_integer_bits": 1}) for layer in TINY.layers)
    arch = TINY.model_copy(update={"layers": wider_weights})
    weights = [
        (np.full((4, 3), 1.5), np.full(3, 0.5)),
        (np.array([[1.5, -1.75], [0.5, -2.0], [1.0, 1.25]]), np.zeros(2)),
    ]
    x = np.random.default_rng(0).normal(0.0, 2.0, size=(2000, 4))
    reference = forward_quantized(arch, weights, x)
    np.testing.assert_array_equal(predict_exact(arch, weights, x), reference)
    head = arch.layers[-1].activation_format
    assert np.any(reference == head.max_value) and np.any(reference == head.min_value)


def test_cost_is_complete_and_tagged() -> None:
    cost = exact_cost(TINY, random_quantized_network(TINY, np.random.default_rng(0)))
    assert cost.source == "da4ml" and cost.stage == "estimate" and cost.target == TINY.target
    assert cost.lut > 0 and cost.ff > 0
    assert cost.dsp == 0 and cost.bram_18k == 0
    assert cost.initiation_interval == 1
    assert cost.latency_cycles is not None and cost.latency_cycles >= 1
    assert cost.latency_ns == pytest.approx(cost.latency_cycles * TINY.target.clock_period_ns)


def test_shifts_and_wires_cost_no_luts_and_the_registers_hold_every_used_bit() -> None:
    # Each output reads one input scaled by a power of two: no adder, only wiring.
    arch = Architecture(
        n_inputs=3,
        input_bits=4,
        input_integer_bits=1,
        layers=[
            DenseLayerSpec(
                units=2, activation="linear", weight_bits=4, weight_integer_bits=0, activation_bits=8, activation_integer_bits=3
            )
        ],
    )
    kernel = np.array([[0.5, 0.0], [0.0, 0.25], [0.0, 0.0]])  # the third input is unused
    cost = exact_cost(arch, [(kernel, np.zeros(2))], latency_cutoff=5)
    assert cost.lut == 0
    # One stage: the two used 4-bit inputs and the two 4-bit outputs (a shift keeps the width).
    assert cost.ff == 2 * 4 + 2 * 4
    assert cost.latency_cycles == 1
    # 0.75 x = x - x/4: one adder, of more than one bit.
    adder = exact_cost(arch, [(np.array([[0.75, 0.0], [0.0, 0.25], [0.0, 0.0]]), np.zeros(2))], latency_cutoff=5)
    assert adder.lut > 1 and adder.details["adder_depth"] == 1


@pytest.mark.parametrize("layer", [0, 1])
def test_a_network_with_an_all_zero_kernel_is_a_constant_and_costs_nothing(layer: int) -> None:
    weights = list(random_quantized_network(TINY, np.random.default_rng(0)))
    kernel, bias = weights[layer]
    weights[layer] = (np.zeros_like(kernel), bias)
    cost = exact_cost(TINY, weights)
    # The output no longer depends on the input: every adder and register is removed.
    assert (cost.lut, cost.ff) == (0, 0)
    outputs = predict_exact(TINY, weights, np.random.default_rng(1).normal(0.0, 2.0, size=(50, 4)))
    assert np.all(outputs == outputs[0])


def test_a_constant_output_rounds_ties_to_even_as_the_forward_pass() -> None:
    # An output neuron with no weights is its bias: -1/16 on a grid of 1/4 is -0.25 half-way to 0,
    # which rounds to 0 (even). da4ml 0.5.2 read the bit of the negative constant with its sign (-0.25).
    arch = Architecture.from_widths([2, 2], weight_bits=6, activation_bits=6)
    assert arch.layers[-1].activation_format.step == 0.25
    weights = [(np.array([[0.0, 0.5], [0.0, 0.25]]), np.array([-0.0625, -0.0625]))]
    x = np.random.default_rng(2).normal(0.0, 2.0, size=(500, 2))
    reference = forward_quantized(arch, weights, x)
    assert np.all(reference[:, 0] == 0.0)
    np.testing.assert_array_equal(predict_exact(arch, weights, x), reference)


def test_pruning_more_weights_of_a_network_never_makes_it_dearer() -> None:
    arch = Architecture.from_widths([8, 16, 4], weight_bits=6, activation_bits=6)
    weights = random_quantized_network(arch, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    # Nested prunings: every step zeroes the weights of the step before and more.
    orders = [rng.permutation(kernel.size) for kernel, _ in weights]
    luts = []
    for fraction in (0.0, 0.2, 0.4, 0.6, 0.8):
        pruned = []
        for (kernel, bias), order in zip(weights, orders, strict=True):
            flat = kernel.ravel().copy()
            flat[order[: int(fraction * flat.size)]] = 0.0
            pruned.append((flat.reshape(kernel.shape), bias))
        luts.append(exact_cost(arch, pruned).lut)
    assert all(later < earlier for earlier, later in zip(luts, luts[1:])), luts
    assert luts[-1] < 0.25 * luts[0], luts


def test_cost_grows_with_width_and_bits_and_falls_with_sparsity() -> None:
    narrow = Architecture.from_widths([8, 8, 4], weight_bits=6, activation_bits=6)
    wide = Architecture.from_widths([8, 24, 4], weight_bits=6, activation_bits=6)
    assert _cost_luts(wide) > 1.5 * _cost_luts(narrow)

    low_bits = Architecture.from_widths([8, 16, 4], weight_bits=4, activation_bits=4)
    high_bits = Architecture.from_widths([8, 16, 4], weight_bits=8, activation_bits=8)
    assert _cost_luts(high_bits) > 1.5 * _cost_luts(low_bits)

    dense = Architecture.from_widths([8, 16, 4], weight_bits=6, activation_bits=6)
    sparse = Architecture.from_widths([8, 16, 4], weight_bits=6, activation_bits=6, sparsity=0.75)
    assert _cost_luts(sparse) < 0.6 * _cost_luts(dense)


def test_faster_clock_means_more_pipeline_stages_and_registers() -> None:
    weights = random_quantized_network(TINY, np.random.default_rng(3))
    slow = ExactDesign.build(TINY, weights, latency_cutoff=8).cost()
    fast = ExactDesign.build(TINY, weights, latency_cutoff=1).cost()
    assert fast.latency_cycles > slow.latency_cycles
    assert fast.ff > slow.ff
    assert fast.lut == slow.lut  # pipelining adds registers, not logic
    # One stage when the whole adder tree fits in the cutoff, one stage per adder level at 1.
    depth = slow.details["adder_depth"]
    assert 1 < depth <= 8
    assert (slow.latency_cycles, fast.latency_cycles) == (1, depth)
    assert latency_cutoff_for_clock(5.0) == 5.0 and latency_cutoff_for_clock(0.4) == 1.0


def test_verilog_metadata_agrees_with_the_cost(tmp_path: Path) -> None:
    design = ExactDesign.build(TINY, random_quantized_network(TINY, np.random.default_rng(0)), latency_cutoff=2)
    project = design.write_verilog(tmp_path / "prj", top="tiny_net")
    cost = design.cost()
    metadata = json.loads((project.directory / "metadata.json").read_text())
    assert metadata["cost"] == cost.lut
    assert metadata["reg_bits"] == cost.ff
    assert metadata["latency"] == cost.latency_cycles
    assert project.sources[-1] == Path("src/tiny_net.v")
    assert all((project.directory / source).is_file() for source in project.sources)
    assert Path("src/static/lookup_table.v") not in project.sources
    with pytest.raises(ValueError, match="identifier"):
        design.write_verilog(tmp_path / "bad", top="not a name")


def test_cost_of_another_strategy_is_refused() -> None:
    latency = TINY.model_copy(update={"target": ImplementationTarget(strategy="latency")})
    weights = random_quantized_network(latency, np.random.default_rng(0))
    with pytest.raises(ValueError, match="strategy"):
        exact_cost(latency, weights)
    np.testing.assert_array_equal(  # the fixed-point semantics do not depend on the strategy
        predict_exact(latency, weights, np.ones((2, 4))), forward_quantized(latency, weights, np.ones((2, 4)))
    )


def test_cost_table_row_combines_features_and_cost() -> None:
    cost = exact_cost(TINY, random_quantized_network(TINY, np.random.default_rng(0)))
    row = cost_table_row(TINY, cost)
    assert row["arch_key"] == TINY.key() and row["source"] == "da4ml"
    assert row["lut"] == cost.lut and row["layer0_units"] == 3.0
    assert row["target_part"] == "xcvu13p-flga2577-2-e"
    other = TINY.model_copy(update={"target": ImplementationTarget(clock_period_ns=3.0)})
    with pytest.raises(ValueError, match="target"):
        cost_table_row(other, cost)


@pytest.mark.slow
def test_isolated_exact_cost_agrees_and_replaces_its_process_after_its_budget() -> None:
    from snac_pack.hardware.exact import IsolatedExactCost, solved_weights

    weights = random_quantized_network(TINY, np.random.default_rng(0))
    coster = IsolatedExactCost(weights_per_process=1.5 * solved_weights(TINY))
    try:
        first = coster(TINY, weights)
        executor = coster._executor
        assert first == exact_cost(TINY, weights)
        coster(TINY, weights)  # over the budget: a new process
        assert coster._executor is not executor
    finally:
        coster.close()
    # A child that dies is named with the design it was costing.
    lasting = IsolatedExactCost()
    try:
        lasting(TINY, weights)
        for process in lasting._executor._processes.values():
            process.kill()
        with pytest.raises(RuntimeError, match=r"da4ml's process died costing .*\(out of memory\?\)"):
            lasting(TINY, weights)
    finally:
        lasting.close()


@pytest.mark.slow
def test_a_worker_process_that_costs_in_isolation_exits() -> None:
    # A multiprocessing child joins its children as it exits; the isolated coster's idle pool
    # must be ended before that join, or the worker never exits (a search would hang at its end).
    import multiprocessing

    from hardware.designs import cost_in_isolation_and_exit

    worker = multiprocessing.get_context("spawn").Process(target=cost_in_isolation_and_exit)
    worker.start()
    worker.join(180)
    if worker.is_alive():
        worker.kill()
        pytest.fail("the worker did not exit within 180 s after costing in isolation")
    assert worker.exitcode == 0


@pytest.mark.slow
def test_the_costing_child_of_a_killed_worker_exits(tmp_path: Path) -> None:
    # A worker stopped or killed by the OOM killer leaves no finalizer to end its costing child:
    # the child notices that its parent is gone and exits, freeing its memory.
    import multiprocessing
    import os
    import time

    from hardware.designs import cost_in_isolation_then_die

    pid_file = tmp_path / "child.pid"
    worker = multiprocessing.get_context("spawn").Process(target=cost_in_isolation_then_die, args=(str(pid_file),))
    worker.start()
    worker.join(180)
    assert worker.exitcode == 9
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.kill(child, 9)
    pytest.fail(f"the costing child {child} outlived its killed worker by 30 s")
