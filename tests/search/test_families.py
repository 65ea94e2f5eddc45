"""Network families: each family's space samples and builds every combination it allows; inputs become tokens."""

from __future__ import annotations

import itertools

import numpy as np
import optuna
import pytest
from pydantic import ValidationError

from snac_pack.data.features import FeatureTable, token_grid
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.search.sampling import candidate_inputs
from snac_pack.search.space import (
    SearchSpace,
    n_weighted_layers,
    random_trials,
    suggest_candidate,
    suggest_precision,
    to_architecture,
)

BODY = {"layers": {"low": 1, "high": 2}, "units": [4], "token_units": [2, 4], "kernel_size": [2, 3], "stride": [1, 2],
        "ending": ["pool", "flatten"]}
TOKENS, FEATURES = 8, 3


def _space(family: str | list[str]) -> SearchSpace:
    return SearchSpace.model_validate({
        "family": family, "hidden_layers": {"low": 1 if "mlp" in family else 0, "high": 1}, "units": [4],
        "batch_norm": [False, True], "per_layer": ["batch_norm", "weight_bits", "activation_bits", "sparsity"],
        "precision": {"weight_bits": [4], "activation_bits": [6], "sparsity": {"low": 0.0, "high": 0.0}},
        "body": BODY,
    })


def _every_point(family: str) -> list[dict[str, object]]:
    """Every combination of a family's structural choices (precision fixed, normalisation on)."""
    points = []
    per_layer: dict[str, list[list[tuple[str, object]]]] = {
        "deepsets": [],
        "mixer": [[("token_units_{i}", tokens)] for tokens in BODY["token_units"]],
        "conv1d": [[("kernel_size_{i}", size), ("stride_{i}", stride)] for size in BODY["kernel_size"] for stride in BODY["stride"]],
    }
    endings = BODY["ending"] if family == "mixer" else [None]
    for depth, hidden, ending in itertools.product((1, 2), (0, 1), endings):
        choices = per_layer[family] or [[]]
        for combination in itertools.product(choices, repeat=depth):
            params: dict[str, object] = {"body_layers": depth, "hidden_layers": hidden}
            for i, choice in enumerate(combination):
                params |= {name.format(i=i): value for name, value in choice}
            if ending is not None:
                params["ending"] = ending
            n_weighted = depth * (2 if family == "mixer" else 1) + hidden
            params |= {f"batch_norm_{i}": True for i in range(n_weighted)}
            points.append(params)
    return points


@pytest.mark.parametrize(("family", "count"), [("deepsets", 4), ("mixer", 24), ("conv1d", 40)])
def test_each_family_samples_every_combination_it_allows_and_each_builds(family: str, count: int) -> None:
    from snac_pack.compression.qmodel import build_qkeras_classifier
    from snac_pack.models.mlp import build_float_network

    space = _space(family)
    points = _every_point(family)
    assert len(points) == count
    expected_kinds = {"deepsets": {"pointwise", "pool"}, "mixer": {"token_mix", "pointwise"}, "conv1d": {"conv1d", "flatten"}}
    for params in points:
        trial = optuna.trial.FixedTrial(params)
        candidate = suggest_candidate(space, trial)
        precision = suggest_precision(space, trial, n_weighted_layers(candidate))
        arch = to_architecture(candidate.network, (TOKENS, FEATURES), 5, precision, ImplementationTarget())
        kinds = {layer.kind for layer in arch.layers}
        assert expected_kinds[family] <= kinds, (params, arch.describe())
        assert len(arch.weighted_layers()) == n_weighted_layers(candidate)
        assert sum(layer.kind == "dense" for layer in arch.layers) == params["hidden_layers"] + 1
        float_model = build_float_network((TOKENS, FEATURES), 5, candidate.network)
        normalised = [layer for layer in float_model.layers if layer.__class__.__name__ == "BatchNormalization"]
        assert len(normalised) == n_weighted_layers(candidate) - 1
        quantized = build_qkeras_classifier((TOKENS, FEATURES), 5, candidate.network, precision)
        assert quantized.output_shape == (None, 5) and float_model.output_shape == (None, 5)


def test_a_space_of_several_families_draws_the_family_per_trial() -> None:
    space = _space(["mlp", "deepsets", "mixer", "conv1d"])
    seen = {}
    for trial in itertools.islice(random_trials(0), 40):
        candidate = suggest_candidate(space, trial)
        seen[trial.params["family"]] = candidate.network
    assert set(seen) == {"mlp", "deepsets", "mixer", "conv1d"}
    assert not seen["mlp"].body and all(seen[family].body for family in ("deepsets", "mixer", "conv1d"))


def test_inputs_become_tokens_for_a_network_with_a_body() -> None:
    names = tuple(f"{feature}_{token}" for token in range(TOKENS) for feature in ("z", "deta", "dphi"))
    x = np.arange(4 * len(names), dtype=np.float32).reshape(4, -1)
    table = FeatureTable(x, np.zeros(4, dtype=int), names, ("a", "b"))
    candidate = suggest_candidate(_space("deepsets"), next(random_trials(0)))
    tokens = candidate_inputs(candidate, table)
    assert tokens.shape == (4, TOKENS, 3)
    np.testing.assert_array_equal(tokens[:, 2, 1], x[:, names.index("deta_2")])
    # I/Q traces stored I samples first: each token is one sample's (I, Q).
    iq = tuple([f"I_{t}" for t in range(6)] + [f"Q_{t}" for t in range(6)])
    grid = token_grid(iq)
    assert grid.shape == (6, 2) and [iq[column] for column in grid[4]] == ["I_4", "Q_4"]


def test_features_without_token_indices_are_refused_naming_one() -> None:
    with pytest.raises(ValueError, match="feature 'mass' has no token index"):
        token_grid(("z_0", "mass"))
    with pytest.raises(ValueError, match=r"features \['deta_1'\] are missing"):
        token_grid(("z_0", "deta_0", "z_1"))


def test_a_window_too_short_for_the_deepest_convolutions_is_refused_naming_the_keys() -> None:
    with pytest.raises(ValidationError, match="input_window.length.low = 10 samples is shorter than the 13"):
        SearchSpace.model_validate({
            "family": "conv1d", "hidden_layers": {"low": 0, "high": 1}, "units": [4],
            "body": {"layers": {"low": 1, "high": 2}, "kernel_size": [5], "stride": [2]},
            "input_window": {"start": {"low": 0, "high": 0}, "length": {"low": 10, "high": 20}},
        })


def test_an_mlp_space_needs_a_hidden_layer() -> None:
    with pytest.raises(ValidationError, match=r"hidden_layers.low must be at least 1 \(an MLP needs a hidden layer\)"):
        SearchSpace.model_validate({"family": "mlp", "hidden_layers": {"low": 0, "high": 1}, "units": [4]})


def test_random_designs_of_a_family_are_costed_into_the_table_with_their_weight_counts(tmp_path) -> None:
    from snac_pack.hardware.ground_truth import GroundTruthStore, extend_ground_truth, row_statistics, rows_for
    from snac_pack.hardware.network import random_quantized_network
    from snac_pack.hardware.surrogate_features import weight_statistics
    from snac_pack.search.sampling import random_weight_designs

    names = tuple(f"{feature}_{token}" for token in range(TOKENS) for feature in ("z", "deta", "dphi"))
    target = ImplementationTarget()
    designs = random_weight_designs(_space("deepsets"), 2, feature_names=names, n_classes=3, target=target, seed=0)
    assert all(design.arch.input_shape == (TOKENS, 3) and not design.arch.is_mlp for design in designs)
    mlp = random_weight_designs(_space("mlp"), 1, feature_names=names, n_classes=3, target=target, seed=0)
    assert mlp[0].arch.input_shape == (TOKENS * 3,)
    store = GroundTruthStore(tmp_path / "gt.jsonl", shipped=None)
    assert extend_ground_truth(store, [*designs, *mlp], "da4ml", n_workers=1) == 3
    table = store.table()
    assert (table["lut"] > 0).all()
    # Every family's rows are the surrogate's, with the counts of their weights.
    selected = rows_for(table, target, ("da4ml",), max_layers=8)
    assert sorted(selected["design_id"]) == sorted(d.design_id() for d in [*designs, *mlp])
    family_row = table.set_index("design_id").loc[designs[0].design_id()]
    weights = random_quantized_network(designs[0].arch, np.random.default_rng(designs[0].weight_seed))
    np.testing.assert_array_equal(row_statistics(family_row), weight_statistics(designs[0].arch, weights))
