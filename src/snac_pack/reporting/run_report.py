"""The run report: one self-contained HTML page from data to firmware.

Everything is embedded (plotly.js inline, no network), so the page opens from a laptop, a
cluster's file browser or an e-mail attachment alike. Sections: the data (and where they come
from), the surrogate's accuracy, the global search (Pareto plot and statistics), compression
(baselines against the found models, at their selected points) and the firmware (agreement with
QKeras and the hardware four ways). Every hardware figure names its source (see
:mod:`snac_pack.reporting.sources`).
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from snac_pack.reporting.firmware_report import comparison_table
from snac_pack.reporting.sources import FIGURE_NAMES, NONE_BY_CONSTRUCTION, SOURCE_NAMES

if TYPE_CHECKING:
    import plotly.graph_objects as go

SECTIONS = ("Data", "Hardware surrogate", "Global search", "Local compression", "Firmware")
#: The compression summary's hardware columns shown, in order.
COMPRESSION_HARDWARE = (
    "exact_lut", "surrogate_lut", "exact_ff", "surrogate_ff", "exact_dsp", "exact_bram_18k", "exact_latency_cycles", "surrogate_latency_cycles", "bops",
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.scroll { overflow-x: auto; } table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.note { color: #555; font-size: 0.9rem; } .warn { color: #a33; font-weight: 600; }
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return html.escape(str(value))


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _figure(figure: go.Figure) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})


def _provenance(provenance: dict[str, Any]) -> str:
    if provenance["kind"] == "files":
        rows = [[item["name"], item["path"], item["bytes"], item["sha256"]] for item in provenance["files"]]
        return "<p>Read from files:</p>" + _table(["catalog name", "path", "bytes", "sha256"], rows)
    versions = ", ".join(f"{name} {version}" for name, version in provenance["package_versions"].items())
    settings = ", ".join(f"{key}={value}" for key, value in provenance["settings"].items())
    return (
        f"<p>Simulated by {html.escape(provenance['generator'])}: {provenance['n_examples']:,} examples, seed {provenance['seed']}; "
        f"{html.escape(versions)}. Cached at {html.escape(provenance['cache_file']['path'])} "
        f"(sha256 {provenance['cache_file']['sha256']}).</p><p class='note'>Settings: {html.escape(settings)}</p>"
    )


def _data_section(data_report: dict[str, Any]) -> str:
    balance = data_report["class_balance"]
    classes = list(next(iter(balance.values())))
    rows = [[split, *(counts.get(name, 0) for name in classes)] for split, counts in balance.items()]
    return (
        f"<p>Task <b>{html.escape(data_report['task'])}</b>: {data_report['n_examples']:,} examples, "
        f"{data_report['n_features']} model inputs.</p>" + _provenance(data_report["provenance"]) + _table(["split", *classes], rows)
    )


_SURROGATE_GROUPS = (("held_out_random_weights", "held-out, random weights"), ("trained_weights", "held-out, trained weights"), ("yosys", "Yosys synth_xilinx"))


def _surrogate_section(metrics: dict[str, Any]) -> str:
    truth = " and ".join(SOURCE_NAMES.get(source, source) for source in metrics.get("sources", []))
    rows = []
    for group, label in _SURROGATE_GROUPS:
        figures = metrics.get(group) or {}
        lut, ff, latency = figures.get("lut", {}), figures.get("ff", {}), figures.get("latency_cycles", {})
        # Yosys measures no latency: that column has no truth to compare with.
        within = None if group == "yosys" else latency.get("within_one_cycle")
        rows.append([label, figures.get("n", lut.get("n")), lut.get("r2"), lut.get("median_rel_error"), ff.get("r2"), ff.get("median_rel_error"), within])
    accuracy = ["surrogate LUT R²", "surrogate LUT median rel. error", "surrogate FF R²", "surrogate FF median rel. error", "surrogate latency within 1 cycle"]
    by_origin = [
        [record["origin"], record["n"], *(record[key] for key in ("lut_r2", "lut_median_rel_error", "ff_r2", "ff_median_rel_error", "latency_within_one_cycle"))]
        for record in metrics.get("by_origin", [])
    ]
    return (
        f"<p>Trained on {metrics.get('n_training_rows', '–')} designs of {html.escape(truth)} "
        f"for {html.escape(str(metrics['target']['strategy']))} on {html.escape(str(metrics['target']['part']))}; "
        f"judged against {html.escape(truth)} figures of held-out architectures, and against Yosys' cell counts.</p>"
        + _table(["evaluated against", "designs", *accuracy], rows)
        + (("<p>Every held-out row of the ground-truth table, by origin:</p>" + _table(["origin", "rows", *accuracy], by_origin)) if by_origin else "")
    )


def _search_section(statistics: dict[str, Any], pareto: go.Figure) -> str:
    run = statistics.get("this_run", {})
    rows = [
        ["complete trials", statistics["trials_by_state"].get("COMPLETE", 0)],
        ["failed trials", statistics["trials_by_state"].get("FAIL", 0)],
        ["Pareto front size", statistics.get("pareto_front_size")],
        ["task metric of the trials measured on", "; ".join(statistics.get("metric_measured_on", [])) or None],
        ["study wall time (s)", statistics.get("study_wall_time_s")],
        ["trials per hour", statistics.get("trials_per_hour")],
        ["workers", len(statistics.get("workers", []))],
        ["share of trial time in the hardware estimator", statistics.get("estimator_share_of_trial_time")],
        ["storage", run.get("storage")],
        ["worker processes replaced after dying (this run)", run.get("restarts", 0)],
    ]
    warnings = []
    if run.get("partial"):
        warnings.append(
            f"<p><strong>Partial study:</strong> {run.get('complete')} of {run.get('target')} COMPLETE trials "
            "(global_search.allow_partial_study is set). Last failures: "
            f"{html.escape('; '.join(run.get('last_fail_reasons', [])) or 'none')}.</p>"
        )
    for change in run.get("accepted_changes", []):
        warnings.append(
            f"<p><strong>Accepted change</strong> of {html.escape(change['component'])} at {html.escape(change['at'])}: "
            f"{html.escape(change['from'])} → {html.escape(change['to'])}; trials before it were measured under the old "
            "setting.</p>"
        )
    for name, error in statistics.get("surrogate_error_on_pareto_front", {}).items():
        rows.append([f"surrogate {FIGURE_NAMES[name]} median rel. error on the front (vs {SOURCE_NAMES['da4ml']})", error])
    sources = [[name, label] for name, label in statistics.get("figure_sources", {}).items()]
    return (
        "".join(warnings)
        + _table(["", "value"], rows)
        + "<p>The trials' hardware figures and their sources:</p>" + _table(["recorded as", "figure (source)"], sources)
        + _search_baselines_table(statistics)
        + _figure(pareto)
    )


def _search_baselines_table(statistics: dict[str, Any]) -> str:
    """The baselines as the search measured them: the figures the candidate selector compared with."""
    baselines = statistics.get("baselines", [])
    if not baselines:
        return ""
    sources = statistics["baseline_sources"]
    metric = baselines[0]["task_metric"]
    rows = [[b["baseline"], b["architecture"], b[metric], b["lut"], b["exact_lut"]] for b in baselines]
    return (
        f"<p>The baselines trained, scored and costed as the trials are ({html.escape(baselines[0]['metric_split'])}; "
        "the star and diamond on the plot; <code>cheapest_at_baseline</code> compares the front with the best of them):</p>"
        + _table(["baseline", "architecture", metric, sources["lut"], sources["exact_lut"]], rows)
    )


def _compression_section(summary: dict[str, Any], plot: go.Figure) -> str:
    metric, sources = summary["metric"], summary["sources"]
    hardware = [column for column in COMPRESSION_HARDWARE if column in sources]
    rows = [
        [m["model"], m["kind"], m["architecture"], m["precision"], m["sparsity"], m["val_metric"], m.get("test_metric"), *(m.get(c) for c in hardware)]
        for m in summary["models"]
    ]
    header = ["network", "kind", "architecture", "bits (w.i-a.i)", "sparsity", f"val {metric}", f"test {metric}", *(sources[c] for c in hardware)]
    return (
        f"<p>Each network at its selected point: the fewest LUTs ({SOURCE_NAMES['da4ml']}) within "
        f"{summary['selection']['tolerance']} of its best unpruned {html.escape(metric)}.</p>" + _table(header, rows)
        + _comparison_table(summary) + _picks_table(summary) + _figure(plot)
    )


#: How the run report names the picks of ``compression_summary.against_baselines``.
_PICK_NAMES = {
    "cheapest_at_baseline_metric": f"fewest LUTs ({SOURCE_NAMES['da4ml']}) at the baseline's metric",
    "best_at_baseline_cost": f"best metric at the baseline's LUTs ({SOURCE_NAMES['da4ml']})",
}


def _picks_table(summary: dict[str, Any]) -> str:
    """The candidates' points chosen on validation against each baseline, judged on the test split."""
    picks = summary.get("against_baselines", [])
    if not picks:
        return ""
    metric = html.escape(summary["metric"])
    rows = [
        [_PICK_NAMES.get(p["pick"], p["pick"]), p["baseline"], f"{p['model']} {p['precision']} iteration {p['iteration']}",
         p["sparsity"], p["val_metric"], p["baseline_val_metric"], f"{p['difference']:+.4f}", f"[{p['low']:+.4f}, {p['high']:+.4f}]",
         p["verdict"], p["model_lut"], p["baseline_lut"], None if p["lut_ratio"] is None else f"{100 * p['lut_ratio']:.1f} %"]
        for p in picks
    ]
    da4ml = SOURCE_NAMES["da4ml"]
    header = ["pick", "baseline", "point", "sparsity", f"val {metric}", f"baseline val {metric}", f"test {metric} difference",
              f"{100 * picks[0]['confidence']:.0f} % interval", "verdict", f"LUT ({da4ml})", f"baseline LUT ({da4ml})",
              f"LUT ratio ({da4ml})"]
    return (
        "<p>Against each baseline (at its selected point), the candidates' compression points chosen on the validation "
        f"split: the fewest LUTs whose {metric} is within {summary['selection']['tolerance']} of the baseline's, and the best "
        f"{metric} at no more than the baseline's LUTs; then judged on the test split as above.</p>" + _table(header, rows)
    )


def _comparison_table(summary: dict[str, Any]) -> str:
    """Every candidate against every baseline: the test metric difference with its interval, and the LUT ratio."""
    comparisons = summary.get("comparisons", [])
    if not comparisons:
        return "<p class='note'>No candidate-against-baseline comparison: the run has no baselines (local_compression.baselines).</p>"
    first = comparisons[0]
    metric = html.escape(summary["metric"])
    rows = [
        [c["model"], c["baseline"], f"{c['difference']:+.4f}", f"[{c['low']:+.4f}, {c['high']:+.4f}]", c["verdict"],
         c["model_lut"], c["baseline_lut"], None if c["lut_ratio"] is None else f"{100 * c['lut_ratio']:.1f} %"]
        for c in comparisons
    ]
    header = ["candidate", "baseline", f"test {metric} difference", f"{100 * first['confidence']:.0f} % interval", "verdict",
              f"candidate LUT ({SOURCE_NAMES['da4ml']})", f"baseline LUT ({SOURCE_NAMES['da4ml']})", f"LUT ratio ({SOURCE_NAMES['da4ml']})"]
    return (
        f"<p>Candidates against baselines on the test split ({first['n_examples']:,} examples, never used to choose): "
        f"candidate minus baseline, {100 * first['confidence']:.0f} % paired bootstrap interval ({first['n_resamples']:,} "
        "resamples of the test examples); a difference whose interval excludes zero is significant.</p>" + _table(header, rows)
    )


def _firmware_section(report: dict[str, Any]) -> str:
    agreement, hls, vendor = report["verification"], report["hls4ml"], report["vendor_synthesis"]
    vendor_line = (
        f"<p>Synthesised by {html.escape(str(vendor.get('tool')))}.</p>"
        if vendor["synthesised"]
        else f"<p class='warn'>Not synthesised by a vendor tool: {html.escape(vendor['reason'])}.</p>"
    )
    header, rows = comparison_table(report)
    return (
        f"<p>{html.escape(report['model']['name'])}: {html.escape(report['model']['architecture'])}; hls4ml {hls['backend']}, "
        f"strategy {hls['strategy']}, part {hls['part']}, {hls['clock_period_ns']} ns.</p>"
        + _table(
            ["test inputs", "bit-exact", "argmax agreement", "QKeras metric", "firmware metric"],
            [[agreement["n_samples"], f"{100 * agreement['bit_exact_fraction']:.2f} %", f"{100 * agreement['argmax_agreement']:.2f} %", agreement["qkeras_metric"], agreement["firmware_metric"]]],
        )
        + _table(header, rows)
        + f"<p class='note'>–: the source gives no such figure (logic synthesis measures no latency). {NONE_BY_CONSTRUCTION}: "
        "distributed arithmetic uses no DSP or BRAM.</p>"
        + vendor_line
        + (
            "<p>Hand-off files of every selected network, inside <code>firmware_project.tar.gz</code>:</p>"
            + _table(["network", "file", "what"], [[network, path, what] for network, files in report["handoff"].items()
                                                   for path, what in files.items()])
            if report.get("handoff") else ""
        )
    )


def run_report_html(
    data_report: dict[str, Any],
    surrogate_metrics: dict[str, Any],
    search_statistics: dict[str, Any],
    pareto_plot: go.Figure,
    compression_summary: dict[str, Any],
    compression_plot: go.Figure,
    firmware_report: dict[str, Any],
) -> str:
    """The self-contained HTML page of a run."""
    from plotly.offline import get_plotlyjs

    bodies = (
        _data_section(data_report),
        _surrogate_section(surrogate_metrics),
        _search_section(search_statistics, pareto_plot),
        _compression_section(compression_summary, compression_plot),
        _firmware_section(firmware_report),
    )
    sections = "".join(
        f"<section id='{title.lower().replace(' ', '-')}'><h2>{title}</h2>{body}</section>" for title, body in zip(SECTIONS, bodies, strict=True)
    )
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>snac-pack run report: {html.escape(data_report['task'])}</title><style>{_STYLE}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<h1>snac-pack run report: {html.escape(data_report['task'])}</h1><p class='note'>Written {created}.</p>"
        f"{sections}</body></html>"
    )
