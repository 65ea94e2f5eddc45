"""Parameter validation: invalid values stop a run before any work, naming the key."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from snac_pack.config import ConfigError, parse_parameters

VALID: dict[str, Any] = {
    "task": {"name": "qubit", "metric": "fidelity"},
    "data_processing": {
        "source": "simulator",
        "simulation": {"n_examples": 100, "seed": 1, "physics": {"t1_us": 20.0}},
        "features": {"kind": "iq_window", "window_start": 0, "window_length": 50},
        "split": {"train": 0.6, "val": 0.2, "test": 0.2},
    },
    "search_space": {
        "hidden_layers": {"low": 1, "high": 2},
        "units": [4, 8],
        "input_window": {"start": {"low": 0, "high": 20}, "length": {"low": 5, "high": 30}},
    },
    "hardware_target": {"strategy": "distributed_arithmetic", "part": "xcvu13p-flga2577-2-e", "clock_period_ns": 5.0},
    "surrogate_training": {
        "n_random_designs": 10,
        "n_trained_designs": 1,
        "trained_epochs": 1,
        "yosys_designs": 0,
        "yosys_timeout_s": 60,
        "holdout_fraction": 0.25,
    },
    "global_search": {
        "n_trials": 4,
        "objectives": {"fidelity": "maximize", "lut": "minimize"},
        "precision": {"weight_bits": 8, "activation_bits": 8},
        "training": {"epochs": 1},
    },
    "local_compression": {
        "precisions": [{"weights": {"bits": 6, "integer": 0}, "activations": {"bits": 6, "integer": 3}}],
        "warmup": {"epochs": 1},
        "pruning": {"iterations": 1, "fraction": 0.5, "finetune_epochs": 1},
        "baselines": [{"name": "small", "hidden_units": [4], "input_window": [0, 20]}],
    },
    "firmware": {},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    params = copy.deepcopy(VALID)
    *parents, leaf = path.split(".")
    node = params
    for key in parents:
        node = node[key]
    node[leaf] = value
    return params


def test_valid_parameters_parse_into_typed_objects() -> None:
    params = parse_parameters(VALID)
    assert params.data_processing.split.fractions() == {"train": 0.6, "val": 0.2, "test": 0.2}
    assert params.data_processing.features.window_length == 50


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("data_processing.features.window_start", -5, "data_processing.features.window_start: Input should be greater than or equal to 0"),
        ("data_processing.features.window_length", 0, "data_processing.features.window_length: Input should be greater than 0"),
        ("data_processing.source", "database", "data_processing.source: Input should be 'simulator' or 'files'"),
        ("data_processing.split.test", 0.3, "data_processing.split: train + val + test must sum to 1, got 1.1"),
        ("data_processing.features.kind", "fft", "data_processing.features: Input tag 'fft' found using 'kind' does not match any of the expected tags: 'iq_window'"),
        ("data_processing.simulation.physics", {"kappa_mhz": -1.0}, "data_processing.simulation.physics.kappa_mhz: Input should be greater than 0"),
        ("data_processing.simulation.physics", {"kapa_mhz": 1.0}, "data_processing.simulation.physics.kapa_mhz: Extra inputs are not permitted"),
        ("task.name", "tau", "task.name: Input should be 'qubit'"),
        ("search_space.input_window.length.high", 60, "search_space.input_window: start.high + length.high = 80 exceeds data_processing.features.window_length = 50"),
        ("search_space.hidden_layers.high", 0, "search_space.hidden_layers: high (0) must be at least low (1)"),
        ("hardware_target.reuse_factor", 4, "hardware_target: reuse_factor=4 is not allowed with strategy=distributed_arithmetic"),
        ("global_search.objectives", {"fidelity": "maximize", "luts": "minimize"}, "global_search.objectives: unknown figure(s) ['luts']; valid: ['fidelity', 'bops', 'lut', 'ff'"),
        ("global_search.objectives", {"accuracy": "maximize", "lut": "minimize"}, "global_search.objectives: must include the task metric 'fidelity'"),
        ("global_search.precision.weight_bits", 5, "global_search.precision.weight_bits: 5 is not among search_space.precision.weight_bits [4, 6, 8]"),
        ("surrogate_training.holdout_fraction", 1.0, "surrogate_training.holdout_fraction: Input should be less than 1"),
        ("local_compression.precisions", [{"weights": {"bits": 6, "integer": 7}, "activations": {"bits": 6, "integer": 3}}], "local_compression.precisions.0.weights: integer bits (7) above total bits minus the sign (5)"),
        ("local_compression.pruning.fraction", 1.0, "local_compression.pruning.fraction: Input should be less than 1"),
        ("local_compression.pruning.fraction", 0.0, "local_compression.pruning.fraction: Input should be greater than 0"),
        ("local_compression.precisions", [{"weights": {"bits": 12, "integer": 0}, "activations": {"bits": 6, "integer": 3}}], "local_compression.precisions.0.weights.bits: 12 lies outside search_space.precision.weight_bits [4, 6, 8]"),
        ("local_compression.baselines", [{"name": "wide", "hidden_units": [4], "input_window": [40, 20]}], "local_compression.baselines.0.input_window: start + length = 60 exceeds data_processing.features.window_length = 50"),
        ("global_search.mode", "int8", "global_search.mode: Input should be 'float' or 'quantization_aware'"),
        ("global_search.training.early_stopping_fraction", 0.5, "global_search.training.early_stopping_fraction: Input should be less than 0.5"),
        ("local_compression.comparison", {"confidence": 1.0}, "local_compression.comparison.confidence: Input should be less than 1"),
        ("surrogate_training.train_sources", ["quartus"], "surrogate_training.train_sources.0: Input should be 'da4ml', 'yosys', 'vivado', 'vitis', 'wa-hls4ml' or 'surrogate'"),
    ],
)
def test_invalid_value_names_key_and_allowed_values(path: str, value: Any, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_parameters(_with(path, value))
    assert expected in str(error.value)


def test_quantization_aware_trials_refuse_a_space_with_batch_normalisation() -> None:
    params = _with("global_search.mode", "quantization_aware")
    params["search_space"]["batch_norm"] = [False, True]
    with pytest.raises(ConfigError, match="search_space.batch_norm: quantization-aware trials train the QKeras network"):
        parse_parameters(params)
    params["search_space"]["batch_norm"] = [False]
    assert parse_parameters(params).global_search.mode == "quantization_aware"


def test_families_over_tokens_are_accepted_and_drawn_per_trial_from_a_list() -> None:
    params = _with("search_space.family", ["mlp", "deepsets"])
    assert parse_parameters(params).search_space.families == ("mlp", "deepsets")
    params["search_space"]["family"] = "mixer"
    params["search_space"]["hidden_layers"] = {"low": 0, "high": 2}  # a body may lead straight to the head
    assert parse_parameters(params).search_space.max_weighted_layers == 2 * 2 + 2 + 1


def test_unknown_section_is_refused() -> None:
    params = _with("data_procesing", {})
    with pytest.raises(ConfigError, match="data_procesing: Extra inputs are not permitted"):
        parse_parameters(params)


def test_every_problem_is_reported_at_once() -> None:
    params = _with("data_processing.split.seed", -1)
    params["data_processing"]["source"] = "tape"
    with pytest.raises(ConfigError) as error:
        parse_parameters(params)
    assert "data_processing.split.seed" in str(error.value)
    assert "data_processing.source" in str(error.value)


def _tabular(**data_processing: Any) -> dict[str, Any]:
    params = copy.deepcopy(VALID)
    params["task"] = {"name": "tabular", "metric": "accuracy"}
    params["data_processing"].update(
        {"source": "files", "features": {"kind": "tabular", "label_column": "species", "feature_columns": None}, **data_processing}
    )
    del params["search_space"]["input_window"]
    params["global_search"]["objectives"] = {"accuracy": "maximize", "lut": "minimize"}
    params["local_compression"]["baselines"] = []
    return params


def test_a_tabular_task_names_its_columns() -> None:
    features = parse_parameters(_tabular()).data_processing.features
    assert (features.kind, features.label_column, features.feature_columns) == ("tabular", "species", None)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (_tabular(source="simulator"), "data_processing.source: task 'tabular' has no 'simulator' source; set it to files (the paths of catalog entry raw_sources)"),
        (_tabular(features={"kind": "tabular"}), "data_processing.features.label_column: Field required"),
        (_tabular(features={"kind": "tabular", "label_column": "y", "feature_columns": ["a", "y"]}), "data_processing.features: the label column 'y' cannot be a feature column too"),
        (_tabular(features={"kind": "tabular", "label_column": "y", "feature_columns": []}), "data_processing.features.feature_columns: Tuple should have at least 1 item"),
        (_tabular(features={"kind": "iq_window", "window_start": 0, "window_length": 50}), "data_processing.features.kind: 'iq_window' features do not apply to task 'tabular'"),
        ({**_tabular(), "task": {"name": "tabular", "metric": "fidelity"}}, "task: metric 'fidelity' is the two-state assignment fidelity of qubit readout; task 'tabular' uses 'accuracy'"),
    ],
)
def test_tabular_mistakes_name_the_key(params: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_parameters(params)
    assert expected in str(error.value)
