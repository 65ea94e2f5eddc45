"""surrogate_training through KedroSession on ``conf/test``: ground truth, surrogate, metrics."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kedro_runs import latest_version, run_pipeline
from snac_pack.hardware.ground_truth import ROW_ORIGINS, architecture_of, is_held_out, split_key
from snac_pack.hardware.surrogate import Surrogate

HOLDOUT = yaml.safe_load((Path(__file__).resolve().parents[3] / "conf/base/parameters_surrogate_training.yml").read_text())[
    "surrogate_training"
]["holdout_fraction"]  # conf/test keeps it


def _held_out(table: pd.DataFrame) -> pd.Series:
    return pd.Series([is_held_out(architecture_of(row), HOLDOUT) for _, row in table.iterrows()], index=table.index)


def test_writes_ground_truth_surrogate_and_metrics(trained_surrogate_project: Path) -> None:
    root = trained_surrogate_project
    table = pd.read_parquet(latest_version(root / "data/test/03_primary/ground_truth.parquet"))
    assert set(table["source"]) == {"da4ml", "yosys"}
    assert (table["source"] == "yosys").sum() == 1
    assert set(table["weight_origin"]) == {"random", "trained"}
    assert set(table["origin"]) == {"random", "trained"}  # every row tagged by its writer
    assert (table["lut"] > 0).all()
    held = _held_out(table)
    assert held[table["source"] == "yosys"].all()  # Yosys judges the surrogate on unseen architectures

    with latest_version(root / "data/test/06_models/surrogate.pkl").open("rb") as stream:
        surrogate: Surrogate = pickle.load(stream)
    assert surrogate.sources == ("da4ml",) and surrogate.target.strategy == "distributed_arithmetic"
    # Trained on every da4ml row of a training architecture, of every origin, and on no held-out one.
    da4ml = table[table["source"] == "da4ml"]
    keys = [split_key(architecture_of(row)) for _, row in da4ml.iterrows()]
    assert surrogate.trained_on == {key for key, out in zip(keys, held[da4ml.index], strict=True) if not out}
    assert surrogate.n_training_rows == int((~held[da4ml.index]).sum())

    metrics = json.loads(latest_version(root / "data/test/08_reporting/surrogate_metrics.json").read_text())
    held_random = da4ml[held[da4ml.index] & (da4ml["origin"] == "random")]
    assert metrics["held_out_random_weights"]["n"] == len(held_random) > 0
    assert {"r2", "median_rel_error", "p90_rel_error"} <= set(metrics["held_out_random_weights"]["lut"])
    assert metrics["held_out_random_weights"]["lut"]["r2"] > 0.8  # a constant predictor scores <= 0
    n_trained = int((held[da4ml.index] & (da4ml["origin"] == "trained")).sum())
    assert metrics["trained_weights"]["n"] == n_trained
    assert metrics["yosys"]["n"] == 1
    by_origin = {record["origin"]: record for record in metrics["by_origin"]}
    assert list(by_origin) == list(ROW_ORIGINS)
    assert by_origin["random"]["n"] == len(held_random) and by_origin["trained"]["n"] == n_trained
    assert by_origin["compression"]["n"] == 0 and by_origin["compression"]["lut_r2"] is None
    assert metrics["yosys_vs_da4ml"]["n_designs"] == 1
    assert latest_version(root / "data/test/08_reporting/surrogate_parity.png").stat().st_size > 10_000


def test_a_rerun_computes_nothing_again(surrogate_project: Path, caplog: pytest.LogCaptureFixture) -> None:
    before = (surrogate_project / "data/03_primary/ground_truth.jsonl").read_text()
    with caplog.at_level("INFO", logger="snac_pack"):
        run_pipeline(surrogate_project, env="test", pipeline="surrogate_training")
    assert (surrogate_project / "data/03_primary/ground_truth.jsonl").read_text() == before
    assert "da4ml ground truth: 32 of 32 designs already computed, 0 to go" in caplog.text
    assert "2 of 2 trained ground-truth networks are already in the table: not trained again" in caplog.text
    assert "Trained ground-truth network" not in caplog.text
    metrics = json.loads(latest_version(surrogate_project / "data/test/08_reporting/surrogate_metrics.json").read_text())
    # The trained networks are still planned (not retrained) and judged when held out.
    assert metrics["trained_weights"]["n"] == sum(record["n"] for record in metrics["by_origin"] if record["origin"] == "trained")
