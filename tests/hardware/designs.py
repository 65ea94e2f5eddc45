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


def cost_in_isolation_and_exit() -> None:
    """In a (spawned) child process, as a search worker does: cost TINY twice through the isolated coster, then return."""
    import numpy as np

    from snac_pack.hardware.exact import isolated_exact_cost
    from snac_pack.hardware.network import random_quantized_network

    for seed in (0, 1):
        isolated_exact_cost(TINY, random_quantized_network(TINY, np.random.default_rng(seed)))


def cost_in_isolation_then_die(pid_file: str) -> None:
    """In a spawned child: cost TINY in isolation, write the costing child's pid, then die without any cleanup."""
    import os

    import numpy as np

    from snac_pack.hardware import exact
    from snac_pack.hardware.network import random_quantized_network

    exact.isolated_exact_cost(TINY, random_quantized_network(TINY, np.random.default_rng(0)))
    (child,) = exact._ISOLATED._executor._processes  # noqa: SLF001  the test needs the pid
    with open(pid_file, "w") as stream:
        stream.write(str(child))
    os._exit(9)  # as SIGKILL would: no finalizers, no atexit
