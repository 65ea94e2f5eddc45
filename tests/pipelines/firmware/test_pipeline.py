"""firmware on the tiny test environment: report, archive, refusals that leave earlier outputs intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kedro_runs import latest_version, run_pipeline
from reporting.sources_check import unsourced
from snac_pack.datasets import CompressedModelsDataset, DirectoryArchiveDataset, NpzDataset
from snac_pack.firmware.hls import FirmwareError
from snac_pack.hardware.exact import exact_cost


def test_firmware_report_holds_agreement_and_four_way_comparison(compression_project: Path) -> None:
    # The default path: firmware.strategy null, so hardware_target's distributed arithmetic (conf/test
    # chooses the faster latency strategy for its other runs).
    run_pipeline(compression_project, env="test", pipeline="firmware", params={"firmware": {"strategy": None}})
    report = json.loads(latest_version(compression_project / "data/test/08_reporting/firmware_report.json").read_text())
    assert report["hls4ml"]["strategy"] == "distributed_arithmetic"
    verification = report["verification"]
    test = NpzDataset(filepath=str(latest_version(compression_project / "data/test/05_model_input/test.npz"))).load()
    assert verification["n_samples"] == len(test["y"])
    assert (verification["bit_exact_fraction"], verification["max_abs_difference"]) == (1.0, 0.0)
    assert verification["firmware_metric"] == verification["qkeras_metric"]
    # da4ml's netlist, whose Verilog ships, computes what QKeras computes on the same inputs.
    assert report["netlist_verification"] == {"n_samples": len(test["y"]), "bit_exact_fraction": 1.0, "max_abs_difference": 0.0}
    # The da4ml column is da4ml's cost of the very network whose C simulation was verified.
    models = CompressedModelsDataset(filepath=str(latest_version(compression_project / "data/test/06_models/compressed_models.npz"))).load()
    firmware_model = models[report["model"]["name"]]
    cost = exact_cost(firmware_model.arch, firmware_model.hardware_weights())
    figures = {row["figure"]: row for row in report["comparison"]}
    for figure in ("lut", "ff", "latency_cycles"):
        assert figures[figure]["da4ml"] == getattr(cost, figure), figure
    assert figures["lut"]["surrogate"] > 0 and figures["lut"]["yosys"] > 0
    assert figures["lut"]["vendor"] is None
    assert report["vendor_synthesis"]["synthesised"] is False
    assert "vitis-run" in report["vendor_synthesis"]["reason"]
    markdown = (compression_project / "data/test/08_reporting/firmware_report.md").read_text()
    assert "Not synthesised by a vendor tool" in markdown and "## da4ml netlist against QKeras (test split)" in markdown
    project = DirectoryArchiveDataset(filepath=str(latest_version(compression_project / "data/test/07_model_output/firmware_project.tar.gz"))).load()
    (model_dir,) = project.iterdir()
    # The archived project is the distributed-arithmetic one: hls4ml wrote da4ml's adder-graph kernels.
    assert "nnet::dense_da_" in (model_dir / "hls4ml" / "firmware" / "snac_pack_firmware.cpp").read_text()
    assert any((model_dir / "verilog").rglob("*.v"))

    # The run report gathers every pipeline's report into one self-contained page.
    run_pipeline(compression_project, env="test", pipeline="run_report")
    page = (compression_project / "data/test/08_reporting/run_report.html").read_text()
    for section in ("Data", "Hardware surrogate", "Global search", "Local compression", "Firmware", "Not synthesised by a vendor tool"):
        assert section in page
    assert "baseline_8" in page and "<script src=" not in page
    assert unsourced(page) == []  # every hardware figure of the real page names its source


def test_a_wrong_part_is_named_and_earlier_outputs_stay(compression_project: Path) -> None:
    models_dir = compression_project / "data/test/06_models/compressed_models.npz"
    before = sorted(p.name for p in models_dir.iterdir())
    with pytest.raises(FirmwareError, match="hardware_target.part: no resource figures for part 'xc7z999-clg400-1'"):
        run_pipeline(compression_project, env="test", pipeline="firmware", params={"hardware_target": {"part": "xc7z999-clg400-1"}})
    assert sorted(p.name for p in models_dir.iterdir()) == before
    assert not (compression_project / "data/test/08_reporting/firmware_report.json").exists()
