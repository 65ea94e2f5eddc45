"""The firmware report: agreement with QKeras and the four-way hardware comparison, as JSON and markdown."""

from __future__ import annotations

from typing import Any

COMPARED = ("lut", "ff", "dsp", "bram_18k", "carry", "latency_cycles", "latency_ns")
SOURCES = ("surrogate", "da4ml", "yosys", "vendor")


def firmware_report(
    model: dict[str, Any], verification: dict[str, Any], hardware: dict[str, Any], vendor: dict[str, Any]
) -> dict[str, Any]:
    """Everything known about the firmware of one network (JSON-ready).

    Args:
        model: the network's description (name, architecture, precision, metric).
        verification: the hls4ml build and its agreement with QKeras.
        hardware: ``surrogate``, ``da4ml`` and ``yosys`` figures of the same network.
        vendor: the vendor synthesis: ``synthesised`` and either its figures or the reason it did not run.
    """
    figures = {source: hardware.get(source) for source in ("surrogate", "da4ml", "yosys")}
    figures["vendor"] = vendor.get("cost") if vendor.get("synthesised") else None
    comparison = [
        {"figure": name, **{source: (row or {}).get(name) for source, row in figures.items()}} for name in COMPARED
    ]
    return {
        "model": model,
        "hls4ml": verification["hls4ml"],
        "verification": verification["agreement"],
        "hardware": figures,
        "comparison": comparison,
        "vendor_synthesis": {key: value for key, value in vendor.items() if key != "cost"},
        "open_flow": {"verilog_directory": hardware.get("verilog_directory"), "seconds": hardware.get("seconds")},
    }


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
        f"",
        f"Required: at least {100 * agreement['min_bit_exact_fraction']:.2f} % bit-exact.",
        "",
        "## Hardware, four ways",
        "",
        "| figure | surrogate | da4ml (exact) | Yosys synth_xilinx | vendor |",
        "|---|---|---|---|---|",
    ]
    for row in report["comparison"]:
        lines.append(f"| {row['figure']} | " + " | ".join(_cell(row[source]) for source in SOURCES) + " |")
    lines += ["", "## Vendor synthesis", ""]
    if vendor["synthesised"]:
        lines.append(f"Synthesised by {vendor['tool']}; the figures joined the ground-truth table.")
    else:
        lines.append(f"**Not synthesised by a vendor tool**: {vendor['reason']}. The vendor column is empty; "
                     "the LUT/FF figures above come from da4ml and Yosys only.")
    if report["hardware"]["surrogate"] is not None and hls["strategy"] != "distributed_arithmetic":
        lines += ["", f"Note: the surrogate, da4ml and Yosys describe the distributed-arithmetic implementation; "
                  f"the hls4ml project uses the {hls['strategy']} strategy."]
    return "\n".join(lines) + "\n"
