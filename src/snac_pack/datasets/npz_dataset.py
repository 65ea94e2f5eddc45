"""A versioned dataset of named numpy arrays in one ``.npz`` file."""

from __future__ import annotations

from copy import deepcopy
from pathlib import PurePosixPath
from typing import Any

import fsspec
import numpy as np
from kedro.io.core import AbstractVersionedDataset, DatasetError, Version, get_filepath_str, get_protocol_and_path


class NpzDataset(AbstractVersionedDataset[dict[str, np.ndarray], dict[str, np.ndarray]]):
    """Saves and loads a ``dict[str, np.ndarray]`` as a compressed ``.npz`` archive.

    Example catalog entry::

        model_input_train:
          type: snac_pack.datasets.NpzDataset
          filepath: data/${globals:environment}/05_model_input/train.npz
          versioned: true
    """

    def __init__(
        self,
        filepath: str,
        version: Version | None = None,
        credentials: dict[str, Any] | None = None,
        fs_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Create a dataset at ``filepath`` (any fsspec URL); ``version`` as in Kedro's catalog."""
        protocol, path = get_protocol_and_path(filepath, version)
        fs_args = deepcopy(fs_args) or {}
        if protocol == "file":
            fs_args.setdefault("auto_mkdir", True)
        self._protocol = protocol
        self._fs = fsspec.filesystem(protocol, **(credentials or {}), **fs_args)
        self.metadata = metadata
        super().__init__(
            filepath=PurePosixPath(path),
            version=version,
            exists_function=self._fs.exists,
            glob_function=self._fs.glob,
        )

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "protocol": self._protocol, "version": self._version}

    def load(self) -> dict[str, np.ndarray]:
        load_path = get_filepath_str(self._get_load_path(), self._protocol)
        with self._fs.open(load_path, mode="rb") as stream, np.load(stream, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}

    def save(self, data: dict[str, np.ndarray]) -> None:
        if not isinstance(data, dict):
            raise DatasetError(f"NpzDataset saves a dict of arrays, got {type(data).__name__}")
        save_path = get_filepath_str(self._get_save_path(), self._protocol)
        with self._fs.open(save_path, mode="wb") as stream:
            np.savez_compressed(stream, **{name: np.asarray(array) for name, array in data.items()})
        self._fs.invalidate_cache(get_filepath_str(self._filepath, self._protocol))

    def _exists(self) -> bool:
        try:
            load_path = get_filepath_str(self._get_load_path(), self._protocol)
        except DatasetError:
            return False
        return self._fs.exists(load_path)
