"""Benchmark of the global search's worker processes: trials per hour with 1 and 2 workers.

Run from the repository root:

    python benchmarks/bench_search_workers.py [--trials 24] [--output docs/benchmarks/search_workers.md]

Each configuration runs a fresh study on a temporary SQLite file with a CPU-bound synthetic
objective (numpy matrix products sized by the suggested width and depth, about 0.3 s on one
core) standing in for training. Replace it by the real objective once models and hardware
estimators exist. Writes the markdown report. Timings are reported, never asserted.
"""

import os

# One core per worker: pin the BLAS/OpenMP pools before numpy is imported (workers inherit them).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import optuna  # noqa: E402

from snac_pack.search.study import StudySpec, open_study, trials_table  # noqa: E402
from snac_pack.search.workers import run_workers  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "search_workers.md"
WORKER_COUNTS = (1, 2)
PRODUCTS_PER_LAYER = 40


def synthetic_objective(trial: optuna.Trial) -> dict[str, float]:
    """CPU-bound stand-in for training: the work grows with width and depth, like a network's size."""
    width = trial.suggest_int("width", 64, 256, step=32)
    depth = trial.suggest_int("depth", 1, 4)
    rng = np.random.default_rng(trial.number)
    activations = rng.standard_normal((512, width))
    weights = rng.standard_normal((width, width)) / np.sqrt(width)
    for _ in range(depth * PRODUCTS_PER_LAYER):
        activations = np.tanh(activations @ weights)
    return {"loss": float(np.abs(activations).mean()), "cost": float(width * width * depth)}


def _cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or the platform's description."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _measure(n_workers: int, n_trials: int, directory: Path) -> dict[str, float]:
    """Run one fresh study; wall-clock and steady-state (first trial start to last end) rates."""
    url = f"sqlite:///{directory / f'workers_{n_workers}.db'}"
    spec = StudySpec(
        study_name=f"bench_{n_workers}_workers",
        directions={"loss": "minimize", "cost": "minimize"},
        n_trials=n_trials,
        sampler={"population_size": 8, "seed": 0},
    )
    summary = run_workers(url, spec, synthetic_objective, n_workers=n_workers, progress_interval_s=30)
    table = trials_table(open_study(url, spec.study_name))
    steady_s = (table["datetime_complete"].max() - table["datetime_start"].min()).total_seconds()
    return {
        "wall_s": summary.wall_time_s,
        "trials_per_h_wall": summary.complete / summary.wall_time_s * 3600,
        "trials_per_h_steady": summary.complete / steady_s * 3600,
        "mean_trial_s": float(table["duration_s"].mean()),
    }


def main() -> None:
    """Measure each worker count and write the markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24, help="COMPLETE trials per configuration")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="markdown report to write")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="bench-search-") as directory:
        results = {n: _measure(n, arguments.trials, Path(directory)) for n in WORKER_COUNTS}
    baseline = results[WORKER_COUNTS[0]]["trials_per_h_steady"]
    lines = [
        "# Global search workers benchmark",
        "",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Machine: {_cpu_model()}, {os.cpu_count()} logical cores visible (shared: other jobs may run)",
        f"- Python {platform.python_version()}, optuna {optuna.__version__}, numpy {np.__version__}",
        f"- Command: `python benchmarks/bench_search_workers.py --trials {arguments.trials}` (repository root)",
        "- Study: SQLite (WAL) in a temporary directory, NSGA-II population 8, 2 objectives, heartbeat 60 s",
        "- Objective: synthetic, CPU-bound numpy matrix products (one BLAS thread per worker), "
        "standing in for training until the real objective exists",
        "",
        "| Workers | Trials | Wall time | Trials/h (wall, incl. start-up) | Trials/h (steady) | Mean trial "
        "| Speed-up |",
        "|---|---|---|---|---|---|---|",
    ]
    for n_workers, result in results.items():
        lines.append(
            f"| {n_workers} | {arguments.trials} | {result['wall_s']:.1f} s | {result['trials_per_h_wall']:,.0f} "
            f"| {result['trials_per_h_steady']:,.0f} | {result['mean_trial_s']:.2f} s "
            f"| {result['trials_per_h_steady'] / baseline:.2f}× |"
        )
    lines.append("")
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text("\n".join(lines))
    logger.info("\n".join(lines))
    logger.info("Wrote %s", arguments.output)


if __name__ == "__main__":
    main()
