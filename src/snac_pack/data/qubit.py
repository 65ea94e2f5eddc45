"""Dispersive readout of a superconducting qubit: a trace simulator and the matched-filter baseline.

The resonator field follows (Blais et al., Rev. Mod. Phys. 93, 025005 (2021), eq. 3.52 in the
frame of the drive, driven at the bare resonator frequency)

    dα/dt = −(κ/2 + iχ_s) α + ε,    χ_s = +χ for |e⟩, −χ for |g⟩,

from α(0) = 0. A qubit in |e⟩ decays to |g⟩ at an exponentially distributed time (mean T1); α is
continuous there and relaxes towards the |g⟩ steady state afterwards. For a constant χ_s the
solution is exact, α(t) = α_ss + (α(t0) − α_ss) exp(−λ (t − t0)) with λ = κ/2 + iχ_s and
α_ss = ε/λ, so each shot is at most two analytic pieces: no ODE stepping is needed. The recorded
I/Q trace is Re α, Im α at the sample times plus white Gaussian amplifier noise.

This module knows nothing of Kedro; it is usable from a notebook.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

logger = logging.getLogger(__name__)

# Shots simulated per block: the block's temporaries (about 13 MB of float32 at 200 samples)
# stay in cache-friendly sizes and peak memory is the output array plus one block.
_CHUNK_SHOTS = 8192

GROUND = 0
EXCITED = 1


class QubitReadoutSettings(BaseModel):
    """Physical parameters of a simulated dispersive readout.

    Angular rates enter the equation of motion as 2π × the value given here (κ = 2π·kappa_mhz).
    The drive ε is real and fixed by ``separation``: ε is chosen so that the two steady-state
    fields differ by exactly ``separation``, |α_e,ss − α_g,ss| = separation (arbitrary units of
    the I/Q plane; the default 1.0 gives |α_ss| = 1/√2 at κ = 2χ).

    Attributes:
        kappa_mhz: Resonator linewidth κ/2π in MHz.
        chi_mhz: Dispersive shift χ/2π in MHz (half the splitting of the two dressed
            resonator frequencies).
        t1_us: Qubit energy relaxation time T1 in µs. Use a large value (e.g. 1e6) to switch
            decay off.
        readout_ns: Length of the recorded trace in ns.
        n_samples: Samples per trace; the sample period is readout_ns / n_samples and sample k
            (k = 0 … n_samples − 1) is taken at the end of its period, t_k = (k + 1)·period.
        snr: Per-sample signal-to-noise ratio, snr = |α_e,ss − α_g,ss| / σ, where σ is the
            standard deviation of the white amplifier noise on each quadrature (I and Q
            independently) of each sample. The noise std is therefore σ = separation / snr.
        separation: Drive normalisation, the steady-state distance |α_e,ss − α_g,ss|.
        p_thermal: Probability that a shot prepared in |g⟩ is actually in |e⟩ (residual
            thermal population).
        p_pi_error: Probability that a shot prepared in |e⟩ stays in |g⟩ (failed π pulse).
        excited_fraction: Fraction of shots prepared in |e⟩ (each shot drawn independently).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kappa_mhz: float = Field(default=2.0, gt=0, description="κ/2π in MHz")
    chi_mhz: float = Field(default=1.0, gt=0, description="χ/2π in MHz")
    t1_us: float = Field(default=30.0, gt=0, description="T1 in µs")
    readout_ns: float = Field(default=800.0, gt=0, description="trace length in ns")
    n_samples: int = Field(default=200, ge=1, description="samples per trace")
    snr: float = Field(default=1.2, gt=0, description="|α_e,ss − α_g,ss| / σ per sample")
    separation: float = Field(default=1.0, gt=0, description="|α_e,ss − α_g,ss|, a.u.")
    # Above 0.5 a label would be more often wrong than right: that is a swapped label, not an error.
    p_thermal: float = Field(default=0.02, ge=0, le=0.5, description="P(in |e⟩ | prepared |g⟩)")
    p_pi_error: float = Field(default=0.01, ge=0, le=0.5, description="P(in |g⟩ | prepared |e⟩)")
    excited_fraction: float = Field(default=0.5, ge=0, le=1, description="share prepared in |e⟩")

    @property
    def sample_period_ns(self) -> float:
        """Time between two samples in ns."""
        return self.readout_ns / self.n_samples

    @property
    def noise_sigma(self) -> float:
        """Noise standard deviation per quadrature per sample (same units as α)."""
        return self.separation / self.snr


@dataclass(frozen=True)
class QubitReadout:
    """A set of simulated readout shots.

    Attributes:
        traces: float32 array (N, T, 2): I (``[..., 0]``) and Q (``[..., 1]``) per sample.
        prepared: int8 array (N,): the state the experiment intended, 0 = |g⟩, 1 = |e⟩. This
            is the label a real experiment knows.
        initial_state: int8 array (N,): the true state after preparation (differs from
            ``prepared`` where a preparation error occurred).
        decay_time_ns: float64 array (N,): time of the |e⟩ → |g⟩ decay within the trace, ``inf``
            where no decay happens during the readout (including every shot starting in |g⟩).
        sample_period_ns: Time between samples in ns.
    """

    traces: np.ndarray
    prepared: np.ndarray
    initial_state: np.ndarray
    decay_time_ns: np.ndarray
    sample_period_ns: float


def _rates_per_ns(settings: QubitReadoutSettings) -> tuple[complex, complex, complex, complex]:
    """Return λ_g, λ_e (complex decay rates in 1/ns) and the steady states α_g,ss, α_e,ss."""
    kappa = 2 * np.pi * settings.kappa_mhz * 1e-3  # rad/ns
    chi = 2 * np.pi * settings.chi_mhz * 1e-3
    lam_g = complex(kappa / 2, -chi)
    lam_e = complex(kappa / 2, chi)
    epsilon = settings.separation / abs(1 / lam_e - 1 / lam_g)
    return lam_g, lam_e, epsilon / lam_g, epsilon / lam_e


def _as_iq(field: np.ndarray) -> np.ndarray:
    """Stack a complex field (..., T) into float32 quadratures (..., T, 2)."""
    return np.stack([field.real, field.imag], axis=-1).astype(np.float32)


def simulate_readout(settings: QubitReadoutSettings, n_shots: int, seed: int) -> QubitReadout:
    """Simulate ``n_shots`` noisy I/Q readout traces.

    Per shot: a prepared label (|e⟩ with probability ``excited_fraction``), a preparation error
    flipping the true state (``p_thermal`` / ``p_pi_error``), for true |e⟩ an exponential decay
    time with mean T1, the exact field trajectory and white Gaussian noise. Shots are processed
    in blocks so peak memory is the float32 output (N·T·8 bytes) plus one block.

    Args:
        settings: Physical parameters.
        n_shots: Number of shots, > 0.
        seed: Seed of ``np.random.default_rng``; the same seed gives identical data.

    Returns:
        The simulated shots.

    Raises:
        ValueError: If ``n_shots`` is not a positive integer.
    """
    if isinstance(n_shots, bool) or not isinstance(n_shots, (int, np.integer)) or n_shots <= 0:
        raise ValueError(f"n_shots must be a positive integer, got {n_shots!r}")
    n_shots = int(n_shots)
    rng = np.random.default_rng(seed)
    period = settings.sample_period_ns
    t = period * np.arange(1, settings.n_samples + 1)  # ns, end of each sample period

    # Per-shot randomness first, noise afterwards block by block: the stream of normals is
    # consumed in order, so the data do not depend on the block size.
    prepared = (rng.random(n_shots) < settings.excited_fraction).astype(np.int8)
    flip_prob = np.where(prepared == EXCITED, settings.p_pi_error, settings.p_thermal)
    initial_state = prepared ^ (rng.random(n_shots) < flip_prob).astype(np.int8)
    decay = rng.exponential(settings.t1_us * 1e3, n_shots)
    decays = (initial_state == EXCITED) & (decay < settings.readout_ns)
    decay_time_ns = np.where(decays, decay, np.inf)

    lam_g, lam_e, ss_g, ss_e = _rates_per_ns(settings)
    field_g = ss_g * (1 - np.exp(-lam_g * t))
    field_e = ss_e * (1 - np.exp(-lam_e * t))
    template_g = _as_iq(field_g)
    template_shift = _as_iq(field_e - field_g)  # added to the |g⟩ template for |e⟩ shots
    sigma = np.float32(settings.noise_sigma)

    traces = np.empty((n_shots, settings.n_samples, 2), dtype=np.float32)
    for start in range(0, n_shots, _CHUNK_SHOTS):
        stop = min(start + _CHUNK_SHOTS, n_shots)
        block = traces[start:stop]
        rng.standard_normal(dtype=np.float32, out=block)
        block *= sigma
        block += template_g
        excited = np.flatnonzero(initial_state[start:stop] == EXCITED)
        block[excited] += template_shift
        decayed = np.flatnonzero(decays[start:stop])
        if decayed.size:
            block[decayed] += _decay_correction(decay_time_ns[start + decayed], t, lam_g, lam_e,
                                                ss_g, ss_e, field_e)

    logger.info(
        "Simulated %d readout shots of %d samples (%.3g ns period): %d prepared |e>, "
        "%d true |e>, %d decays during readout",
        n_shots, settings.n_samples, period, int(prepared.sum()), int(initial_state.sum()),
        int(decays.sum()),
    )
    return QubitReadout(
        traces=traces,
        prepared=prepared,
        initial_state=initial_state,
        decay_time_ns=decay_time_ns,
        sample_period_ns=period,
    )


def _decay_correction(
    tau: np.ndarray,
    t: np.ndarray,
    lam_g: complex,
    lam_e: complex,
    ss_g: complex,
    ss_e: complex,
    field_e: np.ndarray,
) -> np.ndarray:
    """Difference between a trace decaying at ``tau`` and the undecayed |e⟩ trace, (M, T, 2).

    Before τ the field is the |e⟩ trajectory (difference 0); from τ on it starts at α(τ) and
    relaxes to the |g⟩ steady state: α(t) = α_g,ss + (α(τ) − α_g,ss)·exp(−λ_g (t − τ)).
    """
    alpha_tau = ss_e * (1 - np.exp(-lam_e * tau))[:, None]
    elapsed = t[None, :] - tau[:, None]
    # Clip before the exponential: only t ≥ τ is used, and negative times could overflow.
    after = ss_g + (alpha_tau - ss_g) * np.exp(-lam_g * np.maximum(elapsed, 0.0))
    return _as_iq(np.where(elapsed >= 0, after - field_e[None, :], 0.0))


def _flatten(x: np.ndarray) -> np.ndarray:
    """View (N, ...) features as (N, D)."""
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"expected an (N, D) or (N, T, 2) array, got shape {x.shape}")
    return x.reshape(x.shape[0], -1)


def assignment_fidelity(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Assignment fidelity F = 1 − [P(e|g) + P(g|e)] / 2.

    Args:
        y_true: Labels (N,), 0 = |g⟩, 1 = |e⟩; both classes must occur.
        y_pred: Assigned labels (N,), 0 or 1.

    Returns:
        F in [0, 1]; 0.5 is chance, 1 a perfect readout.

    Raises:
        ValueError: If the shapes differ or a class is missing from ``y_true``.
    """
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}")
    ground = y_true == GROUND
    excited = y_true == EXCITED
    if not ground.any() or not excited.any():
        raise ValueError("assignment fidelity needs shots of both classes in y_true")
    p_e_given_g = np.mean(y_pred[ground] == EXCITED)
    p_g_given_e = np.mean(y_pred[excited] == GROUND)
    return float(1.0 - 0.5 * (p_e_given_g + p_g_given_e))


class MatchedFilter:
    """Matched-filter discriminator, the classic non-ML readout baseline.

    The kernel is the difference of the class-mean traces, k = ⟨x⟩_e − ⟨x⟩_g (optimal for white
    noise); the filtered signal is s = x·k and a shot is assigned |e⟩ when s exceeds the
    threshold midway between the class means of s. Works on any (N, D) or (N, T, 2) array, e.g.
    raw traces or windowed, flattened features.

    Attributes:
        kernel_: Flattened kernel (D,), set by :meth:`fit`.
        threshold_: Decision threshold on the filtered signal, set by :meth:`fit`.
    """

    def __init__(self) -> None:
        self.kernel_: np.ndarray | None = None
        self.threshold_: float | None = None

    def fit(self, x: np.ndarray, y: np.ndarray) -> MatchedFilter:
        """Fit kernel and threshold.

        Args:
            x: Training features (N, D) or (N, T, 2).
            y: Labels (N,), 0 = |g⟩, 1 = |e⟩; both classes must occur.

        Returns:
            The fitted filter (self).
        """
        x = _flatten(x)
        y = np.asarray(y).ravel()
        if y.shape[0] != x.shape[0]:
            raise ValueError(f"x has {x.shape[0]} rows but y has {y.shape[0]} labels")
        ground = y == GROUND
        excited = y == EXCITED
        if not ground.any() or not excited.any():
            raise ValueError("the matched filter needs training shots of both classes")
        # Accumulate in float64: float32 sums over 1e5 shots lose digits the kernel needs.
        mean_g = x[ground].mean(axis=0, dtype=np.float64)
        mean_e = x[excited].mean(axis=0, dtype=np.float64)
        self.kernel_ = mean_e - mean_g
        self.threshold_ = float(0.5 * (mean_g @ self.kernel_ + mean_e @ self.kernel_))
        logger.debug("Matched filter fitted on %d shots, threshold %.4g", y.size, self.threshold_)
        return self

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Filtered signal minus the threshold (N,): positive means |e⟩.

        Args:
            x: Features with the same per-shot size as in :meth:`fit`.

        Returns:
            The signed distance to the threshold, float64 (N,).
        """
        if self.kernel_ is None or self.threshold_ is None:
            raise RuntimeError("MatchedFilter is not fitted: call fit() first")
        x = _flatten(x)
        if x.shape[1] != self.kernel_.size:
            raise ValueError(f"expected {self.kernel_.size} features per shot, got {x.shape[1]}")
        return x @ self.kernel_ - self.threshold_

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Assign each shot to |g⟩ (0) or |e⟩ (1).

        Args:
            x: Features with the same per-shot size as in :meth:`fit`.

        Returns:
            int8 labels (N,).
        """
        return (self.decision_function(x) > 0).astype(np.int8)

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        """Assignment fidelity of :meth:`predict` against ``y``.

        Args:
            x: Features with the same per-shot size as in :meth:`fit`.
            y: True labels (N,).

        Returns:
            The assignment fidelity.
        """
        return assignment_fidelity(y, self.predict(x))
