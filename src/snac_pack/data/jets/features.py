"""Network inputs from a jet sample: top-N constituents or the 16 hls4ml high-level features."""

from __future__ import annotations

import logging
import time
from typing import Literal

import numpy as np

from snac_pack.data.jets import substructure
from snac_pack.data.jets.sample import CONSTITUENT_FIELDS, JET_FIELDS, JetSample

logger = logging.getLogger(__name__)

#: The high-level features of the hls4ml jet dataset (OpenML 42468), in its column order.
HLF_FEATURE_NAMES: tuple[str, ...] = (
    "zlogz",
    "c1_b0_mmdt",
    "c1_b1_mmdt",
    "c1_b2_mmdt",
    "c2_b1_mmdt",
    "c2_b2_mmdt",
    "d2_b1_mmdt",
    "d2_b2_mmdt",
    "d2_a1_b1_mmdt",
    "d2_a1_b2_mmdt",
    "m2_b1_mmdt",
    "m2_b2_mmdt",
    "n2_b1_mmdt",
    "n2_b2_mmdt",
    "mass_mmdt",
    "multiplicity",
)
#: Per-constituent columns of the ``constituents`` features, in order.
CONSTITUENT_FEATURES: tuple[str, ...] = ("z", "deta", "dphi")
FeatureKind = Literal["constituents", "hlf"]

_PT, _ETA, _PHI, _ENERGY = (CONSTITUENT_FIELDS.index(name) for name in ("pt", "eta", "phi", "energy"))
_JET_ETA, _JET_PHI = JET_FIELDS.index("eta"), JET_FIELDS.index("phi")
_ECF_BETAS = (1.0, 2.0)
_LOG_EVERY_JETS = 10_000


def constituent_feature_names(n_constituents: int) -> list[str]:
    """Names of the ``constituents`` features: ``z_0, deta_0, dphi_0, z_1, …`` (hardest first)."""
    return [f"{name}_{index}" for index in range(n_constituents) for name in CONSTITUENT_FEATURES]


def constituent_features(sample: JetSample, n_constituents: int = 8) -> np.ndarray:
    """z = pT_i / Σ pT, Δη and Δφ to the jet axis of each jet's ``n_constituents`` hardest constituents.

    z is normalised to the scalar pT sum of the jet's stored constituents (so the z of one jet
    add up to 1 at most); Δφ is wrapped to (−π, π]. Jets with fewer constituents are zero-padded.

    Args:
        sample: the jets.
        n_constituents: constituents kept per jet.

    Returns:
        ``(N, 3 · n_constituents)`` float32, columns :func:`constituent_feature_names`.
    """
    if n_constituents < 1:
        raise ValueError(f"n_constituents must be at least 1, got {n_constituents}")
    constituents = sample.constituents.astype(np.float64)
    pt = constituents[..., _PT]
    is_particle = np.arange(constituents.shape[1]) < sample.n_stored[:, None]
    pt_sum = pt.sum(axis=1, keepdims=True)
    z = np.divide(pt, pt_sum, out=np.zeros_like(pt), where=pt_sum > 0)
    delta_eta = constituents[..., _ETA] - sample.jets[:, _JET_ETA, None]
    delta_phi = substructure.wrap_phi(constituents[..., _PHI] - sample.jets[:, _JET_PHI, None])
    per_constituent = np.stack([z, delta_eta, delta_phi], axis=-1) * is_particle[..., None]
    features = np.zeros((len(sample), n_constituents, len(CONSTITUENT_FEATURES)), dtype=np.float32)
    n_available = min(n_constituents, constituents.shape[1])
    features[:, :n_available] = per_constituent[:, :n_available]
    return features.reshape(len(sample), -1)


def jet_high_level_features(constituents: np.ndarray, multiplicity: int, z_cut: float = 0.1) -> np.ndarray:
    """The 16 ``HLF_FEATURE_NAMES`` of one jet.

    ``zlogz`` and ``multiplicity`` describe the whole jet; the ``_mmdt`` features its
    mMDT-groomed part. Ratios use contrib's definitions: C1 = e2, C2 = e3/e2², D2 = e3/e2³,
    D2^(α,β) = e3^(α)/(e2^(β))^(3α/β), M2 = 1_e3/1_e2, N2 = 2_e3/(1_e2)²; a ratio whose
    denominator vanishes (fewer than two groomed particles) is 0.

    Args:
        constituents: ``(n, 4)`` (pT, η, φ, E) of the jet's particles, no padding, n ≥ 1.
        multiplicity: number of constituents of the jet (may exceed n if the softest were not stored).
        z_cut: mMDT symmetry cut.

    Returns:
        ``(16,)`` float64 features.
    """
    pt = constituents[:, _PT].astype(np.float64)
    momenta = substructure.four_momenta(pt, constituents[:, _ETA], constituents[:, _PHI], constituents[:, _ENERGY])
    z_all = substructure.energy_fractions(pt)
    zlogz = float(np.sum(z_all * np.log(z_all)))

    groomed = substructure.mmdt_groom(momenta, z_cut)
    groomed_momenta = momenta[groomed]
    z = substructure.energy_fractions(pt[groomed])
    delta_r = substructure.pairwise_delta_r(
        substructure.rapidity(groomed_momenta), constituents[groomed, _PHI].astype(np.float64)
    )
    e2 = {beta: substructure.ecf2(z, delta_r, beta) for beta in (0.0, *_ECF_BETAS)}
    e3 = substructure.generalized_ecf3(z, delta_r, _ECF_BETAS)
    ratio = substructure.safe_ratio
    return np.array(
        [
            zlogz,
            e2[0.0],
            e2[1.0],
            e2[2.0],
            ratio(e3[(3, 1.0)], e2[1.0] ** 2),
            ratio(e3[(3, 2.0)], e2[2.0] ** 2),
            ratio(e3[(3, 1.0)], e2[1.0] ** 3),
            ratio(e3[(3, 2.0)], e2[2.0] ** 3),
            ratio(e3[(3, 1.0)], e2[1.0] ** 3),  # D2^(1,1) ≡ D2^(1): both columns exist in the dataset
            ratio(e3[(3, 1.0)], e2[2.0] ** 1.5),
            ratio(e3[(1, 1.0)], e2[1.0]),
            ratio(e3[(1, 2.0)], e2[2.0]),
            ratio(e3[(2, 1.0)], e2[1.0] ** 2),
            ratio(e3[(2, 2.0)], e2[2.0] ** 2),
            substructure.invariant_mass(groomed_momenta),
            float(multiplicity),
        ]
    )


def high_level_features(sample: JetSample, z_cut: float = 0.1) -> np.ndarray:
    """:func:`jet_high_level_features` of every jet.

    Args:
        sample: the jets.
        z_cut: mMDT symmetry cut.

    Returns:
        ``(N, 16)`` float32, columns ``HLF_FEATURE_NAMES``.
    """
    features = np.zeros((len(sample), len(HLF_FEATURE_NAMES)), dtype=np.float32)
    n_stored = sample.n_stored
    start = time.perf_counter()
    for jet in range(len(sample)):
        if n_stored[jet] == 0:
            raise ValueError(f"jet {jet} has no constituents; every jet needs at least one for its features")
        constituents = sample.constituents[jet, : n_stored[jet]]
        features[jet] = jet_high_level_features(constituents, int(sample.multiplicity[jet]), z_cut)
        if (jet + 1) % _LOG_EVERY_JETS == 0:
            logger.info("High-level features: %d / %d jets (%.0f s)", jet + 1, len(sample), time.perf_counter() - start)
    return features


def extract_jet_features(
    sample: JetSample, kind: FeatureKind, n_constituents: int = 8, z_cut: float = 0.1
) -> tuple[np.ndarray, list[str]]:
    """Network inputs of the jets, selected by name.

    Args:
        sample: the jets.
        kind: ``"constituents"`` (z, Δη, Δφ of the hardest ``n_constituents``) or ``"hlf"``
            (the 16 hls4ml high-level features).
        n_constituents: constituents per jet for ``"constituents"``; ignored for ``"hlf"``.
        z_cut: mMDT symmetry cut for ``"hlf"``; ignored for ``"constituents"``.

    Returns:
        ``x`` as ``(N, D)`` float32 and the ``D`` feature names.
    """
    if kind == "constituents":
        return constituent_features(sample, n_constituents), constituent_feature_names(n_constituents)
    if kind == "hlf":
        if not 0 < z_cut < 0.5:
            raise ValueError(f"z_cut must lie in (0, 0.5), got {z_cut}")
        return high_level_features(sample, z_cut), list(HLF_FEATURE_NAMES)
    raise ValueError(f"unknown jet feature kind '{kind}'; choose 'constituents' or 'hlf'")
