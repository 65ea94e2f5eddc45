"""Does the firmware compute what was trained? The C simulation against the QKeras model."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from snac_pack.models.mlp import predict_classes, task_metric

if TYPE_CHECKING:
    import tf_keras
    from hls4ml.model import ModelGraph


@dataclass(frozen=True)
class Agreement:
    """Agreement of the firmware's C simulation with the QKeras model on a set of inputs.

    Attributes:
        n_samples: inputs compared.
        bit_exact_fraction: share of inputs whose every output is bit-identical.
        argmax_agreement: share of inputs with the same predicted class.
        max_abs_difference: largest output difference.
        qkeras_metric: the task metric of the QKeras model.
        firmware_metric: the task metric of the emulated firmware.
    """

    n_samples: int
    bit_exact_fraction: float
    argmax_agreement: float
    max_abs_difference: float
    qkeras_metric: float
    firmware_metric: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def bit_exactness(outputs: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Share of inputs whose every output equals the reference bit for bit, and the largest output difference."""
    return float(np.mean(np.all(outputs == reference, axis=1))), float(np.max(np.abs(outputs - reference), initial=0.0))


def compare(
    graph: ModelGraph, model: tf_keras.Model, x: np.ndarray, y: np.ndarray, metric: Literal["accuracy", "fidelity"]
) -> Agreement:
    """Run both on ``x`` and compare outputs bit for bit and as class predictions."""
    reference = np.concatenate([np.asarray(model(x[s : s + 4096], training=False), dtype=np.float64) for s in range(0, len(x), 4096)])
    emulated = np.asarray(graph.predict(np.ascontiguousarray(x, dtype=np.float64)), dtype=np.float64).reshape(reference.shape)
    exact, largest = bit_exactness(emulated, reference)
    return Agreement(
        n_samples=len(x),
        bit_exact_fraction=exact,
        argmax_agreement=float(np.mean(np.argmax(emulated, axis=1) == np.argmax(reference, axis=1))),
        max_abs_difference=largest,
        qkeras_metric=task_metric(metric, y, predict_classes(model, x)),
        firmware_metric=task_metric(metric, y, np.argmax(emulated, axis=1)),
    )


def check_agreement(agreement: Agreement, min_bit_exact_fraction: float) -> None:
    """Raise when the firmware's outputs are bit-exact on too few inputs, saying by how much.

    Raises:
        ValueError: ``bit_exact_fraction`` below ``min_bit_exact_fraction``.
    """
    if agreement.bit_exact_fraction < min_bit_exact_fraction:
        shortfall = 100 * (min_bit_exact_fraction - agreement.bit_exact_fraction)
        raise ValueError(
            f"the firmware's C simulation is bit-exact with QKeras on {100 * agreement.bit_exact_fraction:.2f} % of "
            f"{agreement.n_samples} test inputs, {shortfall:.2f} points below firmware.min_bit_exact_fraction = "
            f"{100 * min_bit_exact_fraction:.2f} % (argmax agreement {100 * agreement.argmax_agreement:.2f} %, "
            f"largest output difference {agreement.max_abs_difference:g})"
        )
