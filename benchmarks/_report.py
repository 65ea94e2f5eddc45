"""What every benchmark script shares: the machine, the load, the configuration a page measured, and writing the page.

Every page in docs/benchmarks/ is written whole by one script through :func:`write_page`: a
provenance block (script, command, date, commit, machine, load, and the configuration measured
compared with the current ``conf/``) and the script's own lines, all formatted from what that
run measured. The page's first line is an HTML comment holding its machine-readable summary
(headline, target, verdict, figures, configuration), from which ``write_index.py`` rebuilds
docs/benchmarks/README.md after every page.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "benchmarks"
SUMMARY_MARK = "<!-- benchmark-summary "
MAX_SHOWN_VALUE = 400  # characters of a configuration value shown on the page; longer ones stay in the summary


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or the platform's description."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    """This machine in the words a page's provenance uses: its CPU model and logical cores."""
    return f"{cpu_model()}, {os.cpu_count()} logical cores"


def load_average() -> float:
    """The 1-minute load average: other work on the machine slows every timing."""
    return os.getloadavg()[0]


def _config_loader(env: str):
    """The project's own configuration loader (``settings.py``) for ``env``, as ``kedro run --env`` builds it."""
    from kedro.config import OmegaConfigLoader

    from snac_pack import settings

    # Kedro's default loader where settings.py names none.
    loader_class = getattr(settings, "CONFIG_LOADER_CLASS", OmegaConfigLoader)
    return loader_class(conf_source=str(ROOT / "conf"), env=env, **getattr(settings, "CONFIG_LOADER_ARGS", {}))


def raw_parameters(env: str) -> dict[str, Any]:
    """The parameters of a task environment as plain data, merged as ``kedro run --env`` merges them."""
    from omegaconf import OmegaConf

    parameters = _config_loader(env)["parameters"]
    return OmegaConf.to_container(parameters, resolve=True) if OmegaConf.is_config(parameters) else json.loads(json.dumps(parameters))


def project_parameters(env: str = "jet"):
    """The validated parameters of a task environment, merged as ``kedro run --env`` merges them."""
    from snac_pack.config import parse_parameters

    return parse_parameters(raw_parameters(env))


def catalog_relpath(env: str, dataset: str, key: str | None = None) -> str:
    """The path the catalog of ``env`` gives ``dataset`` (``filepath``, or ``paths[key]``), relative to the project."""
    entry = _config_loader(env)["catalog"][dataset]
    return entry["paths"][key] if key else entry["filepath"]


def study_location(env: str) -> tuple[str, str]:
    """The storage URL (credentials, as the run resolves it) and name of ``env``'s global-search study."""
    loader = _config_loader(env)
    entry = loader["catalog"]["global_search_study"]
    return loader["credentials"][entry["credentials"]]["url"], entry["study_name"]


def catalog_path(env: str, dataset: str, key: str | None = None) -> Path:
    """Where the catalog of ``env`` keeps ``dataset`` (its ``filepath``, or ``paths[key]``).

    Raises:
        FileNotFoundError: nothing is there yet (the pipeline that writes it has not run).
    """
    entry = _config_loader(env)["catalog"][dataset]
    path = ROOT / catalog_relpath(env, dataset, key)
    if entry.get("versioned"):
        # A versioned dataset is a folder of timestamped versions; the newest is the last run's.
        versions = sorted(p for p in path.iterdir() if p.is_dir()) if path.is_dir() else []
        path = versions[-1] / path.name if versions else path
    if not path.exists():
        raise FileNotFoundError(f"{dataset} of --env {env}: nothing at {path.relative_to(ROOT)}; run the pipeline that writes it first")
    return path


def conf_values(env: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The current values of dotted ``keys`` (e.g. ``local_compression.pruning``) in ``env``."""
    raw = raw_parameters(env)
    return {key: _at(raw, key) for key in keys}


def _at(value: Any, dotted: str) -> Any:
    """The value under a dotted key (``a.b.c``) of nested mappings; None where a part is missing."""
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _without(value: Any, key: str, ignoring: tuple[str, ...]) -> Any:
    """``value`` of dotted ``key`` with the ignored dotted keys below it removed."""
    for ignored in ignoring:
        if not ignored.startswith(key + ".") or not isinstance(value, dict):
            continue
        value = json.loads(json.dumps(value))  # a copy
        *parents, last = ignored[len(key) + 1:].split(".")
        inner = value
        for part in parents:
            inner = inner.get(part) if isinstance(inner, dict) else None
        if isinstance(inner, dict):
            inner.pop(last, None)
    return value


def changed_keys(env: str, measured: dict[str, Any], ignoring: tuple[str, ...] = ()) -> list[str]:
    """The keys of ``measured`` whose value differs from the current configuration of ``env``, leaving out the dotted keys ``ignoring``."""
    current = conf_values(env, tuple(measured))
    return [
        key for key, value in measured.items()
        if json.dumps(_without(value, key, ignoring), sort_keys=True) != json.dumps(_without(current[key], key, ignoring), sort_keys=True)
    ]


#: The rule by which the default run picks the trials it compresses.
CANDIDATE_RULE = "global_search.candidates"
#: Scripts whose figures do not depend on :data:`CANDIDATE_RULE` (they time the search, or compress
#: whole fronts): a page they wrote under another rule is still current (pages written before they
#: recorded :func:`search_keys` hold ``global_search`` whole).
SCRIPTS_WITHOUT_CANDIDATE_RULE = ("bench_search_quality.py", "bench_families.py", "bench_paper_settings.py", "bench_search_workers.py")


def search_keys(env: str) -> tuple[str, ...]:
    """``global_search`` of ``env`` as dotted keys, but its candidate rule: what a benchmark measures that picks no candidates.

    The rule decides only which trials the default run compresses; a benchmark of the search
    itself, or one that compresses whole Pareto fronts, does not depend on it.
    """
    return tuple(f"global_search.{key}" for key in raw_parameters(env)["global_search"] if f"global_search.{key}" != CANDIDATE_RULE)


def front_benchmark_keys(env: str) -> tuple[str, ...]:
    """The configuration a benchmark that compresses whole Pareto fronts measures: :func:`search_keys`, ``search_space``, ``local_compression``."""
    return (*search_keys(env), "search_space", "local_compression")


def _recorded_value(recorded: dict[str, Any], key: str) -> Any:
    """A dotted key's value in a recorded configuration, which may hold it whole or under a parent key."""
    if key in recorded:
        return recorded[key]
    parent = key.rpartition(".")[0]
    while parent:
        if parent in recorded:
            return _at(recorded[parent], key[len(parent) + 1:])
        parent = parent.rpartition(".")[0]
    return None


def read_result(path: Path, env: str, keys: tuple[str, ...], page: str) -> tuple[dict[str, Any] | None, list[str]]:
    """A benchmark's result file and the keys of its configuration changed since it was measured ([]: current).

    A result records the values of ``keys`` it was measured under (``configuration``, from
    :func:`conf_values`; a dotted key may be recorded within its parent's value). One written
    before results recorded them counts as measured under the configuration of the page that
    showed it (``page``'s summary), which was written with it.

    Returns:
        ``(None, [])`` without the file; otherwise the result and the changed keys.
    """
    if not path.is_file():
        return None, []
    result = json.loads(path.read_text())
    recorded = result.get("configuration")
    if recorded is None:
        summary = read_summary(PAGES / page) if (PAGES / page).is_file() else None
        recorded = summary["parameters"] if summary is not None and summary["conf_env"] == env else {}
    return result, changed_keys(env, {key: _recorded_value(recorded, key) for key in keys})


def set_aside(paths: list[Path], folder: Path) -> Path:
    """Move the files of a result measured under an older configuration into ``folder/<time>/``: kept, never deleted."""
    target = folder / datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    target.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.exists():
            path.rename(target / path.name)
            logger.info("Set aside %s (measured under an older configuration) in %s", path.name, target)
    return target


def current_commit() -> str:
    """HEAD's short hash, and whether the code a benchmark runs had uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "src", "conf", "benchmarks")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"{head} (with uncommitted changes in src/, conf/ or benchmarks/)" if dirty else head


@dataclasses.dataclass
class Run:
    """One run of a benchmark script: what it was started as, and the load when it started.

    Args:
        script: file name under benchmarks/, e.g. ``bench_qubit_simulator.py``.
        command: the command line that reproduces the page.
        conf_env: the task environment whose configuration the page measured (None: none).
        parameters: dotted configuration keys measured, with the values this run used.
    """

    script: str
    command: str
    conf_env: str | None = None
    parameters: dict[str, Any] = dataclasses.field(default_factory=dict)
    load_before: float = dataclasses.field(default_factory=load_average)
    date: str = dataclasses.field(default_factory=lambda: datetime.date.today().isoformat())
    commit: str = dataclasses.field(default_factory=lambda: current_commit())

    def provenance(self, load_after: float) -> list[str]:
        """The page's opening lines: who wrote it, when, where, under which load and configuration."""
        lines = [
            f"- Written by `benchmarks/{self.script}` on {self.date}, started at commit {self.commit}; command: `{self.command}` (repository root)",
            f"- Machine: {machine()}, Python {platform.python_version()}; 1-minute load average "
            f"{self.load_before:.1f} when the run started, {load_after:.1f} when it ended (above 0: other work shared the cores)",
        ]
        if self.conf_env is not None:
            changed = changed_keys(self.conf_env, self.parameters)
            listed = "; ".join(
                f"`{key}` = {text}" if len(text := json.dumps(value, sort_keys=True, ensure_ascii=False)) <= MAX_SHOWN_VALUE else f"`{key}` (value in the page's summary)"
                for key, value in self.parameters.items()
            )
            state = (
                "the current defaults when this page was written"
                if not changed
                else f"NOT the current defaults when this page was written (changed since: {', '.join(changed)})"
            )
            lines.append(f"- Configuration measured (`conf/base` + `conf/{self.conf_env}`): {listed}; {state}")
        return lines


def partial_verdict(missing: list[str], checks: dict[str, bool]) -> str:
    """A page's verdict from what is still missing and the checks its results pass or fail."""
    if missing:
        return "incomplete: " + ", ".join(missing)
    if not checks:
        return "reported"
    failed = [name for name, ok in checks.items() if not ok]
    return "MISSED: " + ", ".join(failed) if failed else "met"


def write_page(
    name: str, run: Run, title: str, lines: list[str], headline: str, target: str, verdict: str, figures: dict[str, float] | None = None
) -> None:
    """Write docs/benchmarks/<name>.md whole (summary comment, title, provenance, ``lines``), then the index.

    Args:
        name: page name without ``.md``.
        run: the run that measured the page.
        title: the page's heading.
        lines: the body, every figure formatted from this run.
        headline: the page's headline figures in one line, for the index.
        target: the targets the figures are judged against ("" when none).
        verdict: "met", "MISSED: …" or "reported", computed from the figures.
        figures: machine-readable figures that other pages may quote (with this page as source).
    """
    from write_index import write_index

    load_after = load_average()
    summary = {
        "page": f"{name}.md",
        "script": run.script,
        "command": run.command,
        "date": run.date,
        "commit": run.commit,
        "load": [round(run.load_before, 2), round(load_after, 2)],
        "conf_env": run.conf_env,
        "parameters": run.parameters,
        "headline": headline,
        "target": target,
        "verdict": verdict,
        "figures": figures or {},
    }
    text = [SUMMARY_MARK + json.dumps(summary, sort_keys=True, ensure_ascii=False) + " -->", f"# {title}", "", *run.provenance(load_after), "", *lines]
    path = PAGES / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(text).rstrip("\n") + "\n")
    logger.info("\n".join(text))
    logger.info("Wrote %s", path)
    write_index()


def read_summary(page: Path) -> dict[str, Any] | None:
    """The machine-readable summary on a page's first line, or None (a page written before it existed)."""
    first = page.read_text().split("\n", 1)[0]
    if not first.startswith(SUMMARY_MARK):
        return None
    return json.loads(first[len(SUMMARY_MARK) : -len(" -->")])


def quoted_figure(page: str, figure: str) -> tuple[float, str] | None:
    """A figure another benchmark page recorded, with its source (page and date), or None when it has none."""
    path = PAGES / f"{page}.md"
    summary = read_summary(path) if path.is_file() else None
    if summary is None or figure not in summary["figures"]:
        return None
    return summary["figures"][figure], f"[{page}.md]({page}.md), {summary['date']}"
