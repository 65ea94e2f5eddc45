"""hls4ml firmware of a QKeras network: configuration, conversion, C simulation, vendor build.

The hls4ml configuration is derived from the QKeras quantizers, then made explicit where
hls4ml would otherwise guess: the input type (the input quantizer's format, rounding and
saturating like QKeras, so floats fed to the C simulation are quantized as in training) and the
head's output type (hls4ml drops a final ``quantized_bits`` activation). With these, the C
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
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.fixed_point import FixedFormat

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


def hls_configuration(
    model: tf_keras.Model, input_format: FixedFormat, head_format: FixedFormat, target: ImplementationTarget, backend: Backend
) -> dict[str, Any]:
    """The per-layer hls4ml configuration of a QKeras classifier (head layer named ``output``)."""
    import hls4ml

    with keras2_converter():
        config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend=backend)
    config["Model"]["Strategy"] = _HLS4ML_STRATEGY[target.strategy]
    config["Model"]["ReuseFactor"] = target.reuse_factor
    input_name = model.layers[0].name
    config["LayerName"][input_name]["Precision"]["result"] = hls_type(input_format)
    config["LayerName"]["output"]["Precision"]["result"] = hls_type(head_format)
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
    input_format: FixedFormat,
    head_format: FixedFormat,
    target: ImplementationTarget,
    backend: Backend,
    directory: Path,
) -> HlsFirmware:
    """Convert a QKeras classifier with hls4ml, write its project and compile the C simulation.

    Args:
        model: the QKeras model (input quantizer first, head named ``output``).
        input_format: format of the network's input.
        head_format: format of the head's output (the logits).
        target: strategy, reuse factor, part, clock period and I/O type.
        backend: ``Vitis`` or ``Vivado``.
        directory: where the project is written (replaced if it exists).

    Raises:
        FirmwareError: naming unsupported layers, or what hls4ml refused.
    """
    import hls4ml

    unsupported = unsupported_layers(model)
    if unsupported:
        raise FirmwareError(f"hls4ml cannot convert layer(s) {unsupported}; the firmware flow supports QDense, QActivation and Dropout networks")
    if directory.exists():
        shutil.rmtree(directory)
    started = time.perf_counter()
    config = hls_configuration(model, input_format, head_format, target, backend)
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
