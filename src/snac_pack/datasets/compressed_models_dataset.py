"""A versioned dataset of compressed networks: one ``.npz`` with a JSON manifest and the weights."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from kedro.io.core import DatasetError

from snac_pack.compression.saved import CompressedModel
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
        arrays = super().load()
        manifests: list[dict[str, Any]] = json.loads(str(arrays["manifest"]))
        models = {}
        for index, manifest in enumerate(manifests):
            weights = [arrays[f"{index}/{array}"] for array in range(manifest["n_weight_arrays"])]
            models[manifest["name"]] = CompressedModel.from_manifest(manifest, weights)
        return models

    def save(self, data: dict[str, CompressedModel]) -> None:  # type: ignore[override]
        if not isinstance(data, dict) or not all(isinstance(model, CompressedModel) for model in data.values()):
            raise DatasetError("CompressedModelsDataset saves a dict of CompressedModel by name")
        arrays: dict[str, np.ndarray] = {"manifest": np.asarray(json.dumps([model.manifest() for model in data.values()]))}
        for index, model in enumerate(data.values()):
            for array, values in enumerate(model.weights):
                arrays[f"{index}/{array}"] = np.asarray(values)
        super().save(arrays)
