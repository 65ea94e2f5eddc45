"""Feature extraction: I/Q readout windows."""

from __future__ import annotations

import numpy as np
import pytest

from snac_pack.data.features import IQWindowFeatures, extract_features
from snac_pack.data.samples import LabelledSamples, validate_samples


def _samples() -> LabelledSamples:
    traces = np.arange(2 * 5 * 2, dtype=np.float32).reshape(2, 5, 2)  # I = even, Q = odd numbers
    return LabelledSamples(inputs=traces, labels=np.array([0, 1]), class_names=("ground", "excited"))


def test_concatenated_window_is_i_then_q() -> None:
    table = extract_features(_samples(), IQWindowFeatures(kind="iq_window", window_start=1, window_length=2))
    assert table.feature_names == ("I_1", "I_2", "Q_1", "Q_2")
    assert table.x[0].tolist() == [2, 4, 3, 5]


def test_interleaved_window_alternates_i_and_q() -> None:
    settings = IQWindowFeatures(kind="iq_window", window_start=1, window_length=2, layout="interleaved")
    table = extract_features(_samples(), settings)
    assert table.feature_names == ("I_1", "Q_1", "I_2", "Q_2")
    assert table.x[0].tolist() == [2, 3, 4, 5]


def test_window_beyond_the_trace_names_both_keys() -> None:
    settings = IQWindowFeatures(kind="iq_window", window_start=3, window_length=4)
    with pytest.raises(ValueError, match=r"features\.window_start \+ features\.window_length = 7 exceeds the trace length 5"):
        extract_features(_samples(), settings)


def test_validation_refuses_a_class_without_examples() -> None:
    samples = LabelledSamples(inputs=np.zeros((3, 2)), labels=np.array([0, 0, 0]), class_names=("g", "e"))
    with pytest.raises(ValueError, match=r"my file: classes \['e'\] have no examples"):
        validate_samples(samples, "my file")


def test_validation_refuses_nan_inputs() -> None:
    samples = LabelledSamples(inputs=np.array([[np.nan], [1.0]]), labels=np.array([0, 1]), class_names=("g", "e"))
    with pytest.raises(ValueError, match="NaN"):
        validate_samples(samples, "sim")
