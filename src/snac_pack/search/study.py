"""The Optuna study of the global search: its specification, storage by URL, creation and tables.

The study lives in a database named by a URL, Optuna's way: ``sqlite:///data/...db`` on one
machine, ``postgresql://user:password@host:5432/database`` across machines, or
``journal:///path/to/file.log`` (Optuna's journal file, one host, no heartbeat). Every worker
of every machine opens the same URL and joins the same study by name; the study records its
objective names so that a run with other objectives cannot join it by mistake.

A study also records what its trials were measured under (``StudySpec.made_under``: a digest
per component, such as the surrogate, the search space, the estimator or the input data). A run
whose components differ is refused before any trial starts, naming each change, unless the
spec accepts those changes by name (``accepted_changes``): then the study records the new state
and the accepted change with its time, so that its trials are never silently mixed.

Kedro-free: usable from a notebook; ``snac_pack.datasets.OptunaStudyDataset`` only hands the
URL and study name to the nodes.
"""

from __future__ import annotations

import logging
import random
import re
import sqlite3
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import unquote, urlsplit

import optuna
import pandas as pd
import sqlalchemy
from optuna.exceptions import ExperimentalWarning, StorageInternalError
from optuna.storages import BaseStorage, RDBStorage
from optuna.trial import FrozenTrial, TrialState
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

logger = logging.getLogger(__name__)

Direction = Literal["minimize", "maximize"]

OBJECTIVES_ATTR = "objectives"
MADE_UNDER_ATTR = "made_under"
ACCEPTED_CHANGES_ATTR = "accepted_changes"
WORKER_ATTR = "worker"
FAIL_REASON_ATTR = "fail_reason"
JOURNAL_SCHEME = "journal"
SQLITE_BUSY_TIMEOUT_S = 60
CONNECT_TIMEOUT_S = 5
URL_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db, "
    "postgresql://user:password@host:5432/database or journal:///path/to/file.log"
)
_TABLE_COLUMNS = ("number", "state", "datetime_start", "datetime_complete", "duration_s", "worker")
_TABLE_PREFIXES = ("param_", "attr_", "constraint_")
_RACE_ATTEMPTS = 6

T = TypeVar("T")


class StorageUnavailableError(RuntimeError):
    """The study database cannot be opened; the message names the URL (password hidden) and what to check."""


class StudyMismatchError(ValueError):
    """An existing study has other objectives than the ones asked for."""


class StudyChangedError(ValueError):
    """An existing study was made under other settings (surrogate, space, data, ...) than this run's."""


class MadeUnder(BaseModel):
    """One component of what a study's trials were measured under: a digest and a readable summary."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    digest: str = Field(min_length=1, description="changes exactly when the component changes")
    summary: str = Field(default="", description="what a person reads in an error (short; may be the digest)")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SamplerSettings(_Settings):
    """The sampler every worker asks with: Optuna's NSGA-II (the search) or random sampling
    (a control, e.g. for a benchmark); the seed is the base of every worker's own seed."""

    algorithm: Literal["nsga2", "random"] = Field(default="nsga2", description="nsga2, or random search")
    population_size: int = Field(default=50, ge=2, description="trials per generation")
    mutation_prob: float | None = Field(
        default=None, ge=0, le=1, description="None: 1 / number of parameters (Optuna's default)"
    )
    crossover_prob: float = Field(default=0.9, ge=0, le=1)
    seed: int = Field(default=0, ge=0, description="base seed; each worker derives its own from it")


class StudySpec(_Settings):
    """What the global search's study is: its name, objectives, size, sampler and heartbeat."""

    study_name: str = Field(min_length=1)
    directions: dict[str, Direction] = Field(
        min_length=1,
        description="objective name -> 'minimize' or 'maximize', in the order the objective returns values",
    )
    n_trials: int = Field(gt=0, description="COMPLETE trials wanted in the study, all workers and machines together")
    sampler: SamplerSettings = Field(default_factory=SamplerSettings)
    heartbeat_interval_s: int = Field(default=60, ge=1, description="seconds between a running trial's heartbeats")
    grace_period_s: int = Field(
        default=180, ge=1, description="seconds without heartbeat before a running trial is declared FAIL"
    )
    constraints: bool = Field(
        default=False, description="the objective sets feasibility constraints (trial.set_constraint) on every trial"
    )
    max_failures_in_a_row: int = Field(
        default=10, ge=1, description="a worker whose trials fail this many times in a row stops (a broken objective)"
    )
    made_under: dict[str, MadeUnder] = Field(
        default_factory=dict,
        description="component name -> its digest: what the trials are measured under (recorded by the study)",
    )
    accepted_changes: tuple[str, ...] = Field(
        default=(), description="components of made_under allowed to differ from the study's record (then recorded anew)"
    )

    @field_validator("directions")
    @classmethod
    def _names_fit_the_trials_table(cls, directions: dict[str, Direction]) -> dict[str, Direction]:
        for name in directions:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"objective name {name!r} must be an identifier (letters, digits, '_')")
            if name in _TABLE_COLUMNS or name.startswith(_TABLE_PREFIXES):
                raise ValueError(
                    f"objective name {name!r} collides with a column of the trials table; "
                    f"avoid {list(_TABLE_COLUMNS)} and the prefixes {list(_TABLE_PREFIXES)}"
                )
        return directions

    @model_validator(mode="after")
    def _grace_outlasts_heartbeat(self) -> StudySpec:
        if self.grace_period_s <= self.heartbeat_interval_s:
            raise ValueError(
                f"grace_period_s ({self.grace_period_s}) must exceed heartbeat_interval_s "
                f"({self.heartbeat_interval_s}), or live trials would be declared dead between two heartbeats"
            )
        return self

    @property
    def objective_names(self) -> list[str]:
        """The objective names, in the order of the objective's values."""
        return list(self.directions)


@dataclass(frozen=True, repr=False)
class StudyLocation:
    """Where a study lives: the storage URL and the study's name (what the Kedro dataset loads to)."""

    url: str
    study_name: str

    def __repr__(self) -> str:
        return f"StudyLocation(url={redact_url(self.url)!r}, study_name={self.study_name!r})"


def redact_url(url: str) -> str:
    """The storage URL with its password replaced by ``***``, safe for logs and errors.

    Args:
        url: a storage URL, e.g. ``postgresql://user:secret@host:5432/db``.

    Returns:
        e.g. ``postgresql://user:***@host:5432/db``; URLs without a password unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable storage URL>"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return parts._replace(netloc=f"{user}:***@{hostport}").geturl()


def storage_file_path(url: str) -> Path | None:
    """The local file behind a ``sqlite:///`` or ``journal:///`` URL (relative or absolute), else None.

    Args:
        url: a storage URL.

    Returns:
        The path as written in the URL (``sqlite:///a.db`` → ``a.db``, ``sqlite:////a.db`` → ``/a.db``);
        None for database servers and in-memory SQLite.
    """
    scheme, separator, rest = url.partition(":///")
    if not separator or scheme.split("+", 1)[0] not in ("sqlite", JOURNAL_SCHEME):
        return None
    path = rest.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def resolve_storage_url(url: str, base_dir: Path) -> str:
    """The URL with a relative SQLite or journal file path made absolute against ``base_dir``.

    Workers started elsewhere (another cwd, a batch system) then open the same file.

    Args:
        url: a storage URL.
        base_dir: the directory relative paths are resolved against (the project root).

    Returns:
        The URL with an absolute file path; server URLs unchanged.
    """
    path = storage_file_path(url)
    if path is None or path.is_absolute():
        return url
    scheme, _, rest = url.partition(":///")
    query = rest[len(rest.split("?", 1)[0]) :]
    return f"{scheme}:///{(base_dir / path).resolve()}{query}"


def open_storage(
    url: str, heartbeat_interval_s: int | None = None, grace_period_s: int | None = None
) -> BaseStorage:
    """Open the study database at ``url``, failing within seconds with a clear error when it cannot.

    SQL databases give an ``RDBStorage`` whose running trials send heartbeats (when
    ``heartbeat_interval_s`` is set), so that trials of killed workers become FAIL. The tables
    are created on first use; a concurrent creator on another process or machine is retried.

    Args:
        url: ``sqlite:///...``, ``postgresql://user:password@host:port/db`` or ``journal:///...``.
        heartbeat_interval_s: seconds between heartbeats of a running trial; None disables them.
        grace_period_s: seconds without heartbeat before a running trial is declared FAIL.

    Returns:
        The Optuna storage.

    Raises:
        StorageUnavailableError: invalid URL, missing driver, or database not reachable.
    """
    if url.startswith(f"{JOURNAL_SCHEME}:"):
        return _open_journal(url, heartbeat_interval_s)
    engine_kwargs = _engine_kwargs(url)
    _check_reachable(url, engine_kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)  # heartbeats are "experimental" since Optuna 2.9
        return _retry_on_race(
            lambda: RDBStorage(
                _with_default_driver(url),
                engine_kwargs=engine_kwargs,
                heartbeat_interval=heartbeat_interval_s,
                grace_period=grace_period_s,
                heartbeat_stale_trial_callback=_report_lost_trial,
            ),
            f"creating the study tables at {redact_url(url)}",
        )


def create_or_join_study(
    storage: BaseStorage, spec: StudySpec, sampler: optuna.samplers.BaseSampler | None = None
) -> optuna.Study:
    """Create the study named in ``spec``, or join it when it exists; whoever comes first creates it.

    Args:
        storage: from :func:`open_storage`.
        spec: the study's name and objectives.
        sampler: the sampler this process asks with (None: Optuna's default; fine for readers).

    Returns:
        The study.

    Raises:
        StudyMismatchError: the existing study has other objectives or directions.
    """
    study = _retry_on_race(
        lambda: optuna.create_study(
            storage=storage,
            study_name=spec.study_name,
            directions=list(spec.directions.values()),
            sampler=sampler,
            load_if_exists=True,
        ),
        f"creating study {spec.study_name!r}",
    )
    _record_or_check_objectives(study, spec)
    _record_or_check_made_under(study, spec)
    return study


def made_under_record(study: optuna.Study) -> dict[str, MadeUnder]:
    """What the study's trials were measured under, as recorded (empty for a study that predates records).

    Args:
        study: the study.

    Returns:
        Component name → its recorded digest and summary.
    """
    return {name: MadeUnder.model_validate(entry) for name, entry in study.user_attrs.get(MADE_UNDER_ATTR, {}).items()}


def accepted_changes(study: optuna.Study) -> list[dict[str, str]]:
    """The changes a run accepted into the study: component, previous and new summary, and when.

    Args:
        study: the study.

    Returns:
        One record per accepted change, oldest first.
    """
    return list(study.user_attrs.get(ACCEPTED_CHANGES_ATTR, []))


def open_study(url: str, study_name: str) -> optuna.Study:
    """Open an existing study to read its trials (no heartbeat: this process runs none).

    Args:
        url: the storage URL.
        study_name: the study's name.

    Returns:
        The study.

    Raises:
        KeyError: no study of that name at ``url``; the message lists the studies there.
    """
    storage = open_storage(url)
    try:
        return optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:
        names = optuna.get_all_study_names(storage)
        raise KeyError(
            f"No study {study_name!r} at {redact_url(url)}; studies there: {names or 'none'}. "
            "Run the global search first, or check the study name."
        ) from None


def objective_names(study: optuna.Study) -> list[str]:
    """The study's objective names, as recorded at creation (``value_<i>`` for foreign studies).

    Args:
        study: the study.

    Returns:
        One name per objective, in value order.
    """
    recorded = study.user_attrs.get(OBJECTIVES_ATTR)
    if recorded:
        return [objective["name"] for objective in recorded]
    return [f"value_{index}" for index in range(len(study.directions))]


def trials_table(study: optuna.Study) -> pd.DataFrame:
    """Every trial of the study as one row.

    Args:
        study: the study.

    Returns:
        Columns ``number``, ``state``, one column per objective (named by the objective),
        ``param_<name>``, ``constraint_<name>``, ``attr_<user attribute>``, ``datetime_start``,
        ``datetime_complete``, ``duration_s`` and ``worker`` (``host:pid``). Values of trials that
        are not COMPLETE are missing (NaN), never invented.
    """
    names = objective_names(study)
    rows = [_trial_row(trial, names) for trial in study.get_trials(deepcopy=False)]
    present = {key for row in rows for key in row}
    prefixed = {prefix: sorted(key for key in present if key.startswith(prefix)) for prefix in _TABLE_PREFIXES}
    columns = [
        "number",
        "state",
        *names,
        *prefixed["param_"],
        *prefixed["constraint_"],
        *prefixed["attr_"],
        "datetime_start",
        "datetime_complete",
        "duration_s",
        "worker",
    ]
    return pd.DataFrame(rows, columns=columns)


def pareto_front(study: optuna.Study) -> pd.DataFrame:
    """The study's best trials: the Pareto front of COMPLETE (and, if constrained, feasible) trials.

    Args:
        study: the study.

    Returns:
        The rows of :func:`trials_table` for the Pareto-optimal trials.
    """
    best_numbers = {trial.number for trial in study.best_trials}
    table = trials_table(study)
    return table[table["number"].isin(best_numbers)].reset_index(drop=True)


def has_heartbeat(storage: BaseStorage) -> bool:
    """Whether running trials of this storage send heartbeats (so dead workers' trials become FAIL)."""
    return isinstance(storage, RDBStorage) and storage.get_heartbeat_interval() is not None


def _trial_row(trial: FrozenTrial, names: list[str]) -> dict[str, Any]:
    """One row of :func:`trials_table`."""
    values = trial.values if trial.state == TrialState.COMPLETE and trial.values else [None] * len(names)
    start, complete = trial.datetime_start, trial.datetime_complete
    return {
        "number": trial.number,
        "state": trial.state.name,
        **dict(zip(names, values, strict=True)),
        **{f"param_{name}": value for name, value in trial.params.items()},
        **{f"constraint_{name}": value for name, value in trial.constraints.items()},
        **{f"attr_{key}": value for key, value in trial.user_attrs.items() if key != WORKER_ATTR},
        "datetime_start": start,
        "datetime_complete": complete,
        "duration_s": (complete - start).total_seconds() if start and complete else None,
        "worker": trial.user_attrs.get(WORKER_ATTR),
    }


def _record_or_check_objectives(study: optuna.Study, spec: StudySpec) -> None:
    """Record the objectives in a new study; refuse to join a study whose objectives differ."""
    wanted = [{"name": name, "direction": direction} for name, direction in spec.directions.items()]
    actual_directions = [direction.name.lower() for direction in study.directions]
    recorded = study.user_attrs.get(OBJECTIVES_ATTR)
    if recorded is None and actual_directions == list(spec.directions.values()):
        study.set_user_attr(OBJECTIVES_ATTR, wanted)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExperimentalWarning)
            study.set_metric_names(spec.objective_names)  # labels the axes of optuna-dashboard
        return
    if recorded == wanted:
        return
    existing = recorded or [{"name": "?", "direction": direction} for direction in actual_directions]
    raise StudyMismatchError(
        f"Study {study.study_name!r} already exists with objectives {_describe_objectives(existing)}, "
        f"but this run asks for {_describe_objectives(wanted)}. Use another study_name for the new "
        "objectives, or delete the old study (optuna delete-study --study-name NAME --storage URL)."
    )


def _record_or_check_made_under(study: optuna.Study, spec: StudySpec) -> None:
    """Record what a new study is made under; refuse a run whose components differ, unless accepted."""
    if not spec.made_under:
        return
    recorded = made_under_record(study)
    if not recorded and not _has_finished_trials(study):
        study.set_user_attr(MADE_UNDER_ATTR, {name: entry.model_dump() for name, entry in spec.made_under.items()})
        return
    changes = {
        name: (recorded.get(name), wanted)
        for name, wanted in spec.made_under.items()
        if name not in recorded or recorded[name].digest != wanted.digest
    }
    if not changes:
        return
    refused = [name for name in changes if name not in spec.accepted_changes]
    if refused:
        listing = "; ".join(_describe_change(name, *changes[name]) for name in sorted(refused))
        accept = ", ".join(sorted(changes))
        raise StudyChangedError(
            f"Study {study.study_name!r} holds {len(study.trials)} trials measured under other settings than "
            f"this run's: {listing}. Nothing was run. To continue, start a new study (another study name), or "
            f"accept these changes and add trials under the new settings to the old ones "
            f"(accepted changes: [{accept}])."
        )
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    history = accepted_changes(study) + [
        {"component": name, "from": old.summary if old else "(not recorded)", "to": new.summary, "at": now}
        for name, (old, new) in changes.items()
    ]
    logger.warning("Study %r: accepted changes of %s; its earlier trials were measured under the old settings",
                   study.study_name, sorted(changes))
    study.set_user_attr(ACCEPTED_CHANGES_ATTR, history)
    study.set_user_attr(MADE_UNDER_ATTR, {**{n: e.model_dump() for n, e in recorded.items()},
                                          **{n: e.model_dump() for n, e in spec.made_under.items()}})


def _has_finished_trials(study: optuna.Study) -> bool:
    """Whether any trial of the study ran (a study created by another process a moment ago has none)."""
    return any(trial.state != TrialState.WAITING for trial in study.get_trials(deepcopy=False))


def _describe_change(name: str, old: MadeUnder | None, new: MadeUnder) -> str:
    if old is None:
        return f"{name}: not recorded by the study (it predates records), now {new.summary!r}"
    if old.summary == new.summary:
        return f"{name}: changed (digest {old.digest} -> {new.digest})"
    return f"{name}: {old.summary!r} -> {new.summary!r}"


def _describe_objectives(objectives: list[dict[str, str]]) -> str:
    return "[" + ", ".join(f"{o['name']} ({o['direction']})" for o in objectives) + "]"


def _report_lost_trial(study: optuna.Study, trial: FrozenTrial) -> None:
    """Heartbeat callback: a running trial whose worker stopped sending heartbeats was marked FAIL."""
    logger.warning(
        "Trial %d of study %r (worker %s) sent no heartbeat within the grace period: its process was "
        "killed or its machine lost. It is marked FAIL and another trial takes its place.",
        trial.number,
        study.study_name,
        trial.user_attrs.get(WORKER_ATTR, "unknown"),
    )


def _open_journal(url: str, heartbeat_interval_s: int | None) -> BaseStorage:
    """Optuna's journal file storage (one host; no heartbeat, so trials of killed workers stay RUNNING)."""
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    path = storage_file_path(url)
    if path is None:
        raise StorageUnavailableError(f"Storage URL {redact_url(url)} names no file; expected {URL_FORMS}")
    if not path.parent.is_dir():
        raise StorageUnavailableError(
            f"Cannot open the journal {redact_url(url)}: directory {path.parent.resolve()} does not exist; "
            "create it first."
        )
    if heartbeat_interval_s is not None:
        logger.warning(
            "Journal storage %s has no heartbeat: a killed worker's trial stays RUNNING and is not "
            "replaced. Use sqlite:/// or postgresql:// for heartbeats.",
            redact_url(url),
        )
    return JournalStorage(JournalFileBackend(str(path)))


def _with_default_driver(url: str) -> str:
    """``postgresql://`` with the driver the project installs: SQLAlchemy 2.1 would pick psycopg 3."""
    scheme, separator, rest = url.partition("://")
    return f"postgresql+psycopg2://{rest}" if separator and scheme == "postgresql" else url


def _engine_kwargs(url: str) -> dict[str, Any]:
    """SQLAlchemy engine settings per database: how long to wait for a lock or a connection."""
    backend = url.split(":", 1)[0].split("+", 1)[0]
    if backend == "sqlite":
        # Workers queue on SQLite's single writer lock; the default 5 s ends in 'database is locked'.
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "factory": _WriteAheadLogConnection}}
    if backend in ("postgresql", "mysql"):
        # Fail in seconds on an unreachable host instead of the OS's TCP timeout (minutes);
        # pre-ping replaces connections dropped while a long trial was training.
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_S}, "pool_pre_ping": True}
    return {}


class _WriteAheadLogConnection(sqlite3.Connection):
    """A SQLite connection in write-ahead-log mode, about 4x faster per trial than the default.

    Readers no longer block the writer, and a commit needs no fsync (``synchronous=NORMAL``): a
    power cut may lose the last trials, never the file. Like any SQLite use, it needs a local disk.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _retry_while_locked(lambda: self.execute("PRAGMA journal_mode=WAL"), kwargs.get("timeout", 5.0))
        self.execute("PRAGMA synchronous=NORMAL")


def _retry_while_locked(action: Callable[[], T], timeout_s: float) -> T:
    """Run ``action``, retrying for up to ``timeout_s`` while SQLite answers 'database is locked'.

    Switching a fresh file to WAL needs an exclusive lock. When two processes open it at once, both
    hold a shared lock and both ask for the exclusive one; SQLite refuses one of them at once,
    without its busy handler (waiting could deadlock), so the connection's timeout does not help.
    The refused one retries once the other has switched the file.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(random.uniform(0.01, 0.05))


def _check_reachable(url: str, engine_kwargs: dict[str, Any]) -> None:
    """Connect once, so that a bad URL or a dead server fails now, clearly, and without retries."""
    try:
        engine = sqlalchemy.create_engine(_with_default_driver(url), **engine_kwargs)
    except ImportError as error:
        raise StorageUnavailableError(
            f"The database driver for {redact_url(url)} is not installed ({_scrub(error, url)}); "
            "for postgresql:// install psycopg2-binary."
        ) from None
    except (sqlalchemy.exc.ArgumentError, ValueError) as error:
        raise StorageUnavailableError(
            f"Storage URL {redact_url(url)} is not valid ({_scrub(error, url)}); expected {URL_FORMS}."
        ) from None
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.DBAPIError as error:
        raise StorageUnavailableError(_unreachable_message(url, error)) from None
    finally:
        engine.dispose()


def _unreachable_message(url: str, error: Exception) -> str:
    """What failed and what to check, by kind of database."""
    reason = _scrub(error, url)
    path = storage_file_path(url)
    if path is not None:
        return (
            f"Cannot open the SQLite study database {redact_url(url)} ({reason}). Check that the directory "
            f"{path.parent.resolve()} exists and is writable ({URL_FORMS})."
        )
    return (
        f"Cannot connect to the study database {redact_url(url)} ({reason}). Check that the server is "
        "running and reachable from this machine (host, port, firewall) and that the user, password and "
        "database exist; keep the password in conf/local/credentials.yml."
    )


def _scrub(error: BaseException, url: str = "") -> str:
    """The driver's message on one line, without SQLAlchemy's footer and without ``url``'s password."""
    message = str(getattr(error, "orig", None) or error)
    message = " ".join(message.split("(Background on this error")[0].split())
    password = urlsplit(url).password if "://" in url else None
    for secret in {password, unquote(password or "")} - {None, ""}:
        message = message.replace(secret, "***")
    return message


def _retry_on_race(action: Callable[[], T], what: str) -> T:
    """Run ``action``, retrying with jittered backoff when a concurrent creator collides with it.

    Two processes creating tables or the study on a fresh database at once see 'table already
    exists', unique-key violations or SQLite's 'database is locked'; the second try finds the
    winner's work done.
    """
    attempt = 1
    while True:
        try:
            return action()
        except (sqlalchemy.exc.DBAPIError, StorageInternalError) as error:
            if attempt == _RACE_ATTEMPTS:
                raise StorageUnavailableError(f"{what} failed {attempt} times: {_scrub(error)}") from error
            delay = random.uniform(0.05, 0.2) * 2**attempt
            logger.debug("%s collided with another process (%s); retrying in %.2f s", what, error, delay)
            time.sleep(delay)
            attempt += 1
