"""Tests of the dispersive-readout simulator and the matched-filter baseline."""

import numpy as np
import pytest
from pydantic import ValidationError

from snac_pack.data.qubit import (
    MatchedFilter,
    QubitReadoutSettings,
    assignment_fidelity,
    simulate_readout,
)

# No decay, no preparation errors: only amplifier noise separates the classes.
IDEAL = {"t1_us": 1e6, "p_thermal": 0.0, "p_pi_error": 0.0}


def _held_out_fidelity(settings: QubitReadoutSettings, n_shots: int, seed: int) -> float:
    """Fit a matched filter on the first half of the shots and score it on the second."""
    readout = simulate_readout(settings, n_shots, seed)
    half = n_shots // 2
    mf = MatchedFilter().fit(readout.traces[:half], readout.prepared[:half])
    return mf.score(readout.traces[half:], readout.prepared[half:])


def test_output_shapes_and_types():
    settings = QubitReadoutSettings(n_samples=50, readout_ns=400)
    readout = simulate_readout(settings, 300, seed=0)
    assert readout.traces.shape == (300, 50, 2)
    assert readout.traces.dtype == np.float32
    assert readout.prepared.dtype == np.int8
    assert readout.initial_state.dtype == np.int8
    assert set(np.unique(readout.prepared)) <= {0, 1}
    assert readout.decay_time_ns.shape == (300,)
    assert readout.sample_period_ns == pytest.approx(8.0)


def test_ground_and_excited_mean_traces_separate():
    settings = QubitReadoutSettings(**IDEAL)
    readout = simulate_readout(settings, 4000, seed=1)
    mean_g = readout.traces[readout.initial_state == 0].mean(axis=0)
    mean_e = readout.traces[readout.initial_state == 1].mean(axis=0)
    late_distance = np.linalg.norm(mean_e[-50:] - mean_g[-50:], axis=-1)
    # Steady-state separation is `separation` (1.0); the means' noise is ~1/(1.2·√2000).
    np.testing.assert_allclose(late_distance, settings.separation, atol=0.15)
    # Both fields start from the empty resonator: the first sample barely separates.
    assert np.linalg.norm(mean_e[0] - mean_g[0]) < 0.3


def test_high_snr_without_errors_is_nearly_perfect():
    settings = QubitReadoutSettings(snr=5.0, **IDEAL)
    assert _held_out_fidelity(settings, 4000, seed=2) > 0.995


def test_vanishing_snr_is_chance():
    settings = QubitReadoutSettings(snr=1e-3, **IDEAL)
    assert 0.45 < _held_out_fidelity(settings, 4000, seed=3) < 0.55


def test_default_settings_fidelity():
    assert 0.95 < _held_out_fidelity(QubitReadoutSettings(), 20000, seed=4) < 0.99


def test_same_seed_same_data_different_seed_different_data():
    settings = QubitReadoutSettings(n_samples=40)
    a = simulate_readout(settings, 500, seed=7)
    b = simulate_readout(settings, 500, seed=7)
    c = simulate_readout(settings, 500, seed=8)
    np.testing.assert_array_equal(a.traces, b.traces)
    np.testing.assert_array_equal(a.prepared, b.prepared)
    np.testing.assert_array_equal(a.decay_time_ns, b.decay_time_ns)
    assert not np.array_equal(a.traces, c.traces)


def test_short_t1_decays_and_excited_traces_relax_to_ground():
    settings = QubitReadoutSettings(t1_us=0.2, snr=3.0, p_thermal=0.0, p_pi_error=0.0)
    readout = simulate_readout(settings, 4000, seed=5)
    excited = readout.initial_state == 1
    decayed = np.isfinite(readout.decay_time_ns)
    # P(decay within 800 ns) = 1 − exp(−4) ≈ 0.98 for T1 = 200 ns.
    assert decayed[excited].mean() > 0.95
    assert not decayed[~excited].any()
    assert np.all(readout.decay_time_ns[decayed] < settings.readout_ns)
    mean_g = readout.traces[~excited].mean(axis=0)
    mean_e = readout.traces[excited].mean(axis=0)
    late = np.linalg.norm(mean_e[-20:] - mean_g[-20:], axis=-1).mean()
    early_peak = np.linalg.norm(mean_e[:60] - mean_g[:60], axis=-1).max()
    # The field separates while the qubit lives, then relaxes to the |g⟩ trajectory; what is
    # left late is the ~2 % undecayed shots plus the noise of the means.
    assert early_peak > 0.25
    assert late < 0.06


def test_decay_keeps_the_field_continuous():
    # Noise-free in practice (huge SNR): a decayed trace must not jump at the decay time.
    settings = QubitReadoutSettings(t1_us=0.3, snr=1e6, p_thermal=0.0, p_pi_error=0.0,
                                    n_samples=800)
    readout = simulate_readout(settings, 400, seed=6)
    decayed = np.isfinite(readout.decay_time_ns)
    steps = np.abs(np.diff(readout.traces[decayed], axis=1)).max()
    undecayed_steps = np.abs(np.diff(readout.traces[~decayed], axis=1)).max()
    assert steps <= 1.5 * undecayed_steps


def test_analytic_trajectory_matches_ode_integration():
    # Cross-check the piecewise analytic solution against a numerical ODE solve of
    # dα/dt = −(κ/2 + iχ_s)α + ε with χ_s switching from +χ to −χ at the decay time.
    from scipy.integrate import solve_ivp

    settings = QubitReadoutSettings(t1_us=0.4, snr=1e6, p_thermal=0.0, p_pi_error=0.0)
    readout = simulate_readout(settings, 200, seed=11)
    shot = int(np.flatnonzero(np.isfinite(readout.decay_time_ns))[0])
    tau = readout.decay_time_ns[shot]
    kappa = 2 * np.pi * settings.kappa_mhz * 1e-3
    chi = 2 * np.pi * settings.chi_mhz * 1e-3
    epsilon = settings.separation * (kappa**2 / 4 + chi**2) / (2 * chi)

    def rhs(t, y):
        chi_s = chi if t < tau else -chi
        alpha = complex(y[0], y[1])
        d = -(kappa / 2 + 1j * chi_s) * alpha + epsilon
        return [d.real, d.imag]

    t = readout.sample_period_ns * np.arange(1, settings.n_samples + 1)
    sol = solve_ivp(rhs, (0, t[-1]), [0.0, 0.0], t_eval=t, rtol=1e-9, atol=1e-12,
                    max_step=0.5)
    np.testing.assert_allclose(readout.traces[shot], sol.y.T, atol=2e-4)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kappa_mhz": -1.0}, "kappa_mhz"),
        ({"snr": 0.0}, "snr"),
        ({"p_thermal": 0.7}, "p_thermal"),
        ({"n_samples": 0}, "n_samples"),
        ({"kappa": 2.0}, "kappa"),
    ],
)
def test_invalid_settings_name_the_field(kwargs, field):
    with pytest.raises(ValidationError, match=field):
        QubitReadoutSettings(**kwargs)


def test_settings_are_frozen():
    with pytest.raises(ValidationError):
        QubitReadoutSettings().snr = 2.0


@pytest.mark.parametrize("n_shots", [0, -5, 2.5])
def test_invalid_shot_count(n_shots):
    with pytest.raises(ValueError, match="n_shots"):
        simulate_readout(QubitReadoutSettings(), n_shots, seed=0)


def test_matched_filter_on_flattened_window():
    readout = simulate_readout(QubitReadoutSettings(**IDEAL), 2000, seed=9)
    window = readout.traces[:, 50:150, :].reshape(2000, -1)
    mf = MatchedFilter().fit(window[:1000], readout.prepared[:1000])
    assert mf.kernel_.shape == (200,)
    assert mf.score(window[1000:], readout.prepared[1000:]) > 0.99


def test_matched_filter_errors():
    with pytest.raises(RuntimeError, match="fit"):
        MatchedFilter().predict(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="both classes"):
        MatchedFilter().fit(np.zeros((3, 4)), np.zeros(3))


def test_assignment_fidelity():
    y_true = np.array([0, 0, 0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 1, 1, 0])
    # P(e|g) = 1/4, P(g|e) = 1/2.
    assert assignment_fidelity(y_true, y_pred) == pytest.approx(1 - (0.25 + 0.5) / 2)
    assert assignment_fidelity(y_true, y_true) == 1.0
    with pytest.raises(ValueError, match="both classes"):
        assignment_fidelity(np.zeros(4), np.zeros(4))
