"""data_processing on the jet task: Pythia jets through the same, task-agnostic pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kedro_runs import latest_version, run_pipeline
from snac_pack.config import ConfigError

TINY_JETS = {"data_processing": {"simulation": {"n_examples": 100, "physics": {"n_workers": 1, "mpi": False}}}}


@pytest.mark.slow
def test_jet_simulation_runs_through_the_pipeline_and_is_cached(project_copy: Path) -> None:
    run_pipeline(project_copy, env="jet", pipeline="data_processing", params=TINY_JETS)

    with np.load(latest_version(project_copy / "data/jet/05_model_input/train.npz")) as train:
        assert train["x"].shape == (60, 24)  # 8 constituents x (z, deta, dphi)
        assert train["class_names"].tolist() == ["g", "q", "w", "z", "t"]
    assert latest_version(project_copy / "data/jet/08_reporting/data_report.png").stat().st_size > 10_000
    cache = list((project_copy / "data/01_raw/simulations").glob("jet_*.npz"))
    assert len(cache) == 1
    modified = cache[0].stat().st_mtime_ns

    # Switch the feature kind in the environment (a runtime override would keep n_constituents).
    parameters = project_copy / "conf/jet/parameters.yml"
    text = parameters.read_text().replace("kind: jet_constituents", "kind: jet_hlf").replace("n_constituents: 8", "z_cut: 0.1")
    parameters.write_text(text)
    run_pipeline(project_copy, env="jet", pipeline="data_processing", params=TINY_JETS)
    assert cache[0].stat().st_mtime_ns == modified  # loaded, not simulated again
    versions = sorted((project_copy / "data/jet/05_model_input/train.npz").iterdir())
    with np.load(versions[-1] / "train.npz") as train:
        assert train["x"].shape == (60, 16)
        assert train["feature_names"][0] == "zlogz"


def test_run_fields_are_refused_in_the_physics_settings(project_copy: Path) -> None:
    params = {"data_processing": {"simulation": {"physics": {"jets_per_class": 10}}}}
    with pytest.raises(ConfigError, match="physics.jets_per_class: set by data_processing.simulation"):
        run_pipeline(project_copy, env="jet", pipeline="data_processing", params=params)


def test_missing_hls4ml_directory_is_named(project_copy: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"raw_sources\.paths\.constituents: 'data/01_raw/jets/hls4ml_constituents' not found"):
        run_pipeline(project_copy, env="jet", pipeline="data_processing", params={"data_processing": {"source": "files"}})
