"""Custom Kedro datasets of snac-pack: the only library package besides ``pipelines`` that imports Kedro."""

from snac_pack.datasets.archive_dataset import DirectoryArchiveDataset
from snac_pack.datasets.compressed_models_dataset import CompressedModelsDataset
from snac_pack.datasets.npz_dataset import NpzDataset
from snac_pack.datasets.optuna_study_dataset import OptunaStudyDataset
from snac_pack.datasets.paths_dataset import PathsDataset

__all__ = ["CompressedModelsDataset", "DirectoryArchiveDataset", "NpzDataset", "OptunaStudyDataset", "PathsDataset"]
