"""The surrogate: fits a smooth cost, predicts batches in one call, refuses another target."""

from __future__ import annotations

import itertools

import pytest

from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.surrogate import SurrogateTargetMismatch, evaluate_surrogate, fit_surrogate
from surrogate.synthetic import synthetic_rows


def test_learns_a_smooth_cost_and_predicts_batches() -> None:
    table, archs = synthetic_rows(300, seed=0)
    surrogate = fit_surrogate(table, archs, max_layers=4)
    held_table, held_archs = synthetic_rows(60, seed=1)
    metrics = evaluate_surrogate(surrogate, held_table, held_archs)
    assert metrics["lut"]["r2"] > 0.95
    assert metrics["latency_cycles"]["within_one_cycle"] == 1.0
    assert metrics["dsp"]["constant"] == 0.0
    predicted = surrogate.predict(held_archs)
    assert list(predicted.columns) == ["lut", "ff", "dsp", "bram_18k", "latency_cycles", "initiation_interval"]
    assert len(predicted) == 60 and (predicted["dsp"] == 0).all()


def test_refuses_another_target() -> None:
    table, archs = synthetic_rows(30, seed=0)
    surrogate = fit_surrogate(table, archs, max_layers=4)
    other = ImplementationTarget(clock_period_ns=3.0)
    with pytest.raises(SurrogateTargetMismatch, match="trained for .*clock_period_ns': 5.0.* asks for .*clock_period_ns': 3.0"):
        surrogate.check_target(other)
    with pytest.raises(SurrogateTargetMismatch):
        surrogate.predict([archs[0].model_copy(update={"target": other})])


def test_refuses_deeper_architectures_than_it_knows() -> None:
    table, archs = synthetic_rows(30, seed=0)
    surrogate = fit_surrogate(table, archs, max_layers=4)
    deep = Architecture.from_widths([16, *itertools.repeat(8, 5), 5])
    with pytest.raises(ValueError, match="more than the surrogate's 4"):
        surrogate.predict([deep])


def test_figures_a_tool_does_not_give_are_neither_learnt_nor_judged() -> None:
    table, archs = synthetic_rows(300, seed=0)
    # Yosys rows: no latency, no initiation interval (synthesis measures no timing).
    table.loc[table.index[:100], ["latency_cycles", "initiation_interval"]] = float("nan")
    surrogate = fit_surrogate(table, archs, max_layers=4)
    held_table, held_archs = synthetic_rows(40, seed=1)
    assert evaluate_surrogate(surrogate, held_table, held_archs)["latency_cycles"]["within_one_cycle"] == 1.0
    held_table[["latency_cycles", "initiation_interval"]] = float("nan")
    metrics = evaluate_surrogate(surrogate, held_table, held_archs)
    assert metrics["latency_cycles"] == {"n": 0.0, "not_measured": 1.0}
    assert metrics["lut"]["n"] == 40.0 and metrics["lut"]["r2"] > 0.9
    with pytest.raises(ValueError, match="no ground-truth row gives 'latency_cycles'"):
        fit_surrogate(held_table, held_archs, max_layers=4)


def test_a_prediction_outside_the_training_ranges_is_named_and_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    table, archs = synthetic_rows(100, seed=0)  # 16 inputs, 1-3 hidden layers of 8-32, 5 outputs
    surrogate = fit_surrogate(table, archs, max_layers=4)
    wide = Architecture.from_widths([64, 128, 5], sparsity=0.3)
    inside = archs[0]
    from snac_pack.hardware.surrogate_features import architecture_matrix

    reasons = surrogate.outside_ranges(architecture_matrix([wide, inside], 4))
    assert reasons[0] == "n_inputs 64 (seen 16–16); hidden_width 128 (seen 8–32)"
    assert reasons[1] == ""
    wider = Architecture.from_widths([64, 96, 5], sparsity=0.3)  # the same quantities, other values: no second warning
    with caplog.at_level("WARNING", logger="snac_pack.hardware.surrogate"):
        surrogate.predict([wide, inside])
        surrogate.predict([wide])
        surrogate.predict([wider])
    warnings = [record.getMessage() for record in caplog.records if "outside what the surrogate learnt" in record.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("1 of 2 designs") and "n_inputs 64" in warnings[0]
