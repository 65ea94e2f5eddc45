"""QKeras networks built from an architecture of layer kinds, and their weights as the hardware holds them.

The model implements the fixed-point semantics of :mod:`snac_pack.hardware.architecture` layer
by layer: the input is quantized to the input format; a layer with weights quantizes its kernel
and bias with ``quantized_bits(bits, integer, alpha=1)`` and its output with ``quantized_relu``
(``relu``) or ``quantized_bits`` (``linear``); a pool averages and quantizes alike. The model
outputs the head's quantized logits (the softmax is in the loss), so the network that is trained
is the network that is costed and put in firmware.

One builder per layer kind (:data:`BUILDERS`), as every stage keeps its own handler per kind:

- ``dense`` and ``pointwise``: ``QDense`` (Keras applies a dense layer to the last axis, so on a
  sequence it is every token's);
- ``conv1d``: ``QConv1D`` with ``valid`` padding;
- ``token_mix``: ``Permute``, ``QDense`` across tokens, ``Permute`` back;
- ``pool``: ``GlobalAveragePooling1D`` or ``AveragePooling1D``;
- ``flatten``: ``Flatten``.

Layer names: a hidden layer with weights is ``<kind>_<position>`` (``dense_0``, ``dense_1``... in
an MLP), its output quantizer ``activation_<position>``, the head ``output`` and its quantizer
``output_quantizer``. Every kernel carries a pruning mask as its constraint (see :func:`set_masks`).

TensorFlow and QKeras are imported inside the functions so that importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from snac_pack.hardware.architecture import Architecture, has_weights, kernel_shape, quantizes
from snac_pack.hardware.network import LayerWeights

if TYPE_CHECKING:
    import tf_keras

HEAD_NAME = "output"
#: Keras classes of the layers that hold a kernel and a bias, in the order of ``Architecture.weighted_layers``.
KERNEL_LAYER_CLASSES = ("QDense", "QConv1D")


def layer_name(arch: Architecture, position: int) -> str:
    """The model's name of ``arch.layers[position]`` (the head is :data:`HEAD_NAME`)."""
    return HEAD_NAME if position == arch.depth - 1 else f"{arch.layers[position].kind}_{position}"


def kernel_layer_names(arch: Architecture) -> list[str]:
    """Names of the layers with weights, in order, head last."""
    return [layer_name(arch, position) for position, layer in enumerate(arch.layers) if has_weights(layer)]


def _output_quantizer(layer: Any) -> object:
    from qkeras import quantized_bits, quantized_relu

    if layer.activation == "relu":
        return quantized_relu(layer.activation_bits, layer.activation_integer_bits)
    return quantized_bits(layer.activation_bits, layer.activation_integer_bits, alpha=1)


class _Context:
    """What every builder needs besides its layer: names, regularisation and the kernel's pruning mask."""

    def __init__(self, arch: Architecture, l1: float) -> None:
        import tf_keras

        self.arch = arch
        self.regulariser = tf_keras.regularizers.L1(l1) if l1 > 0 else None

    def kernel_arguments(self, layer: Any, kernel: tuple[int, ...]) -> dict[str, Any]:
        from qkeras import quantized_bits

        def quantizer() -> object:
            return quantized_bits(layer.weight_bits, layer.weight_integer_bits, alpha=1)

        return {
            "kernel_quantizer": quantizer(),
            "bias_quantizer": quantizer(),
            "kernel_initializer": "glorot_uniform",
            "kernel_regularizer": self.regulariser,
            "kernel_constraint": _pruning_constraint(kernel),
        }


def _dense(context: _Context, layer: Any, position: int, x: Any, shape_in: tuple[int, ...]) -> Any:
    from qkeras import QDense

    fan_in, units = kernel_shape(layer, shape_in)
    return QDense(units, name=layer_name(context.arch, position), **context.kernel_arguments(layer, (fan_in, units)))(x)


def _conv1d(context: _Context, layer: Any, position: int, x: Any, shape_in: tuple[int, ...]) -> Any:
    from qkeras import QConv1D

    kernel = (layer.kernel_size, shape_in[1], layer.units)
    return QConv1D(
        layer.units, layer.kernel_size, strides=layer.stride, padding="valid",
        name=layer_name(context.arch, position), **context.kernel_arguments(layer, kernel),
    )(x)


def _token_mix(context: _Context, layer: Any, position: int, x: Any, shape_in: tuple[int, ...]) -> Any:
    import tf_keras
    from qkeras import QDense

    x = tf_keras.layers.Permute((2, 1), name=f"tokens_last_{position}")(x)
    x = QDense(layer.units, name=layer_name(context.arch, position), **context.kernel_arguments(layer, (shape_in[0], layer.units)))(x)
    return tf_keras.layers.Permute((2, 1), name=f"tokens_back_{position}")(x)


def _pool(context: _Context, layer: Any, position: int, x: Any, shape_in: tuple[int, ...]) -> Any:
    import tf_keras

    name = layer_name(context.arch, position)
    if layer.size is None:
        return tf_keras.layers.GlobalAveragePooling1D(name=name)(x)
    return tf_keras.layers.AveragePooling1D(layer.size, strides=layer.size, padding="valid", name=name)(x)


def _flatten(context: _Context, layer: Any, position: int, x: Any, shape_in: tuple[int, ...]) -> Any:
    import tf_keras

    return tf_keras.layers.Flatten(name=layer_name(context.arch, position))(x)


#: ``(context, layer, position, x, input shape) -> x``: the Keras layers of one kind, before its output quantizer.
BUILDERS: dict[str, Callable[[_Context, Any, int, Any, tuple[int, ...]], Any]] = {
    "dense": _dense,
    "pointwise": _dense,
    "conv1d": _conv1d,
    "token_mix": _token_mix,
    "pool": _pool,
    "flatten": _flatten,
}


def build_qkeras_network(arch: Architecture, *, dropout: float = 0.0, l1: float = 0.0, seed: int = 0) -> tf_keras.Model:
    """A QKeras classifier of ``arch`` whose output is the quantized logits.

    Args:
        arch: The architecture: layers, formats (its sparsities are not used: pruning comes from
            masks, see :func:`set_masks`).
        dropout: dropout rate after every hidden layer with weights (training only).
        l1: L1 penalty on every kernel.
        seed: weight initialisation seed.

    Returns:
        The uncompiled model, layers named as the module doc says.
    """
    import tf_keras
    from qkeras import QActivation, quantized_bits

    tf_keras.utils.set_random_seed(seed)
    context = _Context(arch, l1)
    inputs = tf_keras.Input(shape=arch.input_shape, name="inputs")
    x = QActivation(quantized_bits(arch.input_bits, arch.input_integer_bits, alpha=1), name="input_quantizer")(inputs)
    for position, (layer, (shape_in, _)) in enumerate(zip(arch.layers, arch.layer_io_shapes(), strict=True)):
        x = BUILDERS[layer.kind](context, layer, position, x, shape_in)
        if not quantizes(layer):
            continue
        head = position == arch.depth - 1
        x = QActivation(_output_quantizer(layer), name="output_quantizer" if head else f"activation_{position}")(x)
        if dropout > 0 and not head and layer.kind != "pool":
            x = tf_keras.layers.Dropout(dropout, name=f"dropout_{position}")(x)
    return tf_keras.Model(inputs, x, name="qnetwork")


def kernel_layers(model: tf_keras.Model) -> list[tf_keras.layers.Layer]:
    """The model's layers with a quantized kernel, in order, head last."""
    return [layer for layer in model.layers if layer.__class__.__name__ in KERNEL_LAYER_CLASSES]


def float_kernels(model: tf_keras.Model) -> list[np.ndarray]:
    """The trained (unquantized) kernels, in Keras' shapes: what magnitude pruning ranks."""
    return [np.asarray(layer.kernel.numpy(), dtype=np.float64) for layer in kernel_layers(model)]


def quantized_weights(model: tf_keras.Model) -> list[LayerWeights]:
    """Kernel and bias of every layer with weights as the hardware holds them (through the layer's quantizers).

    Kernels are ``(fan_in, units)``: a convolution's ``(kernel_size, features, units)`` is read
    window row by window row, as :mod:`snac_pack.hardware.layers` reads its input.
    """
    weights = []
    for layer in kernel_layers(model):
        kernel = np.asarray(layer.kernel_quantizer_internal(layer.kernel), dtype=np.float64)
        bias = np.asarray(layer.bias_quantizer_internal(layer.bias), dtype=np.float64)
        weights.append((kernel.reshape(-1, kernel.shape[-1]), bias))
    return weights


def snap_to_grid(model: tf_keras.Model) -> None:
    """Replace every kernel and bias by its quantized value; the model computes the same outputs.

    Training leaves float weights that the quantizers round and saturate at every call (a 4-bit
    weight trained to 1.48 computes as 0.875). Converters that read the stored weights and cast
    them to the fixed-point type themselves (hls4ml: truncation, wrap-around on overflow) then
    build another network: its C simulation was bit-exact on 10 % of the inputs for a trained
    deepsets. On the grid both readings agree.
    """
    for layer in kernel_layers(model):
        layer.kernel.assign(layer.kernel_quantizer_internal(layer.kernel))
        layer.bias.assign(layer.bias_quantizer_internal(layer.bias))


def set_masks(model: tf_keras.Model, masks: list[np.ndarray]) -> None:
    """Prune: zero the masked kernel weights (``mask == 0``) and keep them at zero in later training.

    Shared weights (a pointwise layer's, a convolution's) are pruned once: the mask is the kernel's.
    """
    for layer, mask in zip(kernel_layers(model), masks, strict=True):
        layer.kernel_constraint.mask.assign(mask.astype(np.float32))
        layer.kernel.assign(layer.kernel * mask.astype(np.float32))


def _pruning_constraint(shape: tuple[int, ...]) -> tf_keras.constraints.Constraint:
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
