"""The architecture description: the common language of models, hardware, search, compression and firmware.

An :class:`Architecture` is an input of fixed-point features, flat (``n_inputs``) or a sequence
of ``tokens`` × ``n_inputs`` (jet constituents, readout samples), a chain of layers of a few
kinds, and the :class:`ImplementationTarget` it is built for. Every value is validated on
construction, shapes included (a chain that does not fit names the layer), and the objects are
immutable, so an architecture can key a cache (:meth:`Architecture.key`).

Layer kinds (the ``kind`` of each layer spec; shapes without the batch axis):

- ``dense``: ``(n,) -> (units,)``, ``x @ kernel + bias`` with kernel ``(n, units)``.
- ``pointwise``: ``(T, F) -> (T, units)``, one dense layer applied to every token (shared weights).
- ``conv1d``: ``(T, F) -> (P, units)``, a valid 1-D convolution with ``kernel_size`` and ``stride``,
  ``P = (T - kernel_size) // stride + 1``; kernel ``(kernel_size · F, units)``, window rows in order.
- ``token_mix``: ``(T, F) -> (units, F)``, one dense layer across tokens applied to every feature
  (MLP-Mixer's token mixing); kernel ``(T, units)``.
- ``pool``: ``(T, F) -> (F,)`` (global, ``size`` unset) or ``(T / size, F)``: the average over
  tokens; the pooled count must be a power of two, so the division is a shift.
- ``flatten``: ``(T, F) -> (T · F,)``, no arithmetic.

Fixed-point semantics (see :mod:`snac_pack.hardware.fixed_point`):

- The input is signed, ``input_bits`` wide with ``input_integer_bits`` integer bits.
- Weights and biases are signed, ``weight_bits`` wide with ``weight_integer_bits`` integer bits
  (QKeras ``quantized_bits(weight_bits, weight_integer_bits, alpha=1)``).
- A layer with weights computes its sums exactly (no accumulator rounding), a pool its average
  exactly, and both quantize the result to their activation format, rounding to nearest and
  saturating: unsigned for ``relu`` (QKeras ``quantized_relu(activation_bits,
  activation_integer_bits)``; the saturation at zero is the ReLU), signed for ``linear``
  (``quantized_bits``). ``flatten`` keeps its input's format. The last layer is the classifier
  head: a ``dense`` layer with ``linear`` output whose quantized output is the network's (logits).

The arithmetic of each kind is in :mod:`snac_pack.hardware.layers` (one place for the numpy
reference and da4ml's trace); every other stage keeps its own handler per kind.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    field_validator,
    model_serializer,
    model_validator,
)

from snac_pack.hardware.bops import architecture_bops
from snac_pack.hardware.fixed_point import FixedFormat

Activation = Literal["relu", "linear"]
Strategy = Literal["distributed_arithmetic", "latency", "resource"]
IOType = Literal["io_parallel", "io_stream"]

# Widest format the exact flow supports: accumulators stay far below the 52 bits float64
# represents exactly, and da4ml's int64 interpreter never overflows.
MAX_BITS = 16
# Depth the fixed-length feature vector is padded to.
MAX_FEATURE_LAYERS = 8

_FROZEN = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_activation_format(layer: Any) -> None:
    signed = layer.activation == "linear"
    if layer.activation_integer_bits > layer.activation_bits - int(signed):
        raise ValueError(
            f"activation_integer_bits={layer.activation_integer_bits} must be at most activation_bits"
            f"{' - 1' if signed else ''} = {layer.activation_bits - int(signed)} for a {layer.activation} layer"
        )


class _WeightedLayerSpec(BaseModel):
    """A quantized, optionally pruned layer with a kernel and a bias (see the kinds below).

    Attributes:
        units: Number of outputs (of each token for ``pointwise`` and ``conv1d``; output tokens
            for ``token_mix``).
        activation: ``relu`` (unsigned output) or ``linear`` (signed output).
        weight_bits: Width of weights and biases, sign included.
        weight_integer_bits: Integer bits of weights and biases, sign excluded.
        activation_bits: Width of the layer's output, sign included when signed.
        activation_integer_bits: Integer bits of the output, sign excluded.
        sparsity: Fraction of the kernel's weights pruned to zero, in [0, 1).
    """

    model_config = _FROZEN

    units: int = Field(ge=1, le=4096, description="number of outputs")
    activation: Activation = Field(default="relu", description="relu or linear (the head is linear)")
    weight_bits: int = Field(default=8, ge=2, le=MAX_BITS, description="weight width, sign included")
    weight_integer_bits: int = Field(default=0, ge=0, le=MAX_BITS - 1, description="weight integer bits, sign excluded")
    activation_bits: int = Field(default=8, ge=1, le=MAX_BITS, description="output width")
    activation_integer_bits: int = Field(default=3, ge=0, le=MAX_BITS, description="output integer bits, sign excluded")
    sparsity: float = Field(default=0.0, ge=0.0, lt=1.0, description="fraction of pruned weights")

    @model_validator(mode="after")
    def _formats_fit(self) -> _WeightedLayerSpec:
        if self.weight_integer_bits > self.weight_bits - 1:
            raise ValueError(
                f"weight_integer_bits={self.weight_integer_bits} must be at most weight_bits - 1 = "
                f"{self.weight_bits - 1} (weights are signed; the sign bit is not an integer bit)"
            )
        _check_activation_format(self)
        return self

    @property
    def weight_format(self) -> FixedFormat:
        """Format of the kernel and the bias."""
        return FixedFormat(self.weight_bits, self.weight_integer_bits, signed=True)

    @property
    def activation_format(self) -> FixedFormat:
        """Format of the layer's output."""
        return FixedFormat(self.activation_bits, self.activation_integer_bits, signed=self.activation == "linear")


class DenseLayerSpec(_WeightedLayerSpec):
    """A dense layer on a flat input: ``(n,) -> (units,)``."""

    kind: Literal["dense"] = "dense"

    @model_serializer(mode="wrap")
    def _without_kind(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Dense layers were the only kind once: their descriptions (and so every stored
        # architecture key) stay as they were; a layer without a kind reads as dense.
        described = handler(self)
        described.pop("kind", None)
        return described


class PointwiseLayerSpec(_WeightedLayerSpec):
    """One dense layer applied to every token, weights shared: ``(T, F) -> (T, units)``."""

    kind: Literal["pointwise"] = "pointwise"


class Conv1DLayerSpec(_WeightedLayerSpec):
    """A valid 1-D convolution over tokens: ``(T, F) -> ((T - kernel_size) // stride + 1, units)``."""

    kind: Literal["conv1d"] = "conv1d"
    kernel_size: int = Field(ge=1, le=256, description="tokens each output reads")
    stride: int = Field(default=1, ge=1, le=256, description="tokens between outputs")


class TokenMixLayerSpec(_WeightedLayerSpec):
    """One dense layer across tokens applied to every feature: ``(T, F) -> (units, F)``."""

    kind: Literal["token_mix"] = "token_mix"


class PoolLayerSpec(BaseModel):
    """The average over tokens, quantized to the layer's format: ``(T, F) -> (F,)`` or ``(T / size, F)``.

    Attributes:
        size: Tokens per average; unset: all of them (global pooling, the output is flat).
        activation: ``relu`` (unsigned output: a negative average saturates at zero) or ``linear``.
        activation_bits: Width of the output.
        activation_integer_bits: Integer bits of the output, sign excluded.
    """

    model_config = _FROZEN

    kind: Literal["pool"] = "pool"
    size: int | None = Field(default=None, ge=1, le=4096, description="tokens per average; unset: all")
    activation: Activation = Field(default="relu", description="relu (unsigned) or linear (signed) output")
    activation_bits: int = Field(default=8, ge=1, le=MAX_BITS, description="output width")
    activation_integer_bits: int = Field(default=3, ge=0, le=MAX_BITS, description="output integer bits, sign excluded")

    @model_validator(mode="after")
    def _format_fits(self) -> PoolLayerSpec:
        _check_activation_format(self)
        return self

    @property
    def activation_format(self) -> FixedFormat:
        """Format of the layer's output."""
        return FixedFormat(self.activation_bits, self.activation_integer_bits, signed=self.activation == "linear")


class FlattenLayerSpec(BaseModel):
    """Tokens laid side by side: ``(T, F) -> (T · F,)``; no arithmetic, the format is kept."""

    model_config = _FROZEN

    kind: Literal["flatten"] = "flatten"


def _kind_of(layer: Any) -> str:
    return layer.get("kind", "dense") if isinstance(layer, dict) else getattr(layer, "kind", "dense")


LayerSpec = Annotated[
    Union[
        Annotated[DenseLayerSpec, Tag("dense")],
        Annotated[PointwiseLayerSpec, Tag("pointwise")],
        Annotated[Conv1DLayerSpec, Tag("conv1d")],
        Annotated[TokenMixLayerSpec, Tag("token_mix")],
        Annotated[PoolLayerSpec, Tag("pool")],
        Annotated[FlattenLayerSpec, Tag("flatten")],
    ],
    Discriminator(_kind_of),
]
WeightedLayerSpec = DenseLayerSpec | PointwiseLayerSpec | Conv1DLayerSpec | TokenMixLayerSpec
#: Shape of a layer's input or output without the batch axis: ``(n,)`` or ``(tokens, features)``.
Shape = tuple[int] | tuple[int, int]


def has_weights(layer: Any) -> bool:
    """Whether a layer has a kernel and a bias (every kind but ``pool`` and ``flatten``)."""
    return layer.kind not in ("pool", "flatten")


def quantizes(layer: Any) -> bool:
    """Whether a layer's result is quantized to its activation format (every kind but ``flatten``)."""
    return layer.kind != "flatten"


def _is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


def output_shape(layer: Any, shape: Shape) -> Shape:
    """The shape a layer makes of its input's; raises ValueError (without the layer's position) if it cannot."""
    kind = layer.kind
    if kind == "dense":
        if len(shape) != 1:
            raise ValueError(f"dense needs a flat input, got {shape} (flatten or pool the tokens first)")
        return (layer.units,)
    if len(shape) != 2:
        raise ValueError(f"{kind} needs a sequence input (tokens, features), got the flat {shape}")
    tokens, features = shape
    if kind == "pointwise":
        return (tokens, layer.units)
    if kind == "conv1d":
        if layer.kernel_size > tokens:
            raise ValueError(f"kernel_size={layer.kernel_size} is longer than the {tokens} input tokens")
        return ((tokens - layer.kernel_size) // layer.stride + 1, layer.units)
    if kind == "token_mix":
        return (layer.units, features)
    if kind == "pool":
        size = tokens if layer.size is None else layer.size
        if tokens % size:
            raise ValueError(f"size={size} does not divide the {tokens} input tokens")
        if not _is_power_of_two(size):
            raise ValueError(f"averages {size} tokens; the count must be a power of two (the division is a shift)")
        return (features,) if layer.size is None else (tokens // size, features)
    if kind == "flatten":
        return (tokens * features,)
    raise ValueError(f"unknown layer kind {kind!r}")


class ImplementationTarget(BaseModel):
    """How and where a network is implemented.

    Attributes:
        strategy: hls4ml strategy: ``distributed_arithmetic`` (multiplier-free adder graphs by
            da4ml), ``latency`` (fully unrolled multipliers) or ``resource`` (multipliers reused
            ``reuse_factor`` times).
        reuse_factor: hls4ml reuse factor; distributed arithmetic requires 1.
        part: FPGA part number.
        clock_period_ns: Target clock period in ns.
        io_type: hls4ml I/O type.
    """

    model_config = _FROZEN

    strategy: Strategy = Field(default="distributed_arithmetic", description="hls4ml strategy")
    reuse_factor: int = Field(default=1, ge=1, description="hls4ml reuse factor")
    part: str = Field(default="xcvu13p-flga2577-2-e", pattern=r"^[a-z0-9][a-z0-9\-]*$", description="FPGA part")
    clock_period_ns: float = Field(default=5.0, gt=0, le=1000, description="clock period in ns")
    io_type: IOType = Field(default="io_parallel", description="hls4ml I/O type")

    @field_validator("part", mode="before")
    @classmethod
    def _lowercase_part(cls, part: object) -> object:
        # Part numbers are case-insensitive (vendors print xcu250-figd2104-2L-e and -2l-e alike).
        return part.strip().lower() if isinstance(part, str) else part

    @model_validator(mode="after")
    def _distributed_arithmetic_is_unrolled(self) -> ImplementationTarget:
        if self.strategy == "distributed_arithmetic" and self.reuse_factor != 1:
            raise ValueError(
                f"reuse_factor={self.reuse_factor} is not allowed with strategy=distributed_arithmetic "
                "(hls4ml implements distributed arithmetic fully unrolled: reuse_factor must be 1)"
            )
        return self


class Architecture(BaseModel):
    """A quantized network of layer kinds on a fixed-point input, and its implementation target.

    Attributes:
        n_inputs: Number of input features (of each token when ``tokens`` is set).
        tokens: Input tokens (constituents, time steps): the input is ``(tokens, n_inputs)``;
            unset: a flat input of ``n_inputs``.
        input_bits: Width of each (signed) input, sign included.
        input_integer_bits: Integer bits of the input, sign excluded.
        layers: The layers in order; the last is the dense, linear classifier head.
        target: Implementation target.
    """

    model_config = _FROZEN

    n_inputs: int = Field(ge=1, le=4096, description="number of input features (per token when tokens is set)")
    tokens: int | None = Field(default=None, ge=1, le=4096, description="input tokens; unset: a flat input")
    input_bits: int = Field(default=8, ge=2, le=MAX_BITS, description="input width, sign included")
    input_integer_bits: int = Field(default=3, ge=0, le=MAX_BITS - 1, description="input integer bits, sign excluded")
    layers: tuple[LayerSpec, ...] = Field(min_length=1, description="layers, the dense linear head last")
    target: ImplementationTarget = Field(default_factory=ImplementationTarget, description="implementation target")

    @model_validator(mode="after")
    def _consistent(self) -> Architecture:
        if self.input_integer_bits > self.input_bits - 1:
            raise ValueError(
                f"input_integer_bits={self.input_integer_bits} must be at most input_bits - 1 = "
                f"{self.input_bits - 1} (the input is signed)"
            )
        head, last = self.layers[-1], len(self.layers) - 1
        if head.kind != "dense":
            raise ValueError(f"layers[{last}].kind must be 'dense': the last layer is the classifier head, got {head.kind!r}")
        if head.activation != "linear":
            raise ValueError(
                f"layers[{last}].activation must be 'linear': the last layer is the classifier head, got {head.activation!r}"
            )
        shape: Shape = self.input_shape
        for index, layer in enumerate(self.layers):
            try:
                shape = output_shape(layer, shape)
            except ValueError as error:
                raise ValueError(f"layers[{index}] ({layer.kind}): {error}") from None
        return self

    @model_serializer(mode="wrap")
    def _without_unset_tokens(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Flat inputs were the only kind once: their descriptions and keys stay as they were.
        described = handler(self)
        if described.get("tokens") is None:
            described.pop("tokens", None)
        return described

    @classmethod
    def from_widths(
        cls,
        widths: Sequence[int],
        *,
        weight_bits: int = 8,
        weight_integer_bits: int = 0,
        activation_bits: int = 8,
        activation_integer_bits: int = 3,
        sparsity: float = 0.0,
        input_bits: int = 8,
        input_integer_bits: int = 3,
        target: ImplementationTarget | None = None,
    ) -> Architecture:
        """An architecture with the same precision and sparsity in every layer.

        Args:
            widths: ``[n_inputs, hidden_1, ..., n_outputs]``; hidden layers are ReLU, the last linear.
            weight_bits: Weight width of every layer.
            weight_integer_bits: Weight integer bits of every layer.
            activation_bits: Output width of every layer.
            activation_integer_bits: Output integer bits of every layer.
            sparsity: Pruned fraction of every layer.
            input_bits: Input width.
            input_integer_bits: Input integer bits.
            target: Implementation target (default: distributed arithmetic on the default part).

        Returns:
            The validated architecture.
        """
        if len(widths) < 2:
            raise ValueError(f"widths needs the input width and at least one layer, got {list(widths)}")
        layers = [
            DenseLayerSpec(
                units=units,
                activation="linear" if index == len(widths) - 2 else "relu",
                weight_bits=weight_bits,
                weight_integer_bits=weight_integer_bits,
                activation_bits=activation_bits,
                activation_integer_bits=activation_integer_bits,
                sparsity=sparsity,
            )
            for index, units in enumerate(widths[1:])
        ]
        return cls(
            n_inputs=widths[0],
            input_bits=input_bits,
            input_integer_bits=input_integer_bits,
            layers=tuple(layers),
            target=target or ImplementationTarget(),
        )

    @property
    def input_format(self) -> FixedFormat:
        """Format of the network's input."""
        return FixedFormat(self.input_bits, self.input_integer_bits, signed=True)

    @property
    def input_shape(self) -> Shape:
        """``(n_inputs,)`` or ``(tokens, n_inputs)``."""
        return (self.n_inputs,) if self.tokens is None else (self.tokens, self.n_inputs)

    @property
    def is_mlp(self) -> bool:
        """A flat input and dense layers only (the one family every stage handles)."""
        return self.tokens is None and all(layer.kind == "dense" for layer in self.layers)

    @property
    def family(self) -> str:
        """The family its layer kinds make: ``conv1d``, ``mixer`` (token mixing), ``deepsets`` (per-token layers) or ``mlp``."""
        kinds = {layer.kind for layer in self.layers}
        for kind, family in (("conv1d", "conv1d"), ("token_mix", "mixer"), ("pointwise", "deepsets")):
            if kind in kinds:
                return family
        return "mlp"

    def require_mlp(self, stage: str) -> None:
        """Refuse, naming the stage, an architecture that is not a chain of dense layers on a flat input.

        Args:
            stage: what needs the dense chain (e.g. ``"the surrogate's features"``).
        """
        if not self.is_mlp:
            kinds = sorted({layer.kind for layer in self.layers} - {"dense"})
            raise NotImplementedError(
                f"{stage} handles dense layers on a flat input only; {self.describe()} has "
                f"{'tokens' if self.tokens is not None and not kinds else 'layer kinds ' + ', '.join(kinds)}"
            )

    def layer_io_shapes(self) -> list[tuple[Shape, Shape]]:
        """Input and output shape of every layer, in order (no batch axis).

        Returns:
            One ``(input_shape, output_shape)`` per layer.
        """
        shapes = []
        shape: Shape = self.input_shape
        for layer in self.layers:
            out = output_shape(layer, shape)
            shapes.append((shape, out))
            shape = out
        return shapes

    def layer_input_formats(self) -> list[FixedFormat]:
        """The format each layer reads: the input's, then the output of the last layer that quantizes."""
        formats, current = [], self.input_format
        for layer in self.layers:
            formats.append(current)
            if quantizes(layer):
                current = layer.activation_format
        return formats

    def weighted_layers(self) -> list[WeightedLayerSpec]:
        """The layers with a kernel and a bias, in order (every layer of an MLP)."""
        return [layer for layer in self.layers if has_weights(layer)]

    @property
    def widths(self) -> tuple[int, ...]:
        """``(n_inputs, units_1, ..., n_outputs)`` of an MLP."""
        self.require_mlp("widths")
        return (self.n_inputs, *(layer.units for layer in self.layers))

    @property
    def n_outputs(self) -> int:
        """Number of outputs of the head."""
        return self.layers[-1].units

    @property
    def depth(self) -> int:
        """Number of layers."""
        return len(self.layers)

    def layer_shapes(self) -> list[tuple[int, int]]:
        """Kernel shape ``(fan_in, units)`` of each layer with weights.

        ``fan_in`` is what one output sums over: the flat input of ``dense``, a token's features
        for ``pointwise``, a window's ``kernel_size × features`` for ``conv1d``, the tokens for
        ``token_mix``.

        Returns:
            One ``(fan_in, units)`` per layer with weights, in order.
        """
        return [kernel_shape(layer, shape_in) for layer, (shape_in, _) in zip(self.layers, self.layer_io_shapes(), strict=True)
                if has_weights(layer)]

    def kernel_uses(self) -> list[int]:
        """How many times each layer with weights applies its kernel (tokens, positions or features).

        Returns:
            1 for ``dense``; the tokens for ``pointwise``, the output positions for ``conv1d``,
            the features for ``token_mix``; one per layer with weights, in order.
        """
        uses = []
        for layer, (shape_in, shape_out) in zip(self.layers, self.layer_io_shapes(), strict=True):
            if layer.kind == "dense":
                uses.append(1)
            elif layer.kind in ("pointwise", "conv1d"):
                uses.append(shape_out[0])
            elif layer.kind == "token_mix":
                uses.append(shape_in[1])
        return uses

    def n_params(self) -> int:
        """Number of weights and biases, pruned or not (shared weights counted once).

        Returns:
            Σ (fan_in · units + units) over the layers with weights.
        """
        return sum(fan_in * units + units for fan_in, units in self.layer_shapes())

    def n_unpruned_weights(self) -> float:
        """Expected number of kernel weights left after pruning (biases excluded, shared weights once).

        Returns:
            Σ (1 − sparsity) · fan_in · units.
        """
        return sum(
            (1.0 - layer.sparsity) * fan_in * units
            for (fan_in, units), layer in zip(self.layer_shapes(), self.weighted_layers(), strict=True)
        )

    def n_built_weights(self) -> float:
        """Expected number of unpruned kernel weights da4ml builds adders for: a shared kernel's at every application.

        Returns:
            Σ (1 − sparsity) · fan_in · units · applications (:meth:`kernel_uses`); for an MLP,
            :meth:`n_unpruned_weights`. da4ml's time and memory grow with it.
        """
        return sum(
            uses * (1.0 - layer.sparsity) * fan_in * units
            for uses, (fan_in, units), layer in zip(self.kernel_uses(), self.layer_shapes(), self.weighted_layers(), strict=True)
        )

    def bops(self) -> float:
        """Bit operations of the network (see :mod:`snac_pack.hardware.bops`).

        Returns:
            Total BOPs.
        """
        return architecture_bops(self)

    def key(self) -> str:
        """A stable identifier of the architecture and its target, for caching.

        Returns:
            16 hexadecimal characters of the SHA-256 of the canonical JSON description.
        """
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def describe(self) -> str:
        """A short human-readable summary, e.g. ``16-64-32-5 w6/a6 s0.50 @ distributed_arithmetic``.

        Layers other than dense are named by kind, e.g. ``8x3-pw32-pool-5``.

        Returns:
            Shapes, the weight/activation bits (ranges if they vary), mean sparsity and strategy.
        """

        def span(values: list[int]) -> str:
            low, high = min(values), max(values)
            return str(low) if low == high else f"{low}..{high}"

        weighted = self.weighted_layers()
        weight = span([layer.weight_bits for layer in weighted])
        act = span([layer.activation_bits for layer in self.layers if quantizes(layer)])
        sparsity = sum(layer.sparsity for layer in weighted) / len(weighted)
        if self.is_mlp:
            shape = "-".join(map(str, self.widths))
        else:
            shape = "-".join(["x".join(map(str, self.input_shape)), *map(describe_layer, self.layers)])
        return f"{shape} w{weight}/a{act} s{sparsity:.2f} @ {self.target.strategy}"

    def to_features(self, max_layers: int = MAX_FEATURE_LAYERS) -> dict[str, float]:
        """A fixed-length numeric description, e.g. as input of a cost surrogate.

        Per-layer entries are padded with zeros up to ``max_layers``; the keys and their order
        depend only on ``max_layers`` (see :func:`feature_names`).

        Args:
            max_layers: Depth to pad to.

        Returns:
            Ordered mapping feature name → value.
        """
        self.require_mlp("to_features")
        if self.depth > max_layers:
            raise ValueError(f"layers has {self.depth} entries, more than max_layers={max_layers}")
        features: dict[str, float] = {
            "n_inputs": float(self.n_inputs),
            "input_bits": float(self.input_bits),
            "input_integer_bits": float(self.input_integer_bits),
            "depth": float(self.depth),
            "n_outputs": float(self.n_outputs),
            "n_params": float(self.n_params()),
            "n_unpruned_weights": self.n_unpruned_weights(),
            "bops": self.bops(),
        }
        for index in range(max_layers):
            layer = self.layers[index] if index < self.depth else None
            features.update(
                {
                    f"layer{index}_units": float(layer.units) if layer else 0.0,
                    f"layer{index}_weight_bits": float(layer.weight_bits) if layer else 0.0,
                    f"layer{index}_weight_integer_bits": float(layer.weight_integer_bits) if layer else 0.0,
                    f"layer{index}_activation_bits": float(layer.activation_bits) if layer else 0.0,
                    f"layer{index}_activation_integer_bits": float(layer.activation_integer_bits) if layer else 0.0,
                    f"layer{index}_sparsity": layer.sparsity if layer else 0.0,
                    f"layer{index}_relu": float(layer.activation == "relu") if layer else 0.0,
                }
            )
        features["target_reuse_factor"] = float(self.target.reuse_factor)
        features["target_clock_period_ns"] = self.target.clock_period_ns
        for strategy in Strategy.__args__:
            features[f"target_strategy_is_{strategy}"] = float(self.target.strategy == strategy)
        return features


def kernel_shape(layer: Any, shape_in: Shape) -> tuple[int, int]:
    """``(fan_in, units)`` of a layer with weights reading ``shape_in`` (see :meth:`Architecture.layer_shapes`)."""
    if layer.kind == "dense":
        return (shape_in[0], layer.units)
    if layer.kind == "pointwise":
        return (shape_in[1], layer.units)
    if layer.kind == "conv1d":
        return (layer.kernel_size * shape_in[1], layer.units)
    if layer.kind == "token_mix":
        return (shape_in[0], layer.units)
    raise ValueError(f"a {layer.kind} layer has no kernel")


def describe_layer(layer: Any) -> str:
    """A layer's short name in descriptions: ``pw32``, ``conv16k3s2``, ``mix8``, ``pool``, ``flat``, or a dense layer's units."""
    if layer.kind == "dense":
        return str(layer.units)
    if layer.kind == "pointwise":
        return f"pw{layer.units}"
    if layer.kind == "conv1d":
        return f"conv{layer.units}k{layer.kernel_size}" + (f"s{layer.stride}" if layer.stride > 1 else "")
    if layer.kind == "token_mix":
        return f"mix{layer.units}"
    if layer.kind == "pool":
        return "pool" if layer.size is None else f"pool{layer.size}"
    return "flat"


def feature_names(max_layers: int = MAX_FEATURE_LAYERS) -> list[str]:
    """Names of :meth:`Architecture.to_features`, in order.

    Args:
        max_layers: Depth the features are padded to.

    Returns:
        The feature names.
    """
    probe = Architecture.from_widths([1, 1])
    return list(probe.to_features(max_layers))
