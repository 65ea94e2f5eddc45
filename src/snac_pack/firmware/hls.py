"""hls4ml firmware of a QKeras network: configuration, conversion, C simulation, vendor build.

The hls4ml configuration is derived from the QKeras quantizers, then made explicit where
hls4ml would otherwise guess: the input type (the input quantizer's format, rounding and
saturating like QKeras, so floats fed to the C simulation are quantized as in training), the
head's output type (hls4ml drops a final ``quantized_bits`` activation) and, per layer kind
(:data:`KIND_SETTINGS`), what a kind needs: a pool sums and divides in types wide enough for the
exact average, which the quantizer after it then rounds as QKeras does. With these, the C
simulation reproduces the QKeras model bit for bit.

This module knows nothing of Kedro; hls4ml and TensorFlow are imported on use.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from snac_pack.firmware.keras2 import keras2_converter
from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.fixed_point import FixedFormat
from snac_pack.models.quantized import layer_name

if TYPE_CHECKING:
    import tf_keras
    from hls4ml.model import ModelGraph

logger = logging.getLogger(__name__)

Backend = Literal["Vitis", "Vivado"]
# hls4ml's names of our strategies.
_HLS4ML_STRATEGY = {"distributed_arithmetic": "distributed_arithmetic", "latency": "Latency", "resource": "Resource"}
# Layers hls4ml's Keras-2 converter drops (inference is the identity), beside those it converts.
_SKIPPED_LAYERS = {"Dropout"}
# Executables that make a vendor build possible, per backend (hls4ml calls them).
VENDOR_TOOLS: dict[str, tuple[str, ...]] = {"Vitis": ("vitis-run",), "Vivado": ("vivado_hls", "vivado")}


class FirmwareError(RuntimeError):
    """The network cannot be turned into firmware as configured; the message says why and what to change."""


def hls_type(fmt: FixedFormat) -> str:
    """The ``ap_fixed`` type of a format, rounding to nearest even and saturating (QKeras's semantics).

    hls4ml's integer width counts the sign bit; ours does not.
    """
    if fmt.signed:
        return f"fixed<{fmt.bits},{fmt.integer_bits + 1},RND_CONV,SAT>"
    return f"ufixed<{fmt.bits},{fmt.integer_bits},RND_CONV,SAT>"


def unsupported_layers(model: tf_keras.Model) -> list[str]:
    """``name (class)`` of every layer hls4ml's Keras-2 converter does not support."""
    from hls4ml.converters import get_supported_keras_layers

    supported = set(get_supported_keras_layers()) | _SKIPPED_LAYERS
    return [f"{layer.name} ({layer.__class__.__name__})" for layer in model.layers if layer.__class__.__name__ not in supported]


def _exact_average_types(input_format: FixedFormat, count: int) -> dict[str, str]:
    """hls4ml's ``accum`` and ``result`` of an average of ``count`` values of ``input_format``, both exact.

    hls4ml sums in ``accum`` and divides there (``y /= length``, truncating to its fractional
    bits), then casts to ``result``; with ``log2(count)`` more integer bits for the sum and as
    many more fractional bits for the shift, nothing is lost before the next quantizer rounds.
    """
    shift = count.bit_length() - 1
    sign = int(input_format.signed)
    integer, fractional = input_format.integer_bits, input_format.fractional_bits + shift
    kind = "fixed" if input_format.signed else "ufixed"
    return {
        "accum": f"{kind}<{sign + integer + shift + fractional},{sign + integer + shift}>",
        "result": f"{kind}<{sign + integer + fractional},{sign + integer}>",
    }


def _pool_settings(arch: Architecture, position: int, input_format: FixedFormat) -> dict[str, Any]:
    layer = arch.layers[position]
    tokens = arch.layer_io_shapes()[position][0][0]
    return {"Precision": _exact_average_types(input_format, tokens if layer.size is None else layer.size)}


#: ``(arch, position, input format) -> settings`` merged into the layer's hls4ml configuration, per kind
#: that needs more than hls4ml derives from the QKeras model.
KIND_SETTINGS = {"pool": _pool_settings}


def hls_configuration(model: tf_keras.Model, arch: Architecture, target: ImplementationTarget, backend: Backend) -> dict[str, Any]:
    """The per-layer hls4ml configuration of ``arch``'s QKeras classifier (built by ``build_qkeras_network``).

    Args:
        model: the QKeras model.
        arch: its architecture (formats of the input, the head and every layer).
        target: strategy and reuse factor.
        backend: ``Vitis`` or ``Vivado``.

    Returns:
        hls4ml's ``HLSConfig``, per layer name.
    """
    import hls4ml

    with keras2_converter():
        config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend=backend)
    config["Model"]["Strategy"] = _HLS4ML_STRATEGY[target.strategy]
    config["Model"]["ReuseFactor"] = target.reuse_factor
    input_name = model.layers[0].name
    config["LayerName"][input_name]["Precision"]["result"] = hls_type(arch.input_format)
    config["LayerName"]["output"]["Precision"]["result"] = hls_type(arch.layers[-1].activation_format)
    for position, (layer, input_format) in enumerate(zip(arch.layers, arch.layer_input_formats(), strict=True)):
        if layer.kind in KIND_SETTINGS:
            settings = config["LayerName"][layer_name(arch, position)]
            for key, value in KIND_SETTINGS[layer.kind](arch, position, input_format).items():
                settings[key] = {**settings.get(key, {}), **value}
    return config


@dataclass
class HlsFirmware:
    """A written and compiled hls4ml project.

    Attributes:
        graph: hls4ml's model (``predict`` runs the compiled C simulation).
        directory: the project directory.
        convert_seconds: time to convert and write the project.
        compile_seconds: time to compile the C simulation.
    """

    graph: ModelGraph
    directory: Path
    convert_seconds: float
    compile_seconds: float


def convert(
    model: tf_keras.Model,
    arch: Architecture,
    target: ImplementationTarget,
    backend: Backend,
    directory: Path,
) -> HlsFirmware:
    """Convert a QKeras classifier with hls4ml, write its project and compile the C simulation.

    Args:
        model: the QKeras model of ``arch`` (``build_qkeras_network``: input quantizer first, head ``output``).
        arch: its architecture.
        target: strategy, reuse factor, part, clock period and I/O type.
        backend: ``Vitis`` or ``Vivado``.
        directory: where the project is written (replaced if it exists).

    Raises:
        FirmwareError: naming unsupported layers, or what hls4ml refused.
    """
    import hls4ml

    unsupported = unsupported_layers(model)
    if unsupported:
        raise FirmwareError(
            f"hls4ml cannot convert layer(s) {unsupported}; the firmware flow supports the networks "
            "snac_pack.models.quantized builds (its layer kinds)"
        )
    if directory.exists():
        shutil.rmtree(directory)
    started = time.perf_counter()
    config = hls_configuration(model, arch, target, backend)
    try:
        with keras2_converter():
            graph = hls4ml.converters.convert_from_keras_model(
                model,
                hls_config=config,
                output_dir=str(directory),
                project_name="snac_pack_firmware",
                backend=backend,
                part=target.part,
                clock_period=target.clock_period_ns,
                io_type=target.io_type,
            )
        graph.write()
    except Exception as error:  # hls4ml raises many kinds; name the step and the model
        raise FirmwareError(f"hls4ml could not convert {model.name} ({target.strategy}, {backend}): {error}") from error
    convert_seconds = time.perf_counter() - started
    started = time.perf_counter()
    graph.compile()
    compile_seconds = time.perf_counter() - started
    logger.info("hls4ml project in %s: converted in %.1f s, C simulation compiled in %.1f s", directory, convert_seconds, compile_seconds)
    return HlsFirmware(graph, directory, convert_seconds, compile_seconds)


def vendor_tools(backend: Backend) -> list[str]:
    """The backend's executables found on PATH (empty: no vendor synthesis is possible here)."""
    return [tool for tool in VENDOR_TOOLS[backend] if shutil.which(tool)]


def vendor_build(firmware: HlsFirmware, backend: Backend) -> dict[str, Any]:
    """Run hls4ml's vendor build (C synthesis and logic synthesis) of a written project.

    Raises:
        FirmwareError: the vendor tools are not on PATH.
    """
    found = vendor_tools(backend)
    if not found:
        raise FirmwareError(f"no {backend} tools on PATH (looked for {list(VENDOR_TOOLS[backend])})")
    started = time.perf_counter()
    report = firmware.graph.build(csim=False, synth=True, vsynth=True)
    logger.info("%s build finished in %.0f s", backend, time.perf_counter() - started)
    return report or {}
