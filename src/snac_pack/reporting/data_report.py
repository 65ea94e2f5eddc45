"""The data report: class balance, feature summary, the task's classic baseline and an overview plot."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from snac_pack.data.features import FeatureTable
from snac_pack.data.qubit import MatchedFilter
from snac_pack.data.samples import LabelledSamples

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def class_balance(labels_by_split: Mapping[str, np.ndarray], class_names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Number of examples of each class in each split."""
    return {
        split: dict(zip(class_names, np.bincount(labels, minlength=len(class_names)).tolist(), strict=True))
        for split, labels in labels_by_split.items()
    }


def feature_summary(x: np.ndarray, feature_names: tuple[str, ...]) -> list[dict[str, float | str]]:
    """Mean, standard deviation, minimum and maximum of every feature."""
    x = x.astype(np.float64)
    stats = zip(feature_names, x.mean(0), x.std(0), x.min(0), x.max(0), strict=True)
    return [
        {"feature": name, "mean": float(mean), "std": float(std), "min": float(low), "max": float(high)}
        for name, mean, std, low, high in stats
    ]


def _qubit_baseline(features: FeatureTable, split_indices: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The matched filter fitted on the training split, scored on the test split."""
    train, test = features.subset(split_indices["train"]), features.subset(split_indices["test"])
    fidelity = MatchedFilter().fit(train.x, train.y).score(test.x, test.y)
    return {"name": "matched_filter", "metric": "fidelity", "test_fidelity": fidelity}


def _plot_qubit_overview(samples: LabelledSamples) -> Figure:
    """Mean I and Q traces per prepared state, and the IQ clouds of the time-averaged signal."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 4), layout="constrained")
    trace_ax, quadrature_ax, cloud_ax = figure.subplots(1, 3)
    samples_axis = np.arange(samples.inputs.shape[1])
    integrated = samples.inputs.mean(axis=1)
    rng = np.random.default_rng(0)
    for label, name in enumerate(samples.class_names):
        traces = samples.inputs[samples.labels == label]
        mean = traces.mean(axis=0)
        trace_ax.plot(samples_axis, mean[:, 0], label=f"{name}")
        quadrature_ax.plot(samples_axis, mean[:, 1], label=f"{name}")
        cloud = integrated[samples.labels == label]
        shown = cloud[rng.permutation(len(cloud))[:3000]]
        cloud_ax.scatter(shown[:, 0], shown[:, 1], s=2, alpha=0.3, label=f"prepared {name}")
    trace_ax.set(title="Mean I trace per prepared state", xlabel="sample", ylabel="I")
    quadrature_ax.set(title="Mean Q trace per prepared state", xlabel="sample", ylabel="Q")
    cloud_ax.set(title="IQ clouds of the time-averaged signal", xlabel="⟨I⟩", ylabel="⟨Q⟩")
    for axis in (trace_ax, quadrature_ax, cloud_ax):
        axis.legend(markerscale=4)
    return figure


_BASELINES: dict[str, Callable[[FeatureTable, Mapping[str, np.ndarray]], dict[str, Any]]] = {
    "qubit": _qubit_baseline,
}
_OVERVIEW_PLOTS: dict[str, Callable[[LabelledSamples], Figure]] = {
    "qubit": _plot_qubit_overview,
}


def build_data_report(
    task: str,
    samples: LabelledSamples,
    features: FeatureTable,
    split_indices: Mapping[str, np.ndarray],
) -> tuple[dict[str, Any], Figure]:
    """Summarise a processed data set.

    Args:
        task: the task name (selects the baseline and the overview plot).
        samples: the validated raw samples.
        features: the extracted (not yet standardised) features.
        split_indices: example indices of each split.

    Returns:
        The report as a JSON-ready dict, and the overview figure.
    """
    report = {
        "task": task,
        "n_examples": len(samples),
        "raw_input_shape": list(samples.inputs.shape[1:]),
        "n_features": features.x.shape[1],
        "class_balance": class_balance({k: features.y[v] for k, v in split_indices.items()}, features.class_names),
        "feature_summary": feature_summary(features.x, features.feature_names),
    }
    if task in _BASELINES:
        report["baseline"] = _BASELINES[task](features, split_indices)
    return report, _OVERVIEW_PLOTS[task](samples)
