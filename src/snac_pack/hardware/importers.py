"""Import hardware results of other flows into the cost table: hls4ml projects and the wa-hls4ml dataset.

hls4ml project folders (Vivado or Vitis backend), laid out as hls4ml writes them and as its own
``hls4ml.report.parse_vivado_report`` reads them:

- ``project.tcl``: ``set project_name``, ``set backend``, ``set part``, ``set clock_period``;
- ``hls4ml_config.yml``: strategy, reuse factor and I/O type of the conversion;
- ``<project>_prj/solution1/syn/report/<project>_csynth.xml``: C-synthesis estimate
  (``stage="hls"``), with the scheduled latency and interval;
- ``vivado_synth.rpt``: ``report_utilization`` after ``vivado_synth.tcl``'s logic synthesis
  (``stage="synthesis"``). Its "Block RAM Tile" counts 36 Kib tiles, converted to 18 Kib here
  (hls4ml's parser files the tile count under ``BRAM_18K`` unconverted).

wa-hls4ml (Hawks et al., ACM TRETS 19(2), 2026; huggingface.co/datasets/fastmachinelearning/wa-hls4ml)
ships JSON arrays of per-design records. Its data card documents the fields read here:
``meta_data`` (uuid or model_id, model_name, artifacts_file), ``model_config`` (per-layer
objects with class_name, input_shape, output_shape), ``hls_config`` (``Model.Precision``,
``Model.ReuseFactor``, ``Model.Strategy``, ``clock_period``, ``io_type``), ``resource_report``
(post-logic-synthesis bram, dsp, ff, lut as strings; bram in 36 Kib tiles, fractional),
``hls_resource_report`` (C-synthesis estimate, bram in 18 Kib blocks), ``latency_report``
(cycles_min/max, interval_min/max, target_clock, estimated_clock, from C synthesis) and
``target_part``. Null array entries are skipped; an empty report means "not synthesized" and
yields no row, never zeros. The schema was taken from the data card, not from a downloaded file.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.cost import COST_COLUMNS, TARGET_COLUMNS, CostSource, HardwareCost

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

_STRATEGIES = {
    "latency": "latency",
    "resource": "resource",
    "distributed_arithmetic": "distributed_arithmetic",
    "da": "distributed_arithmetic",
}
_BRAM_18K_PER_TILE = 2.0
_TCL_SETTING = re.compile(r'^\s*set\s+(\w+)\s+"?([^"\s]+)"?\s*$')
_DENSE_CLASSES = ("Dense", "QDense")


class _IgnoreTagsLoader(yaml.SafeLoader):
    """Safe YAML loader that reads unknown tags (hls4ml writes ``!keras_model``) as plain values."""


_IgnoreTagsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


# ---------------------------------------------------------------- hls4ml project folders


def read_hls4ml_project(project_dir: str | Path, target: ImplementationTarget | None = None) -> list[HardwareCost]:
    """Read the C-synthesis and logic-synthesis results of an hls4ml project folder.

    Args:
        project_dir: The hls4ml output directory (holding ``project.tcl``).
        target: Implementation target; default read from ``hls4ml_config.yml`` and ``project.tcl``.

    Returns:
        The ``stage="hls"`` cost if ``*_csynth.xml`` exists, then the ``stage="synthesis"`` cost
        if ``vivado_synth.rpt`` exists (with the C-synthesis latency, which logic synthesis keeps).
        ``source`` is the backend, ``vivado`` or ``vitis``.

    Raises:
        FileNotFoundError: No ``project.tcl``, or neither report.
        ValueError: A report or the configuration cannot be read; the message names the file.
    """
    project_dir = Path(project_dir)
    settings = _read_project_tcl(project_dir / "project.tcl")
    name, backend = settings["project_name"], settings.get("backend", "vivado").lower()
    source: CostSource = "vitis" if "vitis" in backend else "vivado"
    top = f"{name}_axi" if "accelerator" in backend else name
    target = target or _hls4ml_target(project_dir, settings)

    costs: list[HardwareCost] = []
    csynth_path = _find_csynth_xml(project_dir / f"{name}_prj", top)
    csynth = read_csynth_xml(csynth_path, source, target) if csynth_path else None
    if csynth:
        costs.append(csynth)
    utilization_path = project_dir / "vivado_synth.rpt"
    if utilization_path.is_file():
        costs.append(read_vivado_utilization(utilization_path, source, target, latency_from=csynth))
    if not costs:
        raise FileNotFoundError(
            f"{project_dir}: neither {name}_prj/<solution>/syn/report/{top}_csynth.xml nor vivado_synth.rpt; "
            "was the project built (hls4ml build, or Vivado/Vitis HLS)?"
        )
    return costs


def hls4ml_project_rows(project_dir: str | Path, target: ImplementationTarget | None = None) -> list[dict[str, Any]]:
    """Cost-table rows of an hls4ml project folder (see :func:`read_hls4ml_project`).

    Args:
        project_dir: The hls4ml output directory.
        target: Implementation target; default read from the project.

    Returns:
        One row per report: the cost and target columns plus ``project_name`` and ``report_path``.
    """
    project_dir = Path(project_dir)
    name = _read_project_tcl(project_dir / "project.tcl")["project_name"]
    return [
        {**cost.to_row(), "project_name": name, "report_path": str(project_dir)}
        for cost in read_hls4ml_project(project_dir, target)
    ]


def read_csynth_xml(path: str | Path, source: CostSource, target: ImplementationTarget) -> HardwareCost:
    """Parse a Vivado/Vitis HLS ``*_csynth.xml`` report.

    Args:
        path: The report.
        source: ``vivado`` or ``vitis``.
        target: Implementation target of the design.

    Returns:
        LUT, FF, DSP, BRAM_18K, worst-case latency and maximal interval, ``stage="hls"``;
        estimated clock period, best-case latency and URAM in ``details``.
    """
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        raise ValueError(f"{path}: not well-formed XML ({error})") from error
    resources = root.find("./AreaEstimates/Resources")
    latency = root.find("./PerformanceEstimates/SummaryOfOverallLatency")
    if resources is None or latency is None:
        raise ValueError(f"{path}: no AreaEstimates/Resources or SummaryOfOverallLatency; not a csynth report")
    # Vivado HLS names the DSP count DSP48E, Vitis HLS DSP.
    dsp = resources.findtext("DSP") or resources.findtext("DSP48E")
    worst = _optional_int(latency.findtext("Worst-caseLatency"))
    details: dict[str, float | str] = {"report": str(path)}
    estimated_clock = root.findtext("./PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod")
    for key, text in (
        ("estimated_clock_period_ns", estimated_clock),
        ("best_case_latency_cycles", latency.findtext("Best-caseLatency")),
        ("uram", resources.findtext("URAM")),
    ):
        value = _optional_float(text)
        if value is not None:
            details[key] = value
    return HardwareCost(
        source=source,
        stage="hls",
        target=target,
        lut=_required_float(resources.findtext("LUT"), "LUT", path),
        ff=_required_float(resources.findtext("FF"), "FF", path),
        dsp=_required_float(dsp, "DSP", path),
        bram_18k=_required_float(resources.findtext("BRAM_18K"), "BRAM_18K", path),
        latency_cycles=worst,
        latency_ns=worst * target.clock_period_ns if worst is not None else None,
        initiation_interval=_optional_int(latency.findtext("Interval-max")),
        details=details,
    )


def read_vivado_utilization(
    path: str | Path,
    source: CostSource,
    target: ImplementationTarget,
    latency_from: HardwareCost | None = None,
) -> HardwareCost:
    """Parse a Vivado ``report_utilization`` text report (hls4ml's ``vivado_synth.rpt``).

    Reads the "Used" column of section 1 (CLB/Slice LUTs and Registers), section 2 (Block RAM
    Tile, URAM) and section 3 (DSPs), as hls4ml's parser does.

    Args:
        path: The report.
        source: ``vivado`` or ``vitis``.
        target: Implementation target of the design.
        latency_from: Cost whose latency and interval to carry over (the C-synthesis one).

    Returns:
        The post-synthesis cost, ``stage="synthesis"``; BRAM converted to 18 Kib blocks.
    """
    path = Path(path)
    used: dict[str, float] = {}
    wanted = (
        (1, ("CLB LUTs", "Slice LUTs"), "lut"),
        (1, ("CLB Registers", "Slice Registers"), "ff"),
        (2, ("Block RAM Tile",), "bram_tiles"),
        (2, ("URAM",), "uram"),
        (3, ("DSPs",), "dsp"),
    )
    section = 0
    for line in path.read_text(errors="replace").splitlines():
        heading = re.match(r"^(\d+)\.", line)
        if heading:
            section = int(heading.group(1))
        if "|" not in line:
            continue
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 3:
            continue
        for wanted_section, labels, key in wanted:
            # The first matching row is the total; indented rows below it are breakdowns.
            if section == wanted_section and key not in used and cells[1].rstrip("*").strip() in labels:
                used[key] = _required_float(cells[2], cells[1], path)
    missing = [key for key in ("lut", "ff", "bram_tiles", "dsp") if key not in used]
    if missing:
        raise ValueError(f"{path}: no {missing} row in the utilization tables; not a Vivado utilization report")
    details: dict[str, float | str] = {"report": str(path)}
    if "uram" in used:
        details["uram"] = used["uram"]
    return HardwareCost(
        source=source,
        stage="synthesis",
        target=target,
        lut=used["lut"],
        ff=used["ff"],
        dsp=used["dsp"],
        bram_18k=used["bram_tiles"] * _BRAM_18K_PER_TILE,
        latency_cycles=latency_from.latency_cycles if latency_from else None,
        latency_ns=latency_from.latency_ns if latency_from else None,
        initiation_interval=latency_from.initiation_interval if latency_from else None,
        details=details,
    )


def _read_project_tcl(path: Path) -> dict[str, str]:
    """The ``set name value`` settings of hls4ml's ``project.tcl``."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: not an hls4ml project folder")
    settings = {}
    for line in path.read_text().splitlines():
        match = _TCL_SETTING.match(line)
        if match:
            settings[match.group(1)] = match.group(2)
    if "project_name" not in settings:
        raise ValueError(f"{path}: no `set project_name`")
    return settings


def _hls4ml_target(project_dir: Path, tcl: Mapping[str, str]) -> ImplementationTarget:
    """The implementation target recorded in an hls4ml project folder."""
    config_path = project_dir / "hls4ml_config.yml"
    if not config_path.is_file():
        raise FileNotFoundError(
            f"{config_path} not found: the strategy and reuse factor are unknown; pass target=ImplementationTarget(...)"
        )
    config = yaml.load(config_path.read_text(), Loader=_IgnoreTagsLoader) or {}
    model = (config.get("HLSConfig") or {}).get("Model") or {}
    # hls4ml's defaults when a key is absent: Latency strategy, reuse factor 1, io_parallel.
    strategy = str(model.get("Strategy", "latency"))
    try:
        return ImplementationTarget(
            strategy=_strategy(strategy, config_path),
            reuse_factor=int(model.get("ReuseFactor", 1)),
            part=str(config.get("Part") or tcl["part"]),
            clock_period_ns=float(config.get("ClockPeriod") or tcl["clock_period"]),
            io_type=str(config.get("IOType", "io_parallel")),
        )
    except KeyError as error:
        raise ValueError(f"{project_dir}: no {error.args[0]} in hls4ml_config.yml nor project.tcl") from error


def _find_csynth_xml(solutions_dir: Path, top: str) -> Path | None:
    """The csynth report of ``solution1``, or of the only solution; None if there is none."""
    preferred = solutions_dir / "solution1" / "syn" / "report" / f"{top}_csynth.xml"
    if preferred.is_file():
        return preferred
    found = sorted(solutions_dir.glob(f"*/syn/report/{top}_csynth.xml"))
    if len(found) > 1:
        raise ValueError(f"{solutions_dir}: several solutions {[str(path) for path in found]}; none is solution1")
    return found[0] if found else None


# ---------------------------------------------------------------- wa-hls4ml records


def read_wa_hls4ml(records: str | Path | Sequence[Mapping[str, Any] | None]) -> list[dict[str, Any]]:
    """Cost-table rows of wa-hls4ml records.

    Args:
        records: A wa-hls4ml JSON file (an array of records, or one record), or parsed records.

    Returns:
        Per record, one ``stage="synthesis"`` row from ``resource_report`` and one
        ``stage="hls"`` row from ``hls_resource_report`` when these are not empty; both carry
        the C-synthesis latency of ``latency_report``. ``source`` is ``wa-hls4ml``. Extra
        columns: ``record_id``, ``model_name``, ``n_inputs``, ``widths`` (dense output widths
        joined by "-"), ``precision``, ``weight_bits``, ``hls4ml_version``, ``tool_version``.
    """
    origin = str(records) if isinstance(records, str | Path) else "records"
    if isinstance(records, str | Path):
        loaded = json.loads(Path(records).read_text())
        records = loaded if isinstance(loaded, list) else [loaded]
    rows: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        if record is None:  # the published arrays contain a few null entries
            continue
        try:
            rows.extend(_wa_hls4ml_record_rows(record))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{origin}: record {index} is not a wa-hls4ml record: {error}") from error
    logger.info("read %d rows from %s", len(rows), origin)
    return rows


def _wa_hls4ml_record_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of one wa-hls4ml record (see :func:`read_wa_hls4ml`)."""
    hls_config = record["hls_config"]
    model = hls_config["Model"]
    latency = record.get("latency_report") or {}
    clock = hls_config.get("clock_period", latency.get("target_clock"))
    if clock is None:
        raise KeyError("hls_config.clock_period (or latency_report.target_clock)")
    target = ImplementationTarget(
        strategy=_strategy(str(model["Strategy"]), "hls_config.Model.Strategy"),
        reuse_factor=int(model["ReuseFactor"]),
        part=str(record["target_part"]),
        clock_period_ns=float(clock),
        io_type=str(hls_config["io_type"]),
    )
    cycles = _optional_int(latency.get("cycles_max"))
    timing = {
        "latency_cycles": cycles,
        "latency_ns": cycles * target.clock_period_ns if cycles is not None else None,
        "initiation_interval": _optional_int(latency.get("interval_max")),
    }
    estimated_clock = _optional_float(latency.get("estimated_clock"))
    details = {"estimated_clock_period_ns": estimated_clock} if estimated_clock is not None else {}

    info = _wa_hls4ml_record_info(record)
    rows = []
    # resource_report's bram comes from Vivado's Block RAM Tile (36 Kib); csynth's from BRAM_18K.
    reports = (("synthesis", "resource_report", _BRAM_18K_PER_TILE), ("hls", "hls_resource_report", 1.0))
    for stage, key, bram_per_unit in reports:
        report = record.get(key) or {}
        if not report:
            continue
        cost = HardwareCost(
            source="wa-hls4ml",
            stage=stage,
            target=target,
            lut=_required_float(report.get("lut"), f"{key}.lut", "record"),
            ff=_required_float(report.get("ff"), f"{key}.ff", "record"),
            dsp=_required_float(_first(report, "dsp", "dsp48e"), f"{key}.dsp", "record"),
            bram_18k=_required_float(_first(report, "bram", "bram_18k"), f"{key}.bram", "record") * bram_per_unit,
            details=details,
            **timing,
        )
        rows.append({**cost.to_row(), **info})
    return rows


def _wa_hls4ml_record_info(record: Mapping[str, Any]) -> dict[str, Any]:
    """Identity and architecture columns of a wa-hls4ml record."""
    meta = record.get("meta_data") or {}
    layers = record.get("model_config") or []
    dense = [layer for layer in layers if layer.get("class_name") in _DENSE_CLASSES]
    precision = record["hls_config"]["Model"].get("Precision")
    if isinstance(precision, Mapping):
        precision = precision.get("default")
    width = re.search(r"fixed<\s*(\d+)", str(precision or ""))
    return {
        "record_id": meta.get("uuid", meta.get("model_id")),
        "model_name": meta.get("model_name"),
        "n_inputs": int(dense[0]["input_shape"][-1]) if dense else None,
        "widths": "-".join(str(int(layer["output_shape"][-1])) for layer in dense) if dense else None,
        "precision": precision,
        "weight_bits": int(width.group(1)) if width else None,
        "hls4ml_version": record.get("hls4ml_version"),
        "tool_version": record.get("vivado_version", record.get("backend_version")),
    }


# ---------------------------------------------------------------- the table


def cost_table(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A DataFrame of cost-table rows from any source, with the common columns first.

    Args:
        rows: Rows of :func:`snac_pack.hardware.cost.cost_table_row`, :func:`hls4ml_project_rows`,
            :func:`read_wa_hls4ml` or :meth:`HardwareCost.to_row`.

    Returns:
        One row per input row; columns ``arch_key`` and ``architecture`` (when present), the cost
        and target columns, then the remaining ones in order of first appearance.
    """
    import pandas as pd  # on use: importing snac_pack.hardware stays cheap for Kedro

    frame = pd.DataFrame(list(rows))
    leading = [column for column in ("arch_key", "architecture", *COST_COLUMNS, *TARGET_COLUMNS) if column in frame]
    return frame[leading + [column for column in frame.columns if column not in leading]]


# ---------------------------------------------------------------- small parsers


def _strategy(value: str, where: object) -> str:
    """Our strategy name for an hls4ml strategy string."""
    key = value.strip().lower()
    if key not in _STRATEGIES:
        raise ValueError(f"{where}: unknown hls4ml strategy {value!r} (known: {sorted(_STRATEGIES)})")
    return _STRATEGIES[key]


def _first(mapping: Mapping[str, Any], *keys: str) -> Any:
    """The value of the first key present in the mapping, else None."""
    return next((mapping[key] for key in keys if key in mapping), None)


def _optional_float(text: object) -> float | None:
    """A float, or None for missing values and HLS's 'undef'."""
    if text is None or str(text).strip().lower() in ("", "undef", "n/a", "none"):
        return None
    return float(str(text).strip())


def _optional_int(text: object) -> int | None:
    """An integer count, or None for missing values and 'undef'."""
    value = _optional_float(text)
    return None if value is None else int(round(value))


def _required_float(text: object, what: str, where: object) -> float:
    """A float that must be present."""
    value = _optional_float(text)
    if value is None:
        raise ValueError(f"{where}: {what} is missing or undefined")
    return value
