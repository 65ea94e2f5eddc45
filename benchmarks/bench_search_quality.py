"""Search quality: does a hardware surrogate find better designs than BOPs or random search?

Five arms search the same space of one task with the same trial budget, each with several
seeds, through the project's own node functions (the same code `kedro run` wires):

- ``surrogate``: NSGA-II on (task metric, the surrogate's LUT), float trials (the default);
- ``bops``: NSGA-II on (task metric, BOPs);
- ``exact``: NSGA-II on (task metric, da4ml's LUT of each trained network), ``estimator: exact``;
- ``random``: random sampling of the space, judged on the surrogate's LUT;
- ``quantization_aware``: NSGA-II on the surrogate's LUT with quantization-aware trials
  (``global_search.mode: quantization_aware``; batch normalisation off, which that mode needs).

Every arm's whole final front (``candidates.selectors: [whole_front]``) then goes through the
same local compression as the default run (`local_compression` of the task environment:
quantization-aware training at its precisions, iterative pruning, da4ml on every point, the
selection rule), and each network's selected point is scored on the test split. The compressed
front of an arm-seed, (test metric, da4ml LUT), gives its hypervolume against one fixed
reference point per task. The baseline of the environment is compressed once the same way.

Needs the task's model inputs and surrogate (`kedro run --env TASK --pipeline data_processing`
and `--pipeline surrogate_training`). Resumable: each arm-seed is one subprocess whose result
(its compressed front, a few kB) is a JSON file under docs/benchmarks/search_quality/<task>/,
kept with the page because a full measurement takes longer than one machine's session; its
study and networks stay under data/benchmarks/search_quality/<task>/. A rerun skips finished
arm-seeds (an unfinished study resumes), and the page is rewritten from every result present
after each arm-seed, naming any still missing. Each result records the configuration it was
measured under (``global_search`` but its candidate rule, ``search_space``, ``local_compression`` of the environment):
one measured under an older configuration is not shown, and a run sets it and its study aside
(under data/benchmarks/search_quality/<task>/set_aside/) and measures it again.

    python benchmarks/bench_search_quality.py --task jet [--trials 200] [--seeds 0 1 2] [--arms ...] [--page-only]

Writes docs/benchmarks/search_quality_<task>.md and its fronts plot
docs/benchmarks/search_quality_<task>.png. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import (  # noqa: E402
    PAGES, ROOT, Run, conf_values, current_commit, front_benchmark_keys, machine, partial_verdict, raw_parameters, read_result, set_aside,
    write_page,
)

logger = logging.getLogger("bench_search_quality")

ARMS = ("surrogate", "bops", "exact", "random", "quantization_aware")
#: Fixed reference point of the hypervolume per task: (task metric floor, LUT ceiling). A
#: compressed design below the floor or above the ceiling adds nothing; the hypervolume is
#: reported as a share of the box between the reference and (metric 1, 0 LUT).
REFERENCE = {"jet": (0.40, 40_000.0), "qubit": (0.90, 10_000.0)}
WORK = ROOT / "data" / "benchmarks" / "search_quality"  # studies, trial networks, the ground-truth cache
RESULTS = PAGES / "search_quality"  # each arm-seed's result and the baseline's, read by the page


def current_result(task: str, name: str) -> tuple[dict[str, Any] | None, list[str]]:
    """An arm-seed's (or the baseline's) result and the measured keys changed since it was measured (see ``read_result``)."""
    return read_result(RESULTS / task / f"{name}.json", task, front_benchmark_keys(task), f"search_quality_{task}.md")


def arm_parameters(parameters: dict[str, Any], arm: str, n_trials: int, seed: int) -> dict[str, Any]:
    """The task's parameters as one arm-seed runs them: its budget, seed, objectives, estimator, sampler or mode."""
    params = copy.deepcopy(parameters)
    search, metric = params["global_search"], params["task"]["metric"]
    search["n_trials"] = n_trials
    search["sampler"] = {**search["sampler"], "seed": seed}
    search["candidates"] = {**search["candidates"], "selectors": ["whole_front"]}
    search["allow_partial_study"] = False
    if arm == "bops":
        search["objectives"] = {metric: "maximize", "bops": "minimize"}
        search["candidates"]["cost"] = "bops"
    elif arm == "exact":
        search["estimator"] = "exact"
    elif arm == "random":
        search["sampler"]["algorithm"] = "random"
    elif arm == "quantization_aware":
        search["mode"] = "quantization_aware"
        params["search_space"]["batch_norm"] = [False]
    elif arm != "surrogate":
        raise ValueError(f"unknown arm {arm!r}; arms: {ARMS}")
    params["local_compression"]["baselines"] = []  # compressed once per task (run_baseline)
    return params


#: What a study loads through the catalog: the model inputs, the surrogate and its metrics.
STUDY_INPUTS = ("model_input_train", "model_input_val", "model_input_test", "surrogate", "surrogate_metrics")


def catalog_inputs(task: str, names: tuple[str, ...] = STUDY_INPUTS, runtime: dict[str, Any] | None = None) -> dict[str, Any]:
    """The datasets ``names`` of ``--env task`` (with ``runtime`` parameters) and its parameters, through the project's catalog."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    bootstrap_project(ROOT)
    with KedroSession.create(project_path=ROOT, env=task, runtime_params=runtime or {}) as session:
        context = session.load_context()
        catalog = context.catalog
        missing = [name for name in names if not catalog.exists(name)]
        if missing:
            then = " and `--pipeline surrogate_training`" if "surrogate" in names else ""
            raise SystemExit(f"{', '.join(missing)} of --env {task} not found: run `kedro run --env {task} --pipeline data_processing`{then} first")
        return {name: catalog.load(name) for name in names} | {"parameters": context.params}


def _compress(inputs: dict[str, Any], params: dict[str, Any], candidates: list[dict[str, Any]], table: Path) -> tuple[list[dict[str, Any]], float]:
    """Compress the networks as local_compression does; each one's selected point with its test metric."""
    from snac_pack.pipelines.local_compression import nodes as compression

    started = time.perf_counter()
    points = compression.compress_networks(
        candidates, inputs["model_input_train"], inputs["model_input_val"], params["task"], params["search_space"],
        params["hardware_target"], params["local_compression"],
    )
    history = compression.cost_compression(points, inputs["surrogate"], {"table": str(table)}, params["hardware_target"], params["local_compression"])
    _, summary = compression.select_compressed(
        history, points, inputs["model_input_test"], inputs["surrogate_metrics"], params["task"], params["search_space"], params["local_compression"],
    )
    keep = ("model", "kind", "architecture", "precision", "iteration", "sparsity", "val_metric", "test_metric", "exact_lut", "exact_ff", "exact_latency_cycles")
    models = [{key: model[key] for key in keep if key in model} for model in summary["models"]]
    return models, time.perf_counter() - started


def active_seconds(trials: pd.DataFrame) -> float:
    """Seconds in which at least one COMPLETE trial ran: the union of their intervals.

    A study that was stopped and resumed spans the pause; its wall time is the time it was running
    (trials of a killed worker are marked FAIL only after the pause, so they are left out).
    """
    spans = trials[trials["state"] == "COMPLETE"].dropna(subset=["datetime_start", "datetime_complete"])
    spans = spans.sort_values("datetime_start")
    total, end = 0.0, None
    for start, complete in zip(spans["datetime_start"], spans["datetime_complete"], strict=True):
        if end is None or start > end:
            total += (complete - start).total_seconds()
            end = complete
        elif complete > end:
            total += (complete - end).total_seconds()
            end = complete
    return total


def _study_trials(folder: Path, name: str, task: str) -> pd.DataFrame | None:
    """The trials of an arm-seed's study, or None without its database."""
    import optuna

    path = folder / f"{name}.db"
    if not path.is_file():
        return None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.load_study(study_name=f"{task}_{name}", storage=f"sqlite:///{path}").trials_dataframe()


def result_name(arm: str, seed: int, n_trials: int) -> str:
    """The name of an arm-seed's study and result file; the budget is part of it, so budgets never mix."""
    return f"{arm}_seed{seed}_{n_trials}trials"


def search_and_compress(task: str, name: str, inputs: dict[str, Any], params: dict[str, Any], folder: Path, networks: Path) -> dict[str, Any]:
    """One study, as the pipelines run it: the search, its whole final front compressed; the result's common part.

    ``inputs``: the model inputs, ``surrogate`` and ``surrogate_metrics``; the study is
    ``folder/<name>.db``, its trial networks go to ``networks``.
    """
    from snac_pack.pipelines.global_search import nodes as search
    from snac_pack.search.study import StudyLocation

    folder.mkdir(parents=True, exist_ok=True)
    study = StudyLocation(url=f"sqlite:///{folder / f'{name}.db'}", study_name=f"{task}_{name}")
    started = time.perf_counter()
    summary = search.run_search(
        study, inputs["surrogate"], inputs["model_input_train"], inputs["model_input_val"], params["task"],
        params["search_space"], params["hardware_target"], params["global_search"], {"directory": str(networks)},
    )
    search_seconds = time.perf_counter() - started
    trials = search.collect_trials(study, summary)
    front = search.extract_pareto_front(trials, params["global_search"])
    candidates = search.choose_candidates(front, pd.DataFrame({"baseline": pd.Series(dtype=str)}), params["task"], params["global_search"])
    models, compression_seconds = _compress(inputs, params, candidates, folder / "ground_truth.jsonl")
    return {
        "complete_trials": int((trials["state"] == "COMPLETE").sum()), "study_wall_s": active_seconds(trials),
        "search_seconds_this_run": search_seconds, "compression_seconds": compression_seconds,
        "front_size": len(front), "models": models, "commit": current_commit(), "machine": machine(),
    }


def run_arm(task: str, arm: str, seed: int, n_trials: int) -> None:
    """One arm-seed: search, compress its whole front, write its result file."""
    inputs = catalog_inputs(task)
    params = arm_parameters(inputs["parameters"], arm, n_trials, seed)
    name = result_name(arm, seed, n_trials)
    result = {"task": task, "arm": arm, "seed": seed, "n_trials": n_trials, "configuration": conf_values(task, front_benchmark_keys(task)),
              **search_and_compress(task, name, inputs, params, WORK / task, WORK / task / "trial_networks")}
    results = RESULTS / task
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{name}.json").write_text(json.dumps(result, indent=1, default=float))


def run_baseline(task: str) -> None:
    """The environment's baselines, compressed once as every arm's front is."""
    inputs = catalog_inputs(task)
    params = copy.deepcopy(inputs["parameters"])
    if not params["local_compression"]["baselines"]:
        raise SystemExit(f"--env {task} names no local_compression.baselines: nothing to compare the arms with")
    folder = WORK / task
    folder.mkdir(parents=True, exist_ok=True)
    models, seconds = _compress(inputs, params, [], folder / "ground_truth.jsonl")
    (RESULTS / task).mkdir(parents=True, exist_ok=True)
    (RESULTS / task / "baseline.json").write_text(json.dumps({"models": models, "compression_seconds": seconds, "commit": current_commit(),
                                                                  "configuration": conf_values(task, front_benchmark_keys(task))}, indent=1, default=float))


def pareto(points: np.ndarray) -> np.ndarray:
    """Rows of (metric, LUT) not dominated (metric maximised, LUT minimised), by LUT."""
    order = np.argsort(points[:, 1], kind="stable")
    kept, best = [], -np.inf
    for index in order:
        if points[index, 0] > best:
            kept.append(index)
            best = points[index, 0]
    return points[kept]


def hypervolume(points: np.ndarray, reference: tuple[float, float]) -> float:
    """Share of the box from ``reference`` (metric floor, LUT ceiling) to (1, 0) that the points dominate."""
    floor, ceiling = reference
    inside = points[(points[:, 0] > floor) & (points[:, 1] < ceiling)]
    if len(inside) == 0:
        return 0.0
    front = pareto(inside)  # LUT ascending, metric ascending
    area, previous_lut = 0.0, ceiling
    for metric, lut in front[::-1]:  # from the most expensive: each adds its strip up to the previous LUT
        area += (metric - floor) * (previous_lut - lut)
        previous_lut = lut
    return area / ((1.0 - floor) * ceiling)


def _summarise(
    task: str, arms: list[str], seeds: list[int], n_trials: int
) -> tuple[list[str], dict[str, Any], list[str], dict[str, bool]]:
    """The page's lines, figures, the arm-seeds missing and the checks of issue 16, from every result present."""
    folder = WORK / task
    baseline_result, baseline_changed = current_result(task, "baseline")
    baseline = baseline_result["models"][0] if baseline_result is not None and not baseline_changed else None
    reference = REFERENCE[task]
    rows, figures, missing, fronts, results_of_all = [], {}, [], {}, []
    for arm in arms:
        results = []
        for seed in seeds:
            result, changed = current_result(task, result_name(arm, seed, n_trials))
            if result is None:
                missing.append(f"{arm} seed {seed}")
            elif changed:
                missing.append(f"{arm} seed {seed} (measured before {', '.join(changed)} changed)")
            else:
                results.append(result)
        if not results:
            continue
        results_of_all += results
        volumes = [hypervolume(np.array([[m["test_metric"], m["exact_lut"]] for m in r["models"]], dtype=float), reference) for r in results]
        fronts[arm] = [np.array([[m["test_metric"], m["exact_lut"]] for m in r["models"]], dtype=float) for r in results]
        cheapest = []
        for result in results:
            good = [m for m in result["models"] if baseline is not None and m["test_metric"] >= baseline["test_metric"]]
            cheapest.append(min(good, key=lambda m: m["exact_lut"]) if good else None)
        # Measured from the study itself where it is at hand: the time trials ran (a resumed study's pause left out).
        searched = []
        for result in results:
            study = _study_trials(folder, result_name(arm, result["seed"], n_trials), task)
            searched.append(active_seconds(study) if study is not None else result["study_wall_s"])
        walls = [(search + r["compression_seconds"]) / 60 for search, r in zip(searched, results, strict=True)]
        shown_cheapest = "; ".join(
            f"{m['exact_lut']:,.0f} ({100 * m['test_metric']:.2f})" if m else "none" for m in cheapest
        )
        rows.append(
            f"| {arm} | {len(results)} | {np.mean(volumes):.4f} | {np.std(volumes):.4f} | {', '.join(f'{v:.4f}' for v in volumes)} | "
            f"{np.mean([r['front_size'] for r in results]):.1f} | {np.mean(walls):.1f} | {shown_cheapest} |"
        )
        figures[arm] = {"hypervolume_mean": float(np.mean(volumes)), "hypervolume_std": float(np.std(volumes)), "seeds": len(results)}
    lines = [
        f"- Task `{task}`; arms: {', '.join(arms)}; {n_trials} COMPLETE trials per arm and seed; seeds {seeds}.",
        f"- Hypervolume of each arm-seed's compressed front in (test {('accuracy' if task == 'jet' else 'fidelity')}, da4ml LUT), "
        f"as a share of the box from the fixed reference point (metric {reference[0]}, {reference[1]:,.0f} LUT) to (1, 0 LUT); "
        "spread: the standard deviation over seeds.",
        "- LUTs: da4ml pre-placement estimates of each network at its selected compression point (the default "
        "`local_compression`); metric: the test split, never used to choose.",
    ]
    if baseline is not None:
        lines.append(
            f"- Baseline {baseline['model']} ({baseline['architecture']}), compressed the same way: test metric "
            f"{100 * baseline['test_metric']:.2f} %, {baseline['exact_lut']:,.0f} LUT (da4ml)."
        )
    lines += [
        "",
        "| arm | seeds | hypervolume mean | spread (std) | per seed | front size | wall per seed (min: search while trials ran + compression) | cheapest at or above the baseline's metric, per seed: LUT (metric %) |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    verdict_lines, checks = [], {}
    if "surrogate" in figures:
        guided = figures["surrogate"]
        for other in ("bops", "random"):
            if other not in figures:
                continue
            if min(guided["seeds"], figures[other]["seeds"]) < 2:
                verdict_lines.append(f"- surrogate against {other}: no verdict until both arms have at least 2 seeds (a spread needs them)")
                continue
            margin = guided["hypervolume_mean"] - figures[other]["hypervolume_mean"]
            spread = max(guided["hypervolume_std"], figures[other]["hypervolume_std"])
            outcome = "exceeds it by more than the seed spread" if margin > spread else "does NOT exceed it by more than the seed spread"
            verdict_lines.append(f"- surrogate against {other}: mean hypervolume {margin:+.4f}, spread {spread:.4f}: the surrogate arm {outcome}")
            figures[f"surrogate_minus_{other}"] = margin
            checks[f"surrogate above {other} by more than the spread"] = margin > spread
    lines += verdict_lines
    exact = figures.get("exact")
    if isinstance(exact, dict) and exact["seeds"] >= 2:
        gaps = [f"{other} by {exact['hypervolume_mean'] - figures[other]['hypervolume_mean']:+.4f}"
                for other in ("surrogate", "bops", "random") if isinstance(figures.get(other), dict) and figures[other]["seeds"] >= 2]
        lines.append(
            "- The exact arm ranks trials by da4ml's LUTs of their networks, as a perfect cost model would; it exceeds "
            + ", ".join(gaps) + f" (its spread {exact['hypervolume_std']:.4f}): the most any search-time cost model adds "
            "over BOPs here is about its margin over BOPs, since every arm's front is compressed afterwards and judged at its compressed cost."
        )
    ranking_lines, ranking_figures = cost_ranking(task)
    lines += ranking_lines
    figures |= ranking_figures
    commits = sorted({str(r.get("commit", "not recorded")) for r in results_of_all})
    lines += ["", f"- Arm-seeds measured at commit(s) {', '.join(commits)} (each result file records its own)."]
    on_machines = {}
    for result in results_of_all:
        if "arm" in result:
            on_machines.setdefault(str(result.get("machine", "not recorded")), []).append(f"{result['arm']} seed {result['seed']}")
    lines += [
        "- Machines the arm-seeds ran on, as their result files record it (files written before results recorded it do not; "
        "the machine line above is the one that wrote this page; wall times compare only within one machine kind): "
        + "; ".join(f"{kind}: {', '.join(names)}" for kind, names in sorted(on_machines.items()))
    ]
    if missing:
        lines += ["", f"Not yet measured (rerun the command to add them; finished arm-seeds are kept): {', '.join(missing)}."]
    if fronts:
        _plot(task, fronts, baseline, reference)
        lines += ["", f"![Compressed fronts per arm](search_quality_{task}.png)"]
    return lines, figures, missing, checks


def _pairs_in_order(estimate: np.ndarray, exact: np.ndarray, within: float | None = None) -> tuple[float, int]:
    """The share of pairs of designs an estimate orders as the exact LUTs order them, and the number of pairs.

    Args:
        within: only pairs whose exact LUTs lie within this factor of each other (the close
            calls a search decides between); ``None``: every pair with different exact LUTs.
    """
    first, second = np.triu_indices(len(exact), k=1)
    keep = exact[first] != exact[second]
    if within is not None:
        keep &= np.maximum(exact[first], exact[second]) <= within * np.minimum(exact[first], exact[second])
    first, second = first[keep], second[keep]
    if len(first) == 0:
        return float("nan"), 0
    agree = np.sign(estimate[first] - estimate[second]) == np.sign(exact[first] - exact[second])
    return float(agree.mean()), len(first)


#: The close calls of :func:`cost_ranking`: pairs whose exact LUTs differ by at most this factor.
CLOSE_CALL = 1.5


def cost_ranking(task: str) -> tuple[list[str], dict[str, float]]:
    """Why the arms differ: how well BOPs and the surrogate order the exact LUTs of designs of the task's space.

    On the held-out architectures of the task's space in the shipped ground-truth table (random
    weight draws and trained networks, each costed by da4ml): the surrogate as the task's first run
    fits it, predicting from each design's weights as a trial's prediction does; BOPs from the
    architecture. NSGA-II only compares designs, so what matters is the order, above all of
    designs of similar cost.
    """
    from snac_pack.hardware.ground_truth import SHIPPED_TABLE, GroundTruthStore, architecture_of, row_statistics, rows_for, split_rows
    from snac_pack.pipelines.surrogate_training import nodes as training

    raw = raw_parameters(task)
    table = GroundTruthStore(SHIPPED_TABLE, shipped=None).table()
    surrogate = training.train_surrogate(table, raw["search_space"], raw["hardware_target"], raw["surrogate_training"])
    fraction = raw["surrogate_training"]["holdout_fraction"]
    held_out = split_rows(rows_for(table, surrogate.target, surrogate.sources, surrogate.max_layers), fraction)[1]
    own = held_out[held_out["plan"].fillna("") == raw["task"]["name"]].reset_index(drop=True)
    statistics = [row_statistics(row) for _, row in own.iterrows()]
    own = own[[counts is not None for counts in statistics]].reset_index(drop=True)
    statistics = [counts for counts in statistics if counts is not None]
    lines = [
        "", "## Why: how each arm's cost orders the exact LUTs", "",
        f"NSGA-II only compares designs, so an arm's hardware objective matters through the order it gives them. Held-out "
        f"architectures of the `{task}` space in the shipped table (split by architecture, as the surrogate's page), each design costed "
        "by da4ml: the share of pairs each estimate orders as da4ml's LUTs order them, over every pair and over the close calls "
        f"(pairs within a factor {CLOSE_CALL} of each other in LUTs). Surrogate: the task's first-run surrogate, from each design's "
        "weights (as a trial predicts); BOPs: from the architecture.",
        "",
        "| designs | n | pairs in order: surrogate | BOPs | close-call pairs in order: surrogate | BOPs | close-call pairs |",
        "|---|---|---|---|---|---|---|",
    ]
    figures: dict[str, float] = {}
    for origin in ("random", "trained"):
        chosen = (own["origin"] == origin).to_numpy()
        if chosen.sum() < 3:
            continue
        rows = own[chosen].reset_index(drop=True)
        archs = [architecture_of(row) for _, row in rows.iterrows()]
        exact = rows["lut"].to_numpy(dtype=float)
        predicted = surrogate.predict(archs, statistics=[statistics[i] for i in np.flatnonzero(chosen)])["lut"].to_numpy()
        bops = np.array([arch.bops() for arch in archs], dtype=float)
        shares = {name: (_pairs_in_order(estimate, exact), _pairs_in_order(estimate, exact, CLOSE_CALL))
                  for name, estimate in (("surrogate", predicted), ("bops", bops))}
        label = "random weight draws" if origin == "random" else "trained networks"
        lines.append(
            f"| {label} | {len(rows)} | {100 * shares['surrogate'][0][0]:.1f} % | {100 * shares['bops'][0][0]:.1f} % | "
            f"{100 * shares['surrogate'][1][0]:.1f} % | {100 * shares['bops'][1][0]:.1f} % | {shares['bops'][1][1]:,} |"
        )
        for name, (every, close) in shares.items():
            figures[f"{origin}_{name}_pairs_in_order"] = every[0]
            figures[f"{origin}_{name}_close_pairs_in_order"] = close[0]
    return lines, figures


def _plot(task: str, fronts: dict[str, list[np.ndarray]], baseline: dict[str, Any] | None, reference: tuple[float, float]) -> None:
    """Each arm's compressed fronts (one line per seed) side by side, the baseline marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(fronts), figsize=(4 * len(fronts), 3.6), sharex=True, sharey=True, squeeze=False)
    shown = np.concatenate([points for seeds in fronts.values() for points in seeds])
    shown = shown[(shown[:, 0] > reference[0]) & (shown[:, 1] < reference[1])]
    for axis, (arm, seeds) in zip(axes[0], fronts.items(), strict=True):
        for index, points in enumerate(seeds):
            front = pareto(points)
            axis.step(front[:, 1], 100 * front[:, 0], where="post", marker="o", markersize=3, label=f"seed {index}")
        if baseline is not None:
            axis.plot(baseline["exact_lut"], 100 * baseline["test_metric"], "k*", markersize=12, label="baseline")
        axis.set_xscale("log")
        if len(shown):
            axis.set_xlim(0.8 * shown[:, 1].min(), reference[1])
            axis.set_ylim(100 * max(reference[0], shown[:, 0].min() - 0.01), 100 * min(1.0, shown[:, 0].max() + 0.005))
        axis.set_title(arm)
        axis.set_xlabel("LUT (da4ml pre-placement estimate)")
    axes[0][0].set_ylabel("test metric (%)")
    axes[0][0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(PAGES / f"search_quality_{task}.png", dpi=90)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=sorted(REFERENCE), required=True)
    parser.add_argument("--trials", type=int, default=200, help="COMPLETE trials per arm and seed (the same for every arm)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=list(ARMS))
    parser.add_argument("--one", nargs=2, metavar=("ARM", "SEED"), help=argparse.SUPPRESS)  # a subprocess's arm-seed
    parser.add_argument("--baseline-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--page-only", action="store_true",
                        help="rewrite the page from the results present (e.g. gathered from several machines); run nothing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.baseline_only:
        run_baseline(args.task)
        return
    if args.one:
        run_arm(args.task, args.one[0], int(args.one[1]), args.trials)
        return
    command = f"python benchmarks/bench_search_quality.py --task {args.task} --trials {args.trials} --seeds {' '.join(map(str, args.seeds))}"
    if args.arms != list(ARMS):
        command += f" --arms {' '.join(args.arms)}"
    run = Run("bench_search_quality.py", command, args.task, conf_values(args.task, front_benchmark_keys(args.task)))
    results = RESULTS / args.task
    if args.page_only:
        write_results_page(args.task, args.arms, args.seeds, args.trials, run)
        return
    # Each arm-seed in its own process: da4ml's solver keeps its memory until the process ends.
    names = {"baseline": ["--baseline-only"]} | {
        result_name(arm, seed, args.trials): ["--one", arm, str(seed)] for seed in args.seeds for arm in args.arms
    }
    jobs = []
    for name, job in names.items():
        result, changed = current_result(args.task, name)
        if changed:  # its study would refuse the new configuration, and its figures are not this one's
            set_aside([results / f"{name}.json", WORK / args.task / f"{name}.db"], WORK / args.task / "set_aside")
        if result is None or changed:
            jobs.append(job)
    for job in jobs:
        logger.info("Running %s", " ".join(job))
        subprocess.run([sys.executable, __file__, "--task", args.task, "--trials", str(args.trials), *job], check=True)
        write_results_page(args.task, args.arms, args.seeds, args.trials, run)  # a stopped run keeps its page
    write_results_page(args.task, args.arms, args.seeds, args.trials, run)


def write_results_page(task: str, arms: list[str], seeds: list[int], n_trials: int, run: Run) -> None:
    """The page of every result present, with the verdict of issue 16 or the arm-seeds still missing."""
    lines, figures, missing, checks = _summarise(task, arms, seeds, n_trials)
    verdict = partial_verdict(missing, checks)
    write_page(
        f"search_quality_{task}",
        run,
        f"Search quality on {task}: surrogate-guided NSGA-II against BOPs, exact costs, random search and quantization-aware trials",
        lines,
        headline="; ".join(f"{arm} HV {f['hypervolume_mean']:.4f} ± {f['hypervolume_std']:.4f}" for arm, f in figures.items() if isinstance(f, dict)),
        target="surrogate arm's mean hypervolume above the BOPs and random arms' by more than their seed spread (issue 16)",
        verdict=verdict,
        figures=figures,
    )

if __name__ == "__main__":
    main()
