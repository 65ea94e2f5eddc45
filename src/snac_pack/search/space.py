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

from snac_pack.hardware.architecture import (
    Architecture,
    Conv1DLayerSpec,
    DenseLayerSpec,
    FlattenLayerSpec,
    ImplementationTarget,
    PointwiseLayerSpec,
    PoolLayerSpec,
    TokenMixLayerSpec,
    quantizes,
)
from snac_pack.models.mlp import BodyLayer, NetworkSpec

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
#: Network families: ``mlp`` (dense layers on the flat inputs), ``deepsets`` (a dense layer per
#: token, an average over tokens, a dense head), ``mixer`` (blocks of token mixing and per-token
#: dense layers, then an average or a flatten, a dense head), ``conv1d`` (1-D convolutions, a
#: flatten, a dense head).
Family = Literal["mlp", "deepsets", "mixer", "conv1d"]


class BodySpace(BaseModel):
    """What the families with a body over tokens draw (an MLP has none).

    Attributes:
        layers: per-token dense layers (``deepsets``), mixing blocks (``mixer``) or convolutions (``conv1d``).
        units: width choices of each of those layers (features per token, filters).
        token_units: tokens after each token mixing (``mixer``; powers of two where the block
            ends in an average).
        kernel_size: kernel size choices of each convolution.
        stride: stride choices of each convolution.
        ending: how a ``mixer`` body ends: ``pool`` (the average over tokens) or ``flatten``.
    """

    model_config = _FROZEN
    layers: IntRange = IntRange(low=1, high=2)
    units: tuple[int, ...] = Field(default=(8, 16, 32), min_length=1)
    token_units: tuple[int, ...] = Field(default=(4, 8, 16), min_length=1)
    kernel_size: tuple[int, ...] = Field(default=(3, 5), min_length=1)
    stride: tuple[int, ...] = Field(default=(1, 2), min_length=1)
    ending: tuple[Literal["pool", "flatten"], ...] = Field(default=("pool",), min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> BodySpace:
        if self.layers.low < 1:
            raise ValueError(f"layers.low must be at least 1, got {self.layers.low}")
        for name in ("units", "token_units", "kernel_size", "stride"):
            if min(getattr(self, name)) < 1:
                raise ValueError(f"{name} must all be at least 1, got {list(getattr(self, name))}")
        return self

    def shortest_input(self) -> int:
        """Tokens the deepest convolution stack of the largest kernels and strides needs."""
        tokens = 1
        for _ in range(self.layers.high):
            tokens = (tokens - 1) * max(self.stride) + max(self.kernel_size)
        return tokens


class SearchSpace(BaseModel):
    """Network families: depth, per-layer widths, regularisation, learning rate (and input window).

    Widths are always drawn per layer; the choices named in ``per_layer`` are too (batch
    normalisation per hidden layer with weights; weight bits, activation bits and sparsity per
    layer with weights, the output layer last), the others once per network. ``family`` is one
    family, or several to draw from per trial; the families other than ``mlp`` read the inputs
    as a sequence of tokens (jet constituents, readout samples) and draw their body from ``body``.
    """

    model_config = _FROZEN
    family: Family | tuple[Family, ...] = "mlp"
    hidden_layers: IntRange = Field(description="number of dense hidden layers (after the body, if any)")
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
    body: BodySpace = BodySpace()

    @model_validator(mode="after")
    def _positive_widths(self) -> SearchSpace:
        lowest = 1 if "mlp" in self.families else 0
        if self.hidden_layers.low < lowest:
            raise ValueError(
                f"hidden_layers.low must be at least {lowest}{' (an MLP needs a hidden layer)' if lowest else ''}, "
                f"got {self.hidden_layers.low}"
            )
        if min(self.units) < 1:
            raise ValueError(f"units must all be at least 1, got {list(self.units)}")
        repeated = sorted({choice for choice in self.per_layer if self.per_layer.count(choice) > 1})
        if repeated:
            raise ValueError(f"per_layer names {repeated} more than once")
        if "conv1d" in self.families and self.input_window is not None and self.input_window.length.low < self.body.shortest_input():
            raise ValueError(
                f"input_window.length.low = {self.input_window.length.low} samples is shorter than the "
                f"{self.body.shortest_input()} the deepest convolution stack needs (body.layers.high = "
                f"{self.body.layers.high}, kernel_size up to {max(self.body.kernel_size)}, stride up to "
                f"{max(self.body.stride)}): raise input_window.length.low or lower those"
            )
        return self

    @property
    def families(self) -> tuple[Family, ...]:
        """The families drawn from."""
        return (self.family,) if isinstance(self.family, str) else tuple(self.family)

    @property
    def max_weighted_layers(self) -> int:
        """The most layers with weights a drawn network has: its body's (a mixer block has two), hidden layers, head."""
        per_block = {"mlp": 0, "deepsets": 1, "mixer": 2, "conv1d": 1}
        body = max(per_block[family] for family in self.families) * self.body.layers.high
        return body + self.hidden_layers.high + 1


@dataclass(frozen=True)
class Candidate:
    """One point of the space: the network to train and how.

    Attributes:
        network: its body (if any), hidden layers and regularisation.
        learning_rate: Adam learning rate.
        input_window: ``(start, length)`` inside the model inputs' window, or ``None`` for all inputs.
    """

    network: NetworkSpec
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


def _suggest_body(space: SearchSpace, family: Family, trial: Suggester) -> tuple[BodyLayer, ...]:
    """The body of a family: its layers over tokens, ending flat."""
    if family == "mlp":
        return ()
    body = space.body
    depth = body.layers.suggest(trial, "body_layers")
    layers: list[BodyLayer] = []
    for index in range(depth):
        units = _suggest_choice(trial, f"body_units_{index}", body.units)
        if family == "deepsets":
            layers.append(BodyLayer(kind="pointwise", units=units))
        elif family == "mixer":
            tokens = _suggest_choice(trial, f"token_units_{index}", body.token_units)
            layers += [BodyLayer(kind="token_mix", units=tokens), BodyLayer(kind="pointwise", units=units)]
        else:
            layers.append(BodyLayer(
                kind="conv1d", units=units, kernel_size=_suggest_choice(trial, f"kernel_size_{index}", body.kernel_size),
                stride=_suggest_choice(trial, f"stride_{index}", body.stride),
            ))
    if family == "deepsets":
        layers.append(BodyLayer(kind="pool"))
    elif family == "mixer":
        layers.append(BodyLayer(kind=_suggest_choice(trial, "ending", body.ending)))
    else:
        layers.append(BodyLayer(kind="flatten"))
    return tuple(layers)


def suggest_candidate(space: SearchSpace, trial: Suggester) -> Candidate:
    """Draw a network and its training set-up from ``space``.

    Parameter names: ``family`` (when the space has several), ``body_layers``, ``body_units_<i>``,
    ``token_units_<i>``, ``kernel_size_<i>``, ``stride_<i>``, ``ending`` (families with a body),
    ``hidden_layers``, ``units_<i>`` (per hidden layer), ``activation``, ``batch_norm`` (or
    ``batch_norm_<i>`` per hidden layer with weights, body first), ``dropout``, ``l1``,
    ``learning_rate``, ``window_start``, ``window_length``.
    """
    family = _suggest_choice(trial, "family", space.families)
    body = _suggest_body(space, family, trial)
    depth = space.hidden_layers.suggest(trial, "hidden_layers")
    units = tuple(_suggest_choice(trial, f"units_{index}", space.units) for index in range(depth))
    activation = _suggest_choice(trial, "activation", space.activation)
    n_body = sum(layer.has_weights for layer in body)
    if "batch_norm" in space.per_layer:
        flags = tuple(_suggest_choice(trial, f"batch_norm_{index}", space.batch_norm) for index in range(n_body + depth))
    else:
        flags = (_suggest_choice(trial, "batch_norm", space.batch_norm),) * (n_body + depth)
    body_flags = iter(flags[:n_body])
    body = tuple(layer.model_copy(update={"batch_norm": next(body_flags)}) if layer.has_weights else layer for layer in body)
    network = NetworkSpec(
        hidden_units=units,
        activation=activation,
        batch_norm=flags[n_body:],
        dropout=space.dropout.suggest(trial, "dropout"),
        l1=space.l1.suggest(trial, "l1"),
        body=body,
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


def n_weighted_layers(candidate: Candidate) -> int:
    """Layers with weights of the candidate's network: its body's, its hidden layers and the output layer."""
    return candidate.network.n_weighted_layers


def _weighted_layer_fields(units: int, activation: str, fmt: LayerPrecision, precision: Precision) -> dict[str, Any]:
    """A layer's width, activation, formats and sparsity (integer bits are the network's)."""
    return {
        "units": units, "activation": activation, "weight_bits": fmt.weight_bits,
        "weight_integer_bits": precision.weight_integer_bits, "activation_bits": fmt.activation_bits,
        "activation_integer_bits": precision.activation_integer_bits, "sparsity": fmt.sparsity,
    }


def _body_layer_spec(layer: BodyLayer, fmt: LayerPrecision | None, previous: Any, precision: Precision) -> Any:
    """The hardware description of one body layer; a pool keeps the format of what it averages."""
    if layer.kind == "flatten":
        return FlattenLayerSpec()
    if layer.kind == "pool":
        bits, integer = (previous.activation_bits, previous.activation_integer_bits) if previous is not None else (
            precision.input_bits, precision.input_integer_bits)
        return PoolLayerSpec(size=layer.size, activation_bits=bits, activation_integer_bits=integer)
    formats = _weighted_layer_fields(layer.units, "relu", fmt, precision)
    if layer.kind == "conv1d":
        return Conv1DLayerSpec(kernel_size=layer.kernel_size, stride=layer.stride, **formats)
    return (PointwiseLayerSpec if layer.kind == "pointwise" else TokenMixLayerSpec)(**formats)


def to_architecture(
    network: NetworkSpec, n_inputs: int | tuple[int, int], n_classes: int, precision: Precision, target: ImplementationTarget
) -> Architecture:
    """The hardware description of ``network`` at ``precision`` on ``target``.

    Batch normalisation folds into the layers with weights and dropout vanishes at inference, so
    only the shapes, formats and sparsity reach the hardware. Per-layer precisions count the
    layers with weights, body first; a pool keeps the format of the layer before it.

    Args:
        network: the network.
        n_inputs: features of a flat input, or ``(tokens, features)`` of a network with a body.
        n_classes: outputs of the head.
        precision: the formats and sparsities.
        target: the implementation target.

    Returns:
        The validated architecture (a chain that does not fit names its layer).
    """
    shape = (n_inputs,) if isinstance(n_inputs, int) else tuple(n_inputs)
    if len(shape) != (2 if network.body else 1):
        raise ValueError(
            f"the network {network.describe()} reads {'(tokens, features)' if network.body else 'a flat input'}, "
            f"got input shape {shape}"
        )
    n_layers = network.n_weighted_layers
    formats = iter(precision.layer(index, n_layers) for index in range(n_layers))
    layers: list[Any] = []
    previous = None
    for body_layer in network.body:
        spec = _body_layer_spec(body_layer, next(formats) if body_layer.has_weights else None, previous, precision)
        layers.append(spec)
        if quantizes(spec):
            previous = spec
    widths = (*network.hidden_units, n_classes)
    for index, units in enumerate(widths):
        activation = "linear" if index == len(widths) - 1 else "relu"
        layers.append(DenseLayerSpec(**_weighted_layer_fields(units, activation, next(formats), precision)))
    return Architecture(
        n_inputs=shape[-1],
        tokens=shape[0] if len(shape) == 2 else None,
        input_bits=precision.input_bits,
        input_integer_bits=precision.input_integer_bits,
        layers=tuple(layers),
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
