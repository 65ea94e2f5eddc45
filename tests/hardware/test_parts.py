"""Resource percentages of a part: avg_resource_pct averages only what the strategy can use."""

from __future__ import annotations

import pytest

from snac_pack.hardware import ImplementationTarget
from snac_pack.hardware.parts import part_resources, resource_percentages

PART = "xcvu13p-flga2577-2-e"


def test_distributed_arithmetic_zeros_do_not_halve_the_average() -> None:
    total = part_resources(PART)
    figures = {"lut": 0.02 * total.lut, "ff": 0.01 * total.ff, "dsp": 0.0, "bram_18k": 0.0}
    percentages = resource_percentages(figures, ImplementationTarget(part=PART))
    assert percentages["lut_pct"] == pytest.approx(2.0) and percentages["ff_pct"] == pytest.approx(1.0)
    assert (percentages["dsp_pct"], percentages["bram_18k_pct"]) == (0.0, 0.0)
    # Mean of LUT and FF only: 1.5 %, not the 0.75 % a mean over four resources would give.
    assert percentages["avg_resource_pct"] == pytest.approx(1.5)


def test_strategies_with_multipliers_average_all_four_resources() -> None:
    total = part_resources(PART)
    figures = {"lut": 0.04 * total.lut, "ff": 0.02 * total.ff, "dsp": 0.01 * total.dsp, "bram_18k": 0.01 * total.bram_18k}
    target = ImplementationTarget(part=PART, strategy="latency")
    assert resource_percentages(figures, target)["avg_resource_pct"] == pytest.approx(2.0)


def test_unknown_part_names_the_file_to_extend() -> None:
    with pytest.raises(KeyError, match="hardware/parts.py"):
        part_resources("xc7z999-clg400-1")
