"""Concrete quantized networks: weights on the fixed-point grid and a numpy reference forward pass.

A network's weights are a sequence of ``(kernel, bias)`` pairs, one per layer with weights
(:meth:`Architecture.weighted_layers`; every layer of an MLP), as Keras' ``layer.get_weights()``
returns a dense layer's: ``kernel`` has shape ``(fan_in, units)`` (:meth:`Architecture.layer_shapes`;
a convolution's ``(kernel_size, features, units)`` kernel reshaped to ``(kernel_size · features,
units)``) and ``bias`` ``(units,)``, both already on the layer's weight grid (see
:func:`quantize_weights`).

:func:`forward_quantized` is the reference of the fixed-point semantics documented in
:mod:`snac_pack.hardware.architecture`; da4ml's bit-exact model (:mod:`snac_pack.hardware.exact`)
must agree with it bit for bit.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from snac_pack.hardware.architecture import Architecture, has_weights, quantizes
from snac_pack.hardware.fixed_point import FixedFormat, is_representable, quantize_to_format, signed_digit_parts
from snac_pack.hardware.layers import apply_layer
from snac_pack.hardware.operation_cost import constant_step

LayerWeights = tuple[NDArray[np.float64], NDArray[np.float64]]
NetworkWeights = Sequence[LayerWeights]

#: Standard deviation of the random biases: trained biases of small classifiers are small.
RANDOM_BIAS_STD = 0.05


def quantize_weights(weights: ArrayLike, bits: int, integer_bits: int) -> NDArray[np.float64]:
    """Quantize weights to a signed fixed-point grid (QKeras ``quantized_bits(bits, integer_bits, alpha=1)``).

    Args:
        weights: Real-valued weights.
        bits: Width, sign included.
        integer_bits: Integer bits, sign excluded.

    Returns:
        The nearest representable values (ties up), saturated to the range.
    """
    return quantize_to_format(weights, FixedFormat(bits, integer_bits, signed=True))


def quantize_inputs(arch: Architecture, x: ArrayLike) -> NDArray[np.float64]:
    """Quantize real inputs to the network's input format, as the upstream data path would.

    Args:
        arch: The architecture.
        x: Inputs, shape ``(n_samples, *arch.input_shape)``.

    Returns:
        The inputs on the input grid.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape[1:] != arch.input_shape:
        raise ValueError(f"x must have shape (n_samples, {', '.join(map(str, arch.input_shape))}), got {x.shape}")
    return quantize_to_format(x, arch.input_format)


def layer_weights(arch: Architecture, weights: NetworkWeights) -> list[tuple[object, object] | None]:
    """The weights of every layer of ``arch`` in order: its ``(kernel, bias)``, or None for a layer without.

    Args:
        arch: The architecture.
        weights: One ``(kernel, bias)`` per layer with weights.

    Returns:
        One entry per layer.
    """
    remaining = iter(weights)
    return [next(remaining) if has_weights(layer) else None for layer in arch.layers]


def validate_weights(arch: Architecture, weights: NetworkWeights) -> None:
    """Check that weights match the architecture's shapes and lie on each layer's weight grid.

    Args:
        arch: The architecture.
        weights: One ``(kernel, bias)`` per layer with weights.

    Raises:
        ValueError: Naming the first offending layer (its position in ``arch.layers``) and what is wrong.
    """
    positions = [index for index, layer in enumerate(arch.layers) if has_weights(layer)]
    if len(weights) != len(positions):
        raise ValueError(f"weights has {len(weights)} layers, the architecture {len(positions)} with weights")
    for index, (fan_in, units), layer, (kernel, bias) in zip(
        positions, arch.layer_shapes(), arch.weighted_layers(), weights, strict=True
    ):
        if np.shape(kernel) != (fan_in, units) or np.shape(bias) != (units,):
            raise ValueError(
                f"layer {index}: kernel {np.shape(kernel)} and bias {np.shape(bias)} do not match "
                f"({fan_in}, {units}) and ({units},)"
            )
        for name, values in (("kernel", kernel), ("bias", bias)):
            if not is_representable(values, layer.weight_format):
                raise ValueError(
                    f"layer {index}: {name} is not on the {layer.weight_format} grid; "
                    "quantize it with quantize_weights(values, weight_bits, weight_integer_bits)"
                )


#: Distributions of random kernels: Glorot's normal and uniform (what initialisers give) and a
#: heavy-tailed Laplace of the same standard deviation (closer to trained, L1-pruned kernels).
WeightDistribution = Literal["glorot_normal", "glorot_uniform", "laplace"]
WEIGHT_DISTRIBUTIONS: tuple[WeightDistribution, ...] = get_args(WeightDistribution)


def _draw_kernel(rng: np.random.Generator, shape: tuple[int, int], distribution: WeightDistribution) -> NDArray[np.float64]:
    std = np.sqrt(2.0 / (shape[0] + shape[1]))
    if distribution == "glorot_normal":
        return rng.normal(0.0, std, size=shape)
    if distribution == "glorot_uniform":
        return rng.uniform(-np.sqrt(3.0) * std, np.sqrt(3.0) * std, size=shape)
    if distribution == "laplace":
        return rng.laplace(0.0, std / np.sqrt(2.0), size=shape)
    raise ValueError(f"unknown weight distribution {distribution!r}; valid: {list(WEIGHT_DISTRIBUTIONS)}")


def random_quantized_network(
    arch: Architecture, rng: np.random.Generator, distribution: WeightDistribution = "glorot_normal"
) -> list[LayerWeights]:
    """Draw realistic weights for an architecture, pruned and quantized as it specifies.

    Kernels are drawn from ``distribution`` with Glorot's standard deviation √(2 / (fan_in + units)),
    the ``sparsity`` fraction with the smallest magnitudes is set to zero (magnitude pruning, as
    tfmot does), then everything is quantized to the layer's weight grid. Quantization zeroes
    further small weights, so the realised sparsity can exceed the requested one. Biases are
    N(0, 0.05²), quantized alike.

    Args:
        arch: The architecture.
        rng: Random generator.
        distribution: one of :data:`WEIGHT_DISTRIBUTIONS`.

    Returns:
        One ``(kernel, bias)`` per layer with weights.
    """
    network: list[LayerWeights] = []
    for (fan_in, units), layer in zip(arch.layer_shapes(), arch.weighted_layers(), strict=True):
        kernel = _draw_kernel(rng, (fan_in, units), distribution)
        n_pruned = int(round(layer.sparsity * kernel.size))
        if n_pruned:
            smallest = np.argsort(np.abs(kernel), axis=None)[:n_pruned]
            kernel.flat[smallest] = 0.0
        bias = rng.normal(0.0, RANDOM_BIAS_STD, size=units)
        network.append(
            (
                quantize_weights(kernel, layer.weight_bits, layer.weight_integer_bits),
                quantize_weights(bias, layer.weight_bits, layer.weight_integer_bits),
            )
        )
    return network


def forward_quantized(arch: Architecture, weights: NetworkWeights, x: ArrayLike) -> NDArray[np.float64]:
    """Numpy reference forward pass with the architecture's fixed-point semantics.

    The inputs are quantized to the input format; each layer computes its result exactly
    (:mod:`snac_pack.hardware.layers`) and quantizes it to its activation format (round to
    nearest, saturate).

    Args:
        arch: The architecture.
        weights: One ``(kernel, bias)`` per layer with weights, on the weight grids.
        x: Real inputs, shape ``(n_samples, *arch.input_shape)``.

    Returns:
        The head's quantized outputs, shape ``(n_samples, n_outputs)``.
    """
    validate_weights(arch, weights)
    activations = quantize_inputs(arch, x)
    for layer, own in zip(arch.layers, layer_weights(arch, weights), strict=True):
        # float64 is exact here: operands have at most 16 bits and MAX_BITS keeps every sum
        # far below 2**52 in units of its least significant bit.
        activations = apply_layer(layer, activations, own)
        if quantizes(layer):
            activations = quantize_to_format(activations, layer.activation_format)
    return activations


#: A value range: lows, highs (same shape as the values) and the grid step (one, or one per value).
ValueInterval = tuple[NDArray[np.float64], NDArray[np.float64], float | NDArray[np.float64]]


def value_intervals(arch: Architecture, weights: NetworkWeights) -> list[ValueInterval]:
    """The range of every value of the network over all inputs, as da4ml's interval arithmetic bounds it.

    da4ml knows each value's interval and grid: an input spans its format; a layer with weights
    is an adder graph over the kernel's canonical signed digits, each digit one shifted input, so
    its bound is the digits' bounds summed: with the kernel split into its positive and negative
    digits (``kernel = P − N``, :func:`~snac_pack.hardware.fixed_point.signed_digit_parts`), the
    box ``[low, high]`` maps to ``[P·low − N·high, P·high − N·low] + bias``. That is wider than
    the kernel's own bound where a weight's digits have both signs (−7 = 1 − 8): a ReLU whose
    weights are all negative then still varies in da4ml's netlist, and is built. A pool sums
    (positive coefficients); the activation quantizer rounds and saturates both ends (a ReLU's
    unsigned format clips at zero). A value whose interval is one point is a constant (no
    logic), and a value's width is the bits its interval needs, which sets its adders'.

    Args:
        arch: The architecture.
        weights: One ``(kernel, bias)`` per layer with weights, on the weight grids.

    Returns:
        ``arch.depth + 1`` intervals: the input of every layer, then the network's output.
    """
    return layer_intervals(arch, weights)[0]


def layer_intervals(arch: Architecture, weights: NetworkWeights) -> tuple[list[ValueInterval], list[ValueInterval]]:
    """The intervals of :func:`value_intervals`, and each layer's exact result before its quantizer, on its own grid.

    The grid of a result of a layer with weights is its input's times the lowest digit of the
    unit's weights, or the bias's grid where finer, as da4ml's adder graph gives it (a neuron of
    few digits is coarser than its input times the weights' LSB); a pool's is its input's divided
    by its size (the average's division is a shift); a flatten's is its input's. The quantizer
    reads the result: its rounding adds at this width.

    Returns:
        The ``arch.depth + 1`` intervals of :func:`value_intervals`, and ``arch.depth`` results.
    """
    low = np.full(arch.input_shape, arch.input_format.min_value)
    high = np.full(arch.input_shape, arch.input_format.max_value)
    step = arch.input_format.step
    intervals: list[ValueInterval] = []
    results: list[ValueInterval] = []
    for layer, own in zip(arch.layers, layer_weights(arch, weights), strict=True):
        intervals.append((low, high, step))
        if own is None:
            low, high = apply_layer(layer, low[None], None)[0], apply_layer(layer, high[None], None)[0]
            if layer.kind == "pool":  # the average's division by its power-of-two size is a shift
                step = step / (intervals[-1][0].shape[0] if layer.size is None else layer.size)
        else:
            kernel, bias = (np.asarray(array, dtype=np.float64) for array in own)
            lsb = layer.weight_format.step
            integers = np.rint(kernel / lsb)
            positive, negative = (part * lsb for part in signed_digit_parts(integers))
            no_bias = np.zeros_like(bias)
            low, high = (
                apply_layer(layer, low[None], (positive, bias))[0] - apply_layer(layer, high[None], (negative, no_bias))[0],
                apply_layer(layer, high[None], (positive, bias))[0] - apply_layer(layer, low[None], (negative, no_bias))[0],
            )
            # Each unit's grid: its lowest digit times the input's, or its bias's where finer.
            magnitudes = np.abs(integers).astype(np.int64)
            lowest_digit = np.where(magnitudes > 0, magnitudes & -magnitudes, np.iinfo(np.int64).max).min(axis=0)
            unit_step = np.minimum(step * lsb * lowest_digit, constant_step(bias))
            unit_step = np.where(np.isfinite(unit_step), unit_step, step * lsb)  # a constant result: any grid
            step = apply_layer(layer, np.zeros_like(intervals[-1][0])[None], (np.zeros_like(kernel), unit_step))[0]
        results.append((low, high, step))
        if quantizes(layer):
            low, high = quantize_to_format(low, layer.activation_format), quantize_to_format(high, layer.activation_format)
            step = layer.activation_format.step
    intervals.append((low, high, step))
    return intervals, results
