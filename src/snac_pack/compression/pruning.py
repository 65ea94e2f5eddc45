"""Magnitude pruning masks: which weights an iteration removes, globally or layer by layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np


def prune_masks(
    kernels: list[np.ndarray],
    masks: list[np.ndarray],
    sparsity: float | Sequence[float],
    scope: Literal["global", "layer"],
) -> list[np.ndarray]:
    """Extend ``masks`` so that a ``sparsity`` fraction of the weights is pruned, smallest magnitudes first.

    Weights already pruned stay pruned. Every layer keeps at least one weight: a layer with no
    weights left would disconnect the network.

    Args:
        kernels: the current kernels (pruned entries are zero).
        masks: the current masks (1 alive, 0 pruned), same shapes.
        sparsity: target fraction of pruned weights, of all kernels (``global``) or of each
            (``layer``: one fraction for all, or one per kernel).
        scope: ``global`` ranks all kernels' magnitudes together; ``layer`` ranks each kernel alone.

    Returns:
        New masks.
    """
    targets = [sparsity] * len(kernels) if isinstance(sparsity, (int, float)) else list(sparsity)
    if len(targets) != len(kernels):
        raise ValueError(f"{len(targets)} sparsities for {len(kernels)} kernels")
    if any(not 0.0 <= target < 1.0 for target in targets):
        raise ValueError(f"sparsity must lie in [0, 1), got {sparsity}")
    if scope == "layer":
        return [
            _prune_together([kernel], [mask], target)[0]
            for kernel, mask, target in zip(kernels, masks, targets, strict=True)
        ]
    if len(set(targets)) > 1:
        raise ValueError("global pruning takes one sparsity for all kernels; per-kernel sparsities need scope 'layer'")
    return _prune_together(kernels, masks, targets[0])


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
