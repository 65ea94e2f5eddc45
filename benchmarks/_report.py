"""What every benchmark script shares: the machine's description and writing its markdown report."""

from __future__ import annotations

import logging
import platform
from pathlib import Path

logger = logging.getLogger(__name__)


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or the platform's description."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_report(path: Path, lines: list[str]) -> None:
    """Write the report's lines to ``path`` (creating docs/benchmarks/) and log them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    logger.info("\n".join(lines))
    logger.info("Wrote %s", path)
