"""The run report: one self-contained HTML page from data to firmware.

Everything is embedded (plotly.js inline, no network), so the page opens from a laptop, a
cluster's file browser or an e-mail attachment alike. Sections: the data, the surrogate's
accuracy, the global search (Pareto plot and statistics), compression (baselines against the
found models, at their selected points) and the firmware (agreement with QKeras and the
hardware four ways).
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

SECTIONS = ("Data", "Hardware surrogate", "Global search", "Local compression", "Firmware")

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


def _data_section(data_report: dict[str, Any]) -> str:
    balance = data_report["class_balance"]
    classes = list(next(iter(balance.values())))
    rows = [[split, *(counts.get(name, 0) for name in classes)] for split, counts in balance.items()]
    return (
        f"<p>Task <b>{html.escape(data_report['task'])}</b>: {data_report['n_examples']:,} examples, "
        f"{data_report['n_features']} model inputs.</p>" + _table(["split", *classes], rows)
    )


def _surrogate_section(metrics: dict[str, Any]) -> str:
    rows = []
    for group, label in (("held_out_random_weights", "held-out, random weights"), ("trained_weights", "trained weights"), ("yosys", "Yosys synthesis")):
        figures = metrics.get(group) or {}
        lut, ff, latency = figures.get("lut", {}), figures.get("ff", {}), figures.get("latency_cycles", {})
        rows.append([label, lut.get("n"), lut.get("r2"), lut.get("median_rel_error"), ff.get("r2"), ff.get("median_rel_error"), latency.get("within_one_cycle")])
    return (
        f"<p>Trained on {metrics.get('n_training_rows', '–')} designs from {', '.join(metrics.get('sources', []))} "
        f"for {html.escape(str(metrics['target']['strategy']))} on {html.escape(str(metrics['target']['part']))}.</p>"
        + _table(["evaluated on", "designs", "LUT R²", "LUT median rel. error", "FF R²", "FF median rel. error", "latency within 1 cycle"], rows)
    )


def _search_section(statistics: dict[str, Any], pareto: go.Figure) -> str:
    run = statistics.get("this_run", {})
    rows = [
        ["complete trials", statistics["trials_by_state"].get("COMPLETE", 0)],
        ["failed trials", statistics["trials_by_state"].get("FAIL", 0)],
        ["Pareto front size", statistics.get("pareto_front_size")],
        ["study wall time (s)", statistics.get("study_wall_time_s")],
        ["trials per hour", statistics.get("trials_per_hour")],
        ["workers", len(statistics.get("workers", []))],
        ["share of trial time in the hardware estimator", statistics.get("estimator_share_of_trial_time")],
        ["storage", run.get("storage")],
    ]
    return _table(["", "value"], rows) + _figure(pareto)


def _compression_section(summary: dict[str, Any], plot: go.Figure) -> str:
    metric = summary["metric"]
    rows = [
        [
            m["model"], m["kind"], m["architecture"], m["precision"], m["sparsity"], m["val_metric"], m.get("test_metric"),
            m["exact_lut"], m["surrogate_lut"], m["exact_ff"], m["surrogate_ff"], m["exact_dsp"], m["exact_bram_18k"],
            m["exact_latency_cycles"], m["surrogate_latency_cycles"],
        ]
        for m in summary["models"]
    ]
    header = [
        "network", "kind", "architecture", "bits (w.i-a.i)", "sparsity", f"val {metric}", f"test {metric}",
        "LUT exact", "LUT surrogate", "FF exact", "FF surrogate", "DSP", "BRAM 18k", "latency exact (cycles)", "latency surrogate",
    ]
    return (
        "<p>Each network at its selected point: the fewest exact (da4ml) LUTs within "
        f"{summary['selection']['tolerance']} of its best unpruned {html.escape(metric)}.</p>" + _table(header, rows) + _figure(plot)
    )


def _firmware_section(report: dict[str, Any]) -> str:
    agreement, hls, vendor = report["verification"], report["hls4ml"], report["vendor_synthesis"]
    vendor_line = (
        f"<p>Synthesised by {html.escape(str(vendor.get('tool')))}.</p>"
        if vendor["synthesised"]
        else f"<p class='warn'>Not synthesised by a vendor tool: {html.escape(vendor['reason'])}.</p>"
    )
    comparison = [[row["figure"], row["surrogate"], row["da4ml"], row["yosys"], row["vendor"]] for row in report["comparison"]]
    return (
        f"<p>{html.escape(report['model']['name'])}: {html.escape(report['model']['architecture'])}; hls4ml {hls['backend']}, "
        f"strategy {hls['strategy']}, part {hls['part']}, {hls['clock_period_ns']} ns.</p>"
        + _table(
            ["test inputs", "bit-exact", "argmax agreement", "QKeras metric", "firmware metric"],
            [[agreement["n_samples"], f"{100 * agreement['bit_exact_fraction']:.2f} %", f"{100 * agreement['argmax_agreement']:.2f} %", agreement["qkeras_metric"], agreement["firmware_metric"]]],
        )
        + _table(["figure", "surrogate", "da4ml (exact)", "Yosys", "vendor"], comparison)
        + vendor_line
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
