"""Designs shared by the hardware tests."""

from snac_pack.hardware import Architecture

#: A 4 → 3 → 2 network at 4 bits: da4ml and Yosys handle it in about a second.
TINY = Architecture.from_widths(
    [4, 3, 2],
    weight_bits=4,
    activation_bits=4,
    activation_integer_bits=2,
    input_bits=4,
    input_integer_bits=1,
)
