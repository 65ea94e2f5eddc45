"""The open flow for a firmware network: da4ml's exact cost and Verilog, synthesised with Yosys."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.exact import ExactDesign
from snac_pack.hardware.network import NetworkWeights
from snac_pack.hardware.yosys import synthesize

logger = logging.getLogger(__name__)


def open_flow(arch: Architecture, weights: NetworkWeights, directory: Path, yosys_timeout_s: float) -> dict[str, Any]:
    """Exact da4ml cost, Verilog written under ``directory`` and its Yosys synthesis.

    Returns:
        ``da4ml`` and ``yosys`` cost rows (:meth:`HardwareCost.to_row` plus ``details``), the
        Verilog directory and the time of each step.

    Raises:
        YosysError: Yosys is missing, fails or runs past ``yosys_timeout_s``.
    """
    started = time.perf_counter()
    design = ExactDesign.build(arch, weights)
    exact = design.cost()
    exact_seconds = time.perf_counter() - started
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
    }
