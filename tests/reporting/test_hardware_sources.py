"""Every hardware figure a report shows names its source.

The run report is built from small hand-made inputs (:mod:`inputs`) by the same functions a run
calls, then read back as HTML by :func:`sources_check.unsourced`.
"""

from __future__ import annotations

import html

import pytest

from reporting import inputs
from reporting.sources_check import EXACT, FIGURE, SOURCE, Tables, plot_texts, plots, unsourced
from snac_pack.reporting.compression_report import compression_plot, compression_summary
from snac_pack.reporting.firmware_report import firmware_markdown, firmware_report
from snac_pack.reporting.run_report import run_report_html
from snac_pack.reporting.search_report import pareto_plot, search_statistics


def _run_report(estimator: str = "surrogate") -> str:
    metrics = inputs.surrogate_metrics()
    trials = inputs.trials(estimator)
    front = inputs.front(trials)
    firmware = firmware_report(inputs.model_description(), inputs.firmware_build(), inputs.open_flow_hardware(), inputs.firmware_build()["vendor"], metrics)
    return run_report_html(
        inputs.data_report(),
        metrics,
        search_statistics(trials, front, {"storage": "sqlite:///study.db"}, metrics),
        pareto_plot(trials, front, "accuracy", ["lut", "bops"], metrics),
        compression_summary(inputs.selected(), "accuracy", {"tolerance": 0.01}, metrics, inputs.comparisons(), *inputs.picks()),
        compression_plot(inputs.compression_history(), "accuracy"),
        firmware,
    )


@pytest.mark.parametrize("estimator", ["surrogate", "exact"])
def test_every_hardware_figure_of_the_run_report_names_its_source(estimator: str) -> None:
    page = _run_report(estimator)
    assert unsourced(page) == []
    # The check has something to check: every section shows hardware figures.
    parser = Tables()
    parser.feed(page)
    headers = [name for table in parser.tables for name in table["header"]]
    assert sum(bool(FIGURE.search(name)) for name in headers) >= 15
    assert len(plots(page)) == 2


def test_surrogate_figures_carry_their_measured_error() -> None:
    page = _run_report("surrogate")
    axis = next(text for text in plot_texts(*plots(page)[0]) if text.startswith("LUT ("))
    assert axis == "LUT (surrogate, held-out median error 2.5 %, n=40; trained-weight median error 8.0 %, n=6)"
    assert "LUT (surrogate, held-out median error 2.5 %, n=40; trained-weight median error 8.0 %, n=6)" in html.unescape(page)
    assert "da4ml pre-placement estimate" in page


def test_the_checker_has_teeth() -> None:
    """Figures without a source, in each kind of place, are all caught."""
    bare = (
        "<table><thead><tr><th>network</th><th>LUT</th></tr></thead><tbody><tr><td>a</td><td>3</td></tr></tbody></table>"
        "<table><thead><tr><th>figure</th><th>value</th></tr></thead><tbody><tr><td>latency (cycles)</td><td>4</td></tr></tbody></table>"
        "<p>the fewest exact LUTs</p>"
        "<script>Plotly.newPlot(\"p\", [{\"name\": \"FF\", \"text\": [\"DSP 0\"]}], {\"xaxis\": {\"title\": {\"text\": \"II\"}}}, {})</script>"
    )
    problems = unsourced(bare)
    assert len(problems) == 6, problems
    assert unsourced(bare.replace("<th>LUT</th>", "<th>LUT (Yosys synth_xilinx)</th>")) == problems[1:]


def test_search_statistics_name_every_figure_and_the_comparison() -> None:
    metrics = inputs.surrogate_metrics()
    trials = inputs.trials("exact")
    statistics = search_statistics(trials, inputs.front(trials), {}, metrics)
    sources = statistics["figure_sources"]
    assert sources["lut"] == "LUT (da4ml pre-placement estimate)"
    assert sources["dsp"] == sources["dsp_pct"].replace("DSP % of the part", "DSP") == "DSP (none by construction: distributed arithmetic)"
    assert sources["bops"] == "BOPs (analytic count from the architecture)"
    assert set(statistics["surrogate_error_on_pareto_front"]) == {"lut", "ff"}
    assert "da4ml" in statistics["surrogate_error_on_pareto_front_is"]
    surrogate = search_statistics(inputs.trials("surrogate"), inputs.front(inputs.trials()), {}, metrics)["figure_sources"]
    assert surrogate["latency_cycles"] == "latency (cycles) (surrogate, held-out within one cycle 95 %, n=40; trained-weight within one cycle 95 %, n=6)"
    assert surrogate["avg_resource_pct"].startswith("mean % of the part over the resources the strategy can use (surrogate, LUT held-out median error 2.5 %")


def test_compression_summary_names_its_columns_and_dsp_is_none_by_construction() -> None:
    summary = compression_summary(inputs.selected(), "accuracy", {"tolerance": 0.01}, inputs.surrogate_metrics())
    assert summary["sources"]["exact_lut"] == "LUT (da4ml pre-placement estimate)"
    assert summary["sources"]["surrogate_lut"].startswith("LUT (surrogate, held-out median error 2.5 %, n=40")
    assert all(SOURCE.search(label) for label in summary["sources"].values())
    assert {(model["exact_dsp"], model["exact_bram_18k"]) for model in summary["models"]} == {("none by construction",) * 2}
    assert all(isinstance(model["exact_lut"], float) for model in summary["models"])
    assert summary["comparisons"] == []  # no comparison given: none shown


def test_run_report_compares_candidates_with_baselines_with_the_interval_and_the_lut_ratio() -> None:
    summary = compression_summary(inputs.selected(), "accuracy", {"tolerance": 0.01}, inputs.surrogate_metrics(), inputs.comparisons())
    [pair] = summary["comparisons"]
    # trial_3 at iteration 1: 2000 · 0.7 LUT against the baseline's 3000 · 0.7.
    assert pair["verdict"] == "no significant difference" and pair["lut_ratio"] == pytest.approx(2 / 3)
    page = _run_report()
    assert "Candidates against baselines on the test split (5,000 examples" in page
    assert "[-0.0020, +0.0120]" in page and "66.7 %" in page


def test_run_report_shows_the_points_chosen_against_each_baseline() -> None:
    summary = compression_summary(inputs.selected(), "accuracy", {"tolerance": 0.01}, inputs.surrogate_metrics(), (), *inputs.picks())
    by_pick = {pick["pick"]: pick for pick in summary["against_baselines"]}
    # The baseline's selected point: 0.745 at 2,100 LUT. The candidate is within 0.01 of it at 1,400 LUT
    # (iteration 1) and, at no more than 2,100 LUT, best at 0.75 (iteration 0, 2,000 LUT).
    assert {name: (p["model"], p["iteration"], p["model_lut"]) for name, p in by_pick.items()} == {
        "cheapest_at_baseline_metric": ("trial_3", 1, 1400.0), "best_at_baseline_cost": ("trial_3", 0, 2000.0),
    }
    page = _run_report()
    assert "at the baseline&#x27;s metric" in page and "best metric at the baseline&#x27;s LUTs" in page
    with pytest.raises(ValueError, match="1 comparisons for 2 picks"):
        compression_summary(inputs.selected(), "accuracy", {"tolerance": 0.01}, inputs.surrogate_metrics(), (),
                            inputs.picks()[0], inputs.picks()[1][:1])


def test_firmware_yosys_column_holds_only_what_yosys_counted() -> None:
    hardware = inputs.open_flow_hardware()
    report = firmware_report(inputs.model_description(), inputs.firmware_build(), hardware, inputs.firmware_build()["vendor"], inputs.surrogate_metrics())
    rows = {row["figure"]: row for row in report["comparison"]}
    # Yosys' cells: 840 LUTs, 655 FFs, 90 carry chains; no latency or II, though da4ml has them.
    assert (rows["lut"]["yosys"], rows["ff"]["yosys"], rows["carry"]["yosys"]) == (840.0, 655.0, 90.0)
    assert rows["latency_cycles"]["da4ml"] == 3 and rows["initiation_interval"]["da4ml"] == 1
    for figure in ("latency_cycles", "latency_ns", "initiation_interval"):
        assert rows[figure]["yosys"] is None
    assert all(rows[figure]["yosys"] != rows[figure]["da4ml"] for figure in ("lut", "ff", "latency_cycles"))
    # Zeros that Yosys counted stay Yosys' counts; da4ml and the surrogate have none by construction.
    assert rows["dsp"]["yosys"] == 0.0 and rows["dsp"]["da4ml"] == rows["dsp"]["surrogate"] == "none by construction"
    assert rows["lut"]["surrogate_error"] == "held-out median error 2.5 %, n=40; trained-weight median error 8.0 %, n=6"
    assert report["sources"] == {
        "surrogate": "surrogate", "da4ml": "da4ml pre-placement estimate", "yosys": "Yosys synth_xilinx", "vendor": "vendor (not run)",
    }
    markdown = firmware_markdown(report)
    header = next(line for line in markdown.splitlines() if line.startswith("| figure |"))
    assert header == "| figure | surrogate | surrogate: measured error | da4ml pre-placement estimate | Yosys synth_xilinx | vendor (not run) |"
    latency = next(line for line in markdown.splitlines() if line.startswith("| latency (cycles) |"))
    assert latency.split(" | ")[4:] == ["–", "– |"]
    assert not EXACT.search(markdown.replace("bit-exact", ""))


def test_a_network_of_another_family_carries_that_familys_surrogate_error() -> None:
    metrics = {**inputs.surrogate_metrics(), "by_family": [
        {"family": "deepsets", "n": 54, "lut_median_rel_error": 0.065, "ff_median_rel_error": 0.12, "latency_within_one_cycle": 0.98},
    ]}
    model = {**inputs.model_description(), "family": "deepsets"}
    report = firmware_report(model, inputs.firmware_build(), inputs.open_flow_hardware(), inputs.firmware_build()["vendor"], metrics)
    rows = {row["figure"]: row for row in report["comparison"]}
    assert rows["lut"]["surrogate_error"].endswith("; held-out deepsets networks median error 6.5 %, n=54")
    assert rows["latency_cycles"]["surrogate_error"].endswith("; held-out deepsets networks within one cycle 98 %, n=54")
    # An MLP is not a deepsets network: only the task's groups.
    mlp = firmware_report(inputs.model_description(), inputs.firmware_build(), inputs.open_flow_hardware(), inputs.firmware_build()["vendor"], metrics)
    assert "deepsets" not in next(row for row in mlp["comparison"] if row["figure"] == "lut")["surrogate_error"]


def test_a_vendor_column_names_the_tool_and_its_stage() -> None:
    build = inputs.firmware_build()
    vendor = {"synthesised": True, "tool": "vitis-run", "cost": {"source": "vitis", "stage": "synthesis", "lut": 900.0, "dsp": 0.0}}
    report = firmware_report(inputs.model_description(), build, inputs.open_flow_hardware(), vendor, inputs.surrogate_metrics())
    assert report["sources"]["vendor"] == "vendor vitis-run (synthesis)"
    rows = {row["figure"]: row for row in report["comparison"]}
    assert rows["lut"]["vendor"] == 900.0 and rows["dsp"]["vendor"] == 0.0 and rows["latency_cycles"]["vendor"] is None
