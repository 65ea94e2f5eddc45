"""The open flow for a firmware network: da4ml's exact cost and Verilog, synthesised with Yosys."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from snac_pack.firmware.verify import bit_exactness
from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.exact import ExactDesign
from snac_pack.hardware.network import NetworkWeights
from snac_pack.hardware.yosys import synthesize

logger = logging.getLogger(__name__)


def open_flow(
    arch: Architecture, weights: NetworkWeights, directory: Path, yosys_timeout_s: float, check: tuple[np.ndarray, np.ndarray] | None = None
) -> dict[str, Any]:
    """Exact da4ml cost, Verilog written under ``directory`` and its Yosys synthesis.

    Args:
        arch: the network's architecture.
        weights: its quantized weights.
        directory: where the Verilog project goes.
        yosys_timeout_s: Yosys' time limit.
        check: inputs and the QKeras model's outputs on them: the netlist's own outputs (da4ml's
            integer interpreter) are compared with them bit for bit.

    Returns:
        ``da4ml`` and ``yosys`` cost rows (:meth:`HardwareCost.to_row` plus ``details``), the
        Verilog directory, the time of each step and, with ``check``, ``netlist_agreement``
        (inputs compared, share bit-exact, largest difference).

    Raises:
        YosysError: Yosys is missing, fails or runs past ``yosys_timeout_s``.
    """
    started = time.perf_counter()
    design = ExactDesign.build(arch, weights)
    exact = design.cost()
    exact_seconds = time.perf_counter() - started
    agreement = None
    if check is not None:
        inputs, expected = check
        share, largest = bit_exactness(design.predict(inputs), expected)
        agreement = {"n_samples": len(inputs), "bit_exact_fraction": share, "max_abs_difference": largest}
        logger.info("da4ml netlist vs QKeras: %.2f %% bit-exact on %d test inputs", 100 * agreement["bit_exact_fraction"], len(inputs))
    project = design.write_verilog(directory)
    started = time.perf_counter()
    synthesised = synthesize(project, arch.target, timeout_s=yosys_timeout_s)
    yosys_seconds = time.perf_counter() - started
    logger.info("Open flow: da4ml %.0f LUT in %.1f s, Yosys %.0f LUT in %.0f s", exact.lut, exact_seconds, synthesised.lut, yosys_seconds)
    return {
        "da4ml": exact.to_row() | {"details": dict(exact.details)},
        "yosys": synthesised.to_row() | {"details": dict(synthesised.details)},
        "verilog_directory": str(project.directory),
        "seconds": {"da4ml": exact_seconds, "yosys": yosys_seconds},
        **({"netlist_agreement": agreement} if agreement is not None else {}),
    }
