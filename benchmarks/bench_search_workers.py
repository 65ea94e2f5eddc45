"""Benchmark of the global search on the default jet environment.

Measures, with the real trial objective (training on the jet model inputs, surrogate estimate),
trials per hour on this machine with 1 worker × 2 TensorFlow threads, 1 worker × 1 thread and
2 workers × 1 thread; the share of trial time spent in the hardware estimator; where one worker's
trial time goes; and the hypervolume of the default run's front against trial count. Needs the
jet model inputs and surrogate, i.e. `kedro run --env jet --pipeline data_processing` and
`--pipeline surrogate_training` first (and `--pipeline global_search` for the hypervolume).

    python benchmarks/bench_search_workers.py [--trials 24] [--repeats 2]

The comparison is fair by construction: every configuration runs the same trials (parameter sets
drawn once from the search space and enqueued in the same order, so trial numbers, and with them
the training seeds, match), each trained for exactly the configured epochs (early stopping is off
in this benchmark only, so that thread counts cannot change how long a trial trains). Before each
timed configuration the script waits for a quiet machine (1-minute load average below 0.8).

Writes docs/benchmarks/search_workers.md. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import logging
import os
import pickle
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
from snac_pack.config import trial_objective
from snac_pack.data.features import FeatureTable
from snac_pack.models.mlp import build_float_network, predict_classes, train_classifier
from snac_pack.search.objective import TrialObjective
from snac_pack.search.sampling import candidate_inputs
from snac_pack.search.space import random_trials, suggest_candidate, to_architecture
from snac_pack.search.study import StudySpec, create_or_join_study, open_storage, open_study, resolve_storage_url, trials_table
from snac_pack.search.workers import run_workers
from _report import Run, catalog_path, conf_values, project_parameters, search_keys, study_location, write_page

logger = logging.getLogger("bench_search_workers")

ROOT = Path(__file__).resolve().parents[1]
OTHER_MEASURED_KEYS = ("search_space", "data_processing.simulation", "data_processing.features", "data_processing.split")
END_OF_FIT = "end of fit (idle: tf.data stops its autotuning threads)"
TRAINING_PHASES = ("epochs 2+: training", "epochs 2+: validation")
#: (worker processes, TensorFlow threads per worker) on this 2-core machine.
CONFIGURATIONS = ((1, 2), (1, 1), (2, 1))
QUIET_LOAD = 0.8
QUIET_POLL_S = 30
QUIET_WAIT_LIMIT_S = 20 * 60
TRIALS_SEED = 2026
PROFILED_TRIALS = 10
TARGET_SPEEDUP = 1.6


def _npz(dataset: str) -> dict[str, np.ndarray]:
    with np.load(catalog_path("jet", dataset)) as archive:
        return {name: archive[name] for name in archive.files}


def hypervolume_2d(points: np.ndarray, reference: np.ndarray) -> float:
    """Area dominated by ``points`` (both objectives minimised) up to ``reference``."""
    inside = points[np.all(points < reference, axis=1)]
    if not len(inside):
        return 0.0
    inside = inside[np.argsort(inside[:, 0])]
    area, best_second = 0.0, reference[1]
    for first, second in inside:
        if second < best_second:
            area += (reference[0] - first) * (best_second - second)
            best_second = second
    return float(area)


@dataclasses.dataclass(frozen=True)
class _TimedObjective:
    """The trial objective, recording its wall and CPU time (all threads of the worker) per trial."""

    objective: TrialObjective

    def __call__(self, trial: optuna.Trial) -> dict[str, float]:
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return self.objective(trial)
        finally:
            trial.set_user_attr("objective_seconds", time.perf_counter() - started)
            trial.set_user_attr("objective_cpu_seconds", time.process_time() - started_cpu)


def _objective() -> tuple[TrialObjective, dict, dict]:
    """The default jet trial objective with early stopping off, its objectives and sampler settings."""
    params = project_parameters("jet")
    with catalog_path("jet", "surrogate").open("rb") as stream:
        surrogate = pickle.load(stream)
    search = params.global_search
    objective = trial_objective(
        params.task,
        params.search_space,
        params.hardware_target,
        search,
        surrogate,
        FeatureTable.from_arrays(_npz("model_input_train")),
        FeatureTable.from_arrays(_npz("model_input_val")),
        cores=os.cpu_count() or 1,
    )
    # Patience of the full epoch count: early stopping never ends a trial early, so every
    # configuration trains every trial for exactly the same number of epochs.
    training = objective.training.model_copy(update={"patience": objective.training.epochs})
    return dataclasses.replace(objective, training=training), dict(search.objectives), search.sampler.model_dump()


def fixed_trials(objective: TrialObjective, n_trials: int) -> list[dict]:
    """``n_trials`` parameter sets drawn once from the search space, the same for every configuration."""
    parameter_sets = []
    for trial in itertools.islice(random_trials(TRIALS_SEED), n_trials):
        suggest_candidate(objective.space, trial)
        parameter_sets.append(dict(trial.params))
    return parameter_sets


def wait_for_quiet_machine() -> tuple[float, bool]:
    """Wait until the 1-minute load average is below ``QUIET_LOAD`` (at most ``QUIET_WAIT_LIMIT_S``).

    Returns:
        The load average when the wait ended, and whether it was below the threshold.
    """
    deadline = time.monotonic() + QUIET_WAIT_LIMIT_S
    while (load := os.getloadavg()[0]) >= QUIET_LOAD and time.monotonic() < deadline:
        logger.info("Load average %.2f: waiting for a quiet machine (below %.1f)", load, QUIET_LOAD)
        time.sleep(QUIET_POLL_S)
    if load >= QUIET_LOAD:
        logger.warning("The machine never got quiet (load %.2f after %d min): measuring anyway", load, QUIET_WAIT_LIMIT_S // 60)
    return load, load < QUIET_LOAD


def measure(objective: TrialObjective, directions: dict, sampler: dict, parameter_sets: list[dict], workers: int,
            threads: int, run: str, directory: Path) -> dict:
    """Run the fixed trials with ``workers`` processes of ``threads`` TensorFlow threads; time them."""
    load_before, quiet = wait_for_quiet_machine()
    url = f"sqlite:///{directory / f'{run}.db'}"
    spec = StudySpec(study_name=run, directions=directions, n_trials=len(parameter_sets), sampler=sampler)
    study = create_or_join_study(open_storage(url), spec)
    for parameters in parameter_sets:
        study.enqueue_trial(parameters)
    timed = _TimedObjective(dataclasses.replace(objective, tensorflow_threads=threads))
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = pd.Timestamp.now()
    summary = run_workers(url, spec, timed, n_workers=workers, progress_interval_s=120)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    table = trials_table(open_study(url, spec.study_name))
    complete = table[table["state"] == "COMPLETE"].set_index("number").sort_index()
    if len(complete) != len(parameter_sets):
        raise RuntimeError(f"{run}: {len(complete)} of {len(parameter_sets)} trials completed; see its trials table")
    steady_s = (complete["datetime_complete"].max() - complete["datetime_start"].min()).total_seconds()
    gaps = [
        (trials["datetime_start"].iloc[1:].to_numpy() - trials["datetime_complete"].iloc[:-1].to_numpy()) / np.timedelta64(1, "s")
        for _, trials in complete.sort_values("datetime_start").groupby("worker")
    ]
    worker_cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    estimator = complete["attr_estimator_seconds"].sum()
    return {
        "run": run,
        "workers": workers,
        "threads": threads,
        "wall_s": summary.wall_time_s,
        "steady_s": steady_s,
        "per_hour_wall": len(complete) / summary.wall_time_s * 3600,
        "per_hour": len(complete) / steady_s * 3600,
        "trial_s": complete["duration_s"],
        "trial_cpu_s": complete["attr_objective_cpu_seconds"],
        "bookkeeping_s": float((complete["duration_s"] - complete["attr_objective_seconds"]).median()),
        "gap_s": float(np.median(np.concatenate(gaps))) if any(len(g) for g in gaps) else 0.0,
        "startup_s": float((complete.groupby("worker")["datetime_start"].min() - started).dt.total_seconds().max()),
        "worker_cpu_per_trial_s": worker_cpu_s / len(complete),
        "estimator_share": float(estimator / (estimator + complete["attr_train_seconds"].sum())),
        "estimator_ms": float(1000 * complete["attr_estimator_seconds"].median()),
        "load_before": load_before,
        "quiet": quiet,
        "load_after": os.getloadavg()[0],
    }


class _PhaseClock:
    """Wall and CPU time accumulated per named phase, lap by lap."""

    def __init__(self) -> None:
        self.totals: dict[str, np.ndarray] = {}
        self._last = np.array([time.perf_counter(), time.process_time()])

    def lap(self, phase: str) -> None:
        now = np.array([time.perf_counter(), time.process_time()])
        self.totals[phase] = self.totals.get(phase, 0.0) + now - self._last
        self._last = now


def profile_one_worker(objective: TrialObjective, parameter_sets: list[dict]) -> tuple[list[str], dict[str, np.ndarray], list[float]]:
    """Where a trial's time goes in one worker with one TensorFlow thread, phase by phase.

    Runs the objective's training path (split, no k-fold) on the first fixed trials in this
    process, with a callback that splits ``model.fit`` into its phases. The first trial of a
    process also pays TensorFlow's start-up; it is left out.

    Returns:
        The table's rows, then a line with the load average before and after; the mean (wall,
        CPU) seconds per phase; the end-of-fit wall time of each profiled trial.
    """
    load_before, quiet = wait_for_quiet_machine()
    import tf_keras

    from snac_pack.search.objective import _limit_tensorflow_threads

    _limit_tensorflow_threads(1)
    n_classes = len(objective.train.class_names)

    class FitPhases(tf_keras.callbacks.Callback):
        def __init__(self, clock: _PhaseClock) -> None:
            super().__init__()
            self.clock, self.epoch = clock, 0

        def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
            if self.epoch == 0 and batch == 0:
                self.clock.lap("compile, data set-up")

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            if self.epoch == 0 and batch == 0:
                self.clock.lap("first training step (tracing, graph optimisation)")

        def on_test_begin(self, logs: dict | None = None) -> None:
            self.clock.lap("rest of epoch 1 (retrace for the last, smaller batch)" if self.epoch == 0 else "epochs 2+: training")

        def on_test_end(self, logs: dict | None = None) -> None:
            self.clock.lap("epoch 1: validation (tracing)" if self.epoch == 0 else "epochs 2+: validation")
            self.epoch += 1

    profiled = []
    for number, parameters in enumerate(parameter_sets[: PROFILED_TRIALS + 1]):
        trial = optuna.trial.FixedTrial(parameters, number=number)
        clock = _PhaseClock()
        candidate = suggest_candidate(objective.space, trial)
        settings = objective.training.model_copy(update={"learning_rate": candidate.learning_rate, "seed": number})
        x_train, x_val = candidate_inputs(candidate, objective.train), candidate_inputs(candidate, objective.val)
        model = build_float_network(x_train.shape[1:], n_classes, candidate.network, seed=settings.seed)
        clock.lap("model build")
        train_classifier(model, (x_train, objective.train.y), (x_val, objective.val.y), settings, callbacks=[FitPhases(clock)])
        clock.lap(END_OF_FIT)
        predict_classes(model, x_val)
        clock.lap("predict (validation metric)")
        arch = to_architecture(candidate.network, x_train.shape[1], n_classes, objective.precision, objective.target)
        objective.surrogate.predict([arch])
        clock.lap("surrogate estimate")
        if number:
            profiled.append(clock.totals)
    phases = {name: np.mean([totals[name] for totals in profiled], axis=0) for name in profiled[0]}
    total = sum(phases.values())
    rows = ["| phase | wall per trial | CPU per trial | share of wall |", "|---|---|---|---|"]
    rows += [f"| {name} | {wall:.2f} s | {cpu:.2f} s | {100 * wall / total[0]:.0f} % |" for name, (wall, cpu) in phases.items()]
    rows.append(f"| total | {total[0]:.2f} s | {total[1]:.2f} s | 100 % |")
    stalls = [float(totals[END_OF_FIT][0]) for totals in profiled]
    rows += ["", f"End of fit per trial: {', '.join(f'{stall:.2f}' for stall in stalls)} s. Load average "
             f"{load_before:.2f}{'' if quiet else ' (never quiet)'} → {os.getloadavg()[0]:.2f}."]
    return rows, phases, stalls


def reading(results: list[dict], means: dict[tuple[int, int], float], phases: dict[str, np.ndarray], stalls: list[float],
            objective: TrialObjective) -> list[str]:
    """What the tables say, each statement computed from this run's figures."""
    best_single = max((c for c in CONFIGURATIONS if c[0] == 1), key=means.get)
    reference = pd.concat([r["trial_s"] for r in results if (r["workers"], r["threads"]) == best_single], axis=1).median(axis=1)
    ratio = float(np.median(pd.concat([r["trial_s"] / reference for r in results if (r["workers"], r["threads"]) == (2, 1)])))
    cpu = {c: float(np.median(pd.concat([r["trial_cpu_s"] for r in results if (r["workers"], r["threads"]) == c]))) for c in CONFIGURATIONS}
    total = sum(wall for wall, _ in phases.values())
    outside = 1 - sum(phases[name][0] for name in TRAINING_PHASES) / total
    two_threads = "helped" if means[(1, 2)] > means[(1, 1)] else "did not help"
    return [
        "Reading the figures:",
        "",
        f"- A trial in one of two workers took {ratio:.2f}× its time with {_label(*best_single)} (median; the ratio column): "
        f"the speed-up of two workers is {means[(2, 1)] / means[best_single]:.2f}× over that configuration.",
        f"- A second TensorFlow thread {two_threads} these networks (widths up to {max(objective.space.units)}, batch "
        f"{objective.training.batch_size}): 1 worker × 2 threads ran {means[(1, 2)]:.0f} trials/h and spent {cpu[(1, 2)]:.1f} s of CPU "
        f"per trial (median), 1 worker × 1 thread {means[(1, 1)]:.0f} trials/h and {cpu[(1, 1)]:.1f} s. The rule that gives each "
        "worker cores ÷ workers threads (`config.trial_objective`) decides this for `n_workers: 1`.",
        f"- {100 * outside:.0f} % of a profiled trial's wall time lies outside the steady epochs (the rows other than "
        f"{' and '.join(f'“{name}”' for name in TRAINING_PHASES)}): tracing each new model's functions, per-step overhead in short "
        f"epochs and the wait when `model.fit` returns, while tf.data stops its autotuning thread (“end of fit”: up to "
        f"{max(stalls):.2f} s per trial here, with {phases[END_OF_FIT][1]:.2f} s of CPU on average). All of it is inside "
        "`models.mlp.train_classifier`, not in the search's workers; with two workers the other worker can use the cores "
        "during such a wait.",
        "",
    ]


def default_run() -> pd.DataFrame | str:
    """COMPLETE trials of the default run's study in finishing order, or why there are none."""
    configured, name = study_location("jet")
    url = resolve_storage_url(configured, ROOT)
    try:
        table = trials_table(open_study(url, name))
    except Exception as error:  # the default run has not happened: say so in the report
        return f"no default study found at {url}: {error}"
    return table[table["state"] == "COMPLETE"].sort_values("datetime_complete")


def hypervolume_rows(complete: pd.DataFrame) -> list[str]:
    """Hypervolume of the front of the first 10, 20, … trials of the default run."""
    points = np.column_stack([1.0 - complete["accuracy"], np.log10(complete["lut"])])
    reference = np.array([1.0, points[:, 1].max() + 0.1])
    rows = ["| complete trials | hypervolume (1 − accuracy, log10 LUT) |", "|---|---|"]
    for count in sorted({*range(10, len(points) + 1, 10), len(points)}):
        rows.append(f"| {count} | {hypervolume_2d(points[:count], reference):.4f} |")
    rows.append("")
    rows.append(f"Reference point: (1 − accuracy, log10 LUT) = (1.0, {reference[1]:.2f}); both minimised.")
    return rows


def _label(workers: int, threads: int) -> str:
    return f"{workers} worker{'s' if workers > 1 else ''} × {threads} thread{'s' if threads > 1 else ''}"


def _quartiles(values: pd.Series) -> str:
    low, median, high = np.percentile(values, [25, 50, 75])
    return f"{median:.1f} s ({low:.1f}–{high:.1f})"


def throughput_rows(results: list[dict]) -> tuple[list[str], dict[tuple[int, int], float]]:
    """One row per timed run, and the mean steady trials/h of each configuration."""
    rows = [
        "| run | configuration | trials/h (steady) | trials/h (wall, with start-up) | wall time | trial time, median (IQR) "
        "| CPU per trial in the objective, median (IQR) | worker CPU per trial (all, with start-up) | load before → after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        quiet = "" if r["quiet"] else " (never quiet)"
        rows.append(
            f"| {r['run']} | {_label(r['workers'], r['threads'])} | {r['per_hour']:.0f} | {r['per_hour_wall']:.0f} | "
            f"{r['wall_s']:.0f} s | {_quartiles(r['trial_s'])} | {_quartiles(r['trial_cpu_s'])} | "
            f"{r['worker_cpu_per_trial_s']:.1f} s | {r['load_before']:.2f}{quiet} → {r['load_after']:.2f} |"
        )
    means = {
        configuration: float(np.mean([r["per_hour"] for r in results if (r["workers"], r["threads"]) == configuration]))
        for configuration in CONFIGURATIONS
    }
    return rows, means


def summary_rows(results: list[dict], means: dict[tuple[int, int], float]) -> list[str]:
    """Per configuration: mean and range of trials/h, speed-up over the best 1-worker configuration."""
    best_single = max((c for c in CONFIGURATIONS if c[0] == 1), key=means.get)
    rows = [
        "| configuration | trials/h, mean (range over runs) | speed-up over the best 1-worker configuration | "
        "same trial's time ÷ its time with the best 1-worker configuration, median (IQR) | estimator share of trial time |",
        "|---|---|---|---|---|",
    ]
    reference = pd.concat([r["trial_s"] for r in results if (r["workers"], r["threads"]) == best_single], axis=1).median(axis=1)
    for configuration in CONFIGURATIONS:
        own = [r for r in results if (r["workers"], r["threads"]) == configuration]
        rates = [r["per_hour"] for r in own]
        ratio = pd.concat([r["trial_s"] / reference for r in own])
        low, median, high = np.percentile(ratio, [25, 50, 75])
        share = np.mean([r["estimator_share"] for r in own])
        rows.append(
            f"| {_label(*configuration)} | {np.mean(rates):.0f} ({min(rates):.0f}–{max(rates):.0f}) | "
            f"{means[configuration] / means[best_single]:.2f}× | {median:.2f} ({low:.2f}–{high:.2f}) | {100 * share:.2f} % |"
        )
    speedup = means[(2, 1)] / means[best_single]
    rates = {c: [r["per_hour"] for r in results if (r["workers"], r["threads"]) == c] for c in (best_single, (2, 1))}
    low, high = min(rates[(2, 1)]) / max(rates[best_single]), max(rates[(2, 1)]) / min(rates[best_single])
    verdict = "met" if speedup >= TARGET_SPEEDUP else "MISSED"
    rows += [
        "",
        f"**Target (issue 5): 2 workers at least {TARGET_SPEEDUP}× one — {verdict}: {speedup:.2f}× over "
        f"{_label(*best_single)}, the faster 1-worker configuration (worst to best pairing of runs: {low:.2f}× to "
        f"{high:.2f}×).** Estimator target (under 1 % of trial time with "
        f"the surrogate): {'met' if all(r['estimator_share'] < 0.01 for r in results) else 'MISSED'} "
        f"(median {np.median([r['estimator_ms'] for r in results]):.0f} ms per trial).",
    ]
    return rows


def overhead_rows(results: list[dict]) -> list[str]:
    """Worker overheads outside the objective, per configuration (medians over its runs)."""
    rows = [
        "| configuration | worker start-up (spawn, imports, joining the study) | per trial: Optuna bookkeeping outside "
        "the objective | per trial: gap between a worker's trials |",
        "|---|---|---|---|",
    ]
    for configuration in CONFIGURATIONS:
        own = [r for r in results if (r["workers"], r["threads"]) == configuration]
        rows.append(
            f"| {_label(*configuration)} | {np.median([r['startup_s'] for r in own]):.1f} s | "
            f"{1000 * np.median([r['bookkeeping_s'] for r in own]):.0f} ms | {1000 * np.median([r['gap_s'] for r in own]):.0f} ms |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24, help="trials per timed run, the same in every configuration")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per configuration, interleaved")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    objective, directions, sampler = _objective()
    parameter_sets = fixed_trials(objective, arguments.trials)
    run = Run(
        "bench_search_workers.py",
        f"python benchmarks/bench_search_workers.py --trials {arguments.trials} --repeats {arguments.repeats}",
        "jet",
        conf_values("jet", (*search_keys("jet"), *OTHER_MEASURED_KEYS)),
    )
    profile, phases, stalls = profile_one_worker(objective, parameter_sets)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as directory:
        results = [
            measure(objective, directions, sampler, parameter_sets, workers, threads, f"{chr(ord('A') + index)}{repeat + 1}", Path(directory))
            for repeat in range(arguments.repeats)
            for index, (workers, threads) in enumerate(CONFIGURATIONS)
        ]
    runs, means = throughput_rows(results)
    default = default_run()
    default_epochs = f"{default['attr_epochs_trained'].mean():.1f}" if isinstance(default, pd.DataFrame) else "(unknown)"
    depths = [parameters["hidden_layers"] for parameters in parameter_sets]
    lines = [
        "- Needs the jet model inputs and surrogate (data_processing, surrogate_training) and, for the hypervolume, the default "
        "run's study (global_search)",
        f"- Objective: the real trial (training on {len(objective.train.y)} jets, batch {objective.training.batch_size}, "
        f"surrogate estimate); SQLite study; NSGA-II sampler as configured (population {sampler['population_size']})",
        f"- Work per run, identical in every configuration: the same {arguments.trials} trials (drawn once from the search "
        f"space with seed {TRIALS_SEED}: {min(depths)} to {max(depths)} hidden layers; enqueued in the same order, so trial "
        f"numbers and training seeds match), each trained for exactly {objective.training.epochs} epochs (early stopping "
        f"off in this benchmark only; with it, the default run trained {default_epochs} epochs on average)",
        f"- Quiet machine: before each run the script waits until the 1-minute load average is below {QUIET_LOAD} "
        f"(polled every {QUIET_POLL_S} s, for at most {QUIET_WAIT_LIMIT_S // 60} min); the load when the run started and "
        "ended is in the table. Runs of the three configurations are interleaved (A, B, C, A, B, C …).",
        "- Steady trials/h: trials ÷ (last trial's end − first trial's start), without process start-up; wall trials/h "
        "includes it. CPU per trial is the worker process's CPU time (all its threads) during the objective.",
        "",
        f"## Throughput: 1 and 2 workers on {os.cpu_count()} cores",
        "",
        *summary_rows(results, means),
        "",
        "Every timed run:",
        "",
        *runs,
        "",
        *reading(results, means, phases, stalls, objective),
        "## Where one worker's time goes",
        "",
        f"One worker, one TensorFlow thread, trials 2 to {PROFILED_TRIALS + 1} of the fixed set, timed phase by phase in "
        "this process (mean per trial; the first trial, which also starts TensorFlow, left out):",
        "",
        *profile,
        "",
        "Worker overheads outside the objective (medians), from the timed runs:",
        "",
        *overhead_rows(results),
        "",
        "## Hypervolume of the default run's front against trial count",
        "",
        *(hypervolume_rows(default) if isinstance(default, pd.DataFrame) else [f"({default})"]),
    ]
    best_single = max((c for c in CONFIGURATIONS if c[0] == 1), key=means.get)
    speedup = means[(2, 1)] / means[best_single]
    estimator_ok = all(r["estimator_share"] < 0.01 for r in results)
    share = max(r["estimator_share"] for r in results)
    write_page(
        "search_workers",
        run,
        "Global search benchmark (default jet environment)",
        lines,
        headline=f"2 workers {means[(2, 1)]:.0f} trials/h, {speedup:.2f}× the best single worker; estimator at most {100 * share:.2f} % of a trial",
        target=f"≥ {TARGET_SPEEDUP}×; estimator < 1 % of trial time",
        verdict="met" if speedup >= TARGET_SPEEDUP and estimator_ok else "MISSED",
    )


if __name__ == "__main__":
    main()
