"""Helpers to run the project's pipelines through ``KedroSession`` in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project


def run_pipeline(project: Path, env: str, pipeline: str | None = None, params: dict[str, Any] | None = None) -> None:
    """Run ``pipeline`` (all when ``None``) of the project at ``project`` in environment ``env``."""
    bootstrap_project(project)
    with KedroSession.create(project_path=project, env=env, runtime_params=params or {}) as session:
        session.run(pipeline_names=[pipeline] if pipeline else None)


def latest_version(path: Path) -> Path:
    """The newest versioned file saved under a versioned dataset's ``path``."""
    versions = sorted(p for p in path.iterdir() if p.is_dir())
    assert versions, f"no versions saved under {path}"
    return versions[-1] / path.name
