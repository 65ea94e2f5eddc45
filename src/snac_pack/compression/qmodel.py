"""QKeras networks for quantization-aware training, their pruning masks and their quantized weights.

The QKeras model implements the fixed-point semantics of :mod:`snac_pack.hardware.architecture`:
the input is quantized to the input format, each dense layer's kernel and bias are quantized
with ``quantized_bits(bits, integer, alpha=1)``, hidden outputs with ``quantized_relu`` and the
head's logits with ``quantized_bits``. The model outputs the quantized logits (the softmax is in
the loss), so the network that is trained is the network that is costed and put in firmware.

Batch normalisation is not part of the quantized flow: a candidate searched with it is
retrained here without it (the warm-up trains from scratch anyway). Dropout is kept: it only
acts in training.

TensorFlow and QKeras are imported inside the functions so that importing this module is cheap.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from snac_pack.hardware.network import LayerWeights
from snac_pack.models.mlp import MLPSpec
from snac_pack.search.space import Precision

if TYPE_CHECKING:
    import tf_keras

logger = logging.getLogger(__name__)

HEAD_NAME = "output"


def dense_layer_names(depth: int) -> list[str]:
    """Names of the quantized dense layers of a network with ``depth`` hidden layers, head last."""
    return [*(f"dense_{index}" for index in range(depth)), HEAD_NAME]


def build_qkeras_mlp(
    n_inputs: int, n_classes: int, network: MLPSpec, precision: Precision, seed: int = 0
) -> tf_keras.Model:
    """A QKeras classifier whose output is the quantized logits.

    Args:
        n_inputs: input features.
        n_classes: classes (head units).
        network: hidden widths, dropout and L1 (``batch_norm`` is ignored, see the module doc).
        precision: input, weight and activation formats, network-wide or per layer (its
            sparsity is not used: pruning comes from masks).
        seed: weight initialisation seed.

    Returns:
        The uncompiled model; dense layers are named as :func:`dense_layer_names` says.
    """
    import tf_keras
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu

    if network.activation != "relu":
        raise ValueError(f"the quantized flow implements ReLU hidden layers, got activation={network.activation!r}")
    if any(network.batch_norm):
        logger.debug("Batch normalisation is not part of the quantized flow; %s is built without it", network.hidden_units)
    tf_keras.utils.set_random_seed(seed)

    n_layers = len(network.hidden_units) + 1
    formats = [precision.layer(index, n_layers) for index in range(n_layers)]

    def weight_quantizer(index: int) -> object:
        return quantized_bits(formats[index].weight_bits, precision.weight_integer_bits, alpha=1)

    regulariser = tf_keras.regularizers.L1(network.l1) if network.l1 > 0 else None
    inputs = tf_keras.Input(shape=(n_inputs,), name="inputs")
    hidden = QActivation(
        quantized_bits(precision.input_bits, precision.input_integer_bits, alpha=1), name="input_quantizer"
    )(inputs)
    for index, units in enumerate(network.hidden_units):
        hidden = QDense(
            units,
            kernel_quantizer=weight_quantizer(index),
            bias_quantizer=weight_quantizer(index),
            kernel_initializer="glorot_uniform",
            kernel_regularizer=regulariser,
            kernel_constraint=_pruning_constraint((n_inputs if index == 0 else network.hidden_units[index - 1], units)),
            name=f"dense_{index}",
        )(hidden)
        hidden = QActivation(
            quantized_relu(formats[index].activation_bits, precision.activation_integer_bits), name=f"activation_{index}"
        )(hidden)
        if network.dropout > 0:
            hidden = tf_keras.layers.Dropout(network.dropout, name=f"dropout_{index}")(hidden)
    logits = QDense(
        n_classes,
        kernel_quantizer=weight_quantizer(n_layers - 1),
        bias_quantizer=weight_quantizer(n_layers - 1),
        kernel_initializer="glorot_uniform",
        kernel_regularizer=regulariser,
        kernel_constraint=_pruning_constraint((network.hidden_units[-1], n_classes)),
        name=HEAD_NAME,
    )(hidden)
    outputs = QActivation(
        quantized_bits(formats[-1].activation_bits, precision.activation_integer_bits, alpha=1), name="output_quantizer"
    )(logits)
    return tf_keras.Model(inputs, outputs, name="qmlp")


def dense_layers(model: tf_keras.Model) -> list[tf_keras.layers.Layer]:
    """The model's quantized dense layers in order, head last."""
    return [layer for layer in model.layers if layer.__class__.__name__ == "QDense"]


def float_kernels(model: tf_keras.Model) -> list[np.ndarray]:
    """The trained (unquantized) kernels of the dense layers: what magnitude pruning ranks."""
    return [np.asarray(layer.kernel.numpy(), dtype=np.float64) for layer in dense_layers(model)]


def quantized_weights(model: tf_keras.Model) -> list[LayerWeights]:
    """Kernel and bias of every dense layer as the hardware holds them (through the layer's quantizers)."""
    weights = []
    for layer in dense_layers(model):
        kernel = np.asarray(layer.kernel_quantizer_internal(layer.kernel), dtype=np.float64)
        bias = np.asarray(layer.bias_quantizer_internal(layer.bias), dtype=np.float64)
        weights.append((kernel, bias))
    return weights


def set_masks(model: tf_keras.Model, masks: list[np.ndarray]) -> None:
    """Prune: zero the masked kernel weights (``mask == 0``) and keep them at zero in later training."""
    for layer, mask in zip(dense_layers(model), masks, strict=True):
        layer.kernel_constraint.mask.assign(mask.astype(np.float32))
        layer.kernel.assign(layer.kernel * mask.astype(np.float32))


def _pruning_constraint(shape: tuple[int, int]) -> tf_keras.constraints.Constraint:
    """A kernel constraint holding pruned weights at zero.

    The optimizer applies a variable's constraint after each update inside the compiled train
    step, so the mask costs nothing per batch (a callback would run eagerly after every batch).
    """
    import tensorflow as tf
    import tf_keras

    class PruningMask(tf_keras.constraints.Constraint):
        def __init__(self) -> None:
            self.mask = tf.Variable(tf.ones(shape), trainable=False, name="pruning_mask")

        def __call__(self, weights: tf.Tensor) -> tf.Tensor:
            return weights * self.mask

    return PruningMask()
