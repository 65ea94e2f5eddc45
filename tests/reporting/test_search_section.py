"""The run report's search section says when a study is partial or took an accepted change."""

from __future__ import annotations

from reporting import inputs
from snac_pack.reporting.run_report import _search_section
from snac_pack.reporting.search_report import metric_splits, pareto_plot, search_statistics


def _section(summary: dict) -> str:
    metrics = inputs.surrogate_metrics()
    trials = inputs.trials()
    front = inputs.front(trials)
    return _search_section(search_statistics(trials, front, summary, metrics), pareto_plot(trials, front, "accuracy", ["lut"], metrics))


def test_a_partial_study_and_an_accepted_change_are_said_in_the_report() -> None:
    complete = _section({"storage": "sqlite:///study.db", "complete": 40, "target": 40, "partial": False})
    assert "Partial study" not in complete and "Accepted change" not in complete
    partial = _section({
        "storage": "sqlite:///study.db", "complete": 31, "target": 40, "partial": True,
        "last_fail_reasons": ["trial 38: ResourceExhaustedError: out of memory"],
        "accepted_changes": [{"component": "surrogate", "from": "", "to": "", "at": "2026-12-01T10:00:00+0000"}],
    })
    assert "<strong>Partial study:</strong> 31 of 40 COMPLETE trials" in partial and "out of memory" in partial
    assert "<strong>Accepted change</strong> of surrogate at 2026-12-01T10:00:00+0000" in partial


def test_the_report_names_the_data_the_trials_metric_was_measured_on() -> None:
    trials = inputs.trials()
    complete = trials["state"] == "COMPLETE"
    named = trials.assign(attr_metric_split="validation split (early stopping on 15 % of the training split)")
    assert metric_splits(named[complete]) == ["validation split (early stopping on 15 % of the training split)"]
    # Trials recorded before the split was named: early stopping watched the validation split too, and the report says so.
    older = named.copy()
    older.loc[older.index[:1], "attr_metric_split"] = None
    assert any("which early stopping also watched" in split for split in metric_splits(older[complete]))
    assert metric_splits(trials.drop(columns=[c for c in trials if c == "attr_metric_split"]).iloc[:0]) == []
    section = _search_section(search_statistics(named, inputs.front(named), {}, inputs.surrogate_metrics()),
                              pareto_plot(named, inputs.front(named), "accuracy", ["lut"], inputs.surrogate_metrics()))
    assert "task metric of the trials measured on</td><td>validation split (early stopping on 15 % of the training split)" in section
