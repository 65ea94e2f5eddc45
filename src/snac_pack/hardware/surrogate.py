"""The hardware surrogate: predicts resources and latency of architectures without any tool.

One gradient-boosted regressor per figure, trained on a ground-truth table of exact costs
(da4ml, Yosys, vendor reports). Why gradient boosting on engineered features: the cost of a
distributed-arithmetic network is, to within about 1 %, a smooth function of the shapes, bit
widths and sparsities (the weights' values matter little), dominated by the "adder bits"
``Σ fan_in · units · (1 − sparsity) · weight_bits · input_bits`` of its layers. LUTs and FFs
are therefore learnt as their ratio to that proxy (in log space), which varies slowly; trees
on the per-layer description fit the ratio to a few percent, train in seconds on a few hundred
points, need no feature scaling and predict ten thousand architectures in well under a second.
Cycle counts are learnt in log space directly. Relative errors are what the fit minimises.

The surrogate remembers what it was trained on (sources and implementation target) and refuses
to predict for another target.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from snac_pack.hardware.architecture import Architecture, ImplementationTarget

logger = logging.getLogger(__name__)

#: Figures the surrogate predicts (columns of the cost table).
SURROGATE_TARGETS = ("lut", "ff", "dsp", "bram_18k", "latency_cycles", "initiation_interval")
#: Figures that are whole numbers of clock cycles: predictions are rounded.
_CYCLE_TARGETS = ("latency_cycles", "initiation_interval")
#: Batches smaller than this are predicted on one thread.
_THREADED_BATCH = 256
#: Figures learnt as a ratio to the adder-bits proxy (see the module docstring).
_PROXY_TARGETS = ("lut", "ff")


class SurrogateTargetMismatch(ValueError):
    """The surrogate was trained for another implementation target than the one asked for."""


def architecture_matrix(archs: Sequence[Architecture], max_layers: int) -> np.ndarray:
    """Numeric description of each architecture, one row each (see :func:`matrix_columns`).

    Per layer: units, fan-in, weight bits, input bits (the previous layer's output width),
    sparsity and the adder bits ``fan_in · units · (1 − sparsity) · weight_bits · input_bits``,
    padded with zeros to ``max_layers``; then network totals: depth, inputs, input bits, total
    adder bits, total unpruned weights, total output bits and BOPs.

    Args:
        archs: the architectures.
        max_layers: depth to pad to (at least the deepest architecture).

    Returns:
        Array of shape ``(len(archs), len(matrix_columns(max_layers)))``.
    """
    n_layer_features = 6
    rows = np.zeros((len(archs), max_layers * n_layer_features + 7))
    for row, arch in zip(rows, archs, strict=True):
        if arch.depth > max_layers:
            raise ValueError(f"{arch.describe()} has {arch.depth} layers, more than the surrogate's {max_layers}")
        adder_bits_total = unpruned_total = output_bits_total = 0.0
        input_bits = arch.input_bits
        for index, (layer, (fan_in, units)) in enumerate(zip(arch.layers, arch.layer_shapes(), strict=True)):
            unpruned = fan_in * units * (1.0 - layer.sparsity)
            adder_bits = unpruned * layer.weight_bits * input_bits
            row[index * n_layer_features : (index + 1) * n_layer_features] = (
                units,
                fan_in,
                layer.weight_bits,
                input_bits,
                layer.sparsity,
                adder_bits,
            )
            adder_bits_total += adder_bits
            unpruned_total += unpruned
            output_bits_total += units * layer.activation_bits
            input_bits = layer.activation_bits
        row[max_layers * n_layer_features :] = (
            arch.depth,
            arch.n_inputs,
            arch.input_bits,
            adder_bits_total,
            unpruned_total,
            output_bits_total,
            arch.bops(),
        )
    return rows


#: Column of the total adder bits in :func:`architecture_matrix`, counted from the end.
_ADDER_BITS_FROM_END = 4


def matrix_columns(max_layers: int) -> list[str]:
    """Column names of :func:`architecture_matrix`."""
    per_layer = ("units", "fan_in", "weight_bits", "input_bits", "sparsity", "adder_bits")
    columns = [f"layer{index}_{name}" for index in range(max_layers) for name in per_layer]
    return [*columns, "depth", "n_inputs", "input_bits", "adder_bits", "unpruned_weights", "output_bits", "bops"]


def _proxy(matrix: np.ndarray) -> np.ndarray:
    """The adder-bits proxy of each row (plus one, so empty networks stay finite)."""
    return matrix[:, -_ADDER_BITS_FROM_END] + 1.0


@dataclass
class Surrogate:
    """A trained hardware surrogate.

    Attributes:
        target: the implementation target of every training row.
        sources: the tools whose figures it learnt (e.g. ``("da4ml",)``).
        max_layers: deepest architecture it describes.
        n_training_rows: size of its training set.
        models: per figure, a fitted regressor on log1p of the figure, or a constant.
    """

    target: ImplementationTarget
    sources: tuple[str, ...]
    max_layers: int
    n_training_rows: int
    models: dict[str, object] = field(default_factory=dict)

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
        if len(matrix) < _THREADED_BATCH:
            # A search trial asks for one design: waking an OpenMP pool costs more than the trees.
            from threadpoolctl import threadpool_limits

            with threadpool_limits(limits=1):
                return self._predict_rows(matrix)
        return self._predict_rows(matrix)

    def _predict_rows(self, matrix: np.ndarray) -> pd.DataFrame:
        predictions = {}
        for name, model in self.models.items():
            if isinstance(model, float):
                values = np.full(len(matrix), model)
            elif name in _PROXY_TARGETS:
                values = np.exp(model.predict(matrix)) * _proxy(matrix)
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

    targets = {arch.target for arch in archs}
    if len(targets) != 1:
        raise ValueError(f"ground truth mixes {len(targets)} implementation targets; train one surrogate per target")
    matrix = architecture_matrix(archs, max_layers)
    surrogate = Surrogate(
        target=targets.pop(),
        sources=tuple(sorted(table["source"].unique())),
        max_layers=max_layers,
        n_training_rows=len(table),
    )
    for name in SURROGATE_TARGETS:
        values = table[name].to_numpy(dtype=float)
        if np.all(values == values[0]):
            # A figure that never varies (no DSPs in distributed arithmetic) is that constant.
            surrogate.models[name] = float(values[0])
            continue
        model = HistGradientBoostingRegressor(
            max_iter=200, learning_rate=0.1, max_leaf_nodes=8, min_samples_leaf=4, random_state=seed
        )
        if name in _PROXY_TARGETS:
            surrogate.models[name] = model.fit(matrix, np.log((values + 1.0) / _proxy(matrix)))
        else:
            surrogate.models[name] = model.fit(matrix, np.log1p(values))
    logger.info("Surrogate trained on %d rows from %s", len(table), ", ".join(surrogate.sources))
    return surrogate


def evaluate_surrogate(surrogate: Surrogate, table: pd.DataFrame, archs: Sequence[Architecture]) -> dict[str, dict[str, float]]:
    """Accuracy of the surrogate on rows it was not trained on.

    Returns:
        Per figure: ``r2``, ``median_rel_error``, ``p90_rel_error`` (relative to the truth, where
        the truth is non-zero) and, for cycle counts, ``within_one_cycle`` (fraction of
        predictions at most one cycle off). A figure constant in the truth reports ``constant``.
    """
    predicted = surrogate.predict(archs)
    metrics: dict[str, dict[str, float]] = {}
    for name in SURROGATE_TARGETS:
        truth = table[name].to_numpy(dtype=float)
        guess = predicted[name].to_numpy()
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
