"""The data report: where the data come from, class balance, feature summary, the task's classic
baseline and an overview plot.

Provenance says whether the samples were simulated (the generator, its full validated settings,
the number of examples, the seed, the versions of the packages that drew them and the cache
file with its sha256) or read from files (each file's path, size and sha256).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from snac_pack.data.features import FeatureTable, jet_sample
from snac_pack.data.jets import HLF_FEATURE_NAMES
from snac_pack.data.jets.features import high_level_features
from snac_pack.data.qubit import MatchedFilter
from snac_pack.data.samples import LabelledSamples
from snac_pack.data.sources import SIMULATORS

if TYPE_CHECKING:
    from matplotlib.figure import Figure


#: Per simulated task: the generator, and the packages whose versions decide its samples.
_GENERATORS = {
    "qubit": ("snac_pack.data.qubit.simulate_readout (dispersive readout with T1 decay)", ("snac-pack", "numpy")),
    "jet": ("Pythia 8 via snac_pack.data.jets.simulate_jets (anti-kT jets from Pythia's SlowJet)", ("snac-pack", "pythia8mc", "numpy")),
}
_HASH_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes (read in chunks: data files may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def simulated_provenance(task: str, settings: BaseModel, n_examples: int, seed: int, cache_file: Path) -> dict[str, Any]:
    """Where simulated samples come from.

    Args:
        task: the simulated task (``qubit``, ``jet``).
        settings: the simulator's validated physics settings (every value, defaults included;
            fields the run sets from ``n_examples`` and ``seed`` are left out, as the simulator
            overrides them).
        n_examples: examples drawn.
        seed: the simulation's seed.
        cache_file: the file the samples were cached in (and loaded from on a repeated run).

    Returns:
        ``kind: simulated``, the generator, settings, ``n_examples``, ``seed``, package versions
        and the cache file's path and sha256.
    """
    generator, packages = _GENERATORS[task]
    return {
        "kind": "simulated",
        "generator": generator,
        "settings": settings.model_dump(mode="json", exclude=set(SIMULATORS[task].run_fields)),
        "n_examples": n_examples,
        "seed": seed,
        "package_versions": {name: version(name) for name in packages},
        "cache_file": {"path": str(cache_file), "sha256": sha256_of(cache_file)},
    }


def files_provenance(paths: Mapping[str, Path]) -> dict[str, Any]:
    """Where samples read from files come from: every file under the given paths, with its checksum.

    Args:
        paths: the catalog's names of the user's files or directories (e.g. ``table``).

    Returns:
        ``kind: files`` and per file its catalog name, path, size in bytes and sha256 (a
        directory lists every file under it, sorted).
    """
    files = []
    for name, given in sorted(paths.items()):
        location = Path(given)
        members = sorted(path for path in location.rglob("*") if path.is_file()) if location.is_dir() else [location]
        files += [{"name": name, "path": str(path), "bytes": path.stat().st_size, "sha256": sha256_of(path)} for path in members]
    return {"kind": "files", "files": files}


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


_JET_REPORT_PER_CLASS = 1000  # jets per class whose substructure the report computes (3 ms each)


def _jet_substructure(samples: LabelledSamples) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Groomed mass, multiplicity and N2 of up to ``_JET_REPORT_PER_CLASS`` jets per class, and their labels."""
    rng = np.random.default_rng(0)
    chosen = np.concatenate(
        [rng.permutation(np.flatnonzero(samples.labels == label))[:_JET_REPORT_PER_CLASS] for label in range(len(samples.class_names))]
    )
    columns = [HLF_FEATURE_NAMES.index(name) for name in ("mass_mmdt", "multiplicity", "n2_b1_mmdt")]
    if samples.inputs.ndim == 2:
        table = samples.inputs[chosen]
    else:
        subset = LabelledSamples(
            samples.inputs[chosen], samples.labels[chosen], samples.class_names, {k: v[chosen] for k, v in samples.extras.items()}
        )
        table = high_level_features(jet_sample(subset))
    return table[:, columns], samples.labels[chosen], samples.class_names


def _plot_jet_overview(samples: LabelledSamples) -> Figure:
    """Per-class histograms of groomed mass, multiplicity and N2."""
    from matplotlib.figure import Figure

    values, labels, class_names = _jet_substructure(samples)
    figure = Figure(figsize=(13, 4), layout="constrained")
    axes = figure.subplots(1, 3)
    titles = (("groomed mass m_mMDT", "GeV", (0, 250)), ("constituent multiplicity", "constituents", None), ("N2 (β = 1, groomed)", "", (0, 0.6)))
    for column, (axis, (title, unit, limits)) in enumerate(zip(axes, titles, strict=True)):
        finite = values[np.isfinite(values[:, column]), column]
        bins = np.linspace(*(limits or (finite.min(), finite.max())), 41)
        for label, name in enumerate(class_names):
            selected = values[labels == label, column]
            axis.hist(selected[np.isfinite(selected)], bins=bins, histtype="step", density=True, label=name, linewidth=1.5)
        axis.set(title=title, xlabel=unit, ylabel="density")
    axes[0].legend(title="class")
    return figure


def _table_baseline(features: FeatureTable, split_indices: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Logistic regression on the standardised features, fitted on the training split, scored on the test split."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train, test = features.subset(split_indices["train"]), features.subset(split_indices["test"])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(train.x, train.y)
    return {"name": "logistic_regression", "metric": "accuracy", "test_accuracy": float(model.score(test.x, test.y))}


def class_separation(x: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Per feature, the one-way ANOVA F statistic: spread of the class means over the spread within classes.

    Constant features score 0.
    """
    x = x.astype(np.float64)
    overall = x.mean(axis=0)
    between = np.zeros(x.shape[1])
    within = np.zeros(x.shape[1])
    for label in range(n_classes):
        members = x[labels == label]
        if len(members):
            mean = members.mean(axis=0)
            between += len(members) * (mean - overall) ** 2
            within += ((members - mean) ** 2).sum(axis=0)
    between /= max(n_classes - 1, 1)
    within /= max(len(x) - n_classes, 1)
    return np.divide(between, within, out=np.zeros_like(between), where=within > 0)


_TABLE_PLOT_FEATURES = 3  # features shown: those that separate the classes best


def _plot_table_overview(samples: LabelledSamples) -> Figure:
    """Rows per class, and per-class histograms of the features that separate the classes best."""
    from matplotlib.figure import Figure

    n_classes = len(samples.class_names)
    separation = class_separation(samples.inputs, samples.labels, n_classes)
    shown = np.argsort(-separation, kind="stable")[:_TABLE_PLOT_FEATURES]
    figure = Figure(figsize=(4.2 * (1 + len(shown)), 4), layout="constrained")
    balance_ax, *feature_axes = figure.subplots(1, 1 + len(shown))
    counts = np.bincount(samples.labels, minlength=n_classes)
    balance_ax.bar(range(n_classes), counts, color=[f"C{label % 10}" for label in range(n_classes)])
    balance_ax.set_xticks(range(n_classes), samples.class_names, rotation=30 if n_classes > 4 else 0)
    balance_ax.set(title="Rows per class", ylabel="rows")
    for axis, column in zip(feature_axes, shown, strict=True):
        values = samples.inputs[:, column]
        bins = np.histogram_bin_edges(values, bins=30)
        for label, name in enumerate(samples.class_names):
            axis.hist(values[samples.labels == label], bins=bins, histtype="step", density=True, linewidth=1.5, label=name, color=f"C{label % 10}")
        axis.set(title=f"F = {separation[column]:.3g}", xlabel=samples.input_names[column], ylabel="density")
    feature_axes[0].legend(title="class")
    figure.suptitle("Class balance, and the features that separate the classes best (one-way ANOVA F)")
    return figure


_BASELINES: dict[str, Callable[[FeatureTable, Mapping[str, np.ndarray]], dict[str, Any]]] = {
    "qubit": _qubit_baseline,
    "tabular": _table_baseline,
}
_OVERVIEW_PLOTS: dict[str, Callable[[LabelledSamples], Figure]] = {
    "qubit": _plot_qubit_overview,
    "jet": _plot_jet_overview,
    "tabular": _plot_table_overview,
}


def build_data_report(
    task: str,
    samples: LabelledSamples,
    features: FeatureTable,
    split_indices: Mapping[str, np.ndarray],
    provenance: dict[str, Any],
) -> tuple[dict[str, Any], Figure]:
    """Summarise a processed data set.

    Args:
        task: the task name (selects the baseline and the overview plot).
        samples: the validated raw samples.
        features: the extracted (not yet standardised) features.
        split_indices: example indices of each split.
        provenance: where the samples come from (:func:`simulated_provenance` or :func:`files_provenance`).

    Returns:
        The report as a JSON-ready dict, and the overview figure.
    """
    report = {
        "task": task,
        "provenance": provenance,
        "n_examples": len(samples),
        "raw_input_shape": list(samples.inputs.shape[1:]),
        "n_features": features.x.shape[1],
        "class_balance": class_balance({k: features.y[v] for k, v in split_indices.items()}, features.class_names),
        "feature_summary": feature_summary(features.x, features.feature_names),
    }
    if task in _BASELINES:
        report["baseline"] = _BASELINES[task](features, split_indices)
    return report, _OVERVIEW_PLOTS[task](samples)
