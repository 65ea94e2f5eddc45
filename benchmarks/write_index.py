"""Write docs/benchmarks/README.md, the index of the benchmark pages, from the pages' own summaries.

Every page's first line holds the machine-readable summary its script wrote (``_report.write_page``):
headline figures, target, verdict, date, commit, load and the configuration measured. The index
copies them and compares each page's configuration with the current ``conf/`` now, so a page
measured under older defaults says so here even when its own text (true when written) does not.
Every benchmark script calls this after writing its page; run it by hand after editing ``conf/``.

    python benchmarks/write_index.py [--check]

``--check`` writes nothing and exits 1 when README.md differs from what it would write.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import CANDIDATE_RULE, PAGES, SCRIPTS_WITHOUT_CANDIDATE_RULE, changed_keys, read_summary  # noqa: E402

INDEX = PAGES / "README.md"
HEADER = """# Benchmarks: what was measured, against which target

Written by `benchmarks/write_index.py` from the summary each page's script wrote on the page's first
line; nothing here is typed by hand. Each page names its command, date, commit, machine, the load
while it ran (a load above 0 means other work shared the cores) and the configuration it measured.
"Configuration current" compares that configuration with `conf/` when this index was written.
Timings are never test assertions. Rerun a page's command to refresh it (and this index).

| page | command | measured | headline figures | target | verdict | configuration current |
|---|---|---|---|---|---|---|"""
FOOTER = """
The run report's browser check (`benchmarks/check_run_report.py`, headless Chromium) keeps its
screenshot in [`../run_report.png`](../run_report.png)."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def index_row(page: Path) -> str:
    """The index row of one page: from its summary, or saying that it has none and must be rerun."""
    summary = read_summary(page)
    link = f"[{page.name}]({page.name})"
    if summary is None:
        command = re.search(r"command: `([^`]*)`", page.read_text(), re.IGNORECASE)
        rerun = f"`{command.group(1)}`" if command else "its script"
        return f"| {link} | {rerun} | – | – | – | NOT INDEXED: written before pages carried a summary; rerun its command | – |"
    if summary["conf_env"] is None:
        current = "no configuration measured"
    else:
        ignoring = (CANDIDATE_RULE,) if summary["script"] in SCRIPTS_WITHOUT_CANDIDATE_RULE else ()
        changed = changed_keys(summary["conf_env"], summary["parameters"], ignoring)
        current = "yes" if not changed else f"NO: changed since: {', '.join(f'`{key}`' for key in changed)}; rerun"
    load = "–".join(f"{value:.1f}" for value in summary["load"])
    measured = f"{summary['date']}, commit {summary['commit']}, load {load}"
    cores = re.search(r"(\d+) logical cores", page.read_text())
    if cores and max(summary["load"]) > int(cores.group(1)):
        measured += f" (above its {cores.group(1)} cores: timings inflated)"
    cells = [link, f"`{summary['command']}`", measured, summary["headline"], summary["target"] or "–", summary["verdict"], current]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def render() -> str:
    """The whole index, one row per page in docs/benchmarks/ (README.md aside), by name."""
    rows = [index_row(page) for page in sorted(PAGES.glob("*.md")) if page != INDEX]
    return "\n".join([HEADER, *rows, FOOTER]) + "\n"


def write_index() -> None:
    """Write docs/benchmarks/README.md."""
    INDEX.write_text(render())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md is not what this script writes")
    if parser.parse_args().check:
        if not INDEX.is_file() or INDEX.read_text() != render():
            print(f"{INDEX} is out of date: run python benchmarks/write_index.py", file=sys.stderr)
            sys.exit(1)
        return
    write_index()


if __name__ == "__main__":
    main()
