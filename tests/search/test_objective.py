"""What a trial objective says its trials are measured under: one digest per component a person may change."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.surrogate import fit_surrogate
from snac_pack.models.mlp import TrainingSettings
from snac_pack.search.objective import MADE_UNDER_COMPONENTS, TrialObjective
from snac_pack.search.space import BodySpace, FloatRange, IntRange, Precision, SearchSpace
from surrogate.synthetic import synthetic_rows, synthetic_statistics


def _table(seed: int) -> FeatureTable:
    rng = np.random.default_rng(seed)
    return FeatureTable(rng.normal(size=(40, 16)).astype(np.float32), rng.integers(0, 5, 40), tuple(f"f{i}" for i in range(16)),
                        tuple(f"c{i}" for i in range(5)))


def _surrogate(seed: int) -> Any:
    table, archs = synthetic_rows(60, seed=seed)
    return fit_surrogate(table, archs, max_layers=4, statistics=synthetic_statistics(archs, seed))


BASE = TrialObjective(
    space=SearchSpace(hidden_layers=IntRange(low=1, high=2), units=(8, 16)),
    objectives=("accuracy", "lut"),
    budgets={},
    metric="accuracy",
    estimator="surrogate",
    surrogate=_surrogate(0),
    precision=Precision(input_bits=8, input_integer_bits=3, weight_bits=6, weight_integer_bits=0, activation_bits=6,
                        activation_integer_bits=3),
    target=ImplementationTarget(),
    training=TrainingSettings(epochs=2),
    early_stopping_fraction=0.15,
    folds=1,
    train=_table(0),
    val=_table(1),
)

CHANGES: dict[str, dict[str, Any]] = {
    "surrogate": {"surrogate": _surrogate(1)},
    "search_space": {"space": SearchSpace(hidden_layers=IntRange(low=1, high=3), units=(8, 16))},
    "objectives": {"budgets": {"lut": 5000.0}},
    "estimator": {"estimator": "exact"},
    "precision": {"precision": dataclasses.replace(BASE.precision, weight_bits=4)},
    "hardware_target": {"target": ImplementationTarget(clock_period_ns=2.5)},
    "training": {"training": TrainingSettings(epochs=3)},
    "input_data": {"val": dataclasses.replace(BASE.val, x=BASE.val.x + 1.0)},
}


def _changed(first: TrialObjective, second: TrialObjective) -> set[str]:
    old, new = first.made_under(), second.made_under()
    assert set(old) == set(new) == set(MADE_UNDER_COMPONENTS)
    return {name for name in old if old[name].digest != new[name].digest}


def test_the_same_objective_built_twice_is_made_under_the_same() -> None:
    rebuilt = dataclasses.replace(BASE, surrogate=_surrogate(0), train=_table(0), tensorflow_threads=2)
    assert _changed(BASE, rebuilt) == set()  # a retrained identical surrogate, new threads: nothing changed


@pytest.mark.parametrize("component", list(CHANGES))
def test_each_kind_of_change_changes_exactly_its_component(component: str) -> None:
    assert set(CHANGES) == set(MADE_UNDER_COMPONENTS)
    assert _changed(BASE, dataclasses.replace(BASE, **CHANGES[component])) == {component}


def test_the_early_stopping_share_is_part_of_the_training_component() -> None:
    assert _changed(BASE, dataclasses.replace(BASE, early_stopping_fraction=0.2)) == {"training"}


@pytest.mark.parametrize("folds", [1, 3])
def test_early_stopping_never_sees_the_data_the_metric_is_measured_on(folds: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded metric is the validation split's (the held-out fold's): fitting and early stopping both used other data."""
    import optuna

    from snac_pack.search import objective as objective_module

    seen: list[tuple[np.ndarray, np.ndarray]] = []
    scored: list[np.ndarray] = []
    original_train, original_predict = objective_module.train_classifier, objective_module.predict_classes

    def spy_train(model: Any, train: Any, val: Any, settings: Any) -> Any:
        seen.append((train[0], val[0]))
        return original_train(model, train, val, settings)

    def spy_predict(model: Any, x: np.ndarray) -> np.ndarray:
        scored.append(x)
        return original_predict(model, x)

    monkeypatch.setattr(objective_module, "train_classifier", spy_train)
    monkeypatch.setattr(objective_module, "predict_classes", spy_predict)
    objective = dataclasses.replace(BASE, folds=folds, training=TrainingSettings(epochs=1))
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda trial: list(objective(trial).values()), n_trials=1)  # as the workers map the named values
    assert len(seen) == len(scored) == folds
    rows = lambda array: {row.tobytes() for row in array}  # noqa: E731
    for (fitted, watched), measured in zip(seen, scored, strict=True):
        assert not rows(fitted) & rows(watched) and not (rows(fitted) | rows(watched)) & rows(measured)
        assert len(watched) == pytest.approx(0.15 * (len(fitted) + len(watched)), abs=5)  # 5 classes, rounded each
    if folds == 1:
        assert rows(scored[0]) == rows(BASE.val.x)
    assert study.trials[0].user_attrs["metric_split"] == objective.metric_split()
    assert ("validation split" if folds == 1 else "3-fold cross-validation") in objective.metric_split()


def test_settings_components_are_readable_in_an_error() -> None:
    record = dataclasses.replace(BASE, estimator="exact").made_under()
    assert record["estimator"].summary == '"exact"'
    assert "train 40x16, val 40x16" in record["input_data"].summary


@pytest.mark.slow
def test_exact_mode_records_da4ml_cost_of_the_trained_network_whose_metric_it_records(monkeypatch: pytest.MonkeyPatch) -> None:
    import optuna

    from snac_pack.hardware.exact import exact_cost
    from snac_pack.models.export import quantized_network
    from snac_pack.models.mlp import predict_classes, task_metric
    from snac_pack.search import objective as objective_module

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 16)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0)  # learnable: 4 classes from 2 inputs
    tables = [FeatureTable(x[s], y[s], tuple(f"f{i}" for i in range(16)), tuple(f"c{i}" for i in range(4)))
              for s in (slice(0, 300), slice(300, 400))]
    # A fast, fixed learning rate and a seeded sampler: the trial learns every time (0.38 was seen
    # at 1e-3 on a loaded machine with an unseeded sampler).
    space = BASE.space.model_copy(update={"learning_rate": FloatRange(low=1e-2, high=1e-2)})
    objective = dataclasses.replace(BASE, estimator="exact", space=space, train=tables[0], val=tables[1],
                                    surrogate=_surrogate(0), training=TrainingSettings(epochs=30, batch_size=32, patience=10))
    costed = []

    def spy(model: Any, arch: Any) -> Any:
        costed.append((model, arch))
        return quantized_network(model, arch)

    monkeypatch.setattr(objective_module, "quantized_network", spy)
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda trial: list(objective(trial).values()), n_trials=1)  # as the workers map the named values
    trial = study.trials[0]
    (model, arch), = costed
    expected = exact_cost(arch, quantized_network(model, arch))  # da4ml, called here on the same weights
    val_x = tables[1].x
    assert trial.user_attrs["lut"] == expected.lut and trial.user_attrs["ff"] == expected.ff
    assert trial.user_attrs["latency_cycles"] == expected.latency_cycles
    assert trial.user_attrs["accuracy"] == task_metric("accuracy", tables[1].y, predict_classes(model, val_x))
    assert trial.user_attrs["accuracy"] > 0.6  # it learnt (chance: 0.25), so the costed weights are trained ones


def test_a_surrogate_loaded_in_another_process_is_made_under_the_same(tmp_path: Any) -> None:
    # Nodes of a cluster each load the pickled surrogate: their records must agree (a pickle's bytes do not).
    import pickle
    import subprocess
    import sys

    surrogate = dataclasses.replace(BASE.surrogate, trained_on=frozenset(f"architecture-{i}" for i in range(50)))
    path = tmp_path / "surrogate.pkl"
    path.write_bytes(pickle.dumps(surrogate))
    script = f"import pickle; print(pickle.loads(open({str(path)!r}, 'rb').read()).fingerprint())"
    prints = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
              for _ in range(3)}
    assert prints == {surrogate.fingerprint()}


def _learnable_tables() -> list[FeatureTable]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 16)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0)  # learnable: 4 classes from 2 inputs
    return [FeatureTable(x[s], y[s], tuple(f"f{i}" for i in range(16)), tuple(f"c{i}" for i in range(4)))
            for s in (slice(0, 300), slice(300, 400))]


@pytest.mark.slow
def test_a_quantization_aware_trial_records_the_metric_and_cost_of_the_network_it_stores(tmp_path: Any) -> None:
    import optuna

    from snac_pack.compression.saved import read_models
    from snac_pack.models.mlp import predict_classes, task_metric
    from snac_pack.search.objective import QuantizationAwareTrials
    from snac_pack.search.space import PrecisionSpace

    train, val = _learnable_tables()
    space = BASE.space.model_copy(update={
        "learning_rate": FloatRange(low=1e-2, high=1e-2),
        "precision": PrecisionSpace(weight_bits=(4, 6), activation_bits=(6,), sparsity=FloatRange(low=0.5, high=0.7)),
    })
    objective = dataclasses.replace(
        BASE, mode="quantization_aware", space=space, train=train, val=val, surrogate=_surrogate(0), networks_dir=tmp_path,
        training=TrainingSettings(epochs=20, batch_size=32, patience=5), quantization_aware=QuantizationAwareTrials(finetune_epochs=3),
    )
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda trial: list(objective(trial).values()), n_trials=1)  # as the workers map the named values
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.COMPLETE, trial.user_attrs
    attrs = trial.user_attrs
    assert attrs["mode"] == "quantization_aware" and attrs["weight_bits"] in (4, 6) and attrs["activation_bits"] == 6
    [network] = read_models(tmp_path / "trial_0.npz").values()
    assert attrs["network_file"] == str(tmp_path / "trial_0.npz")
    # The recorded metric is the stored network's, re-evaluated here on the validation split.
    assert attrs["accuracy"] == attrs["network_metric"] == task_metric("accuracy", val.y, predict_classes(network.to_keras(), network.inputs(val)))
    assert attrs["accuracy"] > 0.6  # it learnt (chance 0.25) at its precision
    # It was pruned to its target sparsity (one global threshold; quantization may zero a few more weights).
    assert attrs["sparsity"] == pytest.approx(attrs["target_sparsity"], abs=0.03)
    assert network.point.weights.bits == attrs["weight_bits"] and network.arch.layers[0].weight_bits == attrs["weight_bits"]
    # Its hardware figures are the surrogate's weight-aware prediction for the stored network.
    predicted = objective.surrogate.predict([network.arch], weights=[network.hardware_weights()]).iloc[0]
    assert attrs["lut"] == pytest.approx(predicted["lut"]) and attrs["ff"] == pytest.approx(predicted["ff"])
    assert attrs["surrogate_lut"] == pytest.approx(predicted["lut"])


def test_a_per_layer_quantization_aware_trial_trains_and_prunes_each_layer_at_its_own_draw(tmp_path: Any) -> None:
    import optuna

    from snac_pack.compression.saved import read_models
    from snac_pack.models.mlp import predict_classes, task_metric
    from snac_pack.search.objective import QuantizationAwareTrials
    from snac_pack.search.space import PrecisionSpace

    train, val = _learnable_tables()
    space = BASE.space.model_copy(update={
        "hidden_layers": IntRange(low=2, high=2),
        "learning_rate": FloatRange(low=1e-2, high=1e-2),
        "precision": PrecisionSpace(weight_bits=(4, 6, 8), activation_bits=(6, 8), sparsity=FloatRange(low=0.0, high=0.7)),
        "per_layer": ("weight_bits", "activation_bits", "sparsity"),
    })
    objective = dataclasses.replace(
        BASE, mode="quantization_aware", space=space, train=train, val=val, surrogate=_surrogate(0), networks_dir=tmp_path,
        training=TrainingSettings(epochs=20, batch_size=32, patience=5), quantization_aware=QuantizationAwareTrials(finetune_epochs=3),
    )
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=7))
    study.optimize(lambda trial: list(objective(trial).values()), n_trials=1)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.COMPLETE, trial.user_attrs
    [network] = read_models(tmp_path / "trial_0.npz").values()
    drawn = trial.params
    for index, layer in enumerate(network.arch.layers):
        assert (layer.weight_bits, layer.activation_bits) == (drawn[f"weight_bits_{index}"], drawn[f"activation_bits_{index}"])
        # Each layer pruned on its own to its target (its float kernel holds the mask; quantization
        # to few bits zeroes more of the small survivors, so the hardware kernel has at least as many zeros).
        pruned = float((network.weights[2 * index] == 0).mean())
        assert pruned == pytest.approx(drawn[f"sparsity_{index}"], abs=0.02)
        assert float((network.hardware_weights()[index][0] == 0).mean()) >= pruned
    assert len({layer.weight_bits for layer in network.arch.layers}) == 3  # this seed draws w4, w8, w6 and s0.02, 0.42, 0.67
    assert trial.user_attrs["precision"].startswith("w" + ",".join(str(drawn[f"weight_bits_{i}"]) for i in range(3)))
    assert trial.user_attrs["accuracy"] == task_metric("accuracy", val.y, predict_classes(network.to_keras(), network.inputs(val)))


def test_the_search_mode_is_part_of_the_training_component() -> None:
    assert _changed(BASE, dataclasses.replace(BASE, mode="quantization_aware")) == {"training"}


@pytest.mark.slow
def test_a_baseline_is_measured_as_a_trial_is_and_costed_by_da4ml_beside(monkeypatch: pytest.MonkeyPatch) -> None:
    from snac_pack.hardware.exact import exact_cost
    from snac_pack.models.export import quantized_network
    from snac_pack.models.mlp import NetworkSpec, predict_classes, task_metric
    from snac_pack.search import objective as objective_module
    from snac_pack.search.baselines import measure_baselines
    from snac_pack.search.space import Candidate

    costed = []

    def spy(model: Any, arch: Any) -> Any:
        costed.append((model, arch))
        return quantized_network(model, arch)

    monkeypatch.setattr(objective_module, "quantized_network", spy)
    rows = measure_baselines(BASE, {"expert_8": Candidate(NetworkSpec(hidden_units=(8,)), 1e-2, None)})
    (model, arch), = costed
    network = quantized_network(model, arch)
    row = rows.iloc[0]
    assert row["baseline"] == "expert_8" and row["task_metric"] == "accuracy" and arch.describe() == row["architecture"]
    assert [layer.units for layer in arch.layers] == [8, 5] and arch.layers[0].weight_bits == BASE.precision.weight_bits
    assert row["accuracy"] == task_metric("accuracy", BASE.val.y, predict_classes(model, BASE.val.x))
    predicted = BASE.surrogate.predict([arch], weights=[network]).iloc[0]
    assert row["lut"] == pytest.approx(predicted["lut"]) and row["surrogate_lut"] == pytest.approx(predicted["lut"])
    exact = exact_cost(arch, network)
    assert (row["exact_lut"], row["exact_ff"], row["exact_latency_cycles"]) == (exact.lut, exact.ff, exact.latency_cycles)
    assert row["metric_split"] == BASE.metric_split()


def test_settings_added_later_leave_the_record_of_an_unchanged_study_as_it_was() -> None:
    """A study recorded before per-layer choices, window ends and bodies existed continues when they stay at their defaults."""
    from snac_pack.search.objective import _described

    record = BASE.made_under()
    space = BASE.space.model_dump(mode="json")
    space.pop("per_layer")  # as the space was described before per-layer choices existed
    space.pop("body")  # and before the families with a body over tokens
    assert record["search_space"].digest == _described(space).digest
    precision = dataclasses.asdict(BASE.precision)
    precision.pop("per_layer")
    assert record["precision"].digest == _described(precision).digest
    per_layer = dataclasses.replace(BASE, space=BASE.space.model_copy(update={"per_layer": ("sparsity",)}))
    assert _changed(BASE, per_layer) == {"search_space"}
    body = dataclasses.replace(BASE, space=BASE.space.model_copy(update={"body": BodySpace(units=(4,))}))
    assert _changed(BASE, body) == {"search_space"}
