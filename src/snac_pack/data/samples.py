"""Labelled samples: the common form in which every data source hands over its data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_EXTRA_PREFIX = "extra__"


@dataclass(frozen=True)
class LabelledSamples:
    """Raw examples of one task with their class labels.

    Attributes:
        inputs: per-example raw arrays, shape ``(N, ...)`` (qubit: ``(N, T, 2)`` I/Q traces).
        labels: class index per example, shape ``(N,)``.
        class_names: name of each class index.
        extras: per-example side information for reports (e.g. the true qubit state), each ``(N, ...)``.
        input_names: name of each input column when the inputs are a table ``(N, D)`` (a
            user's CSV); empty otherwise.
    """

    inputs: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)
    input_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.labels)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Flatten into named arrays, e.g. for an ``.npz`` file."""
        arrays = {
            "inputs": self.inputs,
            "labels": self.labels,
            "class_names": np.asarray(self.class_names, dtype=str),
            "input_names": np.asarray(self.input_names, dtype=str),
        }
        arrays.update({_EXTRA_PREFIX + name: value for name, value in self.extras.items()})
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> LabelledSamples:
        """Inverse of :meth:`to_arrays`."""
        return cls(
            inputs=arrays["inputs"],
            labels=arrays["labels"],
            class_names=tuple(str(name) for name in arrays["class_names"]),
            extras={k.removeprefix(_EXTRA_PREFIX): v for k, v in arrays.items() if k.startswith(_EXTRA_PREFIX)},
            input_names=tuple(str(name) for name in arrays.get("input_names", ())),
        )


def save_samples(samples: LabelledSamples, path: Path) -> None:
    """Write ``samples`` to ``path`` (``.npz``), atomically so an interrupted write leaves no cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as stream:
        np.savez(stream, **samples.to_arrays())
    partial.replace(path)


def load_samples(path: Path) -> LabelledSamples:
    """Read samples written by :func:`save_samples`."""
    with np.load(path, allow_pickle=False) as archive:
        return LabelledSamples.from_arrays({name: archive[name] for name in archive.files})


def validate_samples(samples: LabelledSamples, origin: str) -> LabelledSamples:
    """Check that samples are usable for training and return them unchanged.

    Args:
        samples: the samples to check.
        origin: where they came from, named in every error (a file, a simulator).

    Returns:
        The same samples.

    Raises:
        ValueError: on an empty set, mismatched lengths, labels outside the classes,
            a class without examples, or non-finite inputs.
    """
    n_examples = len(samples.labels)
    if samples.labels.ndim != 1:
        raise ValueError(f"{origin}: labels must be one-dimensional, got shape {samples.labels.shape}")
    if n_examples == 0:
        raise ValueError(f"{origin}: no examples")
    if samples.inputs.shape[0] != n_examples:
        raise ValueError(
            f"{origin}: {samples.inputs.shape[0]} inputs but {n_examples} labels; they must match one to one"
        )
    if samples.input_names and (samples.inputs.ndim != 2 or len(samples.input_names) != samples.inputs.shape[1]):
        raise ValueError(
            f"{origin}: {len(samples.input_names)} input names for inputs of shape {samples.inputs.shape}; "
            "named inputs must be a table with one name per column"
        )
    for name, values in samples.extras.items():
        if values.shape[0] != n_examples:
            raise ValueError(f"{origin}: extra '{name}' has {values.shape[0]} rows, expected {n_examples}")
    n_classes = len(samples.class_names)
    if not np.issubdtype(samples.labels.dtype, np.integer):
        raise ValueError(f"{origin}: labels must be integer class indices, got dtype {samples.labels.dtype}")
    if samples.labels.min() < 0 or samples.labels.max() >= n_classes:
        raise ValueError(
            f"{origin}: labels must lie in 0..{n_classes - 1} for classes {list(samples.class_names)}, "
            f"got {samples.labels.min()}..{samples.labels.max()}"
        )
    counts = np.bincount(samples.labels, minlength=n_classes)
    empty = [name for name, count in zip(samples.class_names, counts, strict=True) if count == 0]
    if empty:
        raise ValueError(f"{origin}: classes {empty} have no examples; every class needs some for a stratified split")
    if not np.all(np.isfinite(samples.inputs)):
        raise ValueError(f"{origin}: inputs contain NaN or infinite values")
    return samples
