"""Nodes of the data_processing pipeline: thin calls into ``snac_pack.data`` and ``snac_pack.reporting``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from snac_pack.config import DataProcessingParams, TaskParams, simulator_settings
from snac_pack.data import splits
from snac_pack.data.features import FeatureTable, extract_features
from snac_pack.data.samples import LabelledSamples, validate_samples
from snac_pack.data.sources import FILE_READERS, simulate_cached, simulation_cache_path
from snac_pack.reporting.data_report import build_data_report, files_provenance, simulated_provenance

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from sklearn.preprocessing import StandardScaler

logger = logging.getLogger(__name__)

RAW_SOURCES_ENTRY = "raw_sources"
SIMULATION_CACHE = "simulation_cache"


def acquire_raw_samples(task: dict[str, Any], data_processing: dict[str, Any], raw_sources: dict[str, Path]) -> LabelledSamples:
    """Simulate the task's samples, or read the user's files, as ``data_processing.source`` says.

    Args:
        task: the ``task`` parameters.
        data_processing: the ``data_processing`` parameters.
        raw_sources: paths declared by the ``raw_sources`` catalog entry (the simulation cache
            directory, the user's files).

    Returns:
        The raw labelled samples.
    """
    task_params = TaskParams.model_validate(task)
    params = DataProcessingParams.model_validate(data_processing)
    if params.source == "files":
        return FILE_READERS[task_params.name](raw_sources, RAW_SOURCES_ENTRY, params.features)
    simulation = params.simulation
    return simulate_cached(
        task=task_params.name,
        settings=simulator_settings(task_params.name, simulation.physics),
        n_examples=simulation.n_examples,
        seed=simulation.seed,
        cache_dir=Path(raw_sources[SIMULATION_CACHE]),
    )


def validate_raw_samples(samples: LabelledSamples, data_processing: dict[str, Any]) -> LabelledSamples:
    """Check the raw samples (shapes, labels, every class present, finite values).

    Returns:
        The same samples, known to be usable.
    """
    source = DataProcessingParams.model_validate(data_processing).source
    origin = f"raw samples from '{source}'" + (f" (catalog entry '{RAW_SOURCES_ENTRY}')" if source == "files" else "")
    validate_samples(samples, origin)
    logger.info("%d raw samples of shape %s, classes %s", len(samples), samples.inputs.shape[1:], samples.class_names)
    return samples


def extract_model_features(samples: LabelledSamples, data_processing: dict[str, Any]) -> FeatureTable:
    """Flat features of the kind ``data_processing.features`` selects."""
    features = extract_features(samples, DataProcessingParams.model_validate(data_processing).features)
    logger.info("Extracted %d features per example", features.x.shape[1])
    return features


def split_examples(features: FeatureTable, data_processing: dict[str, Any]) -> dict[str, np.ndarray]:
    """Stratified, disjoint train/val/test example indices."""
    split = DataProcessingParams.model_validate(data_processing).split
    return splits.stratified_split(features.y, split.fractions(), split.seed)


def fit_scaler(features: FeatureTable, split_indices: dict[str, np.ndarray]) -> StandardScaler:
    """Standardiser fitted on the training split only."""
    return splits.fit_standardiser(features.x[split_indices["train"]])


def standardise_splits(
    features: FeatureTable, split_indices: dict[str, np.ndarray], scaler: StandardScaler
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Standardised train, val and test model inputs, as named arrays (``x``, ``y`` and names)."""
    outputs = []
    for name in splits.SPLIT_NAMES:
        part = features.subset(split_indices[name])
        standardised = FeatureTable(
            scaler.transform(part.x).astype(np.float32), part.y, part.feature_names, part.class_names
        )
        outputs.append(standardised.to_arrays())
    return tuple(outputs)


def _provenance(task: str, params: DataProcessingParams, raw_sources: dict[str, Path]) -> dict[str, Any]:
    """Where this run's samples come from: the simulation, or the user's files with their checksums."""
    if params.source == "files":
        return files_provenance({name: Path(path) for name, path in raw_sources.items() if name != SIMULATION_CACHE})
    simulation = params.simulation
    settings = simulator_settings(task, simulation.physics)
    cache_file = simulation_cache_path(Path(raw_sources[SIMULATION_CACHE]), task, settings, simulation.n_examples, simulation.seed)
    return simulated_provenance(task, settings, simulation.n_examples, simulation.seed, cache_file)


def report_data(
    task: dict[str, Any],
    data_processing: dict[str, Any],
    raw_sources: dict[str, Path],
    samples: LabelledSamples,
    features: FeatureTable,
    split_indices: dict[str, np.ndarray],
) -> tuple[dict[str, Any], Figure]:
    """Data report (provenance, class balance, feature summary, baseline) and its overview plot."""
    name = TaskParams.model_validate(task).name
    provenance = _provenance(name, DataProcessingParams.model_validate(data_processing), raw_sources)
    report, figure = build_data_report(name, samples, features, split_indices, provenance)
    if "baseline" in report:
        logger.info("Baseline %s", report["baseline"])
    return report, figure
