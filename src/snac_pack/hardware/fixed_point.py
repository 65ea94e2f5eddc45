"""Fixed-point number formats and the numpy quantizer shared by models, hardware and firmware.

Conventions (those of QKeras ``quantized_bits`` / ``quantized_relu``):

- ``bits`` is the total width, sign bit included.
- ``integer_bits`` counts the integer bits *without* the sign bit, so a signed format has
  ``bits - integer_bits - 1`` fractional bits and an unsigned one ``bits - integer_bits``.
  In hls4ml's notation a signed format is ``ap_fixed<bits, integer_bits + 1>`` and an unsigned
  one ``ap_ufixed<bits, integer_bits>``; in da4ml's (k, i, f) it is (signed, integer_bits, f).
- Quantization rounds to the nearest step with ties to even, as QKeras's ``tf.round`` does
  (hls4ml ``AP_RND_CONV``; da4ml has no such mode, see ``snac_pack.hardware.exact``), and
  saturates at the ends of the range (``AP_SAT``, da4ml ``SAT``).

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class FixedFormat:
    """A two's-complement (signed) or unsigned fixed-point format.

    Attributes:
        bits: Total width in bits, sign bit included.
        integer_bits: Integer bits excluding the sign bit (QKeras convention).
        signed: Whether negative values are representable.
    """

    bits: int
    integer_bits: int
    signed: bool

    def __post_init__(self) -> None:
        if self.fractional_bits < 0:
            raise ValueError(
                f"integer_bits={self.integer_bits} leaves no room in bits={self.bits} "
                f"({'signed' if self.signed else 'unsigned'}): fractional bits would be {self.fractional_bits}"
            )

    @property
    def fractional_bits(self) -> int:
        """Bits right of the binary point."""
        return self.bits - self.integer_bits - int(self.signed)

    @property
    def step(self) -> float:
        """Value of one least significant bit."""
        return 2.0 ** -self.fractional_bits

    @property
    def min_value(self) -> float:
        """Smallest representable value."""
        return -(2.0**self.integer_bits) if self.signed else 0.0

    @property
    def max_value(self) -> float:
        """Largest representable value."""
        return 2.0**self.integer_bits - self.step

    @property
    def kif(self) -> tuple[int, int, int]:
        """da4ml's (keep_negative, integer, fractional) description of the format."""
        return int(self.signed), self.integer_bits, self.fractional_bits

    def hls_type(self) -> str:
        """The hls4ml/Vivado type string, e.g. ``ap_fixed<8,3,AP_RND_CONV,AP_SAT>``."""
        if self.signed:
            return f"ap_fixed<{self.bits},{self.integer_bits + 1},AP_RND_CONV,AP_SAT>"
        return f"ap_ufixed<{self.bits},{self.integer_bits},AP_RND_CONV,AP_SAT>"

    def __str__(self) -> str:
        kind = "fixed" if self.signed else "ufixed"
        return f"{kind}<{self.bits},{self.integer_bits}>"


def quantize_to_format(values: ArrayLike, fmt: FixedFormat) -> NDArray[np.float64]:
    """Round values to the nearest step of a format (ties to even, as QKeras) and saturate to its range.

    Args:
        values: Real values.
        fmt: The target format.

    Returns:
        float64 array of representable values of ``fmt``, same shape as ``values``.
    """
    scale = 2.0**fmt.fractional_bits
    # Power-of-two scaling is exact in float64, so rint(x·2^f) (half to even) is the exact rounding.
    rounded = np.rint(np.asarray(values, dtype=np.float64) * scale) / scale
    return np.clip(rounded, fmt.min_value, fmt.max_value)


def is_representable(values: ArrayLike, fmt: FixedFormat) -> bool:
    """Whether every value lies on the format's grid and inside its range.

    Args:
        values: Values to check.
        fmt: The format.

    Returns:
        True when quantizing would leave every value unchanged.
    """
    array = np.asarray(values, dtype=np.float64)
    return bool(np.all(quantize_to_format(array, fmt) == array))


def signed_digit_parts(integers: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Split integers into the sums of their positive and of their negative canonical signed digits.

    The canonical signed-digit (non-adjacent) form is the one da4ml decomposes constants into:
    ``n = positive − negative``, each a sum of distinct powers of two, e.g. 7 = 8 − 1 and
    −7 = 1 − 8. The form's nonzero digits are the set bits of the two parts.

    Args:
        integers: integers (any sign).

    Returns:
        ``(positive, negative)``, non-negative, with the inputs' shape.
    """
    values = np.asarray(integers, dtype=np.int64)
    magnitude = np.abs(values)
    half = magnitude >> 1
    three_halves = magnitude + half
    # The NAF of k has a nonzero digit where 3k/2 and k/2 differ (Prodinger's identity): +1 where
    # 3k/2 has the bit, −1 where k/2 has it.
    differs = three_halves ^ half
    plus, minus = three_halves & differs, half & differs
    return np.where(values >= 0, plus, minus), np.where(values >= 0, minus, plus)
