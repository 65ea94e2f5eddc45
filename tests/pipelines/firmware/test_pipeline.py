"""firmware on the tiny test environment: report, archive, refusals that leave earlier outputs intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kedro_runs import latest_version, run_pipeline
from snac_pack.datasets import DirectoryArchiveDataset
from snac_pack.firmware.hls import FirmwareError


def test_firmware_report_holds_agreement_and_four_way_comparison(compression_project: Path) -> None:
    run_pipeline(compression_project, env="test", pipeline="firmware")
    report = json.loads(latest_version(compression_project / "data/08_reporting/firmware_report.json").read_text())
    assert report["verification"]["bit_exact_fraction"] >= 0.99
    assert report["hls4ml"]["strategy"] == "latency"
    lut = next(row for row in report["comparison"] if row["figure"] == "lut")
    assert lut["surrogate"] > 0 and lut["da4ml"] > 0 and lut["yosys"] > 0
    assert lut["vendor"] is None
    assert report["vendor_synthesis"]["synthesised"] is False
    assert "vitis-run" in report["vendor_synthesis"]["reason"]
    markdown = (compression_project / "data/08_reporting/firmware_report.md").read_text()
    assert "Not synthesised by a vendor tool" in markdown
    project = DirectoryArchiveDataset(filepath=str(latest_version(compression_project / "data/07_model_output/firmware_project.tar.gz"))).load()
    (model_dir,) = project.iterdir()
    assert (model_dir / "hls4ml" / "firmware" / "snac_pack_firmware.cpp").is_file()
    assert any((model_dir / "verilog").rglob("*.v"))

    # The run report gathers every pipeline's report into one self-contained page.
    run_pipeline(compression_project, env="test", pipeline="run_report")
    page = (compression_project / "data/08_reporting/run_report.html").read_text()
    for section in ("Data", "Hardware surrogate", "Global search", "Local compression", "Firmware", "Not synthesised by a vendor tool"):
        assert section in page
    assert "baseline_8" in page and "<script src=" not in page


def test_a_wrong_part_is_named_and_earlier_outputs_stay(compression_project: Path) -> None:
    models_dir = compression_project / "data/06_models/compressed_models.npz"
    before = sorted(p.name for p in models_dir.iterdir())
    with pytest.raises(FirmwareError, match="hardware_target.part: no resource figures for part 'xc7z999-clg400-1'"):
        run_pipeline(compression_project, env="test", pipeline="firmware", params={"hardware_target": {"part": "xc7z999-clg400-1"}})
    assert sorted(p.name for p in models_dir.iterdir()) == before
    assert not (compression_project / "data/08_reporting/firmware_report.json").exists()
