"""The quantizer's adder bits in numpy equal da4ml's own trace of the same rounding, value by value."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from snac_pack.hardware.exact import _round_half_even
from snac_pack.hardware.operation_cost import quantizer_adder_bits


def _traced_bits(low: float, high: float, step: float, kif: tuple[int, int, int]) -> float:
    """da4ml's cost of the netlist that rounds one value of ``[low, high]`` (the nodes the rounded value depends on)."""
    from da4ml.trace import HWConfig
    from da4ml.trace.fixed_variable import FixedVariable
    from da4ml.trace.fixed_variable_array import FixedVariableArray

    value = FixedVariable(Decimal(low), Decimal(high), Decimal(step), hwconf=HWConfig(1, -1, -1), opr="new", latency=0.0)
    rounded = _round_half_even(FixedVariableArray(np.array([value]), {"hard_dc": 2}), *kif)._vars.ravel()[0]  # noqa: SLF001
    seen, pending, bits = set(), [rounded], 0.0
    while pending:
        node = pending.pop()
        if id(node) in seen or node is value:
            continue
        seen.add(id(node))
        bits += float(node.cost)
        pending.extend(node._from)  # noqa: SLF001
    return bits


def _random_cases(n: int, seed: int) -> list[tuple[float, float, float, tuple[int, int, int]]]:
    """Values of every kind the layers produce: finer or coarser than the format, inside it or saturating at either end."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n:
        own_fractional = int(rng.integers(2, 14))
        step = 2.0**-own_fractional
        kif = (int(rng.integers(0, 2)), int(rng.integers(0, 5)), int(rng.integers(1, 9)))
        low, high = sorted(rng.integers(-(2 ** (own_fractional + 4)), 2 ** (own_fractional + 4), 2) * step)
        floor, ceiling = -kif[0] * 2.0 ** kif[1], 2.0 ** kif[1] - 2.0 ** -kif[2]
        quantized = np.clip(np.round(np.array([low, high]) * 2.0 ** kif[2]) / 2.0 ** kif[2], floor, ceiling)
        if quantized[0] < quantized[1]:  # a value that rounds to a constant has no logic: not counted
            cases.append((float(low), float(high), step, kif))
    return cases


@pytest.mark.parametrize("seed", [0, 1])
def test_quantizer_adder_bits_equal_da4ml_trace(seed: int) -> None:
    for low, high, step, kif in _random_cases(300, seed):
        expected = _traced_bits(low, high, step, kif)
        assert quantizer_adder_bits(np.array([low]), np.array([high]), step, kif)[0] == expected, (low, high, step, kif)


def test_quantizer_adder_bits_of_a_batch_of_formats_equal_one_value_at_a_time() -> None:
    cases = _random_cases(200, 2)
    low, high, step = (np.array([case[index] for case in cases]) for index in range(3))
    kif = tuple(np.array([case[3][part] for case in cases]) for part in range(3))
    one_at_a_time = [quantizer_adder_bits(low[[i]], high[[i]], step[[i]], cases[i][3])[0] for i in range(len(cases))]
    np.testing.assert_array_equal(quantizer_adder_bits(low, high, step, kif), one_at_a_time)


def test_a_value_inside_the_format_costs_nothing() -> None:
    # On the format's grid and within its range: da4ml keeps the value as it is.
    assert quantizer_adder_bits(np.array([0.0]), np.array([3.5]), 0.5, (0, 2, 1))[0] == 0.0
    assert _traced_bits(0.0, 3.5, 0.5, (0, 2, 1)) == 0.0
