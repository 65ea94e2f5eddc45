"""The search space: declared once in configuration, read by surrogate sampling and the global search.

A space is sampled through Optuna's ``suggest_*`` interface. The global search passes its
NSGA-II trials; the surrogate's ground-truth sampling passes trials of an in-memory study with
a random sampler (:func:`random_trials`). One definition, one sampling code path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from snac_pack.hardware.architecture import Architecture, DenseLayerSpec, ImplementationTarget
from snac_pack.models.mlp import MLPSpec

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Suggester(Protocol):
    """The part of ``optuna.Trial`` a search space needs."""

    def suggest_int(self, name: str, low: int, high: int, step: int = 1) -> int: ...
    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float: ...
    def suggest_categorical(self, name: str, choices: Any) -> Any: ...


class IntRange(BaseModel):
    """Integers ``low, low + step, …, high``."""

    model_config = _FROZEN
    low: int
    high: int
    step: int = Field(default=1, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self

    def suggest(self, trial: Suggester, name: str) -> int:
        """Draw a value for ``name``; a range of one value is not a search dimension."""
        return self.low if self.low == self.high else trial.suggest_int(name, self.low, self.high, step=self.step)


class FloatRange(BaseModel):
    """Real numbers in ``[low, high]``, on a log scale when ``log``."""

    model_config = _FROZEN
    low: float = Field(ge=0)
    high: float = Field(ge=0)
    log: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> FloatRange:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        if self.log and self.low <= 0:
            raise ValueError(f"low must be positive on a log scale, got {self.low}")
        return self

    def suggest(self, trial: Suggester, name: str) -> float:
        """Draw a value for ``name``; a range of one value is not a search dimension."""
        return self.low if self.low == self.high else trial.suggest_float(name, self.low, self.high, log=self.log)


def _suggest_choice(trial: Suggester, name: str, choices: tuple[Any, ...]) -> Any:
    return choices[0] if len(choices) == 1 else trial.suggest_categorical(name, list(choices))


class InputWindowSpace(BaseModel):
    """A readout window chosen per trial inside the model inputs' I/Q window (qubit task).

    The start is drawn first, then the length; with ``end`` set, the length is drawn only up to
    what the start leaves before ``end`` (so late starts and the full window share one space).
    """

    model_config = _FROZEN
    start: IntRange = Field(description="first sample, relative to the model inputs' window")
    length: IntRange = Field(description="number of samples")
    end: int | None = Field(default=None, ge=1, description="one past the last sample a window may reach")

    @model_validator(mode="after")
    def _fits_before_end(self) -> InputWindowSpace:
        if self.end is not None and self.start.high + self.length.low > self.end:
            raise ValueError(
                f"start.high + length.low = {self.start.high + self.length.low} exceeds end = {self.end}: "
                "the latest start leaves no room for the shortest window"
            )
        return self

    def longest(self) -> int:
        """One past the last sample any window of the space reaches."""
        return self.end if self.end is not None else self.start.high + self.length.high

    def suggest(self, trial: Suggester) -> tuple[int, int]:
        """Draw ``(start, length)`` (parameters ``window_start``, ``window_length``)."""
        start = self.start.suggest(trial, "window_start")
        lengths = self.length
        if self.end is not None and lengths.high > self.end - start:
            high = lengths.low + (self.end - start - lengths.low) // lengths.step * lengths.step
            lengths = IntRange(low=lengths.low, high=high, step=lengths.step)
        return start, lengths.suggest(trial, "window_length")


class PrecisionSpace(BaseModel):
    """Fixed-point formats and sparsities the hardware is costed at.

    ``weight_bits``, ``activation_bits`` and ``sparsity`` span what the surrogate learns; the
    global search and compression choose points inside it.
    """

    model_config = _FROZEN
    input_bits: int = Field(default=8, ge=2, le=16)
    input_integer_bits: int = Field(default=3, ge=0)
    weight_bits: tuple[int, ...] = Field(default=(4, 6, 8), min_length=1)
    weight_integer_bits: int = Field(default=0, ge=0)
    activation_bits: tuple[int, ...] = Field(default=(6, 8), min_length=1)
    activation_integer_bits: int = Field(default=3, ge=0)
    sparsity: FloatRange = Field(default=FloatRange(low=0.0, high=0.8))


#: Choices a space may draw for every layer instead of once per network.
PerLayerChoice = Literal["batch_norm", "weight_bits", "activation_bits", "sparsity"]


class SearchSpace(BaseModel):
    """An MLP family: depth, per-layer widths, regularisation, learning rate (and input window).

    Widths are always drawn per hidden layer; the choices named in ``per_layer`` are too
    (batch normalisation per hidden layer; weight bits, activation bits and sparsity per dense
    layer, the output layer last), the others once per network.
    """

    model_config = _FROZEN
    family: Literal["mlp"] = "mlp"
    hidden_layers: IntRange = Field(description="number of hidden layers")
    units: tuple[int, ...] = Field(min_length=1, description="width choices of each hidden layer")
    activation: tuple[Literal["relu"], ...] = Field(
        default=("relu",), description="hidden activations (the hardware flow implements ReLU)"
    )
    batch_norm: tuple[bool, ...] = (False,)
    dropout: FloatRange = FloatRange(low=0.0, high=0.0)
    l1: FloatRange = FloatRange(low=0.0, high=0.0)
    learning_rate: FloatRange = FloatRange(low=1e-3, high=1e-3)
    input_window: InputWindowSpace | None = None
    precision: PrecisionSpace = PrecisionSpace()
    per_layer: tuple[PerLayerChoice, ...] = Field(default=(), description="choices drawn for every layer")

    @model_validator(mode="after")
    def _positive_widths(self) -> SearchSpace:
        if self.hidden_layers.low < 1:
            raise ValueError(f"hidden_layers.low must be at least 1, got {self.hidden_layers.low}")
        if min(self.units) < 1:
            raise ValueError(f"units must all be at least 1, got {list(self.units)}")
        repeated = sorted({choice for choice in self.per_layer if self.per_layer.count(choice) > 1})
        if repeated:
            raise ValueError(f"per_layer names {repeated} more than once")
        return self


@dataclass(frozen=True)
class Candidate:
    """One point of the space: the network to train and how.

    Attributes:
        network: hidden layers and regularisation.
        learning_rate: Adam learning rate.
        input_window: ``(start, length)`` inside the model inputs' window, or ``None`` for all inputs.
    """

    network: MLPSpec
    learning_rate: float
    input_window: tuple[int, int] | None


@dataclass(frozen=True)
class LayerPrecision:
    """One dense layer's weight bits, activation bits and sparsity (integer bits are the network's)."""

    weight_bits: int
    activation_bits: int
    sparsity: float = 0.0


@dataclass(frozen=True)
class Precision:
    """A hardware precision point: the input format and the formats and sparsity of the dense layers.

    ``weight_bits``, ``activation_bits`` and ``sparsity`` hold for every layer unless
    ``per_layer`` gives each dense layer its own (output layer last); read a layer's through
    :meth:`layer`.
    """

    input_bits: int
    input_integer_bits: int
    weight_bits: int
    weight_integer_bits: int
    activation_bits: int
    activation_integer_bits: int
    sparsity: float = 0.0
    per_layer: tuple[LayerPrecision, ...] = ()

    def layer(self, index: int, n_layers: int) -> LayerPrecision:
        """The bits and sparsity of dense layer ``index`` of ``n_layers`` (output layer last)."""
        if not self.per_layer:
            return LayerPrecision(self.weight_bits, self.activation_bits, self.sparsity)
        if len(self.per_layer) != n_layers:
            raise ValueError(f"the precision has {len(self.per_layer)} per-layer entries for a network of {n_layers} dense layers")
        return self.per_layer[index]

    def describe(self) -> str:
        """e.g. ``w6/a8 s0.50``, or per layer ``w4,6,8/a6,8,8 s0.50,0.20,0.00``."""
        if not self.per_layer:
            return f"w{self.weight_bits}/a{self.activation_bits} s{self.sparsity:.2f}"
        weights = ",".join(str(layer.weight_bits) for layer in self.per_layer)
        activations = ",".join(str(layer.activation_bits) for layer in self.per_layer)
        sparsities = ",".join(f"{layer.sparsity:.2f}" for layer in self.per_layer)
        return f"w{weights}/a{activations} s{sparsities}"


def suggest_candidate(space: SearchSpace, trial: Suggester) -> Candidate:
    """Draw a network and its training set-up from ``space``.

    Parameter names: ``hidden_layers``, ``units_<i>`` (per hidden layer), ``activation``,
    ``batch_norm`` (or ``batch_norm_<i>`` per hidden layer), ``dropout``, ``l1``,
    ``learning_rate``, ``window_start``, ``window_length``.
    """
    depth = space.hidden_layers.suggest(trial, "hidden_layers")
    units = tuple(_suggest_choice(trial, f"units_{index}", space.units) for index in range(depth))
    activation = _suggest_choice(trial, "activation", space.activation)
    if "batch_norm" in space.per_layer:
        batch_norm = tuple(_suggest_choice(trial, f"batch_norm_{index}", space.batch_norm) for index in range(depth))
    else:
        batch_norm = (_suggest_choice(trial, "batch_norm", space.batch_norm),) * depth
    network = MLPSpec(
        hidden_units=units,
        activation=activation,
        batch_norm=batch_norm,
        dropout=space.dropout.suggest(trial, "dropout"),
        l1=space.l1.suggest(trial, "l1"),
    )
    window = space.input_window.suggest(trial) if space.input_window is not None else None
    return Candidate(network, space.learning_rate.suggest(trial, "learning_rate"), window)


def suggest_precision(space: SearchSpace, trial: Suggester, n_layers: int) -> Precision:
    """Draw a hardware precision point (weight and activation bits, sparsity) from ``space``.

    A choice in ``space.per_layer`` is drawn for each of the ``n_layers`` dense layers
    (``weight_bits_<i>``, ``activation_bits_<i>``, ``sparsity_<i>``, output layer last); the
    network-wide fields then hold the largest bits and the mean sparsity, for a reader.
    """
    precision = space.precision
    draws = {
        "weight_bits": lambda name: _suggest_choice(trial, name, precision.weight_bits),
        "activation_bits": lambda name: _suggest_choice(trial, name, precision.activation_bits),
        "sparsity": lambda name: precision.sparsity.suggest(trial, name),
    }
    drawn: dict[str, list[Any]] = {}
    for choice, draw in draws.items():
        drawn[choice] = [draw(f"{choice}_{index}") for index in range(n_layers)] if choice in space.per_layer else [draw(choice)]
    per_layer = ()
    if any(len(values) > 1 for values in drawn.values()):
        widen = {choice: values if len(values) > 1 else values * n_layers for choice, values in drawn.items()}
        per_layer = tuple(
            LayerPrecision(widen["weight_bits"][index], widen["activation_bits"][index], widen["sparsity"][index])
            for index in range(n_layers)
        )
    return Precision(
        input_bits=precision.input_bits,
        input_integer_bits=precision.input_integer_bits,
        weight_bits=max(drawn["weight_bits"]),
        weight_integer_bits=precision.weight_integer_bits,
        activation_bits=max(drawn["activation_bits"]),
        activation_integer_bits=precision.activation_integer_bits,
        sparsity=float(np.mean(drawn["sparsity"])),
        per_layer=per_layer,
    )


def n_dense_layers(candidate: Candidate) -> int:
    """Dense layers of the candidate's network: its hidden layers and the output layer."""
    return len(candidate.network.hidden_units) + 1


def n_network_inputs(candidate: Candidate, n_features: int) -> int:
    """Inputs of the network: two per window sample (I and Q), else every feature."""
    return n_features if candidate.input_window is None else 2 * candidate.input_window[1]


def to_architecture(
    network: MLPSpec, n_inputs: int, n_classes: int, precision: Precision, target: ImplementationTarget
) -> Architecture:
    """The hardware description of ``network`` at ``precision`` on ``target``.

    Batch normalisation folds into the dense layers and dropout vanishes at inference, so only
    the widths, formats and sparsity reach the hardware.
    """
    widths = (*network.hidden_units, n_classes)
    formats = [precision.layer(index, len(widths)) for index in range(len(widths))]
    layers = tuple(
        DenseLayerSpec(
            units=units,
            activation="linear" if index == len(widths) - 1 else "relu",
            weight_bits=layer.weight_bits,
            weight_integer_bits=precision.weight_integer_bits,
            activation_bits=layer.activation_bits,
            activation_integer_bits=precision.activation_integer_bits,
            sparsity=layer.sparsity,
        )
        for index, (units, layer) in enumerate(zip(widths, formats, strict=True))
    )
    return Architecture(
        n_inputs=n_inputs,
        input_bits=precision.input_bits,
        input_integer_bits=precision.input_integer_bits,
        layers=layers,
        target=target,
    )


def random_trials(seed: int) -> Iterator[Suggester]:
    """Endless independent random trials of an in-memory Optuna study, for sampling a space."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    while True:
        trial = study.ask()
        yield trial
        study.tell(trial, 0.0)
