"""The shipped table's plan, its shards and their merge."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from snac_pack.hardware.ground_truth import GroundTruthStore, da4ml_version, row_statistics
from snac_pack.hardware.surrogate_features import STATISTICS_VERSION
from snac_pack.hardware.table import (
    BroadRanges,
    FamilyRanges,
    TablePlan,
    broad_designs,
    build_shard,
    family_designs,
    merge_tables,
    refresh_shard,
    shard_of,
)


def test_the_plan_is_reproducible_spans_its_ranges_and_alternates_distributions() -> None:
    plan = TablePlan(n_designs=60, extra_draws=2, n_yosys=0)
    designs = broad_designs(plan)
    assert [d.design_id() for d in designs] == [d.design_id() for d in broad_designs(plan)]
    assert len(designs) == 60 + 2 * 6  # every tenth architecture drawn twice more
    ranges = plan.ranges
    for design in designs:
        arch = design.arch
        assert ranges.hidden_layers[0] + 1 <= arch.depth <= ranges.hidden_layers[1] + 1
        assert ranges.n_inputs[0] <= arch.n_inputs <= ranges.n_inputs[1]
        assert all(ranges.widths[0] <= w <= ranges.widths[1] for w in arch.widths[1:-1])
        assert all(ranges.weight_bits[0] <= layer.weight_bits <= ranges.weight_bits[1] for layer in arch.layers)
        assert all(0 <= layer.sparsity <= ranges.sparsity[1] for layer in arch.layers)
        nonzero = sum(f * u * (1 - layer.sparsity) for (f, u), layer in zip(arch.layer_shapes(), arch.layers, strict=True))
        assert nonzero <= ranges.max_nonzero_weights
    assert [d.distribution for d in designs[:3]] == ["glorot_normal", "glorot_uniform", "laplace"]
    assert designs[60].arch == designs[0].arch and designs[60].design_id() != designs[0].design_id()
    assert len({d.design_id() for d in designs}) == len(designs)


def test_shards_partition_the_plan() -> None:
    designs = broad_designs(TablePlan(n_designs=25, extra_draws=0))
    parts = [shard_of(designs, shard, 4) for shard in range(4)]
    assert sorted(d.design_id() for part in parts for d in part) == sorted(d.design_id() for d in designs)
    with pytest.raises(ValueError, match="--shard must be in 0 … 3 for --shards 4, got 4"):
        shard_of(designs, 4, 4)


def _rewrite(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def test_refresh_costs_a_tables_random_designs_again_of_any_version_and_merges_in_front_of_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tiny = BroadRanges(hidden_layers=(1, 1), n_inputs=(4, 6), widths=(4, 6), n_outputs=(2, 2), max_nonzero_weights=100)
    plan = TablePlan(n_designs=3, extra_draws=0, n_yosys=0, n_family_designs=0, ranges=tiny)
    table = build_shard(plan, 0, 1, tmp_path / "built", n_workers=1, yosys=False)
    original = {row["design_id"]: row for row in GroundTruthStore(table, shipped=None).rows()}
    rows = [json.loads(line) for line in table.read_text().splitlines()]
    rows[0]["da4ml_version"] = "0.0.1"  # costed by another da4ml: refreshed, not compared
    rows[1]["lut"] += 7  # a figure this da4ml does not reproduce
    _rewrite(table, rows)

    with caplog.at_level(logging.WARNING, logger="snac_pack.hardware.table"):
        refreshed = refresh_shard(table, 0, 1, tmp_path / "refresh", n_workers=1)
    assert refreshed.name == "refresh_0_of_1.jsonl"
    warnings = [record.getMessage() for record in caplog.records if "not reproduced" in record.getMessage()]
    assert len(warnings) == 1 and rows[1]["design_id"] in warnings[0]
    assert rows[0]["design_id"] not in warnings[0] and rows[2]["design_id"] not in warnings[0]

    merged = tmp_path / "merged.jsonl.xz"
    assert merge_tables([refreshed, table], merged) == 3
    for row in GroundTruthStore(tmp_path / "none.jsonl", shipped=merged).rows():
        assert row["da4ml_version"] == da4ml_version()
        for name in ("lut", "ff", "latency_cycles"):
            assert row[name] == original[row["design_id"]][name]

    before = refreshed.read_text()
    refresh_shard(table, 0, 1, tmp_path / "refresh", n_workers=1)  # resumed: nothing computed again
    assert refreshed.read_text() == before
    with pytest.raises(FileNotFoundError, match="no such table to refresh"):
        refresh_shard(tmp_path / "missing.jsonl.xz", 0, 1, tmp_path / "refresh", n_workers=1)


def test_built_shards_resume_and_merge_into_a_table_the_store_reads_as_shipped(tmp_path: Path) -> None:
    tiny = BroadRanges(hidden_layers=(1, 1), n_inputs=(4, 6), widths=(4, 6), n_outputs=(2, 2), max_nonzero_weights=100)
    plan = TablePlan(n_designs=4, extra_draws=1, n_yosys=0, n_family_designs=0, ranges=tiny)
    shards = [build_shard(plan, shard, 2, tmp_path / "shards", n_workers=1, yosys=False) for shard in range(2)]
    assert build_shard(plan, 0, 2, tmp_path / "shards", n_workers=1, yosys=False) == shards[0]  # resumed: nothing to do
    into = tmp_path / "shipped.jsonl.xz"
    assert merge_tables([*shards, shards[0]], into) == 5

    rows = GroundTruthStore(tmp_path / "project.jsonl", shipped=into).rows()
    assert len(rows) == 5 and {row["table"] for row in rows} == {"shipped"}
    assert {row["da4ml_version"] for row in rows} == {da4ml_version()}
    assert all(row["origin"] == "random" and row["source"] == "da4ml" for row in rows)
    design = {d.design_id(): d for d in broad_designs(plan)}
    for row in rows:
        # The recorded counts are those of the weights the plan draws.
        from snac_pack.hardware.surrogate_features import weight_statistics

        request = design[row["design_id"]]
        np.testing.assert_array_equal(row_statistics(row), weight_statistics(request.arch, request.network()))


def test_a_larger_plan_extends_a_table_computing_only_the_designs_it_lacks(tmp_path: Path) -> None:
    tiny = BroadRanges(hidden_layers=(1, 1), n_inputs=(4, 6), widths=(4, 6), n_outputs=(2, 2), max_nonzero_weights=100)
    small, larger = (TablePlan(n_designs=n, extra_draws=0, n_yosys=0, n_family_designs=0, ranges=tiny) for n in (2, 4))
    shipped = tmp_path / "shipped.jsonl.xz"
    merge_tables([build_shard(small, 0, 1, tmp_path / "first", n_workers=1, yosys=False)], shipped)
    extension = build_shard(larger, 0, 1, tmp_path / "second", n_workers=1, yosys=False, extend=shipped)
    new = {json.loads(line)["design_id"] for line in extension.read_text().splitlines()}
    planned = [design.design_id() for design in broad_designs(larger)]
    assert new == set(planned[2:])  # the first two are the smaller plan's, already in the table
    assert merge_tables([extension, shipped], tmp_path / "extended.jsonl.xz") == 4
    with pytest.raises(FileNotFoundError, match="--extend"):
        build_shard(larger, 0, 1, tmp_path / "third", n_workers=1, yosys=False, extend=tmp_path / "missing.jsonl.xz")


def test_merge_leaves_out_trained_rows_whose_counts_are_of_an_older_definition(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Trained weights are not kept: counts of an older definition cannot be recounted, so the row cannot be described."""
    tiny = BroadRanges(hidden_layers=(1, 1), n_inputs=(4, 6), widths=(4, 6), n_outputs=(2, 2), max_nonzero_weights=100)
    shard = build_shard(TablePlan(n_designs=2, extra_draws=0, n_yosys=0, n_family_designs=0, ranges=tiny), 0, 1,
                        tmp_path / "shards", n_workers=1, yosys=False)
    random_row, other = (json.loads(line) for line in shard.read_text().splitlines())
    stale_random = {**random_row, "weight_statistics_version": STATISTICS_VERSION - 1}
    stale_trained = {**other, "design_id": "trained-1", "weight_origin": "trained", "origin": "trained",
                     "weight_statistics_version": STATISTICS_VERSION - 1}
    current_trained = {**other, "design_id": "trained-2", "weight_origin": "trained", "origin": "trained"}
    _rewrite(tmp_path / "old.jsonl", [stale_random, stale_trained, current_trained])
    with caplog.at_level(logging.WARNING, logger="snac_pack.hardware.table"):
        assert merge_tables([tmp_path / "old.jsonl"], tmp_path / "merged.jsonl.xz") == 2
    assert "Left out 1 rows of trained weights" in caplog.text
    rows = {row["design_id"]: row for row in GroundTruthStore(tmp_path / "none.jsonl", shipped=tmp_path / "merged.jsonl.xz").rows()}
    assert set(rows) == {random_row["design_id"], "trained-2"}
    assert "weight_statistics" not in rows[random_row["design_id"]]  # recounted from its seed when read
    np.testing.assert_array_equal(row_statistics(rows[random_row["design_id"]]), row_statistics(random_row))


def test_the_family_plan_draws_each_family_over_its_ranges_and_its_rows_carry_weight_counts(tmp_path: Path) -> None:
    tiny = FamilyRanges(constituents=(4,), samples=(6, 8), body_units=(2, 3), token_units=(2,), kernel_size=(2, 3),
                        hidden_layers=(0, 1), widths=(2, 3), n_outputs=(2, 2), max_built_weights=100)
    plan = TablePlan(n_designs=2, extra_draws=0, n_yosys=0, n_family_designs=6, family_ranges=tiny)
    designs = family_designs(plan)
    assert [d.design_id() for d in designs] == [d.design_id() for d in family_designs(plan)]
    assert [d.arch.family for d in designs] == ["deepsets", "mixer", "conv1d"] * 2
    assert {d.distribution for d in designs[::3]} == {"glorot_normal", "glorot_uniform"}  # not tied to a family
    for design in designs:
        arch = design.arch
        if arch.family == "conv1d":  # readout-like traces
            assert 6 <= arch.tokens <= 8 and arch.n_inputs == tiny.sample_features
        else:  # jet-like constituents
            assert arch.tokens == 4 and arch.n_inputs == tiny.constituent_features
        built = sum(u * f * n * (1 - layer.sparsity)
                    for u, (f, n), layer in zip(arch.kernel_uses(), arch.layer_shapes(), arch.weighted_layers(), strict=True))
        assert built <= tiny.max_built_weights
    assert not {d.design_id() for d in designs} & {d.design_id() for d in broad_designs(plan)}

    table = build_shard(plan, 0, 1, tmp_path, n_workers=1, yosys=False, parts=["families"])
    rows = list(GroundTruthStore(table, shipped=None).rows())
    assert sorted(row["design_id"] for row in rows) == sorted(d.design_id() for d in designs)
    assert all(row["plan"] == "families" for row in rows) and any(row["lut"] > 0 for row in rows)
    for row in rows:
        np.testing.assert_array_equal(row_statistics(row), np.asarray(row["weight_statistics"]))
