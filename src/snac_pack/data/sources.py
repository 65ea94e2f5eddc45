"""Data sources: where a task's raw samples come from, chosen by name in configuration.

A task has a ``simulator`` (physics simulation offline, settings validated by its model) and/or a
``files`` reader (the user's real data, at paths declared in the catalog). The ``tabular`` task
has a reader only: any CSV or Parquet table, its columns named by the feature settings.
Simulations are cached under a directory keyed by their full configuration, so a repeated run
loads instead of simulating.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from snac_pack.data import jets, qubit
from snac_pack.data.features import FeatureSettings, TabularFeatures
from snac_pack.data.samples import LabelledSamples, load_samples, save_samples
from snac_pack.data.tabular import read_table

logger = logging.getLogger(__name__)

QUBIT_CLASSES = ("ground", "excited")
#: The parameters section that names a table's columns (``TabularFeatures``), named in errors.
TABLE_SETTINGS_KEY = "data_processing.features"

#: Reads a task's files: ``(paths from the catalog, the catalog entry's name, the feature settings) -> samples``.
FileReader = Callable[[Mapping[str, Path], str, FeatureSettings], LabelledSamples]


@dataclass(frozen=True)
class Simulator:
    """A task's simulator: its validated settings model and the function that draws samples.

    Attributes:
        settings_model: the physics settings (``data_processing.simulation.physics``).
        simulate: ``(settings, n_examples, seed) -> samples``.
        run_fields: settings fields that ``simulate`` sets from ``n_examples`` and ``seed``;
            they are refused in the physics settings, so each value lives in one place.
    """

    settings_model: type[BaseModel]
    simulate: Callable[[Any, int, int], LabelledSamples]
    run_fields: tuple[str, ...] = ()


def _simulate_qubits(settings: qubit.QubitReadoutSettings, n_examples: int, seed: int) -> LabelledSamples:
    readout = qubit.simulate_readout(settings, n_shots=n_examples, seed=seed)
    return LabelledSamples(
        inputs=readout.traces,
        labels=readout.prepared.astype(np.int64),
        class_names=QUBIT_CLASSES,
        extras={"initial_state": readout.initial_state, "decay_time_ns": readout.decay_time_ns},
    )


def _jet_samples(sample: jets.JetSample) -> LabelledSamples:
    return LabelledSamples(
        inputs=np.asarray(sample.constituents),
        labels=np.asarray(sample.labels),
        class_names=sample.class_names,
        extras={"multiplicity": np.asarray(sample.multiplicity), "jets": np.asarray(sample.jets)},
    )


def _simulate_jets(settings: jets.JetSimulationSettings, n_examples: int, seed: int) -> LabelledSamples:
    per_class = max(1, n_examples // len(jets.CLASS_NAMES))
    run_settings = settings.model_copy(update={"jets_per_class": per_class, "seed": seed})
    # simulate_cached keeps the one cache; the simulator's own is for notebook use.
    return _jet_samples(jets.simulate_jets(run_settings, cache_dir=None))


def load_jet_files(paths: Mapping[str, Path], catalog_entry: str, features: FeatureSettings) -> LabelledSamples:
    """Read the published hls4ml jet data: the HDF5 constituent files, or the OpenML HLF table.

    Args:
        paths: exactly one of ``constituents`` (a directory of hls4ml ``.h5`` files) and
            ``hlf_table`` (OpenML 42468 as CSV, Parquet or ARFF).
        catalog_entry: the catalog entry that declared the paths, named in errors.
        features: the feature settings (unused: the extractor reads them).

    Returns:
        Constituent-level samples (like the simulator's), or a ``(N, 16)`` table of HLF features.
    """
    given = [name for name in ("constituents", "hlf_table") if name in paths]
    if len(given) != 1:
        raise KeyError(
            f"{catalog_entry}: give exactly one of 'paths.constituents' (hls4ml HDF5 directory) and "
            f"'paths.hlf_table' (OpenML HLF table) for the 'files' source; got {given or 'neither'}"
        )
    location = Path(paths[given[0]])
    if not location.exists():
        raise FileNotFoundError(
            f"{catalog_entry}.paths.{given[0]}: '{location}' not found; put the data there or change the path in the catalog"
        )
    if given[0] == "hlf_table":
        x, y, _, class_names = jets.load_openml_hlf(location)
        return LabelledSamples(inputs=x, labels=y, class_names=tuple(class_names))
    constituents, labels, names, _ = jets.load_hls4ml_constituents(location)
    return _jet_samples(jets.loaders.jet_sample_from_hls4ml(constituents, names, labels))


def _read_array(path: Path, key: str, catalog_key: str) -> np.ndarray:
    """Read one array from ``.npy``, or the array ``key`` (or the only array) of an ``.npz``."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{catalog_key}: file '{path}' not found; put the file there or change the path in the catalog"
        )
    if path.suffix == ".npy":
        return np.load(path, allow_pickle=False)
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            if key in archive.files:
                return archive[key]
            if len(archive.files) == 1:
                return archive[archive.files[0]]
            raise KeyError(f"{catalog_key}: '{path}' holds arrays {archive.files}, expected one named '{key}'")
    raise ValueError(f"{catalog_key}: '{path}' must be a .npy or .npz file")


def load_qubit_files(paths: Mapping[str, Path], catalog_entry: str, features: FeatureSettings) -> LabelledSamples:
    """Read real qubit readout data: I/Q traces and the prepared-state labels.

    Args:
        paths: ``traces`` (shape ``(N, T, 2)``, or ``(N, 2T)`` with all I samples then all Q
            samples) and ``labels`` (shape ``(N,)``, 0 for |g⟩ and 1 for |e⟩), each ``.npy`` or ``.npz``.
        catalog_entry: the catalog entry that declared the paths, named in errors.
        features: the feature settings (unused: the extractor reads them).

    Returns:
        Samples with traces as ``(N, T, 2)`` float32.
    """
    for name in ("traces", "labels"):
        if name not in paths:
            raise KeyError(f"{catalog_entry}: add 'paths.{name}' (a .npy or .npz file) to use the 'files' source")
    traces_key, labels_key = f"{catalog_entry}.paths.traces", f"{catalog_entry}.paths.labels"
    traces = _read_array(Path(paths["traces"]), "traces", traces_key)
    labels = _read_array(Path(paths["labels"]), "labels", labels_key)
    if traces.ndim == 2 and traces.shape[1] % 2 == 0:
        n_time = traces.shape[1] // 2
        traces = np.stack([traces[:, :n_time], traces[:, n_time:]], axis=-1)
    elif not (traces.ndim == 3 and traces.shape[2] == 2):
        raise ValueError(
            f"{traces_key}: '{paths['traces']}' has shape {traces.shape}; expected (N, T, 2) "
            "or (N, 2T) with all I samples followed by all Q samples"
        )
    if labels.ndim != 1 or len(labels) != len(traces):
        raise ValueError(
            f"{labels_key}: '{paths['labels']}' has shape {labels.shape}; expected ({len(traces)},), "
            "one prepared state (0 or 1) per trace"
        )
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{labels_key}: '{paths['labels']}' must hold 0 (|g⟩) or 1 (|e⟩) only")
    return LabelledSamples(inputs=traces.astype(np.float32), labels=labels.astype(np.int64), class_names=QUBIT_CLASSES)


def load_table_files(paths: Mapping[str, Path], catalog_entry: str, features: FeatureSettings) -> LabelledSamples:
    """Read the user's table: one row per example, the columns that ``features`` names.

    Args:
        paths: ``table``, a CSV (``.csv``, possibly compressed) or Parquet (``.parquet``, ``.pq``) file.
        catalog_entry: the catalog entry that declared the path, named in errors.
        features: tabular feature settings: the label column and the feature columns.

    Returns:
        Samples with inputs ``(N, D)`` named after their columns; classes are the label's
        distinct values, sorted.
    """
    if not isinstance(features, TabularFeatures):
        raise ValueError(f"{TABLE_SETTINGS_KEY}.kind: a table needs kind 'tabular' (with label_column), got '{features.kind}'")
    if "table" not in paths:
        raise KeyError(f"{catalog_entry}: add 'paths.table' (a .csv or .parquet file) to use the 'files' source")
    return read_table(
        Path(paths["table"]), features.label_column, features.feature_columns, f"{catalog_entry}.paths.table", TABLE_SETTINGS_KEY
    )


SIMULATORS: dict[str, Simulator] = {
    "qubit": Simulator(settings_model=qubit.QubitReadoutSettings, simulate=_simulate_qubits),
    "jet": Simulator(
        settings_model=jets.JetSimulationSettings, simulate=_simulate_jets, run_fields=("jets_per_class", "seed")
    ),
}

FILE_READERS: dict[str, FileReader] = {
    "qubit": load_qubit_files,
    "jet": load_jet_files,
    "tabular": load_table_files,
}


def simulation_cache_path(cache_dir: Path, task: str, settings: BaseModel, n_examples: int, seed: int) -> Path:
    """Where the simulation of exactly this configuration is cached."""
    identity = json.dumps(
        {"task": task, "settings": settings.model_dump(mode="json"), "n_examples": n_examples, "seed": seed},
        sort_keys=True,
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return cache_dir / f"{task}_{n_examples}_{digest}.npz"


def simulate_cached(task: str, settings: BaseModel, n_examples: int, seed: int, cache_dir: Path) -> LabelledSamples:
    """Simulate ``n_examples`` samples of ``task``, or load them if this configuration ran before.

    Args:
        task: name of a task with a registered simulator.
        settings: the simulator's validated settings.
        n_examples: number of samples to draw.
        seed: seed of the simulation (same seed and settings, same samples).
        cache_dir: directory of the cache (``data/01_raw/...`` in the catalog).

    Returns:
        The samples.
    """
    path = simulation_cache_path(cache_dir, task, settings, n_examples, seed)
    if path.is_file():
        logger.info("Loading cached %s simulation from %s", task, path)
        return load_samples(path)
    logger.info("Simulating %d %s samples (seed %d)", n_examples, task, seed)
    samples = SIMULATORS[task].simulate(settings, n_examples, seed)
    save_samples(samples, path)
    logger.info("Cached the simulation at %s", path)
    return samples
