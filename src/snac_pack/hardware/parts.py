"""Resources of FPGA parts, to express costs as a percentage of the chip.

Figures from AMD/Xilinx product tables (UltraScale+ and RFSoC data sheets DS890 and DS926):
look-up tables, flip-flops, DSP slices and 18 Kib block RAMs (two per 36 Kib tile).
"""

from __future__ import annotations

from dataclasses import dataclass

from snac_pack.hardware.architecture import ImplementationTarget, Strategy


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


#: The resources each hls4ml strategy can use. Distributed arithmetic builds every constant
#: product from adders in LUTs and flip-flops: it uses no DSP slice and no block RAM by construction.
USABLE_RESOURCES: dict[Strategy, tuple[str, ...]] = {
    "distributed_arithmetic": ("lut", "ff"),
    "latency": ("lut", "ff", "dsp", "bram_18k"),
    "resource": ("lut", "ff", "dsp", "bram_18k"),
}


def resource_percentages(figures: dict[str, float], target: ImplementationTarget) -> dict[str, float]:
    """Each resource as a percentage of the target's part, and their mean ``avg_resource_pct``.

    ``avg_resource_pct`` is the mean over the resources the target's strategy can use
    (:data:`USABLE_RESOURCES`): for distributed arithmetic the mean of the LUT and FF
    percentages, so the DSP and BRAM that it never uses do not halve it.

    Args:
        figures: ``lut``, ``ff``, ``dsp`` and ``bram_18k`` of a design.
        target: its implementation target (part and strategy).

    Returns:
        ``lut_pct``, ``ff_pct``, ``dsp_pct``, ``bram_18k_pct`` and ``avg_resource_pct``.
    """
    total = part_resources(target.part)
    percentages = {
        f"{name}_pct": 100.0 * figures[name] / getattr(total, name) for name in ("lut", "ff", "dsp", "bram_18k")
    }
    usable = USABLE_RESOURCES[target.strategy]
    percentages["avg_resource_pct"] = sum(percentages[f"{name}_pct"] for name in usable) / len(usable)
    return percentages
