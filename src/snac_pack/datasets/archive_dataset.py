"""A versioned dataset of a whole directory as one ``.tar.gz`` archive (e.g. a firmware project)."""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path

from kedro.io.core import DatasetError

from snac_pack.datasets.npz_dataset import NpzDataset


class DirectoryArchiveDataset(NpzDataset):
    """Saves a directory (given as its path) as a compressed tar archive; loads it extracted.

    Loading extracts into a fresh temporary directory and returns its path, so a saved
    version is never modified by whoever reads it.

    Example catalog entry::

        firmware_project:
          type: snac_pack.datasets.DirectoryArchiveDataset
          filepath: data/${globals:environment}/07_model_output/firmware_project.tar.gz
          versioned: true
    """

    def load(self) -> Path:  # type: ignore[override]
        from kedro.io.core import get_filepath_str

        load_path = get_filepath_str(self._get_load_path(), self._protocol)
        target = Path(tempfile.mkdtemp(prefix="snac_pack_archive_"))
        with self._fs.open(load_path, mode="rb") as stream, tarfile.open(fileobj=stream, mode="r:gz") as archive:
            archive.extractall(target, filter="data")
        return target

    def save(self, data: Path) -> None:  # type: ignore[override]
        from kedro.io.core import get_filepath_str

        directory = Path(data)
        if not directory.is_dir():
            raise DatasetError(f"DirectoryArchiveDataset saves a directory, got {directory} which is not one")
        save_path = get_filepath_str(self._get_save_path(), self._protocol)
        with self._fs.open(save_path, mode="wb") as stream, tarfile.open(fileobj=stream, mode="w:gz") as archive:
            archive.add(directory, arcname=directory.name)
        self._fs.invalidate_cache(get_filepath_str(self._filepath, self._protocol))
