"""Benchmark of the hardware surrogate on the default jet search space.

Measures: surrogate throughput (architectures per second, one batched call), exact-cost (da4ml)
time per architecture, Yosys time per design and the surrogate's accuracy on held-out designs,
with random and trained weights and against Yosys. Reads the project's ground-truth table, so
run `kedro run --env jet --pipeline surrogate_training` first. Writes docs/benchmarks/surrogate.md.

    python benchmarks/bench_surrogate.py
"""

from __future__ import annotations

import datetime
import itertools
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.exact import exact_cost
from snac_pack.hardware.network import random_quantized_network
from snac_pack.hardware.ground_truth import GroundTruthStore, architecture_of, is_held_out, rows_for
from snac_pack.hardware.surrogate import evaluate_surrogate, fit_surrogate
from snac_pack.search.space import (
    SearchSpace,
    n_network_inputs,
    random_trials,
    suggest_candidate,
    suggest_precision,
    to_architecture,
)
from _report import cpu_model

ROOT = Path(__file__).resolve().parents[1]
N_FEATURES, N_CLASSES = 24, 5  # default jet inputs: 8 constituents x (z, deta, dphi); five classes




def main() -> None:
    space = SearchSpace.model_validate(yaml.safe_load((ROOT / "conf/jet/parameters.yml").read_text())["search_space"])
    target = ImplementationTarget.model_validate(
        yaml.safe_load((ROOT / "conf/base/parameters_hardware.yml").read_text())["hardware_target"]
    )
    holdout = yaml.safe_load((ROOT / "conf/base/parameters_surrogate_training.yml").read_text())["surrogate_training"]["holdout_fraction"]
    table = GroundTruthStore(ROOT / "data/03_primary/ground_truth.jsonl").table()
    max_layers = space.hidden_layers.high + 1
    random_rows = rows_for(table, target, ("da4ml",), "random", max_layers)
    random_rows = random_rows[[architecture_of(r).n_inputs == N_FEATURES for _, r in random_rows.iterrows()]].reset_index(drop=True)
    held = np.array([is_held_out(d, holdout) for d in random_rows["design_id"]])
    training, held_out = random_rows[~held].reset_index(drop=True), random_rows[held].reset_index(drop=True)
    started = time.perf_counter()
    surrogate = fit_surrogate(training, [architecture_of(r) for _, r in training.iterrows()], max_layers=max_layers)
    fit_seconds = time.perf_counter() - started

    archs = []
    for trial in itertools.islice(random_trials(123), 10_000):
        candidate = suggest_candidate(space, trial)
        archs.append(to_architecture(candidate.network, n_network_inputs(candidate, N_FEATURES), N_CLASSES, suggest_precision(space, trial), target))
    surrogate.predict(archs[:10])  # warm-up
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        surrogate.predict(archs)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    surrogate.predict(archs[:1])
    single = time.perf_counter() - started

    sets = {"held-out, random weights": held_out}
    trained = rows_for(table, target, ("da4ml",), "trained", max_layers)
    trained = trained[[architecture_of(r).n_inputs == N_FEATURES for _, r in trained.iterrows()]].reset_index(drop=True)
    yosys = rows_for(table, target, ("yosys",), "random", max_layers)
    yosys = yosys[[architecture_of(r).n_inputs == N_FEATURES for _, r in yosys.iterrows()]].reset_index(drop=True)
    sets["trained weights"] = trained
    sets["Yosys synthesis"] = yosys
    accuracy_rows = []
    for label, rows in sets.items():
        if rows.empty:
            accuracy_rows.append(f"| {label} | 0 | – | – | – | – | – | – |")
            continue
        m = evaluate_surrogate(surrogate, rows, [architecture_of(r) for _, r in rows.iterrows()])
        accuracy_rows.append(
            f"| {label} | {len(rows)} | {m['lut'].get('r2', float('nan')):.4f} | {100 * m['lut']['median_rel_error']:.1f} % | "
            f"{100 * m['lut']['p90_rel_error']:.1f} % | {m['ff'].get('r2', float('nan')):.4f} | {100 * m['ff']['median_rel_error']:.1f} % | "
            f"{100 * m['latency_cycles']['within_one_cycle']:.0f} % |"
        )
    variation_rows = []
    for widths, weight_bits in (([24, 32, 16, 16, 32, 5], 6), ([24, 16, 64, 8, 32, 16, 5], 8)):
        arch = Architecture.from_widths(widths, weight_bits=weight_bits, activation_bits=8, sparsity=0.3, target=target)
        costs = [exact_cost(arch, random_quantized_network(arch, np.random.default_rng(seed))) for seed in range(6)]
        lut, ff = np.array([c.lut for c in costs]), np.array([c.ff for c in costs])
        cycles = sorted({c.latency_cycles for c in costs})
        variation_rows.append(
            f"| {arch.describe()} | {100 * lut.std() / lut.mean():.1f} % | {100 * ff.std() / ff.mean():.1f} % | {cycles} |"
        )
    seconds = random_rows["seconds"]
    by_depth = random_rows.assign(depth=[architecture_of(r).depth for _, r in random_rows.iterrows()]).groupby("depth")["seconds"].median()
    text = f"""# Hardware surrogate benchmark

- Date: {datetime.date.today().isoformat()}; machine: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}
- Command: `python benchmarks/bench_surrogate.py` (after `kedro run --env jet --pipeline surrogate_training`)
- Space: the default jet search space (`conf/jet/parameters.yml`), {N_FEATURES} inputs, {N_CLASSES} classes; target {target.strategy} on {target.part} at {target.clock_period_ns} ns
- Ground truth: {len(training)} training and {len(held_out)} held-out random-weight designs (da4ml), {len(trained)} trained networks, {len(yosys)} Yosys syntheses; surrogate fitted in {fit_seconds:.1f} s

## Speed

| measure | value | target |
|---|---|---|
| surrogate, 10,000 architectures in one `predict` call (best of 3) | {min(timings):.3f} s | < 1 s |
| surrogate, one architecture | {1000 * single:.1f} ms | |
| da4ml exact cost per design, median (all designs) | {seconds.median():.1f} s | |
| da4ml exact cost per design, 90th percentile | {seconds.quantile(0.9):.1f} s | |
| da4ml exact cost, median by number of dense layers | {", ".join(f"{int(d)}: {s:.1f} s" for d, s in by_depth.items())} | |
| Yosys (`synth_xilinx`) per design, median | {(yosys["seconds"].median() if not yosys.empty else float("nan")):.0f} s | |

Exact-cost times were measured by the ground-truth workers (two processes on two cores, one
numba thread each), so they include contention; Yosys runs at most two designs at a time.

## Accuracy (surrogate trained on da4ml, random weights)

| designs | n | LUT R² | LUT median rel. error | LUT p90 | FF R² | FF median rel. error | latency within 1 cycle |
|---|---|---|---|---|---|---|---|
{chr(10).join(accuracy_rows)}

Targets (issue 4): R² ≥ 0.98 and median relative error ≤ 5 % for LUTs and FFs; latency within
one cycle for ≥ 95 %.

## How much the weights alone move the figures (6 random weight draws, same architecture)

| architecture | LUT coefficient of variation | FF coefficient of variation | latency cycles seen |
|---|---|---|---|
{chr(10).join(variation_rows)}

LUTs are set by the architecture to about 1 %, as expected. FFs are not: da4ml places pipeline
registers by adder depth, which depends on the weights' digits, so the register count moves by
4–7 % between weight draws and the latency by a cycle. An architecture-level surrogate cannot
predict FFs better than that spread; it is the floor under the FF errors above.
"""
    (ROOT / "docs/benchmarks").mkdir(parents=True, exist_ok=True)
    (ROOT / "docs/benchmarks/surrogate.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
