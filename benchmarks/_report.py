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


def project_parameters(env: str = "jet"):
    """The validated parameters of a task environment, merged as ``kedro run --env`` merges them."""
    from kedro.config import OmegaConfigLoader

    from snac_pack.config import parse_parameters

    root = Path(__file__).resolve().parents[1]
    loader = OmegaConfigLoader(str(root / "conf"), base_env="base", default_run_env=env, merge_strategy={"parameters": "soft"})
    return parse_parameters(loader["parameters"])
