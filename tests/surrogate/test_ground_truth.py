"""The ground-truth store: durable appends, resumption without recomputation."""

from __future__ import annotations

from pathlib import Path

from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.exact import WEIGHTS_PER_PROCESS
from snac_pack.hardware.ground_truth import (
    DesignRequest,
    GroundTruthStore,
    architecture_of,
    extend_ground_truth,
    pool_batches,
)


def _designs(n: int) -> list[DesignRequest]:
    return [
        DesignRequest(Architecture.from_widths([4, 3 + index, 2], weight_bits=4, activation_bits=6), "random", index)
        for index in range(n)
    ]


def test_rows_hold_exact_figures_and_rebuild_their_architecture(tmp_path: Path) -> None:
    store = GroundTruthStore(tmp_path / "gt.jsonl", shipped=None)
    assert extend_ground_truth(store, _designs(2), "da4ml", n_workers=1) == 2
    table = store.table()
    assert set(table["source"]) == {"da4ml"} and (table["lut"] > 0).all()
    design = _designs(2)[1]
    assert architecture_of(table.set_index("design_id").loc[design.design_id()]) == design.arch


def test_largest_designs_are_computed_first(tmp_path: Path) -> None:
    store = GroundTruthStore(tmp_path / "gt.jsonl", shipped=None)
    extend_ground_truth(store, _designs(3), "da4ml", n_workers=1)
    assert list(store.table()["design_id"]) == [design.design_id() for design in reversed(_designs(3))]


def test_interrupted_run_resumes_without_recomputation(tmp_path: Path) -> None:
    store = GroundTruthStore(tmp_path / "gt.jsonl", shipped=None)
    extend_ground_truth(store, _designs(2), "da4ml", n_workers=1)
    # An interrupted write leaves a cut line: it is ignored and only that design is redone.
    with store.path.open("a") as stream:
        stream.write('{"design_id": "cut sh')
    assert len(store.rows()) == 2
    assert extend_ground_truth(store, _designs(3), "da4ml", n_workers=2) == 1
    assert extend_ground_truth(store, _designs(3), "da4ml", n_workers=2) == 0
    assert sorted(store.table()["weight_seed"]) == [0, 1, 2]


def test_same_architecture_with_other_weights_is_another_design() -> None:
    first, second = _designs(1)[0], DesignRequest(_designs(1)[0].arch, "random", 99)
    assert first.design_id() != second.design_id()


def test_pools_serve_many_small_designs_or_few_large_ones_in_order() -> None:
    small = _designs(50)  # 18-312 weights each
    large = [DesignRequest(Architecture.from_widths([100, 100, 2], weight_bits=4, activation_bits=6), "random", index) for index in range(5)]
    requests = [*large, *small]
    batches = pool_batches(requests, n_workers=2)
    assert [request for batch in batches for request in batch] == requests
    # 10,200 weights per large design against 24,000 per pool of two workers: three large ones,
    # then two large and 33 small ones, then the rest.
    assert [len(batch) for batch in batches] == [3, 35, 17]
    assert all(len(batch) >= 2 for batch in pool_batches(large, n_workers=2)[:-1])
    assert 2 * WEIGHTS_PER_PROCESS <= sum(request.arch.n_unpruned_weights() for request in batches[0])
