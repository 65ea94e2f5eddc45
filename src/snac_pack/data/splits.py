"""Stratified train/validation/test splits and standardisation fitted on the training split."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sklearn.preprocessing import StandardScaler

SPLIT_NAMES = ("train", "val", "test")


def stratified_split(labels: np.ndarray, fractions: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    """Split example indices into disjoint train/val/test sets with equal class proportions.

    Args:
        labels: class index per example, shape ``(N,)``.
        fractions: fraction of the examples for each of ``train``, ``val`` and ``test`` (summing to 1).
        seed: seed of the shuffle.

    Returns:
        Sorted example indices per split name.
    """
    from sklearn.model_selection import train_test_split  # lazy: keeps `kedro` CLI start-up fast

    indices = np.arange(len(labels))
    held_out = fractions["val"] + fractions["test"]
    train, rest = train_test_split(indices, test_size=held_out, stratify=labels, random_state=seed)
    val, test = train_test_split(
        rest, test_size=fractions["test"] / held_out, stratify=labels[rest], random_state=seed + 1
    )
    return {"train": np.sort(train), "val": np.sort(val), "test": np.sort(test)}


def fit_standardiser(train_features: np.ndarray) -> StandardScaler:
    """Fit a per-feature standardiser on the training split only, so no test statistics leak.

    Constant features (zero variance, e.g. zero padding) are left centred but unscaled.
    """
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit(train_features.astype(np.float64))
