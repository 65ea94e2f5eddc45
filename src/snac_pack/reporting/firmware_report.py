"""The firmware report: agreement with QKeras and the four-way hardware comparison, as JSON and markdown.

Each column of the comparison holds only what its source produced: the surrogate's prediction
(with its measured error for each figure), da4ml's pre-placement estimate, Yosys' logic
synthesis (cell counts; it measures no latency) and the vendor's report. A figure a source does
not give is ``None`` ("–"); DSP and BRAM, which the distributed-arithmetic implementation
never uses, read "none by construction" under the surrogate and da4ml (Yosys and the vendor
show what they counted).
"""

from __future__ import annotations

from typing import Any

from snac_pack.reporting.sources import (
    FIGURE_NAMES,
    NONE_BY_CONSTRUCTION,
    SOURCE_NAMES,
    by_construction,
    surrogate_error,
)

COMPARED = ("lut", "ff", "dsp", "bram_18k", "carry", "latency_cycles", "latency_ns", "initiation_interval")
SOURCES = ("surrogate", "da4ml", "yosys", "vendor")
# Sources whose DSP and BRAM follow from the distributed-arithmetic flow itself, not from a tool's count.
_MODELLED = ("surrogate", "da4ml")


def source_names(vendor: dict[str, Any]) -> dict[str, str]:
    """The name of each column of the comparison: the tool, and for the vendor its stage."""
    cost = vendor.get("cost") or {}
    shown = f"{SOURCE_NAMES['vendor']} {vendor['tool']} ({cost.get('stage')})" if vendor.get("synthesised") else f"{SOURCE_NAMES['vendor']} (not run)"
    return {**{source: SOURCE_NAMES[source] for source in ("surrogate", "da4ml", "yosys")}, "vendor": shown}


def firmware_report(
    model: dict[str, Any],
    verification: dict[str, Any],
    hardware: dict[str, Any],
    vendor: dict[str, Any],
    surrogate_metrics: dict[str, Any],
    handoff: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Everything known about the firmware of one network (JSON-ready).

    Args:
        model: the network's description (name, architecture, family, precision, metric); a
            ``family`` adds that family's held-out surrogate error to each surrogate figure's.
        verification: the hls4ml build and its agreement with QKeras.
        hardware: ``surrogate``, ``da4ml`` and ``yosys`` figures of the same network.
        vendor: the vendor synthesis: ``synthesised`` and either its figures or the reason it did not run.
        surrogate_metrics: the surrogate's accuracy, whose error each surrogate figure carries.
        handoff: per selected network, its hand-off files in the archive and what each is.

    Returns:
        The report; ``comparison`` has one row per figure (a value per source and the
        surrogate's ``surrogate_error``), ``sources`` names each column.
    """
    figures = {source: hardware.get(source) for source in ("surrogate", "da4ml", "yosys")}
    figures["vendor"] = vendor.get("cost") if vendor.get("synthesised") else None
    strategy = hardware["da4ml"]["target_strategy"]
    comparison = [
        {
            "figure": name,
            **{
                source: NONE_BY_CONSTRUCTION if source in _MODELLED and by_construction(name, strategy) else (row or {}).get(name)
                for source, row in figures.items()
            },
            "surrogate_error": None if by_construction(name, strategy) or name == "carry" else surrogate_error(surrogate_metrics, name, model.get("family")),
        }
        for name in COMPARED
    ]
    return {
        "model": model,
        "hls4ml": verification["hls4ml"],
        "verification": verification["agreement"],
        "hardware": figures,
        "sources": source_names(vendor),
        "comparison": comparison,
        "vendor_synthesis": {key: value for key, value in vendor.items() if key != "cost"},
        "netlist_verification": hardware.get("netlist_agreement"),
        "open_flow": {"verilog_directory": hardware.get("verilog_directory"), "seconds": hardware.get("seconds")},
        "handoff": handoff or {},
    }


def comparison_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The comparison as a header and rows: figure, surrogate, its measured error, then each tool."""
    names = report["sources"]
    header = ["figure", names["surrogate"], f"{names['surrogate']}: measured error", *(names[source] for source in SOURCES[1:])]
    rows = [
        [FIGURE_NAMES[row["figure"]], row["surrogate"], row["surrogate_error"], *(row[source] for source in SOURCES[1:])]
        for row in report["comparison"]
    ]
    return header, rows


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"
    return str(value)


def firmware_markdown(report: dict[str, Any]) -> str:
    """The report as a page people read."""
    model, hls, agreement = report["model"], report["hls4ml"], report["verification"]
    vendor = report["vendor_synthesis"]
    lines = [
        f"# Firmware report: {model['name']}",
        "",
        f"- Network: {model['architecture']} ({model['kind']}), precision {model['precision']}, pruning iteration {model['iteration']}",
        f"- hls4ml {hls['backend']} project, strategy {hls['strategy']}, reuse factor {hls['reuse_factor']}, part {hls['part']}, "
        f"clock {hls['clock_period_ns']} ns, {hls['io_type']}; converted in {hls['convert_seconds']:.1f} s, C simulation compiled in {hls['compile_seconds']:.1f} s",
        "",
        "## C simulation against QKeras (test split)",
        "",
        "| inputs | bit-exact outputs | argmax agreement | largest difference | QKeras metric | firmware metric |",
        "|---|---|---|---|---|---|",
        f"| {agreement['n_samples']} | {100 * agreement['bit_exact_fraction']:.2f} % | {100 * agreement['argmax_agreement']:.2f} % | "
        f"{agreement['max_abs_difference']:g} | {agreement['qkeras_metric']:.4f} | {agreement['firmware_metric']:.4f} |",
        "",
        f"Required: at least {100 * agreement['min_bit_exact_fraction']:.2f} % bit-exact.",
        "",
    ]
    netlist = report.get("netlist_verification")
    if netlist:
        lines += [
            "## da4ml netlist against QKeras (test split)",
            "",
            "The netlist da4ml costs and writes the Verilog from, run by its integer interpreter.",
            "",
            "| inputs | bit-exact outputs | largest difference |",
            "|---|---|---|",
            f"| {netlist['n_samples']} | {100 * netlist['bit_exact_fraction']:.2f} % | {netlist['max_abs_difference']:g} |",
            "",
            f"Required: at least {100 * agreement['min_bit_exact_fraction']:.2f} % bit-exact.",
            "",
        ]
    lines += [
        "## Hardware, four ways",
        "",
    ]
    header, rows = comparison_table(report)
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    lines += ["", f"–: the source gives no such figure (logic synthesis measures no latency). {NONE_BY_CONSTRUCTION}: "
              "distributed arithmetic uses no DSP or BRAM.", "", "## Vendor synthesis", ""]
    if vendor["synthesised"]:
        lines.append(f"Synthesised by {vendor['tool']}; the figures joined the ground-truth table.")
    else:
        lines.append(f"**Not synthesised by a vendor tool**: {vendor['reason']}. The vendor column is empty; "
                     "the hardware figures above come from the surrogate, da4ml and Yosys only.")
    if report["hardware"]["surrogate"] is not None and hls["strategy"] != "distributed_arithmetic":
        lines += ["", f"Note: the surrogate, da4ml and Yosys describe the distributed-arithmetic implementation; "
                  f"the hls4ml project uses the {hls['strategy']} strategy."]
    if report.get("handoff"):
        lines += ["", "## Hand-off files (inside firmware_project.tar.gz)", "", "| network | file | what |", "|---|---|---|"]
        lines += [f"| {network} | `{path}` | {what} |" for network, files in report["handoff"].items() for path, what in files.items()]
    return "\n".join(lines) + "\n"
