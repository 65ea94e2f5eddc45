"""Candidates against baselines: the paired bootstrap of a test-metric difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from snac_pack.compression.comparison import ComparisonSettings, compare_with_baselines, paired_bootstrap
from snac_pack.models.mlp import task_metric

SETTINGS = ComparisonSettings(n_resamples=1000, seed=0)


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return task_metric("accuracy", y_true, y_pred)


def _predictions(n: int, accuracy: float, shared_errors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Labels of a two-class network right on a share ``accuracy``, wrong where ``shared_errors`` says first."""
    y_pred = np.zeros(n, dtype=int)
    wrong = list(np.flatnonzero(shared_errors))
    extra = rng.permutation(np.flatnonzero(~shared_errors))
    wrong += list(extra[: max(0, round((1 - accuracy) * n) - len(wrong))])
    y_pred[wrong[: round((1 - accuracy) * n)]] = 1
    return y_pred


def test_pairing_resolves_a_difference_far_below_either_metric_s_standard_error() -> None:
    """Two networks wrong on mostly the same examples: one point of accuracy is significant at n = 5,000."""
    rng = np.random.default_rng(1)
    n = 5000
    y_true = np.zeros(n, dtype=int)
    shared = np.zeros(n, dtype=bool)
    shared[rng.choice(n, 1200, replace=False)] = True  # both wrong here (24 %)
    better, worse = _predictions(n, 0.76, shared, rng), _predictions(n, 0.75, shared, rng)
    pair = paired_bootstrap(_accuracy, y_true, better, worse, SETTINGS, ("better", "worse"))
    assert pair.difference == pytest.approx(0.01)
    assert 0.0 < pair.low < pair.difference < pair.high < 0.02
    assert pair.verdict == "significantly above"
    # The unpaired standard error of one accuracy is about 0.6 points: the pairing is what resolves it.
    assert np.sqrt(0.75 * 0.25 / n) > 0.006
    assert paired_bootstrap(_accuracy, y_true, worse, better, SETTINGS).verdict == "significantly below"


def test_equal_networks_are_not_significantly_different_and_the_interval_contains_zero() -> None:
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 3, 800)
    a = np.where(rng.random(800) < 0.7, y_true, (y_true + 1) % 3)
    b = np.where(rng.random(800) < 0.7, y_true, (y_true + 1) % 3)
    pair = paired_bootstrap(_accuracy, y_true, a, b, SETTINGS)
    assert pair.low < 0.0 < pair.high and pair.verdict == "no significant difference"
    assert (pair.n_examples, pair.n_resamples, pair.confidence) == (800, 1000, 0.95)
    # Reproducible from its seed; fidelity (any metric of the examples) is served alike.
    assert paired_bootstrap(_accuracy, y_true, a, b, SETTINGS) == pair
    binary = paired_bootstrap(lambda t, p: task_metric("fidelity", t, p), y_true % 2, a % 2, b % 2, SETTINGS)
    assert binary.low <= binary.difference <= binary.high


def test_mismatched_or_empty_predictions_and_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="same examples: 3 labels, 2 and 3 predictions"):
        paired_bootstrap(_accuracy, np.zeros(3), np.zeros(2), np.zeros(3), SETTINGS)
    with pytest.raises(ValueError, match="empty test split"):
        paired_bootstrap(_accuracy, np.zeros(0), np.zeros(0), np.zeros(0), SETTINGS)
    with pytest.raises(ValidationError, match="confidence"):
        ComparisonSettings(confidence=1.5)


def test_every_candidate_is_compared_with_every_baseline() -> None:
    y_true = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    selected = pd.DataFrame({"model": ["base_a", "trial_1", "base_b", "trial_2"],
                             "kind": ["baseline", "candidate", "baseline", "candidate"]})
    predictions = {"base_a": y_true, "base_b": 1 - y_true, "trial_1": y_true, "trial_2": np.zeros(8, dtype=int)}
    pairs = compare_with_baselines(selected, y_true, predictions, _accuracy, SETTINGS)
    assert [(p.model, p.reference) for p in pairs] == [
        ("trial_1", "base_a"), ("trial_1", "base_b"), ("trial_2", "base_a"), ("trial_2", "base_b"),
    ]
    assert [p.difference for p in pairs] == [0.0, 1.0, -0.5, 0.5]
    assert compare_with_baselines(selected[selected["kind"] == "candidate"], y_true, predictions, _accuracy, SETTINGS) == []
    with pytest.raises(ValueError, match=r"no test predictions for \['trial_2'\]"):
        compare_with_baselines(selected, y_true, {k: v for k, v in predictions.items() if k != "trial_2"}, _accuracy, SETTINGS)


def test_picks_against_a_baseline_are_the_cheapest_at_its_metric_and_the_best_at_its_cost() -> None:
    from snac_pack.compression.selection import picks_against_baselines, select_points
    from snac_pack.compression.settings import SelectionRule

    rows = [
        # model, kind, iteration, val_metric, exact_lut
        ("base", "baseline", 0, 0.80, 10_000.0), ("base", "baseline", 1, 0.795, 7_000.0),
        ("trial_1", "candidate", 0, 0.81, 12_000.0), ("trial_1", "candidate", 1, 0.805, 6_000.0),
        ("trial_1", "candidate", 2, 0.79, 3_000.0),
        ("trial_2", "candidate", 0, 0.78, 2_000.0), ("trial_2", "candidate", 1, 0.786, 2_500.0),
    ]
    history = pd.DataFrame(rows, columns=["model", "kind", "iteration", "val_metric", "exact_lut"])
    selected = select_points(history, SelectionRule(tolerance=0.01))
    picks = picks_against_baselines(history, selected, tolerance=0.01).set_index("pick")
    # The baseline's selected point: 0.795 at 7,000 LUT. At its metric (>= 0.785): trial_2's 2,500 is cheapest.
    cheapest = picks.loc["cheapest_at_baseline_metric"]
    assert (cheapest["model"], cheapest["iteration"], cheapest["exact_lut"]) == ("trial_2", 1, 2500.0)
    assert (cheapest["baseline"], cheapest["baseline_val_metric"], cheapest["baseline_exact_lut"]) == ("base", 0.795, 7000.0)
    # At its cost (<= 7,000 LUT): trial_1 iteration 1 has the best metric.
    best = picks.loc["best_at_baseline_cost"]
    assert (best["model"], best["iteration"], best["val_metric"]) == ("trial_1", 1, 0.805)
    # No candidate at the metric or under the cost: no pick, and none without baselines.
    assert picks_against_baselines(history[history["model"] != "trial_2"].assign(val_metric=lambda t: t["val_metric"].where(
        t["kind"] == "baseline", 0.5)), selected, 0.01)["pick"].tolist() == ["best_at_baseline_cost"]
    assert picks_against_baselines(history, selected[selected["kind"] == "candidate"], 0.01).empty
