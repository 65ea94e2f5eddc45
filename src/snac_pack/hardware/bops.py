"""Bit operations (BOPs): an analytic, weight-independent measure of a quantized network's size.

For a dense layer with ``n`` inputs and ``m`` outputs, weights of ``b_w`` bits, inputs
(activations of the previous layer) of ``b_a`` bits and a fraction ``p`` of pruned weights,

    BOPs = m · n · [(1 − p) · b_a · b_w + b_a + b_w + log2(n)].

The product term counts the bit operations of the ``m·n`` multiplications that survive
pruning; ``b_a + b_w + log2(n)`` is the width of the accumulator each of the ``m·n``
accumulations runs on (the additions are kept whether or not a weight was pruned). This is the
definition of Baskin et al., "UNIQ: Uniform Noise Injection for Non-Uniform Quantization of
Neural Networks", ACM TOCS 37 (2021), as extended to pruned networks by Hawks et al.,
"Ps and Qs: Quantization-Aware Pruning for Efficient Low Latency Neural Network Inference",
Front. AI 4 (2021) 676564. Bias additions are not counted, as in both papers.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snac_pack.hardware.architecture import Architecture


def dense_layer_bops(fan_in: int, units: int, weight_bits: int, input_bits: int, sparsity: float) -> float:
    """BOPs of one dense layer.

    Args:
        fan_in: Number of inputs n.
        units: Number of outputs m.
        weight_bits: Weight width b_w.
        input_bits: Width b_a of the layer's inputs (the previous layer's activations).
        sparsity: Fraction p of weights pruned to zero, in [0, 1).

    Returns:
        m · n · [(1 − p) · b_a · b_w + b_a + b_w + log2(n)].
    """
    if fan_in < 1 or units < 1:
        raise ValueError(f"fan_in and units must be positive, got fan_in={fan_in}, units={units}")
    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparsity must lie in [0, 1), got {sparsity}")
    per_connection = (1.0 - sparsity) * input_bits * weight_bits + input_bits + weight_bits + math.log2(fan_in)
    return units * fan_in * per_connection


def architecture_bops(arch: Architecture) -> float:
    """BOPs of a whole network: the sum over its layers with weights, each times its uses.

    A kernel applied several times (every token of a ``pointwise`` layer, every position of a
    ``conv1d``, every feature of a ``token_mix``) counts once per application, as the unrolled
    firmware builds it once per application. Pooling and flattening are not counted (no
    multiplications; the sums of a pool are not part of the definition).

    Args:
        arch: The architecture; a layer reads ``input_bits`` wide inputs when it is the first
            layer with arithmetic, and the activation width of the last layer before it that
            quantizes otherwise.

    Returns:
        Total BOPs.
    """
    from snac_pack.hardware.architecture import has_weights  # it imports this module

    shapes = iter(zip(arch.layer_shapes(), arch.kernel_uses(), strict=True))
    total = 0.0
    for layer, read in zip(arch.layers, arch.layer_input_formats(), strict=True):
        if has_weights(layer):
            (fan_in, units), uses = next(shapes)
            total += uses * dense_layer_bops(fan_in, units, layer.weight_bits, read.bits, layer.sparsity)
    return total
