"""Custom Kedro datasets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from kedro.io import DatasetError, Version

from snac_pack.datasets import NpzDataset, PathsDataset


def test_npz_dataset_round_trips_versioned_arrays(tmp_path: Path) -> None:
    arrays = {"x": np.arange(6.0).reshape(2, 3), "names": np.array(["a", "b"])}
    dataset = NpzDataset(filepath=str(tmp_path / "inputs.npz"), version=Version(None, None))
    dataset.save(arrays)
    assert dataset.exists()
    loaded = dataset.load()
    np.testing.assert_array_equal(loaded["x"], arrays["x"])
    assert loaded["names"].tolist() == ["a", "b"]
    assert len(list((tmp_path / "inputs.npz").iterdir())) == 1  # one version folder


def test_paths_dataset_hands_over_paths_without_reading(tmp_path: Path) -> None:
    dataset = PathsDataset(paths={"traces": str(tmp_path / "missing.npy")})
    assert dataset.load() == {"traces": tmp_path / "missing.npy"}
    with pytest.raises(DatasetError, match="read-only"):
        dataset.save({"traces": "elsewhere.npy"})
