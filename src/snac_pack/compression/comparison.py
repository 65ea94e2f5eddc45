"""Candidates against baselines on the same test examples, with the uncertainty of the difference.

With 5,000 test jets the standard error of one accuracy is about 0.7 points, but two networks
judged on the same jets err on many of the same ones: the paired difference is known far more
precisely than either metric. The paired bootstrap resamples the test examples (with
replacement), recomputes both networks' metric on each resample and takes the percentile
interval of the difference. It needs nothing of the metric but that it is a function of the
examples, so it serves accuracy and assignment fidelity alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["significantly above", "significantly below", "no significant difference"]


class ComparisonSettings(BaseModel):
    """How candidates are compared with baselines on the test split.

    Attributes:
        n_resamples: bootstrap resamples of the test examples.
        confidence: coverage of the interval of the difference.
        seed: seed of the resampling.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    n_resamples: int = Field(default=2000, ge=100, description="bootstrap resamples of the test examples")
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0, description="coverage of the interval of the difference")
    seed: int = Field(default=0, ge=0)


@dataclass(frozen=True)
class MetricDifference:
    """One network's metric minus a reference network's, on the same test examples.

    Attributes:
        model: the compared network.
        reference: the network it is compared with (a baseline).
        difference: metric(model) − metric(reference) on the whole test split.
        low, high: the percentile bootstrap interval of the difference.
        confidence: its coverage.
        n_examples: test examples.
        n_resamples: bootstrap resamples.
    """

    model: str
    reference: str
    difference: float
    low: float
    high: float
    confidence: float
    n_examples: int
    n_resamples: int

    @property
    def verdict(self) -> Verdict:
        """Above or below the reference where the interval excludes zero, else no significant difference."""
        if self.low > 0.0:
            return "significantly above"
        if self.high < 0.0:
            return "significantly below"
        return "no significant difference"


def paired_bootstrap(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y_true: np.ndarray,
    predicted: np.ndarray,
    reference: np.ndarray,
    settings: ComparisonSettings,
    names: tuple[str, str] = ("model", "reference"),
) -> MetricDifference:
    """The difference of two networks' metric on the same examples, with its bootstrap interval.

    Args:
        metric: ``metric(y_true, y_pred)``, larger is better.
        y_true: true labels of the test examples.
        predicted: the network's predicted labels.
        reference: the reference network's predicted labels, for the same examples.
        settings: resamples, confidence and seed.
        names: the two networks' names, for the result.

    Returns:
        The difference and its interval.

    Raises:
        ValueError: the three arrays differ in length, or are empty.
    """
    y_true, predicted, reference = (np.asarray(values) for values in (y_true, predicted, reference))
    if not len(y_true) == len(predicted) == len(reference):
        raise ValueError(
            f"paired comparison needs predictions for the same examples: {len(y_true)} labels, "
            f"{len(predicted)} and {len(reference)} predictions"
        )
    if len(y_true) == 0:
        raise ValueError("paired comparison on an empty test split: the test split holds no examples")
    rng = np.random.default_rng(settings.seed)
    differences = np.empty(settings.n_resamples)
    for index in range(settings.n_resamples):
        sample = rng.integers(0, len(y_true), len(y_true))
        differences[index] = metric(y_true[sample], predicted[sample]) - metric(y_true[sample], reference[sample])
    tail = 100.0 * (1.0 - settings.confidence) / 2.0
    low, high = np.percentile(differences, [tail, 100.0 - tail])
    return MetricDifference(
        model=names[0],
        reference=names[1],
        difference=float(metric(y_true, predicted) - metric(y_true, reference)),
        low=float(low),
        high=float(high),
        confidence=settings.confidence,
        n_examples=len(y_true),
        n_resamples=settings.n_resamples,
    )


def compare_with_baselines(
    selected: pd.DataFrame,
    y_true: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    metric: Callable[[np.ndarray, np.ndarray], float],
    settings: ComparisonSettings,
) -> list[MetricDifference]:
    """Every candidate against every baseline, paired on the test examples.

    Args:
        selected: the selected networks (columns ``model`` and ``kind``: ``candidate`` or ``baseline``).
        y_true: the test labels.
        predictions: each network's predicted test labels, by name.
        metric: ``metric(y_true, y_pred)``, larger is better.
        settings: resamples, confidence and seed.

    Returns:
        One difference per (candidate, baseline) pair, candidates in ``selected``'s order; empty
        without baselines or candidates.
    """
    kinds = dict(zip(selected["model"], selected["kind"], strict=True))
    missing = sorted(set(kinds) - set(predictions))
    if missing:
        raise ValueError(f"no test predictions for {missing}: every selected network needs them for the comparison")
    baselines = [name for name, kind in kinds.items() if kind == "baseline"]
    candidates = [name for name, kind in kinds.items() if kind == "candidate"]
    return [
        paired_bootstrap(metric, y_true, predictions[candidate], predictions[baseline], settings, (candidate, baseline))
        for candidate in candidates
        for baseline in baselines
    ]


def compare_picks_with_baselines(
    picks: pd.DataFrame,
    predicted: Sequence[np.ndarray],
    y_true: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    metric: Callable[[np.ndarray, np.ndarray], float],
    settings: ComparisonSettings,
) -> list[MetricDifference]:
    """Each point chosen against a baseline (:func:`~snac_pack.compression.selection.picks_against_baselines`)
    against that baseline, paired on the test examples.

    Args:
        picks: the chosen points (``model``, ``precision``, ``iteration``, ``baseline``).
        predicted: each pick's predicted test labels, in ``picks``' order.
        y_true: the test labels.
        predictions: the baselines' predicted test labels, by name.
        metric: ``metric(y_true, y_pred)``, larger is better.
        settings: resamples, confidence and seed.

    Returns:
        One difference per pick, named "<model> <precision> iteration <i>".
    """
    return [
        paired_bootstrap(metric, y_true, labels, predictions[row["baseline"]], settings,
                         (f"{row['model']} {row['precision']} iteration {int(row['iteration'])}", row["baseline"]))
        for (_, row), labels in zip(picks.iterrows(), predicted, strict=True)
    ]
