"""da4ml's cost of single operations in numpy: an adder, and an activation quantizer on values of known range.

After each layer the exact netlist rounds every result to the activation format
(:func:`snac_pack.hardware.exact._round_half_even`: one adder for the tie to even, then da4ml's
``quantize(..., "SAT", "RND")``: a constant for the half step, and a compare-and-select where the
value's range crosses the format's ends). Those adders are a large share of a network's LUTs
where a layer has few inputs per output: in a pointwise layer of 3 features per token they
cost twice the layer's own adder graph. Their width follows from the value's interval alone,
so :func:`quantizer_adder_bits` computes them for whole arrays of values, replaying the
operations da4ml 0.5 creates and the cost it gives each (``FixedVariable.get_cost_and_latency``
with ``HWConfig(1, -1, -1)``: an adder costs sign, integer and fractional bits of its operands,
a constant add the bits of the constant, a ReLU half its output's bits). It agrees with da4ml's
own trace of one value bit for bit (``tests/hardware/test_operation_cost.py``); a value that da4ml
holds negated (its factor −1) costs a few bits more in the netlist, which this does not see.

Numpy only: it serves the surrogate's weight counts, thousands of networks a second.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Constants are on grids no finer than this many fractional bits (the formats allow 16 bits).
_CONSTANT_GRID_BITS = 40


def _ceil_log2(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.ceil(np.log2(x))


def _constant_fractional_bits(constant: NDArray[np.float64]) -> NDArray[np.float64]:
    """The least ``f`` with ``constant · 2^f`` an integer (da4ml's ``_const_f``); 0 for 0."""
    scaled = np.rint(np.abs(constant) * 2.0**_CONSTANT_GRID_BITS).astype(np.int64)
    lowest_bit = scaled & -scaled
    return np.where(scaled > 0, _CONSTANT_GRID_BITS - np.log2(np.maximum(lowest_bit, 1)), 0.0)


def constant_step(values: ArrayLike) -> NDArray[np.float64]:
    """The grid each constant lies on, as da4ml gives it: its lowest set bit (``inf`` for 0, which adds nothing)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(values != 0, 2.0 ** -_constant_fractional_bits(values), np.inf)


def _constant_add_bits(constant: NDArray[np.float64]) -> NDArray[np.float64]:
    """A constant add's cost: the constant's bits from its most to its least significant (0 for 0)."""
    fractional = _constant_fractional_bits(constant)
    return np.where(constant != 0, _ceil_log2(np.abs(constant) + 2.0**-fractional) + fractional, 0.0)


def adder_bits(
    low0: ArrayLike, high0: ArrayLike, step0: ArrayLike, low1: ArrayLike, high1: ArrayLike, step1: ArrayLike
) -> NDArray[np.float64]:
    """da4ml's ``cost_add``: sign, the larger operand's integer bits, the coarser operand's fractional bits."""
    low0, high0, step0, low1, high1, step1 = np.broadcast_arrays(low0, high0, step0, low1, high1, step1)
    magnitude = np.maximum(np.maximum(np.abs(low0), np.abs(low1)), np.maximum(high0 + step0, high1 + step1))
    negative = (low0 < 0) | (low1 < 0)
    return negative + _ceil_log2(magnitude) - np.log2(np.maximum(step0, step1))


def quantizer_adder_bits(
    low: ArrayLike, high: ArrayLike, step: ArrayLike, kif: tuple[ArrayLike, ArrayLike, ArrayLike]
) -> NDArray[np.float64]:
    """The adder bits of rounding each value of ``[low, high]`` on the grid ``step`` to the format ``kif``.

    Args:
        low, high: the values' bounds (``high > low``: a constant costs nothing, and is the
            caller's to leave out).
        step: their grid, a power of two (scalar or per value).
        kif: the activation format: sign, integer and fractional bits (each one, or one per value).

    Returns:
        One cost per value; 0 where the quantized value is a constant (its logic is removed).
    """
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    step = np.broadcast_to(np.asarray(step, dtype=np.float64), low.shape)
    signed, integer_bits, fractional_bits = (np.broadcast_to(np.asarray(part, dtype=np.float64), low.shape) for part in kif)
    grid = 2.0**-fractional_bits
    rounds = grid > step
    zeros = np.zeros_like(low)
    # The tie to even: the value plus its kept last bit (an adder at the value's width); the
    # half-step constant of rounding merges with the subtracted step into one constant add.
    half_step = np.where(rounds, grid / 2.0 - step, 0.0)
    cost = np.where(rounds, adder_bits(low, high, step, zeros, step, step) + _constant_add_bits(half_step), 0.0)
    rounded_low, rounded_high = low + half_step, high + np.where(rounds, step, 0.0) + half_step
    # Cut to the grid within the value's own integer bits: its floor where that fits, else that format's whole range.
    own_integer_bits = _ceil_log2(np.maximum(-rounded_low, rounded_high + step))
    wrap_low, wrap_high = -(rounded_low < 0).astype(np.float64) * 2.0**own_integer_bits, 2.0**own_integer_bits - grid
    inside = (rounded_low >= wrap_low) & (rounded_high <= wrap_high)
    value_low = np.where(rounds, np.where(inside, np.floor(rounded_low / grid) * grid, wrap_low), low)
    value_high = np.where(rounds, np.where(inside, np.floor(rounded_high / grid) * grid, wrap_high), high)
    value_step = np.where(rounds, grid, step)
    fits = ~rounds & (signed >= (low < 0)) & (integer_bits >= _ceil_log2(np.maximum(-low, high + step)))
    floor, ceiling = -signed * 2.0**integer_bits, 2.0**integer_bits - grid
    signed = signed > 0
    constant = (value_high <= floor) | (value_low >= ceiling) | (value_low == value_high)
    # Saturation below: a ReLU (unsigned format), or a compare-and-select against the floor.
    below = value_low < floor
    floor_bits = np.where(
        signed,
        1.0 + adder_bits(floor, floor, 2.0**integer_bits, value_low, value_high, value_step),
        (_ceil_log2(np.maximum(value_high, 0.0) + value_step) - np.log2(value_step)) / 2.0,
    )
    floor_step = np.where(signed, np.minimum(value_step, 2.0**integer_bits), value_step)
    cost += np.where(below, floor_bits, 0.0)
    value_low, value_high = np.where(below, floor, value_low), np.where(below, np.maximum(value_high, floor), value_high)
    value_step = np.where(below, floor_step, value_step)
    # Saturation above: a compare-and-select against the ceiling.
    above = value_high > ceiling
    ceiling_bits = _constant_add_bits(ceiling) + adder_bits(value_low, value_high, value_step, ceiling, ceiling, grid)
    cost += np.where(above, ceiling_bits, 0.0)
    return np.where(fits | constant, 0.0, cost)
