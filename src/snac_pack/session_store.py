"""A Kedro session store that gives every run of a project its own save version.

Kedro names a run's versioned outputs after the millisecond its session was created. Runs
started together against one project directory (the array tasks of docs/cluster.md on a shared
file system, or two ``kedro run`` on one machine) can be created in the same millisecond; the
second to save a versioned dataset then fails at the end of its run ("must not exist if
versioning is enabled"). This store claims each run's version with an exclusive file under
``data/.run_versions/`` and moves to the next free millisecond when another run holds it, so
every run's outputs keep their own version directory.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kedro.framework.session.store import BaseSessionStore

logger = logging.getLogger(__name__)

#: Kedro's version format (``kedro.io.core.VERSION_FORMAT``), kept to milliseconds as Kedro does.
_VERSION_FORMAT = "%Y-%m-%dT%H.%M.%S.%fZ"
#: Claims older than this are removed when a run claims its own (a claim only matters while runs start).
_CLAIM_LIFETIME_S = 86_400
_MAX_ATTEMPTS = 10_000


def _parse(version: str) -> datetime:
    return datetime.strptime(version[:-1] + "000Z", _VERSION_FORMAT).replace(tzinfo=timezone.utc)


def _format(moment: datetime) -> str:
    text = moment.strftime(_VERSION_FORMAT)
    return text[:-4] + text[-1:]


def claim_version(claims: Path, version: str) -> str:
    """The first version at or after ``version`` (a Kedro timestamp) that no other run has claimed.

    Args:
        claims: folder of the claim files (created if missing; shared by every run of the project).
        version: the version Kedro gave the session.

    Returns:
        ``version``, or the next free millisecond after it.
    """
    claims.mkdir(parents=True, exist_ok=True)
    moment = _parse(version)
    for _ in range(_MAX_ATTEMPTS):
        candidate = _format(moment)
        try:
            os.close(os.open(claims / candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            moment += timedelta(milliseconds=1)
            continue
        if candidate != version:
            logger.info("Another run of this project started at %s; this run saves its outputs as version %s", version, candidate)
        _remove_old_claims(claims)
        return candidate
    raise RuntimeError(f"no free save version within {_MAX_ATTEMPTS} ms after {version} in {claims}; empty that folder and rerun")


def _remove_old_claims(claims: Path) -> None:
    cutoff = time.time() - _CLAIM_LIFETIME_S
    for claim in claims.iterdir():
        try:
            if claim.stat().st_mtime < cutoff:
                claim.unlink()
        except FileNotFoundError:  # another run removed it first
            pass


class UniqueVersionStore(BaseSessionStore):
    """Kedro's ephemeral session store, whose ``session_id`` (the run's save version) is claimed uniquely.

    Args:
        path: Kedro's session folder (``<project>/sessions``); claims go to ``<project>/data/.run_versions``.
        session_id: the id Kedro generated.
    """

    def __init__(self, path: str, session_id: str) -> None:
        self._claims = Path(path).parent / "data" / ".run_versions"
        super().__init__(path, session_id)

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "session_id" and isinstance(value, str):
            value = claim_version(self._claims, value)
        super().__setitem__(key, value)
