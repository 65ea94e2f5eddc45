"""What leaves the project with each selected network, in the formats the field's tools read.

For a network named ``N``, :func:`write_handoff` writes into its own folder:

- ``N.h5``: the QKeras model, as ``qkeras.utils.load_qmodel`` reloads it (same outputs as
  ``CompressedModel.to_keras()``). The pruning masks, a training-time constraint, are left out:
  the pruned weights are stored as zeros, so inference is unchanged.
- ``N_hls4ml.yml``: hls4ml's conversion configuration of that file (``HLSConfig`` per layer, the
  input and head types set as the firmware stage sets them, part, clock, backend, I/O type).
  hls4ml 1.3's ``convert_from_config`` reads a Keras model object, not a file, for Keras-2 models:
  :func:`convert_handoff` (or the README's five lines) loads ``N.h5`` into it.
- ``verilog/``: da4ml's Verilog of the network (the distributed-arithmetic implementation, whatever
  strategy the hls4ml project uses), with ``README.md`` naming its ports, their bit packing and
  formats, and its latency.
- ``README.md``: what each file is and how to use it.

This module knows nothing of Kedro; TensorFlow, QKeras, hls4ml and da4ml are imported on use.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from snac_pack.compression.saved import CompressedModel
from snac_pack.firmware.hls import Backend, hls_configuration
from snac_pack.firmware.keras2 import keras2_converter
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.exact import ExactDesign, VerilogProject
from snac_pack.hardware.fixed_point import FixedFormat
from snac_pack.models.quantized import kernel_layers

if TYPE_CHECKING:
    import tf_keras
    from hls4ml.model import ModelGraph

HLS4ML_PROJECT_NAME = "snac_pack_firmware"
_PORT = re.compile(r"^\s*(input|output)\s+(?:reg\s+)?(?:\[(\d+):0\]\s+)?(\w+)", re.MULTILINE)


def exportable_qkeras_model(model: CompressedModel) -> tf_keras.Model:
    """The QKeras model of ``model`` without its pruning masks (training-time constraints).

    Returns:
        A model whose configuration names only QKeras and Keras classes, so that
        ``qkeras.utils.load_qmodel`` rebuilds it.
    """
    keras_model = model.to_keras()
    for layer in kernel_layers(keras_model):
        layer.kernel_constraint = None
    return keras_model


def hls4ml_yaml(model: CompressedModel, keras_file: str, target: ImplementationTarget, backend: Backend) -> dict[str, Any]:
    """hls4ml's conversion configuration of the exported model, as the firmware stage converts it.

    Args:
        model: the network.
        keras_file: the QKeras file's name, relative to the YAML file.
        target: strategy, reuse factor, part, clock period and I/O type.
        backend: ``Vitis`` or ``Vivado``.

    Returns:
        The configuration (YAML-ready: plain strings, numbers and mappings).
    """
    config = hls_configuration(model.to_keras(), model.arch, target, backend)
    return {
        "KerasH5": keras_file,
        "OutputDir": f"{model.name}_hls4ml_prj",
        "ProjectName": HLS4ML_PROJECT_NAME,
        "Backend": backend,
        "Part": target.part,
        "ClockPeriod": target.clock_period_ns,
        "IOType": target.io_type,
        "HLSConfig": _plain(config),
    }


def convert_handoff(yaml_path: Path, output_dir: Path) -> ModelGraph:
    """Rebuild the hls4ml project of an exported network from its YAML file, and compile it.

    Args:
        yaml_path: the ``*_hls4ml.yml`` file (its ``KerasH5`` is read beside it).
        output_dir: where hls4ml writes the project.

    Returns:
        hls4ml's model, compiled (``predict`` runs the C simulation).
    """
    import hls4ml
    from qkeras.utils import load_qmodel

    config = yaml.safe_load(yaml_path.read_text())
    config["KerasModel"] = load_qmodel(str(yaml_path.parent / config["KerasH5"]), compile=False)
    config["OutputDir"] = str(output_dir)
    with keras2_converter():
        graph = hls4ml.converters.convert_from_config(config)
    graph.compile()
    return graph


def write_handoff(
    model: CompressedModel, target: ImplementationTarget, backend: Backend, directory: Path
) -> dict[str, str]:
    """Write the hand-off files of one network into ``directory`` (replacing what is there).

    Args:
        model: the selected network.
        target: the implementation target of its firmware.
        backend: the hls4ml backend.
        directory: the network's hand-off folder.

    Returns:
        What each written file is, by its path relative to ``directory``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    keras_file = f"{model.name}.h5"
    exportable_qkeras_model(model).save(directory / keras_file, save_format="h5", include_optimizer=False)
    yaml_file = f"{model.name}_hls4ml.yml"
    (directory / yaml_file).write_text(yaml.safe_dump(hls4ml_yaml(model, keras_file, target, backend), sort_keys=False))
    # da4ml writes the distributed-arithmetic implementation, whatever strategy the hls4ml project uses.
    project = ExactDesign.build(model.arch, model.hardware_weights()).write_verilog(directory / "verilog")
    (project.directory / "README.md").write_text(verilog_readme(project, model))
    files = {
        keras_file: "QKeras model (qkeras.utils.load_qmodel)",
        yaml_file: "hls4ml conversion configuration of the QKeras model",
        "verilog/": f"da4ml Verilog, top module {project.top}_wrapper (verilog/README.md: ports and latency)",
    }
    (directory / "README.md").write_text(_readme(model, files, yaml_file))
    return files


def verilog_readme(project: VerilogProject, model: CompressedModel) -> str:
    """Ports, bit packing, formats and latency of da4ml's Verilog of ``model`` (on its architecture's target)."""
    target = model.arch.target
    wrapper = f"{project.top}_wrapper"
    # da4ml's wrapper has every input at its full width; the pipelined top drops the inputs whose
    # weights were all pruned.
    text = (project.directory / "src" / f"{wrapper}.v").read_text()
    ports = {name: (direction, int(msb) + 1 if msb else 1) for direction, msb, name in _PORT.findall(text)}
    arch = model.arch
    n_out = arch.n_outputs
    in_width, out_width = ports["model_inp"][1], ports["model_out"][1]
    latency = project.metadata.get("latency")
    lines = [
        f"# da4ml Verilog of {model.name}",
        "",
        f"{arch.describe()}: the distributed-arithmetic implementation, written by da4ml's RTLModel for part "
        f"{target.part} at a {target.clock_period_ns} ns clock.",
        "",
        f"Top module for integration: `{wrapper}` (`src/{wrapper}.v`), which wires the inputs the network uses into "
        f"the pipelined `{project.top}`. Sources in dependency order:",
        "",
        *[f"- `{source}`" for source in project.sources],
        f"- `src/{wrapper}.v`",
        "",
        "| port | direction | bits | holds |",
        "|---|---|---|---|",
        "| `clk` | input | 1 | the clock; every pipeline stage is registered on its rising edge |",
        _port_row("model_inp", "input", in_width, arch.n_inputs, "input", arch.input_format, wrapper),
        _port_row("model_out", "output", out_width, n_out, "logit", arch.layers[-1].activation_format, wrapper),
        "",
        f"Latency (da4ml's metadata): {latency} clock cycles, {latency * target.clock_period_ns:g} ns at the target clock; "
        "a new input every cycle (fully pipelined)." if isinstance(latency, int) else "Latency: not given by da4ml's metadata.",
        f"da4ml's pre-placement estimate: {project.metadata.get('cost')} LUT, {project.metadata.get('reg_bits')} register bits.",
        "",
        "`build_vivado_prj.tcl` builds a Vivado project from these sources; the pruned, quantized weights are",
        "constants in the adder graph (no memory to load).",
    ]
    return "\n".join(lines) + "\n"


def _readme(model: CompressedModel, files: dict[str, str], yaml_file: str) -> str:
    rows = "\n".join(f"| `{name}` | {what} |" for name, what in files.items())
    return f"""# {model.name}: hand-off files

{model.arch.describe()}, precision {model.point.name()}, validation metric {model.val_metric:.4f}
(pruning iteration {model.iteration}).

| file | what |
|---|---|
{rows}

Reload the QKeras model (its inputs: the standardised features the project's data_processing writes):

```python
from qkeras.utils import load_qmodel
model = load_qmodel("{model.name}.h5", compile=False)
```

Rebuild the same hls4ml firmware (with tf_keras as Keras 2: `TF_USE_LEGACY_KERAS=1`; hls4ml 1.3 reads a
Keras model object for Keras-2 models, so load it into the configuration first):

```python
import yaml, hls4ml
from qkeras.utils import load_qmodel
config = yaml.safe_load(open("{yaml_file}"))
config["KerasModel"] = load_qmodel(config["KerasH5"], compile=False)
hls_model = hls4ml.converters.convert_from_config(config)   # then hls_model.compile() / .build()
```

(with Keras 3 installed too, hls4ml picks its converter by `keras.__version__`;
`snac_pack.firmware.handoff.convert_handoff` does the above with the project's Keras-2 shim.)
"""


def _port_row(port: str, direction: str, width: int, count: int, element: str, fmt: FixedFormat, module: str) -> str:
    """A port's row: its elements' bit slices when they are packed at the format's width, as da4ml packs them."""
    sign = "signed" if fmt.signed else "unsigned"
    described = f"{sign} fixed point, {fmt.bits} bits, {fmt.integer_bits} integer bits (value = code × 2^-{fmt.fractional_bits})"
    if width == count * fmt.bits:
        holds = f"the {count} {element}s, {element} i in bits [{fmt.bits}·i +: {fmt.bits}], each the integer code of a {described}"
    else:
        holds = f"the {count} {element}s ({described}), packed as `src/{module}.v` shows"
    return f"| `{port}` | {direction} | {width} | {holds} |"


def _plain(value: Any) -> Any:
    """hls4ml's configuration as YAML's plain types (it may hold tuples and numpy scalars)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "item"):
        return value.item()
    return value
