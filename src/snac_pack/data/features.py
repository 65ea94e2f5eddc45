"""Feature extraction: from a source's raw samples to the flat inputs of a network.

Each feature kind is a small settings model plus one function, registered by its ``kind``
name; configuration picks one with ``data_processing.features.kind``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from snac_pack.data.jets import HLF_FEATURE_NAMES, JetSample, extract_jet_features
from snac_pack.data.samples import LabelledSamples


@dataclass(frozen=True)
class FeatureTable:
    """Network inputs with their labels.

    Attributes:
        x: features, shape ``(N, D)``, float32.
        y: class index per example, shape ``(N,)``.
        feature_names: name of each of the ``D`` columns.
        class_names: name of each class index.
    """

    x: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]

    def subset(self, indices: np.ndarray) -> FeatureTable:
        """The rows at ``indices``."""
        return FeatureTable(self.x[indices], self.y[indices], self.feature_names, self.class_names)

    def digest(self) -> str:
        """16 hexadecimal characters that change with any value, shape, dtype or name of the table."""
        hasher = hashlib.sha256()
        for array in (np.ascontiguousarray(self.x), np.ascontiguousarray(self.y)):
            hasher.update(f"{array.dtype}{array.shape}".encode())
            hasher.update(array.tobytes())
        hasher.update(json.dumps([list(self.feature_names), list(self.class_names)]).encode())
        return hasher.hexdigest()[:16]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Named arrays for an ``.npz`` file (the model-input format)."""
        return {
            "x": self.x,
            "y": self.y,
            "feature_names": np.asarray(self.feature_names, dtype=str),
            "class_names": np.asarray(self.class_names, dtype=str),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> FeatureTable:
        """Inverse of :meth:`to_arrays`."""
        return cls(
            x=arrays["x"],
            y=arrays["y"],
            feature_names=tuple(str(n) for n in arrays["feature_names"]),
            class_names=tuple(str(n) for n in arrays["class_names"]),
        )


class _FeatureSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    #: The tasks whose raw samples this feature kind understands.
    tasks: ClassVar[tuple[str, ...]]


class IQWindowFeatures(_FeatureSettings):
    """A readout window of I/Q traces, flattened.

    ``concatenated`` gives ``[I_s … I_{s+L-1}, Q_s … Q_{s+L-1}]`` (the layout of the published
    qubit baseline); ``interleaved`` gives ``[I_s, Q_s, I_{s+1}, Q_{s+1}, …]``.
    """

    tasks: ClassVar[tuple[str, ...]] = ("qubit",)
    kind: Literal["iq_window"]
    window_start: int = Field(ge=0, description="first sample of the window")
    window_length: int = Field(gt=0, description="number of samples in the window")
    layout: Literal["concatenated", "interleaved"] = "concatenated"


class JetConstituentFeatures(_FeatureSettings):
    """z = pT_i / Σ pT, Δη and Δφ of the ``n_constituents`` hardest constituents, zero-padded."""

    tasks: ClassVar[tuple[str, ...]] = ("jet",)
    kind: Literal["jet_constituents"]
    n_constituents: int = Field(default=8, gt=0, description="constituents per jet")


class JetHighLevelFeatures(_FeatureSettings):
    """The 16 high-level features of the hls4ml jet dataset (mMDT-groomed substructure)."""

    tasks: ClassVar[tuple[str, ...]] = ("jet",)
    kind: Literal["jet_hlf"]
    z_cut: float = Field(default=0.1, gt=0, lt=0.5, description="mMDT symmetry cut")


class TabularFeatures(_FeatureSettings):
    """Columns of the user's table (CSV or Parquet), as they are; the file reader selects them.

    The class names are the label column's distinct values, sorted (numerically for integers).
    """

    tasks: ClassVar[tuple[str, ...]] = ("tabular",)
    kind: Literal["tabular"]
    label_column: str = Field(min_length=1, description="the column holding each row's class (integers or strings)")
    feature_columns: tuple[str, ...] | None = Field(
        default=None, min_length=1, description="numeric columns fed to the network, in order; null: every column but the label"
    )

    @model_validator(mode="after")
    def _columns_are_distinct(self) -> TabularFeatures:
        if self.feature_columns is None:
            return self
        if self.label_column in self.feature_columns:
            raise ValueError(f"the label column '{self.label_column}' cannot be a feature column too")
        repeated = sorted({name for name in self.feature_columns if self.feature_columns.count(name) > 1})
        if repeated:
            raise ValueError(f"feature_columns repeats {repeated}")
        return self


FeatureSettings = Annotated[
    IQWindowFeatures | JetConstituentFeatures | JetHighLevelFeatures | TabularFeatures, Field(discriminator="kind")
]


def _iq_window(samples: LabelledSamples, settings: IQWindowFeatures) -> tuple[np.ndarray, list[str]]:
    traces = samples.inputs
    if traces.ndim != 3 or traces.shape[2] != 2:
        raise ValueError(f"iq_window features need I/Q traces of shape (N, T, 2), got {traces.shape}")
    n_time = traces.shape[1]
    stop = settings.window_start + settings.window_length
    if stop > n_time:
        raise ValueError(
            f"features.window_start + features.window_length = {stop} exceeds the trace length {n_time}; "
            f"choose window_start in 0..{n_time - 1} and window_length at most {n_time - settings.window_start}"
        )
    window = traces[:, settings.window_start : stop, :]
    steps = range(settings.window_start, stop)
    if settings.layout == "concatenated":
        x = np.concatenate([window[:, :, 0], window[:, :, 1]], axis=1)
        names = [f"I_{t}" for t in steps] + [f"Q_{t}" for t in steps]
    else:
        x = window.reshape(len(window), -1)
        names = [f"{quadrature}_{t}" for t in steps for quadrature in ("I", "Q")]
    return x, names


def jet_sample(samples: LabelledSamples) -> JetSample:
    """Jet samples (constituents with ``multiplicity`` and ``jets`` extras) as a :class:`JetSample`."""
    return JetSample(
        constituents=samples.inputs,
        multiplicity=samples.extras["multiplicity"],
        jets=samples.extras["jets"],
        labels=samples.labels,
        class_names=samples.class_names,
    )


def _jet_constituents(samples: LabelledSamples, settings: JetConstituentFeatures) -> tuple[np.ndarray, list[str]]:
    if samples.inputs.ndim != 3:
        raise ValueError("jet_constituents features need constituent-level jets (the simulator or hls4ml HDF5 files)")
    return extract_jet_features(jet_sample(samples), "constituents", n_constituents=settings.n_constituents)


def _jet_high_level(samples: LabelledSamples, settings: JetHighLevelFeatures) -> tuple[np.ndarray, list[str]]:
    if samples.inputs.ndim == 2:
        # A table of high-level features (the OpenML file) is already what is asked for.
        if samples.inputs.shape[1] != len(HLF_FEATURE_NAMES):
            raise ValueError(f"an HLF table needs the {len(HLF_FEATURE_NAMES)} columns {list(HLF_FEATURE_NAMES)}")
        return samples.inputs, list(HLF_FEATURE_NAMES)
    return extract_jet_features(jet_sample(samples), "hlf", z_cut=settings.z_cut)


def _tabular(samples: LabelledSamples, settings: TabularFeatures) -> tuple[np.ndarray, list[str]]:
    if samples.inputs.ndim != 2 or len(samples.input_names) != samples.inputs.shape[1]:
        raise ValueError("tabular features need a table with named columns: task tabular with data_processing.source files")
    return samples.inputs, list(samples.input_names)


_EXTRACTORS: dict[str, Callable[[LabelledSamples, _FeatureSettings], tuple[np.ndarray, list[str]]]] = {
    "iq_window": _iq_window,
    "jet_constituents": _jet_constituents,
    "jet_hlf": _jet_high_level,
    "tabular": _tabular,
}


def extract_features(samples: LabelledSamples, settings: FeatureSettings) -> FeatureTable:
    """Turn raw samples into a flat float32 feature table with the kind of features ``settings`` names.

    Args:
        samples: validated raw samples of a task.
        settings: one of the registered feature settings (its ``kind`` selects the extractor).

    Returns:
        The feature table, labels and names carried over.
    """
    x, names = _EXTRACTORS[settings.kind](samples, settings)
    return FeatureTable(
        x=np.ascontiguousarray(x, dtype=np.float32),
        y=samples.labels.astype(np.int64),
        feature_names=tuple(names),
        class_names=samples.class_names,
    )


def iq_window_columns(feature_names: tuple[str, ...], start: int, length: int) -> np.ndarray:
    """Columns of a sub-window of I/Q features: ``length`` I samples then the same Q samples.

    Args:
        feature_names: names of the model inputs' columns (``I_<t>`` and ``Q_<t>``, any layout).
        start: first sample of the sub-window, counted from the first sample of the inputs.
        length: samples in the sub-window.

    Returns:
        Column indices, I columns first.
    """
    i_columns = [index for index, name in enumerate(feature_names) if name.startswith("I_")]
    q_columns = [index for index, name in enumerate(feature_names) if name.startswith("Q_")]
    if not i_columns or len(i_columns) != len(q_columns):
        raise ValueError("a readout sub-window needs I/Q features (names I_<t> and Q_<t>), e.g. features.kind iq_window")
    if start < 0 or length < 1 or start + length > len(i_columns):
        raise ValueError(
            f"window start {start} and length {length} do not fit the {len(i_columns)} samples of the model inputs; "
            "keep search_space.input_window inside data_processing.features.window_length"
        )
    return np.asarray(i_columns[start : start + length] + q_columns[start : start + length])


def token_grid(feature_names: tuple[str, ...] | list[str]) -> np.ndarray:
    """The columns of flat features seen as a sequence of tokens: index ``[token, feature]``.

    Columns named ``<feature>_<token>`` (``z_0``, ``deta_0``, … of jet constituents; ``I_0``,
    ``Q_0``, … of a readout trace, in any layout) form the grid; tokens in increasing order,
    features in the order they first appear.

    Args:
        feature_names: names of the columns.

    Returns:
        Column indices, shape ``(tokens, features)``.

    Raises:
        ValueError: a name without a token index, or a feature missing at some token.
    """
    cells: dict[tuple[int, str], int] = {}
    features: list[str] = []
    for column, name in enumerate(feature_names):
        feature, _, token = str(name).rpartition("_")
        if not feature or not token.isdigit():
            raise ValueError(
                f"feature {name!r} has no token index: networks over tokens (search_space.family deepsets, mixer, "
                "conv1d) read features named <feature>_<token>, e.g. data_processing.features.kind jet_constituents or iq_window"
            )
        if feature not in features:
            features.append(feature)
        cells[(int(token), feature)] = column
    tokens = sorted({token for token, _ in cells})
    missing = [f"{feature}_{token}" for token in tokens for feature in features if (token, feature) not in cells]
    if missing:
        raise ValueError(f"features {missing[:5]} are missing: a sequence needs every feature at every token")
    return np.array([[cells[(token, feature)] for feature in features] for token in tokens], dtype=np.int64)
