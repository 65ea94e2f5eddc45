"""Jets of five classes (gluon, light quark, W, Z, top) near pT ≈ 1 TeV: simulation, features, real data.

- :func:`simulate_jets`: Pythia 8 + anti-kT jets, truth-matched, cached, parallel.
- :func:`extract_jet_features`: top-N constituents or the 16 hls4ml high-level features.
- :func:`load_openml_hlf`, :func:`load_hls4ml_constituents`: the published hls4ml datasets.

No Kedro here: usable from a notebook.
"""

from snac_pack.data.jets.features import HLF_FEATURE_NAMES, extract_jet_features
from snac_pack.data.jets.loaders import load_hls4ml_constituents, load_openml_hlf
from snac_pack.data.jets.sample import CLASS_NAMES, CONSTITUENT_FIELDS, JET_FIELDS, JetSample
from snac_pack.data.jets.settings import JetSimulationSettings
from snac_pack.data.jets.simulation import simulate_jets

__all__ = [
    "CLASS_NAMES",
    "CONSTITUENT_FIELDS",
    "HLF_FEATURE_NAMES",
    "JET_FIELDS",
    "JetSample",
    "JetSimulationSettings",
    "extract_jet_features",
    "load_hls4ml_constituents",
    "load_openml_hlf",
    "simulate_jets",
]
