"""Readers for the published hls4ml LHC jet datasets, from the user's local files.

- High-level features: OpenML dataset 42468 (``hls4ml_lhc_jets_hlf``), a table of the 16
  ``HLF_FEATURE_NAMES`` and a class column with values g, q, w, z, t.
- Constituents: the Zenodo HDF5 files, each holding ``jetConstituentList`` (N, n_const,
  n_features) with names in ``particleFeatureNames`` and labels either as columns
  ``j_g … j_t`` of the ``jets`` table (names in ``jetFeatureNames``) or as one-hot datasets.

Labels are returned as indices into ``CLASS_NAMES`` (g, q, w, z, t); note that this is not the
alphabetical order (g, q, t, w, z) a ``LabelEncoder`` would give.
"""

from __future__ import annotations

import logging
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from snac_pack.data.jets.features import CONSTITUENT_FEATURES, HLF_FEATURE_NAMES, constituent_feature_names
from snac_pack.data.jets.sample import CLASS_NAMES, JetSample

logger = logging.getLogger(__name__)

OPENML_HLF_ID = 42468
CONSTITUENTS_KEY = "jetConstituentList"
PARTICLE_NAMES_KEY = "particleFeatureNames"
JETS_KEY = "jets"
JET_NAMES_KEY = "jetFeatureNames"
#: One-hot label columns / datasets, in ``CLASS_NAMES`` order.
ONE_HOT_LABELS: tuple[str, ...] = tuple(f"j_{name}" for name in CLASS_NAMES)
#: Constituent columns of the hls4ml files that correspond to ``CONSTITUENT_FEATURES`` (z, Δη, Δφ).
HLS4ML_CONSTITUENT_COLUMNS: tuple[str, ...] = ("j1_ptrel", "j1_etarel", "j1_phirel")

JetArrays = tuple[np.ndarray, np.ndarray, list[str], list[str]]


def _read_table(path: Path) -> pd.DataFrame:
    """A CSV (optionally compressed), Parquet or ARFF table."""
    if not path.is_file():
        raise FileNotFoundError(
            f"HLF table '{path}' not found; download OpenML dataset {OPENML_HLF_ID} (hls4ml_lhc_jets_hlf) "
            "as CSV, Parquet or ARFF and give its path"
        )
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz")):
        return pd.read_csv(path)
    if name.endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    if name.endswith(".arff"):
        from scipy.io import arff

        data, _ = arff.loadarff(path)
        return pd.DataFrame(data)
    raise ValueError(f"HLF table '{path}': unknown format; use .csv, .parquet or .arff")


def _fetch_openml_table(data_home: Path | None) -> pd.DataFrame:
    """OpenML 42468 downloaded through scikit-learn (needs the network)."""
    from sklearn.datasets import fetch_openml

    try:
        bunch = fetch_openml(data_id=OPENML_HLF_ID, as_frame=True, data_home=data_home)
    except Exception as error:  # noqa: BLE001 - any failure here means "no download"; say so clearly
        raise RuntimeError(
            f"could not download OpenML dataset {OPENML_HLF_ID} (hls4ml_lhc_jets_hlf): {error}. Without network "
            "access, download it on another machine (CSV, Parquet or ARFF) and pass its path instead"
        ) from error
    return bunch.frame


def _class_indices(values: pd.Series, source: str) -> np.ndarray:
    """Class names (g, q, w, z, t; also bytes or with a ``j_`` prefix) → indices into ``CLASS_NAMES``."""
    if pd.api.types.is_numeric_dtype(values):
        raise ValueError(
            f"{source}: the label column holds numbers; expected the class names {CLASS_NAMES} "
            "(numeric codes are ambiguous: alphabetical encoders order them g, q, t, w, z)"
        )
    names = values.map(lambda value: value.decode() if isinstance(value, bytes) else str(value))
    names = names.str.strip().str.lower().str.removeprefix("j_")
    unknown = sorted(set(names) - set(CLASS_NAMES))
    if unknown:
        raise ValueError(f"{source}: unknown class labels {unknown[:5]}; expected {CLASS_NAMES}")
    return names.map({name: index for index, name in enumerate(CLASS_NAMES)}).to_numpy(np.int64)


def load_openml_hlf(
    path: Path | str | None = None,
    label_column: str | None = None,
    download: bool = False,
    data_home: Path | str | None = None,
) -> JetArrays:
    """The 16 high-level features of the hls4ml jet dataset (OpenML 42468).

    Args:
        path: a local CSV, Parquet or ARFF copy of the table.
        label_column: the class column; ``None`` takes the one column that is not a feature.
        download: without ``path``, fetch the table from OpenML through scikit-learn (network).
        data_home: scikit-learn's download cache directory for ``download``.

    Returns:
        ``x`` (N, 16) float32 in ``HLF_FEATURE_NAMES`` order, ``y`` (N,) int64 indices into
        ``CLASS_NAMES``, the feature names and the class names.
    """
    if path is not None:
        table, source = _read_table(Path(path)), str(path)
    elif download:
        table, source = _fetch_openml_table(Path(data_home) if data_home else None), f"OpenML {OPENML_HLF_ID}"
    else:
        raise ValueError(
            f"give the path of a local copy of OpenML dataset {OPENML_HLF_ID} (hls4ml_lhc_jets_hlf), "
            "or download=True to fetch it (needs network access)"
        )
    missing = [name for name in HLF_FEATURE_NAMES if name not in table.columns]
    if missing:
        raise KeyError(f"{source}: missing feature columns {missing}; expected all of {list(HLF_FEATURE_NAMES)}")
    if label_column is None:
        candidates = [column for column in table.columns if column not in HLF_FEATURE_NAMES]
        if len(candidates) != 1:
            raise KeyError(
                f"{source}: cannot tell the class column among {candidates}; "
                "pass label_column= (OpenML calls it 'class')"
            )
        label_column = candidates[0]
    elif label_column not in table.columns:
        raise KeyError(f"{source}: no class column '{label_column}'; columns are {list(table.columns)}")
    x = table.loc[:, list(HLF_FEATURE_NAMES)].to_numpy(np.float32)
    y = _class_indices(table[label_column], source)
    logger.info("Loaded %d jets with %d high-level features from %s", len(y), x.shape[1], source)
    return x, y, list(HLF_FEATURE_NAMES), list(CLASS_NAMES)


def _decoded(names: h5py.Dataset) -> list[str]:
    """Strings of an HDF5 dataset of (byte) strings."""
    return [name.decode() if isinstance(name, bytes) else str(name) for name in names[()]]


def _one_hot_labels(file: h5py.File, path: Path, n_jets: int) -> np.ndarray:
    """``(n_jets, 5)`` one-hot labels from the ``jets`` table or from ``j_g`` … ``j_t`` datasets."""
    if all(name in file for name in ONE_HOT_LABELS):
        columns = [np.asarray(file[name][()]).reshape(-1) for name in ONE_HOT_LABELS]
        one_hot = np.stack(columns, axis=1)
    elif JETS_KEY in file and JET_NAMES_KEY in file:
        jet_names = _decoded(file[JET_NAMES_KEY])
        missing = [name for name in ONE_HOT_LABELS if name not in jet_names]
        if missing:
            raise KeyError(f"'{path}': '{JET_NAMES_KEY}' lacks the label columns {missing}; it lists {jet_names}")
        table = file[JETS_KEY][()]
        one_hot = table[:, [jet_names.index(name) for name in ONE_HOT_LABELS]]
    else:
        raise KeyError(
            f"'{path}': no labels; expected datasets {list(ONE_HOT_LABELS)} or a '{JETS_KEY}' table with "
            f"'{JET_NAMES_KEY}' naming those columns"
        )
    if one_hot.shape != (n_jets, len(CLASS_NAMES)):
        raise ValueError(f"'{path}': labels have shape {one_hot.shape}; expected ({n_jets}, {len(CLASS_NAMES)})")
    n_classes_per_jet = (one_hot > 0.5).sum(axis=1)
    if (n_classes_per_jet != 1).any():
        raise ValueError(
            f"'{path}': {(n_classes_per_jet != 1).sum()} jets have no class or several among {list(ONE_HOT_LABELS)}"
        )
    return one_hot


def _read_constituent_file(path: Path, n_constituents: int | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Constituents, labels and particle feature names of one hls4ml HDF5 file."""
    with h5py.File(path, "r") as file:
        for key in (CONSTITUENTS_KEY, PARTICLE_NAMES_KEY):
            if key not in file:
                raise KeyError(f"'{path}': no dataset '{key}'; it holds {sorted(file.keys())}")
        dataset = file[CONSTITUENTS_KEY]
        feature_names = _decoded(file[PARTICLE_NAMES_KEY])
        if dataset.ndim != 3 or dataset.shape[2] != len(feature_names):
            raise ValueError(
                f"'{path}': '{CONSTITUENTS_KEY}' has shape {dataset.shape}; expected (N, n_constituents, "
                f"{len(feature_names)}), one column per name in '{PARTICLE_NAMES_KEY}'"
            )
        constituents = dataset[:, :n_constituents, :].astype(np.float32)
        labels = _one_hot_labels(file, path, dataset.shape[0]).argmax(axis=1).astype(np.int64)
    return constituents, labels, feature_names


def load_hls4ml_constituents(
    path: Path | str, n_constituents: int | None = None, max_files: int | None = None
) -> JetArrays:
    """Constituent arrays of the hls4ml LHC jet HDF5 files.

    Args:
        path: a directory of ``.h5`` files (read in name order) or one file.
        n_constituents: keep only the first (hardest) constituents of each jet; ``None`` keeps all.
            Reading fewer saves memory (the full dataset holds up to 150 per jet).
        max_files: read at most this many files of the directory.

    Returns:
        ``x`` (N, n_constituents, n_features) float32, ``y`` (N,) int64 indices into
        ``CLASS_NAMES``, the particle feature names and the class names.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.h5"))[:max_files]
        if not files:
            raise FileNotFoundError(f"no .h5 files in '{path}'; expected the hls4ml LHC jet constituent files")
    elif path.is_file():
        files = [path]
    else:
        raise FileNotFoundError(f"'{path}' not found; give a directory of hls4ml jet .h5 files or one file")
    parts = [_read_constituent_file(file, n_constituents) for file in files]
    feature_names = parts[0][2]
    for file, (_, _, names) in zip(files, parts):
        if names != feature_names:
            raise ValueError(f"'{file}': particle features {names} differ from those of '{files[0]}' ({feature_names})")
    sizes = {part[0].shape[1] for part in parts}
    if len(sizes) != 1:
        raise ValueError(
            f"the files hold different numbers of constituents per jet {sorted(sizes)}; set n_constituents"
        )
    x = np.concatenate([part[0] for part in parts])
    y = np.concatenate([part[1] for part in parts])
    logger.info("Loaded %d jets × %d constituents × %d features from %d file(s)", *x.shape, len(files))
    return x, y, feature_names, list(CLASS_NAMES)


def hls4ml_constituent_features(
    constituents: np.ndarray, feature_names: list[str], n_constituents: int = 8
) -> tuple[np.ndarray, list[str]]:
    """The ``"constituents"`` feature layout (z, Δη, Δφ per constituent) from hls4ml constituent arrays.

    Uses the files' ``j1_ptrel`` (pT_i / pT_jet), ``j1_etarel`` and ``j1_phirel`` columns;
    constituents are ordered by decreasing ``j1_ptrel`` and zero-padded.

    Args:
        constituents: ``(N, n_const, n_features)`` as returned by :func:`load_hls4ml_constituents`.
        feature_names: its particle feature names.
        n_constituents: constituents kept per jet.

    Returns:
        ``(N, 3 · n_constituents)`` float32 and the feature names, as ``extract_jet_features``.
    """
    missing = [name for name in HLS4ML_CONSTITUENT_COLUMNS if name not in feature_names]
    if missing:
        raise KeyError(f"constituent features {missing} are missing; the arrays have {feature_names}")
    columns = [feature_names.index(name) for name in HLS4ML_CONSTITUENT_COLUMNS]
    selected = constituents[:, :, columns]
    order = np.argsort(-selected[:, :, 0], axis=1, kind="stable")
    selected = np.take_along_axis(selected, order[:, :, None], axis=1)
    features = np.zeros((len(constituents), n_constituents, len(CONSTITUENT_FEATURES)), dtype=np.float32)
    n_available = min(n_constituents, selected.shape[1])
    features[:, :n_available] = selected[:, :n_available]
    return features.reshape(len(constituents), -1), constituent_feature_names(n_constituents)


#: hls4ml particle columns holding each constituent's pT, η, φ and energy.
HLS4ML_KINEMATIC_COLUMNS: tuple[str, ...] = ("j1_pt", "j1_eta", "j1_phi", "j1_e")


def jet_sample_from_hls4ml(constituents: np.ndarray, feature_names: list[str], labels: np.ndarray) -> JetSample:
    """The hls4ml constituent arrays as a :class:`JetSample`, like a simulated one.

    Constituents are sorted by decreasing pT (padding has pT 0); the jet four-momentum is the
    sum of the constituents'.

    Args:
        constituents: ``(N, n_const, n_features)`` from :func:`load_hls4ml_constituents`.
        feature_names: its particle feature names (must hold ``HLS4ML_KINEMATIC_COLUMNS``).
        labels: class indices ``(N,)``.

    Returns:
        The jets.
    """
    missing = [name for name in HLS4ML_KINEMATIC_COLUMNS if name not in feature_names]
    if missing:
        raise KeyError(f"particle features {missing} are missing from the hls4ml files; they have {feature_names}")
    kinematics = constituents[:, :, [feature_names.index(name) for name in HLS4ML_KINEMATIC_COLUMNS]].astype(np.float64)
    order = np.argsort(-kinematics[:, :, 0], axis=1, kind="stable")
    kinematics = np.take_along_axis(kinematics, order[:, :, None], axis=1)
    pt, eta, phi, energy = np.moveaxis(kinematics, -1, 0)
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    jet_px, jet_py, jet_pz, jet_e = px.sum(1), py.sum(1), pz.sum(1), energy.sum(1)
    jet_pt = np.hypot(jet_px, jet_py)
    jets = np.stack(
        [
            jet_pt,
            np.arcsinh(np.divide(jet_pz, jet_pt, out=np.zeros_like(jet_pt), where=jet_pt > 0)),
            np.arctan2(jet_py, jet_px),
            np.sqrt(np.maximum(jet_e**2 - jet_px**2 - jet_py**2 - jet_pz**2, 0.0)),
        ],
        axis=1,
    )
    return JetSample(
        constituents=kinematics.astype(np.float32),
        multiplicity=(pt > 0).sum(axis=1).astype(np.int32),
        jets=jets.astype(np.float32),
        labels=np.asarray(labels, dtype=np.int64),
    )
