"""The hardware surrogate: predicts resources and latency of architectures without any tool.

One gradient-boosted regressor per figure, trained on a ground-truth table of exact costs
(da4ml, Yosys, vendor reports), on the physical description of
:mod:`snac_pack.hardware.surrogate_features`. Why gradient boosting on engineered features: a
few hundred exact costs are all the training data there is; trees need no feature scaling,
train in about a second and learn the corrections to physical estimates that vary slowly:

- LUTs as their ratio (in log space) to a learnt sum over layers (:class:`LayerProxy`): each
  layer's adder bits (CSD digits of the kernel × input width, da4ml's LUT count is the adder
  bits of the digits' adder trees) scaled by a factor fitted from the layer's shape (fan-in,
  widths, bit widths, digits per weight and per column). da4ml shares subexpressions and widens
  adders by different amounts in different layers; a network-level regressor on ~100 columns
  learns such a per-layer law poorly from a few thousand rows, a per-layer fit of a dozen
  coefficients learns it from all of them;
- FFs as their ratio to the estimated pipeline registers (input and output registers plus the
  adder bits alive across stage boundaries);
- cycle counts in log space directly (the estimated adder depth and stages are features).

Relative errors are what the fit minimises. FFs depend on where da4ml's retiming cuts the adder
trees, which moves with the weights: see ``docs/benchmarks/surrogate.md`` for that floor.

Two descriptions, one regressor per figure for each: the architecture alone (expected digit
counts, for untrained architectures) and, where the weights are known, the counts of the actual
quantized weights (:func:`~snac_pack.hardware.surrogate_features.realised_matrix`): a trained,
pruned network's digits differ from the Glorot expectation by tens of percent. The weight-aware
regressors learn from every row whose weights are known (random draws are regenerated from
their seed; trained, compression and firmware rows record their counts). The architecture-only
regressors predict what an untrained architecture costs, the expectation over Glorot-normal
draws, and learn from those draws only: a trained network described by the Glorot expectation
of its digits would teach them the wrong cost for its description.

Prediction does not walk sklearn's trees: each regressor is turned into lookup tables
(:class:`LookupForest`), so ten thousand architectures cost one numpy pass per figure.

The surrogate remembers what it was trained on (sources, implementation target, the version
of the features and the architectures, as :func:`~snac_pack.hardware.ground_truth.split_key`)
and refuses to predict for another target, or to be judged on an architecture it learnt.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.ground_truth import ROW_ORIGINS, architecture_of, row_statistics, split_key
from snac_pack.hardware.network import NetworkWeights
from snac_pack.hardware.surrogate_features import (
    LAYER_COLUMNS,
    architecture_matrix,
    column_index,
    column_index_of_layer,
    realised_matrix,
    weight_statistics,
)

logger = logging.getLogger(__name__)

#: Figures the surrogate predicts (columns of the cost table).
SURROGATE_TARGETS = ("lut", "ff", "dsp", "bram_18k", "latency_cycles", "initiation_interval")
#: Figures that are whole numbers of clock cycles: predictions are rounded.
_CYCLE_TARGETS = ("latency_cycles", "initiation_interval")
#: Splits per tree of a LookupForest: a tree with 8 leaves has 7.
_SPLITS = 7
#: Rows compared at once by a LookupForest (bounds its temporary arrays to a few MB; larger chunks leave the cache).
_CHUNK_ROWS = 1024
#: Figures learnt as a ratio to a physical estimate: the column of :func:`architecture_matrix` it is in.
_PROXY_COLUMNS = {"ff": "register_bits"}
#: Figures learnt as a ratio to a fitted :class:`LayerProxy`.
_LAYER_PROXY_FIGURES = ("lut",)
#: Settings of every figure's HistGradientBoostingRegressor (accuracy is flat around them: docs/benchmarks/surrogate.md).
REGRESSOR_SETTINGS = {"max_iter": 400, "learning_rate": 0.1, "max_leaf_nodes": 8, "min_samples_leaf": 4}
#: Version of the regressors' inputs (:func:`architecture_matrix`'s columns, the layer proxies,
#: and the weight counts of ``STATISTICS_VERSION``); a surrogate fitted on other inputs is refused.
FEATURES_VERSION = 11


class SurrogateTargetMismatch(ValueError):
    """The surrogate was trained for another implementation target than the one asked for."""


def _proxy(matrix: np.ndarray, name: str, max_layers: int) -> np.ndarray:
    """The physical estimate a figure is learnt relative to (plus one, so empty networks stay finite)."""
    return matrix[:, column_index(_PROXY_COLUMNS[name], max_layers)] + 1.0


#: Per-layer quantities a :class:`LayerProxy` scales each layer's adder bits by (its log-linear features).
LAYER_PROXY_FEATURES = (
    "constant", "log2_fan_in", "log2_units", "weight_bits", "input_bits", "sparsity", "log2_digits_per_weight",
    "log2_digits_per_column", "weight_times_input_bits", "log2_fan_in_squared", "adder_depth",
)


@dataclass
class LayerProxy:
    """A figure estimated as Σ over layers of the layer's adder bits × exp(θ · features of the layer), plus the pools' and quantizers'.

    A pool's adders (``pool_adder_bits``: plain sums, no constants) enter with one factor of
    their own, exp(θ_pool), and so do the quantizers' (``rounded_bits``: rounding and saturating
    every result, exp(θ_round)); both are counted as da4ml counts them, so their factors stay
    near one. Fitted by robust least squares on the log of the figure (a dozen coefficients, on
    every training row), it is the estimate the figure's regressor learns the ratio to.

    Attributes:
        coefficients: θ, one per name of :data:`LAYER_PROXY_FEATURES`, then θ_pool, then θ_round.
    """

    coefficients: np.ndarray

    @staticmethod
    def layer_features(matrix: np.ndarray, max_layers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per row and layer: the features ``(n, max_layers, k)``, adder bits, presence mask; per row the pools' adder bits; per layer the quantizer's."""
        per_layer = matrix[:, : max_layers * len(LAYER_COLUMNS)].reshape(len(matrix), max_layers, len(LAYER_COLUMNS))
        column = {name: per_layer[:, :, index] for index, name in enumerate(LAYER_COLUMNS)}
        units, fan_in = np.maximum(column["units"], 1.0), np.maximum(column["fan_in"], 1.0)
        # Digits per weight and per column of one application: a shared kernel's count holds them all.
        digits = column["csd_digits"] / np.maximum(column["applications"], 1.0)
        log2_fan_in = np.log2(fan_in)
        features = np.stack([
            np.ones_like(units),
            log2_fan_in,
            np.log2(units),
            column["weight_bits"],
            column["input_bits"],
            column["sparsity"],
            np.log2(np.maximum(digits / (fan_in * units), 1e-3)),
            np.log2(np.maximum(digits / units, 1e-3)),
            column["weight_bits"] * column["input_bits"] / 16.0,
            log2_fan_in**2 / 8.0,
            column["adder_depth"],
        ], axis=-1)
        pool_bits = matrix[:, column_index("pool_adder_bits", max_layers)]
        return features, column["digit_bits"], column["units"] > 0, pool_bits, column["rounded_bits"]

    def __call__(self, matrix: np.ndarray, max_layers: int) -> np.ndarray:
        """The estimate for each row of a description matrix (plus one, so empty networks stay finite)."""
        return self._estimate(self.coefficients, *self.layer_features(matrix, max_layers))

    @staticmethod
    def _estimate(
        coefficients: np.ndarray, features: np.ndarray, adder_bits: np.ndarray, present: np.ndarray, pool_bits: np.ndarray,
        rounded_bits: np.ndarray,
    ) -> np.ndarray:
        layers = np.where(present, adder_bits * np.exp(features @ coefficients[:-2]), 0.0).sum(axis=1)
        quantizers = np.where(present, rounded_bits, 0.0).sum(axis=1)
        return layers + pool_bits * np.exp(coefficients[-2]) + quantizers * np.exp(coefficients[-1]) + 1.0

    @classmethod
    def fit(cls, matrix: np.ndarray, values: np.ndarray, max_layers: int) -> LayerProxy:
        """Fit θ to measured ``values`` (log space; soft-L1 loss, so a few odd designs do not pull it)."""
        from scipy.optimize import least_squares  # lazy, as sklearn

        layers = cls.layer_features(matrix, max_layers)
        goal = np.log(values + 1.0)

        def residuals(coefficients: np.ndarray) -> np.ndarray:
            return np.log(cls._estimate(coefficients, *layers)) - goal

        fitted = least_squares(residuals, np.zeros(layers[0].shape[-1] + 2), loss="soft_l1", f_scale=0.05)
        return cls(coefficients=fitted.x)


def _regressor_inputs(matrix: np.ndarray, max_layers: int, proxy: LayerProxy | None) -> np.ndarray:
    """A regressor's input: the description matrix and, for a figure with a layer proxy, the proxy's layer features."""
    if proxy is None:
        return matrix
    features = LayerProxy.layer_features(matrix, max_layers)[0]
    return np.hstack([matrix, features.reshape(len(matrix), features.shape[1] * features.shape[2])])


class LookupForest:
    """A fitted HistGradientBoostingRegressor turned into lookup tables, for fast batch prediction.

    A tree with at most ``_SPLITS`` splits is decided by the outcomes of its splits: the
    ``2^_SPLITS`` combinations map to the leaf each one reaches. Predicting a batch is then one
    comparison per split, one lookup per tree and a sum, in numpy on one thread. The comparisons
    are made on bytes: each feature is binned once against the sorted thresholds any tree uses
    on it (a value lies at or below a threshold exactly when fewer thresholds than its rank lie
    below the value), so a split compares a bin with a rank. sklearn walks each tree separately
    through an OpenMP region (1,200 regions for three figures), which on a busy machine took 5 s
    for 10,000 architectures; the tables take a fraction of a second and give the same values
    (to rounding of the sum).

    Attributes:
        regressor: the fitted sklearn model the tables were built from.
        proxy: for a figure learnt relative to a :class:`LayerProxy`, that proxy (its layer
            features are also the regressor's input, after the description's columns).
    """

    def __init__(self, regressor: object, proxy: LayerProxy | None = None) -> None:
        self.regressor = regressor
        self.proxy = proxy
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

    def inputs(self, matrix: np.ndarray, max_layers: int) -> np.ndarray:
        """The regressor's input for a description matrix (see :func:`_regressor_inputs`)."""
        return _regressor_inputs(matrix, max_layers, self.proxy)

    @functools.cached_property
    def _binning(self) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
        """The features the splits read, each one's sorted thresholds, and per split the feature's position and the threshold's rank."""
        real = np.isfinite(self._thresholds)
        used = np.unique(self._features[real])
        edges = [np.unique(self._thresholds[real & (self._features == feature)]) for feature in used]
        # Bins run from 0 to the number of thresholds (at most 255 with sklearn's default max_bins).
        dtype = np.uint8 if max((len(e) for e in edges), default=0) < 255 else np.uint16
        position = np.zeros(self._features.shape, dtype=np.intp)
        rank = np.full(self._features.shape, np.iinfo(dtype).max, dtype=dtype)  # padding: always "left"
        for index, (feature, thresholds) in enumerate(zip(used, edges, strict=True)):
            at = real & (self._features == feature)
            position[at] = index
            rank[at] = np.searchsorted(thresholds, self._thresholds[at])
        return used, edges, position, rank

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """The regressor's prediction for each row of a finite input (see :meth:`inputs`)."""
        used, edges, position, rank = self._binning
        # sklearn sends x <= threshold left (NaN aside: the matrix is finite): x <= edges[r] iff
        # fewer than r + 1 edges lie below x.
        columns = np.ascontiguousarray(matrix[:, used].T)
        bins = np.empty(columns.shape, dtype=rank.dtype)
        for index, thresholds in enumerate(edges):
            bins[index] = np.searchsorted(thresholds, columns[index])
        out = np.empty(len(matrix))
        cell_of_tree = np.arange(len(self._tables))[:, None] * self._tables.shape[1]
        cells = self._tables.ravel()
        for start in range(0, len(matrix), _CHUNK_ROWS):
            chunk = bins[:, start : start + _CHUNK_ROWS]
            codes = np.zeros((len(self._tables), chunk.shape[1]), dtype=np.uint8)
            for split in range(_SPLITS):
                codes |= (chunk[position[:, split]] <= rank[:, split, None]).view(np.uint8) << split
            out[start : start + _CHUNK_ROWS] = self._baseline + cells[codes + cell_of_tree].sum(axis=0)
        return out


@dataclass
class Surrogate:
    """A trained hardware surrogate.

    Attributes:
        target: the implementation target of every training row.
        sources: the tools whose figures it learnt (e.g. ``("da4ml",)``).
        max_layers: deepest architecture it describes.
        n_training_rows: size of its training set.
        n_architecture_rows: training rows of ``models``: the random Glorot-normal weight draws.
        models: per figure, a :class:`LookupForest` of a regressor fitted on the log of the
            figure's ratio to its physical estimate (LUT: a :class:`LayerProxy`; FF: the
            register estimate) or on log1p of the figure, or a constant (a figure that never
            varied in training); fitted on the random Glorot-normal weight draws.
        weight_models: the same per figure, fitted on the counts of actual weights
            (:func:`~snac_pack.hardware.surrogate_features.realised_matrix`); empty when no
            training row had known weights.
        n_weight_rows: training rows of ``weight_models``.
        ranges: per quantity of :data:`RANGE_QUANTITIES`, the lowest and highest value among the
            training architectures; a prediction outside them is an extrapolation, warned about.
        features_version: the ``FEATURES_VERSION`` of the columns it was fitted on (0: older).
        trained_on: the :func:`~snac_pack.hardware.ground_truth.split_key` of every training
            architecture (empty for surrogates pickled before it was recorded).
    """

    target: ImplementationTarget
    sources: tuple[str, ...]
    max_layers: int
    n_training_rows: int
    n_architecture_rows: int = 0
    models: dict[str, object] = field(default_factory=dict)
    weight_models: dict[str, object] = field(default_factory=dict)
    n_weight_rows: int = 0
    features_version: int = 0
    trained_on: frozenset[str] = frozenset()
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    _warned: set[str] = field(default_factory=set, repr=False, compare=False)

    def outside_ranges(self, matrix: np.ndarray) -> list[str]:
        """For each row of a description matrix, what lies outside the training ranges ("" where nothing does).

        E.g. "n_inputs 512 (seen 4–256); depth 11 (seen 1–9)".
        """
        reasons = [[] for _ in range(len(matrix))]
        for name, (low, high) in _extents(matrix, self.max_layers).items():
            if name not in self.ranges:
                continue
            seen_low, seen_high = self.ranges[name]
            margin = _RANGE_MARGINS.get(name, 1e-9)
            for row in np.flatnonzero((low < seen_low - margin) | (high > seen_high + margin)):
                value = low[row] if low[row] < seen_low - margin else high[row]
                reasons[row].append(f"{name} {value:g} (seen {seen_low:g}–{seen_high:g})")
        return ["; ".join(reason) for reason in reasons]

    def _warn_outside(self, matrix: np.ndarray) -> None:
        if not self.ranges:
            return
        outside = [reason for reason in self.outside_ranges(matrix) if reason]
        # Once per quantity (the part before the value): a search would otherwise warn at every new value.
        examples = {part.split(" ", 1)[0]: part for reason in outside for part in reason.split("; ")}
        new = sorted(set(examples) - self._warned)
        if new:
            self._warned.update(new)
            logger.warning(
                "%d of %d designs lie outside what the surrogate learnt (%s): its figures there are extrapolations; "
                "extend the ground-truth table to cover them (docs/ground_truth.md)",
                len(outside), len(matrix), "; ".join(examples[name] for name in new),
            )

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
            "n_weight_rows": self.n_weight_rows,
            "n_architecture_rows": self.n_architecture_rows,
        }, sort_keys=True).encode())
        models = {**self.models, **{f"weights:{name}": model for name, model in self.weight_models.items()}}
        for name in sorted(models):
            model = models[name]
            hasher.update(name.encode())
            if isinstance(model, LookupForest):
                for array in (model._features, model._thresholds, model._tables, np.float64(model._baseline)):  # noqa: SLF001
                    hasher.update(np.ascontiguousarray(array).tobytes())
                if model.proxy is not None:
                    hasher.update(np.ascontiguousarray(model.proxy.coefficients).tobytes())
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

    def predict(
        self,
        archs: Sequence[Architecture],
        weights: Sequence[NetworkWeights] | None = None,
        statistics: Sequence[np.ndarray] | None = None,
    ) -> pd.DataFrame:
        """Predict every figure for a batch of architectures in one call.

        Args:
            archs: architectures, all on the surrogate's target.
            weights: their quantized weights, where known: the prediction is then weight-aware.
            statistics: instead of ``weights``, their
                :func:`~snac_pack.hardware.surrogate_features.weight_statistics`.

        Returns:
            One row per architecture, one column per figure of ``SURROGATE_TARGETS``.

        Raises:
            ValueError: weights given to a surrogate without weight-aware regressors.
        """
        for arch in {arch.target for arch in archs}:
            self.check_target(arch)
        self._check_features_version()
        if weights is not None:
            if len(weights) != len(archs):
                raise ValueError(f"{len(weights)} weight sets for {len(archs)} architectures")
            statistics = [weight_statistics(arch, network) for arch, network in zip(archs, weights, strict=True)]
        if statistics is None:
            matrix = architecture_matrix(archs, self.max_layers)
            self._warn_outside(matrix)
            return self.predict_matrix(matrix)
        if not self.weight_models:
            raise ValueError("this surrogate has no weight-aware regressors (no training row had known weights); "
                             "rerun `kedro run --pipeline surrogate_training`, or predict from the architectures alone")
        matrix = realised_matrix(archs, statistics, self.max_layers)
        self._warn_outside(matrix)
        return self.predict_matrix(matrix, self.weight_models)

    def _check_features_version(self) -> None:
        if self.features_version != FEATURES_VERSION:
            raise ValueError(
                f"this surrogate was fitted on architecture features version {self.features_version}, the code "
                f"describes architectures with version {FEATURES_VERSION}; rerun `kedro run --pipeline surrogate_training`"
            )

    @property
    def weight_aware(self) -> bool:
        """Whether the surrogate can predict from the counts of actual weights."""
        return bool(self.weight_models)

    def predict_matrix(self, matrix: np.ndarray, models: dict[str, object] | None = None) -> pd.DataFrame:
        """Predict from a description matrix (the vectorised core of :meth:`predict`).

        Args:
            matrix: an :func:`architecture_matrix` (with ``models`` left out) or a
                :func:`~snac_pack.hardware.surrogate_features.realised_matrix` (with ``weight_models``).
            models: the regressors to use; default the architecture-only ones.
        """
        models = self.models if models is None else models
        self._check_features_version()
        if not np.isfinite(matrix).all():
            raise ValueError("the architecture matrix holds NaN or infinite values")
        predictions = {}
        for name, model in models.items():
            if isinstance(model, float):
                values = np.full(len(matrix), model)
            else:
                raw = model.predict(model.inputs(matrix, self.max_layers))
                if model.proxy is not None:
                    values = np.exp(raw) * model.proxy(matrix, self.max_layers)
                elif name in _PROXY_COLUMNS:
                    values = np.exp(raw) * _proxy(matrix, name, self.max_layers)
                else:
                    values = np.expm1(raw)
            values = np.maximum(values, 0.0)
            predictions[name] = np.rint(values) if name in _CYCLE_TARGETS else values
        return pd.DataFrame(predictions)


#: What the surrogate's training ranges cover (see :meth:`Surrogate.outside_ranges`).
RANGE_QUANTITIES = ("n_inputs", "depth", "hidden_width", "n_outputs", "weight_bits", "activation_bits", "sparsity")
#: How far beyond its training range a quantity may go before it counts as outside (sparsity is continuous).
_RANGE_MARGINS = {"sparsity": 0.05}


def _extents(matrix: np.ndarray, max_layers: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per row of a description matrix, the lowest and highest value of each of :data:`RANGE_QUANTITIES`."""
    def layer(name: str) -> np.ndarray:
        return matrix[:, [column_index_of_layer(index, name) for index in range(max_layers)]]

    depth = matrix[:, column_index("depth", max_layers)].astype(np.intp)
    present = np.arange(max_layers)[None, :] < depth[:, None]
    hidden = np.arange(max_layers)[None, :] < (depth - 1)[:, None]
    rows = np.arange(len(matrix))
    head = np.maximum(depth - 1, 0)

    def masked(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        low = np.where(mask, values, np.inf).min(axis=1, initial=np.inf)
        high = np.where(mask, values, -np.inf).max(axis=1, initial=-np.inf)
        # A network without hidden layers has no hidden width: never outside.
        return np.where(mask.any(axis=1), low, np.inf), np.where(mask.any(axis=1), high, -np.inf)

    n_inputs = matrix[:, column_index("n_inputs", max_layers)]
    outputs = layer("units")[rows, head]
    return {
        "n_inputs": (n_inputs, n_inputs),
        "depth": (depth.astype(float), depth.astype(float)),
        "hidden_width": masked(layer("units"), hidden),
        "n_outputs": (outputs, outputs),
        "weight_bits": masked(layer("weight_bits"), present),
        "activation_bits": masked(layer("activation_bits"), present),
        "sparsity": masked(layer("sparsity"), present),
    }


def _fit_figures(table: pd.DataFrame, matrix: np.ndarray, max_layers: int, seed: int) -> dict[str, object]:
    """One regressor (or constant) per figure of ``SURROGATE_TARGETS``, on a description matrix."""
    from sklearn.ensemble import HistGradientBoostingRegressor  # lazy: keeps `kedro` start-up fast
    from threadpoolctl import threadpool_limits

    models: dict[str, object] = {}
    for name in SURROGATE_TARGETS:
        values = table[name].to_numpy(dtype=float)
        measured = np.isfinite(values)
        if not measured.any():
            raise ValueError(f"no ground-truth row gives {name!r} (sources {sorted(table['source'].unique())}); "
                             "add rows from a tool that measures it")
        if np.all(values[measured] == values[measured][0]):
            # A figure that never varies (no DSPs in distributed arithmetic) is that constant.
            models[name] = float(values[measured][0])
            continue
        model = HistGradientBoostingRegressor(**REGRESSOR_SETTINGS, random_state=seed)
        proxy = LayerProxy.fit(matrix[measured], values[measured], max_layers) if name in _LAYER_PROXY_FIGURES else None
        if proxy is not None:
            goal = np.log((values + 1.0) / proxy(matrix, max_layers))
        elif name in _PROXY_COLUMNS:
            goal = np.log((values + 1.0) / _proxy(matrix, name, max_layers))
        else:
            goal = np.log1p(values)
        inputs = _regressor_inputs(matrix, max_layers, proxy)
        # A few thousand rows: one thread. OpenMP threads that wait on each other at every split
        # made fits 5-50x slower on a shared two-core machine.
        with threadpool_limits(limits=1):
            model.fit(inputs[measured], goal[measured])
        models[name] = LookupForest(model, proxy)
    return models


def _glorot_draws(table: pd.DataFrame) -> np.ndarray:
    """Which rows are random weight draws from the Glorot-normal distribution (rows without the column: all)."""
    if "origin" not in table:
        return np.ones(len(table), dtype=bool)
    random = (table["origin"] == "random").to_numpy()
    if "weight_distribution" not in table:
        return random
    # Rows written before draws named their distribution were Glorot-normal draws.
    distribution = table["weight_distribution"].where(table["weight_distribution"].notna(), "glorot_normal")
    return random & (distribution == "glorot_normal").to_numpy()


def fit_surrogate(
    table: pd.DataFrame,
    archs: Sequence[Architecture],
    max_layers: int,
    seed: int = 0,
    statistics: Sequence[np.ndarray | None] | None = None,
) -> Surrogate:
    """Train a surrogate on ground-truth rows.

    Args:
        table: one row per architecture with the columns of ``SURROGATE_TARGETS`` and ``source``.
        archs: the architecture of each row, in the same order, all on one target.
        max_layers: deepest architecture the surrogate will describe.
        seed: seed of the regressors.
        statistics: per row, the :func:`~snac_pack.hardware.surrogate_features.weight_statistics`
            of its weights, or ``None`` where they are unknown; the rows with them train the
            weight-aware regressors. Default: none known.

    Returns:
        The trained surrogate.
    """
    targets = {arch.target for arch in archs}
    if len(targets) != 1:
        raise ValueError(f"ground truth mixes {len(targets)} implementation targets; train one surrogate per target")
    surrogate = Surrogate(
        target=targets.pop(),
        sources=tuple(sorted(table["source"].unique())),
        max_layers=max_layers,
        n_training_rows=len(table),
        features_version=FEATURES_VERSION,
        trained_on=frozenset(split_key(arch) for arch in archs),
    )
    matrix = architecture_matrix(archs, max_layers)
    surrogate.ranges = {name: (float(low.min()), float(high.max())) for name, (low, high) in _extents(matrix, max_layers).items()}
    # The architecture-only regressors learn the expected cost of a Glorot-normal draw (see the module docstring).
    draws = np.flatnonzero(_glorot_draws(table))
    if len(draws) == 0:
        raise ValueError(
            "no ground-truth row is a random Glorot-normal weight draw, which the architecture-only regressors learn "
            "from; raise surrogate_training.n_random_designs"
        )
    surrogate.models = _fit_figures(table.iloc[draws].reset_index(drop=True), matrix[draws], max_layers, seed)
    surrogate.n_architecture_rows = len(draws)
    known = [index for index, counts in enumerate(statistics or []) if counts is not None]
    if known:
        rows = table.iloc[known].reset_index(drop=True)
        matrix = realised_matrix([archs[i] for i in known], [statistics[i] for i in known], max_layers)  # type: ignore[index]
        surrogate.weight_models = _fit_figures(rows, matrix, max_layers, seed)
        surrogate.n_weight_rows = len(known)
    logger.info("Surrogate trained on %d rows from %s (architecture-only on %d random draws, weight-aware on %d rows "
                "with known weights)", len(table), ", ".join(surrogate.sources), surrogate.n_architecture_rows,
                surrogate.n_weight_rows)
    return surrogate


def evaluate_surrogate(
    surrogate: Surrogate, table: pd.DataFrame, archs: Sequence[Architecture], statistics: Sequence[np.ndarray] | None = None
) -> dict[str, dict[str, float]]:
    """Accuracy of the surrogate on architectures it was not trained on.

    With ``statistics`` (the weight counts of each row), the weight-aware prediction is judged.

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
    predicted = surrogate.predict(archs, statistics=statistics)
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


def evaluate_rows(surrogate: Surrogate, rows: pd.DataFrame, weight_aware: bool = False) -> dict[str, Any]:
    """:func:`evaluate_surrogate` on ground-truth rows (with ``arch_json``), with their number ``n``.

    Args:
        weight_aware: judge the prediction from the rows' weight counts (rows whose weights
            are unknown are left out, and ``n`` counts the rest).

    Returns:
        ``n`` and, when there are rows, the per-figure accuracy.
    """
    statistics = None
    if weight_aware and not rows.empty:
        counts = [row_statistics(row) for _, row in rows.iterrows()]
        known = [index for index, value in enumerate(counts) if value is not None]
        rows = rows.iloc[known].reset_index(drop=True)
        statistics = [counts[index] for index in known]
    if rows.empty:
        return {"n": 0}
    archs = [architecture_of(row) for _, row in rows.iterrows()]
    return {"n": len(rows), **evaluate_surrogate(surrogate, rows, archs, statistics)}


#: Columns of :func:`accuracy_by_origin`'s table: per origin, rows and the headline figures.
ORIGIN_TABLE_COLUMNS = (
    "origin", "n", "lut_r2", "lut_median_rel_error", "ff_r2", "ff_median_rel_error", "latency_within_one_cycle",
)


def accuracy_by_origin(surrogate: Surrogate, held_out: pd.DataFrame, weight_aware: bool = False) -> list[dict[str, Any]]:
    """The surrogate's accuracy on held-out ground-truth rows, one table row per origin.

    Args:
        held_out: ground-truth rows (with ``origin`` and ``arch_json``) of architectures the
            surrogate was not trained on.
        weight_aware: judge the weight-aware prediction, on the rows whose weights are known.

    Returns:
        One record per origin of ``ROW_ORIGINS``, with the keys of ``ORIGIN_TABLE_COLUMNS``;
        ``None`` where an origin has no rows (``n`` 0) or a figure is constant in its truth.
    """
    return [_accuracy_record("origin", origin, evaluate_rows(surrogate, held_out[held_out["origin"] == origin].reset_index(drop=True), weight_aware))
            for origin in ROW_ORIGINS]


def accuracy_by_family(surrogate: Surrogate, held_out: pd.DataFrame) -> list[dict[str, Any]]:
    """The surrogate's accuracy on held-out ground-truth rows, one table row per network family present.

    Args:
        held_out: ground-truth rows (with ``arch_json``) of architectures the surrogate was not trained on.

    Returns:
        One record per family (``Architecture.family``) with rows, keys as :func:`accuracy_by_origin`'s
        with ``family`` in place of ``origin``.
    """
    families = np.array([architecture_of(row).family for _, row in held_out.iterrows()], dtype=object)
    return [_accuracy_record("family", family, evaluate_rows(surrogate, held_out[families == family].reset_index(drop=True)))
            for family in sorted(set(families))]


def _accuracy_record(key: str, label: str, figures: dict[str, Any]) -> dict[str, Any]:
    """One row of an accuracy table: the group and its LUT, FF and latency figures."""
    lut, ff, cycles = (figures.get(name, {}) for name in ("lut", "ff", "latency_cycles"))
    return {
        key: label,
        "n": figures["n"],
        "lut_r2": lut.get("r2"),
        "lut_median_rel_error": lut.get("median_rel_error"),
        "ff_r2": ff.get("r2"),
        "ff_median_rel_error": ff.get("median_rel_error"),
        "latency_within_one_cycle": cycles.get("within_one_cycle"),
    }


def accuracy_by_plan(surrogate: Surrogate, held_out: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The surrogate's accuracy per plan of designs (``broad``, each task's search space).

    Args:
        held_out: ground-truth rows of architectures the surrogate was not trained on.

    Returns:
        Per plan (``untagged`` for rows written before rows named it): its random draws judged
        architecture-only, its trained networks judged from their weights.
    """
    if held_out.empty:
        return {}
    plans = held_out["plan"].fillna("untagged") if "plan" in held_out else pd.Series("untagged", index=held_out.index)
    result = {}
    for plan, rows in held_out.groupby(plans):
        result[str(plan)] = {
            "random_weights": evaluate_rows(surrogate, rows[rows["origin"] == "random"].reset_index(drop=True)),
            "trained_weights_weight_aware": evaluate_rows(surrogate, rows[rows["origin"] == "trained"].reset_index(drop=True), weight_aware=True),
        }
    return result
