"""The paper's jet search settings on this machine: 500 trials, 3-fold cross-validation, population 20 (issue 16).

The published SNAC-Pack search took about 6 hours on one A100. This script runs the jet
environment's ``global_search`` with the paper's budget and settings (``n_trials`` 500,
``cross_validation_folds`` 3, NSGA-II ``population_size`` 20; every other setting, the search
space and the trial mode as ``kedro run --env jet`` has them) through the project's own node
function, on the cores of this machine, and measures its wall time.

The study is its own (``data/benchmarks/paper_settings/``, SQLite) and grows by ``--more``
COMPLETE trials per invocation, so the measurement can be spread over several sittings; a
rerun resumes it. The wall time is the study's active time (the union of its trials'
intervals: pauses between sittings do not count). Until the 500 trials are complete, the page
gives the time measured so far and a projection for 500 at the rate of the last generation
(labelled as such: the trials' cost moves as NSGA-II moves through the space). Each trial's
interval is kept beside the page (docs/benchmarks/paper_settings/trials.json, a few kB), so the
page can be rewritten from it when the study itself is gone.

Needs the jet model inputs and surrogate (``kedro run --env jet --pipeline data_processing`` and
``--pipeline surrogate_training``).

    python benchmarks/bench_paper_settings.py [--more 40] [--page-only]

``--page-only`` rewrites the page, first from the study's trials where the study is here (a
sitting stopped before its ``--more`` trials still counts what it finished).

Writes docs/benchmarks/paper_settings.md. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import PAGES, ROOT, Run, conf_values, search_keys, write_page  # noqa: E402
from bench_search_quality import STUDY_INPUTS, active_seconds, catalog_inputs  # noqa: E402

if TYPE_CHECKING:
    from snac_pack.search.study import StudyLocation

logger = logging.getLogger("bench_paper_settings")

TASK = "jet"
#: The published search's budget and settings; everything else is the environment's.
PAPER = {"n_trials": 500, "cross_validation_folds": 3, "population_size": 20}
#: The published search's wall time on one A100, hours (the target on this machine's cores).
PAPER_HOURS = 6.0
WORK = ROOT / "data" / "benchmarks" / "paper_settings"
RESULTS = PAGES / "paper_settings"


def paper_parameters(parameters: dict[str, Any], n_trials: int) -> dict[str, Any]:
    """The environment's parameters with the paper's settings and a study grown to ``n_trials``."""
    params = copy.deepcopy(parameters)
    search = params["global_search"]
    search["n_trials"] = n_trials
    search["cross_validation_folds"] = PAPER["cross_validation_folds"]
    search["sampler"] = {**search["sampler"], "population_size": PAPER["population_size"]}
    return params


def grow_study(more: int) -> None:
    """Run the search until the study holds ``more`` COMPLETE trials more (at most the paper's 500); keep each trial's interval."""
    from snac_pack.pipelines.global_search import nodes as search

    inputs = catalog_inputs(TASK, STUDY_INPUTS)
    WORK.mkdir(parents=True, exist_ok=True)
    study = study_location()
    done = _complete(study)
    goal = min(PAPER["n_trials"], done + more)
    logger.info("Paper settings: %d COMPLETE trials so far, running to %d", done, goal)
    params = paper_parameters(inputs["parameters"], goal)
    summary = search.run_search(
        study, inputs["surrogate"], inputs["model_input_train"], inputs["model_input_val"], params["task"],
        params["search_space"], params["hardware_target"], params["global_search"], {"directory": str(WORK / "trial_networks")},
    )
    keep_trials(search.collect_trials(study, summary), {name: int(len(inputs[f"model_input_{name}"]["x"])) for name in ("train", "val")})


def study_location() -> StudyLocation:
    """The benchmark's own study (SQLite under data/)."""
    from snac_pack.search.study import StudyLocation

    return StudyLocation(url=f"sqlite:///{WORK / 'study.db'}", study_name=f"{TASK}_paper_settings")


def _kept() -> dict[str, Any]:
    """What the last sitting kept beside the page: ``examples`` (or None) and ``trials`` (empty before any)."""
    path = RESULTS / "trials.json"
    return json.loads(path.read_text()) if path.is_file() else {"examples": None, "trials": []}


def keep_trials(trials: pd.DataFrame, examples: dict[str, int] | None = None) -> None:
    """Keep each trial's interval beside the page (the study itself stays under data/), and the examples it trained on."""
    kept = trials[["number", "state", "datetime_start", "datetime_complete"]].copy()
    for column in ("datetime_start", "datetime_complete"):
        kept[column] = kept[column].map(lambda value: None if pd.isna(value) else value.isoformat())
    record = {"examples": examples or _kept()["examples"], "trials": kept.to_dict(orient="records")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "trials.json").write_text(json.dumps(record, indent=0))


def _complete(study: StudyLocation) -> int:
    import optuna

    try:
        loaded = optuna.load_study(study_name=study.study_name, storage=study.url)
    except KeyError:  # no study yet
        return 0
    return sum(trial.state == optuna.trial.TrialState.COMPLETE for trial in loaded.get_trials(deepcopy=False))


def measured_trials() -> pd.DataFrame:
    """The kept trial intervals (empty when none was measured yet)."""
    trials = pd.DataFrame(_kept()["trials"], columns=["number", "state", "datetime_start", "datetime_complete"])
    for column in ("datetime_start", "datetime_complete"):
        trials[column] = pd.to_datetime(trials[column])
    return trials


def write(run: Run) -> None:
    """Write the page from the kept trial intervals."""
    trials = measured_trials()
    complete = trials[trials["state"] == "COMPLETE"].sort_values("datetime_complete")
    n_done = len(complete)
    seconds = active_seconds(trials) if n_done else 0.0
    population = PAPER["population_size"]
    last = complete.tail(population)
    # The rate of the last generation: active time of its trials over their count.
    last_rate = active_seconds(last) / len(last) if len(last) else float("nan")
    overall_rate = seconds / n_done if n_done else float("nan")
    projected = seconds + (PAPER["n_trials"] - n_done) * last_rate
    complete_run = n_done >= PAPER["n_trials"]
    hours = (seconds if complete_run else projected) / 3600.0
    lines = [
        f"The published search's settings on the jet environment: {PAPER['n_trials']} trials, "
        f"{PAPER['cross_validation_folds']}-fold cross-validation, NSGA-II population {PAPER['population_size']}; "
        "the search space, trial mode, training and surrogate are `--env jet`'s (see the configuration above), and so are "
        + (f"its data: {examples['train']:,} training and {examples['val']:,} validation jets, which the 3 folds split. "
           if (examples := _kept()["examples"]) else "its data. ")
        + f"The paper reports about {PAPER_HOURS:.0f} hours on one A100 for its search on the published hls4ml jet data "
        "(OpenML 42468 holds 830,000 jets), a much larger set: a trial's time grows with the examples it trains on, so the two times compare settings, "
        "not machines. This machine has no GPU.",
        "",
        "| COMPLETE trials | other trials | active wall time | seconds per trial (all) | seconds per trial (last generation) | 500 trials |",
        "|---|---|---|---|---|---|",
        f"| {n_done} | {len(trials) - n_done} | {seconds / 3600.0:.2f} h | {overall_rate:.1f} | {last_rate:.1f} | "
        + (f"{seconds / 3600.0:.2f} h, measured |" if complete_run else f"{projected / 3600.0:.2f} h, projected at the last generation's rate |"),
        "",
    ]
    if not complete_run and n_done:
        per_generation = [
            active_seconds(group) / len(group)
            for _, group in complete.groupby(np.arange(n_done) // population)
        ]
        lines += [
            "Seconds per trial by generation of " + str(population) + " (in order of completion): "
            + ", ".join(f"{rate:.0f}" for rate in per_generation)
            + ". The projection assumes the remaining generations cost what the last one did.",
            "",
        ]
    verdict = ("met" if hours < PAPER_HOURS else "MISSED") if complete_run else f"incomplete: {PAPER['n_trials'] - n_done} trials to go"
    if not complete_run and n_done:
        verdict += f" (projected {hours:.1f} h against {PAPER_HOURS:.0f} h)"
    write_page(
        "paper_settings",
        run,
        "The paper's jet search settings on this machine",
        lines,
        headline=f"{n_done} of {PAPER['n_trials']} trials in {seconds / 3600.0:.2f} h"
        + ("" if complete_run else f"; 500 projected at {projected / 3600.0:.1f} h"),
        target=f"the paper's settings under {PAPER_HOURS:.0f} hours on this machine's cores (issue 16)",
        verdict=verdict,
        figures={"complete_trials": float(n_done), "active_hours": seconds / 3600.0, "hours_for_500": hours,
                 "seconds_per_trial_last_generation": last_rate},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--more", type=int, default=40, help="COMPLETE trials to add to the study in this sitting")
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the kept trial intervals; run nothing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run = Run("bench_paper_settings.py", "python benchmarks/bench_paper_settings.py", TASK, conf_values(TASK, (*search_keys(TASK), "search_space")))
    if not args.page_only:
        if args.more < 1:
            raise SystemExit("--more must be at least 1")
        grow_study(args.more)
    elif (WORK / "study.db").is_file():  # a sitting that was stopped: its finished trials count
        from snac_pack.search.study import open_study, trials_table

        location = study_location()
        keep_trials(trials_table(open_study(location.url, location.study_name)))
    write(run)


if __name__ == "__main__":
    main()
