"""Workers of the global search: OS processes that run trials of one shared study until it is done.

Every worker, on this machine or another, opens the same storage URL, joins the study by name,
and runs one trial at a time until the study has ``spec.n_trials`` COMPLETE trials in total:

- Before each trial it counts COMPLETE and RUNNING trials; when the running ones could finish
  the study it waits instead of starting more (a re-run of a finished study adds no trial).
- A trial that finds, once created, that the trials before it already fill the target is
  PRUNED at once with ``attr skip_reason``, so that two workers starting at the same instant
  cannot overshoot. The check reads COMPLETE and RUNNING trials in one query, so the target is
  exact on SQLite; on PostgreSQL, two trial creations committing in one round trip could, rarely,
  still let one extra trial through.
- Running trials send heartbeats; a trial whose worker was killed becomes FAIL after the grace
  period (``optuna.storages.fail_stale_trials``, run by the surviving workers) and another
  trial takes its place. It is not retried with the same parameters: a trial that kills its
  worker (out of memory) would kill the next one too. (Optuna never fails a trial whose worker
  died before its first heartbeat, milliseconds after creating it; ``timeout_s`` bounds the wait.)
- An exception in the objective makes the trial FAIL with ``attr fail_reason``, and invalid
  values (NaN, wrong names) too; the worker goes on, unless ``spec.max_failures_in_a_row``
  trials fail in a row (a broken objective): then it stops with an error.
- A worker process of :func:`run_workers` that dies (a signal, a crash) is replaced by a new one,
  up to ``max_restarts`` per call, so the study finishes with the configured number of workers.
  A worker that stopped because its trials kept failing is not replaced: a new one would fail
  the same way. Either way a study that ends short of its count says so
  (:func:`require_complete` raises with the reasons of the last failures).

Seeds: each worker seeds NSGA-II from the base seed, its index, its host name and its pid, so
that two machines started with the same configuration never sample the same trials. The price
is that a run is not reproducible from its seed alone; a parallel study never is anyway (the
order in which trials finish changes every generation), and the seed of each worker is logged
and reported.
"""

from __future__ import annotations

import hashlib
import logging
import math
import multiprocessing
import numbers
import os
import pickle
import signal
import socket
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

import numpy as np
import optuna
from optuna.exceptions import ExperimentalWarning
from optuna.storages import BaseStorage
from optuna.trial import TrialState

from snac_pack.search.study import (
    FAIL_REASON_ATTR,
    WORKER_ATTR,
    SamplerSettings,
    StudySpec,
    accepted_changes,
    create_or_join_study,
    has_heartbeat,
    open_storage,
    redact_url,
)

logger = logging.getLogger(__name__)

ObjectiveResult = Mapping[str, float] | Sequence[float] | float
Objective = Callable[[optuna.Trial], ObjectiveResult]

SKIP_REASON_ATTR = "skip_reason"
WAIT_POLL_S = 1.0
GAVE_UP_EXIT_CODE = 3
_FAIL_REASON_MAX_CHARS = 2000
_REASONS_SHOWN = 3


class WorkerGaveUp(RuntimeError):
    """A worker's last ``max_failures_in_a_row`` trials failed: the objective is broken, not the worker."""


class SearchIncompleteError(RuntimeError):
    """The study ended with fewer COMPLETE trials than its target; the message gives the last failures."""


@dataclass(frozen=True)
class WorkerReport:
    """What one worker process of :func:`run_workers` did."""

    index: int
    name: str
    seed: int
    exit_code: int | None
    complete: int
    failed: int
    replaces: str | None = None


@dataclass(frozen=True)
class SearchSummary:
    """The outcome of :func:`run_workers`; counts are of the whole study unless said otherwise."""

    study_name: str
    storage: str
    target: int
    complete_at_start: int
    complete: int
    failed: int
    wall_time_s: float
    workers: tuple[WorkerReport, ...]
    restarts: int = 0
    last_fail_reasons: tuple[str, ...] = ()
    accepted_changes: tuple[dict[str, str], ...] = ()

    @property
    def reached_target(self) -> bool:
        """Whether the study has its ``n_trials`` COMPLETE trials."""
        return self.complete >= self.target


def worker_name() -> str:
    """This process's name in trial records: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_seed(base_seed: int, worker_index: int, name: str) -> int:
    """A 32-bit sampler seed unique to a worker process (see the module docstring for the trade-off).

    Args:
        base_seed: the configured seed.
        worker_index: the worker's index on its machine.
        name: the worker's ``host:pid``.

    Returns:
        The seed.
    """
    digest = hashlib.sha256(f"{base_seed}/{worker_index}/{name}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


def make_sampler(settings: SamplerSettings, seed: int) -> optuna.samplers.BaseSampler:
    """The configured sampler with a worker's seed.

    Args:
        settings: the algorithm (NSGA-II or random) and NSGA-II's population size and
            mutation/crossover probabilities.
        seed: the worker's seed, from :func:`worker_seed`.

    Returns:
        The sampler.
    """
    if settings.algorithm == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.NSGAIISampler(
        population_size=settings.population_size,
        mutation_prob=settings.mutation_prob,
        crossover_prob=settings.crossover_prob,
        seed=seed,
    )


def run_worker(
    storage_url: str,
    spec: StudySpec,
    objective: Objective,
    worker_index: int = 0,
    base_seed: int | None = None,
    stop_at: float | None = None,
    parent_pid: int | None = None,
) -> int:
    """Run trials of the study in this process until it has ``spec.n_trials`` COMPLETE trials.

    Args:
        storage_url: the study's storage URL.
        spec: the study specification (the same on every worker).
        objective: ``objective(trial)`` suggests parameters and returns the objective values, as a
            mapping by objective name or a sequence in ``spec.directions`` order; it raises to fail.
        worker_index: this worker's index on its machine (part of its seed).
        base_seed: the seed every worker derives its own from; None: ``spec.sampler.seed``.
        stop_at: wall-clock time (``time.time()``) after which no new trial starts; None: no limit.
        parent_pid: the process that started this worker (:func:`run_workers`): once it is gone
            (its ``kedro run`` was killed), no new trial starts. None: run on its own.

    Returns:
        The number of trials this worker ran.
    """
    name = worker_name()
    seed = worker_seed(spec.sampler.seed if base_seed is None else base_seed, worker_index, name)
    storage = open_storage(storage_url, spec.heartbeat_interval_s, spec.grace_period_s)
    study = create_or_join_study(storage, spec, sampler=make_sampler(spec.sampler, seed))
    study_id = storage.get_study_id_from_name(spec.study_name)
    guarded = _GuardedObjective(objective, spec, storage, study_id, name)
    logger.info("Worker %d (%s, seed %d) joined study %r at %s", worker_index, name, seed, spec.study_name,
                redact_url(storage_url))
    trials_run = 0
    while True:
        if stop_at is not None and time.time() >= stop_at:
            logger.info("Worker %s stops: time limit reached after %d trials", name, trials_run)
            break
        if parent_pid is not None and os.getppid() != parent_pid:
            # An orphan (the run that started it was killed) would go on adding trials that no
            # one collects; its study resumes with the next run.
            logger.warning("Worker %s stops: the run that started it (pid %d) is gone, after %d trials", name, parent_pid, trials_run)
            break
        complete, running = _count_complete_and_running(study)
        if complete >= spec.n_trials:
            break
        if complete + running >= spec.n_trials:
            if not has_heartbeat(storage):
                logger.info("Worker %s stops: the %d running trials may finish the study, and without "
                            "heartbeats it cannot tell whether they are alive", name, running)
                break
            # A running trial may still fail, or belong to a killed worker: then this one replaces it.
            time.sleep(WAIT_POLL_S)
            _fail_lost_trials(study)
            continue
        try:
            study.optimize(guarded, n_trials=1, catch=(Exception,))
        except ValueError:
            # Optuna refuses to record a trial another worker already declared FAIL ("Cannot tell a
            # FAIL trial": this one's heartbeat came late, on an overloaded machine); anything else
            # is a real error.
            if not guarded.trial_was_declared_lost():
                raise
            logger.warning("Worker %s: trial %d was declared FAIL by another worker (no heartbeat within %d s) "
                           "while it ran here; its result is discarded. On a loaded machine raise grace_period_s.",
                           name, guarded.trial_number, spec.grace_period_s)
        trials_run += 1
        if guarded.failures_in_a_row >= spec.max_failures_in_a_row:
            raise WorkerGaveUp(
                f"Worker {name} stops: its last {guarded.failures_in_a_row} trials failed, the last with "
                f"{guarded.last_fail_reason!r}. Fix the objective (see attr fail_reason in the trials table)."
            )
    logger.info("Worker %s done: ran %d trials; the study has %d COMPLETE of %d", name, trials_run,
                _count_complete_and_running(study)[0], spec.n_trials)
    return trials_run


def run_workers(
    storage_url: str,
    spec: StudySpec,
    objective: Objective,
    n_workers: int | None = None,
    base_seed: int | None = None,
    timeout_s: float | None = None,
    progress_interval_s: float = 60.0,
    max_restarts: int = 0,
) -> SearchSummary:
    """Run the study with ``n_workers`` worker processes on this machine until it is done.

    Workers are started with multiprocessing's "spawn" context (safe with TensorFlow), so
    ``objective`` must be picklable (a module-level function, or an instance of a module-level
    class) and a calling script must guard its entry point with ``if __name__ == "__main__":``.
    Other machines may run the same call on the same storage URL at the same time. A worker
    that dies is reported and, while ``max_restarts`` allows and trials are left, replaced by a
    new process with the same index (a new pid, so a new seed); the others go on.

    Args:
        storage_url: the study's storage URL.
        spec: the study specification.
        objective: see :func:`run_worker`.
        n_workers: worker processes; None: one per CPU core available; never more than trials left.
        base_seed: the seed every worker derives its own from; None: ``spec.sampler.seed``.
        timeout_s: no new trial starts after this many seconds (running ones finish); None: no limit.
        progress_interval_s: seconds between progress lines in the log.
        max_restarts: dead workers replaced during this call, all indices together.

    Returns:
        The summary: the study's COMPLETE and FAIL counts, the wall time, each worker process's
        counts (replacements included, with the process they replace) and the last failures.
    """
    started_at = time.monotonic()
    _ensure_picklable(objective)
    # The tables and the study exist before any worker starts: concurrent first creators on one
    # fresh SQLite file would collide ('table ... already exists'). This process runs no trials,
    # so it needs no heartbeat.
    storage = open_storage(storage_url)
    study = create_or_join_study(storage, spec)
    complete_at_start = _count_complete_and_running(study)[0]
    remaining = spec.n_trials - complete_at_start
    base = spec.sampler.seed if base_seed is None else base_seed
    if remaining <= 0:
        logger.info("Study %r already has %d COMPLETE trials of %d; nothing to run", spec.study_name,
                    complete_at_start, spec.n_trials)
        return _summarize(study, storage_url, spec, complete_at_start, started_at, None, base)
    stop_at = None if timeout_s is None else time.time() + timeout_s
    context = multiprocessing.get_context("spawn")
    log_level = logging.getLogger("snac_pack").getEffectiveLevel()
    pool = _WorkerPool(
        lambda index: context.Process(
            target=_worker_process,
            args=(log_level, storage_url, spec, objective, index, base, stop_at, os.getpid()),
            name=f"search-worker-{index}",
        ),
        max_restarts,
    )
    try:
        for index in range(_worker_count(n_workers, remaining)):
            pool.start(index)
        logger.info("Study %r at %s: %d workers (pids %s) run %d more COMPLETE trials to reach %d",
                    spec.study_name, redact_url(storage_url), len(pool.processes),
                    ", ".join(str(process.pid) for process in pool.processes), remaining, spec.n_trials)
        _watch(pool, study, spec, complete_at_start, started_at, progress_interval_s)
    finally:
        _stop(pool.processes)
    summary = _summarize(study, storage_url, spec, complete_at_start, started_at, pool, base)
    _log_progress(study, spec, complete_at_start, started_at)
    return summary


def require_complete(summary: SearchSummary) -> None:
    """Fail when the study ended short of its target, with the reasons of its last failures.

    Args:
        summary: from :func:`run_workers`.

    Raises:
        SearchIncompleteError: fewer COMPLETE trials than ``summary.target``.
    """
    if summary.reached_target:
        return
    reasons = "; ".join(summary.last_fail_reasons) or "no trial failed: the workers stopped (time limit, or killed)"
    exits = ", ".join(f"{worker.name} {_describe_exit(worker.exit_code)}" for worker in summary.workers) or "none"
    raise SearchIncompleteError(
        f"Study {summary.study_name!r} ended with {summary.complete} of {summary.target} COMPLETE trials "
        f"({summary.failed} FAIL). Last failures: {reasons}. Worker processes: {exits}. Fix the cause and run "
        "again: the study resumes with the trials it has."
    )


class _TrialDeclaredLost(Exception):
    """This worker's running trial was marked FAIL by another worker (its heartbeats came too late)."""


class _WorkerPool:
    """The worker processes of one :func:`run_workers` call: started, and replaced when they die."""

    def __init__(self, make: Callable[[int], BaseProcess], max_restarts: int) -> None:
        self._make = make
        self.max_restarts = max_restarts
        self.processes: list[BaseProcess] = []
        self.indices: dict[BaseProcess, int] = {}
        self.replaced: dict[BaseProcess, BaseProcess] = {}

    def start(self, index: int, replacing: BaseProcess | None = None) -> BaseProcess:
        process = self._make(index)
        process.start()
        self.processes.append(process)
        self.indices[process] = index
        if replacing is not None:
            self.replaced[process] = replacing
        return process

    @property
    def restarts(self) -> int:
        return len(self.replaced)

    def replace(self, dead: BaseProcess) -> BaseProcess | None:
        """A new process in the place of ``dead``, or None when it stopped on purpose or the budget is spent."""
        if dead.exitcode == GAVE_UP_EXIT_CODE or self.restarts >= self.max_restarts:
            return None
        return self.start(self.indices[dead], replacing=dead)


class _GuardedObjective:
    """The user's objective, with the bookkeeping every trial of the search needs."""

    def __init__(self, objective: Objective, spec: StudySpec, storage: BaseStorage, study_id: int,
                 worker: str) -> None:
        self._objective = objective
        self._spec = spec
        self._storage = storage
        self._study_id = study_id
        self._worker = worker
        self.failures_in_a_row = 0
        self.last_fail_reason = ""
        self.trial_number = -1

    def trial_was_declared_lost(self) -> bool:
        """Whether the last trial this worker ran was marked FAIL by another (its heartbeat judged stale)."""
        if self.trial_number < 0:
            return False
        trial_id = self._storage.get_trial_id_from_study_id_trial_number(self._study_id, self.trial_number)
        trial = self._storage.get_trial(trial_id)
        return trial.state == TrialState.FAIL and FAIL_REASON_ATTR not in trial.user_attrs

    def __call__(self, trial: optuna.Trial) -> float | list[float]:
        self.trial_number = trial.number
        trial.set_user_attr(WORKER_ATTR, self._worker)
        if self._fills_no_slot(trial):
            trial.set_user_attr(SKIP_REASON_ATTR, f"the study's {self._spec.n_trials} trials were already "
                                                  "complete or running when this trial started")
            raise optuna.TrialPruned("surplus trial: the study's target was already reached")
        try:
            values = objective_values(self._objective(trial), self._spec)
            self._check_constraints(trial)
        except Exception as error:
            self.failures_in_a_row += 1
            self.last_fail_reason = f"{type(error).__name__}: {error}"[:_FAIL_REASON_MAX_CHARS]
            trial.set_user_attr(FAIL_REASON_ATTR, self.last_fail_reason)
            raise
        if self.trial_was_declared_lost():
            # Raising makes Optuna's own refusal (a ValueError from optimize) the one path run_worker handles.
            raise _TrialDeclaredLost(f"trial {trial.number} was declared FAIL by another worker while it ran")
        self.failures_in_a_row = 0
        return values

    def _fills_no_slot(self, trial: optuna.Trial) -> bool:
        """Whether COMPLETE trials plus RUNNING ones numbered up to this one exceed the target.

        Every worker applies the same rule to the same snapshot order, so of trials that start at
        the same instant only those that fit the target run.
        """
        trials = trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.RUNNING))
        complete = sum(other.state == TrialState.COMPLETE for other in trials)
        running_before = sum(other.state == TrialState.RUNNING and other.number <= trial.number for other in trials)
        return complete + running_before > self._spec.n_trials

    def _check_constraints(self, trial: optuna.Trial) -> None:
        """The objective set constraints exactly when the study spec says constraints are on."""
        trial_id = self._storage.get_trial_id_from_study_id_trial_number(self._study_id, trial.number)
        constraints = self._storage.get_trial(trial_id).constraints
        if self._spec.constraints and not constraints:
            raise ValueError("constraints are on in the study spec, but the objective set none: call "
                             "trial.set_constraint(name, value) on every trial (value <= 0 is feasible)")
        if constraints and not self._spec.constraints:
            raise ValueError(f"the objective set constraints {sorted(constraints)}, but constraints are off "
                             "in the study spec: turn them on, or stop setting them")


def objective_values(result: ObjectiveResult, spec: StudySpec) -> float | list[float]:
    """The objective's result as Optuna's values, checked against the study's objectives.

    Args:
        result: a mapping by objective name, a sequence in ``spec.directions`` order, or a single
            number for a single-objective study.
        spec: the study specification.

    Returns:
        The values in objective order (a float for one objective).

    Raises:
        ValueError: names or count differ from the spec, or a value is not a finite number.
    """
    names = spec.objective_names
    if isinstance(result, np.ndarray):
        result = result.tolist()
    if isinstance(result, Mapping):
        if set(result) != set(names):
            raise ValueError(f"the objective returned values for {sorted(result)}; the study expects {names}")
        values = [result[name] for name in names]
    elif isinstance(result, Sequence) and not isinstance(result, str):
        if len(result) != len(names):
            raise ValueError(f"the objective returned {len(result)} values; the study expects {len(names)} ({names})")
        values = list(result)
    elif len(names) == 1:
        values = [result]
    else:
        raise ValueError(f"the objective returned one value; the study expects {len(names)} ({names})")
    invalid = {
        name: value for name, value in zip(names, values, strict=True)
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
    }
    if invalid:
        raise ValueError(f"objective values must be finite numbers, got {invalid}; raise to fail a trial instead")
    floats = [float(value) for value in values]
    return floats[0] if len(floats) == 1 else floats


def _worker_process(log_level: int, storage_url: str, spec: StudySpec, objective: Objective, worker_index: int,
                    base_seed: int, stop_at: float | None, parent_pid: int) -> None:
    """Entry point of a spawned worker: log like the parent, then :func:`run_worker`."""
    logging.basicConfig(
        level=log_level,
        format=f"%(asctime)s %(levelname)s [worker {worker_index} {worker_name()}] %(name)s: %(message)s",
    )
    # One line per finished trial and worker would drown the parent's progress lines.
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        run_worker(storage_url, spec, objective, worker_index, base_seed, stop_at, parent_pid)
    except WorkerGaveUp as error:
        logger.error("%s", error)
        sys.exit(GAVE_UP_EXIT_CODE)


def _ensure_picklable(objective: Objective) -> None:
    """Fail before starting processes when the objective cannot travel to a spawned worker."""
    try:
        pickle.dumps(objective)
    except Exception as error:
        raise TypeError(
            f"The objective {objective!r} cannot be pickled for the worker processes ({error}); use a "
            "module-level function or an instance of a module-level class, not a lambda or a local function"
        ) from None


def _worker_count(n_workers: int | None, remaining: int) -> int:
    """Worker processes to start: as asked (default: CPU cores available), never more than trials left."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    requested = available if n_workers is None else n_workers
    if requested < 1:
        raise ValueError(f"n_workers must be at least 1, got {n_workers}")
    return min(requested, remaining)


def _count_complete_and_running(study: optuna.Study) -> tuple[int, int]:
    """COMPLETE and RUNNING trials of the study, from one query (finished trials are cached)."""
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.RUNNING))
    complete = sum(trial.state == TrialState.COMPLETE for trial in trials)
    return complete, len(trials) - complete


def _fail_lost_trials(study: optuna.Study) -> None:
    """Mark FAIL the running trials whose worker stopped sending heartbeats (no-op without heartbeats)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def _watch(pool: _WorkerPool, study: optuna.Study, spec: StudySpec, complete_at_start: int,
           started_at: float, progress_interval_s: float) -> None:
    """Wait for the workers, replacing each one that dies while trials are left, and log progress."""
    pending = {process.sentinel: process for process in pool.processes}
    next_report = time.monotonic() + progress_interval_s
    while pending:
        for sentinel in wait(list(pending), timeout=max(0.0, next_report - time.monotonic())):
            process = pending.pop(sentinel)
            process.join()
            if process.exitcode == 0:
                continue
            if _count_complete_and_running(study)[0] >= spec.n_trials:
                logger.error("Worker %s (pid %d) ended with %s; the study is complete", process.name, process.pid,
                             _describe_exit(process.exitcode))
                continue
            replacement = pool.replace(process)
            if replacement is None:
                logger.error("Worker %s (pid %d) ended with %s; not replaced (%s); the other workers go on",
                             process.name, process.pid, _describe_exit(process.exitcode),
                             "its trials kept failing" if process.exitcode == GAVE_UP_EXIT_CODE
                             else f"{pool.max_restarts} restarts allowed per run, all used")
                continue
            pending[replacement.sentinel] = replacement
            logger.error("Worker %s (pid %d) ended with %s; replaced by pid %d (restart %d of %d)", process.name,
                         process.pid, _describe_exit(process.exitcode), replacement.pid, pool.restarts,
                         pool.max_restarts)
        if pending and time.monotonic() >= next_report:
            _log_progress(study, spec, complete_at_start, started_at)
            next_report += progress_interval_s


def _stop(processes: list[BaseProcess]) -> None:
    """Terminate workers still alive (the parent was interrupted) and reap all of them."""
    for process in processes:
        if process.pid is not None and process.is_alive():
            process.terminate()
    for process in processes:
        if process.pid is not None:
            process.join()


def _describe_exit(exit_code: int | None) -> str:
    if exit_code is not None and exit_code < 0:
        return f"signal {signal.Signals(-exit_code).name}"
    if exit_code == GAVE_UP_EXIT_CODE:
        return "its trials kept failing"
    return f"exit code {exit_code}"


def _log_progress(study: optuna.Study, spec: StudySpec, complete_at_start: int, started_at: float) -> None:
    """One line: trials done of the target, failures, Pareto-front size, rate and time left."""
    trials = study.get_trials(deepcopy=False)
    complete = sum(trial.state == TrialState.COMPLETE for trial in trials)
    failed = sum(trial.state == TrialState.FAIL for trial in trials)
    running = sum(trial.state == TrialState.RUNNING for trial in trials)
    elapsed_s = time.monotonic() - started_at
    rate_per_h = (complete - complete_at_start) / elapsed_s * 3600 if elapsed_s > 0 else 0.0
    left = spec.n_trials - complete
    if left <= 0:
        time_left = "done"
    elif rate_per_h > 0:
        time_left = f"about {_format_duration(left / rate_per_h * 3600)} left"
    else:
        time_left = "time left unknown"
    logger.info("Study %r: %d/%d COMPLETE, %d FAIL, %d running; Pareto front %d trials; %.0f trials/h; %s",
                spec.study_name, complete, spec.n_trials, failed, running, len(study.best_trials), rate_per_h,
                time_left)


def _format_duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _summarize(study: optuna.Study, storage_url: str, spec: StudySpec, complete_at_start: int, started_at: float,
               pool: _WorkerPool | None, base_seed: int) -> SearchSummary:
    """Study-wide counts, each worker's from the ``worker`` attribute of its trials, and the last failures."""
    trials = study.get_trials(deepcopy=False)
    host = socket.gethostname()
    workers = []
    for process in pool.processes if pool else ():
        name = f"{host}:{process.pid}"
        own = [trial for trial in trials if trial.user_attrs.get(WORKER_ATTR) == name]
        index = pool.indices[process]
        replaced = pool.replaced.get(process)
        workers.append(WorkerReport(
            index=index,
            name=name,
            seed=worker_seed(base_seed, index, name),
            exit_code=process.exitcode,
            complete=sum(trial.state == TrialState.COMPLETE for trial in own),
            failed=sum(trial.state == TrialState.FAIL for trial in own),
            replaces=f"{host}:{replaced.pid}" if replaced is not None else None,
        ))
    failures = [trial for trial in trials if trial.state == TrialState.FAIL]
    reasons = [f"trial {trial.number}: {trial.user_attrs.get(FAIL_REASON_ATTR, 'no heartbeat (its worker died)')}"
               for trial in failures[-_REASONS_SHOWN:]]
    return SearchSummary(
        study_name=spec.study_name,
        storage=redact_url(storage_url),
        target=spec.n_trials,
        complete_at_start=complete_at_start,
        complete=sum(trial.state == TrialState.COMPLETE for trial in trials),
        failed=sum(trial.state == TrialState.FAIL for trial in trials),
        wall_time_s=time.monotonic() - started_at,
        workers=tuple(workers),
        restarts=pool.restarts if pool else 0,
        last_fail_reasons=tuple(reasons),
        accepted_changes=tuple(accepted_changes(study)),
    )
