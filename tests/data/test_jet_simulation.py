"""The Pythia jet simulation: physics of the five classes, determinism, caching, settings.

One module-scoped sample of 200 jets per class (about 20 s on two cores) serves the physics
checks; the determinism check uses a few jets in many small tasks. Tests that run Pythia are
marked ``slow``.
"""

from __future__ import annotations

import math
from pathlib import Path

import fastjet
import numpy as np
import pydantic
import pytest

from snac_pack.data.jets import pythia_generator, simulation
from snac_pack.data.jets.features import HLF_FEATURE_NAMES, extract_jet_features
from snac_pack.data.jets.sample import CLASS_NAMES, JetSample
from snac_pack.data.jets.settings import JetSimulationSettings

JETS_PER_CLASS = 200
SETTINGS = JetSimulationSettings(jets_per_class=JETS_PER_CLASS, n_workers=2, seed=2024)
EXPECTED_GROOMED_MASS = {"w": 80.4, "z": 91.2, "t": 172.5}


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jet_cache")


@pytest.fixture(scope="module")
def sample(cache_dir: Path) -> JetSample:
    return simulation.simulate_jets(SETTINGS, cache_dir)


@pytest.fixture(scope="module")
def hlf(sample: JetSample) -> dict[str, np.ndarray]:
    x, names = extract_jet_features(sample, "hlf")
    return dict(zip(names, x.T))


def _of_class(values: np.ndarray, sample: JetSample, class_name: str) -> np.ndarray:
    return values[sample.labels == CLASS_NAMES.index(class_name)]


@pytest.mark.slow
def test_sample_holds_every_class_in_the_window(sample: JetSample):
    assert sample.class_names == CLASS_NAMES
    np.testing.assert_array_equal(np.bincount(sample.labels), [JETS_PER_CLASS] * len(CLASS_NAMES))
    pt, eta = sample.jets[:, 0], sample.jets[:, 1]
    assert pt.min() >= SETTINGS.pt_min_gev and pt.max() <= SETTINGS.pt_max_gev
    assert np.abs(eta).max() <= SETTINGS.max_abs_eta
    assert sample.constituents.shape == (len(sample), SETTINGS.max_constituents, 4)


@pytest.mark.slow
@pytest.mark.parametrize("class_name", ["w", "z", "t"])
def test_groomed_mass_peaks_at_the_particle_mass(sample: JetSample, hlf: dict[str, np.ndarray], class_name: str):
    median = np.median(_of_class(hlf["mass_mmdt"], sample, class_name))
    assert median == pytest.approx(EXPECTED_GROOMED_MASS[class_name], rel=0.10)


@pytest.mark.slow
def test_gluon_jets_have_more_constituents_than_quark_jets(sample: JetSample):
    gluon = _of_class(sample.multiplicity, sample, "g").mean()
    quark = _of_class(sample.multiplicity, sample, "q").mean()
    assert gluon > quark


@pytest.mark.slow
@pytest.mark.parametrize("two_prong", ["w", "z"])
def test_two_prong_jets_have_smaller_n2_than_qcd_jets(sample: JetSample, hlf: dict[str, np.ndarray], two_prong: str):
    qcd = np.concatenate([_of_class(hlf["n2_b1_mmdt"], sample, name) for name in ("g", "q")])
    assert np.median(_of_class(hlf["n2_b1_mmdt"], sample, two_prong)) < np.median(qcd)


@pytest.mark.slow
def test_hlf_features_are_finite_and_count_constituents(sample: JetSample, hlf: dict[str, np.ndarray]):
    assert list(hlf) == list(HLF_FEATURE_NAMES)
    assert all(np.isfinite(values).all() for values in hlf.values())
    np.testing.assert_array_equal(hlf["multiplicity"], sample.multiplicity)


@pytest.mark.slow
def test_constituents_are_sorted_padded_and_relative_pt_sums_to_at_most_one(sample: JetSample):
    pt = sample.constituents[..., 0]
    assert (np.diff(pt, axis=1) <= 0).all()
    is_padding = np.arange(pt.shape[1]) >= sample.n_stored[:, None]
    assert not sample.constituents[is_padding].any()
    assert (pt[~is_padding] > 0).all()
    x, names = extract_jet_features(sample, "constituents", n_constituents=8)
    z = x[:, [names.index(f"z_{i}") for i in range(8)]]
    assert (np.diff(z, axis=1) <= 0).all()
    assert z.sum(axis=1).max() <= 1 + 1e-6
    assert np.abs(x[:, 2::3]).max() <= math.pi


@pytest.mark.slow
def test_second_call_loads_the_cache_without_simulating(
    sample: JetSample, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    def refuse(settings: JetSimulationSettings) -> JetSample:
        raise AssertionError("simulated again instead of loading the cache")

    monkeypatch.setattr(simulation, "_generate_sample", refuse)
    # The worker count does not change the jets, so it does not change the cache key either.
    cached = simulation.simulate_jets(SETTINGS.model_copy(update={"n_workers": 1}), cache_dir)
    for name in ("constituents", "multiplicity", "jets", "labels"):
        np.testing.assert_array_equal(getattr(cached, name), getattr(sample, name))
    assert simulation.cache_path(SETTINGS.model_copy(update={"seed": 1}), cache_dir) != simulation.cache_path(
        SETTINGS, cache_dir
    )


@pytest.mark.slow
def test_same_seed_gives_identical_jets_for_any_worker_count(monkeypatch: pytest.MonkeyPatch):
    # Blocks of 2 jets: 2 tasks per class, spread differently over 1 and 2 workers.
    monkeypatch.setattr(simulation, "JETS_PER_TASK", 2)
    settings = JetSimulationSettings(jets_per_class=3, seed=7, max_constituents=60)
    serial = simulation.simulate_jets(settings.model_copy(update={"n_workers": 1}))
    parallel = simulation.simulate_jets(settings.model_copy(update={"n_workers": 2}))
    for name in ("constituents", "multiplicity", "jets", "labels"):
        np.testing.assert_array_equal(getattr(serial, name), getattr(parallel, name))
    assert len({tuple(row) for row in serial.jets[:, :2].tolist()}) == len(serial)


@pytest.mark.slow
def test_a_task_reports_where_its_time_went():
    task = pythia_generator.GenerationTask(class_index=CLASS_NAMES.index("z"), task_index=0, n_jets=2, pythia_seed=11)
    result = pythia_generator.generate_jets(JetSimulationSettings(), task)
    assert len(result.jets) == 2 and result.n_events >= 1
    assert 0 < result.init_seconds and 0 < result.event_seconds < result.seconds - result.init_seconds


def test_task_seeds_differ_and_depend_on_the_master_seed():
    tasks = simulation.plan_tasks(JetSimulationSettings(jets_per_class=4500, seed=3))
    assert [task.n_jets for task in tasks[:3]] == [2000, 2000, 500]
    assert len({task.pythia_seed for task in tasks}) == len(tasks)
    assert all(1 <= task.pythia_seed <= 900_000_000 for task in tasks)
    other = simulation.plan_tasks(JetSimulationSettings(jets_per_class=4500, seed=4))
    assert {task.pythia_seed for task in tasks}.isdisjoint(task.pythia_seed for task in other)


@pytest.mark.slow
def test_slow_jet_clusters_like_fastjet_anti_kt():
    # SlowJet runs FastJet's fjcore inside Pythia; the jets must equal FastJet's own anti-kT.
    settings = JetSimulationSettings()
    pythia = pythia_generator._start_pythia(pythia_generator.pythia_configuration(settings, "g", 99))
    assert pythia.next()
    event = pythia.event
    slow_jet = pythia_generator.pythia8mc.SlowJet(-1, 0.8, 100.0, 25.0, 2, 2, None, True, True)
    slow_jet.analyze(event)
    visible = [event[i] for i in range(event.size()) if event[i].isFinal() and event[i].isVisible()]
    particles = [fastjet.PseudoJet(p.px(), p.py(), p.pz(), p.e()) for p in visible]
    sequence = fastjet.ClusterSequence(particles, fastjet.JetDefinition(fastjet.antikt_algorithm, 0.8))
    reference = fastjet.sorted_by_pt(sequence.inclusive_jets(100.0))
    assert slow_jet.sizeJet() == len(reference) >= 2
    for index, jet in enumerate(reference):
        assert slow_jet.pT(index) == pytest.approx(jet.pt(), rel=1e-9)
        assert slow_jet.multiplicity(index) == len(jet.constituents())


def test_pythia_configuration_switches_physics_and_forces_hadronic_decays():
    settings = JetSimulationSettings(mpi=False, hadronisation=False)
    lines = pythia_generator.pythia_configuration(settings, "w", 5)
    assert "WeakDoubleBoson:ffbar2WW = on" in lines
    assert {"PartonLevel:MPI = off", "HadronLevel:all = off", "PartonLevel:ISR = on", "Random:seed = 5"} <= set(lines)
    assert "24:onIfAny = 1 2 3 4 5" in lines
    assert f"PhaseSpace:pTHatMin = {0.9 * settings.pt_min_gev}" in lines


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pt_min_gev": 1200.0, "pt_max_gev": 800.0}, "pt_max_gev"),
        ({"pt_max_gev": 7000.0}, "sqrt_s_gev / 2"),
        ({"jets_per_class": 0}, "jets_per_class"),
        ({"jet_radius": 3.0}, "jet_radius"),
        ({"z_cut": 0.1}, "z_cut"),
    ],
)
def test_invalid_settings_name_the_key(changes: dict[str, float], message: str):
    with pytest.raises(pydantic.ValidationError, match=message):
        JetSimulationSettings(**changes)


def test_settings_are_frozen():
    with pytest.raises(pydantic.ValidationError):
        SETTINGS.seed = 3  # type: ignore[misc]
