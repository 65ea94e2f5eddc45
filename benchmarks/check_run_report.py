"""Open the run report in a real headless browser (Debian's Chromium) and keep a screenshot.

Checks that the page loads without console errors, that every section is there and that every
plotly figure rendered (an SVG drawn by plotly.js, which is inlined: no network). Needs
`chromium` (`apt-get install chromium`) and a finished run (`make run`).

    python benchmarks/check_run_report.py [data/08_reporting/run_report.html]

Writes docs/run_report.png; exits non-zero when a check fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from snac_pack.reporting.run_report import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "run_report.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=15000"]


def main() -> int:
    page = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "data/08_reporting/run_report.html").resolve()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found: apt-get install chromium", file=sys.stderr)
        return 2
    if not page.is_file():
        print(f"{page} does not exist: run `make run` first", file=sys.stderr)
        return 2
    dump = subprocess.run(
        [browser, *FLAGS, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180
    )
    console_errors = [line for line in dump.stderr.splitlines() if "CONSOLE" in line and re.search(r"error|uncaught", line, re.I)]
    problems = [f"console: {line}" for line in console_errors]
    problems += [f"section missing: {title}" for title in SECTIONS if f">{title}</h2>" not in dump.stdout]
    figures, drawn = dump.stdout.count("plotly-graph-div"), dump.stdout.count('class="main-svg"')
    if figures == 0 or drawn < figures:
        problems.append(f"{figures} plotly figures, {drawn} rendered SVG layers")
    subprocess.run([browser, *FLAGS, "--window-size=1200,3600", f"--screenshot={SCREENSHOT}", page.as_uri()], capture_output=True, timeout=180, check=True)
    print(f"{page}: {len(SECTIONS)} sections, {figures} figures ({drawn} SVG layers), {len(console_errors)} console errors; screenshot {SCREENSHOT}")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
