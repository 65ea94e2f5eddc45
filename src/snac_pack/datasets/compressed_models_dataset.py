"""A versioned dataset of compressed networks: one ``.npz`` with a JSON manifest and the weights."""

from __future__ import annotations

from kedro.io.core import DatasetError

from snac_pack.compression.saved import CompressedModel, pack_models, unpack_models
from snac_pack.datasets.npz_dataset import NpzDataset


class CompressedModelsDataset(NpzDataset):
    """Saves and loads ``dict[name, CompressedModel]``; no pickle, so any version stays readable.

    Example catalog entry::

        compressed_models:
          type: snac_pack.datasets.CompressedModelsDataset
          filepath: data/${globals:environment}/06_models/compressed_models.npz
          versioned: true
    """

    def load(self) -> dict[str, CompressedModel]:  # type: ignore[override]
        return unpack_models(super().load())

    def save(self, data: dict[str, CompressedModel]) -> None:  # type: ignore[override]
        if not isinstance(data, dict) or not all(isinstance(model, CompressedModel) for model in data.values()):
            raise DatasetError("CompressedModelsDataset saves a dict of CompressedModel by name")
        super().save(pack_models(data))
