"""Cached, parallel, seed-deterministic simulation of the five jet classes.

The sample is cut into fixed blocks of at most ``JETS_PER_TASK`` jets of one class. Each block
runs in a fresh Pythia instance whose seed derives from (seed, class, block), and blocks are put
back in (class, block) order: the same settings give identical arrays for any number of workers.
Workers are spawned (not forked) so that a parent holding threads (e.g. TensorFlow) stays safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial
from pathlib import Path

import numpy as np

from snac_pack.data.jets.pythia_generator import GeneratedJets, GenerationTask, generate_jets
from snac_pack.data.jets.sample import CLASS_NAMES, JetSample, load_jet_sample, save_jet_sample
from snac_pack.data.jets.settings import JetSimulationSettings

logger = logging.getLogger(__name__)

#: Jets per generation task: large enough that Pythia's ~1 s initialisation is a few percent of
#: the task, small enough to spread a class over the workers and report progress often.
JETS_PER_TASK = 2_000
# Bump when the generator's output changes for the same settings, to invalidate old caches.
_CACHE_FORMAT = 1
_PYTHIA_MAX_SEED = 900_000_000


def derived_seed(seed: int, class_index: int, task_index: int) -> int:
    """Pythia seed (1 … 900 000 000) of one task, decorrelated from every other task's seed."""
    state = np.random.SeedSequence([seed, class_index, task_index]).generate_state(1)[0]
    return int(state) % _PYTHIA_MAX_SEED + 1


def plan_tasks(settings: JetSimulationSettings) -> list[GenerationTask]:
    """The generation tasks of a sample, in output order (class by class).

    Args:
        settings: the simulation settings.

    Returns:
        One task per block of at most ``JETS_PER_TASK`` jets of one class.
    """
    tasks = []
    for class_index in range(len(CLASS_NAMES)):
        for task_index in range(math.ceil(settings.jets_per_class / JETS_PER_TASK)):
            n_jets = min(JETS_PER_TASK, settings.jets_per_class - task_index * JETS_PER_TASK)
            seed = derived_seed(settings.seed, class_index, task_index)
            tasks.append(GenerationTask(class_index, task_index, n_jets, seed))
    return tasks


def cache_path(settings: JetSimulationSettings, cache_dir: Path) -> Path:
    """The cache file of ``settings``: keyed by every setting that changes the jets (not ``n_workers``)."""
    identity = json.dumps(
        {"format": _CACHE_FORMAT, "settings": settings.model_dump(mode="json", exclude={"n_workers"})},
        sort_keys=True,
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(cache_dir) / f"jets_{settings.jets_per_class}_per_class_{digest}.npz"


def _run_tasks(settings: JetSimulationSettings, tasks: list[GenerationTask]) -> Iterator[GeneratedJets]:
    """Results of ``tasks`` as they finish: in this process for one worker, else in a process pool."""
    n_workers = min(settings.n_workers, len(tasks))
    if n_workers == 1:
        yield from map(partial(generate_jets, settings), tasks)
        return
    with ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(generate_jets, settings, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()


def _generate_sample(settings: JetSimulationSettings) -> JetSample:
    """Run every task, logging progress, and assemble the sample in task order."""
    tasks = plan_tasks(settings)
    total_jets = settings.jets_per_class * len(CLASS_NAMES)
    logger.info(
        "Simulating %d jets (%d per class) in %d tasks on %d worker(s)",
        total_jets,
        settings.jets_per_class,
        len(tasks),
        min(settings.n_workers, len(tasks)),
    )
    start = time.perf_counter()
    results: dict[tuple[int, int], GeneratedJets] = {}
    n_done = n_events = 0
    for result in _run_tasks(settings, tasks):
        results[(result.task.class_index, result.task.task_index)] = result
        n_done += result.task.n_jets
        n_events += result.n_events
        elapsed = time.perf_counter() - start
        logger.info(
            "Jets: %d / %d (%.0f%%), last block %s: %d jets from %d events; %.0f jets/s overall, ~%.0f s left",
            n_done,
            total_jets,
            100 * n_done / total_jets,
            CLASS_NAMES[result.task.class_index],
            result.task.n_jets,
            result.n_events,
            n_done / elapsed,
            (total_jets - n_done) * elapsed / n_done,
        )
    ordered = [results[(task.class_index, task.task_index)] for task in tasks]
    return JetSample(
        constituents=np.concatenate([result.constituents for result in ordered]),
        multiplicity=np.concatenate([result.multiplicity for result in ordered]),
        jets=np.concatenate([result.jets for result in ordered]),
        labels=np.concatenate([np.full(r.task.n_jets, r.task.class_index, dtype=np.int64) for r in ordered]),
        class_names=CLASS_NAMES,
    )


def simulate_jets(settings: JetSimulationSettings, cache_dir: Path | str | None = None) -> JetSample:
    """Simulate ``settings.jets_per_class`` jets of each class, or load them from the cache.

    With several workers the processes are spawned: a script calling this needs the usual
    ``if __name__ == "__main__":`` guard.

    Args:
        settings: what to simulate.
        cache_dir: directory of cached samples; ``None`` always simulates and stores nothing.

    Returns:
        The jets, class by class (all gluons, then quarks, W, Z, top); shuffle before splitting.
    """
    path = cache_path(settings, Path(cache_dir)) if cache_dir is not None else None
    if path is not None and path.is_file():
        logger.info("Loading cached jet simulation from %s", path)
        return load_jet_sample(path)
    sample = _generate_sample(settings)
    if path is not None:
        save_jet_sample(sample, path, metadata=settings.model_dump_json())
        logger.info("Cached the jet simulation at %s", path)
    return sample
