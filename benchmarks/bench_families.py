"""Model families against the MLP on the same data and trial budget (issue 17).

- ``jet``: the simulated jets at 8, 16 and 32 constituents: ``mlp`` (on the flattened
  constituents, as today), ``deepsets`` and ``mixer`` (on the constituents as tokens);
- ``qubit``: ``conv1d`` against ``mlp`` on the readout traces.

Each study (family and input size) runs through the project's own node functions, as
``kedro run --env TASK --params search_space.family=FAMILY`` runs them: the family's surrogate
fitted from the shipped ground-truth table as ``surrogate_training`` fits it (the task's own
new designs left out, so no da4ml work before the search), the environment's ``global_search``
with the family and the trial budget, and the whole final front through the environment's
``local_compression`` (quantization-aware training, pruning, da4ml on every point, the
selection rule); each network's selected point is scored on the test split (never used to
choose). The baseline of the environment is compressed the same way at each input size.

The jet inputs of each size come from ``data_processing`` rerun with
``data_processing.features.n_constituents`` (the simulated jets come from its cache) when the
model inputs hold another count. Resumable: each
study is one subprocess whose result (its compressed front, a few kB) is a JSON file under
docs/benchmarks/families/<task>/, kept with the page because a full measurement outlasts one
machine's session; its study database and networks stay under data/benchmarks/families/.
The page is rewritten from every result present after each study, naming those still missing.
Each result records the configuration it was measured under (``global_search`` but its candidate rule,
``search_space``, ``local_compression`` of the environment): one measured under an older
configuration is not shown, and a run sets it and its study aside (under
data/benchmarks/families/<task>/set_aside/) and measures it again.

    python benchmarks/bench_families.py --task jet [--trials 40] [--sizes 8 16 32] [--families mlp deepsets mixer] [--page-only]
    python benchmarks/bench_families.py --task qubit [--families mlp conv1d]

Writes docs/benchmarks/families_<task>.md and its fronts plot. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import (  # noqa: E402
    PAGES, ROOT, Run, conf_values, current_commit, front_benchmark_keys, partial_verdict, read_result, set_aside, write_page,
)
from bench_search_quality import _compress, catalog_inputs, pareto, search_and_compress  # noqa: E402

logger = logging.getLogger("bench_families")

FAMILIES = {"jet": ("mlp", "deepsets", "mixer"), "qubit": ("mlp", "conv1d")}
#: Input sizes per task: jet constituents; the qubit traces keep the environment's window (None).
SIZES = {"jet": (8, 16, 32), "qubit": (None,)}
WORK = ROOT / "data" / "benchmarks" / "families"
RESULTS = PAGES / "families"


def study_name(family: str, size: int | None, n_trials: int) -> str:
    """Name of a study and its result file; the budget is part of it, so budgets never mix."""
    return f"{family}_{size}c_{n_trials}trials" if size else f"{family}_{n_trials}trials"


def study_parameters(parameters: dict[str, Any], family: str, n_trials: int) -> dict[str, Any]:
    """The environment's parameters as one study runs them: its family, budget and whole final front."""
    params = copy.deepcopy(parameters)
    params["search_space"]["family"] = family
    search = params["global_search"]
    search["n_trials"] = n_trials
    search["candidates"] = {**search["candidates"], "selectors": ["whole_front"]}
    search["allow_partial_study"] = False
    params["local_compression"]["baselines"] = []  # compressed once per input size (run_baseline)
    return params


def _constituents(model_input: dict[str, Any]) -> int:
    """Constituents per jet of the model inputs (their features are z, Δη, Δφ of each: ``z_0`` … ``dphi_{n-1}``)."""
    return sum(str(name).startswith("z_") for name in model_input["feature_names"])


#: The model inputs a study loads (its surrogate is fitted here, for the family).
MODEL_INPUTS = ("model_input_train", "model_input_val", "model_input_test")


def _inputs(task: str, size: int | None) -> dict[str, Any]:
    """The task's model inputs at ``size`` constituents (jet; made again if they hold another count) and its parameters."""
    if size is None:
        return catalog_inputs(task, MODEL_INPUTS)
    runtime = {"data_processing": {"features": {"n_constituents": size}}}
    inputs = catalog_inputs(task, MODEL_INPUTS, runtime)
    if _constituents(inputs["model_input_train"]) != size:
        from kedro.framework.session import KedroSession

        logger.info("Model inputs of %d constituents: data_processing (the simulated jets come from its cache)", size)
        with KedroSession.create(project_path=ROOT, env=task, runtime_params=runtime) as session:
            session.run(pipeline_name="data_processing")
        inputs = catalog_inputs(task, MODEL_INPUTS, runtime)
    return inputs


def _family_surrogate(params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The family's surrogate and its metrics, fitted from the shipped table as surrogate_training fits it."""
    from snac_pack.hardware.ground_truth import SHIPPED_TABLE, GroundTruthStore
    from snac_pack.pipelines.surrogate_training import nodes as training

    table = GroundTruthStore(SHIPPED_TABLE, shipped=None).table()
    surrogate = training.train_surrogate(table, params["search_space"], params["hardware_target"], params["surrogate_training"])
    metrics, _ = training.evaluate_surrogate_accuracy(surrogate, table, [], [], params["surrogate_training"])
    return surrogate, metrics


def run_study(task: str, family: str, size: int | None, n_trials: int) -> None:
    """One study: the family's surrogate, its search, its whole front compressed; writes its result file."""
    inputs = _inputs(task, size)
    params = study_parameters(inputs["parameters"], family, n_trials)
    inputs["surrogate"], inputs["surrogate_metrics"] = _family_surrogate(params)
    name = study_name(family, size, n_trials)
    by_family = {record["family"]: record for record in inputs["surrogate_metrics"].get("by_family", [])}
    result = {"task": task, "family": family, "size": size, "n_trials": n_trials, "surrogate_held_out": by_family.get(family),
              "configuration": conf_values(task, front_benchmark_keys(task)),
              **search_and_compress(task, name, inputs, params, WORK / task, WORK / task / f"{name}_networks")}
    (RESULTS / task).mkdir(parents=True, exist_ok=True)
    (RESULTS / task / f"{name}.json").write_text(json.dumps(result, indent=1, default=float))


def run_baseline(task: str, size: int | None) -> None:
    """The environment's baselines at ``size``, compressed as every study's front is."""
    inputs = _inputs(task, size)
    params = copy.deepcopy(inputs["parameters"])
    if not params["local_compression"]["baselines"]:
        raise SystemExit(f"--env {task} names no local_compression.baselines: nothing to compare the families with")
    inputs["surrogate"], inputs["surrogate_metrics"] = _family_surrogate(params)
    (WORK / task).mkdir(parents=True, exist_ok=True)
    models, seconds = _compress(inputs, params, [], WORK / task / "ground_truth.jsonl")
    (RESULTS / task).mkdir(parents=True, exist_ok=True)
    (RESULTS / task / f"{study_name('baseline', size, 0)}.json").write_text(
        json.dumps({"size": size, "models": models, "compression_seconds": seconds, "commit": current_commit(),
                    "configuration": conf_values(task, front_benchmark_keys(task))}, indent=1, default=float)
    )


#: The float networks that compare the families' structures under one training: (label, widths as
#: multiples of the space's largest, training). ``trial``: as a search trial trains
#: (``global_search.training``); ``long``: up to 60 epochs with patience 8, past a trial's budget.
FLOAT_VARIANTS = (("×1, trained as a trial", 1, "trial"), ("×1", 1, "long"), ("×4", 4, "long"))
FLOAT_SEEDS = (0, 1, 2)
LONG_TRAINING = {"epochs": 60, "patience": 8}
FLOAT_LEARNING_RATE = 1e-3


def float_network(space: Any, family: str, scale: int) -> Any:
    """A family's float network: the deepest body the space allows, its largest widths times
    ``scale``, and three dense hidden layers (the baseline's depth)."""
    from snac_pack.models.mlp import BodyLayer, NetworkSpec

    body, width = space.body, max(space.units) * scale
    channels, tokens = max(body.units) * scale, max(body.token_units) * scale
    layers: list[Any] = []
    for _ in range(body.layers.high if family != "mlp" else 0):
        if family == "deepsets":
            layers.append(BodyLayer(kind="pointwise", units=channels))
        elif family == "mixer":
            layers += [BodyLayer(kind="token_mix", units=tokens), BodyLayer(kind="pointwise", units=channels)]
        else:
            layers.append(BodyLayer(kind="conv1d", units=channels, kernel_size=max(body.kernel_size), stride=1))
    if family in ("deepsets", "mixer"):
        layers.append(BodyLayer(kind="pool"))
    elif family == "conv1d":
        layers.append(BodyLayer(kind="flatten"))
    return NetworkSpec(hidden_units=(width,) * 3, body=tuple(layers))


def run_float_networks(task: str, size: int | None, families: list[str]) -> None:
    """Float networks at and beyond each family's largest widths (:data:`FLOAT_VARIANTS`), trained alike.

    Neither quantized nor pruned: where a family's beat the MLP's, its structure helps on these
    inputs. Resumable: the result file is written after every network, and a rerun trains only
    those missing.
    """
    import time

    from snac_pack.data.features import FeatureTable
    from snac_pack.models.mlp import TrainingSettings, build_float_network, early_stopping_split, predict_classes, task_metric, train_classifier
    from snac_pack.search.sampling import candidate_inputs
    from snac_pack.search.space import Candidate, SearchSpace

    inputs = _inputs(task, size)
    params = inputs["parameters"]
    space = SearchSpace.model_validate(params["search_space"])
    metric = params["task"]["metric"]
    train, val, test = (FeatureTable.from_arrays(inputs[name]) for name in MODEL_INPUTS)
    trial_training = params["global_search"]["training"]
    trainings = {"trial": {"epochs": trial_training["epochs"], "patience": trial_training["patience"]}, "long": LONG_TRAINING}
    path = RESULTS / task / f"{float_result_name(size)}.json"
    record = {"size": size, "networks": [], "trainings": trainings, "learning_rate": FLOAT_LEARNING_RATE}
    configuration = conf_values(task, front_benchmark_keys(task))
    if path.exists():
        earlier = json.loads(path.read_text())
        if earlier.get("configuration") == configuration and earlier.get("trainings") == trainings:
            record["networks"] = earlier["networks"]
    done = {(n["family"], n["variant"], n["seed"]) for n in record["networks"]}
    for family in families:
        for label, scale, training in FLOAT_VARIANTS:
            candidate = Candidate(network=float_network(space, family, scale), learning_rate=FLOAT_LEARNING_RATE, input_window=None)
            x_train, x_val, x_test = (candidate_inputs(candidate, table) for table in (train, val, test))
            for seed in FLOAT_SEEDS:
                if (family, label, seed) in done:
                    continue
                settings = TrainingSettings(**trainings[training], learning_rate=FLOAT_LEARNING_RATE,
                                            batch_size=trial_training["batch_size"], seed=seed)
                started = time.perf_counter()
                model = build_float_network(x_train.shape[1:], len(train.class_names), candidate.network, seed=seed)
                fit, watched = early_stopping_split(train.y, trial_training["early_stopping_fraction"], seed)
                history = train_classifier(model, (x_train[fit], train.y[fit]), (x_train[watched], train.y[watched]), settings)
                record["networks"].append({
                    "family": family, "variant": label, "network": candidate.network.describe(), "seed": seed,
                    "parameters": int(model.count_params()), "epochs": len(history["loss"]),
                    "val_metric": task_metric(metric, val.y, predict_classes(model, x_val)),
                    "test_metric": task_metric(metric, test.y, predict_classes(model, x_test)),
                    "seconds": time.perf_counter() - started,
                })
                logger.info("Float network %s %s seed %d: test %s %.4f", family, label, seed, metric, record["networks"][-1]["test_metric"])
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps({**record, "commit": current_commit(), "configuration": configuration}, indent=1, default=float))


def float_result_name(size: int | None) -> str:
    """Name of the float networks' result of an input size."""
    return f"float_networks_{size}c" if size else "float_networks"


def current_result(task: str, name: str) -> tuple[dict[str, Any] | None, list[str]]:
    """A study's (or baseline's) result and the measured keys changed since it was measured (see ``read_result``)."""
    return read_result(RESULTS / task / f"{name}.json", task, front_benchmark_keys(task), f"families_{task}.md")


def _shown(task: str, name: str, label: str, missing: list[str]) -> dict[str, Any] | None:
    """The result the page shows (measured under the current configuration), or None, named in ``missing``."""
    result, changed = current_result(task, name)
    if result is None or changed:
        missing.append(label + (f" (measured before {', '.join(changed)} changed)" if changed else ""))
        return None
    return result


def _best(models: list[dict[str, Any]]) -> dict[str, Any] | None:
    return max(models, key=lambda m: (m["test_metric"], -m["exact_lut"])) if models else None


def _at_most(models: list[dict[str, Any]], lut: float) -> dict[str, Any] | None:
    """The most accurate network at no more than ``lut`` LUTs."""
    return _best([m for m in models if m["exact_lut"] <= lut])


def _summarise(task: str, families: list[str], sizes: list[int | None], n_trials: int) -> tuple[list[str], dict[str, Any], list[str], dict[str, bool]]:
    """The page's lines, figures, the studies missing and the checks of issue 17, from every result present."""
    metric = "accuracy" if task == "jet" else "fidelity"
    lines = [
        f"- Task `{task}`; families {', '.join(families)}; {n_trials} COMPLETE trials per study (one seed); "
        + (f"jet inputs of {', '.join(map(str, sizes))} constituents." if task == "jet" else "the environment's readout traces."),
        f"- Per study: the family's surrogate from the shipped table, the environment's search and compression; test {metric} "
        "(the test split, never used to choose) and LUTs and latency from da4ml (pre-placement estimate) of each network at its "
        "selected compression point.",
        "",
        f"| input | family | networks | best test {metric} | its LUT (da4ml) | its latency (cycles, da4ml) | best at ≤ the best MLP's LUT | "
        f"cheapest at ≥ the best MLP's {metric}: LUT, latency | surrogate held-out LUT median (family) | wall (min: search + compression) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    figures: dict[str, Any] = {}
    missing: list[str] = []
    checks: dict[str, bool] = {}
    fronts: dict[str, dict[str, np.ndarray]] = {}
    best_mlp_at_8 = None
    shown: list[dict[str, Any]] = []
    for size in sizes:
        label = f"{size} constituents" if size else "traces"
        results = {family: _shown(task, study_name(family, size, n_trials), f"{family} at {label}", missing) for family in families}
        baseline = _shown(task, study_name("baseline", size, 0), f"baseline at {label}", missing)
        shown += [result for result in (*results.values(), baseline) if result is not None]
        mlp_best = _best(results["mlp"]["models"]) if results.get("mlp") else None
        if size == 8 and mlp_best:
            best_mlp_at_8 = mlp_best
        fronts[label] = {}
        for family, result in results.items():
            if result is None:
                continue
            models = result["models"]
            best = _best(models)
            fronts[label][family] = np.array([[m["test_metric"], m["exact_lut"]] for m in models], dtype=float)
            cheap = _at_most(models, mlp_best["exact_lut"]) if mlp_best else None
            as_good = [m for m in models if mlp_best and m["test_metric"] >= mlp_best["test_metric"]]
            cheapest = min(as_good, key=lambda m: m["exact_lut"]) if as_good else None
            held_out = result.get("surrogate_held_out") or {}
            error = held_out.get("lut_median_rel_error")
            lines.append(
                f"| {label} | {family} | {len(models)} | {100 * best['test_metric']:.2f} % | {best['exact_lut']:,.0f} | "
                f"{best.get('exact_latency_cycles', float('nan')):.0f} | "
                + (f"{100 * cheap['test_metric']:.2f} % at {cheap['exact_lut']:,.0f}" if cheap else "none") + " | "
                + (f"{cheapest['exact_lut']:,.0f}, {cheapest.get('exact_latency_cycles', float('nan')):.0f} cycles" if cheapest else "none") + " | "
                + (f"{100 * error:.1f} % (n={held_out['n']})" if error is not None else "–") + " | "
                f"{(result['study_wall_s'] + result['compression_seconds']) / 60:.1f} |"
            )
            where = f"{size}c" if size else "traces"
            figures[f"{family}_{where}_best_test_metric"] = best["test_metric"]
            figures[f"{family}_{where}_best_lut"] = best["exact_lut"]
            if family != "mlp" and mlp_best and cheap is not None:
                checks[f"{family} at {label} beats the best MLP at no more LUTs"] = cheap["test_metric"] > mlp_best["test_metric"]
        if baseline:
            model = baseline["models"][0]
            lines.append(f"| {label} | baseline {model['model']} ({model['architecture']}) | 1 | {100 * model['test_metric']:.2f} % | "
                         f"{model['exact_lut']:,.0f} | {model.get('exact_latency_cycles', float('nan')):.0f} | – | – | – | "
                         f"{baseline['compression_seconds'] / 60:.1f} |")
    if task == "jet" and best_mlp_at_8 is not None:
        for family in families:
            result, changed = current_result(task, study_name(family, 32, n_trials))
            result = None if changed else result
            if family != "mlp" and result is not None:
                checks[f"{family} at 32 constituents reaches the best MLP at 8"] = _best(result["models"])["test_metric"] >= best_mlp_at_8["test_metric"]
    lines += ["", *(f"- {name}: {'yes' if ok else 'NO'}" for name, ok in checks.items())]
    lines += _float_network_lines(task, families, sizes, n_trials, missing, figures)
    commits = sorted({str(r.get("commit")) for r in shown})
    lines += ["", f"- Studies measured at commit(s) {', '.join(commits) or 'none yet'} (each result file records its own)."]
    if missing:
        lines += ["", f"Not yet measured (rerun the command to add them; finished studies are kept): {', '.join(missing)}."]
    if any(fronts.values()):
        _plot(task, fronts)
        lines += ["", f"![Compressed fronts per input size](families_{task}.png)"]
    return lines, figures, missing, checks


def _float_network_lines(
    task: str, families: list[str], sizes: list[int | None], n_trials: int, missing: list[str], figures: dict[str, Any]
) -> list[str]:
    """The section comparing the families' float networks, trained alike, and the MLP's with its compressed best."""
    metric = "accuracy" if task == "jet" else "fidelity"
    lines = [
        "", "## The families' structure on these inputs: float networks trained alike", "",
        "Each family's deepest body with the space's largest widths (×1) and four times them (×4, beyond the space), three dense "
        f"hidden layers, learning rate {FLOAT_LEARNING_RATE}, early stopping on a slice of the training split; in float, neither "
        f"quantized nor pruned; {len(FLOAT_SEEDS)} seeds. Trained as a search trial trains (`global_search.training`), and for "
        f"up to {LONG_TRAINING['epochs']} epochs with patience {LONG_TRAINING['patience']}. Where a family's float networks beat the "
        "MLP's, its structure helps on these inputs, and what the compressed fronts above lack is cost: its accuracy at the MLP's "
        "LUTs. A float network is no upper bound on a compressed one: pruning also regularises (compared below).",
        "",
        f"| input | family | network | training | parameters | test {metric}: mean ± std over seeds | per seed | epochs (median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    means: dict[tuple[int | None, str, str], float] = {}
    for size in sizes:
        label = f"{size} constituents" if size else "traces"
        result = _shown(task, float_result_name(size), f"float networks at {label}", missing)
        if result is None:
            continue
        for family in families:
            for variant, _, training in FLOAT_VARIANTS:
                runs = [n for n in result["networks"] if n["family"] == family and n["variant"] == variant]
                if not runs:
                    continue
                scores = np.array([n["test_metric"] for n in runs])
                epochs = result["trainings"][training]
                lines.append(
                    f"| {label} | {family} {variant.split(',')[0]} | {runs[0]['network'].replace('|', '→')} | {training} ({epochs['epochs']} epochs, "
                    f"patience {epochs['patience']}) | {runs[0]['parameters']:,} | "
                    f"{100 * scores.mean():.2f} ± {100 * scores.std(ddof=1) if len(scores) > 1 else 0.0:.2f} % | "
                    f"{', '.join(f'{100 * v:.2f}' for v in scores)} | {np.median([n['epochs'] for n in runs]):.0f} |"
                )
                where = f"{size}c" if size else "traces"
                figures[f"{family}_{where}_float_{'x' + variant.split(',')[0][1:]}_{training}_test_metric"] = float(scores.mean())
                means[(size, family, training)] = max(means.get((size, family, training), 0.0), float(scores.mean()))
    verdicts = []
    for training in ("trial", "long"):
        how = "trained as a trial" if training == "trial" else "trained longer"
        for size in sizes:
            mlp = means.get((size, "mlp", training))
            label = f"{size} constituents" if size else "the traces"
            for family in families:
                if family != "mlp" and mlp is not None and (size, family, training) in means:
                    difference = 100 * (means[(size, family, training)] - mlp)
                    verdicts.append(f"- {how}, at {label}: {family}'s best float networks against the MLP's (mean over seeds) {difference:+.2f} points")
        if task == "jet" and (8, "mlp", training) in means:
            for family in families:
                if family != "mlp" and (32, family, training) in means:
                    difference = 100 * (means[(32, family, training)] - means[(8, "mlp", training)])
                    verdicts.append(f"- {how}: {family}'s best float networks at 32 constituents against the MLP's at 8: {difference:+.2f} points")
    def best_float(size: int | None, family: str) -> float | None:
        """A family's best float networks at an input size, either training."""
        return max((means[(size, family, training)] for training in ("trial", "long") if (size, family, training) in means), default=None)

    for size in sizes:
        float_mlp = best_float(size, "mlp")
        result, changed = current_result(task, study_name("mlp", size, n_trials))
        if float_mlp is not None and result is not None and not changed:
            compressed = _best(result["models"])["test_metric"]
            label = f"{size} constituents" if size else "the traces"
            verdicts.append(f"- at {label}, the best compressed MLP of the search against the best float MLP here: "
                            f"{100 * (compressed - float_mlp):+.2f} points")
            for family in families:
                family_float = best_float(size, family)
                if family != "mlp" and family_float is not None:
                    verdicts.append(f"- at {label}, {family}'s best float networks against the best compressed MLP of the search: "
                                    f"{100 * (family_float - compressed):+.2f} points")
    return lines + ([""] + verdicts if verdicts else [])


def _plot(task: str, fronts: dict[str, dict[str, np.ndarray]]) -> None:
    """Each family's compressed front, one panel per input size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = {label: families for label, families in fronts.items() if families}
    figure, axes = plt.subplots(1, len(shown), figsize=(4.5 * len(shown), 3.6), squeeze=False, sharey=True)
    for axis, (label, families) in zip(axes[0], shown.items(), strict=True):
        for family, points in families.items():
            front = pareto(points)
            axis.step(front[:, 1], 100 * front[:, 0], where="post", marker="o", markersize=3, label=family)
        axis.set_xscale("log")
        axis.set_title(label)
        axis.set_xlabel("LUT (da4ml pre-placement estimate)")
    axes[0][0].set_ylabel("test metric (%)")
    axes[0][0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(PAGES / f"families_{task}.png", dpi=90)
    plt.close(figure)


def write_results_page(task: str, families: list[str], sizes: list[int | None], n_trials: int, run: Run) -> None:
    """The page of every result present, with issue 17's checks or the studies still missing."""
    lines, figures, missing, checks = _summarise(task, families, sizes, n_trials)
    verdict = partial_verdict(missing, checks)
    write_page(
        f"families_{task}",
        run,
        f"Model families against the MLP on {task}: the same data and trial budget",
        lines,
        headline="; ".join(f"{key} {value:.4g}" for key, value in figures.items() if key.endswith("best_test_metric")) or "no study yet",
        target="a constituent family beats the best MLP at equal LUTs; at 32 constituents it reaches the MLP's best at 8 (issue 17)",
        verdict=verdict,
        figures=figures,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=sorted(FAMILIES), required=True)
    parser.add_argument("--trials", type=int, default=40, help="COMPLETE trials per study (the same for every family)")
    parser.add_argument("--sizes", type=int, nargs="+", help="jet constituents per study (default 8 16 32)")
    parser.add_argument("--families", nargs="+", help="families to study (default: the task's)")
    parser.add_argument("--one", nargs=2, metavar=("FAMILY", "SIZE"), help=argparse.SUPPRESS)  # a subprocess's study
    parser.add_argument("--baseline", metavar="SIZE", help=argparse.SUPPRESS)
    parser.add_argument("--float-networks", metavar="SIZE", help=argparse.SUPPRESS)
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the results present; run nothing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    def size_of(text: str) -> int | None:
        return None if text == "None" else int(text)

    if args.baseline:
        run_baseline(args.task, size_of(args.baseline))
        return
    if args.one:
        run_study(args.task, args.one[0], size_of(args.one[1]), args.trials)
        return
    families = args.families or list(FAMILIES[args.task])
    if args.float_networks:
        run_float_networks(args.task, size_of(args.float_networks), families)
        return
    unknown = sorted(set(families) - set(FAMILIES[args.task]))
    if unknown or "mlp" not in families:
        raise SystemExit(f"--families for {args.task}: choose from {FAMILIES[args.task]}, mlp included (the comparison); got {families}")
    sizes = list(SIZES[args.task]) if args.task != "jet" or not args.sizes else args.sizes
    command = f"python benchmarks/bench_families.py --task {args.task} --trials {args.trials}"
    run = Run("bench_families.py", command, args.task, conf_values(args.task, front_benchmark_keys(args.task)))
    if args.page_only:
        write_results_page(args.task, families, sizes, args.trials, run)
        return
    jobs = []
    for size in sizes:  # one input size after another: its model inputs are prepared once
        named = {study_name("baseline", size, 0): ["--baseline", str(size)]}
        named |= {study_name(family, size, args.trials): ["--one", family, str(size)] for family in families}
        named[float_result_name(size)] = ["--float-networks", str(size), "--families", *families]
        for name, job in named.items():
            result, changed = current_result(args.task, name)
            if changed:  # its study would refuse the new configuration, and its figures are not this one's
                set_aside([RESULTS / args.task / f"{name}.json", WORK / args.task / f"{name}.db"], WORK / args.task / "set_aside")
            if result is None or changed:
                jobs.append(job)
    for job in jobs:
        # Each study in its own process: da4ml's solver keeps its memory until the process ends.
        logger.info("Running %s", " ".join(job))
        subprocess.run([sys.executable, __file__, "--task", args.task, "--trials", str(args.trials), *job], check=True)
        write_results_page(args.task, families, sizes, args.trials, run)  # a stopped run keeps its page
    write_results_page(args.task, families, sizes, args.trials, run)


if __name__ == "__main__":
    main()
