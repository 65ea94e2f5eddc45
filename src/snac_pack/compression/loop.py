"""Quantization-aware warm-up followed by iterative magnitude pruning, one network at a time.

For every precision point a fresh QKeras model is trained (the warm-up, iteration 0), then each
pruning iteration removes a share of the surviving weights by magnitude, optionally rewinds the
survivors to their warm-up values, and fine-tunes with the pruned weights held at zero. Every
iteration leaves a :class:`CompressionPoint`: its validation metric, its sparsity and the
network's weights, both as trained (to reload) and as the hardware holds them (to cost).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from snac_pack.compression.pruning import prune_masks, pruned_fraction, zero_fractions
from snac_pack.compression.qmodel import build_qkeras_classifier
from snac_pack.compression.settings import FixedPoint, PhaseTraining, PruningSchedule, QuantizationPoint
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import Architecture, ImplementationTarget, has_weights
from snac_pack.hardware.network import LayerWeights
from snac_pack.models.mlp import TrainingSettings, predict_classes, task_metric, train_classifier
from snac_pack.models.quantized import float_kernels, kernel_layer_names, kernel_layers, quantized_weights, set_masks
from snac_pack.search.sampling import candidate_inputs
from snac_pack.search.space import Candidate, to_architecture

logger = logging.getLogger(__name__)

Metric = Literal["accuracy", "fidelity"]


@dataclass(frozen=True)
class CompressionJob:
    """A network to compress: a search candidate or a configured baseline.

    Attributes:
        name: label in the history and the reports (unique in a run).
        kind: ``candidate`` or ``baseline``.
        candidate: the network, its learning rate and its input window.
    """

    name: str
    kind: Literal["candidate", "baseline"]
    candidate: Candidate


@dataclass(frozen=True)
class CompressionPoint:
    """One network after one iteration at one precision.

    Attributes:
        job: the network's job.
        point: the precision.
        iteration: 0 for the warm-up, then the pruning iteration.
        target_sparsity: the schedule's pruned fraction.
        sparsity: the measured pruned fraction of all kernel weights (exact zeros of the trained kernels).
        layer_sparsity: the measured pruned fraction of each kernel.
        val_metric: the task metric on the validation split.
        epochs: epochs trained in this iteration.
        train_seconds: wall time of this iteration's training.
        arch: the hardware description, per-layer sparsity being the zero fraction of the quantized kernels.
        weights: ``model.get_weights()`` (reloads the exact model).
        hardware_weights: each dense layer's quantized kernel and bias (what is costed).
    """

    job: CompressionJob
    point: QuantizationPoint
    iteration: int
    target_sparsity: float
    sparsity: float
    layer_sparsity: tuple[float, ...]
    val_metric: float
    epochs: int
    train_seconds: float
    arch: Architecture
    weights: list[np.ndarray] = field(repr=False)
    hardware_weights: list[LayerWeights] = field(repr=False)


class EmptyLayerError(ValueError):
    """Every weight of a layer is zero after pruning and quantization: the network passes nothing through it."""


def hardware_architecture(
    job: CompressionJob,
    point: QuantizationPoint,
    input_format: FixedPoint,
    input_shape: tuple[int, ...],
    n_classes: int,
    target: ImplementationTarget,
    hardware_weights: list[LayerWeights],
) -> Architecture:
    """The architecture of a quantized network, each layer's sparsity measured on its quantized kernel.

    Raises:
        EmptyLayerError: a layer's kernel is all zeros (named, with the settings that avoid it).
    """
    arch = to_architecture(job.candidate.network, input_shape, n_classes, point.precision(input_format), target)
    zeros = zero_fractions([kernel for kernel, _ in hardware_weights])
    for name, fraction in zip(kernel_layer_names(arch), zeros, strict=True):
        if fraction >= 1.0:
            raise EmptyLayerError(
                f"{job.name} at {point.name()}: every weight of layer {name} is zero after pruning and "
                "quantization, so the network passes nothing through it; in local_compression lower "
                "pruning.fraction or iterations, or use more weight bits; a network at its searched precision "
                "(trial_<n>_searched) is left out by local_compression.searched_precision: false (a quantization-aware "
                "search trial with such a layer fails: its L1, sparsity or bits left the layer empty)"
            )
    measured = iter(zeros)
    layers = tuple(
        layer.model_copy(update={"sparsity": next(measured)}) if has_weights(layer) else layer
        for layer in arch.layers
    )
    return arch.model_copy(update={"layers": layers})


def compress(
    job: CompressionJob,
    point: QuantizationPoint,
    input_format: FixedPoint,
    schedule: PruningSchedule,
    warmup: PhaseTraining,
    train: FeatureTable,
    val: FeatureTable,
    metric: Metric,
    target: ImplementationTarget,
    seed: int = 0,
    stop_at_empty_layer: bool = False,
) -> list[CompressionPoint]:
    """Warm up one network at one precision, then prune it iteratively.

    Args:
        job: the network.
        point: weight and activation formats.
        input_format: the network input's format.
        schedule: the pruning iterations.
        warmup: the quantization-aware warm-up training.
        train: training split.
        val: validation split (early stopping and the recorded metric).
        metric: the task metric.
        target: the implementation target of the architectures.
        seed: seed of initialisation and training.
        stop_at_empty_layer: a point that leaves a layer without a nonzero weight (after
            quantization) ends this network's schedule at this precision, with a warning, instead
            of failing: the points before it are kept (none when the warm-up is the one). For
            compressing many networks at several precisions, where one small layer at few bits
            should not stop the others; a trial that must reach its drawn precision leaves it off.

    Returns:
        ``schedule.iterations + 1`` points, the warm-up first (fewer when the schedule stopped).

    Raises:
        EmptyLayerError: without ``stop_at_empty_layer``, a point left a layer without a nonzero weight.
    """
    x_train, x_val = candidate_inputs(job.candidate, train), candidate_inputs(job.candidate, val)
    if any(job.candidate.network.batch_norm_flags):
        logger.info("%s was searched with batch normalisation; the quantized flow trains it without", job.name)
    n_classes = len(train.class_names)
    model = build_qkeras_classifier(x_train.shape[1:], n_classes, job.candidate.network, point.precision(input_format), seed)
    kernels = float_kernels(model)
    masks = [np.ones_like(kernel, dtype=np.float32) for kernel in kernels]

    def settings(phase_epochs: int, patience: int, batch_size: int) -> TrainingSettings:
        return TrainingSettings(
            epochs=phase_epochs, batch_size=batch_size, learning_rate=job.candidate.learning_rate, patience=patience, seed=seed
        )

    def target_sparsity(iteration: int) -> float:
        if not schedule.layer_targets:
            return schedule.target_sparsity(iteration)
        sizes = np.array([kernel.size for kernel in kernels], dtype=float)
        return float(np.dot(schedule.layer_sparsity(iteration), sizes) / sizes.sum())

    def record(iteration: int, epochs: int, seconds: float) -> CompressionPoint:
        hardware = quantized_weights(model)
        trained = float_kernels(model)
        measured = zero_fractions(trained)
        return CompressionPoint(
            job=job,
            point=point,
            iteration=iteration,
            target_sparsity=target_sparsity(iteration),
            sparsity=float(sum(np.sum(kernel == 0) for kernel in trained) / sum(kernel.size for kernel in trained)),
            layer_sparsity=tuple(measured),
            val_metric=task_metric(metric, val.y, predict_classes(model, x_val)),
            epochs=epochs,
            train_seconds=seconds,
            arch=hardware_architecture(job, point, input_format, x_train.shape[1:], n_classes, target, hardware),
            weights=[np.array(w) for w in model.get_weights()],
            hardware_weights=hardware,
        )

    started = time.perf_counter()
    history = train_classifier(
        model, (x_train, train.y), (x_val, val.y), settings(warmup.epochs, warmup.patience, warmup.batch_size), from_logits=True
    )
    try:
        points = [record(0, len(history["loss"]), time.perf_counter() - started)]
    except EmptyLayerError as error:
        if not stop_at_empty_layer:
            raise
        logger.warning("%s: this network is left out at this precision", error)
        return []
    warm_weights = model.get_weights()
    log_point(points[-1])
    for iteration in range(1, schedule.iterations + 1):
        started = time.perf_counter()
        if schedule.layer_targets:
            masks = prune_masks(float_kernels(model), masks, schedule.layer_sparsity(iteration), "layer")
        else:
            masks = prune_masks(float_kernels(model), masks, schedule.target_sparsity(iteration), schedule.scope)
        if schedule.rewind:
            model.set_weights(warm_weights)
        set_masks(model, masks)
        history = train_classifier(
            model,
            (x_train, train.y),
            (x_val, val.y),
            settings(schedule.finetune_epochs, warmup.patience, warmup.batch_size),
            from_logits=True,
        )
        try:
            points.append(record(iteration, len(history["loss"]), time.perf_counter() - started))
        except EmptyLayerError as error:
            if not stop_at_empty_layer:
                raise
            logger.warning("%s: pruning stops at iteration %d of %d, the last that leaves every layer a nonzero weight",
                           error, iteration - 1, schedule.iterations)
            break
        logger.debug("masks prune %.3f of %d dense layers", pruned_fraction(masks), len(kernel_layers(model)))
        log_point(points[-1])
    return points


def compress_at_each(
    job: CompressionJob,
    runs: list[tuple[QuantizationPoint, PruningSchedule]],
    input_format: FixedPoint,
    warmup: PhaseTraining,
    train: FeatureTable,
    val: FeatureTable,
    metric: Metric,
    target: ImplementationTarget,
    seed: int = 0,
) -> list[CompressionPoint]:
    """One network at each of its precisions, each with its schedule (see :func:`compress`).

    A precision at which a layer is left without a nonzero weight ends there, with a warning
    (``stop_at_empty_layer``): one small layer at few bits does not stop the other networks.

    Raises:
        EmptyLayerError: no precision leaves every layer a nonzero weight, so the network has no point.
    """
    points = []
    for point, schedule in runs:
        points += compress(job, point, input_format, schedule, warmup, train, val, metric, target, seed, stop_at_empty_layer=True)
    if not points:
        raise EmptyLayerError(
            f"{job.name} leaves a layer without a nonzero weight at every precision it is compressed at "
            f"({', '.join(point.name() for point, _ in runs)}; the warnings above name the layers): add a precision "
            "with more weight bits to local_compression.precisions"
        )
    return points


def log_point(point: CompressionPoint) -> None:
    """One progress line per iteration."""
    logger.info(
        "%s %s iteration %d: sparsity %.3f (target %.3f), validation metric %.4f, %d epochs in %.1f s",
        point.job.name,
        point.point.name(),
        point.iteration,
        point.sparsity,
        point.target_sparsity,
        point.val_metric,
        point.epochs,
        point.train_seconds,
    )
