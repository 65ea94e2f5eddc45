"""surrogate_training's nodes as plain functions on a synthetic ground-truth table: the split and the metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from snac_pack.hardware.ground_truth import SHIPPED_TABLE, ROW_ORIGINS, DesignRequest, GroundTruthStore, architecture_of, split_key, split_rows
from snac_pack.hardware.surrogate import ORIGIN_TABLE_COLUMNS
from snac_pack.pipelines.surrogate_training.nodes import compute_exact_costs, evaluate_surrogate_accuracy, train_surrogate
from surrogate.synthetic import synthetic_ground_truth

ROOT = Path(__file__).resolve().parents[3]
PARAMS = {
    "n_random_designs": 240, "n_trained_designs": 40, "trained_epochs": 1, "yosys_designs": 0, "yosys_timeout_s": 60,
    "holdout_fraction": 0.25,
}
TARGET = yaml.safe_load((ROOT / "conf/base/parameters_hardware.yml").read_text())["hardware_target"]
# Up to three hidden layers (the synthetic architectures' depth): the surrogate describes four layers.
SPACE = yaml.safe_load((ROOT / "conf/test/parameters.yml").read_text())["search_space"] | {"hidden_layers": {"low": 1, "high": 3}}


@pytest.fixture(scope="module")
def trained() -> tuple:
    table, planned = synthetic_ground_truth(120, seed=2)
    return table, planned, train_surrogate(table, SPACE, TARGET, PARAMS)


def test_training_holds_no_row_of_a_held_out_architecture(trained: tuple) -> None:
    table, _, surrogate = trained
    da4ml = table[table["source"] == "da4ml"]
    training, held_out = split_rows(da4ml, PARAMS["holdout_fraction"])
    held_keys = {split_key(architecture_of(row)) for _, row in held_out.iterrows()}
    assert set(held_out["origin"]) == {"random", "trained", "compression"}
    assert not surrogate.trained_on & held_keys
    assert surrogate.trained_on == {split_key(architecture_of(row)) for _, row in training.iterrows()}
    # Every origin of the training side is learnt; the Vivado rows (another tool) are not.
    assert surrogate.n_training_rows == len(training) and surrogate.sources == ("da4ml",)
    assert set(training["origin"]) == {"random", "trained", "compression"}


def test_metrics_judge_held_out_architectures_per_origin_with_n(trained: tuple) -> None:
    table, planned, surrogate = trained
    metrics, _ = evaluate_surrogate_accuracy(surrogate, table, [p for p in planned if p.weight_origin == "random"],
                                             [p for p in planned if p.weight_origin == "trained"], PARAMS)
    json.dumps(metrics)  # JSON-ready
    _, held_out = split_rows(table[table["source"] == "da4ml"], PARAMS["holdout_fraction"])
    by_origin = {record["origin"]: record for record in metrics["by_origin"]}
    assert list(by_origin) == list(ROW_ORIGINS)
    assert all(set(record) == set(ORIGIN_TABLE_COLUMNS) for record in by_origin.values())
    assert {origin: record["n"] for origin, record in by_origin.items()} == {
        origin: int((held_out["origin"] == origin).sum()) for origin in ROW_ORIGINS
    }
    assert by_origin["random"]["lut_r2"] > 0.9 and by_origin["compression"]["lut_r2"] > 0.9
    # This run's groups: held-out architectures only, each with its n.
    assert metrics["held_out_random_weights"]["n"] == by_origin["random"]["n"]
    assert metrics["trained_weights"]["n"] == by_origin["trained"]["n"] > 0
    assert metrics["held_out_random_weights"]["lut"]["r2"] > 0.9
    assert metrics["yosys"] == {"n": 0}
    assert metrics["split"]["n_held_out_rows"] == len(held_out)
    assert sum(metrics["split"]["n_training_rows_by_origin"].values()) == metrics["n_training_rows"] == surrogate.n_training_rows


def test_a_first_run_whose_designs_the_shipped_table_holds_computes_nothing_and_learns_the_shipped_rows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shipped = GroundTruthStore(SHIPPED_TABLE, shipped=None).table()
    rows = shipped[(shipped["plan"] == "qubit") & (shipped["origin"] == "random") & (shipped["source"] == "da4ml")].head(6)
    planned = [DesignRequest(architecture_of(row), "random", int(row["weight_seed"]), plan="qubit") for _, row in rows.iterrows()]
    assert [design.design_id() for design in planned] == list(rows["design_id"])
    project = {"table": tmp_path / "ground_truth.jsonl"}
    params = PARAMS | {"use_shipped_table": True}
    caplog.set_level("INFO")
    table = compute_exact_costs(project, planned, [], params)
    assert "6 of 6 designs already computed, 0 to go" in caplog.text
    assert not project["table"].exists()  # nothing computed, nothing written
    assert len(table) == len(shipped) and set(table["table"]) == {"shipped"}
    space = yaml.safe_load((ROOT / "conf/qubit/parameters.yml").read_text())["search_space"]
    surrogate = train_surrogate(table, space, TARGET, params)
    # Rows of every family with at most the space's 4 layers with weights (3 hidden and the head).
    shallow = np.array([len(architecture_of(row).weighted_layers()) <= 4 for _, row in table.iterrows()])
    learnable = table[(table["source"] == "da4ml").to_numpy() & shallow]
    assert surrogate.n_training_rows == len(split_rows(learnable, PARAMS["holdout_fraction"])[0]) > 1_000
    assert surrogate.weight_aware and surrogate.n_weight_rows == surrogate.n_training_rows
    without = compute_exact_costs(project, [], [], params | {"use_shipped_table": False})
    assert without.empty
