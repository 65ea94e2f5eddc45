"""The objective of one global-search trial: train a candidate, then estimate its hardware.

A trial draws a network from the search space, trains it (early stopping; k-fold optional),
measures the task metric on held-out data and estimates the hardware of the network with the
configured estimator. Two modes:

- ``float``: the network is trained in floating point and costed at the search's fixed
  precision (its weights pruned and quantized to it);
- ``quantization_aware``: the trial also draws its precision (weight and activation bits) and
  target sparsity from the space, trains the QKeras network at that precision and prunes it
  there (:func:`snac_pack.compression.loop.compress`: warm-up, then iterative magnitude pruning
  with fine-tuning); the recorded metric and the costed weights are that quantized, pruned
  network's, which is stored for re-evaluation (``trial_<number>.npz``).

Estimators:

- ``surrogate``: the trained surrogate, from the trained weights pruned and quantized to the
  precision (weight-aware; microseconds, no tool in the loop);
- ``exact``: da4ml on the same weights (seconds); the surrogate's figures are recorded beside,
  so its error on the Pareto set can be shown.

Every figure is recorded as a trial attribute; the configured objectives are returned and the
configured budgets are set as Optuna constraints (value ≤ 0 is feasible). A failing estimate
raises: the trial fails with its error, it never receives invented figures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.exact import isolated_exact_cost
from snac_pack.hardware.network import NetworkWeights
from snac_pack.hardware.parts import resource_percentages
from snac_pack.hardware.surrogate import Surrogate
from snac_pack.models.export import quantized_network
from snac_pack.models.mlp import (
    TrainingSettings,
    build_float_network,
    early_stopping_split,
    predict_classes,
    task_metric,
    train_classifier,
)
from snac_pack.search.sampling import candidate_inputs
from snac_pack.search.space import (
    BodySpace,
    Precision,
    SearchSpace,
    n_weighted_layers,
    suggest_candidate,
    suggest_precision,
    to_architecture,
)
from snac_pack.search.study import MadeUnder

if TYPE_CHECKING:
    import optuna
    import tf_keras

    from snac_pack.search.space import Candidate

logger = logging.getLogger(__name__)

HARDWARE_FIGURES = ("lut", "ff", "dsp", "bram_18k", "latency_cycles")
RESOURCE_PERCENTAGES = ("lut_pct", "ff_pct", "dsp_pct", "bram_18k_pct", "avg_resource_pct")
Metric = Literal["accuracy", "fidelity"]
MADE_UNDER_COMPONENTS = (
    "surrogate", "search_space", "objectives", "estimator", "precision", "hardware_target", "training", "input_data",
)


SearchMode = Literal["float", "quantization_aware"]


class QuantizationAwareTrials(BaseModel):
    """How a quantization-aware trial reaches its sparsity after its warm-up (``training``).

    Attributes:
        pruning_iterations: magnitude-pruning steps to the trial's target sparsity (one global
            threshold over all layers), each followed by fine-tuning.
        finetune_epochs: epochs of each fine-tuning (early stopping with ``training.patience``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    pruning_iterations: int = Field(default=2, ge=1, description="pruning steps to the trial's target sparsity")
    finetune_epochs: int = Field(default=3, gt=0, description="fine-tuning epochs after each pruning step")


def available_figures(metric: Metric) -> tuple[str, ...]:
    """Every figure a trial measures: usable as an objective or a budget."""
    return (metric, "bops", *HARDWARE_FIGURES, *RESOURCE_PERCENTAGES)


def _limit_tensorflow_threads(threads: int) -> None:
    """Give TensorFlow ``threads`` threads in this process (only possible before its first op)."""
    import tensorflow as tf

    if tf.config.threading.get_intra_op_parallelism_threads() == threads:
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        logger.debug("TensorFlow already initialised; keeping its thread pools")


@dataclass(frozen=True)
class Evaluation:
    """One network measured as a trial measures it.

    Attributes:
        figures: the task metric, ``bops``, the hardware figures (from the configured estimator)
            and the resource percentages.
        attributes: what else a trial records (the surrogate's figures, the metric's split, the
            architecture, timings).
        arch: the costed architecture.
        network: the costed quantized weights.
    """

    figures: dict[str, float]
    attributes: dict[str, Any]
    arch: Architecture
    network: NetworkWeights


@dataclass(frozen=True)
class TrialObjective:
    """A picklable objective: everything a worker process needs to run trials.

    Attributes:
        space: the search space.
        objectives: figure names returned to Optuna, in the study's order.
        budgets: figure name → largest allowed value (Optuna constraints).
        metric: the task metric.
        estimator: ``surrogate`` or ``exact``.
        surrogate: the trained surrogate (also recorded in ``exact`` mode).
        precision: fixed-point formats and sparsity at which designs are costed.
        target: the implementation target.
        training: epochs, batch size and patience (learning rate comes from the trial).
        early_stopping_fraction: share of the training data (with k folds: of each fold's
            training part) early stopping watches; the metric is measured on the validation
            split (the held-out fold), which neither fitting nor early stopping saw.
        folds: 1 for a train/validation split, k > 1 for k-fold cross-validation on train + val.
        train: training split of the model inputs.
        val: validation split.
        tensorflow_threads: TensorFlow threads per worker process (cores divided among the
            workers: more threads per worker than its share only makes workers contend).
        mode: ``float`` or ``quantization_aware`` (see the module docstring).
        quantization_aware: the pruning of quantization-aware trials.
        networks_dir: where quantization-aware trials store their networks (``None``: not stored).
    """

    space: SearchSpace
    objectives: tuple[str, ...]
    budgets: dict[str, float]
    metric: Metric
    estimator: Literal["surrogate", "exact"]
    surrogate: Surrogate
    precision: Precision
    target: ImplementationTarget
    training: TrainingSettings
    early_stopping_fraction: float
    folds: int
    train: FeatureTable
    val: FeatureTable
    tensorflow_threads: int = 1
    mode: SearchMode = "float"
    quantization_aware: QuantizationAwareTrials = QuantizationAwareTrials()
    networks_dir: Path | None = None

    def __call__(self, trial: optuna.Trial) -> dict[str, float]:
        """Run one trial; returns the objectives' values by name."""
        candidate = suggest_candidate(self.space, trial)
        quantization_aware = self.mode == "quantization_aware"
        precision = suggest_precision(self.space, trial, n_weighted_layers(candidate)) if quantization_aware else self.precision
        evaluation = self.evaluate(candidate, precision, seed=trial.number, name=f"trial_{trial.number}", store=True)
        for name, value in evaluation.figures.items():
            trial.set_user_attr(name, value)
        for name, value in evaluation.attributes.items():
            trial.set_user_attr(name, value)
        for name, limit in self.budgets.items():
            trial.set_constraint(name, evaluation.figures[name] - limit)
        return {name: evaluation.figures[name] for name in self.objectives}

    def evaluate(self, candidate: Candidate, precision: Precision, seed: int, name: str, store: bool = False) -> Evaluation:
        """Train ``candidate`` as a trial does, measure its metric and estimate its hardware.

        Used by every trial and by the baselines, which are so measured exactly like the trials.

        Args:
            candidate: the network and its training set-up.
            precision: where it is costed (``float``) or trained and pruned (``quantization_aware``).
            seed: seed of the weights' initialisation and of the data's shuffling.
            name: the network's name (a quantization-aware network's file is ``<name>.npz``).
            store: store a quantization-aware network under ``networks_dir``.
        """
        _limit_tensorflow_threads(self.tensorflow_threads)
        settings = self.training.model_copy(update={"learning_rate": candidate.learning_rate, "seed": seed})
        attributes: dict[str, Any] = {}
        started = time.perf_counter()
        if self.mode == "quantization_aware":
            metric, arch, network, epochs = self._train_quantized(
                candidate, precision, settings, name, store, attributes
            )
            train_seconds = time.perf_counter() - started
            started = time.perf_counter()
        else:
            metric, model, input_shape, epochs = self._train_and_score(candidate, settings)
            train_seconds = time.perf_counter() - started
            arch = to_architecture(candidate.network, input_shape, len(self.train.class_names), precision, self.target)
            started = time.perf_counter()
            # The trained network, pruned and quantized to the search precision: the surrogate predicts
            # from its weights, da4ml costs it.
            network = quantized_network(model, arch)
        # Beside exact costs the surrogate's are recorded for comparison.
        surrogate_figures = self.surrogate.predict([arch], weights=[network]).iloc[0].to_dict()
        if self.estimator == "exact":
            cost = isolated_exact_cost(arch, network)
            figures = {figure: float(getattr(cost, figure)) for figure in HARDWARE_FIGURES}
        else:
            figures = {figure: float(surrogate_figures[figure]) for figure in HARDWARE_FIGURES}
        estimator_seconds = time.perf_counter() - started

        figures.update(resource_percentages(figures, self.target))
        figures[self.metric] = metric
        figures["bops"] = arch.bops()
        attributes |= {f"surrogate_{figure}": float(value) for figure, value in surrogate_figures.items() if figure in HARDWARE_FIGURES}
        attributes |= {
            "metric_split": self.metric_split(),
            "mode": self.mode,
            "estimator": self.estimator,
            "architecture": arch.describe(),
            "arch_json": arch.model_dump_json(),
            "n_inputs": arch.n_inputs,
            "epochs_trained": epochs,
            "train_seconds": train_seconds,
            "estimator_seconds": estimator_seconds,
        }
        return Evaluation(
            figures={figure: float(value) for figure, value in figures.items()},
            attributes=attributes,
            arch=arch,
            network=network,
        )

    def metric_split(self) -> str:
        """Which data the recorded metric is measured on, and which data early stopping watched."""
        share = f"{100 * self.early_stopping_fraction:.0f} %"
        if self.folds == 1:
            return f"validation split (early stopping on {share} of the training split)"
        return f"{self.folds}-fold cross-validation on train + validation (early stopping on {share} of each fold's training part)"

    def made_under(self) -> dict[str, MadeUnder]:
        """What this objective's trials are measured under, one digest per component a person may change.

        A study records it at creation and refuses a later run whose components differ (see
        ``snac_pack.search.study``); ``tensorflow_threads`` is left out: it changes the speed, not
        the figures.

        Returns:
            ``surrogate``, ``search_space``, ``objectives`` (with budgets), ``estimator``,
            ``precision``, ``hardware_target``, ``training`` (with the metric and folds) and
            ``input_data`` (the training and validation splits).
        """
        described = {
            "search_space": _without_later_defaults(self.space.model_dump(mode="json")),
            "objectives": {"objectives": list(self.objectives), "budgets": self.budgets},
            "estimator": self.estimator,
            "precision": _without_later_defaults(dataclasses.asdict(self.precision)),
            "hardware_target": self.target.model_dump(mode="json"),
            "training": {
                "metric": self.metric, "folds": self.folds, "early_stopping_fraction": self.early_stopping_fraction,
                **self.training.model_dump(mode="json"),
                "mode": self.mode,
                "quantization_aware": self.quantization_aware.model_dump(mode="json"),
            },
        }
        record = {name: _described(value) for name, value in described.items()}
        record["surrogate"] = MadeUnder(
            digest=self.surrogate.fingerprint(),
            summary=f"trained on {self.surrogate.n_training_rows} rows from {', '.join(self.surrogate.sources)}",
        )
        record["input_data"] = _data_record(self.train, self.val)
        return record

    def _train_and_score(
        self, candidate: Candidate, settings: TrainingSettings
    ) -> tuple[float, tf_keras.Model, tuple[int, ...], int]:
        """Train on the split (or k folds) and measure the metric on held-out data.

        Returns:
            The metric, the trained model (the last fold's with k-fold), its input shape and
            the epochs trained in total.
        """
        n_classes = len(self.train.class_names)
        scores, epochs = [], 0
        for fold, (fitted, measured) in enumerate(self._folds(settings.seed)):
            x_fit, x_measured = candidate_inputs(candidate, fitted), candidate_inputs(candidate, measured)
            model = build_float_network(x_fit.shape[1:], n_classes, candidate.network, seed=settings.seed + fold)
            history = self._fit(model, x_fit, fitted.y, settings)
            scores.append(task_metric(self.metric, measured.y, predict_classes(model, x_measured)))
            epochs += len(history["loss"])
        return float(np.mean(scores)), model, tuple(x_fit.shape[1:]), epochs

    def _folds(self, seed: int) -> list[tuple[FeatureTable, FeatureTable]]:
        """(fitted, measured) splits: train and validation, or the k stratified folds of train + validation."""
        if self.folds == 1:
            return [(self.train, self.val)]
        from sklearn.model_selection import StratifiedKFold

        combined = FeatureTable(np.concatenate([self.train.x, self.val.x]), np.concatenate([self.train.y, self.val.y]),
                                self.train.feature_names, self.train.class_names)
        splitter = StratifiedKFold(self.folds, shuffle=True, random_state=seed)
        return [(combined.subset(fit), combined.subset(held)) for fit, held in splitter.split(combined.x, combined.y)]

    def _train_quantized(
        self, candidate: Candidate, precision: Precision, settings: TrainingSettings, name: str, store: bool,
        attributes: dict[str, Any],
    ) -> tuple[float, Architecture, NetworkWeights, int]:
        """Train, quantize and prune the candidate at ``precision``; score it on data it never saw.

        What it records about the network (bits, sparsity, its own metric, its file) goes into ``attributes``.

        Returns:
            The metric (mean over folds), the last fold's architecture (per-layer sparsity
            measured) and quantized weights, and the epochs trained in total.
        """
        from snac_pack.compression.loop import CompressionJob, compress
        from snac_pack.compression.saved import CompressedModel, write_models
        from snac_pack.compression.settings import FixedPoint, PhaseTraining, PruningSchedule, QuantizationPoint

        point = QuantizationPoint.of(precision)
        input_format = FixedPoint(bits=precision.input_bits, integer=precision.input_integer_bits)
        schedule = PruningSchedule.towards(
            precision, n_weighted_layers(candidate), self.quantization_aware.pruning_iterations,
            self.quantization_aware.finetune_epochs, per_layer="sparsity" in self.space.per_layer,
        )
        warmup = PhaseTraining(epochs=settings.epochs, patience=settings.patience, batch_size=settings.batch_size)
        job = CompressionJob(name, "candidate", candidate)
        scores, epochs = [], 0
        for fold, (fitted, measured) in enumerate(self._folds(settings.seed)):
            fit, watched = early_stopping_split(fitted.y, self.early_stopping_fraction, settings.seed + fold)
            points = compress(job, point, input_format, schedule, warmup, fitted.subset(fit), fitted.subset(watched),
                              self.metric, self.target, seed=settings.seed + fold)
            final = points[-1]
            model = CompressedModel.from_point(final, input_format)
            scores.append(task_metric(self.metric, measured.y, model.predict_classes(measured)))
            epochs += sum(point.epochs for point in points)
        attributes |= {
            "weight_bits": precision.weight_bits,
            "activation_bits": precision.activation_bits,
            "target_sparsity": final.target_sparsity,
            "precision": precision.describe(),
            "sparsity": final.sparsity,
            # The stored network's own metric, on the data it was measured on (with k folds: its held-out fold).
            "network_metric": scores[-1],
        }
        if store and self.networks_dir is not None:
            path = self.networks_dir / f"{name}.npz"
            write_models(path, {model.name: model})
            attributes["network_file"] = str(path)
        return float(np.mean(scores)), final.arch, final.hardware_weights, epochs

    def _fit(self, model: tf_keras.Model, x: np.ndarray, y: np.ndarray, settings: TrainingSettings) -> dict[str, list[float]]:
        """Train on ``x`` less the slice early stopping watches (see ``early_stopping_fraction``)."""
        fit, watched = early_stopping_split(y, self.early_stopping_fraction, settings.seed)
        return train_classifier(model, (x[fit], y[fit]), (x[watched], y[watched]), settings)


_SUMMARY_MAX_CHARS = 300


def _digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()[:16]


#: Settings added after studies were first recorded, with their defaults: left out of a record at
#: their default, so that a study made before they existed continues under unchanged settings.
_LATER_DEFAULTS = {"per_layer": ((), []), "end": (None,), "body": (BodySpace().model_dump(mode="json"),)}


def _without_later_defaults(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` (nested) without the later-added keys that hold their defaults."""
    kept = {}
    for key, value in settings.items():
        if key in _LATER_DEFAULTS and any(value == default for default in _LATER_DEFAULTS[key]):
            continue
        kept[key] = _without_later_defaults(value) if isinstance(value, dict) else value
    return kept


def _described(value: object) -> MadeUnder:
    """A component given by settings: its canonical JSON is both the digest's input and, when short, its summary."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    digest = _digest(text.encode())
    return MadeUnder(digest=digest, summary=text if len(text) <= _SUMMARY_MAX_CHARS else f"settings {digest}")


def _data_record(train: FeatureTable, val: FeatureTable) -> MadeUnder:
    """The splits the trials learn and score on: shapes, names and every value."""
    hasher = hashlib.sha256()
    for table in (train, val):
        for array in (np.ascontiguousarray(table.x), np.ascontiguousarray(table.y)):
            hasher.update(f"{array.dtype}{array.shape}".encode())
            hasher.update(array.tobytes())
        hasher.update(json.dumps([table.feature_names, table.class_names]).encode())
    return MadeUnder(
        digest=hasher.hexdigest()[:16],
        summary=f"train {train.x.shape[0]}x{train.x.shape[1]}, val {val.x.shape[0]}x{val.x.shape[1]}, "
                f"classes {list(train.class_names)}",
    )
