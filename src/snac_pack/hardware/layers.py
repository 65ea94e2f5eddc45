"""The arithmetic of each layer kind, written once for the numpy reference and for da4ml's trace.

Each function computes a layer's exact result (sums and averages without rounding) from its
input; the caller quantizes it to the layer's activation format, rounding as the firmware does
(:func:`snac_pack.hardware.network.forward_quantized` with numpy,
:func:`snac_pack.hardware.exact.trace_network` with da4ml's rounding). The input is either a
numpy array with leading batch axes or da4ml's traced array of one example: the functions use
only operations both support (indexing with ``...``, ``reshape``, ``@`` with a constant kernel,
``np.stack``, ``np.swapaxes``, ``np.sum`` over an axis, multiplication by a power of two), so
the reference and the netlist cannot drift apart in how they read a kind.

In da4ml every application of a kernel (each token, position or feature) becomes its own
constant matrix-vector product, as hls4ml's fully unrolled ``io_parallel`` firmware builds it.

A new kind is one function here, registered in :data:`ARITHMETIC`, plus its shape rule in
:mod:`snac_pack.hardware.architecture`.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from snac_pack.hardware.architecture import LayerSpec

#: ``(layer, x, kernel, bias) -> exact result``; ``kernel`` and ``bias`` are None for kinds without weights.
LayerArithmetic = Callable[[Any, Any, Any, Any], Any]


def _dense(layer: LayerSpec, x: Any, kernel: Any, bias: Any) -> Any:
    # Also every token's dense layer (pointwise): ``@`` contracts the last axis.
    return x @ kernel + bias


def _conv1d(layer: LayerSpec, x: Any, kernel: Any, bias: Any) -> Any:
    tokens, features = x.shape[-2:]
    size, stride = layer.kernel_size, layer.stride
    windows = [
        x[..., start : start + size, :].reshape((*x.shape[:-2], size * features))
        for start in range(0, tokens - size + 1, stride)
    ]
    return np.stack(windows, axis=-2) @ kernel + bias


def _token_mix(layer: LayerSpec, x: Any, kernel: Any, bias: Any) -> Any:
    return np.swapaxes(np.swapaxes(x, -1, -2) @ kernel + bias, -1, -2)


def _pool(layer: LayerSpec, x: Any, kernel: Any, bias: Any) -> Any:
    tokens, features = x.shape[-2:]
    size = tokens if layer.size is None else layer.size
    grouped = x.reshape((*x.shape[:-2], tokens // size, size, features))
    # The count is a power of two (validated): the division is an exact shift.
    averaged = np.sum(grouped, axis=-2) * float(2.0 ** -int(np.log2(size)))
    return averaged.reshape((*x.shape[:-2], features)) if layer.size is None else averaged


def _flatten(layer: LayerSpec, x: Any, kernel: Any, bias: Any) -> Any:
    tokens, features = x.shape[-2:]
    return x.reshape((*x.shape[:-2], tokens * features))


ARITHMETIC: dict[str, LayerArithmetic] = {
    "dense": _dense,
    "pointwise": _dense,
    "conv1d": _conv1d,
    "token_mix": _token_mix,
    "pool": _pool,
    "flatten": _flatten,
}


def apply_layer(layer: LayerSpec, x: Any, weights: tuple[Any, Any] | None) -> Any:
    """A layer's exact result on ``x`` (not yet quantized to its activation format).

    Args:
        layer: The layer.
        x: Its input: a numpy array with leading batch axes, or da4ml's traced array.
        weights: ``(kernel, bias)`` of a layer with weights (kernel ``(fan_in, units)``), else None.

    Returns:
        The result, of the layer's output shape.
    """
    kernel, bias = weights if weights is not None else (None, None)
    return ARITHMETIC[layer.kind](layer, x, kernel, bias)
