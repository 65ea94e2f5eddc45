"""local_compression on the tiny test environment: history, selection, reload, refusal of bad settings."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kedro_runs import latest_version, run_pipeline
from snac_pack.config import ConfigError
from snac_pack.data.features import FeatureTable
from snac_pack.datasets import CompressedModelsDataset, NpzDataset
from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.exact import exact_cost
from snac_pack.models.mlp import predict_classes, task_metric
from snac_pack.search.sampling import candidate_inputs
from snac_pack.search.space import Candidate


def test_history_has_every_network_precision_and_iteration(compressed_project: Path) -> None:
    history = pd.read_parquet(latest_version(compressed_project / "data/test/07_model_output/compression_history.parquet"))
    candidates = json.loads(latest_version(compressed_project / "data/test/07_model_output/search_candidates.json").read_text())
    # conf/test: one baseline, one precision, warm-up + 2 iterations.
    expected_models = {"baseline_8", *(f"trial_{c['trial']}" for c in candidates)}
    assert set(history["model"]) == expected_models
    assert len(history) == len(expected_models) * 1 * 3
    assert sorted(history.groupby("model")["iteration"].apply(list).iloc[0]) == [0, 1, 2]
    # Pruning rounds the schedule's fraction to whole weights: within half a weight of the target.
    n_weights = history["arch_json"].map(lambda text: sum(fan_in * units for fan_in, units in Architecture.model_validate_json(text).layer_shapes()))
    assert ((history["sparsity"] - history["target_sparsity"]).abs() <= 0.5 / n_weights + 1e-12).all()
    for column in ("exact_lut", "exact_ff", "exact_latency_cycles", "surrogate_lut", "bops"):
        assert history[column].notna().all() and (history[column] > 0).all(), column
    # Pruning 64 % of the weights never makes a network dearer, and makes most cheaper (a tiny
    # network may already have lost those weights to quantization).
    changes = [
        rows.sort_values("iteration")["exact_lut"].iloc[-1] - rows.sort_values("iteration")["exact_lut"].iloc[0]
        for _, rows in history.groupby("model")
    ]
    assert max(changes) <= 0 and min(changes) < 0, changes


def test_selected_models_reload_and_reproduce_their_metric(compressed_project: Path) -> None:
    path = latest_version(compressed_project / "data/test/06_models/compressed_models.npz")
    models = CompressedModelsDataset(filepath=str(path)).load()
    summary = json.loads(latest_version(compressed_project / "data/test/08_reporting/compression_summary.json").read_text())
    assert {row["model"] for row in summary["models"]} == set(models)
    assert summary["models"][0]["kind"] == "baseline"
    val = FeatureTable.from_arrays(NpzDataset(filepath=str(latest_version(compressed_project / "data/test/05_model_input/val.npz"))).load())
    test = FeatureTable.from_arrays(NpzDataset(filepath=str(latest_version(compressed_project / "data/test/05_model_input/test.npz"))).load())
    history = pd.read_parquet(latest_version(compressed_project / "data/test/07_model_output/compression_history.parquet"))
    for model in models.values():
        candidate = Candidate(model.network, 1e-3, model.input_window)
        metric = task_metric("fidelity", val.y, predict_classes(model.to_keras(), candidate_inputs(candidate, val)))
        assert metric == model.val_metric
        row = next(row for row in summary["models"] if row["model"] == model.name)
        assert row["val_metric"] == model.val_metric
        assert row["val_metric"] >= row["reference_metric"] - 0.01
        assert row["test_metric"] == task_metric("fidelity", test.y, predict_classes(model.to_keras(), candidate_inputs(candidate, test)))
        # The exact figures are da4ml's cost of the stored network itself, here and in the history.
        cost = exact_cost(model.arch, model.hardware_weights())
        at_point = (history["model"] == model.name) & (history["precision"] == model.point.name()) & (history["iteration"] == model.iteration)
        (history_row,) = history[at_point].to_dict("records")
        for figure in ("lut", "ff", "latency_cycles"):
            assert row[f"exact_{figure}"] == history_row[f"exact_{figure}"] == getattr(cost, figure), figure
    assert (compressed_project / "data/test/08_reporting/compression_plot.json").is_dir()


def test_a_quantization_aware_candidate_is_also_compressed_at_the_precision_its_trial_drew() -> None:
    import optuna

    from snac_pack.compression.settings import LayerBits
    from snac_pack.config import LocalCompressionParams
    from snac_pack.pipelines.local_compression.nodes import _jobs
    from snac_pack.search.space import SearchSpace, n_weighted_layers, suggest_candidate, suggest_precision

    space = SearchSpace.model_validate({
        "hidden_layers": {"low": 2, "high": 2}, "units": [8, 16], "batch_norm": [False],
        "per_layer": ["weight_bits", "activation_bits", "sparsity"],
        "precision": {"weight_bits": [4, 6, 8], "activation_bits": [6, 8], "sparsity": {"low": 0.0, "high": 0.8}},
    })
    drawn = optuna.trial.FixedTrial({
        "hidden_layers": 2, "units_0": 16, "units_1": 8, "dropout": 0.0, "l1": 1e-5, "learning_rate": 1e-3,
        "weight_bits_0": 4, "weight_bits_1": 8, "weight_bits_2": 6, "activation_bits_0": 6, "activation_bits_1": 8,
        "activation_bits_2": 6, "sparsity_0": 0.5, "sparsity_1": 0.2, "sparsity_2": 0.0,
    })
    suggest_candidate(space, drawn)
    suggest_precision(space, drawn, 3)
    record = {"trial": 7, "params": drawn.params}
    params = LocalCompressionParams.model_validate({
        "precisions": [{"weights": {"bits": 6, "integer": 0}, "activations": {"bits": 6, "integer": 3}}],
        "warmup": {"epochs": 2}, "pruning": {"iterations": 3, "fraction": 0.4, "finetune_epochs": 2},
    })
    jobs = {job.name: runs for job, runs in _jobs([record | {"mode": "quantization_aware"}], space, params)}
    assert set(jobs) == {"trial_7", "trial_7_searched"}
    assert jobs["trial_7"] == [(params.precisions[0], params.pruning)]
    [(point, schedule)] = jobs["trial_7_searched"]
    assert point.per_layer == (LayerBits(weights=4, activations=6), LayerBits(weights=8, activations=8), LayerBits(weights=6, activations=6))
    assert (schedule.iterations, schedule.finetune_epochs, schedule.layer_targets) == (3, 2, (0.5, 0.2, 0.0))
    assert n_weighted_layers(suggest_candidate(space, drawn)) == len(point.per_layer)
    # A float trial drew no precision; the option off compresses at the configured precisions only.
    assert [job.name for job, _ in _jobs([record | {"mode": "float"}], space, params)] == ["trial_7"]
    unsearched = params.model_copy(update={"searched_precision": False})
    assert [job.name for job, _ in _jobs([record | {"mode": "quantization_aware"}], space, unsearched)] == ["trial_7"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"local_compression": {"pruning": {"fraction": 1.2}}}, "local_compression.pruning.fraction: Input should be less than 1"),
        (
            {"local_compression": {"precisions": [{"weights": {"bits": 6, "integer": 6}, "activations": {"bits": 6, "integer": 3}}]}},
            "local_compression.precisions.0.weights: integer bits (6) above total bits",
        ),
    ],
)
def test_invalid_settings_are_refused_before_training(search_project: Path, params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_pipeline(search_project, env="test", pipeline="local_compression", params=params)
    assert not (search_project / "data/test/07_model_output/compression_history.parquet").exists()
