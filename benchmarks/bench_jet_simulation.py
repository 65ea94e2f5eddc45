"""Benchmark of the Pythia jet simulation: jets per second per core and the default sample's time.

Run from the repository root:

    python benchmarks/bench_jet_simulation.py [--single-jets 300] [--jets-per-class 10000]

1. One worker, one class at a time: jets/s (wall and per CPU second) of a task of
   ``--single-jets`` jets, Pythia's initialisation included, with the share of the time spent in
   Pythia's own event generation; again without multiparton interactions, the most expensive
   part of an event.
2. ``simulate_jets`` on two workers for ``--jets-per-class`` jets per class (the target's
   sample is ``TARGET_JETS_PER_CLASS`` per class), with the jets per CPU second of the worker
   processes (tasks of ``JETS_PER_TASK`` jets: what a core delivers in production). A smaller
   sample is extrapolated linearly to the target's sample and labelled as such.
3. High-level feature extraction time per jet and the physics figures of a subset.
4. The events-per-jet cost of the p̂T cut: gluon jets generated from p̂T = f · pT_min for a few f,
   with the fraction of jets in the lowest 50 GeV of the window (a higher cut starves that edge).

The physics settings are the jet environment's (``data_processing.simulation.physics``).
Writes docs/benchmarks/jet_simulation.md. Timings are reported, never asserted.
"""

import os

# Pythia is single-threaded; keep numpy's BLAS on one core too, so one worker is one core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from importlib.metadata import version  # noqa: E402

import numpy as np  # noqa: E402

from snac_pack.data.jets import CLASS_NAMES, JetSimulationSettings, extract_jet_features, simulate_jets  # noqa: E402
from snac_pack.data.jets.pythia_generator import _PTHAT_MAX_FRACTION, GenerationTask, generate_jets  # noqa: E402
from snac_pack.data.jets.simulation import JETS_PER_TASK  # noqa: E402
from _report import Run, conf_values, write_page  # noqa: E402

logger = logging.getLogger(__name__)

PHYSICS_KEY = "data_processing.simulation.physics"
SAMPLE_KEY = "data_processing.simulation.n_examples"
#: The target's sample: 50,000 jets, an equal share per class, in under 5 minutes.
TARGET_JETS_PER_CLASS = 10_000
TARGET_JETS_PER_S_PER_CORE = 100
TARGET_DEFAULT_SAMPLE_S = 300
FEATURE_JETS_PER_CLASS = 1_000
GROOMED_MASS_GEV = {"w": 80.4, "z": 91.2, "t": 172.5}  # PDG masses of W, Z and top
PTHAT_SCAN_FRACTIONS = (0.8, 0.9, 1.0)
PTHAT_SCAN_JETS = 600
LOWER_EDGE_GEV = 50.0


def _single_worker_rates(settings: JetSimulationSettings, n_jets: int) -> list[dict[str, float | str]]:
    """Per class: wall and CPU time of one task of ``n_jets`` jets in this process."""
    rows = []
    for class_index, class_name in enumerate(CLASS_NAMES):
        wall, cpu = time.perf_counter(), time.process_time()
        result = generate_jets(settings, GenerationTask(class_index, 0, n_jets, pythia_seed=1000 + class_index))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append(
            {
                "class": class_name,
                "jets_per_s": n_jets / wall,
                "jets_per_cpu_s": n_jets / cpu,
                "jets_per_s_after_init": n_jets / (result.seconds - result.init_seconds),
                "pythia_events_share": result.event_seconds / wall,
                "init_share": result.init_seconds / wall,
                "init_s": result.init_seconds,
                "wall_s": wall,
                "cpu_s": cpu,
                "pythia_events_s": result.event_seconds,
                "jets_per_event": n_jets / result.n_events,
            }
        )
        logger.info("single worker, class %s: %s", class_name, rows[-1])
    return rows


def _overall_rates(rows: list[dict[str, float | str]]) -> tuple[float, float]:
    """Jets/s (wall) and jets per CPU second over all classes, equal numbers of jets per class."""
    wall = len(rows) / sum(1 / row["jets_per_s"] for row in rows)
    cpu = len(rows) / sum(1 / row["jets_per_cpu_s"] for row in rows)
    return wall, cpu


def _time_budget(rows: list[dict[str, float | str]], n_jets: int) -> str:
    """One sentence: where one worker's wall time goes, and the rate if only Pythia's events cost."""
    wall = sum(row["wall_s"] for row in rows)
    events = sum(row["pythia_events_s"] for row in rows)
    init = sum(row["init_s"] for row in rows)
    # The shares are of wall time; applied to the CPU time they assume the load slows every stage alike.
    events_cpu = sum(row["cpu_s"] for row in rows) * events / wall
    return (
        f"Where one worker's time goes (all classes, tasks of {n_jets} jets): Pythia's event generation "
        f"(`next()`: process, MPI, showers, hadronisation) {events / wall:.0%}, Pythia's initialisation "
        f"{init / wall:.0%}, everything else (clustering in fjcore, truth matching, copying the jets) "
        f"{(wall - events - init) / wall:.0%}. Counting only Pythia's events, one worker would simulate "
        f"{len(rows) * n_jets / events_cpu:.0f} jets per CPU second: the ceiling for these physics "
        "settings on this machine at this load, whatever the code around Pythia does."
    )


def _pthat_scan(physics: JetSimulationSettings) -> list[str]:
    """Markdown rows: gluon jets per event, jets per CPU second and lower-edge fraction per p̂T cut."""
    rows = []
    for fraction in PTHAT_SCAN_FRACTIONS:
        settings = physics.model_copy(update={"n_workers": 1, "pthat_min_fraction": fraction})
        cpu = time.process_time()
        result = generate_jets(settings, GenerationTask(0, 0, PTHAT_SCAN_JETS, pythia_seed=2000))
        cpu = time.process_time() - cpu
        at_edge = float(np.mean(result.jets[:, 0] < settings.pt_min_gev + LOWER_EDGE_GEV))
        error = np.sqrt(at_edge * (1 - at_edge) / PTHAT_SCAN_JETS)
        rows.append(
            f"| {fraction:.1f} | {PTHAT_SCAN_JETS / result.n_events:.2f} | {PTHAT_SCAN_JETS / cpu:.0f} "
            f"| {at_edge:.3f} ± {error:.3f} |"
        )
        logger.info("p̂T cut %g: %s", fraction, rows[-1])
    return rows


def _children_cpu_seconds() -> float:
    """User + system CPU time of this process's finished child processes (the pool's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _physics_figures(sample_x: np.ndarray, names: list[str], labels: np.ndarray) -> list[str]:
    """Markdown rows of the physics checks, per class."""
    shown = ("mass_mmdt", "multiplicity", "n2_b1_mmdt", "d2_b1_mmdt")
    columns = {name: sample_x[:, names.index(name)] for name in shown}
    rows = []
    for class_index, class_name in enumerate(CLASS_NAMES):
        of_class = labels == class_index
        mass = float(np.median(columns["mass_mmdt"][of_class]))
        expected = f" (PDG mass {GROOMED_MASS_GEV[class_name]})" if class_name in GROOMED_MASS_GEV else ""
        rows.append(
            f"| {class_name} | {of_class.sum():,} | {mass:.1f}{expected} "
            f"| {columns['multiplicity'][of_class].mean():.1f} | {np.median(columns['n2_b1_mmdt'][of_class]):.3f} "
            f"| {np.median(columns['d2_b1_mmdt'][of_class]):.2f} |"
        )
    return rows


def main() -> None:
    """Measure and write the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single-jets", type=int, default=300, help="jets per class for the one-worker rates")
    parser.add_argument("--jets-per-class", type=int, default=TARGET_JETS_PER_CLASS, help="two-worker sample")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    measured = conf_values("jet", (PHYSICS_KEY, SAMPLE_KEY))
    run = Run(
        "bench_jet_simulation.py",
        f"python benchmarks/bench_jet_simulation.py --single-jets {arguments.single_jets} --jets-per-class {arguments.jets_per_class}",
        "jet",
        measured,
    )
    physics = JetSimulationSettings.model_validate(measured[PHYSICS_KEY])

    single = _single_worker_rates(physics.model_copy(update={"n_workers": 1}), arguments.single_jets)
    overall_wall, overall_cpu = _overall_rates(single)
    without_mpi = _single_worker_rates(physics.model_copy(update={"n_workers": 1, "mpi": False}), arguments.single_jets)
    without_mpi_wall, without_mpi_cpu = _overall_rates(without_mpi)
    pthat_rows = _pthat_scan(physics)

    settings = physics.model_copy(update={"jets_per_class": arguments.jets_per_class, "n_workers": 2})
    start, workers_cpu = time.perf_counter(), _children_cpu_seconds()
    sample = simulate_jets(settings)
    sample_seconds = time.perf_counter() - start
    # The pool has shut down and its workers were reaped: their CPU time is in RUSAGE_CHILDREN.
    jets_per_worker_cpu_s = len(sample) / (_children_cpu_seconds() - workers_cpu)
    is_target_sample = arguments.jets_per_class == TARGET_JETS_PER_CLASS
    target_jets = len(CLASS_NAMES) * TARGET_JETS_PER_CLASS
    target_seconds = sample_seconds * TARGET_JETS_PER_CLASS / arguments.jets_per_class
    # What two otherwise idle cores would take: each worker sustains the one-worker CPU rate.
    idle_estimate_seconds = target_jets / (2 * overall_cpu)
    default_jets = measured[SAMPLE_KEY]

    n_features = min(FEATURE_JETS_PER_CLASS, arguments.jets_per_class)
    first_of_class = [np.flatnonzero(sample.labels == index)[:n_features] for index in range(len(CLASS_NAMES))]
    subset = np.concatenate(first_of_class)
    subset_sample = type(sample)(
        sample.constituents[subset], sample.multiplicity[subset], sample.jets[subset], sample.labels[subset]
    )
    start = time.perf_counter()
    x, names = extract_jet_features(subset_sample, "hlf")
    ms_per_jet_features = 1e3 * (time.perf_counter() - start) / len(subset)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    sample_label = (
        f"Target sample, 2 workers: {len(sample):,} jets measured"
        if is_target_sample
        else f"Target sample, 2 workers: EXTRAPOLATED ×{TARGET_JETS_PER_CLASS / arguments.jets_per_class:g} "
        f"from {len(sample):,} jets measured in {sample_seconds:.0f} s"
    )
    met = {
        "jets per CPU s": overall_cpu >= TARGET_JETS_PER_S_PER_CORE,
        "jets per worker CPU s": jets_per_worker_cpu_s >= TARGET_JETS_PER_S_PER_CORE,
        f"{target_jets:,} jets": target_seconds < TARGET_DEFAULT_SAMPLE_S,
    }
    lines = [
        f"- numpy {np.__version__}, pythia8mc {version('pythia8mc')}, fastjet {version('fastjet')}; CPU-time rates are less "
        "sensitive to the load than wall-time rates",
        f"- Physics: pT {physics.pt_min_gev:g}–{physics.pt_max_gev:g} GeV, |η| < {physics.max_abs_eta:g}, anti-kT "
        f"R = {physics.jet_radius:g}, √s = {physics.sqrt_s_gev / 1000:g} TeV, MPI {'on' if physics.mpi else 'off'}, "
        f"ISR {'on' if physics.isr else 'off'}, FSR {'on' if physics.fsr else 'off'}, hadronisation "
        f"{'on' if physics.hadronisation else 'off'}, p̂T from {physics.pthat_min_fraction:g} · pT_min",
        f"- Target sample: {target_jets:,} jets ({TARGET_JETS_PER_CLASS:,} per class); the default run simulates "
        f"{default_jets:,} (`{SAMPLE_KEY}`), at the two-worker rate measured here {default_jets * sample_seconds / len(sample):.0f} s",
        "",
        "| Measure | Measured | Target | |",
        "|---|---|---|---|",
        f"| One worker, all classes, jets/s (wall) | {overall_wall:.0f} | ≥ {TARGET_JETS_PER_S_PER_CORE} "
        f"| {verdict(overall_wall >= TARGET_JETS_PER_S_PER_CORE)} |",
        f"| One worker, all classes, jets per CPU second | {overall_cpu:.0f} | ≥ {TARGET_JETS_PER_S_PER_CORE} "
        f"| {verdict(met['jets per CPU s'])} |",
        f"| Same, without multiparton interactions (`mpi=False`): jets/s (wall), jets per CPU second "
        f"| {without_mpi_wall:.0f}, {without_mpi_cpu:.0f} | | |",
        f"| Target sample, 2 workers: jets per worker CPU second (tasks of {JETS_PER_TASK:,} jets, worker "
        f"start-up and Pythia initialisation included) | {jets_per_worker_cpu_s:.0f} "
        f"| ≥ {TARGET_JETS_PER_S_PER_CORE} | {verdict(met['jets per worker CPU s'])} |",
        f"| {sample_label} | {target_seconds:.0f} s ({target_jets / target_seconds:.0f} jets/s) "
        f"| < {TARGET_DEFAULT_SAMPLE_S} s | {verdict(met[f'{target_jets:,} jets'])} |",
        f"| Target sample, 2 workers: ESTIMATED for two idle cores, {target_jets:,} / (2 × one-worker CPU rate) "
        f"| {idle_estimate_seconds:.0f} s | < {TARGET_DEFAULT_SAMPLE_S} s "
        f"| {verdict(idle_estimate_seconds < TARGET_DEFAULT_SAMPLE_S)} (estimate) |",
        f"| High-level features (mMDT + ECFs), one core | {ms_per_jet_features:.2f} ms/jet "
        f"({ms_per_jet_features * target_jets / 1e3:.0f} s for {target_jets:,} jets) | | |",
        "",
        f"One worker, per class ({arguments.single_jets} jets each; a real task of {JETS_PER_TASK:,} jets pays "
        "the initialisation once):",
        "",
        "| Class | jets/s (wall) | jets per CPU s | jets/s after Pythia init | init (s) | jets per event "
        "| time in Pythia's events / init / rest | jets per CPU s counting only Pythia's events |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {row['class']} | {row['jets_per_s']:.0f} | {row['jets_per_cpu_s']:.0f} "
            f"| {row['jets_per_s_after_init']:.0f} | {row['init_s']:.1f} | {row['jets_per_event']:.2f} "
            f"| {row['pythia_events_share']:.0%} / {row['init_share']:.0%} "
            f"/ {1 - row['pythia_events_share'] - row['init_share']:.0%} "
            f"| {row['jets_per_cpu_s'] / row['pythia_events_share']:.0f} |"
            for row in single
        ),
        "",
        _time_budget(single, arguments.single_jets),
        "",
        f"The p̂T cut sets the events per jet: {PTHAT_SCAN_JETS} gluon jets (one worker, initialisation "
        f"included) from p̂T = f · pT_min up to {_PTHAT_MAX_FRACTION:g} · pT_max (configured f = "
        f"{physics.pthat_min_fraction:g}). A cut that raises the jets per event but lowers the "
        f"share of jets in the lowest {LOWER_EDGE_GEV:g} GeV of the window below that of a lower cut biases the "
        "window (± one binomial standard error):",
        "",
        f"| f | jets per event | jets per CPU s | share of jets below {physics.pt_min_gev + LOWER_EDGE_GEV:g} GeV |",
        "|---|---|---|---|",
        *pthat_rows,
        "",
        f"Physics of the first {n_features:,} jets per class of the two-worker sample:",
        "",
        "| Class | Jets | Median groomed mass (GeV) | Mean multiplicity | Median N2^(1) | Median D2^(1) |",
        "|---|---|---|---|---|---|",
        *_physics_figures(x, names, subset_sample.labels),
    ]
    write_page(
        "jet_simulation",
        run,
        "Jet simulation benchmark",
        lines,
        headline=(
            f"{overall_cpu:.0f} jets per CPU second on one core; {target_jets:,} jets in {target_seconds:.0f} s on 2 workers"
            + ("" if is_target_sample else " (extrapolated)")
        ),
        target=f"≥ {TARGET_JETS_PER_S_PER_CORE} jets per CPU s per core; {target_jets:,} jets in < {TARGET_DEFAULT_SAMPLE_S} s",
        verdict="met" if all(met.values()) else "MISSED: " + ", ".join(k for k, ok in met.items() if not ok),
        figures={"jets_per_cpu_s": overall_cpu, "target_sample_seconds": target_seconds},
    )


if __name__ == "__main__":
    main()
