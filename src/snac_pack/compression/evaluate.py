"""Hardware figures of every compression point: exact (da4ml) and the surrogate's, in one history table."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from snac_pack.compression.loop import CompressionPoint
from snac_pack.hardware.network import LayerWeights
from snac_pack.hardware.ground_truth import DesignRequest, GroundTruthStore, extend_ground_truth
from snac_pack.hardware.surrogate import Surrogate

# The figures compared between the exact cost and the surrogate.
COMPARED_FIGURES = ("lut", "ff", "latency_cycles")


def weights_digest(weights: Sequence[LayerWeights]) -> int:
    """A 60-bit identifier of quantized weights (identical weights, identical design)."""
    digest = hashlib.sha256()
    for kernel, bias in weights:
        digest.update(np.ascontiguousarray(kernel, dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(bias, dtype=np.float64).tobytes())
    return int(digest.hexdigest()[:15], 16)


def design_request(point: CompressionPoint) -> DesignRequest:
    """The ground-truth request of a point: its architecture and its trained, quantized weights (origin ``compression``)."""
    return DesignRequest(point.arch, "trained", weights_digest(point.hardware_weights), point.hardware_weights, origin="compression")


def exact_costs(points: Sequence[CompressionPoint], store: GroundTruthStore, n_workers: int) -> dict[str, dict]:
    """The exact da4ml cost of every point, computed into (or read from) the ground-truth table.

    Computed costs are appended to the table as they arrive, so an interrupted run keeps them
    and the next ``surrogate_training`` can learn from these trained networks.

    Returns:
        Design id → the table's row.
    """
    requests = [design_request(point) for point in points]
    extend_ground_truth(store, requests, "da4ml", n_workers)
    wanted = {request.design_id() for request in requests}
    rows = {row["design_id"]: row for row in store.rows() if row["source"] == "da4ml" and row["design_id"] in wanted}
    missing = wanted - set(rows)
    if missing:
        raise RuntimeError(f"{len(missing)} exact costs are missing from {store.path} after computing them")
    return rows


def history_table(
    points: Sequence[CompressionPoint], exact: dict[str, dict], surrogate: Surrogate
) -> pd.DataFrame:
    """One row per network, precision and iteration: metric, sparsity, BOPs, exact and surrogate figures.

    The surrogate's figures are weight-aware: predicted from each point's quantized weights.
    """
    predicted = surrogate.predict([point.arch for point in points], weights=[point.hardware_weights for point in points])
    rows = []
    for index, point in enumerate(points):
        request = design_request(point)
        cost = exact[request.design_id()]
        quantized_zeros = sum(int(np.sum(kernel == 0)) for kernel, _ in point.hardware_weights)
        n_weights = sum(kernel.size for kernel, _ in point.hardware_weights)
        row = {
            "model": point.job.name,
            "kind": point.job.kind,
            "precision": point.point.name(),
            "weight_bits": point.point.weights.bits,
            "weight_integer_bits": point.point.weights.integer,
            "activation_bits": point.point.activations.bits,
            "activation_integer_bits": point.point.activations.integer,
            "iteration": point.iteration,
            "target_sparsity": point.target_sparsity,
            "sparsity": point.sparsity,
            "layer_sparsity": json.dumps([round(value, 6) for value in point.layer_sparsity]),
            "quantized_zero_fraction": quantized_zeros / n_weights,
            "val_metric": point.val_metric,
            "epochs": point.epochs,
            "train_seconds": point.train_seconds,
            "bops": point.arch.bops(),
            "exact_seconds": float(cost["seconds"]),
            "architecture": point.arch.describe(),
            "arch_json": point.arch.model_dump_json(),
            "design_id": request.design_id(),
        }
        for figure in ("lut", "ff", "dsp", "bram_18k", "latency_cycles", "latency_ns"):
            row[f"exact_{figure}"] = float(cost[figure])
        for figure in COMPARED_FIGURES:
            row[f"surrogate_{figure}"] = float(predicted.iloc[index][figure])
        rows.append(row)
    return pd.DataFrame(rows)
