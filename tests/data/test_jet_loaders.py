"""Readers of the hls4ml jet datasets, on tiny files written here."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from snac_pack.data.jets import loaders
from snac_pack.data.jets.features import HLF_FEATURE_NAMES
from snac_pack.data.jets.sample import CLASS_NAMES

PARTICLE_FEATURES = ["j1_px", "j1_pt", "j1_ptrel", "j1_etarel", "j1_phirel"]


def _hlf_table(labels: list[str]) -> pd.DataFrame:
    """An HLF table whose feature j of row i holds 100·i + j, columns in reverse order."""
    rows = range(len(labels))
    values = {name: [100.0 * row + column for row in rows] for column, name in enumerate(HLF_FEATURE_NAMES)}
    return pd.DataFrame({"class": labels, **dict(reversed(list(values.items())))})


def _check_hlf(x: np.ndarray, y: np.ndarray, names: list[str], classes: list[str]) -> None:
    assert x.dtype == np.float32 and x.shape == (5, 16)
    np.testing.assert_array_equal(x[2], 200.0 + np.arange(16))
    np.testing.assert_array_equal(y, [0, 1, 2, 3, 4])
    assert names == list(HLF_FEATURE_NAMES) and classes == list(CLASS_NAMES)


def test_hlf_from_csv_reorders_columns_and_maps_labels(tmp_path: Path):
    path = tmp_path / "hlf.csv"
    _hlf_table(["g", "q", "w", "z", "t"]).to_csv(path, index=False)
    _check_hlf(*loaders.load_openml_hlf(path))


def test_hlf_from_parquet_with_named_label_column(tmp_path: Path):
    path = tmp_path / "hlf.parquet"
    table = _hlf_table(["j_g", "Q", "w", "z", "t"]).rename(columns={"class": "jet_type"})
    table["run"] = 1
    table.to_parquet(path)
    _check_hlf(*loaders.load_openml_hlf(path, label_column="jet_type"))
    with pytest.raises(KeyError, match="cannot tell the class column"):
        loaders.load_openml_hlf(path)


def test_hlf_from_arff(tmp_path: Path):
    path = tmp_path / "hlf.arff"
    header = ["@RELATION hls4ml_lhc_jets_hlf"]
    header += [f"@ATTRIBUTE {name} NUMERIC" for name in HLF_FEATURE_NAMES]
    header += ["@ATTRIBUTE class {g,q,t,w,z}", "@DATA"]
    rows = [
        ",".join([*(str(100.0 * row + column) for column in range(16)), label]) for row, label in enumerate("gqwzt")
    ]
    path.write_text("\n".join(header + rows) + "\n")
    _check_hlf(*loaders.load_openml_hlf(path))


def test_hlf_errors_name_what_is_missing(tmp_path: Path):
    path = tmp_path / "hlf.csv"
    _hlf_table(["g", "q", "w", "z", "t"]).drop(columns=["n2_b1_mmdt"]).to_csv(path, index=False)
    with pytest.raises(KeyError, match="n2_b1_mmdt"):
        loaders.load_openml_hlf(path)
    with pytest.raises(FileNotFoundError, match="42468"):
        loaders.load_openml_hlf(tmp_path / "absent.csv")
    with pytest.raises(ValueError, match="download=True"):
        loaders.load_openml_hlf()


def test_hlf_rejects_numeric_and_unknown_labels(tmp_path: Path):
    numeric, unknown = tmp_path / "numeric.csv", tmp_path / "unknown.csv"
    _hlf_table(["0", "1", "2", "3", "4"]).assign(**{"class": range(5)}).to_csv(numeric, index=False)
    _hlf_table(["g", "q", "w", "z", "higgs"]).to_csv(unknown, index=False)
    with pytest.raises(ValueError, match="ambiguous"):
        loaders.load_openml_hlf(numeric)
    with pytest.raises(ValueError, match="higgs"):
        loaders.load_openml_hlf(unknown)


def test_hlf_download_failure_says_what_to_do(monkeypatch: pytest.MonkeyPatch):
    import sklearn.datasets

    def offline(**arguments: object) -> None:
        raise OSError("Name or service not known")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    with pytest.raises(RuntimeError, match="pass its path"):
        loaders.load_openml_hlf(download=True)


def _write_constituent_file(path: Path, labels: list[int], labels_as: str, n_constituents: int = 4) -> np.ndarray:
    """An hls4ml-like file; constituent (i, k) has j1_ptrel = 1/(k+1) and j1_px = 10·i + k."""
    n_jets = len(labels)
    constituents = np.zeros((n_jets, n_constituents, len(PARTICLE_FEATURES)), dtype=np.float64)
    constituents[..., 0] = 10 * np.arange(n_jets)[:, None] + np.arange(n_constituents)
    constituents[..., 2] = 1.0 / (np.arange(n_constituents) + 1)
    constituents[..., 3] = 0.01 * np.arange(n_constituents)
    one_hot = np.eye(len(CLASS_NAMES))[labels]
    with h5py.File(path, "w") as file:
        file["jetConstituentList"] = constituents
        file["particleFeatureNames"] = np.array([name.encode() for name in PARTICLE_FEATURES])
        if labels_as == "datasets":
            for column, name in enumerate(loaders.ONE_HOT_LABELS):
                file[name] = one_hot[:, column]
        else:
            jet_names = ["j_pt", "j_mass", "j_g", "j_q", "j_w", "j_z", "j_t", "j_undef"]
            file["jets"] = np.concatenate([np.ones((n_jets, 2)), one_hot, np.zeros((n_jets, 1))], axis=1)
            file["jetFeatureNames"] = np.array([name.encode() for name in jet_names])
    return constituents


def test_constituents_from_a_directory_of_files(tmp_path: Path):
    first = _write_constituent_file(tmp_path / "a.h5", [4, 0, 2], labels_as="datasets")
    second = _write_constituent_file(tmp_path / "b.h5", [1, 3], labels_as="table")
    x, y, names, classes = loaders.load_hls4ml_constituents(tmp_path)
    assert x.dtype == np.float32 and x.shape == (5, 4, 5)
    np.testing.assert_array_equal(x, np.concatenate([first, second]).astype(np.float32))
    np.testing.assert_array_equal(y, [4, 0, 2, 1, 3])
    assert names == PARTICLE_FEATURES and classes == list(CLASS_NAMES)
    truncated, _, _, _ = loaders.load_hls4ml_constituents(tmp_path, n_constituents=2, max_files=1)
    assert truncated.shape == (3, 2, 5)


def test_constituents_in_the_constituent_feature_layout(tmp_path: Path):
    _write_constituent_file(tmp_path / "a.h5", [0, 1], labels_as="datasets", n_constituents=3)
    x, _, names, _ = loaders.load_hls4ml_constituents(tmp_path)
    features, feature_names = loaders.hls4ml_constituent_features(x[:, ::-1], names, n_constituents=4)
    assert features.shape == (2, 12) and feature_names[:3] == ["z_0", "deta_0", "dphi_0"]
    np.testing.assert_allclose(features[0, 0::3], [1.0, 0.5, 1 / 3, 0.0], rtol=1e-6)
    np.testing.assert_allclose(features[0, 1::3], [0.0, 0.01, 0.02, 0.0], atol=1e-7)
    with pytest.raises(KeyError, match="j1_etarel"):
        loaders.hls4ml_constituent_features(x[..., :3], names[:3])


def test_constituent_file_errors_name_the_file_and_the_key(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no .h5 files"):
        loaders.load_hls4ml_constituents(tmp_path)
    with pytest.raises(FileNotFoundError, match="not found"):
        loaders.load_hls4ml_constituents(tmp_path / "absent")

    no_list = tmp_path / "no_list.h5"
    with h5py.File(no_list, "w") as file:
        file["particleFeatureNames"] = np.array([b"j1_pt"])
    with pytest.raises(KeyError, match=r"no_list\.h5.*jetConstituentList"):
        loaders.load_hls4ml_constituents(no_list)

    wrong_shape = tmp_path / "wrong_shape.h5"
    with h5py.File(wrong_shape, "w") as file:
        file["jetConstituentList"] = np.zeros((2, 3, 4))
        file["particleFeatureNames"] = np.array([b"j1_pt", b"j1_eta"])
    with pytest.raises(ValueError, match=r"wrong_shape\.h5.*\(2, 3, 4\).*\(N, n_constituents, 2\)"):
        loaders.load_hls4ml_constituents(wrong_shape)

    no_labels = tmp_path / "no_labels.h5"
    with h5py.File(no_labels, "w") as file:
        file["jetConstituentList"] = np.zeros((2, 3, 1))
        file["particleFeatureNames"] = np.array([b"j1_pt"])
    with pytest.raises(KeyError, match=r"no_labels\.h5.*j_g"):
        loaders.load_hls4ml_constituents(no_labels)

    two_classes = tmp_path / "two_classes.h5"
    _write_constituent_file(two_classes, [0, 1], labels_as="datasets")
    with h5py.File(two_classes, "r+") as file:
        file["j_t"][0] = 1.0
    with pytest.raises(ValueError, match="1 jets have no class or several"):
        loaders.load_hls4ml_constituents(two_classes)
