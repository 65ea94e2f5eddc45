"""The search space: one definition, sampled the same way by the surrogate and the search."""

from __future__ import annotations

import itertools

import optuna
import numpy as np
import pytest
from pydantic import ValidationError

from snac_pack.compression.settings import FixedPoint
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.search.sampling import random_weight_designs
from snac_pack.search.space import (
    FloatRange,
    IntRange,
    PrecisionSpace,
    SearchSpace,
    n_weighted_layers,
    random_trials,
    suggest_candidate,
    suggest_precision,
    to_architecture,
)

SPACE = SearchSpace(
    hidden_layers=IntRange(low=2, high=4),
    units=(8, 16),
    dropout=FloatRange(low=0.0, high=0.2),
    l1=FloatRange(low=1e-6, high=1e-3, log=True),
)


def test_candidates_stay_inside_the_space() -> None:
    for trial in itertools.islice(random_trials(0), 30):
        candidate = suggest_candidate(SPACE, trial)
        assert 2 <= len(candidate.network.hidden_units) <= 4
        assert set(candidate.network.hidden_units) <= {8, 16}
        assert 0.0 <= candidate.network.dropout <= 0.2 and 1e-6 <= candidate.network.l1 <= 1e-3


def test_random_designs_are_reproducible_and_span_precisions() -> None:
    names = tuple(f"f{index}" for index in range(16))
    first = random_weight_designs(SPACE, 20, feature_names=names, n_classes=5, target=ImplementationTarget(), seed=3)
    second = random_weight_designs(SPACE, 20, feature_names=names, n_classes=5, target=ImplementationTarget(), seed=3)
    assert [d.design_id() for d in first] == [d.design_id() for d in second]
    assert {d.arch.layers[0].weight_bits for d in first} == {4, 6, 8}
    assert all(d.arch.n_inputs == 16 and d.arch.n_outputs == 5 for d in first)


def test_random_designs_over_the_size_cap_are_drawn_again_and_an_impossible_cap_names_its_key() -> None:
    names = tuple(f"f{index}" for index in range(16))
    free = random_weight_designs(SPACE, 20, feature_names=names, n_classes=5, target=ImplementationTarget(), seed=3)
    cap = float(np.median([d.arch.n_built_weights() for d in free]))
    capped = random_weight_designs(SPACE, 20, feature_names=names, n_classes=5, target=ImplementationTarget(), seed=3, max_built_weights=cap)
    assert len(capped) == 20 and all(d.arch.n_built_weights() <= cap for d in capped)
    # The designs under the cap keep their identity (same draw, same weights).
    kept = {d.design_id() for d in free if d.arch.n_built_weights() <= cap}
    assert kept <= {d.design_id() for d in capped}
    with pytest.raises(ValueError, match="surrogate_training.max_built_weights = 1 built weights"):
        random_weight_designs(SPACE, 2, feature_names=names, n_classes=5, target=ImplementationTarget(), seed=3, max_built_weights=1)


def test_invalid_ranges_name_the_field() -> None:
    with pytest.raises(ValidationError, match="high \\(1\\) must be at least low \\(3\\)"):
        IntRange(low=3, high=1)
    with pytest.raises(ValidationError, match="low must be positive on a log scale"):
        FloatRange(low=0.0, high=1.0, log=True)


PER_LAYER = SearchSpace(
    hidden_layers=IntRange(low=1, high=2),
    units=(4, 8),
    batch_norm=(False, True),
    precision=PrecisionSpace(weight_bits=(4, 8), activation_bits=(6, 8), sparsity=FloatRange(low=0.0, high=0.5)),
    per_layer=("batch_norm", "weight_bits", "activation_bits", "sparsity"),
)


def _every_point(space: SearchSpace) -> list[dict[str, object]]:
    """Every combination of the per-layer space's discrete choices; sparsities at both ends of their range."""
    points = []
    sparsities = (space.precision.sparsity.low, space.precision.sparsity.high)
    for depth in range(space.hidden_layers.low, space.hidden_layers.high + 1):
        n_layers = depth + 1
        per_hidden = [[(f"units_{i}", units) for units in space.units] for i in range(depth)]
        per_hidden += [[(f"batch_norm_{i}", flag) for flag in space.batch_norm] for i in range(depth)]
        per_dense = [[(f"weight_bits_{i}", bits) for bits in space.precision.weight_bits] for i in range(n_layers)]
        per_dense += [[(f"activation_bits_{i}", bits) for bits in space.precision.activation_bits] for i in range(n_layers)]
        per_dense += [[(f"sparsity_{i}", sparsity) for sparsity in sparsities] for i in range(n_layers)]
        for combination in itertools.product(*per_hidden, *per_dense):
            points.append({"hidden_layers": depth, **dict(combination)})
    return points


def test_a_per_layer_space_samples_every_combination_it_allows_and_each_becomes_its_architecture() -> None:
    points = _every_point(PER_LAYER)
    # depth 1: 2 widths x 2 norms x (2 x 2 x 2 formats)^2 layers; depth 2: 4 x 4 x 8^3
    assert len(points) == 2 * 2 * 8**2 + 4 * 4 * 8**3
    for params in points:
        trial = optuna.trial.FixedTrial(params)
        candidate = suggest_candidate(PER_LAYER, trial)
        depth = params["hidden_layers"]
        assert candidate.network.batch_norm == tuple(params[f"batch_norm_{i}"] for i in range(depth))
        precision = suggest_precision(PER_LAYER, trial, n_weighted_layers(candidate))
        arch = to_architecture(candidate.network, 16, 5, precision, ImplementationTarget())
        assert [layer.units for layer in arch.layers] == [*(params[f"units_{i}"] for i in range(depth)), 5]
        for i, layer in enumerate(arch.layers):
            assert (layer.weight_bits, layer.activation_bits, layer.sparsity) == (
                params[f"weight_bits_{i}"], params[f"activation_bits_{i}"], params[f"sparsity_{i}"]
            )


def test_random_draws_of_a_per_layer_space_vary_within_a_network_and_every_one_builds() -> None:
    from snac_pack.compression.qmodel import build_qkeras_classifier
    from snac_pack.compression.settings import QuantizationPoint
    from snac_pack.models.mlp import build_float_network

    mixed_bits = mixed_norm = 0
    for trial in itertools.islice(random_trials(1), 40):
        candidate = suggest_candidate(PER_LAYER, trial)
        precision = suggest_precision(PER_LAYER, trial, n_weighted_layers(candidate))
        arch = to_architecture(candidate.network, 16, 5, precision, ImplementationTarget())
        mixed_bits += len({layer.weight_bits for layer in arch.layers}) > 1
        mixed_norm += len(set(candidate.network.batch_norm)) > 1
        float_model = build_float_network((16,), 5, candidate.network)
        normalised = [layer.name for layer in float_model.layers if layer.__class__.__name__ == "BatchNormalization"]
        assert normalised == [f"batch_norm_{i}" for i, flag in enumerate(candidate.network.batch_norm) if flag]
        # The QKeras network carries each layer's own quantizers (the per-layer point survives storage as JSON).
        point = QuantizationPoint.model_validate_json(QuantizationPoint.of(precision).model_dump_json())
        quantized = build_qkeras_classifier(16, 5, candidate.network, point.precision(FixedPoint(bits=8, integer=3)))
        dense = [layer for layer in quantized.layers if layer.__class__.__name__ == "QDense"]
        assert [layer.kernel_quantizer_internal.bits for layer in dense] == [layer.weight_bits for layer in arch.layers]
        activations = [layer for layer in quantized.layers if layer.name.startswith("activation_") or layer.name == "output_quantizer"]
        assert [layer.quantizer.bits for layer in activations] == [layer.activation_bits for layer in arch.layers]
    assert mixed_bits >= 10 and mixed_norm >= 5  # a one-layer network cannot mix its normalisation


def test_a_space_without_per_layer_choices_draws_as_before() -> None:
    """Spaces that name no per-layer choice keep their draws: the shipped ground truth of their random designs stays theirs."""
    trial = next(random_trials(5))
    candidate = suggest_candidate(SPACE, trial)
    precision = suggest_precision(SPACE, trial, n_weighted_layers(candidate))
    assert set(trial.params) == {"hidden_layers", *(f"units_{i}" for i in range(len(candidate.network.hidden_units))),
                                 "dropout", "l1", "weight_bits", "activation_bits", "sparsity"}
    assert precision.per_layer == () and len(set(candidate.network.batch_norm)) == 1


def test_a_choice_named_twice_per_layer_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"per_layer names \['sparsity'\] more than once"):
        SearchSpace.model_validate({**SPACE.model_dump(), "per_layer": ["sparsity", "sparsity"]})


def test_a_window_with_an_end_reaches_the_full_window_and_never_beyond_it() -> None:
    from snac_pack.search.space import InputWindowSpace

    window = InputWindowSpace(start=IntRange(low=0, high=150, step=10), length=IntRange(low=10, high=200, step=10), end=200)
    drawn = [window.suggest(trial) for trial in itertools.islice(random_trials(0), 2000)]
    assert max(start + length for start, length in drawn) == 200 and (0, 200) in drawn
    assert {length % 10 for _, length in drawn} == {0} and min(length for _, length in drawn) == 10
    with pytest.raises(ValidationError, match="start.high \\+ length.low = 210 exceeds end = 200"):
        InputWindowSpace(start=IntRange(low=0, high=200), length=IntRange(low=10, high=20), end=200)
