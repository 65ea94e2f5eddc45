"""Ground-truth rows with a known, smooth cost, standing in for da4ml (and a vendor tool) in unit tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.cost import HardwareCost
from snac_pack.hardware.ground_truth import DesignRequest, cost_row
from snac_pack.hardware.network import random_quantized_network
from snac_pack.hardware.surrogate_features import weight_statistics


def synthetic_rows(n: int, seed: int) -> tuple[pd.DataFrame, list[Architecture]]:
    """Architectures with a known, smooth 'cost' (adder bits), standing in for da4ml in unit tests."""
    rng = np.random.default_rng(seed)
    archs, rows = [], []
    for _ in range(n):
        widths = [16, *rng.choice([8, 16, 32], size=rng.integers(1, 4)), 5]
        arch = Architecture.from_widths(widths, weight_bits=int(rng.choice([4, 6, 8])), sparsity=float(rng.uniform(0, 0.8)))
        adder_bits = sum(
            fan_in * units * (1 - layer.sparsity) * layer.weight_bits
            for (fan_in, units), layer in zip(arch.layer_shapes(), arch.layers, strict=True)
        )
        archs.append(arch)
        rows.append({"source": "da4ml", "lut": 0.8 * adder_bits, "ff": 3.0 * sum(widths), "dsp": 0.0,
                     "bram_18k": 0.0, "latency_cycles": 2 * arch.depth, "initiation_interval": 1})
    return pd.DataFrame(rows), archs


def synthetic_statistics(archs: list[Architecture], seed: int) -> list[np.ndarray]:
    """Weight counts of a random draw of each architecture, for surrogates that must also predict from weights."""
    rng = np.random.default_rng(seed)
    return [weight_statistics(arch, random_quantized_network(arch, rng)) for arch in archs]


def _smooth_cost(arch: Architecture, draw: float, source: str = "da4ml", scale: float = 1.0) -> HardwareCost:
    """The smooth cost of :func:`synthetic_rows`, moved a few per cent by a weight draw."""
    adder_bits = sum(
        fan_in * units * (1 - layer.sparsity) * layer.weight_bits
        for (fan_in, units), layer in zip(arch.layer_shapes(), arch.layers, strict=True)
    )
    cycles = 2 * arch.depth
    return HardwareCost(
        source=source, stage="estimate" if source == "da4ml" else "synthesis", target=arch.target,
        lut=scale * 0.8 * adder_bits * (1 + 0.02 * draw), ff=scale * 3.0 * (arch.n_inputs + sum(arch.widths)) * (1 + 0.02 * draw),
        dsp=0.0, bram_18k=0.0, latency_cycles=cycles, latency_ns=cycles * arch.target.clock_period_ns, initiation_interval=1,
    )


def synthetic_ground_truth(n_archs: int, seed: int) -> tuple[pd.DataFrame, list[DesignRequest]]:
    """A ground-truth table written as the project writes it (``cost_row``), with a known smooth cost.

    Every architecture has two random weight draws (figures a few per cent apart); every third a
    trained ground-truth network, every fourth a compression point, every fifth a firmware row
    from Vivado (ten times the LUTs: another tool, never to be mixed into da4ml's target).

    Returns:
        The table and this run's plan (the random and trained requests).
    """
    rng = np.random.default_rng(seed)
    rows, planned = [], []
    for index in range(n_archs):
        widths = [16, *rng.choice([8, 16, 32], size=rng.integers(1, 4)), 5]
        arch = Architecture.from_widths(widths, weight_bits=int(rng.choice([4, 6, 8])), sparsity=float(rng.uniform(0, 0.8)))
        requests = [DesignRequest(arch, "random", 2 * index + draw) for draw in range(2)]
        if index % 3 == 0:
            requests.append(DesignRequest(arch, "trained", index))
        planned += requests
        if index % 4 == 0:
            requests.append(DesignRequest(arch, "trained", 2**40 + index, origin="compression"))
        rows += [cost_row(request, _smooth_cost(arch, rng.standard_normal()), 0.1) for request in requests]
        if index % 5 == 0:
            firmware = DesignRequest(arch, "trained", 2**41 + index, origin="firmware")
            rows.append(cost_row(firmware, _smooth_cost(arch, 0.0, source="vivado", scale=10.0), 60.0))
    return pd.DataFrame(rows), planned
