"""From a trained float Keras model to the quantized weights the hardware estimators cost.

Batch normalisation is folded into the preceding layer with weights (as hls4ml does), each kernel is
magnitude-pruned to its layer's sparsity, and kernels and biases are rounded to the layer's
weight grid: post-training quantization, the cheapest way to ask "what would this trained
network cost at that precision".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.network import LayerWeights, quantize_weights

if TYPE_CHECKING:
    import tf_keras


#: Keras classes with a kernel and a bias, float and quantized.
_KERNEL_LAYERS = ("Dense", "QDense", "Conv1D", "QConv1D")


def kernel_weights(model: tf_keras.Model) -> list[LayerWeights]:
    """Kernel ``(fan_in, units)`` and bias of every layer with weights, any following batch normalisation folded in.

    A convolution's ``(kernel_size, features, units)`` kernel is read window row by window row
    (:mod:`snac_pack.hardware.layers`).
    """
    layers = model.layers
    weights: list[LayerWeights] = []
    for index, layer in enumerate(layers):
        if layer.__class__.__name__ not in _KERNEL_LAYERS:
            continue
        kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer.get_weights()[:2])
        kernel = kernel.reshape(-1, kernel.shape[-1])
        following = layers[index + 1] if index + 1 < len(layers) else None
        if following is not None and following.__class__.__name__ == "BatchNormalization":
            gamma, beta, mean, variance = (np.asarray(w, dtype=np.float64) for w in following.get_weights())
            scale = gamma / np.sqrt(variance + following.epsilon)
            kernel, bias = kernel * scale, (bias - mean) * scale + beta
        weights.append((kernel, bias))
    return weights


def magnitude_prune(kernel: np.ndarray, sparsity: float) -> np.ndarray:
    """Zero the ``sparsity`` fraction of the kernel's weights with the smallest magnitudes."""
    pruned = kernel.copy()
    n_pruned = int(round(sparsity * kernel.size))
    if n_pruned:
        pruned.flat[np.argsort(np.abs(kernel), axis=None)[:n_pruned]] = 0.0
    return pruned


def quantized_network(model: tf_keras.Model, arch: Architecture) -> list[LayerWeights]:
    """The weights of a trained model, pruned and quantized as ``arch`` specifies.

    Args:
        model: a trained classifier whose layers with weights match ``arch.layer_shapes()``.
        arch: the hardware description (formats and sparsity of every layer).

    Returns:
        One ``(kernel, bias)`` per layer with weights, on each layer's weight grid.
    """
    float_weights = kernel_weights(model)
    shapes = [np.shape(kernel) for kernel, _ in float_weights]
    if shapes != arch.layer_shapes():
        raise ValueError(f"the model's kernels {shapes} do not match the architecture {arch.layer_shapes()}")
    return [
        (
            quantize_weights(magnitude_prune(kernel, layer.sparsity), layer.weight_bits, layer.weight_integer_bits),
            quantize_weights(bias, layer.weight_bits, layer.weight_integer_bits),
        )
        for (kernel, bias), layer in zip(float_weights, arch.weighted_layers(), strict=True)
    ]
