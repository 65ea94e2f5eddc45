"""Benchmark of the qubit dispersive-readout simulator: throughput and peak memory.

Run from the repository root:

    python benchmarks/bench_qubit_simulator.py

Writes docs/benchmarks/qubit_simulator.md. Timings are reported, never asserted.
"""

import os

# One core: pin the BLAS/OpenMP pools before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import logging  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

from snac_pack.config import simulator_settings  # noqa: E402
from snac_pack.data.qubit import QubitReadoutSettings, simulate_readout  # noqa: E402
from _report import Run, conf_values, write_page  # noqa: E402

logger = logging.getLogger(__name__)

THROUGHPUT_SHOTS = 20_000
THROUGHPUT_REPEATS = 5
MEMORY_SHOTS = 100_000
TARGET_TRACES_PER_S = 20_000
TARGET_PEAK_BYTES = 1 << 30
PHYSICS_KEY = "data_processing.simulation.physics"


def _throughput(settings: QubitReadoutSettings) -> float:
    """Best-of-N traces per second for blocks of THROUGHPUT_SHOTS shots."""
    simulate_readout(settings, 1000, seed=0)  # warm-up: imports, allocator
    best = np.inf
    for repeat in range(THROUGHPUT_REPEATS):
        start = time.perf_counter()
        simulate_readout(settings, THROUGHPUT_SHOTS, seed=repeat)
        best = min(best, time.perf_counter() - start)
    return THROUGHPUT_SHOTS / best


def _peak_memory(settings: QubitReadoutSettings) -> tuple[int, int, float]:
    """tracemalloc peak (bytes), process max RSS (bytes) and wall time for MEMORY_SHOTS shots."""
    tracemalloc.start()
    start = time.perf_counter()
    readout = simulate_readout(settings, MEMORY_SHOTS, seed=123)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del readout
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    return peak, max_rss, elapsed


def main() -> None:
    """Measure the simulator at the qubit environment's physics settings and write the page."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("snac_pack").setLevel(logging.WARNING)
    physics = conf_values("qubit", (PHYSICS_KEY,))[PHYSICS_KEY]
    run = Run("bench_qubit_simulator.py", "python benchmarks/bench_qubit_simulator.py", "qubit", {PHYSICS_KEY: physics})
    settings: QubitReadoutSettings = simulator_settings("qubit", physics)
    rate = _throughput(settings)
    peak, max_rss, elapsed = _peak_memory(settings)
    output_mib = MEMORY_SHOTS * settings.n_samples * 2 * 4 / 2**20
    target_mib = TARGET_PEAK_BYTES / 2**20

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    met = {"throughput": rate >= TARGET_TRACES_PER_S, "peak": peak < TARGET_PEAK_BYTES, "rss": max_rss < TARGET_PEAK_BYTES}
    lines = [
        f"- numpy {np.__version__}; one core (OMP/OPENBLAS/MKL threads = 1); settings: {settings.n_samples} I/Q samples over "
        f"{settings.readout_ns:g} ns, κ/2π = {settings.kappa_mhz:g} MHz, χ/2π = {settings.chi_mhz:g} MHz, "
        f"T1 = {settings.t1_us:g} µs, SNR = {settings.snr:g}",
        "",
        "| Measure | Measured | Target | |",
        "|---|---|---|---|",
        f"| Throughput, traces/s (best of {THROUGHPUT_REPEATS} × {THROUGHPUT_SHOTS:,} shots) "
        f"| {rate:,.0f} | ≥ {TARGET_TRACES_PER_S:,} | {verdict(met['throughput'])} |",
        f"| Wall time, {MEMORY_SHOTS:,} traces (under tracemalloc) | {elapsed:.2f} s | | |",
        f"| tracemalloc peak, {MEMORY_SHOTS:,} traces | {peak / 2**20:,.0f} MiB "
        f"(output array alone: {output_mib:,.0f} MiB) | < {target_mib:,.0f} MiB | {verdict(met['peak'])} |",
        f"| Process max RSS (whole run, incl. interpreter and numpy) | {max_rss / 2**20:,.0f} MiB "
        f"| < {target_mib:,.0f} MiB | {verdict(met['rss'])} |",
    ]
    write_page(
        "qubit_simulator",
        run,
        "Qubit readout simulator benchmark",
        lines,
        headline=f"{rate:,.0f} traces/s; {peak / 2**20:,.0f} MiB tracemalloc peak and {max_rss / 2**20:,.0f} MiB max RSS for {MEMORY_SHOTS:,} traces",
        target=f"≥ {TARGET_TRACES_PER_S:,} traces/s; < {target_mib:,.0f} MiB",
        verdict="met" if all(met.values()) else "MISSED: " + ", ".join(k for k, ok in met.items() if not ok),
        figures={"traces_per_s": rate, "peak_mib": peak / 2**20},
    )


if __name__ == "__main__":
    main()
