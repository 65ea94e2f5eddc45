"""global_search through KedroSession and ``kedro run`` on ``conf/test``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import optuna
import pandas as pd
import pytest

from kedro_runs import latest_version, run_pipeline
from search.postgres import postgres_server
from snac_pack.config import ConfigError
from snac_pack.hardware.surrogate import SurrogateTargetMismatch
from snac_pack.pipelines.global_search import nodes as global_search_nodes
from snac_pack.search.study import StudyChangedError, StudyMismatchError, StudySpec
from snac_pack.search.workers import SearchIncompleteError, SearchSummary

KEDRO = str(Path(sys.executable).parent / "kedro")


def test_search_writes_trials_front_candidates_and_plots(surrogate_project: Path) -> None:
    run_pipeline(surrogate_project, env="test", pipeline="global_search")

    trials = pd.read_parquet(latest_version(surrogate_project / "data/test/07_model_output/global_search_trials.parquet"))
    assert (trials["state"] == "COMPLETE").sum() == 6
    assert {"fidelity", "lut", "param_hidden_layers", "attr_bops", "attr_surrogate_lut", "worker", "duration_s"} <= set(trials.columns)
    assert trials["worker"].nunique() == 2

    front = pd.read_parquet(latest_version(surrogate_project / "data/test/07_model_output/pareto_front.parquet"))
    assert 1 <= len(front) <= 6
    candidates = json.loads(latest_version(surrogate_project / "data/test/07_model_output/search_candidates.json").read_text())
    selectors = {name for c in candidates for name in c["selected_by"]}
    assert {"best_metric", "knee"} <= selectors <= {"cheapest_at_baseline", "best_metric", "knee"}
    assert all(c["trial"] in set(front["number"]) for c in candidates)

    # The baseline of conf/test, measured as the trials are; the selector compares the front with it.
    baselines = pd.read_parquet(latest_version(surrogate_project / "data/test/07_model_output/search_baselines.parquet"))
    assert list(baselines["baseline"]) == ["baseline_8"] and baselines["exact_lut"].iloc[0] > 0
    assert baselines["metric_split"].iloc[0] == trials["attr_metric_split"].iloc[0]
    reached = front[front["fidelity"] >= baselines["fidelity"].max() - 0.01]
    assert ("cheapest_at_baseline" in selectors) == (not reached.empty)
    if not reached.empty:
        cheapest = next(c for c in candidates if "cheapest_at_baseline" in c["selected_by"])
        assert cheapest["trial"] == int(reached.loc[reached["lut"].idxmin(), "number"])

    plot = json.loads(latest_version(surrogate_project / "data/test/08_reporting/pareto_plot.json").read_text())
    assert plot["data"][0]["type"] == "scatter"
    names = [trace.get("name", "") for trace in plot["data"]]
    assert "baselines (surrogate)" in names and "baselines (da4ml pre-placement estimate)" in names
    statistics = json.loads(latest_version(surrogate_project / "data/test/08_reporting/search_statistics.json").read_text())
    assert statistics["trials_by_state"]["COMPLETE"] == 6
    assert statistics["baselines"][0]["exact_lut"] == baselines["exact_lut"].iloc[0]
    assert statistics["baseline_sources"]["exact_lut"].startswith("LUT (da4ml")

    # A second run continues the same study: it is complete, so nothing is added.
    run_pipeline(surrogate_project, env="test", pipeline="global_search")
    study = optuna.load_study(study_name="test_mlp", storage=f"sqlite:///{surrogate_project}/data/07_model_output/optuna_studies.db")
    assert len(study.trials) == len(trials)


def test_unknown_objective_lists_the_valid_ones(surrogate_project: Path) -> None:
    with pytest.raises(ConfigError, match=r"global_search\.objectives: unknown figure\(s\) \['luts'\]; valid: \['fidelity', 'bops', 'lut'"):
        run_pipeline(surrogate_project, env="test", pipeline="global_search", params={"global_search": {"objectives": {"luts": "minimize"}}})


def test_surrogate_for_another_target_is_refused(surrogate_project: Path) -> None:
    with pytest.raises(SurrogateTargetMismatch, match="trained for .* but the firmware configuration asks for"):
        run_pipeline(surrogate_project, env="test", pipeline="global_search", params={"hardware_target": {"clock_period_ns": 2.5}})


def test_two_kedro_runs_on_postgresql_join_one_study(surrogate_project: Path) -> None:
    with postgres_server() as url:
        environment = {**os.environ, "SNAC_PACK_STUDY_URL": url}
        command = [KEDRO, "run", "--env", "test", "--pipeline", "global_search", "--params", "global_search.n_workers=1,global_search.n_trials=12"]
        runs = [subprocess.Popen(command, cwd=surrogate_project, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=900)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], "\n".join(output[-3000:] for output in outputs)
        study = optuna.load_study(study_name="test_mlp", storage=url.replace("postgresql://", "postgresql+psycopg2://"))
        complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(complete) == 12
    assert len({t.user_attrs["worker"] for t in complete}) == 2  # both runs contributed


def test_exact_estimator_records_both_and_reports_the_surrogate_error(surrogate_project: Path) -> None:
    params = {"global_search": {"estimator": "exact", "n_trials": 4}}
    run_pipeline(surrogate_project, env="test", pipeline="global_search", params=params)

    trials = pd.read_parquet(latest_version(surrogate_project / "data/test/07_model_output/global_search_trials.parquet"))
    complete = trials[trials["state"] == "COMPLETE"]
    assert (complete["attr_estimator"] == "exact").all()
    # That these are da4ml's figures of the trained network is tested in tests/search/test_objective.py.
    assert complete["attr_surrogate_lut"].notna().all()
    statistics = json.loads(latest_version(surrogate_project / "data/test/08_reporting/search_statistics.json").read_text())
    assert set(statistics["surrogate_error_on_pareto_front"]) == {"lut", "ff"}


@pytest.mark.slow
def test_quantization_aware_trials_store_their_networks_and_feed_compression(surrogate_project: Path) -> None:
    from snac_pack.compression.saved import read_models

    params = {"global_search": {"mode": "quantization_aware", "n_trials": 4}, "search_space": {"batch_norm": [False]}}
    run_pipeline(surrogate_project, env="test", pipeline="global_search", params=params)
    trials = pd.read_parquet(latest_version(surrogate_project / "data/test/07_model_output/global_search_trials.parquet"))
    complete = trials[trials["state"] == "COMPLETE"]
    assert len(complete) == 4 and (complete["attr_mode"] == "quantization_aware").all()
    assert {"param_weight_bits", "param_sparsity"} <= set(complete.columns)
    for _, trial in complete.iterrows():
        path = surrogate_project / "data/test/06_models/search_trial_networks/test_mlp" / f"trial_{trial['number']}.npz"
        assert Path(trial["attr_network_file"]).resolve() == path.resolve()
        [network] = read_models(path).values()
        assert network.point.weights.bits == trial["param_weight_bits"] and network.val_metric >= 0.0
    # The candidates go on to compression, rebuilt from their trial parameters as float ones are, and
    # each also at the precision its trial drew, pruned to the sparsity it drew.
    run_pipeline(surrogate_project, env="test", pipeline="local_compression", params=params)
    summary = json.loads(latest_version(surrogate_project / "data/test/08_reporting/compression_summary.json").read_text())
    assert {model["kind"] for model in summary["models"]} >= {"candidate"}
    history = pd.read_parquet(latest_version(surrogate_project / "data/test/07_model_output/compression_history.parquet"))
    candidates = json.loads(latest_version(surrogate_project / "data/test/07_model_output/search_candidates.json").read_text())
    for record in candidates:
        assert record["mode"] == "quantization_aware"
        searched = history[history["model"] == f"trial_{record['trial']}_searched"].sort_values("iteration")
        assert not searched.empty and (searched["weight_bits"] == record["params"]["weight_bits"]).all()
        assert searched["target_sparsity"].iloc[-1] == pytest.approx(record["params"]["sparsity"])
    assert {model["model"] for model in summary["models"]} >= {f"trial_{record['trial']}_searched" for record in candidates}


# Each change of what the study's trials were measured under, as a user would make it on the command line.
STUDY_CHANGES = {
    "estimator": {"estimator": "exact"},
    "precision": {"precision": {"weight_bits": 4, "activation_bits": 6}},
    "training": {"training": {"epochs": 3}},
    "objectives": {"objectives": {"fidelity": "maximize", "ff": "minimize"}},
}


def test_a_rerun_under_changed_settings_stops_before_training_and_says_how_to_continue(search_project: Path) -> None:
    study = optuna.load_study(study_name="test_mlp", storage=f"sqlite:///{search_project}/data/07_model_output/optuna_studies.db")
    trials_before = len(study.trials)
    for component, change in STUDY_CHANGES.items():
        expected = "already exists with objectives" if component == "objectives" else rf"{component}: .*Nothing was run"
        with pytest.raises((StudyChangedError, StudyMismatchError), match=expected):
            run_pipeline(search_project, env="test", pipeline="global_search", params={"global_search": {**change, "n_trials": 8}})
    changed_space = {"search_space": {"units": [4, 8, 16]}, "global_search": {"n_trials": 8}}
    with pytest.raises(StudyChangedError, match=r"search_space: .*global_search\.accept_study_changes"):
        run_pipeline(search_project, env="test", pipeline="global_search", params=changed_space)
    assert len(optuna.load_study(study_name="test_mlp", storage=study._storage).trials) == trials_before

    accepted = {"global_search": {"training": {"epochs": 3}, "n_trials": 7, "accept_study_changes": ["training"]}}
    run_pipeline(search_project, env="test", pipeline="global_search", params=accepted)
    summary = json.loads(latest_version(search_project / "data/test/07_model_output/search_summary.json").read_text())
    assert summary["complete"] == 7 and [change["component"] for change in summary["accepted_changes"]] == ["training"]


def test_a_search_that_ends_short_fails_the_run_unless_a_partial_study_is_allowed(
    search_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ends_short(url: str, spec: StudySpec, objective: object, **_: object) -> SearchSummary:
        # As if the workers had stopped after repeated failures, two trials short of the target.
        return SearchSummary(study_name=spec.study_name, storage=url, target=spec.n_trials, complete_at_start=6,
                             complete=6, failed=2, wall_time_s=1.0, workers=(),
                             last_fail_reasons=("trial 7: ResourceExhaustedError: out of memory",))

    monkeypatch.setattr(global_search_nodes, "run_workers", ends_short)
    with pytest.raises(SearchIncompleteError, match=r"6 of 8 COMPLETE trials \(2 FAIL\).*out of memory"):
        run_pipeline(search_project, env="test", pipeline="global_search", params={"global_search": {"n_trials": 8}})
    assert not (search_project / "data/test/07_model_output/search_summary.json").exists() or len(
        list((search_project / "data/test/07_model_output/search_summary.json").iterdir())) == 1  # the failed run saved none

    run_pipeline(search_project, env="test", pipeline="global_search",
                 params={"global_search": {"n_trials": 8, "allow_partial_study": True}})
    summary = json.loads(latest_version(search_project / "data/test/07_model_output/search_summary.json").read_text())
    assert summary["partial"] is True and summary["complete"] == 6
