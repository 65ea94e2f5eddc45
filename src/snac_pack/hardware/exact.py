"""Exact cost of a concrete quantized network with da4ml (distributed arithmetic), and its Verilog.

da4ml replaces each layer's constant matrix-vector product by an optimized adder graph, the
same kernels hls4ml's ``distributed_arithmetic`` strategy generates: per dense layer one
constant matrix-vector multiplication traced at full precision (bias included, no accumulator
rounding), solved with the delay constraint ``hard_dc=2`` that hls4ml's pass uses, followed by
the activation quantizer, rounding ties to even as QKeras and the hls4ml firmware (``AP_RND_CONV``)
do. da4ml rounds ties up only, so the tie is broken by hand: one more adder per activation,
subtracting the value's last step when the kept part is even (see :func:`_round_half_even`).
Without it the netlist differed from the verified firmware on 4–10 % of inputs and cost 11–15 %
fewer LUTs. :data:`TRACE_VERSION` names this convention in every ground-truth row. The traced
netlist gives

- LUTs: ``CombLogic.cost``, da4ml's count of adder bits (one LUT per bit with carry chains;
  Yosys lands within about −1 % … +9 % of it on 16-64-32-32-5 networks).
- Pipeline: the netlist is cut into stages of at most ``latency_cutoff`` adder levels
  (``to_pipeline``, as ``RTLModel`` does); latency = number of stages, initiation interval 1,
  FFs = the pipeline registers (``Pipeline.reg_bits``: input register plus every stage output),
  exactly what ``RTLModel.write()`` records in ``metadata.json``.
- DSPs and block RAMs: 0. The netlist holds only adders, shifts and muxes; a netlist with
  variable multipliers or lookup tables (which could map to DSPs or BRAM) is refused rather
  than given invented figures.

The first call in a fresh environment compiles da4ml's numba kernels (about 2 minutes on
one core; cached on disk afterwards). da4ml 0.5.2's numba solver never frees part of its
memory (numba's NRT statistics show the allocations stay live): a process grows by about
150 MB per 16-64-32-32-5 design at 6 bits, so long runs of many exact costs should recycle
their worker processes (e.g. ``multiprocessing.Pool(maxtasksperchild=...)``).

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.util
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from snac_pack.hardware.architecture import Architecture, quantizes
from snac_pack.hardware.cost import HardwareCost
from snac_pack.hardware.layers import apply_layer
from snac_pack.hardware.network import NetworkWeights, layer_weights, quantize_inputs, validate_weights

if TYPE_CHECKING:
    from da4ml.cmvm.types import CombLogic, Pipeline

logger = logging.getLogger(__name__)

# hls4ml's distributed-arithmetic pass (DA_HARD_DC default) and da4ml's converter both solve
# with this delay constraint: at most 2 adder levels beyond the minimal depth per kernel.
HARD_DELAY_CONSTRAINT = 2
# Adder levels per ns of clock period for pipelining; da4ml's converter pairs a 5 ns clock with
# a cutoff of 5 levels. A convention of da4ml's defaults, not a timing analysis.
ADDER_LEVELS_PER_NS = 1.0
# The trace's conventions; ground-truth rows of another version are not mixed with this one's.
# 1: activations rounded ties up (da4ml RND); 2: ties to even (QKeras, hls4ml AP_RND_CONV).
TRACE_VERSION = 2
#: Unpruned weights (times their uses) a process costs before it is replaced: da4ml 0.5.2's solver
#: keeps about 0.05-0.1 MB per weight it has seen (about 1 GB per process at this budget), while
#: starting one costs about 8 s (spawn, imports, loading the compiled kernels).
WEIGHTS_PER_PROCESS = 12_000
# da4ml opcodes of variable×variable multiplication and table lookup (see da4ml.trace.tracer).
_MULTIPLIER_OPCODE = 7
_LOOKUP_OPCODE = 8


def latency_cutoff_for_clock(clock_period_ns: float) -> float:
    """Adder levels allowed per pipeline stage at a clock period.

    Args:
        clock_period_ns: Target clock period in ns.

    Returns:
        ``clock_period_ns × ADDER_LEVELS_PER_NS``, at least one level.
    """
    return max(1.0, float(np.floor(clock_period_ns * ADDER_LEVELS_PER_NS)))


def _round_half_even(x: Any, signed: int, integer_bits: int, fractional_bits: int) -> Any:
    """da4ml's ``quantize(x, k, i, f, 'SAT', 'RND')`` with ties rounded to even instead of up.

    A value ``v`` with ``F > f`` fractional bits lies on the 2^-F grid. Subtracting 2^-F when
    the bit at 2^-f is 0 (the kept part is even) moves an exact tie just below it, so rounding up
    then rounds it down, and moves no other value across a rounding boundary. A constant (a
    neuron whose weights are all zero) is rounded here instead: da4ml 0.5.2 reads the bit of a
    negative constant with its sign (−0.0625 gave −0.25 where 0 is right).
    """
    from da4ml.trace import FixedVariableArray

    scale = 2.0**fractional_bits
    lowest, highest = (-(2.0**integer_bits) if signed else 0.0), 2.0**integer_bits - 1.0 / scale
    rounded = []
    for value in x._vars.ravel():  # noqa: SLF001  da4ml exposes the variables only so
        own_fractional = value.kif[2]
        if value.low == value.high:
            exact = min(max(float(np.rint(float(value.low) * scale)) / scale, lowest), highest)
            value = value * 0.0 + exact  # a constant on the format's grid: the quantizer below keeps it
        elif fractional_bits < own_fractional:
            kept_lsb = value.quantize(0, 1 - fractional_bits, fractional_bits, "WRAP", "TRN")  # 0 or 2^-f
            step = float(2.0**-own_fractional)
            value = value + kept_lsb * float(2.0 ** (fractional_bits - own_fractional)) - step
        rounded.append(value.quantize(signed, integer_bits, fractional_bits, "SAT", "RND"))
    return FixedVariableArray(np.array(rounded).reshape(x._vars.shape), x.solver_options)  # noqa: SLF001


def trace_network(arch: Architecture, weights: NetworkWeights) -> CombLogic:
    """Trace a quantized network into da4ml's combinational netlist.

    Args:
        arch: The architecture.
        weights: One ``(kernel, bias)`` per layer, on the weight grids.

    Returns:
        The netlist (``CombLogic``), inputs in ``arch.input_format``, outputs in the head's format.
    """
    # da4ml (numba) is imported on use: importing snac_pack.hardware stays cheap for Kedro.
    from da4ml.trace import FixedVariableArrayInput, HWConfig, comb_trace
    from da4ml.trace.ops import quantize

    validate_weights(arch, weights)
    start = time.perf_counter()
    # HWConfig(1, -1, -1), as hls4ml's pass: cost in adder bits (≈ LUTs), delay in adder levels.
    inputs = FixedVariableArrayInput(
        arch.input_shape, HWConfig(1, -1, -1), solver_options={"hard_dc": HARD_DELAY_CONSTRAINT}
    )
    # WRAP/TRN: the input arrives already in its format, this only declares the width.
    x = quantize(inputs, *arch.input_format.kif)
    for layer, own in zip(arch.layers, layer_weights(arch, weights), strict=True):
        if own is not None:
            own = (np.asarray(own[0], dtype=np.float64), np.asarray(own[1], dtype=np.float64))
        x = apply_layer(layer, x, own)
        if quantizes(layer):
            x = _round_half_even(x, *layer.activation_format.kif)
    comb = comb_trace(inputs, x)
    logger.debug("traced %s in %.2f s: cost %.1f", arch.describe(), time.perf_counter() - start, comb.cost)
    return comb


@dataclass(frozen=True)
class VerilogProject:
    """A da4ml Verilog project written to disk.

    Attributes:
        directory: Project root (da4ml's layout: ``src/``, ``src/static/``, ``model/``, ...).
        top: Name of the top module (the pipelined design, without da4ml's I/O wrapper).
        sources: Verilog files to read for synthesis, relative to ``directory``, dependencies first.
        metadata: da4ml's ``metadata.json`` (cost, latency in stages, reg_bits).
    """

    directory: Path
    top: str
    sources: tuple[Path, ...]
    metadata: dict[str, Any]


@dataclass(frozen=True)
class ExactDesign:
    """A traced and pipelined network: cost, bit-exact prediction and Verilog from one trace.

    Attributes:
        arch: The architecture.
        comb: da4ml's combinational netlist.
        pipeline: The netlist cut into register-separated stages.
        latency_cutoff: Adder levels allowed per stage.
    """

    arch: Architecture
    comb: CombLogic
    pipeline: Pipeline
    latency_cutoff: float

    @classmethod
    def build(cls, arch: Architecture, weights: NetworkWeights, latency_cutoff: float | None = None) -> ExactDesign:
        """Trace and pipeline a network.

        Args:
            arch: The architecture.
            weights: One ``(kernel, bias)`` per layer, on the weight grids.
            latency_cutoff: Adder levels per pipeline stage; default from the target's clock
                period (:func:`latency_cutoff_for_clock`).

        Returns:
            The design.

        Raises:
            ValueError: The target's strategy is not ``distributed_arithmetic``, or the weights do
                not match the architecture.
            NotImplementedError: The netlist holds multipliers or lookup tables.
        """
        from da4ml.trace import to_pipeline

        if arch.target.strategy != "distributed_arithmetic":
            raise ValueError(
                f"target.strategy={arch.target.strategy!r}: da4ml builds the distributed_arithmetic "
                "implementation, whose figures must not be tagged with another strategy"
            )
        comb = trace_network(arch, weights)
        unsupported = {op.opcode for op in comb.ops} & {_MULTIPLIER_OPCODE, _LOOKUP_OPCODE}
        if unsupported:
            raise NotImplementedError(
                f"da4ml's netlist of {arch.describe()} contains multipliers or lookup tables "
                f"(opcodes {sorted(unsupported)}); their DSP/BRAM mapping is not modelled"
            )
        cutoff = latency_cutoff if latency_cutoff is not None else latency_cutoff_for_clock(arch.target.clock_period_ns)
        if cutoff <= 0:
            raise ValueError(f"latency_cutoff must be positive, got {cutoff}")
        pipeline = to_pipeline(comb, cutoff, verbose=False)
        return cls(arch=arch, comb=comb, pipeline=pipeline, latency_cutoff=cutoff)

    def cost(self) -> HardwareCost:
        """Resources and latency from da4ml's netlist and pipeline.

        Returns:
            The cost with ``source="da4ml"``, ``stage="estimate"``.
        """
        n_stages = len(self.pipeline.solutions)
        return HardwareCost(
            source="da4ml",
            stage="estimate",
            target=self.arch.target,
            lut=float(self.comb.cost),
            ff=float(self.pipeline.reg_bits),
            dsp=0.0,
            bram_18k=0.0,
            latency_cycles=n_stages,
            latency_ns=n_stages * self.arch.target.clock_period_ns,
            initiation_interval=1,
            details={
                "adder_depth": float(self.comb.latency[1]),
                "latency_cutoff": float(self.latency_cutoff),
            },
        )

    def predict(self, x: ArrayLike) -> NDArray[np.float64]:
        """Bit-exact outputs of the netlist, by da4ml's integer interpreter.

        Args:
            x: Real inputs, shape ``(n_samples, *arch.input_shape)``; quantized to the input format first.

        Returns:
            Outputs, shape ``(n_samples, n_outputs)``.
        """
        return _predict(self.comb, self.arch, x)

    def write_verilog(self, directory: str | Path, top: str = "snac_model") -> VerilogProject:
        """Write the pipelined Verilog project with da4ml's ``RTLModel``.

        Args:
            directory: Project directory (created).
            top: Name of the top module; a Verilog identifier.

        Returns:
            The written project.
        """
        from da4ml.codegen import RTLModel

        if not top.isidentifier():
            raise ValueError(f"top must be a Verilog identifier, got {top!r}")
        directory = Path(directory).resolve()
        model = RTLModel(
            solution=self.pipeline,
            prj_name=top,
            path=directory,
            flavor="verilog",
            part_name=self.arch.target.part,
            clock_period=self.arch.target.clock_period_ns,
        )
        model.write()
        metadata = json.loads((directory / "metadata.json").read_text())
        static = sorted((directory / "src" / "static").glob("*.v"))
        has_tables = any((directory / "src" / "memfiles").iterdir())
        # lookup_table.v reads memory files; it is only read when the design has tables.
        static = [path for path in static if has_tables or path.name != "lookup_table.v"]
        stages = [directory / "src" / f"{top}_stage{index}.v" for index in range(len(self.pipeline.solutions))]
        sources = tuple(path.relative_to(directory) for path in [*static, *stages, directory / "src" / f"{top}.v"])
        missing = [str(path) for path in sources if not (directory / path).is_file()]
        if missing:
            raise RuntimeError(f"da4ml did not write the expected Verilog files: {missing}")
        return VerilogProject(directory=directory, top=top, sources=sources, metadata=metadata)


def exact_cost(arch: Architecture, weights: NetworkWeights, latency_cutoff: float | None = None) -> HardwareCost:
    """da4ml's exact cost of a concrete quantized network.

    Args:
        arch: The architecture.
        weights: One ``(kernel, bias)`` per layer, on the weight grids.
        latency_cutoff: Adder levels per pipeline stage; default from the target's clock.

    Returns:
        LUTs, FFs, DSPs (0), BRAM (0), latency and initiation interval, ``source="da4ml"``.
    """
    return ExactDesign.build(arch, weights, latency_cutoff).cost()


def solved_weights(arch: Architecture) -> float:
    """The unpruned weights da4ml solves for, each kernel once per application: what its memory grows with."""
    return sum(
        (1.0 - layer.sparsity) * fan_in * units * uses
        for (fan_in, units), uses, layer in zip(arch.layer_shapes(), arch.kernel_uses(), arch.weighted_layers(), strict=True)
    )


#: Seconds between a child's checks that the process it costs for is still alive.
_PARENT_CHECK_S = 2.0


def start_costing_process(parent_pid: int) -> None:
    """Set up a process of a costing pool: one numba thread, and an exit of its own when its parent is gone.

    da4ml's solver is numba-parallel: beside other workers, extra threads only contend. A pool's
    process holds both ends of its task queue, so a parent that is killed (a search worker
    stopped, a table build interrupted, either taken by the OOM killer) would leave it waiting,
    and holding its memory, for ever. The pool's initializer, with the parent's pid.
    """
    import threading

    os.environ["NUMBA_NUM_THREADS"] = "1"

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class IsolatedExactCost:
    """:func:`exact_cost` in a child process that is replaced after :data:`WEIGHTS_PER_PROCESS` weights.

    da4ml 0.5.2's solver never frees part of its memory, so a process that costs design after
    design (a search trial after trial with ``estimator: exact``) grows until the machine kills
    it; here the child holds that memory and is replaced before it grows large. One instance per
    process (see :func:`isolated_exact_cost`).
    """

    def __init__(self, weights_per_process: float = WEIGHTS_PER_PROCESS) -> None:
        self.weights_per_process = weights_per_process
        self._executor: ProcessPoolExecutor | None = None
        self._seen = 0.0

    def __call__(self, arch: Architecture, weights: NetworkWeights) -> HardwareCost:
        """da4ml's exact cost of ``arch`` with ``weights``, computed in the child."""
        size = solved_weights(arch)
        if self._executor is not None and self._seen > 0 and self._seen + size > self.weights_per_process:
            self.close()
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=start_costing_process, initargs=(os.getpid(),)
            )
            self._seen = 0.0
        try:
            cost = self._executor.submit(exact_cost, arch, weights).result()
        except BrokenProcessPool as error:
            self.close()
            raise RuntimeError(
                f"da4ml's process died costing {arch.describe()} (out of memory?); "
                f"it had costed {self._seen:.0f} weights before this design's {size:.0f}"
            ) from error
        self._seen += size
        return cost

    def close(self) -> None:
        """End the child (its memory goes with it)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


_ISOLATED: IsolatedExactCost | None = None


def isolated_exact_cost(arch: Architecture, weights: NetworkWeights) -> HardwareCost:
    """:func:`exact_cost` through this process's :class:`IsolatedExactCost` (created on first use)."""
    global _ISOLATED
    if _ISOLATED is None:
        _ISOLATED = IsolatedExactCost()
        # A multiprocessing child (a search worker) joins its children as it exits, before the
        # interpreter's exit handlers would end the idle pool: end it first, or the join never
        # returns. Priority above the pool's own queue finalizers (10), which would otherwise
        # stop the queue before the pool's children are told to stop.
        multiprocessing.util.Finalize(None, _ISOLATED.close, exitpriority=100)
    return _ISOLATED(arch, weights)


def predict_exact(arch: Architecture, weights: NetworkWeights, x: ArrayLike) -> NDArray[np.float64]:
    """Bit-exact outputs of the network's da4ml netlist.

    Args:
        arch: The architecture.
        weights: One ``(kernel, bias)`` per layer, on the weight grids.
        x: Real inputs, shape ``(n_samples, *arch.input_shape)``; quantized to the input format first.

    Returns:
        Outputs, shape ``(n_samples, n_outputs)``; equal to :func:`forward_quantized`.
    """
    return _predict(trace_network(arch, weights), arch, x)


def _predict(comb: CombLogic, arch: Architecture, x: ArrayLike) -> NDArray[np.float64]:
    """Run da4ml's integer interpreter on inputs quantized to the input format."""
    # The netlist's inputs are the input array's elements in row-major order.
    quantized = quantize_inputs(arch, x)
    return np.asarray(comb.predict(quantized.reshape(len(quantized), -1)), dtype=np.float64)


def compile_da4ml() -> float:
    """Compile da4ml's numba kernels (cached on disk, in the environment) by costing a tiny network.

    The first da4ml call of an environment compiles them (minutes on one core); processes started
    afterwards load them from numba's cache. ``make install`` calls this once, so that neither the
    first run nor each of its worker processes pays the compilation.

    Returns:
        The seconds it took (short when the kernels were already cached).
    """
    from snac_pack.hardware.network import random_quantized_network

    started = time.perf_counter()
    arch = Architecture.from_widths([4, 4, 2], weight_bits=4, activation_bits=6)
    exact_cost(arch, random_quantized_network(arch, np.random.default_rng(0)))
    return time.perf_counter() - started

