"""Shared fixtures: a throw-away copy of the project for runs through ``KedroSession``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kedro_runs import run_pipeline

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_LAYERS = (
    "01_raw",
    "02_intermediate",
    "03_primary",
    "04_feature",
    "05_model_input",
    "06_models",
    "07_model_output",
    "08_reporting",
)


def _new_project(root: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "conf", root / "conf", ignore=shutil.ignore_patterns("local"))
    (root / "conf" / "local").mkdir()
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root / "pyproject.toml")
    # Kedro insists on a source folder; the package under test is the installed one.
    (root / "src").mkdir()
    for layer in DATA_LAYERS:
        (root / "data" / layer).mkdir(parents=True)
    return root


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The project's configuration in a temporary directory with empty data layers, as cwd.

    Runs write only there, so tests never touch the user's ``data/``.
    """
    root = _new_project(tmp_path / "project")
    monkeypatch.chdir(root)
    yield root


@pytest.fixture(scope="session")
def trained_surrogate_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy where data_processing and surrogate_training already ran on ``conf/test``.

    Built once per session (about two minutes); tests copy it with :func:`surrogate_project`.
    """
    root = _new_project(tmp_path_factory.mktemp("trained") / "project")
    previous = Path.cwd()
    os.chdir(root)
    try:
        run_pipeline(root, env="test", pipeline="data_processing")
        run_pipeline(root, env="test", pipeline="surrogate_training")
    finally:
        os.chdir(previous)
    return root


@pytest.fixture
def surrogate_project(trained_surrogate_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of :func:`trained_surrogate_project` as cwd."""
    root = tmp_path / "project"
    shutil.copytree(trained_surrogate_project, root)
    monkeypatch.chdir(root)
    yield root


@pytest.fixture(scope="session")
def searched_project(trained_surrogate_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`trained_surrogate_project` after global_search too (its candidates feed compression)."""
    root = tmp_path_factory.mktemp("searched") / "project"
    shutil.copytree(trained_surrogate_project, root)
    previous = Path.cwd()
    os.chdir(root)
    try:
        run_pipeline(root, env="test", pipeline="global_search")
    finally:
        os.chdir(previous)
    return root


@pytest.fixture
def search_project(searched_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of :func:`searched_project` as cwd."""
    root = tmp_path / "project"
    shutil.copytree(searched_project, root)
    monkeypatch.chdir(root)
    yield root


@pytest.fixture(scope="session")
def compressed_project(searched_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`searched_project` after local_compression too (its models feed the firmware)."""
    root = tmp_path_factory.mktemp("compressed") / "project"
    shutil.copytree(searched_project, root)
    previous = Path.cwd()
    os.chdir(root)
    try:
        run_pipeline(root, env="test", pipeline="local_compression")
    finally:
        os.chdir(previous)
    return root


@pytest.fixture
def compression_project(compressed_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of :func:`compressed_project` as cwd."""
    root = tmp_path / "project"
    shutil.copytree(compressed_project, root)
    monkeypatch.chdir(root)
    yield root
