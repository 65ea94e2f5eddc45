"""Magnitude pruning masks: which weights an iteration removes, globally or layer by layer."""

from __future__ import annotations

from typing import Literal

import numpy as np


def prune_masks(
    kernels: list[np.ndarray], masks: list[np.ndarray], sparsity: float, scope: Literal["global", "layer"]
) -> list[np.ndarray]:
    """Extend ``masks`` so that a ``sparsity`` fraction of the weights is pruned, smallest magnitudes first.

    Weights already pruned stay pruned. Every layer keeps at least one weight: a layer with no
    weights left would disconnect the network.

    Args:
        kernels: the current kernels (pruned entries are zero).
        masks: the current masks (1 alive, 0 pruned), same shapes.
        sparsity: target fraction of pruned weights, of all kernels (``global``) or of each (``layer``).
        scope: ``global`` ranks all kernels' magnitudes together; ``layer`` ranks each kernel alone.

    Returns:
        New masks.
    """
    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparsity must lie in [0, 1), got {sparsity}")
    if scope == "layer":
        return [_prune_together([kernel], [mask], sparsity)[0] for kernel, mask in zip(kernels, masks, strict=True)]
    return _prune_together(kernels, masks, sparsity)


def _prune_together(kernels: list[np.ndarray], masks: list[np.ndarray], sparsity: float) -> list[np.ndarray]:
    sizes = [kernel.size for kernel in kernels]
    magnitude = np.concatenate([np.abs(kernel).ravel() for kernel in kernels])
    alive = np.concatenate([mask.ravel() for mask in masks]).astype(bool)
    # Each layer's largest weight is protected, so no layer loses all its weights.
    protected = np.zeros_like(alive)
    offset = 0
    for kernel, size in zip(kernels, sizes, strict=True):
        protected[offset + int(np.argmax(np.abs(kernel).ravel()))] = True
        offset += size
    n_to_prune = int(round(sparsity * magnitude.size)) - int((~alive).sum())
    candidates = np.flatnonzero(alive & ~protected)
    if n_to_prune > 0:
        order = candidates[np.argsort(magnitude[candidates], kind="stable")]
        alive[order[:n_to_prune]] = False
    new_masks, offset = [], 0
    for kernel, size in zip(kernels, sizes, strict=True):
        new_masks.append(alive[offset : offset + size].reshape(kernel.shape).astype(np.float32))
        offset += size
    return new_masks


def pruned_fraction(masks: list[np.ndarray]) -> float:
    """Fraction of all kernel weights pruned."""
    total = sum(mask.size for mask in masks)
    return float(sum(int((mask == 0).sum()) for mask in masks) / total)


def zero_fractions(kernels: list[np.ndarray]) -> list[float]:
    """Per kernel, the fraction of weights that are exactly zero."""
    return [float(np.mean(kernel == 0)) for kernel in kernels]
