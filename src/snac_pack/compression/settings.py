"""What local compression does: precisions, the pruning schedule, the selection rule, baselines.

These typed settings are the library's inputs; ``snac_pack.config`` reads them from the
``local_compression`` parameters. Invalid values (integer bits above the total, a pruning
fraction outside (0, 1)) are refused on construction, before any training.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from snac_pack.hardware.architecture import MAX_BITS
from snac_pack.models.mlp import NetworkSpec
from snac_pack.search.space import Candidate, LayerPrecision, Precision, SearchSpace, Suggester, n_weighted_layers, suggest_precision

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class FixedPoint(BaseModel):
    """A fixed-point format: total bits (sign included) and integer bits (sign excluded)."""

    model_config = _FROZEN
    bits: int = Field(ge=2, le=MAX_BITS, description="total bits, sign included")
    integer: int = Field(ge=0, description="integer bits, sign excluded")

    @model_validator(mode="after")
    def _integer_fits(self) -> FixedPoint:
        if self.integer > self.bits - 1:
            raise ValueError(
                f"integer bits ({self.integer}) above total bits minus the sign ({self.bits - 1}): "
                f"use integer ≤ {self.bits - 1}"
            )
        return self


class LayerBits(BaseModel):
    """One dense layer's own weight and activation bits (integer bits are the point's)."""

    model_config = _FROZEN
    weights: int = Field(ge=2, le=MAX_BITS)
    activations: int = Field(ge=2, le=MAX_BITS)


class QuantizationPoint(BaseModel):
    """The precision of one compression run: weights (and biases) and hidden activations.

    ``weights`` and ``activations`` hold for every dense layer unless ``per_layer`` gives each
    its own bits (output layer last; a quantization-aware search trial's per-layer draw).
    """

    model_config = _FROZEN
    weights: FixedPoint
    activations: FixedPoint
    per_layer: tuple[LayerBits, ...] = ()

    def name(self) -> str:
        """A short label, e.g. ``w6.0-a6.3`` (total.integer bits), per layer ``w4,6,8.0-a6,8,8.3``."""
        if not self.per_layer:
            return f"w{self.weights.bits}.{self.weights.integer}-a{self.activations.bits}.{self.activations.integer}"
        weights = ",".join(str(layer.weights) for layer in self.per_layer)
        activations = ",".join(str(layer.activations) for layer in self.per_layer)
        return f"w{weights}.{self.weights.integer}-a{activations}.{self.activations.integer}"

    def precision(self, input_format: FixedPoint, sparsity: float = 0.0) -> Precision:
        """The hardware precision of this point with the network's input format."""
        return Precision(
            input_bits=input_format.bits,
            input_integer_bits=input_format.integer,
            weight_bits=self.weights.bits,
            weight_integer_bits=self.weights.integer,
            activation_bits=self.activations.bits,
            activation_integer_bits=self.activations.integer,
            sparsity=sparsity,
            per_layer=tuple(LayerPrecision(layer.weights, layer.activations, sparsity) for layer in self.per_layer),
        )

    @classmethod
    def of(cls, precision: Precision) -> QuantizationPoint:
        """The formats of a hardware precision point (its sparsity is pruning's business)."""
        return cls(
            weights=FixedPoint(bits=precision.weight_bits, integer=precision.weight_integer_bits),
            activations=FixedPoint(bits=precision.activation_bits, integer=precision.activation_integer_bits),
            per_layer=tuple(LayerBits(weights=layer.weight_bits, activations=layer.activation_bits) for layer in precision.per_layer),
        )


class PhaseTraining(BaseModel):
    """Epochs of one training phase (Adam, early stopping on validation loss)."""

    model_config = _FROZEN
    epochs: int = Field(gt=0)
    patience: int = Field(default=3, ge=0, description="epochs without val-loss improvement before stopping")
    batch_size: int = Field(default=256, gt=0)


class PruningSchedule(BaseModel):
    """Iterative magnitude pruning after the quantization-aware warm-up.

    Iteration ``i`` prunes ``fraction`` of the weights still alive, so the target sparsity is
    ``1 − (1 − fraction)^i``, then fine-tunes with the pruned weights held at zero.

    Attributes:
        iterations: pruning iterations after the warm-up.
        fraction: share of the surviving weights pruned at each iteration, in (0, 1).
        finetune_epochs: fine-tuning epochs after each pruning step.
        scope: ``global`` (one magnitude threshold over all kernels) or ``layer`` (each kernel
            pruned to the target sparsity).
        rewind: reset the surviving weights to their warm-up values before fine-tuning
            (lottery-ticket rewinding).
        layer_targets: when given, each dense layer (output layer last) is pruned on its own to
            its target, reached at the last iteration (a quantization-aware trial's per-layer
            sparsity); ``fraction`` and ``scope`` are then not used.
    """

    model_config = _FROZEN
    iterations: int = Field(ge=0)
    fraction: float = Field(gt=0.0, lt=1.0, description="share of surviving weights pruned per iteration")
    finetune_epochs: int = Field(gt=0)
    scope: Literal["global", "layer"] = "global"
    rewind: bool = False
    layer_targets: tuple[float, ...] = Field(
        default=(), description="each dense layer's sparsity after the last iteration (replaces fraction and scope)"
    )

    @model_validator(mode="after")
    def _targets_reachable(self) -> PruningSchedule:
        if any(not 0.0 <= target < 1.0 for target in self.layer_targets):
            raise ValueError(f"layer_targets must lie in [0, 1), got {list(self.layer_targets)}")
        return self

    @classmethod
    def towards(cls, precision: Precision, n_layers: int, iterations: int, finetune_epochs: int, per_layer: bool) -> PruningSchedule:
        """Pruning in ``iterations`` steps to a searched precision's sparsity (a quantization-aware trial's draw).

        With ``per_layer`` each of the ``n_layers`` dense layers is pruned to its own drawn
        sparsity, otherwise all kernels together to the network's; no step where none is drawn.
        """
        targets = tuple(precision.layer(index, n_layers).sparsity for index in range(n_layers))
        steps = iterations if max(targets) > 0 else 0
        return cls(
            iterations=steps,
            # Each step prunes this share of the surviving weights: 1 − (1 − f)^steps = the target.
            fraction=1.0 - (1.0 - precision.sparsity) ** (1.0 / steps) if steps else 0.5,  # 0.5: unused, no step
            finetune_epochs=finetune_epochs,
            layer_targets=targets if per_layer and steps else (),
        )

    def target_sparsity(self, iteration: int) -> float:
        """Fraction of all kernel weights pruned after ``iteration`` pruning steps (without ``layer_targets``)."""
        return 1.0 - (1.0 - self.fraction) ** iteration

    def layer_sparsity(self, iteration: int) -> tuple[float, ...]:
        """Each layer's sparsity after ``iteration`` steps towards ``layer_targets``: every step
        prunes the same share of a layer's surviving weights, ``1 − (1 − target)^(iteration / iterations)``."""
        return tuple(1.0 - (1.0 - target) ** (iteration / self.iterations) for target in self.layer_targets)


def searched_run(space: SearchSpace, trial: Suggester, candidate: Candidate, pruning: PruningSchedule) -> tuple[QuantizationPoint, PruningSchedule]:
    """A quantization-aware trial's network compressed where it was searched: the bits its parameters drew, pruned
    in ``pruning``'s steps and fine-tuning to the sparsity they drew (per layer where the space draws it)."""
    n_layers = n_weighted_layers(candidate)
    precision = suggest_precision(space, trial, n_layers)
    schedule = PruningSchedule.towards(precision, n_layers, pruning.iterations, pruning.finetune_epochs, per_layer="sparsity" in space.per_layer)
    return QuantizationPoint.of(precision), schedule


class SelectionRule(BaseModel):
    """How the final model of each candidate is chosen among all its compression points.

    The reference is the best validation metric among the candidate's unpruned (warm-up)
    points; the selected point has the fewest exact LUTs among those whose metric is at least
    ``reference − tolerance`` (ties: the better metric).
    """

    model_config = _FROZEN
    rule: Literal["fewest_lut_within_tolerance"] = "fewest_lut_within_tolerance"
    tolerance: float = Field(default=0.01, ge=0.0, description="allowed absolute drop of the metric")


class BaselineModel(BaseModel):
    """A hand-designed reference network, compressed like the search's candidates.

    Attributes:
        name: label in the reports.
        hidden_units: hidden layer widths.
        learning_rate: Adam learning rate.
        l1: L1 penalty on the kernels.
        input_window: ``[start, length]`` of the readout window for I/Q inputs; ``null`` for all inputs.
    """

    model_config = _FROZEN
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    hidden_units: tuple[int, ...] = Field(min_length=1)
    learning_rate: float = Field(default=1e-3, gt=0)
    l1: float = Field(default=0.0, ge=0)
    input_window: tuple[int, int] | None = None

    def network(self) -> NetworkSpec:
        """The network description."""
        return NetworkSpec(hidden_units=self.hidden_units, l1=self.l1)

    def candidate(self) -> Candidate:
        """The network with its training set-up, as the search describes its trials."""
        return Candidate(self.network(), self.learning_rate, self.input_window)
