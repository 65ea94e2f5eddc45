"""The Optuna study machinery of the global search: storage, creation races, workers, heartbeats, tables."""

from __future__ import annotations

import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import TrialState
from kedro.io import DatasetError
from pydantic import ValidationError

from search.postgres import postgres_server
from snac_pack.datasets.optuna_study_dataset import OptunaStudyDataset
from snac_pack.search import workers
from snac_pack.search.study import (
    StorageUnavailableError,
    StudyChangedError,
    StudyLocation,
    StudyMismatchError,
    StudySpec,
    create_or_join_study,
    made_under_record,
    open_storage,
    open_study,
    pareto_front,
    redact_url,
    trials_table,
)
from snac_pack.search.study import CONNECT_TIMEOUT_S, _engine_kwargs, _retry_while_locked
from snac_pack.search.workers import objective_values, run_worker, run_workers

TESTS_DIR = Path(__file__).resolve().parents[1]


def two_objectives(trial: optuna.Trial) -> dict[str, float]:
    """A cheap two-objective problem (a convex Pareto front in x, y pushed to 0)."""
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    return {"f1": x, "f2": (1.0 - x) ** 2 + y}


def diverges_every_third_trial(trial: optuna.Trial) -> dict[str, float]:
    """Like ``two_objectives``, but every third trial raises, as a training that diverges.

    Chosen by trial number, not by the sampled values: the worker's sampler seed depends on its
    process id, and a value-based rule drew no failure at all in about one run in a hundred.
    """
    values = two_objectives(trial)
    if trial.number % 3 == 1:
        raise RuntimeError(f"training diverged at x={values['f1']:.3f}")
    return values


@dataclass(frozen=True)
class DeclaredLostOnTrial:
    """Like ``two_objectives``, but while one trial runs another worker declares it FAIL (a late heartbeat)."""

    trial_number: int

    def __call__(self, trial: optuna.Trial) -> dict[str, float]:
        values = two_objectives(trial)
        if trial.number == self.trial_number:
            trial.study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)  # noqa: SLF001
        return values


def always_fails(trial: optuna.Trial) -> dict[str, float]:
    trial.suggest_float("x", 0, 1)
    raise ValueError("broken objective")


def constrained(trial: optuna.Trial) -> dict[str, float]:
    """Like ``two_objectives``, with a feasibility constraint x >= 0.2."""
    values = two_objectives(trial)
    trial.set_constraint("x_at_least_0_2", 0.2 - values["f1"])
    return values


@dataclass(frozen=True)
class HangsOnTrial:
    """Like ``two_objectives``, but one trial number writes its pid to a file and hangs, to be killed."""

    trial_number: int
    pid_file: str
    trial_seconds: float = 0.0

    def __call__(self, trial: optuna.Trial) -> dict[str, float]:
        values = two_objectives(trial)
        time.sleep(self.trial_seconds)
        if trial.number == self.trial_number:
            time.sleep(1.5)  # past the first heartbeat: Optuna never fails a trial that sent none
            partial = Path(self.pid_file + ".tmp")
            partial.write_text(str(os.getpid()))
            partial.rename(self.pid_file)  # the test never reads a half-written pid
            time.sleep(120)
        return values


def make_spec(name: str, n_trials: int, **overrides: Any) -> StudySpec:
    settings: dict[str, Any] = {
        "study_name": name,
        "directions": {"f1": "minimize", "f2": "minimize"},
        "n_trials": n_trials,
        "sampler": {"population_size": 10, "seed": 7},
        "heartbeat_interval_s": 1,
        # Short enough for a quick test of killed workers; long enough that a loaded machine's late
        # heartbeat is not taken for a dead worker (2 s was, once in 15 runs at load 6).
        "grace_period_s": 6,
    }
    return StudySpec(**(settings | overrides))


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'study.db'}"


def states(url: str, name: str) -> dict[str, int]:
    return trials_table(open_study(url, name))["state"].value_counts().to_dict()


def wait_for_file(path: Path, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear within {timeout_s} s"
        time.sleep(0.05)
    return path.read_text()


# --- specification and URLs -------------------------------------------------------------------


def test_spec_rejects_a_grace_period_shorter_than_the_heartbeat() -> None:
    with pytest.raises(ValidationError, match="grace_period_s"):
        make_spec("s", 10, heartbeat_interval_s=5, grace_period_s=5)


@pytest.mark.parametrize("name", ["state", "param_x", "two words"])
def test_spec_rejects_objective_names_that_break_the_trials_table(name: str) -> None:
    with pytest.raises(ValidationError, match="objective name"):
        make_spec("s", 10, directions={name: "minimize"})


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("postgresql://user:secret@host:5432/db") == "postgresql://user:***@host:5432/db"
    assert redact_url("sqlite:///data/study.db") == "sqlite:///data/study.db"


def test_unreachable_database_fails_fast_naming_the_url_without_password() -> None:
    # Fast, because the connection waits CONNECT_TIMEOUT_S at most instead of the OS's TCP
    # timeout (minutes): the setting is checked, not the wall time (no timing in a test).
    assert _engine_kwargs("postgresql://user@host/db")["connect_args"]["connect_timeout"] == CONNECT_TIMEOUT_S
    with pytest.raises(StorageUnavailableError) as caught:
        open_storage("postgresql://user:secret@127.0.0.1:1/db", heartbeat_interval_s=1, grace_period_s=2)
    message = str(caught.value)
    assert "postgresql://user:***@127.0.0.1:1/db" in message
    assert "secret" not in message
    assert "Check that the server is running" in message


def test_missing_sqlite_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailableError, match="missing"):
        open_storage(f"sqlite:///{tmp_path / 'missing' / 'study.db'}")


def test_switching_a_fresh_file_to_wal_is_retried_while_another_process_holds_the_lock() -> None:
    # SQLite refuses the second of two processes that switch a fresh file to WAL at once, without
    # waiting on its busy timeout; the refused one must retry rather than report the file unreachable.
    answers = iter([sqlite3.OperationalError("database is locked")] * 3 + ["wal"])

    def switch() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert _retry_while_locked(switch, timeout_s=5) == "wal"


def test_a_lock_that_outlasts_the_timeout_and_other_errors_are_raised() -> None:
    def locked() -> None:
        raise sqlite3.OperationalError("database is locked")

    calls = []

    def broken() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("unable to open database file")

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _retry_while_locked(locked, timeout_s=0.2)
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        _retry_while_locked(broken, timeout_s=5)
    assert len(calls) == 1  # not retried


# --- creating and joining ---------------------------------------------------------------------


def test_joining_a_study_with_other_objectives_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    create_or_join_study(open_storage(url), make_spec("search", 10))
    create_or_join_study(open_storage(url), make_spec("search", 50))  # same objectives: joins
    other_objectives = ({"f1": "minimize", "luts": "minimize"}, {"f1": "maximize", "f2": "minimize"}, {"f1": "minimize"})
    for directions in other_objectives:
        with pytest.raises(StudyMismatchError, match=r"already exists with objectives \[f1 \(minimize\), f2"):
            create_or_join_study(open_storage(url), make_spec("search", 10, directions=directions))


# --- workers ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_workers_on_one_sqlite_file_reach_the_exact_count(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    summary = run_workers(url, make_spec("two", 200), two_objectives, n_workers=2, progress_interval_s=5)
    counts = states(url, "two")
    assert counts["COMPLETE"] == 200 and "FAIL" not in counts  # a surplus trial, if any, is PRUNED
    assert (summary.complete, summary.failed, summary.reached_target) == (200, 0, True)
    assert [worker.exit_code for worker in summary.workers] == [0, 0]
    assert sum(worker.complete for worker in summary.workers) == 200
    assert len({worker.seed for worker in summary.workers}) == 2

    table = trials_table(open_study(url, "two"))
    assert list(table.columns[:6]) == ["number", "state", "f1", "f2", "param_x", "param_y"]
    assert set(table["worker"]) == {worker.name for worker in summary.workers}
    assert (table["duration_s"] >= 0).all()
    front = pareto_front(open_study(url, "two"))
    assert 0 < len(front) < 200
    assert front.sort_values("f1")["f2"].is_monotonic_decreasing  # no front trial dominates another


def test_the_sampler_is_nsga2_or_random_as_configured() -> None:
    from snac_pack.search.study import SamplerSettings
    from snac_pack.search.workers import make_sampler

    nsga2 = make_sampler(SamplerSettings(population_size=12), seed=3)
    assert isinstance(nsga2, optuna.samplers.NSGAIISampler) and nsga2._population_size == 12
    assert isinstance(make_sampler(SamplerSettings(algorithm="random"), seed=3), optuna.samplers.RandomSampler)
    with pytest.raises(ValidationError, match="algorithm"):
        SamplerSettings(algorithm="tpe")


def test_two_random_search_workers_reach_the_exact_count_and_do_not_converge(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    spec = make_spec("random", 120, sampler={"algorithm": "random", "seed": 7})
    summary = run_workers(url, spec, two_objectives, n_workers=2, progress_interval_s=5)
    assert (summary.complete, summary.failed, summary.reached_target) == (120, 0, True)
    table = trials_table(open_study(url, "random")).sort_values("number")
    late = table[table["state"] == "COMPLETE"].tail(60)
    # NSGA-II pushes y to 0 generation after generation; random draws keep it uniform (mean 0.5,
    # standard error 0.04 over 60 trials: 0.3 is five of them away).
    assert late["param_y"].mean() > 0.3


def test_enqueued_trials_run_once_each_keeping_their_numbers_with_two_workers(tmp_path: Path) -> None:
    # The worker benchmark enqueues one fixed set of trials in every configuration it compares.
    url = sqlite_url(tmp_path)
    spec = make_spec("enqueued", 10)
    fixed = [{"x": index / 8, "y": 0.5} for index in range(8)]
    study = create_or_join_study(open_storage(url), spec)
    for parameters in fixed:
        study.enqueue_trial(parameters)
    summary = run_workers(url, spec, two_objectives, n_workers=2)
    table = trials_table(open_study(url, "enqueued")).set_index("number").sort_index()
    assert summary.complete == 10 and (table.loc[:9, "state"] == "COMPLETE").all()
    # Two workers may both start a trial for the last slot: the later one is PRUNED unrun, by design.
    surplus = table.loc[10:]
    assert (surplus["state"] == "PRUNED").all()
    assert surplus.empty or surplus["attr_skip_reason"].notna().all()
    assert table.loc[:7, ["param_x", "param_y"]].rename(columns=lambda name: name[6:]).to_dict("records") == fixed


def test_a_second_run_after_completion_adds_no_trials(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    spec = make_spec("again", 12)
    run_worker(url, spec, two_objectives)
    summary = run_workers(url, spec, two_objectives, n_workers=2)
    assert (summary.complete_at_start, summary.complete, summary.workers) == (12, 12, ())
    assert len(open_study(url, "again").trials) == 12


def test_a_trial_started_when_the_target_is_taken_is_pruned_unrun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path)
    spec = make_spec("full", 3)
    run_worker(url, spec, two_objectives)
    # As if other workers had just read a count below the target, three times: only the check inside
    # the trial stops those trials. Counted, not timed: a slow join must not leave no trial started.
    reads = iter([(0, 0)] * 3)
    monkeypatch.setattr(workers, "_count_complete_and_running", lambda study: next(reads, (3, 0)))
    run_worker(url, spec, two_objectives)
    table = trials_table(open_study(url, "full"))
    surplus = table[table["number"] >= 3]
    assert (table.loc[table["number"] < 3, "state"] == "COMPLETE").all()
    assert len(surplus) == 3 and (surplus["state"] == "PRUNED").all()
    assert surplus["attr_skip_reason"].str.contains("already complete or running").all()
    assert not surplus.filter(like="param_").notna().any().any()  # the objective never ran


def test_failing_objective_records_the_reason_and_the_worker_goes_on(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    run_worker(url, make_spec("fails", 15), diverges_every_third_trial)
    table = trials_table(open_study(url, "fails"))
    failed = table[table["state"] == "FAIL"]
    assert (table["state"] == "COMPLETE").sum() == 15
    assert len(failed) > 0 and len(failed) + 15 == len(table)
    assert failed["attr_fail_reason"].str.startswith("RuntimeError: training diverged").all()
    assert failed[["f1", "f2"]].isna().all().all()  # no invented values


def test_constraints_are_recorded_when_on_and_refused_when_off(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    run_worker(url, make_spec("constrained", 8, constraints=True), constrained)
    table = trials_table(open_study(url, "constrained"))
    assert (table["state"] == "COMPLETE").sum() == 8
    assert "constraint_x_at_least_0_2" in table.columns
    assert (pareto_front(open_study(url, "constrained"))["param_x"] >= 0.2).all()

    with pytest.raises(RuntimeError, match="trials failed.*constraints are off"):
        run_worker(url, make_spec("unconstrained", 8, max_failures_in_a_row=3), constrained)


def test_a_journal_file_holds_a_study_on_one_host(tmp_path: Path) -> None:
    url = f"journal:///{tmp_path / 'study.log'}"
    run_worker(url, make_spec("journal", 5), two_objectives)
    assert states(url, "journal") == {"COMPLETE": 5}  # and nothing else: no FAIL


def test_objective_values_are_checked_against_the_spec() -> None:
    spec = make_spec("s", 1)
    assert objective_values({"f2": 2, "f1": 1.5}, spec) == [1.5, 2.0]
    assert objective_values((1, 2), spec) == [1.0, 2.0]
    with pytest.raises(ValueError, match="expects"):
        objective_values({"f1": 1.0}, spec)
    with pytest.raises(ValueError, match="finite"):
        objective_values([1.0, math.nan], spec)


@pytest.mark.slow
@pytest.mark.parametrize("max_restarts", [0, 1])
def test_killed_worker_trial_becomes_fail_and_the_worker_is_replaced_within_the_budget(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, max_restarts: int
) -> None:
    url = sqlite_url(tmp_path)
    pid_file = tmp_path / "victim.pid"
    # Trials last long enough that a replacement (a few seconds to start) finds some left.
    objective = HangsOnTrial(trial_number=3, pid_file=str(pid_file), trial_seconds=0.5 if max_restarts else 0.0)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(run_workers, url, make_spec("killed", 30), objective, n_workers=2,
                              max_restarts=max_restarts)
        victim = int(wait_for_file(pid_file, timeout_s=60))
        os.kill(victim, signal.SIGKILL)
        summary = running.result(timeout=90)

    table = trials_table(open_study(url, "killed"))
    failed = table[table["state"] == "FAIL"]
    victim_name = f"{socket.gethostname()}:{victim}"
    assert (table["state"] == "COMPLETE").sum() == 30
    assert set(table["state"]) <= {"COMPLETE", "FAIL", "PRUNED"}
    assert failed["number"].tolist() == [3]
    assert failed["worker"].tolist() == [victim_name]
    assert summary.restarts == max_restarts
    assert sorted(worker.exit_code for worker in summary.workers) == [-signal.SIGKILL] + [0] * (1 + max_restarts)
    assert "signal SIGKILL" in caplog.text
    if max_restarts:
        replacement = next(worker for worker in summary.workers if worker.replaces == victim_name)
        assert replacement.index == next(worker.index for worker in summary.workers if worker.name == victim_name)
        assert replacement.complete > 0  # the study finished with two workers, not one
        assert "replaced by pid" in caplog.text
    else:
        assert "all used" in caplog.text


def test_a_live_trial_declared_lost_by_another_worker_is_discarded_and_the_worker_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = sqlite_url(tmp_path)
    run_worker(url, make_spec("late", 5), DeclaredLostOnTrial(trial_number=2))
    assert states(url, "late") == {"COMPLETE": 5, "FAIL": 1}
    assert "trial 2 was declared FAIL by another worker" in caplog.text


def test_a_worker_whose_trials_keep_failing_is_not_replaced_and_the_study_reports_why(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    spec = make_spec("broken", 10, max_failures_in_a_row=2)
    summary = run_workers(url, spec, always_fails, n_workers=1, max_restarts=3)
    assert (summary.complete, summary.restarts) == (0, 0)
    assert [worker.exit_code for worker in summary.workers] == [workers.GAVE_UP_EXIT_CODE]
    with pytest.raises(workers.SearchIncompleteError, match=r"0 of 10 COMPLETE trials \(2 FAIL\).*ValueError: broken objective"):
        workers.require_complete(summary)
    workers.require_complete(run_workers(url, make_spec("fine", 3), two_objectives, n_workers=1))


# --- what a study was made under ----------------------------------------------------------------

MADE_UNDER = {"surrogate": {"digest": "aaaa"}, "estimator": {"digest": "e1", "summary": "surrogate"}}


def test_a_study_refuses_a_run_made_under_other_settings_before_running_anything(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    run_worker(url, make_spec("made", 3, made_under=MADE_UNDER), two_objectives)
    changed = MADE_UNDER | {"estimator": {"digest": "e2", "summary": "exact"}, "surrogate": {"digest": "bbbb"}}
    with pytest.raises(StudyChangedError, match=r"3 trials measured under other settings .* estimator: 'surrogate' -> "
                       r"'exact'; surrogate: changed \(digest aaaa -> bbbb\)\. Nothing was run.*\[estimator, surrogate\]"):
        run_workers(url, make_spec("made", 6, made_under=changed), two_objectives, n_workers=1)
    with pytest.raises(StudyChangedError, match="surrogate: changed"):
        run_workers(url, make_spec("made", 6, made_under=changed, accepted_changes=("estimator",)), two_objectives)
    assert len(open_study(url, "made").trials) == 3
    # The same settings continue the study.
    run_workers(url, make_spec("made", 4, made_under=MADE_UNDER), two_objectives, n_workers=1)
    assert states(url, "made") == {"COMPLETE": 4}


def test_accepted_changes_continue_the_study_and_are_recorded(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    run_worker(url, make_spec("accept", 2, made_under=MADE_UNDER), two_objectives)
    changed = MADE_UNDER | {"estimator": {"digest": "e2", "summary": "exact"}}
    summary = run_workers(url, make_spec("accept", 4, made_under=changed, accepted_changes=("estimator",)),
                          two_objectives, n_workers=1)
    study = open_study(url, "accept")
    assert summary.complete == 4
    assert made_under_record(study)["estimator"].digest == "e2"
    assert [(c["component"], c["from"], c["to"]) for c in summary.accepted_changes] == [("estimator", "surrogate", "exact")]
    run_workers(url, make_spec("accept", 5, made_under=changed), two_objectives, n_workers=1)  # now the record


def test_a_study_without_a_record_is_refused_until_its_components_are_accepted(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    run_worker(url, make_spec("legacy", 2), two_objectives)
    with pytest.raises(StudyChangedError, match="estimator: not recorded by the study"):
        run_workers(url, make_spec("legacy", 3, made_under=MADE_UNDER), two_objectives)
    run_workers(url, make_spec("legacy", 3, made_under=MADE_UNDER, accepted_changes=("estimator", "surrogate")),
                two_objectives, n_workers=1)
    assert states(url, "legacy") == {"COMPLETE": 3}


# --- separate processes, as on separate machines ----------------------------------------------

WORKER_SCRIPT = """
import sys

from search.test_study import two_objectives
from snac_pack.search.study import StudySpec
from snac_pack.search.workers import run_workers

if __name__ == "__main__":
    summary = run_workers(sys.argv[1], StudySpec.model_validate_json(sys.argv[2]), two_objectives, n_workers=1)
    sys.exit(0 if summary.reached_target else 1)
"""


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL server and database; fails (never skips) when PostgreSQL is not installed."""
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_url")


@pytest.mark.slow
def test_two_processes_create_and_share_one_study_on_a_fresh_database(
    fresh_database_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER_SCRIPT)
    spec = make_spec("shared", 20)
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, str(script), fresh_database_url, spec.model_dump_json()]
    # Both start at once on an empty database: both race to create the tables and the study.
    processes = [subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], "\n".join(errors)

    # Both asked for 20 COMPLETE trials and both reached them: one study, shared. (Which worker ran how
    # many depends on start-up timing: under load one finished all 20 before the other joined, once in 30.)
    counts = states(fresh_database_url, "shared")
    assert counts.get("COMPLETE") == 20 and "FAIL" not in counts
    assert optuna.get_all_study_names(open_storage(fresh_database_url)) == ["shared"]


# --- the Kedro dataset ------------------------------------------------------------------------


def test_dataset_resolves_a_relative_sqlite_path_and_creates_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    location = OptunaStudyDataset(study_name="search", url="sqlite:///data/studies/optuna.db").load()
    expected_url = f"sqlite:///{tmp_path.resolve()}/data/studies/optuna.db"
    assert location == StudyLocation(url=expected_url, study_name="search")
    assert (tmp_path / "data" / "studies").is_dir()


def test_dataset_takes_the_url_from_credentials_and_hides_the_password() -> None:
    dataset = OptunaStudyDataset(study_name="search", credentials={"url": "postgresql://user:secret@db:5432/snac"})
    assert dataset.load() == StudyLocation(url="postgresql://user:secret@db:5432/snac", study_name="search")
    assert "secret" not in str(dataset)
    assert dataset._describe()["url"] == "postgresql://user:***@db:5432/snac"
    assert "secret" not in repr(dataset.load())
    with pytest.raises(DatasetError, match="read-only"):
        dataset.save(dataset.load())
    with pytest.raises(DatasetError, match="not both"):
        OptunaStudyDataset(study_name="search", url="sqlite:///a.db", credentials={"url": "sqlite:///b.db"})


def test_dataset_location_opens_the_study_written_by_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    location = OptunaStudyDataset(study_name="search").load()
    run_worker(location.url, make_spec(location.study_name, 3), two_objectives)
    assert states(location.url, location.study_name) == {"COMPLETE": 3}
    assert (tmp_path / "data" / "07_model_output" / "optuna_studies.db").is_file()


def test_a_worker_whose_run_is_gone_starts_no_trial(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = sqlite_url(tmp_path)
    caplog.set_level("WARNING")
    # As if the process that started it had been killed: its parent is no longer that process.
    assert run_worker(url, make_spec("orphan", 3), two_objectives, parent_pid=os.getppid() + 1) == 0
    assert "the run that started it" in caplog.text
    assert trials_table(open_study(url, "orphan")).empty
    assert run_worker(url, make_spec("orphan", 3), two_objectives, parent_pid=os.getppid()) == 3
