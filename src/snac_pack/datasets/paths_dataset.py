"""A read-only dataset that hands declared file locations to a node without reading them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError


class PathsDataset(AbstractDataset[Any, dict[str, Path]]):
    """Loads to the mapping of names to paths declared in the catalog; nothing is opened.

    Nodes that may or may not need a file (a user's real data, a simulation cache) take
    this dataset, so that a file which the configured source does not use is never
    required to exist. The library reader that opens a path names the catalog key in its
    errors. Like Kedro's ``PartitionedDataset``, the reading itself is deferred.

    Example catalog entry::

        raw_sources:
          type: snac_pack.datasets.PathsDataset
          paths:
            traces: data/01_raw/qubit/traces.npy
            labels: data/01_raw/qubit/labels.npy
    """

    def __init__(self, paths: dict[str, str], metadata: dict[str, Any] | None = None) -> None:
        """Declare ``paths``, a mapping of names to local paths (relative to the project)."""
        if not isinstance(paths, dict) or not all(isinstance(v, str) for v in paths.values()):
            raise DatasetError("PathsDataset: 'paths' must map names to path strings")
        self._paths = {name: Path(location) for name, location in paths.items()}
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"paths": {name: str(path) for name, path in self._paths.items()}}

    def load(self) -> dict[str, Path]:
        return dict(self._paths)

    def save(self, data: Any) -> None:
        raise DatasetError("PathsDataset is read-only: it only declares where files are")

    def _exists(self) -> bool:
        return True
