"""Benchmark of the hardware surrogate on the jet environment's search space and ground truth.

Measures: surrogate throughput (architectures per second, one batched call), exact-cost (da4ml)
time per design, Yosys time per design, the surrogate's accuracy on held-out architectures (per
origin of the rows, and against Yosys), cross-validated on the training architectures, and how
much the weights alone move da4ml's figures (the floor under any architecture-level surrogate).
The surrogate is fitted as the surrogate_training pipeline fits it: on every row of the
configured target and sources whose architecture is not held out (``split_rows``, by
architecture), with the configured seed. Reads the project's ground-truth table and the jet
model inputs, so run the pipeline first; the accuracy table is only as good as the table is
large (the default run's 48 random designs leave about a dozen held-out ones):

    kedro run --env jet --pipeline surrogate_training --params surrogate_training.n_random_designs=400
    python benchmarks/bench_surrogate.py

Computes 16 × 4 + 4 exact costs itself (minutes on two cores). Writes docs/benchmarks/surrogate.md.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from _report import Run, catalog_path, conf_values, project_parameters, write_page
from snac_pack.data.features import FeatureTable
from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.exact import HARD_DELAY_CONSTRAINT, ExactDesign, latency_cutoff_for_clock
from snac_pack.hardware.ground_truth import (
    ROW_ORIGINS,
    DesignRequest,
    GroundTruthStore,
    architecture_of,
    extend_ground_truth,
    rows_for,
    split_key,
    split_rows,
)
from snac_pack.hardware.network import random_quantized_network
from snac_pack.hardware.surrogate import REGRESSOR_SETTINGS, evaluate_rows, evaluate_surrogate, fit_surrogate
from snac_pack.hardware.surrogate_features import architecture_matrix
from snac_pack.search.space import (
    SearchSpace,
    n_network_inputs,
    random_trials,
    suggest_candidate,
    suggest_precision,
    to_architecture,
)

ROOT = Path(__file__).resolve().parents[1]
MEASURED_KEYS = ("search_space", "hardware_target", "surrogate_training")
N_VARIATION_ARCHS, N_DRAWS = 16, 4  # weight-draw spread: architectures from the space x draws each
#: One architecture whose pipeline registers are shown per weight draw: hidden widths and precision.
STAGE_HIDDEN, STAGE_PRECISION = (32, 16, 16, 32), {"weight_bits": 6, "activation_bits": 8, "sparsity": 0.3}
N_THROUGHPUT = 10_000
CV_FOLDS = 5
#: Acceptance targets of the surrogate (issue 4), on held-out architectures with random weights.
TARGET_R2, TARGET_MEDIAN, TARGET_WITHIN_CYCLE, TARGET_SECONDS = 0.98, 0.05, 0.95, 1.0
#: The page's history holds the development measurements (feature and model choices, FF target
#: on several weight draws) that were typed into this script before pages were written whole.
DEVELOPMENT_NOTES_COMMIT = "00fe3f1"


def space_architectures(space: SearchSpace, target: ImplementationTarget, n_features: int, n_classes: int, seed: int, n: int) -> list[Architecture]:
    archs = []
    for trial in itertools.islice(random_trials(seed), n):
        candidate = suggest_candidate(space, trial)
        archs.append(
            to_architecture(candidate.network, n_network_inputs(candidate, n_features), n_classes, suggest_precision(space, trial), target)
        )
    return archs


def archs_of(rows: pd.DataFrame) -> list[Architecture]:
    return [architecture_of(r) for _, r in rows.iterrows()]


def _number(value: float | None, scale: float = 1.0, digits: int = 4, suffix: str = "") -> str:
    return "–" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{scale * value:.{digits}f}{suffix}"


def accuracy_row(label: str, metrics: dict) -> str:
    if not metrics.get("n"):
        return f"| {label} | 0 | – | – | – | – | – | – | – |"
    lut, ff, cycles = metrics["lut"], metrics["ff"], metrics["latency_cycles"]
    return (
        f"| {label} | {int(metrics['n'])} | {_number(lut.get('r2'))} | {_number(lut.get('median_rel_error'), 100, 1, ' %')} "
        f"| {_number(lut.get('p90_rel_error'), 100, 1, ' %')} | {_number(ff.get('r2'))} | {_number(ff.get('median_rel_error'), 100, 1, ' %')} "
        f"| {_number(ff.get('p90_rel_error'), 100, 1, ' %')} | {_number(cycles.get('within_one_cycle'), 100, 0, ' %')} |"
    )


def cross_validated(training: pd.DataFrame, archs: list[Architecture], max_layers: int, seed: int) -> dict:
    """Metrics of a grouped k-fold split of the training rows (by architecture), averaged over the folds."""
    folds = []
    groups = [split_key(arch) for arch in archs]
    for train_index, test_index in GroupKFold(CV_FOLDS).split(archs, groups=groups):
        surrogate = fit_surrogate(training.iloc[train_index], [archs[i] for i in train_index], max_layers=max_layers, seed=seed)
        folds.append(evaluate_surrogate(surrogate, training.iloc[test_index].reset_index(drop=True), [archs[i] for i in test_index]))
    return {"n": len(training)} | {
        name: {key: float(np.mean([fold[name][key] for fold in folds if key in fold[name]])) for key in folds[0][name]} for name in folds[0]
    }


def weight_draw_spread(archs: list[Architecture], workers: int) -> pd.DataFrame:
    """da4ml's figures for ``N_DRAWS`` random weight draws of each architecture."""
    requests = [DesignRequest(arch=arch, weight_origin="random", weight_seed=seed) for arch in archs for seed in range(N_DRAWS)]
    with tempfile.TemporaryDirectory(prefix="snac_bench_") as work:
        store = GroundTruthStore(Path(work) / "draws.jsonl")
        extend_ground_truth(store, requests, "da4ml", n_workers=workers)
        return store.table()


def main() -> None:
    run = Run("bench_surrogate.py", "python benchmarks/bench_surrogate.py", "jet", conf_values("jet", MEASURED_KEYS))
    params = project_parameters("jet")
    space, target, settings = params.search_space, params.hardware_target, params.surrogate_training
    workers = settings.n_workers or os.cpu_count() or 1
    with np.load(catalog_path("jet", "model_input_train")) as archive:
        train = FeatureTable.from_arrays({key: archive[key] for key in archive.files})
    n_features, n_classes = train.x.shape[1], len(train.class_names)
    table_path = catalog_path("jet", "ground_truth_store", "table")
    table = GroundTruthStore(table_path).table()
    max_layers = space.hidden_layers.high + 1
    training, held_out = split_rows(rows_for(table, target, tuple(settings.train_sources), max_layers), settings.holdout_fraction)
    training_archs = archs_of(training)
    started = time.perf_counter()
    surrogate = fit_surrogate(training, training_archs, max_layers=max_layers, seed=settings.seed)
    fit_seconds = time.perf_counter() - started

    archs = space_architectures(space, target, n_features, n_classes, seed=123, n=N_THROUGHPUT)
    surrogate.predict(archs[:10])  # warm-up (builds the CSD table once per process)
    totals, matrices = [], []
    for _ in range(3):
        started = time.perf_counter()
        surrogate.predict(archs)
        totals.append(time.perf_counter() - started)
        started = time.perf_counter()
        architecture_matrix(archs, max_layers)
        matrices.append(time.perf_counter() - started)
    singles = []
    for arch in archs[:3]:
        started = time.perf_counter()
        surrogate.predict([arch])
        singles.append(time.perf_counter() - started)

    yosys = split_rows(rows_for(table, target, ("yosys",), max_layers), settings.holdout_fraction)[1]
    origin_metrics = {origin: evaluate_rows(surrogate, held_out[held_out["origin"] == origin].reset_index(drop=True)) for origin in ROW_ORIGINS}
    folds = cross_validated(training, training_archs, max_layers, settings.seed)
    accuracy_rows = [accuracy_row(f"training architectures, {CV_FOLDS}-fold cross-validation grouped by architecture (mean of folds)", folds)]
    accuracy_rows += [accuracy_row(f"held-out architectures, {origin} rows", metrics) for origin, metrics in origin_metrics.items() if metrics["n"]]
    accuracy_rows.append(accuracy_row("held-out architectures, Yosys synthesis", evaluate_rows(surrogate, yosys)))
    acceptance = origin_metrics["random"]
    if not acceptance["n"]:
        raise SystemExit("no held-out random-weight rows in the ground-truth table: run surrogate_training first (see the docstring)")
    lut, ff, cycles = acceptance["lut"], acceptance["ff"], acceptance["latency_cycles"]
    best = min(totals)
    met = {
        "LUT": lut["r2"] >= TARGET_R2 and lut["median_rel_error"] <= TARGET_MEDIAN,
        "FF R²": ff["r2"] >= TARGET_R2,
        "FF median": ff["median_rel_error"] <= TARGET_MEDIAN,
        "latency": cycles["within_one_cycle"] >= TARGET_WITHIN_CYCLE,
        "speed": best < TARGET_SECONDS,
    }
    verdict = {key: "met" if value else "MISSED" for key, value in met.items()}
    random_rows = pd.concat([training, held_out])
    random_rows = random_rows[random_rows["origin"] == "random"]
    exact_ff = random_rows.set_index("design_id")["ff"]
    kept = pd.Series(dtype=float) if yosys.empty else (yosys["ff"] / exact_ff.reindex(yosys["design_id"]).to_numpy()).dropna()

    variation_archs = space_architectures(space, target, n_features, n_classes, seed=4242, n=N_VARIATION_ARCHS)
    started = time.perf_counter()
    draws = weight_draw_spread(variation_archs, workers)
    draws_seconds = time.perf_counter() - started
    grouped = draws.groupby("arch_key", sort=False)
    spread_rows, deviations = [], {"lut": [], "ff": []}
    for _, group in grouped:
        cv = {name: group[name].std(ddof=0) / group[name].mean() for name in ("lut", "ff")}
        for name in ("lut", "ff"):
            # |draw − mean of the draws| / mean, scaled by √(n/(n−1)) for the mean's own noise.
            deviations[name].extend(np.abs(group[name] / group[name].mean() - 1) * np.sqrt(len(group) / (len(group) - 1)))
        spread_rows.append(
            f"| {group['architecture'].iloc[0].replace(f' @ {target.strategy}', '')} | {group['lut'].mean():,.0f} | {100 * cv['lut']:.1f} % "
            f"| {group['ff'].mean():,.0f} | {100 * cv['ff']:.1f} % | {sorted(group['latency_cycles'].astype(int).unique().tolist())} |"
        )
    floor = {name: (np.median(values), np.percentile(values, 90)) for name, values in deviations.items()}
    ff_cv2 = float(np.mean([(g["ff"].std(ddof=1) / g["ff"].mean()) ** 2 for _, g in grouped]))
    held_ff = held_out[held_out["origin"] == "random"]["ff"].to_numpy(dtype=float)
    best_ff_r2 = 1.0 - ff_cv2 * np.mean(held_ff**2) / np.var(held_ff)

    example = Architecture.from_widths([n_features, *STAGE_HIDDEN, n_classes], **STAGE_PRECISION, target=target)
    stage_rows = []
    for seed in range(N_DRAWS):
        design = ExactDesign.build(example, random_quantized_network(example, np.random.default_rng(seed)))
        cost = design.cost()
        stages = design.pipeline.solutions
        registers = [int(stages[0].inp_kifs.sum())] + [int(stage.out_kifs.sum()) for stage in stages]
        stage_rows.append(
            f"| {seed} | {cost.lut:,.0f} | {cost.ff:,.0f} | {cost.latency_cycles} | {cost.details['adder_depth']:.0f} | {', '.join(map(str, registers))} |"
        )

    seconds = random_rows["seconds"]
    by_depth = random_rows.assign(depth=[a.depth for a in archs_of(random_rows)]).groupby("depth")["seconds"].median()
    regressor = ", ".join(f"{key}={value}" for key, value in REGRESSOR_SETTINGS.items())
    origins = training["origin"].value_counts().to_dict()
    cutoff = latency_cutoff_for_clock(target.clock_period_ns)
    lines = [
        f"- Space: the jet search space, {n_features} inputs, {n_classes} classes; target {target.strategy} on {target.part} at "
        f"{target.clock_period_ns:g} ns",
        f"- Ground truth (`{table_path.relative_to(ROOT)}`, written by surrogate_training and the later pipelines): "
        f"{len(training)} training rows of {len(set(map(split_key, training_archs)))} architectures "
        f"({', '.join(f'{n} {origin}' for origin, n in origins.items())}), {len(held_out)} held-out rows "
        f"(hold-out fraction {settings.holdout_fraction:g} by architecture), {len(yosys)} held-out Yosys syntheses; sources "
        f"learnt: {', '.join(settings.train_sources)}",
        f"- Surrogate fitted as the pipeline fits it ({regressor}, seed {settings.seed}) in {fit_seconds:.1f} s",
        "",
        "## Speed",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| surrogate, {N_THROUGHPUT:,} architectures in one `predict` call (best of 3) | {best:.3f} s ({N_THROUGHPUT / best:,.0f} "
        f"architectures/s) | < {TARGET_SECONDS:g} s: {verdict['speed']} |",
        f"| of which the feature matrix (best of 3) | {min(matrices):.3f} s | |",
        f"| surrogate, one architecture (best of 3) | {1000 * min(singles):.1f} ms | |",
        f"| da4ml exact cost per random design, median | {seconds.median():.1f} s | |",
        f"| da4ml exact cost per random design, 90th percentile | {seconds.quantile(0.9):.1f} s | |",
        f"| da4ml exact cost, median by number of dense layers | {', '.join(f'{int(d)}: {t:.1f} s' for d, t in by_depth.items())} | |",
        f"| Yosys (`synth_xilinx`) per held-out design, median | {_number(yosys['seconds'].median() if not yosys.empty else None, 1, 0, ' s')} | |",
        "",
        f"All three throughput runs: {', '.join(f'{t:.3f} s' for t in totals)}. Exact-cost and Yosys times were measured by the",
        f"ground-truth workers when the table was written ({workers} processes with today's `surrogate_training.n_workers`, one",
        "numba thread each), so they include their contention and that run's load, not this one's.",
        "",
        "## Accuracy on held-out architectures",
        "",
        "| rows | n | LUT R² | LUT median rel. error | LUT p90 | FF R² | FF median rel. error | FF p90 | latency within 1 cycle |",
        "|---|---|---|---|---|---|---|---|---|",
        *accuracy_rows,
        "",
        f"Targets (issue 4), on held-out architectures with random weights: R² ≥ {TARGET_R2:g} and median relative error ≤ "
        f"{100 * TARGET_MEDIAN:g} % for LUTs and FFs; latency within one cycle for ≥ {100 * TARGET_WITHIN_CYCLE:g} %.",
        "",
        f"- LUT: {verdict['LUT']} (R² {lut['r2']:.4f}, median {100 * lut['median_rel_error']:.1f} %, n {int(acceptance['n'])}).",
        f"- FF: R² {verdict['FF R²']} ({ff['r2']:.4f}), median {verdict['FF median']} ({100 * ff['median_rel_error']:.1f} %).",
        f"- Latency: {verdict['latency']} ({100 * cycles['within_one_cycle']:.0f} % within one cycle).",
        "",
        "Development measurements of the feature and model choices, and of the FF target over several weight draws, were",
        "made by hand and are not reproduced by this script, so this page no longer carries them; they are in the page's",
        f"history (`git show {DEVELOPMENT_NOTES_COMMIT}:docs/benchmarks/surrogate.md`, measured under the split of that day).",
        "",
        "## How much the weights alone move the figures",
        "",
        f"{N_DRAWS} random weight draws (`random_quantized_network`, seeds 0–{N_DRAWS - 1}) of each of {N_VARIATION_ARCHS}",
        f"architectures drawn from the jet space (`random_trials(4242)`), exact costs in {draws_seconds:.0f} s on {workers} workers:",
        "",
        "| architecture | mean LUT | LUT coefficient of variation | mean FF | FF coefficient of variation | latency cycles seen |",
        "|---|---|---|---|---|---|",
        *spread_rows,
        "",
        "A predictor that knew each architecture's mean over weight draws exactly would still be off a",
        f"single draw by (|draw − mean| / mean, corrected for the {N_DRAWS}-draw mean): LUT median",
        f"{100 * floor['lut'][0]:.1f} %, p90 {100 * floor['lut'][1]:.1f} %; FF median {100 * floor['ff'][0]:.1f} %, p90 {100 * floor['ff'][1]:.1f} %.",
        f"With the FF spread above, the best FF R² reachable on the held-out random-weight rows is about {best_ff_r2:.3f}.",
        "",
        "Why FFs move and LUTs do not: da4ml's FFs are its pipeline registers (`Pipeline.reg_bits`,",
        "what the Verilog of `RTLModel` declares: the input register plus every stage's outputs). da4ml",
        f"cuts the adder graph every `latency_cutoff` = {cutoff:g} levels ({target.clock_period_ns:g} ns clock) and then retimes to the",
        "smallest cutoff that keeps the number of stages. A layer is several adder levels deep, and its",
        f"depth moves with the weights' digits and the solver's delay slack (`hard_dc={HARD_DELAY_CONSTRAINT}`;",
        "the total adder depth below). So the cuts slide relative to the layer boundaries: a cut at a",
        "layer's quantized output registers units × activation bits, a cut inside an adder tree registers",
        f"its partial sums, several times wider. Registers at each stage boundary of {example.describe()}",
        "(input register first):",
        "",
        "| weight draw | LUT | FF | latency cycles | adder depth | register bits per boundary |",
        "|---|---|---|---|---|---|",
        *stage_rows,
        "",
        "The FF figure is what da4ml's Verilog holds"
        + (
            f"; Yosys keeps {', '.join(f'{100 * k:.0f} %' for k in kept)} of it on the {len(kept)} held-out synthesised designs "
            "(it drops constant and duplicate bits; see also `docs/benchmarks/hardware.md`)."
            if len(kept)
            else " (no held-out Yosys synthesis in the table to compare with)."
        ),
    ]
    write_page(
        "surrogate",
        run,
        "Hardware surrogate benchmark",
        lines,
        headline=(
            f"{N_THROUGHPUT:,} architectures in {best:.3f} s; held-out random weights (n {int(acceptance['n'])}): LUT R² {lut['r2']:.4f}, "
            f"median {100 * lut['median_rel_error']:.1f} %; FF R² {ff['r2']:.4f}, median {100 * ff['median_rel_error']:.1f} %; latency "
            f"{100 * cycles['within_one_cycle']:.0f} % within one cycle; weight draws alone allow FF R² about {best_ff_r2:.3f}"
        ),
        target=(
            f"< {TARGET_SECONDS:g} s; R² ≥ {TARGET_R2:g} and median ≤ {100 * TARGET_MEDIAN:g} % for LUT and FF; "
            f"≥ {100 * TARGET_WITHIN_CYCLE:g} % within a cycle"
        ),
        verdict="met" if all(met.values()) else "MISSED: " + ", ".join(k for k, ok in met.items() if not ok),
        figures={"lut_r2": lut["r2"], "ff_r2": ff["r2"], "best_ff_r2": float(best_ff_r2)},
    )


if __name__ == "__main__":
    main()
