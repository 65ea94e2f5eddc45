"""Benchmark of local compression on the default jet data.

Runs quantization-aware warm-up and the default pruning schedule of the jet environment's
baseline network at every default precision, timing each iteration, then the exact da4ml cost
of every resulting network (one process, one thread: the cost of one evaluation). Needs the jet
model inputs, i.e. `kedro run --env jet --pipeline data_processing` first. When the default run
of local_compression exists, its per-iteration timings are summarised too.

    python benchmarks/bench_compression.py

Writes docs/benchmarks/compression.md. Timings are reported, never asserted.
"""

from __future__ import annotations

import logging
import os
import resource
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from snac_pack.compression.loop import CompressionJob, compress
from snac_pack.compression.settings import BaselineModel
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.exact import ExactDesign
from snac_pack.search.space import Candidate, SearchSpace
from _report import Run, catalog_path, conf_values, project_parameters, write_page

ROOT = Path(__file__).resolve().parents[1]
MEASURED_KEYS = ("local_compression", "data_processing.simulation", "data_processing.features", "data_processing.split", "hardware_target")


def _table(split: str) -> FeatureTable:
    with np.load(catalog_path("jet", f"model_input_{split}")) as archive:
        return FeatureTable.from_arrays({key: archive[key] for key in archive.files})


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run = Run("bench_compression.py", "python benchmarks/bench_compression.py", "jet", conf_values("jet", MEASURED_KEYS))
    params = project_parameters("jet")
    compression = params.local_compression
    space = SearchSpace.model_validate(params.search_space.model_dump())
    baseline: BaselineModel = compression.baselines[0]
    job = CompressionJob(baseline.name, "baseline", Candidate(baseline.network(), baseline.learning_rate, baseline.input_window))
    train, val = _table("train"), _table("val")
    rows, cost_rows = [], []
    for point in compression.precisions:
        started = time.perf_counter()
        points = compress(job, point, compression.input_format(space), compression.pruning, compression.warmup, train, val, params.task.metric, params.hardware_target, compression.seed)
        total = time.perf_counter() - started
        for p in points:
            rows.append({"precision": point.name(), "iteration": p.iteration, "epochs": p.epochs, "seconds": p.train_seconds, "sparsity": p.sparsity, "metric": p.val_metric})
        for p in points:
            started_cost = time.perf_counter()
            cost = ExactDesign.build(p.arch, p.hardware_weights).cost()
            cost_rows.append({"precision": point.name(), "iteration": p.iteration, "seconds": time.perf_counter() - started_cost, "lut": cost.lut, "ff": cost.ff, "latency_cycles": cost.latency_cycles})
        logging.info("%s: %d points in %.1f s", point.name(), len(points), total)
    training = pd.DataFrame(rows)
    costs = pd.DataFrame(cost_rows)
    prune = training[training["iteration"] > 0]

    lines = [
        "- Needs the jet model inputs (`kedro run --env jet --pipeline data_processing`)",
        f"- Network: the jet baseline `{baseline.name}` ({train.x.shape[1]}→{'→'.join(map(str, baseline.hidden_units))}→{len(train.class_names)}), "
        f"{len(train.y)} training and {len(val.y)} validation jets; schedule: warm-up ≤ {compression.warmup.epochs} epochs, "
        f"{compression.pruning.iterations} iterations pruning {compression.pruning.fraction:.0%} of the survivors ({compression.pruning.scope}), "
        f"≤ {compression.pruning.finetune_epochs} fine-tuning epochs each, batch {compression.warmup.batch_size}; TensorFlow on all cores",
        "- Exact cost: da4ml in this process, one numba thread, on the pruned quantized weights of every iteration",
        "",
        "## Time per step",
        "",
        "| measure | value |",
        "|---|---|",
        f"| quantization-aware warm-up, mean per precision | {training[training['iteration'] == 0]['seconds'].mean():.1f} s ({training[training['iteration'] == 0]['epochs'].mean():.0f} epochs) |",
        f"| pruning iteration (prune + fine-tune), mean | {prune['seconds'].mean():.1f} s ({prune['epochs'].mean():.1f} epochs) |",
        f"| pruning iteration, per epoch | {prune['seconds'].sum() / prune['epochs'].sum():.2f} s |",
        f"| exact cost (da4ml) per network, median | {costs['seconds'].median():.1f} s |",
        f"| exact cost per network, max | {costs['seconds'].max():.1f} s |",
        f"| peak memory of this process | {_peak_rss_mib():.0f} MiB |",
        "",
        "## Every point",
        "",
        "| precision | iteration | sparsity | validation accuracy | epochs | training (s) | exact LUT | exact FF | latency (cycles) | exact cost (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (_, t), (_, c) in zip(training.iterrows(), costs.iterrows(), strict=True):
        lines.append(
            f"| {t['precision']} | {t['iteration']} | {t['sparsity']:.3f} | {t['metric']:.4f} | {t['epochs']} | {t['seconds']:.1f} | {c['lut']:.0f} | {c['ff']:.0f} | {c['latency_cycles']} | {c['seconds']:.1f} |"
        )
    try:
        history_path = catalog_path("jet", "compression_history")
        history = pd.read_parquet(history_path)
    except FileNotFoundError:
        history = None
    if history is not None:
        pruning_rows = history[history["iteration"] > 0]
        workers = compression.n_workers or os.cpu_count()
        lines += [
            "",
            "## The default run (`kedro run --pipeline local_compression`), from its compression_history",
            "",
            f"Read from `{history_path.relative_to(ROOT)}`, written by that run, "
            "not by this script.",
            "",
            f"- {history['model'].nunique()} networks × {history['precision'].nunique()} precisions × "
            f"{history['iteration'].nunique()} points = {len(history)} rows",
            f"- training per pruning iteration: mean {pruning_rows['train_seconds'].mean():.1f} s; warm-up mean "
            f"{history[history['iteration'] == 0]['train_seconds'].mean():.1f} s",
            f"- exact cost per network ({workers} worker processes in parallel with today's `local_compression.n_workers`, "
            f"so contended): median {history['exact_seconds'].median():.1f} s, max {history['exact_seconds'].max():.1f} s",
        ]
    final = costs.groupby("precision")["lut"].agg(["first", "last"])
    falls = all(group["lut"].is_monotonic_decreasing for _, group in costs.groupby("precision"))
    write_page(
        "compression",
        run,
        "Local compression benchmark (default jet data)",
        lines,
        headline=(
            f"QAT + pruning of the jet baseline: exact LUT {'falls' if falls else 'does NOT always fall'} with sparsity at every "
            "precision ("
            + "; ".join(f"{name} {row['first']:,.0f} → {row['last']:,.0f}" for name, row in final.iterrows())
            + f"); pruning iteration {prune['seconds'].mean():.1f} s, exact cost median {costs['seconds'].median():.1f} s"
        ),
        target="",
        verdict="reported",
    )


if __name__ == "__main__":
    main()
