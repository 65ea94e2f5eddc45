"""Importers of external results: hls4ml project folders and wa-hls4ml records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from snac_pack.hardware import (
    COST_COLUMNS,
    TARGET_COLUMNS,
    ImplementationTarget,
    cost_table,
    hls4ml_project_rows,
    read_hls4ml_project,
    read_wa_hls4ml,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_vivado_project_gives_hls_and_synthesis_rows() -> None:
    hls, synthesis = read_hls4ml_project(FIXTURES / "hls4ml_vivado_project")
    expected_target = ImplementationTarget(strategy="latency", part="xcvu13p-flga2577-2-e", clock_period_ns=5.0)
    assert hls.source == synthesis.source == "vivado"
    assert hls.target == synthesis.target == expected_target

    assert hls.stage == "hls"
    assert (hls.lut, hls.ff, hls.dsp, hls.bram_18k) == (63124, 21347, 1035, 4)
    assert (hls.latency_cycles, hls.latency_ns, hls.initiation_interval) == (9, 45.0, 1)
    assert hls.details["estimated_clock_period_ns"] == 4.166

    assert synthesis.stage == "synthesis"
    assert (synthesis.lut, synthesis.ff, synthesis.dsp) == (41876, 15233, 1021)
    assert synthesis.bram_18k == 3.0  # 1.5 Block RAM Tiles of 36 Kib
    assert synthesis.latency_cycles == 9  # carried over from C synthesis


def test_vitis_project_with_only_csynth() -> None:
    (hls,) = read_hls4ml_project(FIXTURES / "hls4ml_vitis_project")
    assert hls.source == "vitis" and hls.stage == "hls"
    assert hls.target == ImplementationTarget(
        strategy="distributed_arithmetic", part="xcu250-figd2104-2l-e", clock_period_ns=3.2
    )
    assert (hls.lut, hls.ff, hls.dsp, hls.bram_18k, hls.latency_cycles) == (27311, 8874, 0, 0, 12)
    assert "best_case_latency_cycles" not in hls.details  # 'undef' in the report


def test_explicit_target_is_used_and_missing_config_is_explained(tmp_path: Path) -> None:
    project = tmp_path / "prj"
    shutil.copytree(FIXTURES / "hls4ml_vitis_project", project)
    (project / "hls4ml_config.yml").unlink()
    with pytest.raises(FileNotFoundError, match="pass target"):
        read_hls4ml_project(project)
    target = ImplementationTarget(strategy="resource", reuse_factor=4, part="xcu250-figd2104-2l-e", clock_period_ns=3.2)
    (hls,) = read_hls4ml_project(project, target=target)
    assert hls.target == target


def test_unbuilt_project_is_reported(tmp_path: Path) -> None:
    project = tmp_path / "prj"
    project.mkdir()
    shutil.copy(FIXTURES / "hls4ml_vivado_project" / "project.tcl", project)
    shutil.copy(FIXTURES / "hls4ml_vivado_project" / "hls4ml_config.yml", project)
    with pytest.raises(FileNotFoundError, match="was the project built"):
        read_hls4ml_project(project)


def test_wa_hls4ml_records_become_rows() -> None:
    rows = read_wa_hls4ml(FIXTURES / "wa_hls4ml_records.json")
    # record 1: synthesis + hls; null skipped; record 2: synthesis + hls; record 3: hls only
    assert [(row["model_name"], row["stage"]) for row in rows] == [
        ("dense_16-64-32-5_rf1_p8", "synthesis"),
        ("dense_16-64-32-5_rf1_p8", "hls"),
        ("dense_8-16-4_rf4_p16", "synthesis"),
        ("dense_8-16-4_rf4_p16", "hls"),
        ("dense_32-8-2_rf1_p4", "hls"),
    ]
    first_synth, first_hls = rows[0], rows[1]
    assert first_synth["source"] == "wa-hls4ml"
    assert [first_synth[key] for key in ("lut", "ff", "dsp", "bram_18k")] == [9120, 2311, 0, 1.0]
    assert first_hls["bram_18k"] == 2.0  # C synthesis counts 18 Kib blocks already
    assert [first_synth[key] for key in ("latency_cycles", "latency_ns", "initiation_interval")] == [7, 35.0, 1]
    assert (first_synth["n_inputs"], first_synth["widths"], first_synth["weight_bits"]) == (16, "64-32-5", 8)
    assert first_synth["target_part"] == "xcu250-figd2104-2l-e" and first_synth["target_strategy"] == "latency"
    assert rows[2]["target_strategy"] == "resource" and rows[2]["target_reuse_factor"] == 4
    assert rows[2]["precision"] == "ap_fixed<16, 1>"


def test_malformed_wa_hls4ml_record_names_its_index(tmp_path: Path) -> None:
    records = json.loads((FIXTURES / "wa_hls4ml_records.json").read_text())
    del records[2]["hls_config"]["io_type"]
    with pytest.raises(ValueError, match=r"record 2 .*io_type"):
        read_wa_hls4ml(records)


def test_cost_table_mixes_sources_with_common_columns_first() -> None:
    rows = hls4ml_project_rows(FIXTURES / "hls4ml_vivado_project")
    rows += read_wa_hls4ml(FIXTURES / "wa_hls4ml_records.json")
    table = cost_table(rows)
    assert list(table.columns[: len(COST_COLUMNS) + len(TARGET_COLUMNS)]) == [*COST_COLUMNS, *TARGET_COLUMNS]
    assert len(table) == 7
    assert set(table["source"]) == {"vivado", "wa-hls4ml"}
    assert table.loc[table["source"] == "vivado", "project_name"].tolist() == ["myproject", "myproject"]
