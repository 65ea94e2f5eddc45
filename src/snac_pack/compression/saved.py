"""A compressed network as it is stored: its description, precision and trained weights.

:meth:`CompressedModel.to_keras` rebuilds the exact QKeras model, so a reloaded network
reproduces its recorded metric bit for bit; the firmware stage converts that model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from snac_pack.compression.loop import CompressionPoint
from snac_pack.compression.qmodel import build_qkeras_classifier
from snac_pack.models.quantized import quantized_weights, snap_to_grid
from snac_pack.compression.settings import FixedPoint, QuantizationPoint
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import Architecture
from snac_pack.hardware.network import LayerWeights
from snac_pack.models.mlp import NetworkSpec, predict_classes
from snac_pack.search.sampling import candidate_inputs
from snac_pack.search.space import Candidate

if TYPE_CHECKING:
    import tf_keras


@dataclass(frozen=True)
class CompressedModel:
    """A selected compression point, ready to reload or to convert into firmware.

    Attributes:
        name: the network's label (candidate or baseline).
        kind: ``candidate`` or ``baseline``.
        network: hidden widths, dropout and L1.
        input_window: ``(start, length)`` of the I/Q window the network reads, or ``None``.
        point: weight and activation formats.
        input_format: the input's format.
        n_classes: classes.
        iteration: the pruning iteration (0: the warm-up).
        val_metric: the recorded validation metric.
        arch: the hardware description.
        weights: ``model.get_weights()`` of the trained network.
    """

    name: str
    kind: Literal["candidate", "baseline"]
    network: NetworkSpec
    input_window: tuple[int, int] | None
    point: QuantizationPoint
    input_format: FixedPoint
    n_classes: int
    iteration: int
    val_metric: float
    arch: Architecture
    weights: list[np.ndarray] = field(repr=False)

    @classmethod
    def from_point(cls, point: CompressionPoint, input_format: FixedPoint) -> CompressedModel:
        """The stored form of a compression point."""
        return cls(
            name=point.job.name,
            kind=point.job.kind,
            network=point.job.candidate.network,
            input_window=point.job.candidate.input_window,
            point=point.point,
            input_format=input_format,
            n_classes=point.arch.n_outputs,
            iteration=point.iteration,
            val_metric=point.val_metric,
            arch=point.arch,
            weights=point.weights,
        )

    def inputs(self, table: FeatureTable) -> np.ndarray:
        """The columns of ``table`` this network reads (its I/Q window, or every feature)."""
        return candidate_inputs(Candidate(self.network, 0.0, self.input_window), table)

    def predict_classes(self, table: FeatureTable) -> np.ndarray:
        """The network's predicted class of every example of ``table``."""
        return predict_classes(self.to_keras(), self.inputs(table))

    def hardware_weights(self) -> list[LayerWeights]:
        """Each dense layer's quantized kernel and bias, as the firmware holds them."""
        return quantized_weights(self.to_keras())

    def to_keras(self) -> tf_keras.Model:
        """The QKeras model with the stored weights, kernels and biases on their quantizers' grids (``snap_to_grid``)."""
        model = build_qkeras_classifier(
            self.arch.input_shape, self.n_classes, self.network, self.point.precision(self.input_format)
        )
        model.set_weights(self.weights)
        snap_to_grid(model)
        return model

    def manifest(self) -> dict[str, Any]:
        """Everything but the weights, JSON-ready."""
        return {
            "name": self.name,
            "kind": self.kind,
            "network": self.network.model_dump(mode="json"),
            "input_window": list(self.input_window) if self.input_window is not None else None,
            "point": self.point.model_dump(mode="json"),
            "input_format": self.input_format.model_dump(mode="json"),
            "n_classes": self.n_classes,
            "iteration": self.iteration,
            "val_metric": self.val_metric,
            "arch": self.arch.model_dump(mode="json"),
            "n_weight_arrays": len(self.weights),
        }

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], weights: list[np.ndarray]) -> CompressedModel:
        """Inverse of :meth:`manifest`."""
        if len(weights) != manifest["n_weight_arrays"]:
            raise ValueError(f"{manifest['name']}: {len(weights)} weight arrays stored, {manifest['n_weight_arrays']} expected")
        window = manifest["input_window"]
        return cls(
            name=manifest["name"],
            kind=manifest["kind"],
            network=NetworkSpec.model_validate(manifest["network"]),
            input_window=tuple(window) if window is not None else None,
            point=QuantizationPoint.model_validate(manifest["point"]),
            input_format=FixedPoint.model_validate(manifest["input_format"]),
            n_classes=int(manifest["n_classes"]),
            iteration=int(manifest["iteration"]),
            val_metric=float(manifest["val_metric"]),
            arch=Architecture.model_validate(manifest["arch"]),
            weights=weights,
        )


def pack_models(models: Mapping[str, CompressedModel]) -> dict[str, np.ndarray]:
    """Networks as ``.npz`` arrays: a JSON manifest and every weight array (no pickle: any version stays readable)."""
    arrays: dict[str, np.ndarray] = {"manifest": np.asarray(json.dumps([model.manifest() for model in models.values()]))}
    for index, model in enumerate(models.values()):
        for array, values in enumerate(model.weights):
            arrays[f"{index}/{array}"] = np.asarray(values)
    return arrays


def unpack_models(arrays: Mapping[str, np.ndarray]) -> dict[str, CompressedModel]:
    """Inverse of :func:`pack_models`."""
    manifests: list[dict[str, Any]] = json.loads(str(arrays["manifest"]))
    models = {}
    for index, manifest in enumerate(manifests):
        weights = [arrays[f"{index}/{array}"] for array in range(manifest["n_weight_arrays"])]
        models[manifest["name"]] = CompressedModel.from_manifest(manifest, weights)
    return models


def write_models(path: Path, models: Mapping[str, CompressedModel]) -> None:
    """Write networks to one ``.npz`` file (:func:`pack_models`), creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        np.savez_compressed(stream, **pack_models(models))


def read_models(path: Path) -> dict[str, CompressedModel]:
    """Read networks written by :func:`write_models`."""
    with np.load(path, allow_pickle=False) as archive:
        return unpack_models({name: archive[name] for name in archive.files})
