"""Resources of FPGA parts, to express costs as a percentage of the chip.

Figures from AMD/Xilinx product tables (UltraScale+ and RFSoC data sheets DS890 and DS926):
look-up tables, flip-flops, DSP slices and 18 Kib block RAMs (two per 36 Kib tile).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartResources:
    """Total resources of a device."""

    lut: int
    ff: int
    dsp: int
    bram_18k: int


# Keyed by device name, the part number up to its package (e.g. xcvu13p of xcvu13p-flga2577-2-e).
_DEVICES: dict[str, PartResources] = {
    "xcvu13p": PartResources(lut=1_728_000, ff=3_456_000, dsp=12_288, bram_18k=5_376),
    "xcvu9p": PartResources(lut=1_182_240, ff=2_364_480, dsp=6_840, bram_18k=4_320),
    "xcku115": PartResources(lut=663_360, ff=1_326_720, dsp=5_520, bram_18k=4_320),
    "xczu49dr": PartResources(lut=425_280, ff=850_560, dsp=4_272, bram_18k=2_160),
}


def part_resources(part: str) -> PartResources:
    """Resources of ``part``, e.g. ``xcvu13p-flga2577-2-e``.

    Raises:
        KeyError: for a device not in the table, listing those that are.
    """
    device = part.split("-")[0].lower()
    if device not in _DEVICES:
        raise KeyError(
            f"no resource figures for part '{part}' (device '{device}'); known devices: {sorted(_DEVICES)}. "
            "Use absolute objectives (lut, ff, ...) or add the device to snac_pack/hardware/parts.py"
        )
    return _DEVICES[device]


def resource_percentages(figures: dict[str, float], part: str) -> dict[str, float]:
    """Each resource as a percentage of the part, and their mean (``avg_resource_pct``)."""
    total = part_resources(part)
    percentages = {
        f"{name}_pct": 100.0 * figures[name] / getattr(total, name) for name in ("lut", "ff", "dsp", "bram_18k")
    }
    percentages["avg_resource_pct"] = sum(percentages.values()) / 4
    return percentages
