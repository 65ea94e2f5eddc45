"""The results the MCP tools return name the source of every hardware figure."""

from __future__ import annotations

import re

from reporting import inputs
from snac_pack.mcp_server.results import trial_rows


def test_trial_rows_name_the_source_of_every_hardware_figure() -> None:
    table = inputs.trials("surrogate")
    result = trial_rows(table, inputs.surrogate_metrics())
    sources = result["figure_sources"]
    shown = {name.removeprefix("attr_") for row in result["rows"] for name in row}
    # Every hardware figure of the rows (objective or attribute) has a source, the surrogate's with its error.
    hardware = {"lut", "ff", "dsp", "bram_18k", "latency_cycles", "bops"} & shown
    assert hardware == {"lut", "ff", "dsp", "bram_18k", "latency_cycles", "bops"} and hardware <= set(sources)
    assert sources["lut"] == "LUT (surrogate, held-out median error 2.5 %, n=40; trained-weight median error 8.0 %, n=6)"
    assert sources["dsp"] == "DSP (none by construction: distributed arithmetic)"
    assert all(re.search(r"surrogate|da4ml|BOPs|none by construction", label) for label in sources.values())


def test_da4ml_trials_and_missing_metrics_are_named_honestly() -> None:
    assert trial_rows(inputs.trials("exact"), {})["figure_sources"]["lut"] == "LUT (da4ml pre-placement estimate)"
    assert trial_rows(inputs.trials("surrogate"), {})["figure_sources"]["ff"] == "FF (surrogate, error not measured)"
