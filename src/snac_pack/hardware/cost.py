"""Hardware figures of one design, tagged with where they come from, and the flat cost table.

Every estimator (da4ml, Yosys, vendor reports, the wa-hls4ml dataset, a surrogate) returns a
:class:`HardwareCost`; :func:`cost_table_row` and :meth:`HardwareCost.to_row` flatten it into
one row of a table whose columns are the same whatever the source, so results of different
estimators can be compared and learned from side by side.

Units: ``lut``, ``ff``, ``dsp`` and ``carry`` count primitives; ``bram_18k`` counts 18 Kib block
RAMs (a 36 Kib tile is two). ``stage`` says which step of the flow produced the figures, because
an HLS estimate and a logic-synthesis result of the same design differ.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from snac_pack.hardware.architecture import Architecture, ImplementationTarget

CostSource = Literal["da4ml", "yosys", "vivado", "vitis", "wa-hls4ml", "surrogate"]
# estimate: analytic model of the netlist (da4ml, a surrogate); hls: C-synthesis estimate;
# synthesis: logic synthesis; implementation: after place and route.
CostStage = Literal["estimate", "hls", "synthesis", "implementation"]

COST_COLUMNS = (
    "source",
    "stage",
    "lut",
    "ff",
    "dsp",
    "bram_18k",
    "carry",
    "latency_cycles",
    "latency_ns",
    "initiation_interval",
)
TARGET_COLUMNS = (
    "target_strategy",
    "target_reuse_factor",
    "target_part",
    "target_clock_period_ns",
    "target_io_type",
)


class HardwareCost(BaseModel):
    """Resources and latency of one design on one target.

    Attributes:
        source: The estimator or tool that produced the figures.
        stage: The step of the flow the figures describe.
        target: The implementation target.
        lut: Look-up tables.
        ff: Flip-flops.
        dsp: DSP slices.
        bram_18k: 18 Kib block RAMs.
        carry: Carry-chain primitives, when the source reports them (Yosys).
        latency_cycles: Clock cycles from input to output, when known.
        latency_ns: ``latency_cycles`` × the clock period, when known.
        initiation_interval: Cycles between two accepted inputs, when known.
        details: Further figures of the source, e.g. Yosys cell counts or the estimated clock.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    source: CostSource
    stage: CostStage
    target: ImplementationTarget
    lut: float = Field(ge=0)
    ff: float = Field(ge=0)
    dsp: float = Field(ge=0)
    bram_18k: float = Field(ge=0)
    carry: float | None = Field(default=None, ge=0)
    latency_cycles: int | None = Field(default=None, ge=0)
    latency_ns: float | None = Field(default=None, ge=0)
    initiation_interval: int | None = Field(default=None, ge=1)
    details: dict[str, float | str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _latency_consistent(self) -> HardwareCost:
        if (self.latency_cycles is None) != (self.latency_ns is None):
            raise ValueError("latency_cycles and latency_ns must be given together or not at all")
        return self

    def to_row(self) -> dict[str, Any]:
        """The cost and target columns of a table row.

        Returns:
            Mapping with the keys of ``COST_COLUMNS`` and ``TARGET_COLUMNS``.
        """
        return {
            "source": self.source,
            "stage": self.stage,
            "lut": self.lut,
            "ff": self.ff,
            "dsp": self.dsp,
            "bram_18k": self.bram_18k,
            "carry": self.carry,
            "latency_cycles": self.latency_cycles,
            "latency_ns": self.latency_ns,
            "initiation_interval": self.initiation_interval,
            "target_strategy": self.target.strategy,
            "target_reuse_factor": self.target.reuse_factor,
            "target_part": self.target.part,
            "target_clock_period_ns": self.target.clock_period_ns,
            "target_io_type": self.target.io_type,
        }


def cost_table_row(arch: Architecture, cost: HardwareCost) -> dict[str, Any]:
    """One flat table row: the architecture's identity and features, then its cost.

    Args:
        arch: The architecture the cost belongs to.
        cost: Its cost; ``cost.target`` must be ``arch.target``.

    Returns:
        ``arch_key``, ``architecture`` (short description), the features of
        :meth:`Architecture.to_features`, then the columns of :meth:`HardwareCost.to_row`.
    """
    if cost.target != arch.target:
        raise ValueError(f"cost.target {cost.target!r} differs from the architecture's target {arch.target!r}")
    return {
        "arch_key": arch.key(),
        "architecture": arch.describe(),
        **arch.to_features(),
        **cost.to_row(),
    }
