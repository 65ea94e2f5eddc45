"""Stratified splits and the standardiser: disjoint, stratified, no leakage of test statistics."""

from __future__ import annotations

import numpy as np

from snac_pack.data.splits import fit_standardiser, stratified_split

FRACTIONS = {"train": 0.6, "val": 0.2, "test": 0.2}


def _labels(n: int = 5000) -> np.ndarray:
    # Unbalanced on purpose: 70 % / 20 % / 10 %.
    return np.random.default_rng(3).choice(3, size=n, p=[0.7, 0.2, 0.1])


def test_splits_are_disjoint_and_cover_everything() -> None:
    labels = _labels()
    parts = stratified_split(labels, FRACTIONS, seed=0)
    joined = np.concatenate(list(parts.values()))
    assert len(joined) == len(np.unique(joined)) == len(labels)
    assert {name: len(idx) / len(labels) for name, idx in parts.items()} == FRACTIONS


def test_splits_keep_class_proportions() -> None:
    labels = _labels()
    overall = np.bincount(labels) / len(labels)
    for indices in stratified_split(labels, FRACTIONS, seed=0).values():
        np.testing.assert_allclose(np.bincount(labels[indices]) / len(indices), overall, atol=0.01)


def test_same_seed_same_split() -> None:
    labels = _labels()
    first, second = stratified_split(labels, FRACTIONS, 4), stratified_split(labels, FRACTIONS, 4)
    assert all(np.array_equal(first[k], second[k]) for k in FRACTIONS)


def test_standardiser_sees_only_the_training_split() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 4))
    parts = stratified_split(_labels(3000), FRACTIONS, seed=0)
    x[parts["test"]] += 100.0  # test statistics wildly different: they must not leak
    scaler = fit_standardiser(x[parts["train"]])
    np.testing.assert_allclose(scaler.mean_, x[parts["train"]].mean(0))
    assert np.all(np.abs(scaler.mean_) < 1.0)
    np.testing.assert_allclose(scaler.transform(x[parts["train"]]).mean(0), 0.0, atol=1e-12)
