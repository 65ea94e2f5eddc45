"""A new data set through configuration alone: a new environment runs every pipeline, no code changed.

The test plays a user with a CSV of their own: it writes the table under ``data/01_raw``,
creates ``conf/<name>/`` with a parameters and a catalog file, and runs ``kedro run --env <name>``
(every pipeline) in a throw-away copy of the project.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from kedro.config import OmegaConfigLoader

from kedro_runs import latest_version, run_pipeline
from snac_pack.config import parse_parameters

ENV = "my_table"
CLASSES = ("kaon", "muon", "pion")  # sorted; words that plotly.js, inlined in the report, does not contain
FEATURES = [f"f{index}" for index in range(8)]

# Tiny settings of every pipeline (the sizes of conf/test).
PARAMETERS = {
    "task": {"name": "tabular", "metric": "accuracy"},
    "data_processing": {
        "source": "files",
        "features": {"kind": "tabular", "label_column": "kind", "feature_columns": FEATURES},
    },
    "search_space": {
        "family": "mlp",
        "hidden_layers": {"low": 1, "high": 2},
        "units": [4, 8],
        "batch_norm": [False, True],
        "learning_rate": {"low": 1.0e-3, "high": 1.0e-2, "log": True},
        "precision": {"weight_bits": [4, 6], "activation_bits": [6], "sparsity": {"low": 0.0, "high": 0.5}},
    },
    "surrogate_training": {"n_random_designs": 30, "n_trained_designs": 2, "trained_epochs": 2, "yosys_designs": 0},
    "global_search": {
        "n_trials": 6,
        "n_workers": 2,
        "objectives": {"accuracy": "maximize", "lut": "minimize"},
        "training": {"epochs": 2},
        "sampler": {"population_size": 4},
        "heartbeat_interval_s": 5,
        "grace_period_s": 15,
        "progress_interval_s": 5,
        "precision": {"weight_bits": 6, "activation_bits": 6},
    },
    "local_compression": {
        "precisions": [{"weights": {"bits": 6, "integer": 0}, "activations": {"bits": 6, "integer": 3}}],
        "warmup": {"epochs": 3},
        "pruning": {"iterations": 2, "fraction": 0.4, "finetune_epochs": 2},
    },
    "firmware": {"strategy": "latency"},
}

CATALOG = {
    "raw_sources": {"type": "snac_pack.datasets.PathsDataset", "paths": {"table": "data/01_raw/my_table/events.csv"}},
    "global_search_study": {
        "type": "snac_pack.datasets.OptunaStudyDataset",
        "credentials": "global_search_study",
        "study_name": "my_table_mlp",
    },
}


def _write_table(path: Path) -> None:
    """A three-class table with eight numeric features and a text column that is not a feature."""
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=1500, n_features=8, n_informative=5, n_redundant=1, n_classes=3, class_sep=1.5, random_state=0
    )
    table = pd.DataFrame(x, columns=FEATURES).assign(
        event_id=[f"event-{index:05d}" for index in range(len(y))], kind=np.asarray(CLASSES)[y]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)


def _create_environment(root: Path) -> None:
    env = root / "conf" / ENV
    env.mkdir()
    (env / "parameters.yml").write_text(yaml.safe_dump(PARAMETERS, sort_keys=False))
    (env / "catalog.yml").write_text(yaml.safe_dump(CATALOG, sort_keys=False))


@pytest.mark.slow
def test_a_new_environment_runs_every_pipeline_without_code_changes(project_copy: Path) -> None:
    _write_table(project_copy / CATALOG["raw_sources"]["paths"]["table"])
    _create_environment(project_copy)

    run_pipeline(project_copy, env=ENV)

    with np.load(latest_version(project_copy / "data" / ENV / "05_model_input/train.npz")) as train:
        assert train["feature_names"].tolist() == FEATURES and train["class_names"].tolist() == list(CLASSES)
    data_report = json.loads(latest_version(project_copy / "data" / ENV / "08_reporting/data_report.json").read_text())
    assert data_report["task"] == "tabular" and list(data_report["class_balance"]["test"]) == list(CLASSES)
    assert data_report["baseline"]["test_accuracy"] > 0.6
    summary = json.loads(latest_version(project_copy / "data" / ENV / "08_reporting/compression_summary.json").read_text())
    assert summary["models"] and {model["kind"] for model in summary["models"]} == {"candidate"}  # no baselines configured
    firmware = json.loads(latest_version(project_copy / "data" / ENV / "08_reporting/firmware_report.json").read_text())
    assert firmware["verification"]["bit_exact_fraction"] >= 0.99

    page = (project_copy / "data" / ENV / "08_reporting/run_report.html").read_text()
    assert "snac-pack run report: tabular" in page
    for name in CLASSES:
        assert name in page


def test_the_example_environment_is_valid_and_reads_its_documented_table(project_copy: Path) -> None:
    """conf/example_tabular with the wine table its catalog documents: parameters validate, data_processing runs."""
    from sklearn.datasets import load_wine

    loader = OmegaConfigLoader(
        str(project_copy / "conf"), base_env="base", default_run_env="example_tabular", merge_strategy={"parameters": "soft"}
    )
    params = parse_parameters(loader["parameters"])
    assert params.task.name == "tabular" and params.data_processing.features.label_column == "target"
    table = project_copy / "data/01_raw/tabular/wine.csv"
    table.parent.mkdir(parents=True)
    load_wine(as_frame=True).frame.to_csv(table, index=False)

    run_pipeline(project_copy, env="example_tabular", pipeline="data_processing")

    report = json.loads(latest_version(project_copy / "data/example_tabular/08_reporting/data_report.json").read_text())
    assert report["n_examples"] == 178 and report["n_features"] == 13
    assert list(report["class_balance"]["train"]) == ["0", "1", "2"]
