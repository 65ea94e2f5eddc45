"""Every hardware figure a report shows names its source.

The run report is built from small hand-made inputs (:mod:`inputs`) by the same functions a run
calls, then read back as HTML: every table header, every row label and every plot text (axis
titles, subplot titles, trace names, hover texts) that names a hardware figure (LUT, FF, DSP,
BRAM, CARRY, latency, II) must name where it comes from (the surrogate, da4ml, Yosys, a vendor
tool, the BOPs count, or "none by construction"), and da4ml's estimate is never called exact.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

from reporting import inputs
import pytest

from snac_pack.reporting.compression_report import compression_plot, compression_summary
from snac_pack.reporting.firmware_report import firmware_markdown, firmware_report
from snac_pack.reporting.run_report import run_report_html
from snac_pack.reporting.search_report import pareto_plot, search_statistics

FIGURE = re.compile(r"\b(LUTs?|FFs?|DSPs?|BRAM|CARRY|latency|II)\b", re.IGNORECASE)
SOURCE = re.compile(r"surrogate|da4ml|yosys|vendor|vivado|vitis|BOPs|none by construction", re.IGNORECASE)
# "exact" alone would claim more than da4ml's pre-placement estimate; "bit-exact" is about outputs.
EXACT = re.compile(r"(?<!bit-)\bexact\b", re.IGNORECASE)


class _Tables(HTMLParser):
    """The tables of a page (header and rows of cell texts) and its visible text outside scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._in_script = True
        elif tag == "table":
            self.tables.append({"header": [], "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in_script = False
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append(("th:" if tag == "th" else "") + "".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and all(cell.startswith("th:") for cell in self._row):
                self.tables[-1]["header"] = [cell[3:] for cell in self._row]
            else:
                self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_script:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _plots(page: str) -> list[tuple[list, dict]]:
    """The data and layout of every plotly figure embedded in the page."""
    decoder, plots = json.JSONDecoder(), []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", page):
        data, end = decoder.raw_decode(page, match.end())
        layout, _ = decoder.raw_decode(page, page.index("{", end))
        plots.append((data, layout))
    return plots


def _plot_texts(data: list, layout: dict) -> list[str]:
    """Every text of a figure a reader sees: titles, axis titles, annotations, trace names and hover texts."""
    texts = [layout.get("title", {}).get("text", "")]
    texts += [axis.get("title", {}).get("text", "") for key, axis in layout.items() if re.fullmatch(r"[xy]axis\d*", key)]
    texts += [annotation.get("text", "") for annotation in layout.get("annotations", [])]
    for trace in data:
        texts.append(trace.get("name", ""))
        hover = trace.get("text")
        texts += hover if isinstance(hover, list) else [hover or ""]
        texts.append(trace.get("hovertemplate", ""))
    return [text for text in texts if text]


def unsourced(page: str) -> list[str]:
    """Every place of an HTML page that shows a hardware figure without naming its source."""
    parser = _Tables()
    parser.feed(page)
    problems = [f"header {name!r}" for table in parser.tables for name in table["header"] if FIGURE.search(name) and not SOURCE.search(name)]
    for table in parser.tables:
        for row in table["rows"]:
            label, cells = row[0], row[1:]
            if not FIGURE.search(label) or SOURCE.search(label):
                continue
            # A row named after a figure: each value's column (or the value itself) names the source.
            headers = table["header"][1:]
            for header, cell in zip(headers, cells, strict=True):
                if cell not in ("–", "") and not SOURCE.search(header) and not SOURCE.search(cell):
                    problems.append(f"row {label!r}, column {header!r}: {cell!r}")
    for data, layout in _plots(page):
        problems += [f"plot text {text!r}" for text in _plot_texts(data, layout) if FIGURE.search(text) and not SOURCE.search(text)]
    visible = html.unescape(" ".join(parser.text))
    problems += [f"'exact' in {visible[max(0, m.start() - 40):m.end() + 40]!r}" for m in EXACT.finditer(visible)]
    problems += [f"'exact' in plot text {text!r}" for data, layout in _plots(page) for text in _plot_texts(data, layout) if EXACT.search(text)]
    return problems


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
        compression_summary(inputs.selected(), "accuracy", {"tolerance": 0.01}, metrics),
        compression_plot(inputs.compression_history(), "accuracy"),
        firmware,
    )


@pytest.mark.parametrize("estimator", ["surrogate", "exact"])
def test_every_hardware_figure_of_the_run_report_names_its_source(estimator: str) -> None:
    page = _run_report(estimator)
    assert unsourced(page) == []
    # The check has something to check: every section shows hardware figures.
    parser = _Tables()
    parser.feed(page)
    headers = [name for table in parser.tables for name in table["header"]]
    assert sum(bool(FIGURE.search(name)) for name in headers) >= 15
    assert len(_plots(page)) == 2


def test_surrogate_figures_carry_their_measured_error() -> None:
    page = _run_report("surrogate")
    (pareto, _), (compression, _) = _plots(page)
    axis = next(text for text in _plot_texts(*_plots(page)[0]) if text.startswith("LUT ("))
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


def test_a_vendor_column_names_the_tool_and_its_stage() -> None:
    build = inputs.firmware_build()
    vendor = {"synthesised": True, "tool": "vitis-run", "cost": {"source": "vitis", "stage": "synthesis", "lut": 900.0, "dsp": 0.0}}
    report = firmware_report(inputs.model_description(), build, inputs.open_flow_hardware(), vendor, inputs.surrogate_metrics())
    assert report["sources"]["vendor"] == "vendor vitis-run (synthesis)"
    rows = {row["figure"]: row for row in report["comparison"]}
    assert rows["lut"]["vendor"] == 900.0 and rows["dsp"]["vendor"] == 0.0 and rows["latency_cycles"]["vendor"] is None
