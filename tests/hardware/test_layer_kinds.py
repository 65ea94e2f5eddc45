"""Layer kinds: shapes chain or fail naming the layer; QKeras, the numpy reference, da4ml and hls4ml agree bit for bit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from snac_pack.hardware import (
    Architecture,
    Conv1DLayerSpec,
    DenseLayerSpec,
    ExactDesign,
    FlattenLayerSpec,
    PointwiseLayerSpec,
    PoolLayerSpec,
    TokenMixLayerSpec,
    forward_quantized,
    random_quantized_network,
    validate_weights,
)
from snac_pack.hardware.network import value_intervals


def _head(units: int = 3, **formats: int) -> DenseLayerSpec:
    return DenseLayerSpec(units=units, activation="linear", **formats)


#: One tiny network per kind, each exercising it with unusual formats (mixed bits, signed pools, strides).
KINDS = {
    "pointwise": Architecture(
        n_inputs=3, tokens=4, input_bits=7, input_integer_bits=2,
        layers=(PointwiseLayerSpec(units=5, weight_bits=5, activation_bits=6, activation_integer_bits=2, sparsity=0.3),
                FlattenLayerSpec(), _head()),
    ),
    "conv1d": Architecture(
        n_inputs=2, tokens=9,
        layers=(Conv1DLayerSpec(units=3, kernel_size=3, stride=2, weight_bits=4, activation_bits=7, activation_integer_bits=3),
                FlattenLayerSpec(), _head(2)),
    ),
    "token_mix": Architecture(
        n_inputs=3, tokens=4,
        layers=(TokenMixLayerSpec(units=2, weight_bits=6, activation="linear", activation_bits=8, activation_integer_bits=3),
                FlattenLayerSpec(), _head()),
    ),
    "pool_global": Architecture(
        n_inputs=3, tokens=8,
        layers=(PointwiseLayerSpec(units=4, weight_bits=6, activation_bits=6, activation_integer_bits=2),
                PoolLayerSpec(activation_bits=5, activation_integer_bits=1), _head(weight_bits=5)),
    ),
    "pool_local_signed": Architecture(
        n_inputs=2, tokens=8,
        layers=(PoolLayerSpec(size=4, activation="linear", activation_bits=8, activation_integer_bits=2),
                FlattenLayerSpec(), _head(2, weight_bits=6)),
    ),
    "flatten": Architecture(n_inputs=2, tokens=3, layers=(FlattenLayerSpec(), _head())),
    "dense": Architecture.from_widths([5, 4, 3], weight_bits=5, activation_bits=6),
    # Each layer at its own bits, as a quantization-aware trial draws them and compression keeps them.
    "dense_per_layer_bits": Architecture(
        n_inputs=5,
        layers=(DenseLayerSpec(units=6, weight_bits=4, activation_bits=6, activation_integer_bits=3, sparsity=0.5),
                DenseLayerSpec(units=4, weight_bits=8, activation_bits=8, activation_integer_bits=2), _head(weight_bits=6)),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_qkeras_reference_da4ml_and_hls4ml_agree_bit_for_bit(kind: str, tmp_path: Path) -> None:
    from snac_pack.firmware.hls import convert
    from snac_pack.models.quantized import build_qkeras_network, kernel_layers, quantized_weights

    arch = KINDS[kind]
    rng = np.random.default_rng(3)
    weights = random_quantized_network(arch, rng)
    model = build_qkeras_network(arch)
    for layer, (kernel, bias) in zip(kernel_layers(model), weights, strict=True):
        layer.kernel.assign(kernel.reshape(layer.kernel.shape).astype(np.float32))
        layer.bias.assign(bias.astype(np.float32))
    # Wide inputs on purpose: they hit both limits of the input format and of every output format.
    x = rng.normal(0.0, 3.0, size=(2000, *arch.input_shape))

    reference = forward_quantized(arch, weights, x)
    qkeras = np.asarray(model(x.astype(np.float32)), dtype=np.float64)
    da4ml = ExactDesign.build(arch, weights).predict(x)
    # hls4ml's distributed-arithmetic firmware, C simulation.
    firmware = convert(model, arch, arch.target, "Vitis", tmp_path / "prj")
    hls4ml = np.asarray(firmware.graph.predict(np.ascontiguousarray(x)), dtype=np.float64).reshape(reference.shape)

    assert len(np.unique(reference)) > 10, "the check needs outputs that vary"
    np.testing.assert_array_equal(qkeras, reference)
    np.testing.assert_array_equal(da4ml, reference)
    np.testing.assert_array_equal(hls4ml, reference)
    # The weights read back from the model are the ones put in, in the hardware's (fan_in, units) layout.
    for (kernel, bias), (read_kernel, read_bias) in zip(weights, quantized_weights(model), strict=True):
        np.testing.assert_array_equal(read_kernel, kernel)
        np.testing.assert_array_equal(read_bias, bias)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_value_intervals_bound_every_output(kind: str) -> None:
    """da4ml's interval arithmetic: whatever the input, each output lies in its interval (on the head's grid)."""
    arch = KINDS[kind]
    network = random_quantized_network(arch, np.random.default_rng(4))
    low, high, step = value_intervals(arch, network)[-1]
    x = np.random.default_rng(5).uniform(-9.0, 9.0, size=(2000, *arch.input_shape))  # beyond the input range: saturates
    outputs = forward_quantized(arch, network, x)
    assert np.all(outputs >= low) and np.all(outputs <= high)
    assert step == arch.layers[-1].activation_format.step


def test_shared_weights_cost_once_per_application() -> None:
    # A pointwise layer over 4 tokens is the same kernel 4 times: its BOPs are 4 dense layers' and
    # its parameters one kernel's; da4ml builds one adder graph per token.
    arch = Architecture(n_inputs=3, tokens=4, layers=(PointwiseLayerSpec(units=5), FlattenLayerSpec(), _head()))
    assert arch.kernel_uses() == [4, 1]
    assert arch.layer_shapes() == [(3, 5), (20, 3)]
    assert arch.n_params() == 3 * 5 + 5 + 20 * 3 + 3
    assert arch.bops() == pytest.approx(4 * _dense_bops(3, 5, 8, 8) + _dense_bops(20, 3, 8, 8))


def _dense_bops(fan_in: int, units: int, weight_bits: int, input_bits: int) -> float:
    from snac_pack.hardware import dense_layer_bops

    return dense_layer_bops(fan_in, units, weight_bits, input_bits, 0.0)


@pytest.mark.parametrize(
    ("layers", "tokens", "message"),
    [
        ((PointwiseLayerSpec(units=4), _head()), 8, "layers[1] (dense): dense needs a flat input"),
        ((PointwiseLayerSpec(units=4), _head()), None, "layers[0] (pointwise): pointwise needs a sequence input"),
        ((Conv1DLayerSpec(units=2, kernel_size=9), FlattenLayerSpec(), _head()), 8, "layers[0] (conv1d): kernel_size=9 is longer"),
        ((PoolLayerSpec(size=3), FlattenLayerSpec(), _head()), 6, "layers[0] (pool): averages 3 tokens"),
        ((PoolLayerSpec(size=4), FlattenLayerSpec(), _head()), 6, "layers[0] (pool): size=4 does not divide"),
        ((PoolLayerSpec(), _head(), FlattenLayerSpec()), 8, "layers[2].kind must be 'dense'"),
        ((FlattenLayerSpec(), FlattenLayerSpec(), _head()), 8, "layers[1] (flatten): flatten needs a sequence input"),
    ],
    ids=["dense-on-tokens", "pointwise-on-flat", "kernel-too-long", "pool-not-power-of-two", "pool-not-dividing",
         "head-not-dense", "flatten-twice"],
)
def test_an_invalid_chain_fails_naming_the_layer(layers: tuple, tokens: int | None, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Architecture(n_inputs=3, tokens=tokens, layers=layers)


def test_an_mlp_is_described_as_before_layer_kinds_existed() -> None:
    # Stored architectures (the shipped ground-truth table, studies) are keyed by this JSON.
    arch = Architecture.from_widths([4, 3, 2], weight_bits=6)
    described = json.loads(arch.model_dump_json())
    assert "tokens" not in described
    assert all("kind" not in layer for layer in described["layers"])
    assert Architecture.model_validate_json(arch.model_dump_json()) == arch
    assert arch.is_mlp


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_round_trips_through_json(kind: str) -> None:
    arch = KINDS[kind]
    again = Architecture.model_validate_json(arch.model_dump_json())
    assert again == arch
    assert again.key() == arch.key()


def test_weights_of_the_wrong_shape_name_the_layer() -> None:
    arch = KINDS["conv1d"]
    weights = random_quantized_network(arch, np.random.default_rng(0))
    wrong = [(np.zeros((2, 3)), weights[0][1]), weights[1]]
    with pytest.raises(ValueError, match=r"layer 0: kernel \(2, 3\)"):
        validate_weights(arch, wrong)
    with pytest.raises(ValueError, match="weights has 1 layers, the architecture 2 with weights"):
        validate_weights(arch, weights[:1])


def test_stages_that_know_only_dense_chains_refuse_other_kinds_by_name() -> None:
    with pytest.raises(NotImplementedError, match="to_features handles dense layers on a flat input only.*pointwise"):
        KINDS["pointwise"].to_features()


@pytest.mark.slow
def test_the_verilog_of_a_network_over_tokens_synthesizes_with_yosys(tmp_path: Path) -> None:
    from snac_pack.hardware import YosysError, find_yosys, synthesize

    try:
        find_yosys()
    except YosysError as error:
        pytest.skip(str(error))
    # Every kind in one small design.
    arch = Architecture(
        n_inputs=2, tokens=8,
        layers=(PointwiseLayerSpec(units=3, weight_bits=4, activation_bits=6, activation_integer_bits=2),
                TokenMixLayerSpec(units=4, weight_bits=4, activation_bits=6, activation_integer_bits=2),
                Conv1DLayerSpec(units=3, kernel_size=3, weight_bits=4, activation_bits=6, activation_integer_bits=2),
                PoolLayerSpec(size=2, activation_bits=6, activation_integer_bits=2), FlattenLayerSpec(),
                DenseLayerSpec(units=4, weight_bits=4), _head(2, weight_bits=4)),
    )
    design = ExactDesign.build(arch, random_quantized_network(arch, np.random.default_rng(0)))
    estimate = design.cost()
    synthesized = synthesize(design.write_verilog(tmp_path / "tokens"), arch.target, timeout_s=600)
    assert synthesized.source == "yosys" and synthesized.lut > 0
    assert 0.5 * estimate.lut <= synthesized.lut <= 2.0 * estimate.lut
