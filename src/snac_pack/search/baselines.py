"""Hand-designed baselines measured as the search measures its trials.

A selector that asks "the cheapest design at least as good as the expert's" needs the expert's
network scored on the same data, trained the same way and costed by the same estimator as the
trials. The baselines' exact da4ml figures are measured beside, so that the Pareto plot can
show where the expert's network really lies.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from snac_pack.hardware.exact import exact_cost
from snac_pack.search.objective import HARDWARE_FIGURES, TrialObjective
from snac_pack.search.space import Candidate

logger = logging.getLogger(__name__)

#: Seed of every baseline's training (trials use their number).
BASELINE_SEED = 0


def measure_baselines(objective: TrialObjective, baselines: Mapping[str, Candidate]) -> pd.DataFrame:
    """Each baseline trained, scored and costed by ``objective``, and costed exactly by da4ml.

    A baseline is costed at the objective's fixed precision (``global_search.precision``) in
    either search mode: the expert's network as the search would first see it.

    Args:
        objective: the trials' objective.
        baselines: name → network and training set-up.

    Returns:
        One row per baseline: ``baseline``, ``task_metric`` (the metric's name), the objective's figures (task metric, ``bops``,
        hardware figures from the configured estimator, percentages), ``exact_<figure>`` from
        da4ml, and the trial attributes (``estimator``, ``metric_split``, ``architecture``, …).
    """
    rows = []
    for name, candidate in baselines.items():
        evaluation = objective.evaluate(candidate, objective.precision, seed=BASELINE_SEED, name=name)
        if objective.estimator == "exact":  # the evaluation's figures are da4ml's already
            exact = {figure: evaluation.figures[figure] for figure in HARDWARE_FIGURES}
        else:
            cost = exact_cost(evaluation.arch, evaluation.network)
            exact = {figure: float(getattr(cost, figure)) for figure in HARDWARE_FIGURES}
        rows.append(
            {"baseline": name, "task_metric": objective.metric, **evaluation.figures}
            | {f"exact_{figure}": value for figure, value in exact.items()}
            | evaluation.attributes
        )
        logger.info(
            "Baseline %s as the search measures it: %s %.4f, %s LUT %.0f (da4ml exact %.0f)",
            name, objective.metric, evaluation.figures[objective.metric], objective.estimator,
            evaluation.figures["lut"], exact["lut"],
        )
    return pd.DataFrame(rows)
