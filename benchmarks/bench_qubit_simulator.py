"""Benchmark of the qubit dispersive-readout simulator: throughput and peak memory.

Run from the repository root:

    python benchmarks/bench_qubit_simulator.py

Writes docs/benchmarks/qubit_simulator.md. Timings are reported, never asserted.
"""

import os

# One core: pin the BLAS/OpenMP pools before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import datetime  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from snac_pack.data.qubit import QubitReadoutSettings, simulate_readout  # noqa: E402
from _report import cpu_model, write_report  # noqa: E402

logger = logging.getLogger(__name__)

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "qubit_simulator.md"
THROUGHPUT_SHOTS = 20_000
THROUGHPUT_REPEATS = 5
MEMORY_SHOTS = 100_000
TARGET_TRACES_PER_S = 20_000
TARGET_PEAK_BYTES = 1 << 30




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
    """Measure and write the markdown report."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("snac_pack").setLevel(logging.WARNING)
    settings = QubitReadoutSettings()
    rate = _throughput(settings)
    peak, max_rss, elapsed = _peak_memory(settings)
    output_mb = MEMORY_SHOTS * settings.n_samples * 2 * 4 / 2**20

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = [
        "# Qubit readout simulator benchmark",
        "",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Machine: {cpu_model()}, {os.cpu_count()} logical cores visible; "
        "run on one core (OMP/OPENBLAS/MKL threads = 1)",
        f"- Python {platform.python_version()}, numpy {np.__version__}",
        "- Command: `python benchmarks/bench_qubit_simulator.py` (from the repository root)",
        f"- Settings: defaults ({settings.n_samples} I/Q samples over {settings.readout_ns:g} ns, "
        f"κ/2π = {settings.kappa_mhz:g} MHz, χ/2π = {settings.chi_mhz:g} MHz, "
        f"T1 = {settings.t1_us:g} µs, SNR = {settings.snr:g})",
        "",
        "| Measure | Measured | Target | |",
        "|---|---|---|---|",
        f"| Throughput, traces/s (best of {THROUGHPUT_REPEATS} × {THROUGHPUT_SHOTS:,} shots) "
        f"| {rate:,.0f} | ≥ {TARGET_TRACES_PER_S:,} | {verdict(rate >= TARGET_TRACES_PER_S)} |",
        f"| Wall time, {MEMORY_SHOTS:,} traces (under tracemalloc) | {elapsed:.2f} s | | |",
        f"| tracemalloc peak, {MEMORY_SHOTS:,} traces | {peak / 2**20:,.0f} MiB "
        f"(output array alone: {output_mb:,.0f} MiB) | < 1024 MiB "
        f"| {verdict(peak < TARGET_PEAK_BYTES)} |",
        f"| Process max RSS (whole run, incl. interpreter and numpy) | {max_rss / 2**20:,.0f} MiB "
        f"| < 1024 MiB | {verdict(max_rss < TARGET_PEAK_BYTES)} |",
        "",
    ]
    write_report(OUTPUT, lines)


if __name__ == "__main__":
    main()
