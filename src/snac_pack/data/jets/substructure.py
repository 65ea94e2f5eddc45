"""Jet substructure in numpy: mMDT grooming and (generalised) energy correlation functions.

Conventions follow FastJet contrib's ``EnergyCorrelator`` with its default ``pt_R`` measure:
energies are transverse momenta, angles are ΔR in (rapidity y, φ), and the normalised
correlators use z_i = pT_i / Σ_j pT_j (the scalar pT sum of the jet, ``ECF(1)``):

    e2^(β)    = Σ_{i<j}   z_i z_j θ_ij^β
    e3^(β)    = Σ_{i<j<k} z_i z_j z_k (θ_ij θ_ik θ_jk)^β
    v_e3^(β)  = Σ_{i<j<k} z_i z_j z_k (product of the v smallest of θ_ij, θ_ik, θ_jk)^β

(Larkoski, Salam, Thaler, arXiv:1305.0007; Moult, Necib, Thaler, arXiv:1609.07483). Each jet is a
few dozen particles, so the three-point sums are exact O(n³) array expressions, not loops.

mMDT (Dasgupta, Fregoso, Marzani, Salam, arXiv:1307.0007): recluster with Cambridge/Aachen,
undo the last merging; stop if min(pT1, pT2) / (pT1 + pT2) > z_cut, else follow the harder
branch. The C/A clustering sequence comes from FastJet; the declustering walk is ours.
"""

from __future__ import annotations

import math

import fastjet
import numpy as np

# Larger than any distance inside a jet: C/A then merges everything into one jet.
_RECLUSTER_RADIUS = 1000.0
_CAMBRIDGE_AACHEN = fastjet.JetDefinition(fastjet.cambridge_algorithm, _RECLUSTER_RADIUS)


def four_momenta(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, energy: np.ndarray) -> np.ndarray:
    """Cartesian four-momenta from (pT, η, φ, E).

    Args:
        pt, eta, phi, energy: ``(n,)`` arrays of the particles.

    Returns:
        ``(n, 4)`` float64 array of (px, py, pz, E).
    """
    pt = np.asarray(pt, dtype=np.float64)
    return np.stack([pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta), np.asarray(energy, np.float64)], axis=-1)


def rapidity(momenta: np.ndarray) -> np.ndarray:
    """Rapidity y = ½ ln((E + pz) / (E − pz)) of ``(n, 4)`` (px, py, pz, E) momenta."""
    pz, energy = momenta[:, 2], momenta[:, 3]
    # Rounding can put a massless particle's E a hair below |pz|; keep the logarithm finite.
    energy_minus_abs_pz = np.maximum(energy - np.abs(pz), 1e-12 * energy)
    return np.sign(pz) * 0.5 * np.log((energy + np.abs(pz)) / energy_minus_abs_pz)


def invariant_mass(momenta: np.ndarray) -> float:
    """Invariant mass of the sum of ``(n, 4)`` (px, py, pz, E) momenta (0 if rounding makes m² < 0)."""
    px, py, pz, energy = momenta.sum(axis=0)
    return math.sqrt(max(energy * energy - px * px - py * py - pz * pz, 0.0))


def wrap_phi(delta_phi: np.ndarray) -> np.ndarray:
    """Angles wrapped to (−π, π]."""
    return np.pi - np.mod(np.pi - delta_phi, 2 * np.pi)


def pairwise_delta_r(y: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """``(n, n)`` matrix of ΔR_ij = √(Δy² + Δφ²), with Δφ wrapped; zero on the diagonal."""
    delta_y = y[:, None] - y[None, :]
    delta_phi = wrap_phi(phi[:, None] - phi[None, :])
    return np.hypot(delta_y, delta_phi)


def mmdt_groom(momenta: np.ndarray, z_cut: float = 0.1) -> np.ndarray:
    """Indices of the constituents that survive modified-mass-drop grooming.

    Args:
        momenta: ``(n, 4)`` (px, py, pz, E) of the jet's constituents, n ≥ 1.
        z_cut: symmetry cut; a branching with min(pT1, pT2)/(pT1 + pT2) above it stops grooming.

    Returns:
        Sorted indices into ``momenta``. If no branching passes, the single hardest particle
        reached by the declustering is returned (grooming mode, as contrib's SoftDrop).
    """
    if len(momenta) == 0:
        raise ValueError("mmdt_groom needs at least one constituent")
    particles = [fastjet.PseudoJet(px, py, pz, energy) for px, py, pz, energy in momenta.tolist()]
    sequence = fastjet.ClusterSequence(particles, _CAMBRIDGE_AACHEN)
    (node,) = sequence.inclusive_jets()
    harder, softer = fastjet.PseudoJet(), fastjet.PseudoJet()
    while node.has_parents(harder, softer):
        pt_harder, pt_softer = harder.pt(), softer.pt()
        if pt_softer > pt_harder:
            harder, softer = softer, harder
            pt_harder, pt_softer = pt_softer, pt_harder
        if pt_softer / (pt_harder + pt_softer) > z_cut:
            break
        node = harder
        harder, softer = fastjet.PseudoJet(), fastjet.PseudoJet()
    # The input particles are entries 0 … n−1 of the clustering history, in input order.
    indices = sorted(constituent.cluster_hist_index() for constituent in node.constituents())
    return np.asarray(indices, dtype=np.int64)


def energy_fractions(pt: np.ndarray) -> np.ndarray:
    """z_i = pT_i / Σ_j pT_j."""
    return pt / pt.sum()


def angular_weights(delta_r: np.ndarray, beta: float) -> np.ndarray:
    """θ_ij^β with the diagonal (a particle paired with itself) set to zero, also for β = 0."""
    weights = delta_r**beta
    np.fill_diagonal(weights, 0.0)
    return weights


def ecf2(z: np.ndarray, delta_r: np.ndarray, beta: float) -> float:
    """Normalised two-point correlator e2^(β) = Σ_{i<j} z_i z_j θ_ij^β."""
    return float(z @ angular_weights(delta_r, beta) @ z) / 2.0


def ecf3(z: np.ndarray, delta_r: np.ndarray, beta: float) -> float:
    """Normalised three-point correlator e3^(β) = Σ_{i<j<k} z_i z_j z_k (θ_ij θ_ik θ_jk)^β.

    Summing over all ordered (i, j, k) counts each triple 3! times; terms with a repeated index
    vanish because θ_ii = 0. The inner sum over k is a matrix product: Σ_k W_ik z_k W_kj.
    """
    weights = angular_weights(delta_r, beta)
    through_k = (weights * z) @ weights
    return float(z @ (weights * through_k) @ z) / 6.0


def generalized_ecf3(z: np.ndarray, delta_r: np.ndarray, betas: tuple[float, ...]) -> dict[tuple[int, float], float]:
    """Generalised three-point correlators v_e3^(β) for v = 1, 2, 3 and each β.

    Args:
        z: ``(n,)`` energy fractions.
        delta_r: ``(n, n)`` pairwise angles.
        betas: angular exponents, each > 0.

    Returns:
        ``{(v, β): v_e3^(β)}``; v = 3 (all three angles) is :func:`ecf3`.
    """
    if any(beta <= 0 for beta in betas):
        raise ValueError(f"generalized_ecf3: every beta must be > 0, got {betas}")
    results = {(3, beta): ecf3(z, delta_r, beta) for beta in betas}
    n = len(z)
    if n < 3:
        return results | {(v, beta): 0.0 for v in (1, 2) for beta in betas}
    # Rows are the unordered pairs (i < j), columns every third particle k: each triple appears
    # once per choice of its (i, j) pair, i.e. 3 times; k = i or k = j gives θ = 0 and adds nothing.
    # float32 halves the memory traffic of these n²(n−1)/2 arrays; the sums stay within ~1e-6.
    first, second = np.triu_indices(n, 1)
    angles = delta_r.astype(np.float32)
    theta_ij = angles[first, second][:, None]
    theta_ik, theta_jk = angles[first], angles[second]
    pair_weight = (z[first] * z[second]).astype(np.float32)
    z32 = z.astype(np.float32)
    # With lo ≤ hi the two angles at k, the smallest of the three is min(lo, θ_ij) and the
    # product of the two smallest is lo · min(hi, θ_ij): no sort, no division.
    low = np.minimum(theta_ik, theta_jk)
    high = np.maximum(theta_ik, theta_jk, out=theta_ik)
    two_smallest = np.multiply(low, np.minimum(high, theta_ij, out=high), out=high)
    smallest = np.minimum(low, theta_ij, out=low)
    for beta in betas:
        for v, angle in ((1, smallest), (2, two_smallest)):
            weighted = angle if beta == 1 else angle**beta
            results[(v, beta)] = float(pair_weight @ (weighted @ z32)) / 3.0
    return results


def safe_ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or 0 when the denominator is 0 (a jet with too few particles)."""
    return numerator / denominator if denominator > 0 else 0.0
