"""Which Pareto trials go on to compression: each selector on a hand-made front."""

from __future__ import annotations

import pandas as pd
import pytest

from snac_pack.search.pareto import CandidateRule, select_candidates

# accuracy rises with LUTs, steeply at first; on the scaled axes trial 13 lies farthest above the diagonal.
FRONT = pd.DataFrame(
    {"accuracy": [0.50, 0.70, 0.74, 0.75, 0.76], "lut": [100.0, 300.0, 900.0, 2000.0, 6000.0]},
    index=[11, 12, 13, 14, 15],
)


def _picked(selector: str, tolerance: float = 0.0, baseline: float | None = None) -> list[int]:
    rule = CandidateRule(selectors=(selector,), tolerance=tolerance)
    return list(select_candidates(FRONT, "accuracy", "lut", rule, baseline).index)


def test_best_metric_picks_the_most_accurate() -> None:
    assert _picked("best_metric") == [15]


def test_the_knee_is_farthest_from_the_line_between_the_ends() -> None:
    assert _picked("knee") == [13]


def test_cheapest_within_tolerance_of_the_best() -> None:
    assert _picked("cheapest_within_tolerance", tolerance=0.015) == [14]


@pytest.mark.parametrize(
    ("baseline", "tolerance", "expected"),
    [(0.74, 0.0, [13]), (0.74, 0.01, [13]), (0.745, 0.01, [13]), (0.72, 0.03, [12]), (0.40, 0.0, [11]), (0.76, 0.0, [15])],
)
def test_cheapest_at_baseline_is_the_fewest_luts_at_the_baselines_metric_less_the_tolerance(
    baseline: float, tolerance: float, expected: list[int]
) -> None:
    assert _picked("cheapest_at_baseline", tolerance, baseline) == expected


@pytest.mark.parametrize(("n_cheapest", "expected"), [(1, [12]), (2, [12, 13]), (3, [12, 13, 14]), (9, [12, 13, 14, 15])])
def test_the_cheapest_selectors_take_the_n_cheapest_designs_at_or_above_their_floor(n_cheapest: int, expected: list[int]) -> None:
    for selector, baseline in (("cheapest_at_baseline", 0.70), ("cheapest_within_tolerance", None)):
        rule = CandidateRule(selectors=(selector,), tolerance=0.06 if baseline is None else 0.0, n_cheapest=n_cheapest)
        chosen = select_candidates(FRONT, "accuracy", "lut", rule, baseline)
        assert list(chosen.index) == expected and set(chosen["selected_by"]) == {selector}


def test_cheapest_at_baseline_picks_nothing_when_no_design_reaches_the_baseline_or_there_is_none(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rule = CandidateRule(selectors=("cheapest_at_baseline", "best_metric"))
    chosen = select_candidates(FRONT, "accuracy", "lut", rule, baseline_metric=0.80)
    assert list(chosen.index) == [15] and list(chosen["selected_by"]) == ["best_metric"]
    assert "no front design reaches accuracy 0.7900" in caplog.text
    chosen = select_candidates(FRONT, "accuracy", "lut", rule, baseline_metric=None)
    assert list(chosen["selected_by"]) == ["best_metric"] and "no baselines" in caplog.text
    with pytest.raises(ValueError, match="picked no design; add best_metric or knee"):
        select_candidates(FRONT, "accuracy", "lut", CandidateRule(selectors=("cheapest_at_baseline",)), 0.80)


def test_a_design_picked_by_two_selectors_appears_once_with_both_names() -> None:
    rule = CandidateRule(selectors=("best_metric", "cheapest_at_baseline"), tolerance=0.0)
    chosen = select_candidates(FRONT, "accuracy", "lut", rule, baseline_metric=0.755)
    assert list(chosen.index) == [15] and list(chosen["selected_by"]) == ["best_metric,cheapest_at_baseline"]


def test_whole_front_takes_every_design_once() -> None:
    chosen = select_candidates(FRONT, "accuracy", "lut", CandidateRule(selectors=("whole_front", "best_metric")))
    assert list(chosen.index) == list(FRONT.index) and chosen.loc[15, "selected_by"] == "whole_front,best_metric"


@pytest.mark.parametrize(
    ("baseline", "tolerance", "expected"),
    [(0.745, 0.01, [13, 14]), (0.745, 0.005, [13, 14]), (0.75, 0.01, [13, 14, 15]), (0.72, 0.01, []), (0.50, 0.0, [11])],
)
def test_around_baseline_takes_every_front_design_within_the_tolerance_above_or_below(
    baseline: float, tolerance: float, expected: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    rule = CandidateRule(selectors=("around_baseline", "best_metric"), tolerance=tolerance)
    chosen = select_candidates(FRONT, "accuracy", "lut", rule, baseline_metric=baseline)
    assert [index for index, names in chosen["selected_by"].items() if "around_baseline" in names] == expected
    if not expected:
        assert "no front design lies within 0.0100 of the baseline's accuracy 0.7200" in caplog.text
    assert "around_baseline" not in select_candidates(FRONT, "accuracy", "lut", rule, baseline_metric=None)["selected_by"].iloc[0]
