"""The search space: one definition, sampled the same way by the surrogate and the search."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError

from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.search.sampling import random_weight_designs
from snac_pack.search.space import FloatRange, IntRange, SearchSpace, random_trials, suggest_candidate

SPACE = SearchSpace(
    hidden_layers=IntRange(low=2, high=4),
    units=(8, 16),
    dropout=FloatRange(low=0.0, high=0.2),
    l1=FloatRange(low=1e-6, high=1e-3, log=True),
)


def test_candidates_stay_inside_the_space() -> None:
    for trial in itertools.islice(random_trials(0), 30):
        candidate = suggest_candidate(SPACE, trial)
        assert 2 <= len(candidate.network.hidden_units) <= 4
        assert set(candidate.network.hidden_units) <= {8, 16}
        assert 0.0 <= candidate.network.dropout <= 0.2 and 1e-6 <= candidate.network.l1 <= 1e-3


def test_random_designs_are_reproducible_and_span_precisions() -> None:
    first = random_weight_designs(SPACE, 20, n_features=16, n_classes=5, target=ImplementationTarget(), seed=3)
    second = random_weight_designs(SPACE, 20, n_features=16, n_classes=5, target=ImplementationTarget(), seed=3)
    assert [d.design_id() for d in first] == [d.design_id() for d in second]
    assert {d.arch.layers[0].weight_bits for d in first} == {4, 6, 8}
    assert all(d.arch.n_inputs == 16 and d.arch.n_outputs == 5 for d in first)


def test_invalid_ranges_name_the_field() -> None:
    with pytest.raises(ValidationError, match="high \\(1\\) must be at least low \\(3\\)"):
        IntRange(low=3, high=1)
    with pytest.raises(ValidationError, match="low must be positive on a log scale"):
        FloatRange(low=0.0, high=1.0, log=True)
