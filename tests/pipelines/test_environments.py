"""Environments keep their outputs apart: a pipeline run alone reads only its own environment's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kedro_runs import latest_version, run_pipeline
from snac_pack.hardware.ground_truth import architecture_of
from snac_pack.hooks import MissingInputsError

TINY_JETS = {"data_processing": {"simulation": {"n_examples": 100, "physics": {"n_workers": 1, "mpi": False}}}}
TINY_JET_SURROGATE = {
    **TINY_JETS,
    "search_space": {"hidden_layers": {"low": 1, "high": 1}, "units": [4, 8]},
    "surrogate_training": {"n_random_designs": 16, "n_trained_designs": 1, "trained_epochs": 1, "yosys_designs": 0},
}


@pytest.mark.slow
def test_two_tasks_side_by_side_and_a_downstream_pipeline_of_the_first(project_copy: Path) -> None:
    run_pipeline(project_copy, env="jet", pipeline="data_processing", params=TINY_JETS)
    run_pipeline(project_copy, env="test", pipeline="data_processing")  # the qubit task, after the jets
    with np.load(latest_version(project_copy / "data/jet/05_model_input/train.npz")) as jets, \
            np.load(latest_version(project_copy / "data/test/05_model_input/train.npz")) as traces:
        assert jets["x"].shape[1] == 24 and traces["x"].shape[1] == 120  # 8 constituents x 3; 60 I/Q samples x 2

    # A pipeline whose inputs this environment has not made yet stops before any node, saying which run to do.
    with pytest.raises(MissingInputsError, match=r"(?s)Environment 'jet' has no output yet .*surrogate .*made by "
                       r"surrogate_training.*Run `kedro run --env jet --pipeline surrogate_training` first"):
        run_pipeline(project_copy, env="jet", pipeline="global_search")

    # Downstream of the first environment: it learns from the jets, not from the qubit run that came last.
    run_pipeline(project_copy, env="jet", pipeline="surrogate_training", params=TINY_JET_SURROGATE)
    rows = pd.read_parquet(latest_version(project_copy / "data/jet/03_primary/ground_truth.parquet"))
    trained = rows[(rows["weight_origin"] == "trained") & (rows["table"] == "project")]  # the shipped table holds every task's
    assert len(trained) >= 1 and {architecture_of(row).n_inputs for _, row in trained.iterrows()} == {24}
    assert not (project_copy / "data/test/06_models").exists()  # the qubit run made no surrogate
