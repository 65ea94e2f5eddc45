"""The architecture description: the common language of models, hardware, search, compression and firmware.

An :class:`Architecture` is a stack of quantized dense layers on a fixed-point input, plus the
:class:`ImplementationTarget` it is built for. Every value is validated on construction and the
objects are immutable, so an architecture can key a cache (:meth:`Architecture.key`).

Fixed-point semantics (see :mod:`snac_pack.hardware.fixed_point`):

- The input is signed, ``input_bits`` wide with ``input_integer_bits`` integer bits.
- Weights and biases are signed, ``weight_bits`` wide with ``weight_integer_bits`` integer bits
  (QKeras ``quantized_bits(weight_bits, weight_integer_bits, alpha=1)``).
- A layer computes ``x @ kernel + bias`` exactly (no accumulator rounding) and quantizes the
  result to its activation format, rounding to nearest and saturating: unsigned for ``relu``
  (QKeras ``quantized_relu(activation_bits, activation_integer_bits)``; the saturation at zero
  is the ReLU), signed for ``linear`` (``quantized_bits``). The last layer is the classifier
  head and must be ``linear``; its quantized output is the network's output (logits).

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


class DenseLayerSpec(BaseModel):
    """One quantized, optionally pruned dense layer.

    Attributes:
        units: Number of outputs.
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
    def _formats_fit(self) -> DenseLayerSpec:
        if self.weight_integer_bits > self.weight_bits - 1:
            raise ValueError(
                f"weight_integer_bits={self.weight_integer_bits} must be at most weight_bits - 1 = "
                f"{self.weight_bits - 1} (weights are signed; the sign bit is not an integer bit)"
            )
        signed = self.activation == "linear"
        if self.activation_integer_bits > self.activation_bits - int(signed):
            raise ValueError(
                f"activation_integer_bits={self.activation_integer_bits} must be at most activation_bits"
                f"{' - 1' if signed else ''} = {self.activation_bits - int(signed)} for a {self.activation} layer"
            )
        return self

    @property
    def weight_format(self) -> FixedFormat:
        """Format of the kernel and the bias."""
        return FixedFormat(self.weight_bits, self.weight_integer_bits, signed=True)

    @property
    def activation_format(self) -> FixedFormat:
        """Format of the layer's output."""
        return FixedFormat(self.activation_bits, self.activation_integer_bits, signed=self.activation == "linear")


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
    """A quantized multilayer perceptron and its implementation target.

    Attributes:
        n_inputs: Number of input features.
        input_bits: Width of each (signed) input, sign included.
        input_integer_bits: Integer bits of the input, sign excluded.
        layers: The dense layers in order; the last is the linear classifier head.
        target: Implementation target.
    """

    model_config = _FROZEN

    n_inputs: int = Field(ge=1, le=4096, description="number of input features")
    input_bits: int = Field(default=8, ge=2, le=MAX_BITS, description="input width, sign included")
    input_integer_bits: int = Field(default=3, ge=0, le=MAX_BITS - 1, description="input integer bits, sign excluded")
    layers: tuple[DenseLayerSpec, ...] = Field(min_length=1, description="dense layers, head last")
    target: ImplementationTarget = Field(default_factory=ImplementationTarget, description="implementation target")

    @model_validator(mode="after")
    def _consistent(self) -> Architecture:
        if self.input_integer_bits > self.input_bits - 1:
            raise ValueError(
                f"input_integer_bits={self.input_integer_bits} must be at most input_bits - 1 = "
                f"{self.input_bits - 1} (the input is signed)"
            )
        if self.layers[-1].activation != "linear":
            raise ValueError(
                f"layers[{len(self.layers) - 1}].activation must be 'linear': the last layer is the "
                f"classifier head, got {self.layers[-1].activation!r}"
            )
        return self

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
    def widths(self) -> tuple[int, ...]:
        """``(n_inputs, units_1, ..., n_outputs)``."""
        return (self.n_inputs, *(layer.units for layer in self.layers))

    @property
    def n_outputs(self) -> int:
        """Number of outputs of the head."""
        return self.layers[-1].units

    @property
    def depth(self) -> int:
        """Number of dense layers."""
        return len(self.layers)

    def layer_shapes(self) -> list[tuple[int, int]]:
        """Kernel shape ``(fan_in, units)`` of each layer.

        Returns:
            One ``(fan_in, units)`` per layer, in order.
        """
        return list(zip(self.widths[:-1], self.widths[1:], strict=True))

    def n_params(self) -> int:
        """Number of weights and biases, pruned or not.

        Returns:
            Σ (fan_in · units + units).
        """
        return sum(fan_in * units + units for fan_in, units in self.layer_shapes())

    def n_unpruned_weights(self) -> float:
        """Expected number of kernel weights left after pruning (biases excluded).

        Returns:
            Σ (1 − sparsity) · fan_in · units.
        """
        return sum(
            (1.0 - layer.sparsity) * fan_in * units
            for (fan_in, units), layer in zip(self.layer_shapes(), self.layers, strict=True)
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

        Returns:
            Widths, the weight/activation bits (ranges if they vary), mean sparsity and strategy.
        """

        def span(values: list[int]) -> str:
            low, high = min(values), max(values)
            return str(low) if low == high else f"{low}..{high}"

        weight = span([layer.weight_bits for layer in self.layers])
        act = span([layer.activation_bits for layer in self.layers])
        sparsity = sum(layer.sparsity for layer in self.layers) / self.depth
        widths = "-".join(map(str, self.widths))
        return f"{widths} w{weight}/a{act} s{sparsity:.2f} @ {self.target.strategy}"

    def to_features(self, max_layers: int = MAX_FEATURE_LAYERS) -> dict[str, float]:
        """A fixed-length numeric description, e.g. as input of a cost surrogate.

        Per-layer entries are padded with zeros up to ``max_layers``; the keys and their order
        depend only on ``max_layers`` (see :func:`feature_names`).

        Args:
            max_layers: Depth to pad to.

        Returns:
            Ordered mapping feature name → value.
        """
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


def feature_names(max_layers: int = MAX_FEATURE_LAYERS) -> list[str]:
    """Names of :meth:`Architecture.to_features`, in order.

    Args:
        max_layers: Depth the features are padded to.

    Returns:
        The feature names.
    """
    probe = Architecture.from_widths([1, 1])
    return list(probe.to_features(max_layers))
