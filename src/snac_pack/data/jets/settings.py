"""Validated settings of the jet simulation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class JetSimulationSettings(BaseModel):
    """What to simulate: pp collisions producing jets of the five classes near a pT window.

    Attributes:
        jets_per_class: jets kept for each of the classes g, q, w, z, t.
        pt_min_gev: lower edge of the jet pT window (GeV).
        pt_max_gev: upper edge of the jet pT window (GeV).
        max_abs_eta: jets with larger |η| are dropped (detector acceptance).
        pthat_min_fraction: the hard process is generated from p̂T = pthat_min_fraction ·
            pt_min_gev (up to 1.1 · pt_max_gev). Jets below the window cost time for nothing, but
            a jet can carry more pT than its parton (initial-state radiation, underlying event):
            lower values bias the lower edge of the window less and generate more slowly
            (gluons at 0.9 keep ~87% of the jets found at 0.8, with 1.8× the jets per event).
        jet_radius: anti-kT radius R; also the truth-matching distance.
        sqrt_s_gev: collision energy √s (GeV).
        seed: master seed; each generation task derives its own Pythia seed from it.
        n_workers: processes generating in parallel (one Pythia instance each). Results do not
            depend on it, so it is not part of the cache key.
        max_constituents: constituents stored per jet (the hardest ones); the multiplicity
            still counts all of them.
        mpi: multiparton interactions (underlying event).
        isr: initial-state radiation.
        fsr: final-state radiation.
        hadronisation: hadronisation and hadron decays; off leaves partons as the final state.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    jets_per_class: int = Field(default=10_000, ge=1, le=1_000_000)
    pt_min_gev: float = Field(default=800.0, gt=0)
    pt_max_gev: float = Field(default=1200.0, gt=0)
    max_abs_eta: float = Field(default=2.5, gt=0, le=5.0)
    pthat_min_fraction: float = Field(default=0.9, ge=0.5, le=1.0)
    jet_radius: float = Field(default=0.8, ge=0.2, le=1.5)
    sqrt_s_gev: float = Field(default=13_000.0, ge=1_000.0, le=100_000.0)
    seed: int = Field(default=20_240, ge=0, le=2**31 - 1)
    n_workers: int = Field(default=2, ge=1, le=256)
    max_constituents: int = Field(default=150, ge=1, le=1_000)
    mpi: bool = True
    isr: bool = True
    fsr: bool = True
    hadronisation: bool = True

    @model_validator(mode="after")
    def _window_is_reachable(self) -> JetSimulationSettings:
        if self.pt_max_gev <= self.pt_min_gev:
            raise ValueError(
                f"pt_max_gev ({self.pt_max_gev}) must exceed pt_min_gev ({self.pt_min_gev}); widen the pT window"
            )
        if self.pt_max_gev >= self.sqrt_s_gev / 2:
            raise ValueError(
                f"pt_max_gev ({self.pt_max_gev}) must stay below sqrt_s_gev / 2 ({self.sqrt_s_gev / 2}); "
                "lower the pT window or raise the collision energy"
            )
        return self
