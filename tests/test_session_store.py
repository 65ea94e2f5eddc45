"""Runs of one project started in the same millisecond keep separate save versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from snac_pack.session_store import claim_version

VERSION = "2026-12-01T21.46.12.068Z"


def test_a_claimed_version_moves_to_the_next_free_millisecond(tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    assert claim_version(claims, VERSION) == VERSION
    assert claim_version(claims, VERSION) == "2026-12-01T21.46.12.069Z"
    assert claim_version(claims, "2026-12-01T21.46.12.999Z") == "2026-12-01T21.46.12.999Z"
    assert claim_version(claims, "2026-12-01T21.46.12.999Z") == "2026-12-01T21.46.13.000Z"  # carries into the second


def test_two_sessions_created_in_one_millisecond_save_under_different_versions(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kedro.framework.session.session.generate_timestamp", lambda: VERSION)
    bootstrap_project(project_copy)
    sessions = [KedroSession.create(project_path=project_copy, env="test") for _ in range(2)]
    versions = [session.store["session_id"] for session in sessions]
    for session in sessions:
        session.close()
    assert versions == [VERSION, "2026-12-01T21.46.12.069Z"]
    assert sorted(p.name for p in (project_copy / "data/.run_versions").iterdir()) == versions
