"""The architecture description: validation, identity, features and bit operations."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from snac_pack.hardware import (
    Architecture,
    DenseLayerSpec,
    ImplementationTarget,
    architecture_bops,
    dense_layer_bops,
    feature_names,
)


def _layers(**head_overrides: object) -> list[dict[str, object]]:
    """A valid two-layer stack as plain dicts, with overrides applied to the head."""
    return [
        {"units": 3, "activation": "relu", "weight_bits": 4, "activation_bits": 5, "activation_integer_bits": 2},
        {"units": 2, "activation": "linear", "weight_bits": 4, "activation_bits": 6, "activation_integer_bits": 2}
        | head_overrides,
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"n_inputs": 0}, "n_inputs"),
        ({"input_bits": 1}, "input_bits"),
        ({"input_bits": 6, "input_integer_bits": 6}, "input_integer_bits"),
        ({"layers": []}, "layers"),
        ({"layers": _layers(units=0)}, "units"),
        ({"layers": _layers(sparsity=1.0)}, "sparsity"),
        ({"layers": _layers(sparsity=-0.1)}, "sparsity"),
        ({"layers": _layers(weight_bits=1)}, "weight_bits"),
        ({"layers": _layers(weight_bits=4, weight_integer_bits=4)}, "weight_integer_bits"),
        ({"layers": _layers(activation="tanh")}, "activation"),
        ({"layers": _layers(activation_bits=4, activation_integer_bits=4)}, "activation_integer_bits"),
        ({"layers": _layers(activation="relu")}, "layers[1].activation"),
        ({"layers": _layers(dropout=0.1)}, "dropout"),
        ({"target": {"reuse_factor": 2}}, "reuse_factor"),
        ({"target": {"strategy": "fast"}}, "strategy"),
        ({"target": {"clock_period_ns": 0}}, "clock_period_ns"),
        ({"target": {"part": ""}}, "part"),
        ({"target": {"io_type": "axi"}}, "io_type"),
    ],
)
def test_invalid_values_raise_errors_naming_the_field(arguments: dict[str, object], field: str) -> None:
    valid = {"n_inputs": 4, "input_bits": 6, "input_integer_bits": 2, "layers": _layers()}
    with pytest.raises(ValidationError) as error:
        Architecture(**(valid | arguments))
    assert field in str(error.value)


def test_valid_architecture_and_its_helpers() -> None:
    arch = Architecture(n_inputs=4, input_bits=6, input_integer_bits=2, layers=_layers())
    assert arch.widths == (4, 3, 2)
    assert arch.layer_shapes() == [(4, 3), (3, 2)]
    assert arch.n_params() == 4 * 3 + 3 + 3 * 2 + 2
    assert arch.n_outputs == 2 and arch.depth == 2
    assert str(arch.layers[0].activation_format) == "ufixed<5,2>"
    assert str(arch.layers[1].activation_format) == "fixed<6,2>"
    assert arch.input_format.fractional_bits == 3


def test_architecture_is_immutable_and_parts_are_case_insensitive() -> None:
    arch = Architecture.from_widths([4, 3, 2], target=ImplementationTarget(part="XCU250-FIGD2104-2L-E"))
    assert arch.target.part == "xcu250-figd2104-2l-e"
    with pytest.raises(ValidationError):
        arch.n_inputs = 5  # type: ignore[misc]


def test_key_is_stable_and_distinguishes_architectures() -> None:
    first = Architecture.from_widths([16, 64, 5], weight_bits=6)
    again = Architecture.model_validate_json(first.model_dump_json())
    assert first.key() == again.key()
    assert len(first.key()) == 16
    assert first.key() != Architecture.from_widths([16, 64, 5], weight_bits=7).key()
    assert first.key() != Architecture.from_widths(
        [16, 64, 5], weight_bits=6, target=ImplementationTarget(clock_period_ns=4.0)
    ).key()


def test_from_widths_makes_relu_hidden_layers_and_a_linear_head() -> None:
    arch = Architecture.from_widths([16, 64, 32, 5], weight_bits=6, activation_bits=7, sparsity=0.5)
    assert [layer.activation for layer in arch.layers] == ["relu", "relu", "linear"]
    assert all(layer.weight_bits == 6 and layer.activation_bits == 7 for layer in arch.layers)
    assert arch.describe() == "16-64-32-5 w6/a7 s0.50 @ distributed_arithmetic"


def test_features_have_a_fixed_length_and_padding() -> None:
    small = Architecture.from_widths([4, 3, 2]).to_features()
    large = Architecture.from_widths([16, 64, 32, 32, 5], sparsity=0.25).to_features()
    assert list(small) == list(large) == feature_names()
    assert small["layer2_units"] == 0.0 and large["layer2_units"] == 32.0
    assert large["layer1_sparsity"] == 0.25 and large["layer3_relu"] == 0.0 and large["layer2_relu"] == 1.0
    assert large["target_strategy_is_distributed_arithmetic"] == 1.0
    assert all(isinstance(value, float) for value in large.values())
    with pytest.raises(ValueError, match="max_layers"):
        Architecture.from_widths([4, 4, 4, 2]).to_features(max_layers=2)


def test_bops_of_a_hand_computed_network() -> None:
    # Layer 0: 4 -> 3, b_a = 6 (input), b_w = 4, p = 0.5:  3·4·(0.5·6·4 + 6 + 4 + log2 4) = 12·24 = 288
    # Layer 1: 3 -> 2, b_a = 5 (layer 0's output), b_w = 4, p = 0: 2·3·(5·4 + 5 + 4 + log2 3)
    arch = Architecture(
        n_inputs=4,
        input_bits=6,
        input_integer_bits=2,
        layers=[
            DenseLayerSpec(units=3, weight_bits=4, activation_bits=5, activation_integer_bits=2, sparsity=0.5),
            DenseLayerSpec(units=2, activation="linear", weight_bits=4, activation_bits=6, activation_integer_bits=2),
        ],
    )
    expected = 288.0 + 6.0 * (29.0 + math.log2(3))
    assert architecture_bops(arch) == pytest.approx(expected)
    assert arch.bops() == pytest.approx(471.509775, abs=1e-6)
    assert dense_layer_bops(4, 3, weight_bits=4, input_bits=6, sparsity=0.5) == pytest.approx(288.0)


def test_bops_fall_with_sparsity_and_rise_with_bits() -> None:
    def bops(**kwargs: int | float) -> float:
        return Architecture.from_widths([16, 32, 5], **kwargs).bops()

    assert bops(sparsity=0.5) < bops(sparsity=0.0)
    assert bops(weight_bits=8) > bops(weight_bits=4)
    with pytest.raises(ValueError, match="sparsity"):
        dense_layer_bops(4, 3, 4, 4, sparsity=1.0)
