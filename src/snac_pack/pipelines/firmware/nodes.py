"""Nodes of the firmware pipeline: thin calls into ``snac_pack.firmware``."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from snac_pack.compression.evaluate import weights_digest
from snac_pack.compression.saved import CompressedModel
from snac_pack.config import FirmwareParams, TaskParams
from snac_pack.data.features import FeatureTable
from snac_pack.firmware.handoff import write_handoff
from snac_pack.firmware.hls import FirmwareError, convert, vendor_build, vendor_tools
from snac_pack.firmware.open_flow import open_flow
from snac_pack.firmware.verify import check_agreement, compare
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.ground_truth import DesignRequest, GroundTruthStore, cost_row
from snac_pack.hardware.importers import read_hls4ml_project
from snac_pack.hardware.parts import part_resources
from snac_pack.hardware.surrogate import Surrogate
from snac_pack.reporting.firmware_report import firmware_markdown, firmware_report

logger = logging.getLogger(__name__)


def _workspace(firmware_workspace: dict[str, Path], model: CompressedModel) -> Path:
    return Path(firmware_workspace["directory"]) / model.name


def _firmware_target(hardware_target: dict[str, Any], params: FirmwareParams) -> ImplementationTarget:
    target = ImplementationTarget.model_validate(hardware_target)
    return target if params.strategy is None else target.model_copy(update={"strategy": params.strategy})


def select_firmware_model(
    compressed_models: dict[str, CompressedModel], hardware_target: dict[str, Any], firmware: dict[str, Any]
) -> CompressedModel:
    """The compressed network that becomes firmware; the part is checked before any work.

    Raises:
        FirmwareError: an unknown part, or a model name that is not among the compressed models.
    """
    params = FirmwareParams.model_validate(firmware)
    target = _firmware_target(hardware_target, params)
    try:
        part_resources(target.part)
    except KeyError as error:
        raise FirmwareError(f"hardware_target.part: {error.args[0]}") from None
    if params.model == "best_candidate":
        candidates = [model for model in compressed_models.values() if model.kind == "candidate"]
        if not candidates:
            raise FirmwareError("firmware.model: best_candidate, but compressed_models holds no search candidate")
        chosen = max(candidates, key=lambda model: model.val_metric)
    elif params.model in compressed_models:
        chosen = compressed_models[params.model]
    else:
        raise FirmwareError(f"firmware.model: '{params.model}' is not a compressed model; choose best_candidate or one of {sorted(compressed_models)}")
    logger.info("Firmware for %s: %s", chosen.name, chosen.arch.describe())
    return chosen


def build_firmware(
    firmware_model: CompressedModel,
    model_input_test: dict[str, np.ndarray],
    task: dict[str, Any],
    hardware_target: dict[str, Any],
    firmware: dict[str, Any],
    firmware_workspace: dict[str, Path],
    ground_truth_store: dict[str, Path],
) -> dict[str, Any]:
    """Convert with hls4ml, compile, verify against QKeras on the test split; vendor build when possible.

    Vendor results join the ground-truth table, so the next surrogate_training learns from them.

    Raises:
        ValueError: the C simulation is bit-exact on fewer test inputs than configured.
    """
    params = FirmwareParams.model_validate(firmware)
    target = _firmware_target(hardware_target, params)
    metric = TaskParams.model_validate(task).metric
    test = FeatureTable.from_arrays(model_input_test)
    model = firmware_model.to_keras()
    arch = firmware_model.arch
    built = convert(model, arch, target, params.backend, _workspace(firmware_workspace, firmware_model) / "hls4ml")
    x = firmware_model.inputs(test)[: params.max_verify_samples]
    agreement = compare(built.graph, model, x, test.y[: len(x)], metric)
    logger.info("C simulation vs QKeras: %.2f %% bit-exact, %.2f %% argmax agreement on %d test inputs", 100 * agreement.bit_exact_fraction, 100 * agreement.argmax_agreement, agreement.n_samples)
    check_agreement(agreement, params.min_bit_exact_fraction)
    return {
        "hls4ml": {
            "backend": params.backend,
            "strategy": target.strategy,
            "reuse_factor": target.reuse_factor,
            "part": target.part,
            "clock_period_ns": target.clock_period_ns,
            "io_type": target.io_type,
            "project_directory": str(built.directory),
            "convert_seconds": built.convert_seconds,
            "compile_seconds": built.compile_seconds,
        },
        "agreement": agreement.to_dict() | {"min_bit_exact_fraction": params.min_bit_exact_fraction},
        "vendor": _vendor(built, firmware_model, target, params, ground_truth_store),
    }


def _vendor(built: Any, model: CompressedModel, target: ImplementationTarget, params: FirmwareParams, ground_truth_store: dict[str, Path]) -> dict[str, Any]:
    tools = vendor_tools(params.backend)
    if not tools:
        reason = f"no {params.backend} tools on PATH ({', '.join(('vitis-run',) if params.backend == 'Vitis' else ('vivado_hls', 'vivado'))} not found)"
        logger.warning("The design was not synthesised by a vendor tool: %s", reason)
        return {"synthesised": False, "reason": reason}
    if not params.vendor_build:
        return {"synthesised": False, "reason": "firmware.vendor_build is false"}
    started = time.perf_counter()
    vendor_build(built, params.backend)
    costs = read_hls4ml_project(built.directory, target)
    store = GroundTruthStore(Path(ground_truth_store["table"]))
    weights = model.hardware_weights()
    request = DesignRequest(model.arch.model_copy(update={"target": target}), "trained", weights_digest(weights), weights, origin="firmware")
    for cost in costs:
        store.append(cost_row(request, cost, time.perf_counter() - started, weights))
    best = costs[-1]
    return {"synthesised": True, "tool": tools[0], "cost": best.to_row(), "all_reports": [cost.to_row() for cost in costs]}


def synthesise_open_flow(
    firmware_model: CompressedModel,
    surrogate: Surrogate,
    model_input_test: dict[str, np.ndarray],
    firmware: dict[str, Any],
    firmware_workspace: dict[str, Path],
) -> dict[str, Any]:
    """The surrogate's weight-aware prediction, da4ml's exact cost and Yosys's synthesis of the same network.

    da4ml's netlist (the one its Verilog is written from) is checked bit for bit against the
    QKeras model on the test split, as the C simulation is.

    Raises:
        FirmwareError: the netlist is bit-exact on fewer test inputs than ``firmware.min_bit_exact_fraction``.
    """
    params = FirmwareParams.model_validate(firmware)
    arch = firmware_model.arch
    surrogate.check_target(arch.target)
    weights = firmware_model.hardware_weights()
    predicted = surrogate.predict([arch], weights=[weights]).iloc[0].to_dict()
    x = firmware_model.inputs(FeatureTable.from_arrays(model_input_test))[: params.max_verify_samples]
    expected = np.asarray(firmware_model.to_keras()(x, training=False), dtype=np.float64)
    figures = open_flow(arch, weights, _workspace(firmware_workspace, firmware_model) / "verilog", params.yosys_timeout_s, check=(x, expected))
    netlist = figures["netlist_agreement"]
    if netlist["bit_exact_fraction"] < params.min_bit_exact_fraction:
        raise FirmwareError(
            f"da4ml's netlist of {firmware_model.name} is bit-exact with QKeras on {100 * netlist['bit_exact_fraction']:.2f} % of "
            f"{netlist['n_samples']} test inputs, below firmware.min_bit_exact_fraction = {params.min_bit_exact_fraction}; "
            "its Verilog would not compute what was trained (largest difference "
            f"{netlist['max_abs_difference']:g})"
        )
    figures["surrogate"] = {name: float(value) for name, value in predicted.items()} | {
        "source": "surrogate",
        "latency_ns": float(predicted["latency_cycles"]) * arch.target.clock_period_ns,
    }
    return figures


def export_handoff(
    compressed_models: dict[str, CompressedModel],
    firmware_model: CompressedModel,
    hardware_target: dict[str, Any],
    firmware: dict[str, Any],
    firmware_workspace: dict[str, Path],
) -> dict[str, dict[str, str]]:
    """Every selected network in the field's formats: QKeras file, hls4ml YAML, da4ml Verilog.

    Written under the firmware network's workspace (``handoff/<network>/``), so that the firmware
    archive carries them.

    Returns:
        Per network: each file's path inside the archive and what it is.
    """
    params = FirmwareParams.model_validate(firmware)
    target = _firmware_target(hardware_target, params)
    root = _workspace(firmware_workspace, firmware_model) / "handoff"
    shutil.rmtree(root, ignore_errors=True)
    listed = {}
    for name, model in compressed_models.items():
        files = write_handoff(model, target, params.backend, root / name)
        listed[name] = {f"handoff/{name}/{path}": what for path, what in files.items()}
        logger.info("Hand-off files of %s in %s", name, root / name)
    return listed


def report_firmware(
    firmware_model: CompressedModel,
    firmware_build: dict[str, Any],
    firmware_hardware: dict[str, Any],
    surrogate_metrics: dict[str, Any],
    handoff_files: dict[str, dict[str, str]],
    firmware_workspace: dict[str, Path],
) -> tuple[dict[str, Any], str, Path]:
    """The firmware report (JSON and markdown; surrogate figures with their measured error) and the
    project archive (hls4ml project, Verilog and every selected network's hand-off files)."""
    description = {
        "name": firmware_model.name,
        "kind": firmware_model.kind,
        "architecture": firmware_model.arch.describe(),
        "family": firmware_model.arch.family,
        "precision": firmware_model.point.name(),
        "iteration": firmware_model.iteration,
        "val_metric": firmware_model.val_metric,
    }
    report = firmware_report(description, firmware_build, firmware_hardware, firmware_build["vendor"], surrogate_metrics,
                             handoff_files)
    workspace = _workspace(firmware_workspace, firmware_model)
    # The compiled C simulation is rebuilt by `hls_model.compile()`; the archive holds sources.
    for built in workspace.glob("hls4ml/firmware/*.so"):
        built.unlink()
    shutil.rmtree(workspace / "hls4ml" / "firmware" / "__pycache__", ignore_errors=True)
    return report, firmware_markdown(report), workspace
