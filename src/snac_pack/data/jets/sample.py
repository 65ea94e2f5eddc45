"""The jet sample: constituents, jet kinematics and class labels of simulated or real jets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Class index → name, in the order of the hls4ml jet datasets (gluon, light quark, W, Z, top).
CLASS_NAMES: tuple[str, ...] = ("g", "q", "w", "z", "t")
#: Columns of ``JetSample.constituents``.
CONSTITUENT_FIELDS: tuple[str, ...] = ("pt", "eta", "phi", "energy")
#: Columns of ``JetSample.jets``.
JET_FIELDS: tuple[str, ...] = ("pt", "eta", "phi", "mass")


@dataclass(frozen=True, eq=False)
class JetSample:
    """Jets with their constituents and labels; arrays are read-only.

    Attributes:
        constituents: ``(N, M, 4)`` float32, columns ``CONSTITUENT_FIELDS`` (GeV, rad), sorted by
            decreasing pT and zero-padded after the jet's last stored constituent.
        multiplicity: ``(N,)`` int32, number of constituents of the jet; may exceed ``M`` (the
            softest ones were then not stored).
        jets: ``(N, 4)`` float32 jet four-momenta, columns ``JET_FIELDS``.
        labels: ``(N,)`` int64 class index into ``class_names``.
        class_names: name of each class index.
    """

    constituents: np.ndarray
    multiplicity: np.ndarray
    jets: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...] = CLASS_NAMES

    def __post_init__(self) -> None:
        n_jets = len(self.labels)
        expected = {
            "constituents": (self.constituents, 3, np.float32),
            "multiplicity": (self.multiplicity, 1, np.int32),
            "jets": (self.jets, 2, np.float32),
            "labels": (self.labels, 1, np.int64),
        }
        for name, (array, ndim, dtype) in expected.items():
            if array.ndim != ndim or len(array) != n_jets or array.dtype != dtype:
                raise ValueError(
                    f"JetSample.{name}: got {array.dtype} array of shape {array.shape}; expected "
                    f"{np.dtype(dtype).name} with {ndim} dimensions and {n_jets} jets (the length of labels)"
                )
            # A read-only view: the sample cannot change, and the caller's own array stays writable.
            view = array.view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)
        if self.constituents.shape[2] != len(CONSTITUENT_FIELDS) or self.jets.shape[1] != len(JET_FIELDS):
            raise ValueError(
                f"JetSample: constituents must be (N, M, {len(CONSTITUENT_FIELDS)}) and jets (N, {len(JET_FIELDS)}); "
                f"got {self.constituents.shape} and {self.jets.shape}"
            )
        if n_jets and not (0 <= self.labels.min() and self.labels.max() < len(self.class_names)):
            raise ValueError(f"JetSample.labels must lie in 0..{len(self.class_names) - 1} ({self.class_names})")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_stored(self) -> np.ndarray:
        """``(N,)`` number of stored (non-padding) constituents per jet."""
        return np.minimum(self.multiplicity, self.constituents.shape[1])

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Named arrays for an ``.npz`` file."""
        return {
            "constituents": self.constituents,
            "multiplicity": self.multiplicity,
            "jets": self.jets,
            "labels": self.labels,
            "class_names": np.asarray(self.class_names, dtype=str),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> JetSample:
        """Inverse of :meth:`to_arrays`."""
        return cls(
            constituents=arrays["constituents"],
            multiplicity=arrays["multiplicity"],
            jets=arrays["jets"],
            labels=arrays["labels"],
            class_names=tuple(str(name) for name in arrays["class_names"]),
        )


def save_jet_sample(sample: JetSample, path: Path, metadata: str = "") -> None:
    """Write ``sample`` to ``path`` (``.npz``) atomically, so an interrupted write leaves no file.

    Args:
        sample: the jets to store.
        path: destination ``.npz`` file; parent directories are created.
        metadata: free text stored alongside (e.g. the simulation settings as JSON).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as stream:
        np.savez(stream, metadata=np.asarray(metadata), **sample.to_arrays())
    partial.replace(path)


def load_jet_sample(path: Path) -> JetSample:
    """Read a sample written by :func:`save_jet_sample`.

    Args:
        path: the ``.npz`` file.

    Returns:
        The stored jets.
    """
    with np.load(path, allow_pickle=False) as archive:
        return JetSample.from_arrays({name: archive[name] for name in archive.files if name != "metadata"})
