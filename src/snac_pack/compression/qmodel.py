"""QKeras networks of search candidates for quantization-aware training.

A candidate (an :class:`NetworkSpec` at a :class:`Precision`) is described as an architecture and
built by :func:`snac_pack.models.quantized.build_qkeras_network`, which implements the
fixed-point semantics of :mod:`snac_pack.hardware.architecture` for every layer kind; the weights,
masks and quantized kernels of any such model are read and set there.

Batch normalisation is not part of the quantized flow: a candidate searched with it is
retrained here without it (the warm-up trains from scratch anyway). Dropout is kept: it only
acts in training.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.models.mlp import NetworkSpec
from snac_pack.models.quantized import build_qkeras_network
from snac_pack.search.space import Precision, to_architecture

if TYPE_CHECKING:
    import tf_keras

logger = logging.getLogger(__name__)


def build_qkeras_classifier(
    input_shape: int | tuple[int, ...], n_classes: int, network: NetworkSpec, precision: Precision, seed: int = 0
) -> tf_keras.Model:
    """A candidate's QKeras classifier whose output is the quantized logits (see :func:`build_qkeras_network`).

    Args:
        input_shape: input features, or ``(tokens, features)`` of a network with a body.
        n_classes: classes (head units).
        network: hidden widths, dropout and L1 (``batch_norm`` is ignored, see the module doc).
        precision: input, weight and activation formats, network-wide or per layer (its
            sparsity is not used: pruning comes from masks).
        seed: weight initialisation seed.

    Returns:
        The uncompiled model: layers with weights ``<kind>_<i>`` (``dense_<i>`` in an MLP), the head ``output``.
    """
    if network.activation != "relu":
        raise ValueError(f"the quantized flow implements ReLU hidden layers, got activation={network.activation!r}")
    if any(network.batch_norm_flags):
        logger.debug("Batch normalisation is not part of the quantized flow; %s is built without it", network.describe())
    # The target does not shape the Keras model; the default one only completes the description.
    arch = to_architecture(network, input_shape, n_classes, precision, ImplementationTarget())
    return build_qkeras_network(arch, dropout=network.dropout, l1=network.l1, seed=seed)
