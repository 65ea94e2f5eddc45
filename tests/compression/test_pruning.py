"""Magnitude pruning masks: the schedule's sparsity, kept prunings, global versus per-layer ranking."""

from __future__ import annotations

import numpy as np
import pytest

from snac_pack.compression.pruning import prune_masks, pruned_fraction
from snac_pack.compression.settings import PruningSchedule


def _kernels(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1.0, (10, 8)), rng.normal(0, 0.1, (8, 4))]


def test_schedule_prunes_a_fraction_of_the_survivors() -> None:
    schedule = PruningSchedule(iterations=3, fraction=0.5, finetune_epochs=1)
    assert [schedule.target_sparsity(i) for i in range(4)] == [0.0, 0.5, 0.75, 0.875]


@pytest.mark.parametrize("scope", ["global", "layer"])
def test_masks_reach_the_target_and_keep_earlier_prunings(scope: str) -> None:
    kernels = _kernels()
    masks = [np.ones_like(k) for k in kernels]
    first = prune_masks(kernels, masks, 0.3, scope)
    assert pruned_fraction(first) == pytest.approx(0.3, abs=0.01)
    # Pruned weights are zero in training; a later step must not revive them.
    pruned_kernels = [k * m for k, m in zip(kernels, first, strict=True)]
    second = prune_masks(pruned_kernels, first, 0.6, scope)
    assert pruned_fraction(second) == pytest.approx(0.6, abs=0.01)
    for before, after in zip(first, second, strict=True):
        assert np.all(after <= before)


def test_global_ranking_prunes_the_small_layer_first_and_keeps_one_weight_per_layer() -> None:
    kernels = _kernels()
    masks = prune_masks(kernels, [np.ones_like(k) for k in kernels], 0.4, "global")
    # The second layer's weights are ten times smaller: global magnitude ranking takes them first.
    assert (masks[1] == 0).mean() > 0.9
    assert masks[1].sum() >= 1


def test_per_layer_ranking_prunes_every_layer_alike() -> None:
    kernels = _kernels()
    masks = prune_masks(kernels, [np.ones_like(k) for k in kernels], 0.5, "layer")
    assert [float((m == 0).mean()) for m in masks] == [0.5, 0.5]


def test_sparsity_outside_range_is_refused() -> None:
    with pytest.raises(ValueError, match="sparsity must lie in"):
        prune_masks(_kernels(), [np.ones((10, 8)), np.ones((8, 4))], 1.0, "global")


def test_a_schedule_towards_a_searched_precision_ends_at_its_draw() -> None:
    from snac_pack.search.space import LayerPrecision, Precision

    per_layer = Precision(8, 3, 8, 0, 8, 3, sparsity=0.3,
                          per_layer=(LayerPrecision(4, 6, 0.2), LayerPrecision(8, 8, 0.6), LayerPrecision(6, 6, 0.1)))
    schedule = PruningSchedule.towards(per_layer, 3, iterations=3, finetune_epochs=2, per_layer=True)
    assert (schedule.iterations, schedule.finetune_epochs, schedule.layer_targets) == (3, 2, (0.2, 0.6, 0.1))
    assert schedule.layer_sparsity(3) == pytest.approx((0.2, 0.6, 0.1))
    # One draw for the network: all kernels together, as a configured schedule prunes.
    network_wide = PruningSchedule.towards(Precision(8, 3, 6, 0, 6, 3, sparsity=0.5), 3, iterations=2, finetune_epochs=1, per_layer=False)
    assert network_wide.layer_targets == () and network_wide.target_sparsity(2) == pytest.approx(0.5)
    # Nothing drawn, nothing pruned.
    assert PruningSchedule.towards(Precision(8, 3, 6, 0, 6, 3), 3, iterations=2, finetune_epochs=1, per_layer=True).iterations == 0
