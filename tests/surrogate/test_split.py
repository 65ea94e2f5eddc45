"""The held-out split is by architecture; rows carry their origin; the surrogate is judged on held-out architectures only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.cost import HardwareCost
from snac_pack.hardware.ground_truth import (
    ROW_ORIGINS,
    DesignRequest,
    GroundTruthStore,
    architecture_of,
    cost_row,
    imported_rows,
    is_held_out,
    split_key,
    split_rows,
)
from snac_pack.hardware.surrogate import (
    FEATURES_VERSION,
    SURROGATE_TARGETS,
    Surrogate,
    accuracy_by_origin,
    evaluate_surrogate,
    fit_surrogate,
)
from surrogate.synthetic import synthetic_ground_truth


def _archs(n: int) -> list[Architecture]:
    rng = np.random.default_rng(7)
    return [Architecture.from_widths([16, int(rng.integers(4, 64)), 5], sparsity=float(rng.uniform(0, 0.8))) for _ in range(n)]


def test_every_draw_origin_and_target_of_an_architecture_falls_on_one_side() -> None:
    other_target = ImplementationTarget(strategy="latency", clock_period_ns=3.0)
    sides = []
    for arch in _archs(400):
        variants = [
            DesignRequest(arch, "random", 0),
            DesignRequest(arch, "random", 1),
            DesignRequest(arch, "trained", 5),
            DesignRequest(arch, "trained", 2**40, origin="compression"),
            DesignRequest(arch.model_copy(update={"target": other_target}), "trained", 2**41, origin="firmware"),
        ]
        assert len({request.design_id() for request in variants}) == len(variants)
        held = {is_held_out(request.arch, 0.25) for request in variants}
        assert len(held) == 1, f"{arch.describe()} has rows on both sides of the split"
        sides.append(held.pop())
    assert 0.18 < np.mean(sides) < 0.32  # the hash holds out about the configured share


def _keys(rows) -> set[str]:
    return {split_key(architecture_of(row)) for _, row in rows.iterrows()}


def test_split_rows_keeps_every_row_of_a_held_out_architecture_out_of_training() -> None:
    table, _ = synthetic_ground_truth(120, seed=0)
    training, held_out = split_rows(table, 0.25)
    assert len(training) + len(held_out) == len(table) and len(held_out) > 0
    assert not _keys(training) & _keys(held_out)
    assert set(held_out["origin"]) == {"random", "trained", "compression", "firmware"}
    # Both draws of a held-out architecture are held out.
    assert (held_out[held_out["origin"] == "random"].groupby("arch_key").size() == 2).all()


def test_surrogate_refuses_to_be_judged_on_architectures_it_learnt() -> None:
    table, _ = synthetic_ground_truth(60, seed=0)
    rows = table[table["source"] == "da4ml"].reset_index(drop=True)
    archs = [architecture_of(row) for _, row in rows.iterrows()]
    surrogate = fit_surrogate(rows, archs, max_layers=4)
    assert surrogate.trained_on == {split_key(arch) for arch in archs}
    # Another weight draw of a training architecture is no evaluation either.
    with pytest.raises(ValueError, match="architectures the surrogate was trained on"):
        evaluate_surrogate(surrogate, rows.iloc[:3], archs[:3])


def _constant(surrogate: Surrogate, training: dict[str, float]) -> Surrogate:
    """A surrogate that predicts the training mean of every figure, whatever the architecture."""
    return Surrogate(
        target=surrogate.target, sources=surrogate.sources, max_layers=surrogate.max_layers, n_training_rows=surrogate.n_training_rows,
        models=training, features_version=FEATURES_VERSION, trained_on=surrogate.trained_on,
    )


def test_per_origin_accuracy_beats_a_constant_predictor() -> None:
    table, _ = synthetic_ground_truth(160, seed=1)
    training, held_out = split_rows(table[table["source"] == "da4ml"], 0.25)
    surrogate = fit_surrogate(training, [architecture_of(row) for _, row in training.iterrows()], max_layers=4)
    by_origin = {record["origin"]: record for record in accuracy_by_origin(surrogate, held_out)}
    assert list(by_origin) == list(ROW_ORIGINS)
    for origin in ROW_ORIGINS:
        assert by_origin[origin]["n"] == int((held_out["origin"] == origin).sum())
    for origin in ("random", "trained", "compression"):
        record = by_origin[origin]
        assert record["n"] > 0 and record["lut_r2"] > 0.9 and record["lut_median_rel_error"] < 0.15
        assert record["latency_within_one_cycle"] == 1.0
    assert by_origin["vendor_import"] == dict.fromkeys(by_origin["vendor_import"]) | {"origin": "vendor_import", "n": 0}
    # The same thresholds fail a predictor that ignores the architecture.
    constant = _constant(surrogate, {name: float(training[name].mean()) for name in SURROGATE_TARGETS})
    flat = {record["origin"]: record for record in accuracy_by_origin(constant, held_out)}
    assert flat["random"]["lut_r2"] < 0.1 and flat["random"]["lut_median_rel_error"] > 0.15


def test_rows_carry_their_origin_and_old_rows_get_one_inferred(tmp_path: Path) -> None:
    arch = Architecture.from_widths([4, 3, 2])
    cost = HardwareCost(source="da4ml", stage="estimate", target=arch.target, lut=10, ff=5, dsp=0, bram_18k=0)
    assert cost_row(DesignRequest(arch, "random", 3), cost, 0.1)["origin"] == "random"
    assert cost_row(DesignRequest(arch, "trained", 3), cost, 0.1)["origin"] == "trained"
    assert cost_row(DesignRequest(arch, "trained", 3, origin="compression"), cost, 0.1)["origin"] == "compression"

    store = GroundTruthStore(tmp_path / "gt.jsonl", shipped=None)
    vendor = cost.model_copy(update={"source": "vivado", "stage": "hls"})
    old = [
        (DesignRequest(arch, "random", 1), cost),
        (DesignRequest(arch, "trained", 1_000_004), cost),  # a trained ground-truth network (seed 1, index 1)
        (DesignRequest(arch, "trained", 2**59 + 17), cost),  # a compression point's weight digest
        (DesignRequest(arch, "trained", 2**59 + 17), vendor),
        (DesignRequest(arch, "trained", 2**59 + 17), vendor.model_copy(update={"stage": "synthesis"})),
    ]
    for request, figures in old:
        row = cost_row(request, figures, 0.1)
        del row["origin"]  # as written before the tag existed
        store.append(row)
    rows = store.rows()
    assert [row["origin"] for row in rows] == ["random", "trained", "compression", "firmware", "firmware"]
    assert [row["stage"] for row in rows[3:]] == ["hls", "synthesis"]  # both vendor reports of one design are kept
    assert "origin" not in json.loads(store.path.read_text().splitlines()[0])  # inferred on reading, never rewritten


def test_imported_rows_join_the_table_tagged_and_on_their_target() -> None:
    target = ImplementationTarget(strategy="latency", reuse_factor=2, part="xcu250-figd2104-2l-e")
    arch = Architecture.from_widths([16, 32, 5], target=target)
    report = HardwareCost(source="wa-hls4ml", stage="synthesis", target=target, lut=900, ff=400, dsp=12, bram_18k=0).to_row()
    (row,) = imported_rows(arch, [report | {"record_id": "abc"}], "wa_hls4ml", "abc")
    assert row["origin"] == "wa_hls4ml" and row["source"] == "wa-hls4ml" and row["record_id"] == "abc"
    assert architecture_of(row) == arch and row["weight_origin"] == "trained"
    with pytest.raises(ValueError, match="the imported target .* is not the architecture's"):
        imported_rows(Architecture.from_widths([16, 32, 5]), [report], "vendor_import", "project")
