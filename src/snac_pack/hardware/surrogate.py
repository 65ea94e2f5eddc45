"""The hardware surrogate: predicts resources and latency of architectures without any tool.

One gradient-boosted regressor per figure, trained on a ground-truth table of exact costs
(da4ml, Yosys, vendor reports), on the physical description of
:mod:`snac_pack.hardware.surrogate_features`. Why gradient boosting on engineered features: a
few hundred exact costs are all the training data there is; trees need no feature scaling,
train in about a second and learn the corrections to physical estimates that vary slowly:

- LUTs as their ratio (in log space) to the expected adder bits, Σ expected CSD digits of the
  kernel × input width: da4ml's LUT count is the adder bits of the digits' adder trees;
- FFs as their ratio to the estimated pipeline registers (input and output registers plus the
  adder bits alive across stage boundaries);
- cycle counts in log space directly (the estimated adder depth and stages are features).

Relative errors are what the fit minimises. FFs depend on where da4ml's retiming cuts the adder
trees, which moves with the weights: see ``docs/benchmarks/surrogate.md`` for that floor.

Prediction does not walk sklearn's trees: each regressor is turned into lookup tables
(:class:`LookupForest`), so ten thousand architectures cost one numpy pass per figure.

The surrogate remembers what it was trained on (sources, implementation target, the version
of the features and the architectures, as :func:`~snac_pack.hardware.ground_truth.split_key`)
and refuses to predict for another target, or to be judged on an architecture it learnt.
"""

from __future__ import annotations

import hashlib
import json

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.ground_truth import ROW_ORIGINS, architecture_of, split_key
from snac_pack.hardware.surrogate_features import architecture_matrix, column_index

logger = logging.getLogger(__name__)

#: Figures the surrogate predicts (columns of the cost table).
SURROGATE_TARGETS = ("lut", "ff", "dsp", "bram_18k", "latency_cycles", "initiation_interval")
#: Figures that are whole numbers of clock cycles: predictions are rounded.
_CYCLE_TARGETS = ("latency_cycles", "initiation_interval")
#: Splits per tree of a LookupForest: a tree with 8 leaves has 7.
_SPLITS = 7
#: Rows compared at once by a LookupForest (bounds its temporary arrays to a few tens of MB).
_CHUNK_ROWS = 2048
#: Figures learnt as a ratio to a physical estimate: the column of :func:`architecture_matrix` it is in.
_PROXY_COLUMNS = {"lut": "digit_bits", "ff": "register_bits"}
#: Settings of every figure's HistGradientBoostingRegressor (accuracy is flat around them: docs/benchmarks/surrogate.md).
REGRESSOR_SETTINGS = {"max_iter": 200, "learning_rate": 0.1, "max_leaf_nodes": 8, "min_samples_leaf": 4}
#: Version of :func:`architecture_matrix`'s columns; a surrogate fitted on other columns is refused.
FEATURES_VERSION = 2


class SurrogateTargetMismatch(ValueError):
    """The surrogate was trained for another implementation target than the one asked for."""


def _proxy(matrix: np.ndarray, name: str, max_layers: int) -> np.ndarray:
    """The physical estimate a figure is learnt relative to (plus one, so empty networks stay finite)."""
    return matrix[:, column_index(_PROXY_COLUMNS[name], max_layers)] + 1.0


class LookupForest:
    """A fitted HistGradientBoostingRegressor turned into lookup tables, for fast batch prediction.

    A tree with at most ``_SPLITS`` splits is decided by the outcomes of its splits: the
    ``2^_SPLITS`` combinations map to the leaf each one reaches. Predicting a batch is then one
    comparison of the needed feature columns with all thresholds, one lookup per tree and a sum,
    in numpy on one thread. sklearn walks each tree separately through an OpenMP region (600
    regions for three figures), which on a busy machine took 5 s for 10,000 architectures; the
    tables take a fraction of a second and give the same values (to rounding of the sum).

    Attributes:
        regressor: the fitted sklearn model the tables were built from.
    """

    def __init__(self, regressor: object) -> None:
        self.regressor = regressor
        predictors = [iteration[0] for iteration in regressor._predictors]  # noqa: SLF001 (sklearn pinned)
        self._features = np.zeros((len(predictors), _SPLITS), dtype=np.intp)
        # A padding split compares with +inf: always "left", so its bit never changes the leaf.
        self._thresholds = np.full((len(predictors), _SPLITS), np.inf)
        self._tables = np.zeros((len(predictors), 2**_SPLITS))
        codes = np.arange(2**_SPLITS)
        for index, predictor in enumerate(predictors):
            nodes = predictor.nodes
            splits = np.flatnonzero(~nodes["is_leaf"].astype(bool))
            if len(splits) > _SPLITS or nodes["is_categorical"].any():
                raise ValueError(
                    f"tree {index} has {len(splits)} splits or categorical ones; LookupForest supports at most "
                    f"{_SPLITS} numeric splits (max_leaf_nodes <= {_SPLITS + 1})"
                )
            self._features[index, : len(splits)] = nodes["feature_idx"][splits]
            self._thresholds[index, : len(splits)] = nodes["num_threshold"][splits]
            bit_of = np.zeros(len(nodes), dtype=np.intp)
            bit_of[splits] = np.arange(len(splits))
            # Walk every combination of split outcomes down the tree at once; leaves stay put.
            node = np.zeros(len(codes), dtype=np.intp)
            for _ in range(len(splits)):
                left = (codes >> bit_of[node]) & 1 == 1
                inner = ~nodes["is_leaf"][node].astype(bool)
                node = np.where(inner, np.where(left, nodes["left"][node], nodes["right"][node]), node)
            self._tables[index] = nodes["value"][node]
        self._baseline = float(np.ravel(regressor._baseline_prediction)[0])  # noqa: SLF001

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """The regressor's prediction for each row of a finite ``matrix``."""
        weights = 1 << np.arange(_SPLITS)
        trees = np.arange(len(self._tables))
        out = np.empty(len(matrix))
        for start in range(0, len(matrix), _CHUNK_ROWS):
            rows = matrix[start : start + _CHUNK_ROWS]
            # sklearn sends x <= threshold left (NaN aside: the matrix is finite).
            left = rows[:, self._features] <= self._thresholds
            codes = left.astype(np.intp) @ weights
            out[start : start + _CHUNK_ROWS] = self._baseline + self._tables[trees, codes].sum(axis=1)
        return out


@dataclass
class Surrogate:
    """A trained hardware surrogate.

    Attributes:
        target: the implementation target of every training row.
        sources: the tools whose figures it learnt (e.g. ``("da4ml",)``).
        max_layers: deepest architecture it describes.
        n_training_rows: size of its training set.
        models: per figure, a :class:`LookupForest` of a regressor fitted on the log of the
            figure's ratio to its physical estimate (LUT, FF) or on log1p of the figure, or a
            constant (a figure that never varied in training).
        features_version: the ``FEATURES_VERSION`` of the columns it was fitted on (0: older).
        trained_on: the :func:`~snac_pack.hardware.ground_truth.split_key` of every training
            architecture (empty for surrogates pickled before it was recorded).
    """

    target: ImplementationTarget
    sources: tuple[str, ...]
    max_layers: int
    n_training_rows: int
    models: dict[str, object] = field(default_factory=dict)
    features_version: int = 0
    trained_on: frozenset[str] = frozenset()

    def fingerprint(self) -> str:
        """A digest that changes exactly when what the surrogate predicts could change.

        Built from its description and the numbers of its tables, not from a pickle: a pickle
        of the same surrogate differs between processes (sets iterate in a per-process order).
        """
        hasher = hashlib.sha256(json.dumps({
            "target": self.target.model_dump(mode="json"),
            "sources": list(self.sources),
            "max_layers": self.max_layers,
            "n_training_rows": self.n_training_rows,
            "features_version": self.features_version,
            "trained_on": sorted(self.trained_on),
        }, sort_keys=True).encode())
        for name in sorted(self.models):
            model = self.models[name]
            hasher.update(name.encode())
            if isinstance(model, LookupForest):
                for array in (model._features, model._thresholds, model._tables, np.float64(model._baseline)):  # noqa: SLF001
                    hasher.update(np.ascontiguousarray(array).tobytes())
            else:
                hasher.update(np.float64(model).tobytes())
        return hasher.hexdigest()[:16]

    def check_target(self, target: ImplementationTarget) -> None:
        """Refuse a target the surrogate was not trained for.

        Raises:
            SurrogateTargetMismatch: naming both targets and the fix.
        """
        if target != self.target:
            raise SurrogateTargetMismatch(
                f"the surrogate was trained for {self.target.model_dump()} but the firmware configuration asks "
                f"for {target.model_dump()}; rerun `kedro run --pipeline surrogate_training` with this target, "
                "or set the firmware target to the surrogate's"
            )

    def predict(self, archs: Sequence[Architecture]) -> pd.DataFrame:
        """Predict every figure for a batch of architectures in one call.

        Args:
            archs: architectures, all on the surrogate's target.

        Returns:
            One row per architecture, one column per figure of ``SURROGATE_TARGETS``.
        """
        for arch in {arch.target for arch in archs}:
            self.check_target(arch)
        return self.predict_matrix(architecture_matrix(archs, self.max_layers))

    def predict_matrix(self, matrix: np.ndarray) -> pd.DataFrame:
        """Predict from an :func:`architecture_matrix` (the vectorised core of :meth:`predict`)."""
        if self.features_version != FEATURES_VERSION:
            raise ValueError(
                f"this surrogate was fitted on architecture features version {self.features_version}, the code "
                f"describes architectures with version {FEATURES_VERSION}; rerun `kedro run --pipeline surrogate_training`"
            )
        if not np.isfinite(matrix).all():
            raise ValueError("the architecture matrix holds NaN or infinite values")
        predictions = {}
        for name, model in self.models.items():
            if isinstance(model, float):
                values = np.full(len(matrix), model)
            elif name in _PROXY_COLUMNS:
                values = np.exp(model.predict(matrix)) * _proxy(matrix, name, self.max_layers)
            else:
                values = np.expm1(model.predict(matrix))
            values = np.maximum(values, 0.0)
            predictions[name] = np.rint(values) if name in _CYCLE_TARGETS else values
        return pd.DataFrame(predictions)


def fit_surrogate(
    table: pd.DataFrame, archs: Sequence[Architecture], max_layers: int, seed: int = 0
) -> Surrogate:
    """Train a surrogate on ground-truth rows.

    Args:
        table: one row per architecture with the columns of ``SURROGATE_TARGETS`` and ``source``.
        archs: the architecture of each row, in the same order, all on one target.
        max_layers: deepest architecture the surrogate will describe.
        seed: seed of the regressors.

    Returns:
        The trained surrogate.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor  # lazy: keeps `kedro` start-up fast
    from threadpoolctl import threadpool_limits

    targets = {arch.target for arch in archs}
    if len(targets) != 1:
        raise ValueError(f"ground truth mixes {len(targets)} implementation targets; train one surrogate per target")
    matrix = architecture_matrix(archs, max_layers)
    surrogate = Surrogate(
        target=targets.pop(),
        sources=tuple(sorted(table["source"].unique())),
        max_layers=max_layers,
        n_training_rows=len(table),
        features_version=FEATURES_VERSION,
        trained_on=frozenset(split_key(arch) for arch in archs),
    )
    for name in SURROGATE_TARGETS:
        values = table[name].to_numpy(dtype=float)
        measured = np.isfinite(values)
        if not measured.any():
            raise ValueError(f"no ground-truth row gives {name!r} (sources {sorted(table['source'].unique())}); "
                             "add rows from a tool that measures it")
        if np.all(values[measured] == values[measured][0]):
            # A figure that never varies (no DSPs in distributed arithmetic) is that constant.
            surrogate.models[name] = float(values[measured][0])
            continue
        model = HistGradientBoostingRegressor(**REGRESSOR_SETTINGS, random_state=seed)
        goal = np.log((values + 1.0) / _proxy(matrix, name, max_layers)) if name in _PROXY_COLUMNS else np.log1p(values)
        # A few hundred rows: one thread. OpenMP threads that wait on each other at every split
        # made fits 5-50x slower on a shared two-core machine.
        with threadpool_limits(limits=1):
            model.fit(matrix[measured], goal[measured])
        surrogate.models[name] = LookupForest(model)
    logger.info("Surrogate trained on %d rows from %s", len(table), ", ".join(surrogate.sources))
    return surrogate


def evaluate_surrogate(surrogate: Surrogate, table: pd.DataFrame, archs: Sequence[Architecture]) -> dict[str, dict[str, float]]:
    """Accuracy of the surrogate on architectures it was not trained on.

    Returns:
        Per figure: ``n`` (rows), ``r2``, ``median_rel_error``, ``p90_rel_error`` (relative to the
        truth, where the truth is non-zero) and, for cycle counts, ``within_one_cycle`` (fraction
        of predictions at most one cycle off). A figure constant in the truth reports ``constant``.

    Raises:
        ValueError: an architecture is one the surrogate was trained on (any weights).
    """
    learnt = [arch.describe() for arch in archs if split_key(arch) in surrogate.trained_on]
    if learnt:
        raise ValueError(
            f"{len(learnt)} of {len(archs)} evaluation rows are architectures the surrogate was trained on "
            f"(e.g. {learnt[0]}): judge it on held-out architectures only"
        )
    predicted = surrogate.predict(archs)
    metrics: dict[str, dict[str, float]] = {}
    for name in SURROGATE_TARGETS:
        truth = table[name].to_numpy(dtype=float)
        # A tool that does not give a figure (Yosys: no latency) leaves it missing: judged on nothing.
        measured = np.isfinite(truth)
        if not measured.any():
            metrics[name] = {"n": 0.0, "not_measured": 1.0}
            continue
        truth, guess = truth[measured], predicted[name].to_numpy()[measured]
        entry: dict[str, float] = {"n": float(len(truth)), "max_abs_error": float(np.max(np.abs(guess - truth)))}
        spread = np.sum((truth - truth.mean()) ** 2)
        if spread > 0:
            entry["r2"] = float(1.0 - np.sum((truth - guess) ** 2) / spread)
        else:
            entry["constant"] = float(truth[0])
        nonzero = truth != 0
        if nonzero.any():
            relative = np.abs(guess[nonzero] - truth[nonzero]) / np.abs(truth[nonzero])
            entry["median_rel_error"] = float(np.median(relative))
            entry["p90_rel_error"] = float(np.percentile(relative, 90))
        if name in _CYCLE_TARGETS:
            entry["within_one_cycle"] = float(np.mean(np.abs(guess - truth) <= 1))
        metrics[name] = entry
    return metrics


def evaluate_rows(surrogate: Surrogate, rows: pd.DataFrame) -> dict[str, Any]:
    """:func:`evaluate_surrogate` on ground-truth rows (with ``arch_json``), with their number ``n``.

    Returns:
        ``n`` and, when there are rows, the per-figure accuracy.
    """
    if rows.empty:
        return {"n": 0}
    return {"n": len(rows), **evaluate_surrogate(surrogate, rows, [architecture_of(row) for _, row in rows.iterrows()])}


#: Columns of :func:`accuracy_by_origin`'s table: per origin, rows and the headline figures.
ORIGIN_TABLE_COLUMNS = (
    "origin", "n", "lut_r2", "lut_median_rel_error", "ff_r2", "ff_median_rel_error", "latency_within_one_cycle",
)


def accuracy_by_origin(surrogate: Surrogate, held_out: pd.DataFrame) -> list[dict[str, Any]]:
    """The surrogate's accuracy on held-out ground-truth rows, one table row per origin.

    Args:
        held_out: ground-truth rows (with ``origin`` and ``arch_json``) of architectures the
            surrogate was not trained on.

    Returns:
        One record per origin of ``ROW_ORIGINS``, with the keys of ``ORIGIN_TABLE_COLUMNS``;
        ``None`` where an origin has no rows (``n`` 0) or a figure is constant in its truth.
    """
    table = []
    for origin in ROW_ORIGINS:
        figures = evaluate_rows(surrogate, held_out[held_out["origin"] == origin].reset_index(drop=True))
        lut, ff, cycles = (figures.get(name, {}) for name in ("lut", "ff", "latency_cycles"))
        table.append({
            "origin": origin,
            "n": figures["n"],
            "lut_r2": lut.get("r2"),
            "lut_median_rel_error": lut.get("median_rel_error"),
            "ff_r2": ff.get("r2"),
            "ff_median_rel_error": ff.get("median_rel_error"),
            "latency_within_one_cycle": cycles.get("within_one_cycle"),
        })
    return table
