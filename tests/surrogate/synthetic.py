"""Ground-truth rows with a known, smooth cost, standing in for da4ml in unit tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from snac_pack.hardware.architecture import Architecture


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
