"""Sources: the user's qubit files (and their errors) and the simulation cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from snac_pack.data import sources
from snac_pack.data.features import IQWindowFeatures
from snac_pack.data.qubit import QubitReadoutSettings

ENTRY = "raw_sources"
FEATURES = IQWindowFeatures(kind="iq_window", window_start=0, window_length=3)


def _write(tmp_path: Path, traces: np.ndarray, labels: np.ndarray) -> dict[str, Path]:
    paths = {"traces": tmp_path / "traces.npy", "labels": tmp_path / "labels.npy"}
    np.save(paths["traces"], traces)
    np.save(paths["labels"], labels)
    return paths


def test_reads_traces_of_shape_n_t_2(tmp_path: Path) -> None:
    traces = np.random.default_rng(0).normal(size=(10, 7, 2))
    samples = sources.load_qubit_files(_write(tmp_path, traces, np.arange(10) % 2), ENTRY, FEATURES)
    assert samples.inputs.shape == (10, 7, 2) and samples.inputs.dtype == np.float32
    np.testing.assert_allclose(samples.inputs, traces.astype(np.float32))


def test_reads_concatenated_i_then_q(tmp_path: Path) -> None:
    traces = np.random.default_rng(0).normal(size=(10, 7, 2)).astype(np.float32)
    flat = np.concatenate([traces[:, :, 0], traces[:, :, 1]], axis=1)
    samples = sources.load_qubit_files(_write(tmp_path, flat, np.arange(10) % 2), ENTRY, FEATURES)
    np.testing.assert_array_equal(samples.inputs, traces)


def test_reads_named_arrays_from_npz(tmp_path: Path) -> None:
    path = tmp_path / "readout.npz"
    np.savez(path, traces=np.zeros((4, 3, 2)), labels=np.array([0, 1, 0, 1]))
    samples = sources.load_qubit_files({"traces": path, "labels": path}, ENTRY, FEATURES)
    assert samples.labels.tolist() == [0, 1, 0, 1]


def test_missing_file_names_file_and_catalog_key(tmp_path: Path) -> None:
    paths = {"traces": tmp_path / "nowhere.npy", "labels": tmp_path / "labels.npy"}
    with pytest.raises(FileNotFoundError, match=r"raw_sources\.paths\.traces: file '.*nowhere\.npy' not found"):
        sources.load_qubit_files(paths, ENTRY, FEATURES)


def test_wrong_trace_shape_names_expected_shape(tmp_path: Path) -> None:
    paths = _write(tmp_path, np.zeros((10, 7, 3)), np.zeros(10, dtype=int))
    with pytest.raises(ValueError, match=r"raw_sources\.paths\.traces: '.*traces\.npy' has shape \(10, 7, 3\); expected \(N, T, 2\)"):
        sources.load_qubit_files(paths, ENTRY, FEATURES)


def test_label_count_mismatch_names_labels_file(tmp_path: Path) -> None:
    paths = _write(tmp_path, np.zeros((10, 7, 2)), np.zeros(9, dtype=int))
    with pytest.raises(ValueError, match=r"raw_sources\.paths\.labels: .* has shape \(9,\); expected \(10,\)"):
        sources.load_qubit_files(paths, ENTRY, FEATURES)


def test_labels_outside_0_1_are_refused(tmp_path: Path) -> None:
    paths = _write(tmp_path, np.zeros((3, 7, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="must hold 0"):
        sources.load_qubit_files(paths, ENTRY, FEATURES)


def test_missing_path_entry_says_what_to_add() -> None:
    with pytest.raises(KeyError, match="add 'paths.labels'"):
        sources.load_qubit_files({"traces": Path("x.npy")}, ENTRY, FEATURES)


def test_simulation_is_cached_by_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = QubitReadoutSettings(n_samples=20)
    first = sources.simulate_cached("qubit", settings, 50, 3, tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def _must_not_simulate(*args: object) -> None:
        raise AssertionError("a cached configuration was simulated again")

    monkeypatch.setitem(sources.SIMULATORS, "qubit", sources.Simulator(QubitReadoutSettings, _must_not_simulate))
    second = sources.simulate_cached("qubit", settings, 50, 3, tmp_path)
    np.testing.assert_array_equal(first.inputs, second.inputs)
    assert second.class_names == ("ground", "excited")
    assert sources.simulation_cache_path(tmp_path, "qubit", settings, 50, 4) != sources.simulation_cache_path(
        tmp_path, "qubit", settings, 50, 3
    )
