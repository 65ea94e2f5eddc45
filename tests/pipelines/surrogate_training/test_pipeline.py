"""surrogate_training through KedroSession on ``conf/test``: ground truth, surrogate, metrics."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pandas as pd
import pytest

from kedro_runs import latest_version, run_pipeline
from snac_pack.hardware.surrogate import Surrogate


def test_writes_ground_truth_surrogate_and_metrics(trained_surrogate_project: Path) -> None:
    root = trained_surrogate_project
    table = pd.read_parquet(latest_version(root / "data/03_primary/ground_truth.parquet"))
    assert set(table["source"]) == {"da4ml", "yosys"}
    assert (table["source"] == "yosys").sum() == 1
    assert set(table["weight_origin"]) == {"random", "trained"}
    assert (table["lut"] > 0).all()

    with latest_version(root / "data/06_models/surrogate.pkl").open("rb") as stream:
        surrogate: Surrogate = pickle.load(stream)
    assert surrogate.sources == ("da4ml",) and surrogate.target.strategy == "distributed_arithmetic"

    metrics = json.loads(latest_version(root / "data/08_reporting/surrogate_metrics.json").read_text())
    assert {"r2", "median_rel_error", "p90_rel_error"} <= set(metrics["held_out_random_weights"]["lut"])
    assert metrics["trained_weights"]["lut"]["n"] == 2
    assert metrics["yosys_vs_da4ml"]["n_designs"] == 1
    assert latest_version(root / "data/08_reporting/surrogate_parity.png").stat().st_size > 10_000


def test_a_rerun_computes_nothing_again(surrogate_project: Path, caplog: pytest.LogCaptureFixture) -> None:
    before = (surrogate_project / "data/03_primary/ground_truth.jsonl").read_text()
    with caplog.at_level("INFO", logger="snac_pack"):
        run_pipeline(surrogate_project, env="test", pipeline="surrogate_training")
    assert (surrogate_project / "data/03_primary/ground_truth.jsonl").read_text() == before
    assert "da4ml ground truth: 32 of 32 designs already computed, 0 to go" in caplog.text
    assert "2 of 2 trained ground-truth networks are already in the table: not trained again" in caplog.text
    assert "Trained ground-truth network" not in caplog.text
    metrics = json.loads(latest_version(surrogate_project / "data/08_reporting/surrogate_metrics.json").read_text())
    assert metrics["trained_weights"]["lut"]["n"] == 2  # still judged on the trained networks
