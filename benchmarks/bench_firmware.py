"""Benchmark of the firmware stage on the default jet model.

Converts the default run's firmware network (the best compressed candidate) with hls4ml at the
configured strategy, compiles its C simulation, verifies it on the test split, and runs the
open flow (da4ml Verilog + Yosys); reports the time and peak memory of each step. Needs the
default run up to local_compression (`kedro run --to-nodes select_compressed_node` or `kedro run`).

    python benchmarks/bench_firmware.py

Writes docs/benchmarks/firmware.md. Timings are reported, never asserted.
"""

from __future__ import annotations

import logging
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from snac_pack.data.features import FeatureTable
from snac_pack.datasets import CompressedModelsDataset
from snac_pack.firmware.hls import convert
from snac_pack.firmware.open_flow import open_flow
from snac_pack.firmware.verify import compare
from _report import Run, catalog_path, conf_values, project_parameters, write_page

ROOT = Path(__file__).resolve().parents[1]
MEASURED_KEYS = ("firmware", "hardware_target", "local_compression")


def _rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run = Run("bench_firmware.py", "python benchmarks/bench_firmware.py", "jet", conf_values("jet", MEASURED_KEYS))
    params = project_parameters("jet")
    models_path = catalog_path("jet", "compressed_models")
    models = CompressedModelsDataset(filepath=str(models_path)).load()
    model = max((m for m in models.values() if m.kind == "candidate"), key=lambda m: m.val_metric)
    with np.load(catalog_path("jet", "model_input_test")) as archive:
        test = FeatureTable.from_arrays({key: archive[key] for key in archive.files})
    target = params.hardware_target if params.firmware.strategy is None else params.hardware_target.model_copy(update={"strategy": params.firmware.strategy})
    keras_model = model.to_keras()
    with tempfile.TemporaryDirectory(prefix="snac_bench_fw_") as work:
        rss_before = _rss_mib(resource.RUSAGE_SELF)
        built = convert(keras_model, model.arch.input_format, model.arch.layers[-1].activation_format, target, params.firmware.backend, Path(work) / "hls4ml")
        rss_convert = _rss_mib(resource.RUSAGE_SELF)
        started = time.perf_counter()
        agreement = compare(built.graph, keras_model, model.inputs(test), test.y, params.task.metric)
        verify_seconds = time.perf_counter() - started
        compile_child_rss = _rss_mib(resource.RUSAGE_CHILDREN)
        flow = open_flow(model.arch, model.hardware_weights(), Path(work) / "verilog", params.firmware.yosys_timeout_s)
        yosys_rss = _rss_mib(resource.RUSAGE_CHILDREN)
    lines = [
        f"- Needs the default run up to local_compression; network read from `{models_path.relative_to(ROOT)}` (that run's output)",
        f"- Network: `{model.name}`, {model.arch.describe()}, precision {model.point.name()}; hls4ml {params.firmware.backend}, strategy {target.strategy}, part {target.part}, {target.clock_period_ns} ns, {target.io_type}",
        "",
        "| step | time | peak memory |",
        "|---|---|---|",
        f"| hls4ml conversion and project writing | {built.convert_seconds:.1f} s | {rss_convert:.0f} MiB (this process; {rss_before:.0f} MiB before) |",
        f"| C simulation compile (g++) | {built.compile_seconds:.1f} s | {compile_child_rss:.0f} MiB (largest child process so far) |",
        f"| verification on {agreement.n_samples} test inputs | {verify_seconds:.1f} s | |",
        f"| da4ml exact cost | {flow['seconds']['da4ml']:.1f} s | |",
        f"| Yosys synth_xilinx of the da4ml Verilog | {flow['seconds']['yosys']:.1f} s | {yosys_rss:.0f} MiB (largest child process) |",
        "",
        f"Agreement: {100 * agreement.bit_exact_fraction:.2f} % bit-exact, {100 * agreement.argmax_agreement:.2f} % argmax; "
        f"{params.task.metric} {agreement.firmware_metric:.4f} (firmware) vs {agreement.qkeras_metric:.4f} (QKeras).",
        f"Open flow: da4ml {flow['da4ml']['lut']:.0f} LUT / {flow['da4ml']['ff']:.0f} FF / {flow['da4ml']['latency_cycles']} cycles; "
        f"Yosys {flow['yosys']['lut']:.0f} LUT / {flow['yosys']['ff']:.0f} FF / {flow['yosys']['carry']:.0f} CARRY.",
    ]
    threshold = params.firmware.min_bit_exact_fraction
    write_page(
        "firmware",
        run,
        "Firmware benchmark (default jet model)",
        lines,
        headline=(
            f"C simulation {100 * agreement.bit_exact_fraction:.2f} % bit-exact with QKeras on {agreement.n_samples:,} test inputs; "
            f"compile {built.compile_seconds:.0f} s, Yosys {flow['seconds']['yosys']:.0f} s"
        ),
        target=f"≥ {100 * threshold:g} % bit-exact (`firmware.min_bit_exact_fraction`)",
        verdict="met" if agreement.bit_exact_fraction >= threshold else "MISSED",
    )


if __name__ == "__main__":
    main()
