"""mMDT grooming, energy correlators and the jet feature layouts, on cases computed by hand.

The last tests compare with FastJet contrib (SoftDrop with β = 0, EnergyCorrelator), which the
``fastjet`` package exposes through its awkward-array interface: the reference implementation.
"""

from __future__ import annotations

import itertools
import math

import awkward as ak
import fastjet
import numpy as np
import pytest

from snac_pack.data.jets import substructure
from snac_pack.data.jets.features import (
    HLF_FEATURE_NAMES,
    constituent_feature_names,
    extract_jet_features,
    jet_high_level_features,
)
from snac_pack.data.jets.sample import JetSample


def _massless(pt: list[float], y: list[float], phi: list[float]) -> np.ndarray:
    """(px, py, pz, E) of massless particles (rapidity = pseudorapidity)."""
    pt_, y_, phi_ = (np.asarray(values, dtype=np.float64) for values in (pt, y, phi))
    return substructure.four_momenta(pt_, y_, phi_, pt_ * np.cosh(y_))


def _as_constituents(momenta: np.ndarray) -> np.ndarray:
    """(pT, η, φ, E) rows of (px, py, pz, E) momenta."""
    px, py, pz, energy = momenta.T
    pt = np.hypot(px, py)
    return np.stack([pt, np.arcsinh(pz / pt), np.arctan2(py, px), energy], axis=1)


def _brute_force_ecf3(z: np.ndarray, delta_r: np.ndarray, n_angles: int, beta: float) -> float:
    """v_e3 by an explicit loop over triples: product of the v smallest angles, to the power β."""
    total = 0.0
    for i, j, k in itertools.combinations(range(len(z)), 3):
        angles = sorted([delta_r[i, j], delta_r[i, k], delta_r[j, k]])
        total += z[i] * z[j] * z[k] * math.prod(angles[:n_angles]) ** beta
    return total


def test_wrap_phi_maps_into_minus_pi_to_pi():
    wrapped = substructure.wrap_phi(np.array([0.0, math.pi, -math.pi, 3 * math.pi / 2, -3 * math.pi / 2, 2 * math.pi]))
    np.testing.assert_allclose(wrapped, [0.0, math.pi, math.pi, -math.pi / 2, math.pi / 2, 0.0], atol=1e-12)


def test_delta_r_wraps_across_the_phi_boundary():
    delta_r = substructure.pairwise_delta_r(np.array([0.0, 0.3]), np.array([math.pi - 0.2, -math.pi + 0.2]))
    assert delta_r[0, 1] == pytest.approx(0.5)
    assert delta_r[0, 0] == 0.0


def test_rapidity_of_massive_and_massless_particles():
    massless = _massless([10.0], [1.2], [0.3])
    assert substructure.rapidity(massless)[0] == pytest.approx(1.2)
    # E = 5, pz = 3: y = ½ ln(8 / 2) = ln 2.
    assert substructure.rapidity(np.array([[0.0, 1.0, 3.0, 5.0]]))[0] == pytest.approx(math.log(2.0))


def test_two_particle_ecf2():
    z = substructure.energy_fractions(np.array([300.0, 100.0]))
    delta_r = substructure.pairwise_delta_r(np.array([0.0, 0.5]), np.array([0.0, 0.0]))
    assert substructure.ecf2(z, delta_r, 0.0) == pytest.approx(0.75 * 0.25)
    assert substructure.ecf2(z, delta_r, 1.0) == pytest.approx(0.75 * 0.25 * 0.5)
    assert substructure.ecf2(z, delta_r, 2.0) == pytest.approx(0.75 * 0.25 * 0.25)
    # Fewer than three particles: no triple.
    assert substructure.generalized_ecf3(z, delta_r, (1.0, 2.0)) == {
        (v, beta): 0.0 for v in (1, 2, 3) for beta in (1.0, 2.0)
    }


def test_three_particle_correlators():
    # On a line in y: θ12 = 0.3, θ13 = 0.7, θ23 = 0.4; z = 0.5, 0.3, 0.2.
    z = substructure.energy_fractions(np.array([50.0, 30.0, 20.0]))
    delta_r = substructure.pairwise_delta_r(np.array([0.0, 0.3, 0.7]), np.zeros(3))
    zzz = 0.5 * 0.3 * 0.2
    e3 = substructure.generalized_ecf3(z, delta_r, (1.0, 2.0))
    assert e3[(3, 1.0)] == pytest.approx(zzz * 0.3 * 0.7 * 0.4)
    assert e3[(2, 1.0)] == pytest.approx(zzz * 0.3 * 0.4, rel=1e-6)
    assert e3[(1, 1.0)] == pytest.approx(zzz * 0.3, rel=1e-6)
    assert e3[(3, 2.0)] == pytest.approx(zzz * (0.3 * 0.7 * 0.4) ** 2)
    assert e3[(2, 2.0)] == pytest.approx(zzz * (0.3 * 0.4) ** 2, rel=1e-6)
    assert e3[(1, 2.0)] == pytest.approx(zzz * 0.3**2, rel=1e-6)
    assert substructure.ecf2(z, delta_r, 1.0) == pytest.approx(0.15 * 0.3 + 0.1 * 0.7 + 0.06 * 0.4)


def test_four_particles_on_a_square():
    # Corners of a square of side a, equal pT: 4 sides a, 2 diagonals a√2; every triple has
    # angles (a, a, a√2); 4 triples, z = 1/4.
    a = 0.2
    z = substructure.energy_fractions(np.ones(4))
    delta_r = substructure.pairwise_delta_r(np.array([0.0, a, a, 0.0]), np.array([0.0, 0.0, a, a]))
    for beta in (1.0, 2.0):
        e3 = substructure.generalized_ecf3(z, delta_r, (beta,))
        assert e3[(3, beta)] == pytest.approx(4 / 64 * (a * a * a * math.sqrt(2)) ** beta)
        assert e3[(2, beta)] == pytest.approx(4 / 64 * (a * a) ** beta, rel=1e-6)
        assert e3[(1, beta)] == pytest.approx(4 / 64 * a**beta, rel=1e-6)
        assert substructure.ecf2(z, delta_r, beta) == pytest.approx((4 * a**beta + 2 * (a * math.sqrt(2)) ** beta) / 16)


def test_vectorised_three_point_sums_match_explicit_loops():
    rng = np.random.default_rng(3)
    for n in (3, 4, 7, 12):
        z = substructure.energy_fractions(rng.exponential(size=n))
        delta_r = substructure.pairwise_delta_r(rng.normal(0, 0.3, n), rng.normal(0, 0.3, n))
        e3 = substructure.generalized_ecf3(z, delta_r, (0.5, 1.0, 2.0))
        for (n_angles, beta), value in e3.items():
            assert value == pytest.approx(_brute_force_ecf3(z, delta_r, n_angles, beta), rel=1e-5)


def test_mmdt_drops_a_soft_wide_angle_particle():
    # C/A merges 0+1 (ΔR 0.1) first, then 2 (ΔR 0.6). Undoing that: z = 5/185 < 0.1 → drop 2;
    # then 0 vs 1: z = 80/180 > 0.1 → stop.
    momenta = _massless([100.0, 80.0, 5.0], [0.0, 0.1, 0.6], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(substructure.mmdt_groom(momenta, 0.1), [0, 1])
    expected_mass = math.sqrt(2 * 100.0 * 80.0 * (math.cosh(0.1) - 1.0))
    assert substructure.invariant_mass(momenta[[0, 1]]) == pytest.approx(expected_mass)


def test_mmdt_keeps_a_symmetric_branching():
    # z = 30/210 > 0.1 at the first declustering: nothing is groomed.
    momenta = _massless([100.0, 80.0, 30.0], [0.0, 0.1, 0.6], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(substructure.mmdt_groom(momenta, 0.1), [0, 1, 2])


def test_mmdt_follows_the_harder_branch_down_to_one_particle():
    momenta = _massless([5.0, 100.0, 5.0], [0.1, 0.0, 0.6], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(substructure.mmdt_groom(momenta, 0.1), [1])
    np.testing.assert_array_equal(substructure.mmdt_groom(momenta[[1]], 0.1), [0])


def test_high_level_features_of_a_three_particle_jet():
    # Particle 2 is groomed away (previous test); the groomed jet is a 100 + 80 GeV pair at ΔR 0.1.
    momenta = _massless([100.0, 80.0, 5.0], [0.0, 0.1, 0.6], [0.0, 0.0, 0.0])
    features = dict(zip(HLF_FEATURE_NAMES, jet_high_level_features(_as_constituents(momenta), multiplicity=3)))
    z_all = np.array([100.0, 80.0, 5.0]) / 185.0
    z1, z2 = 100.0 / 180.0, 80.0 / 180.0
    assert features["zlogz"] == pytest.approx(float(np.sum(z_all * np.log(z_all))))
    assert features["c1_b0_mmdt"] == pytest.approx(z1 * z2)
    assert features["c1_b1_mmdt"] == pytest.approx(z1 * z2 * 0.1, rel=1e-6)
    assert features["c1_b2_mmdt"] == pytest.approx(z1 * z2 * 0.01, rel=1e-6)
    for two_prong_ratio in ("c2_b1_mmdt", "d2_b2_mmdt", "d2_a1_b1_mmdt", "m2_b1_mmdt", "n2_b2_mmdt"):
        assert features[two_prong_ratio] == 0.0  # no triple in a two-particle jet
    assert features["mass_mmdt"] == pytest.approx(math.sqrt(2 * 100.0 * 80.0 * (math.cosh(0.1) - 1.0)))
    assert features["multiplicity"] == 3


def _two_jet_sample() -> JetSample:
    """Jet 0: three constituents across the φ = ±π boundary; jet 1: one constituent."""
    constituents = np.zeros((2, 4, 4), dtype=np.float32)
    constituents[0, :3] = [[60.0, 0.1, 3.1, 60.3], [30.0, -0.1, -3.1, 30.2], [10.0, 0.2, 3.0, 10.2]]
    constituents[1, :1] = [[50.0, 1.0, 0.5, 77.2]]
    return JetSample(
        constituents=constituents,
        multiplicity=np.array([3, 1], dtype=np.int32),
        jets=np.array([[99.0, 0.05, 3.13, 10.0], [50.0, 1.0, 0.5, 0.1]], dtype=np.float32),
        labels=np.array([0, 4], dtype=np.int64),
    )


def test_constituent_features_layout_and_padding():
    x, names = extract_jet_features(_two_jet_sample(), "constituents", n_constituents=5)
    assert x.shape == (2, 15) and x.dtype == np.float32
    assert names[:4] == ["z_0", "deta_0", "dphi_0", "z_1"] and names == constituent_feature_names(5)
    jet0 = x[0].reshape(5, 3)
    np.testing.assert_allclose(jet0[:3, 0], [0.6, 0.3, 0.1], rtol=1e-6)
    np.testing.assert_allclose(jet0[:3, 1], [0.05, -0.15, 0.15], atol=1e-6)
    # φ = −3.1 relative to the axis at 3.13: 2π − 6.23 ≈ 0.0532, not −6.23.
    np.testing.assert_allclose(jet0[:3, 2], [3.1 - 3.13, 2 * math.pi - 6.23, 3.0 - 3.13], atol=1e-5)
    assert not jet0[3:].any()
    np.testing.assert_allclose(x[1].reshape(5, 3)[0], [1.0, 0.0, 0.0], atol=1e-6)
    assert not x[1, 3:].any()


def test_constituent_features_with_fewer_stored_constituents_than_requested():
    x, _ = extract_jet_features(_two_jet_sample(), "constituents", n_constituents=8)
    assert x.shape == (2, 24) and not x[:, 12:].any()


def test_unknown_feature_kind_is_named():
    with pytest.raises(ValueError, match="unknown jet feature kind 'images'"):
        extract_jet_features(_two_jet_sample(), "images")  # type: ignore[arg-type]


def test_jet_sample_is_read_only_and_checks_shapes():
    sample = _two_jet_sample()
    with pytest.raises(ValueError):
        sample.labels[0] = 1
    with pytest.raises(ValueError, match="JetSample.jets"):
        JetSample(sample.constituents, sample.multiplicity, sample.jets[:1], sample.labels)


def _random_jets(n_jets: int, seed: int) -> list[np.ndarray]:
    """Massless jets of 20–60 particles: two hard prongs plus soft, wide radiation."""
    rng = np.random.default_rng(seed)
    jets = []
    for _ in range(n_jets):
        n_soft = int(rng.integers(18, 58))
        pt = np.concatenate([[400.0, rng.uniform(30, 300)], rng.exponential(3.0, n_soft)])
        y = np.concatenate([[0.0, rng.uniform(0.05, 0.4)], rng.normal(0.1, 0.35, n_soft)])
        phi = np.concatenate([[0.0, rng.uniform(-0.3, 0.3)], rng.normal(0.0, 0.35, n_soft)])
        jets.append(_massless(pt.tolist(), y.tolist(), phi.tolist()))
    return jets


def _contrib_sequence(jets: list[np.ndarray]) -> fastjet.ClusterSequence:
    """FastJet's multi-event C/A clustering of ``jets``, each reclustered into one jet."""
    events = ak.Array([[dict(zip(("px", "py", "pz", "E"), row)) for row in jet.tolist()] for jet in jets])
    return fastjet.ClusterSequence(events, fastjet.JetDefinition(fastjet.cambridge_algorithm, 1000.0))


def test_mmdt_agrees_with_contrib_soft_drop_at_zero_beta():
    jets = _random_jets(25, seed=11)
    groomed = _contrib_sequence(jets).exclusive_jets_softdrop_grooming(njets=1, beta=0.0, symmetry_cut=0.1, R0=0.8)
    reference_mass = np.asarray(groomed.msoftdrop).ravel()
    reference_size = np.asarray(ak.num(groomed.constituents, axis=-1)).ravel()
    for jet, mass, size in zip(jets, reference_mass, reference_size):
        kept = substructure.mmdt_groom(jet, 0.1)
        assert len(kept) == size
        assert substructure.invariant_mass(jet[kept]) == pytest.approx(mass, rel=1e-9, abs=1e-9)


def test_high_level_features_agree_with_contrib_energy_correlator():
    jets = _random_jets(12, seed=5)
    ours = np.array([jet_high_level_features(_as_constituents(jet), len(jet)) for jet in jets])
    groomed = [jet[substructure.mmdt_groom(jet, 0.1)] for jet in jets]
    sequence = _contrib_sequence(groomed)

    def contrib(**arguments: float | int | str) -> np.ndarray:
        return np.asarray(sequence.exclusive_jets_energy_correlator(njets=1, **arguments)).ravel()

    references = {
        "c1_b1_mmdt": contrib(func="doubleratio", npoint=1, beta=1.0),
        "c1_b2_mmdt": contrib(func="doubleratio", npoint=1, beta=2.0),
        "c2_b1_mmdt": contrib(func="doubleratio", npoint=2, beta=1.0),
        "c2_b2_mmdt": contrib(func="doubleratio", npoint=2, beta=2.0),
        "d2_b1_mmdt": contrib(func="generalizedd2", alpha=1.0, beta=1.0),
        "d2_b2_mmdt": contrib(func="generalizedd2", alpha=2.0, beta=2.0),
        "d2_a1_b2_mmdt": contrib(func="generalizedd2", alpha=1.0, beta=2.0),
        "m2_b1_mmdt": contrib(func="mseries", npoint=2, beta=1.0),
        "m2_b2_mmdt": contrib(func="mseries", npoint=2, beta=2.0),
        "n2_b1_mmdt": contrib(func="nseries", npoint=2, beta=1.0),
        "n2_b2_mmdt": contrib(func="nseries", npoint=2, beta=2.0),
    }
    for name, reference in references.items():
        np.testing.assert_allclose(ours[:, HLF_FEATURE_NAMES.index(name)], reference, rtol=2e-5, err_msg=name)
