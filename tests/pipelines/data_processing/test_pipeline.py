"""data_processing through KedroSession on the tiny ``test`` environment."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from kedro_runs import latest_version, run_pipeline
from snac_pack.config import ConfigError


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(latest_version(path)) as archive:
        return {k: archive[k] for k in archive.files}


def test_pipeline_writes_model_inputs_scaler_and_report(project_copy: Path) -> None:
    run_pipeline(project_copy, env="test", pipeline="data_processing")

    model_input = project_copy / "data" / "test" / "05_model_input"
    splits = {name: _load_npz(model_input / f"{name}.npz") for name in ("train", "val", "test")}
    assert [len(s["y"]) for s in splits.values()] == [1200, 400, 400]
    assert splits["train"]["x"].shape == (1200, 120)  # a 60-sample window, I and Q
    assert splits["train"]["feature_names"][0] == "I_10"
    np.testing.assert_allclose(splits["train"]["x"].mean(0), 0.0, atol=1e-4)

    with latest_version(model_input / "scaler.pkl").open("rb") as stream:
        scaler = pickle.load(stream)
    assert scaler.n_features_in_ == 120

    report = json.loads(latest_version(project_copy / "data/test/08_reporting/data_report.json").read_text())
    balance = report["class_balance"]
    assert sum(balance["train"].values()) == 1200
    ratios = [balance[split]["excited"] / sum(balance[split].values()) for split in ("train", "val", "test")]
    assert max(ratios) - min(ratios) < 0.01  # stratified
    assert report["baseline"]["name"] == "matched_filter"
    provenance = report["provenance"]
    assert provenance["kind"] == "simulated" and provenance["n_examples"] == 2000 and "simulate_readout" in provenance["generator"]
    cache = Path(provenance["cache_file"]["path"])
    assert provenance["cache_file"]["sha256"] == hashlib.sha256(cache.read_bytes()).hexdigest()
    assert 0.9 < report["baseline"]["test_fidelity"] <= 1.0
    assert latest_version(project_copy / "data/test/08_reporting/data_report.png").stat().st_size > 10_000


def test_files_source_reads_the_users_arrays(project_copy: Path) -> None:
    rng = np.random.default_rng(0)
    labels = np.arange(300) % 2
    traces = rng.normal(size=(300, 80, 2)) + labels[:, None, None]
    raw = project_copy / "data" / "01_raw" / "qubit"
    raw.mkdir()
    np.save(raw / "traces.npy", traces)
    np.save(raw / "labels.npy", labels)

    run_pipeline(project_copy, env="test", pipeline="data_processing", params={"data_processing": {"source": "files"}})

    train = _load_npz(project_copy / "data/test/05_model_input/train.npz")
    assert len(train["y"]) == 180
    report = json.loads(latest_version(project_copy / "data/test/08_reporting/data_report.json").read_text())
    files = {item["name"]: item for item in report["provenance"]["files"]}
    assert report["provenance"]["kind"] == "files" and set(files) == {"traces", "labels"}
    assert files["traces"]["sha256"] == hashlib.sha256((raw / "traces.npy").read_bytes()).hexdigest()


def test_invalid_parameter_stops_the_run_before_any_work(project_copy: Path) -> None:
    with pytest.raises(ConfigError, match=r"data_processing\.split: train \+ val \+ test must sum to 1"):
        run_pipeline(project_copy, env="test", pipeline="data_processing", params={"data_processing": {"split": {"train": 0.9}}})
    # The run's claim of its save version (snac_pack.session_store) is bookkeeping, not output.
    written = [p for p in (project_copy / "data").rglob("*") if p.is_file() and p.parent.name != ".run_versions"]
    assert written == []


def test_missing_user_file_is_named(project_copy: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"raw_sources\.paths\.traces: file 'data/01_raw/qubit/traces\.npy' not found"):
        run_pipeline(project_copy, env="test", pipeline="data_processing", params={"data_processing": {"source": "files"}})
