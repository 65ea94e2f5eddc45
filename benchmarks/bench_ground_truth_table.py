"""Benchmark of building the shipped ground-truth table: time per 1,000 designs, and the table's size.

Run from the repository root:

    python benchmarks/bench_ground_truth_table.py [--designs 60] [--workers 2]

Builds a sample of the shipped table's plan (every k-th design, so the sample spans the plan's
sizes) twice, in a scratch folder: the first build starts processes whose da4ml kernels may still
need compiling, the second (another sample of the same size) finds them compiled. Writes
docs/benchmarks/ground_truth_table.md. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import lzma
import tempfile
import time
from pathlib import Path

import numpy as np

from snac_pack.hardware.ground_truth import SHIPPED_TABLE, GroundTruthStore
from snac_pack.hardware.table import TablePlan, broad_designs, build_shard
from _report import Run, write_page

logger = logging.getLogger(__name__)


def _sample_build(plan: TablePlan, shards: int, shard: int, out: Path, workers: int) -> tuple[float, list[float]]:
    """Wall time of one shard's build and the per-design da4ml seconds it recorded."""
    started = time.perf_counter()
    path = build_shard(plan, shard, shards, out, workers, yosys=False)
    wall = time.perf_counter() - started
    seconds = [float(row["seconds"]) for row in GroundTruthStore(path, shipped=None).rows()]
    return wall, seconds


def _shipped_summary() -> list[str]:
    if not SHIPPED_TABLE.is_file():
        return ["- The shipped table is not built yet (`src/snac_pack/hardware/shipped/ground_truth.jsonl.xz` absent)."]
    rows = GroundTruthStore(SHIPPED_TABLE, shipped=None).rows()
    with lzma.open(SHIPPED_TABLE, "rt") as stream:
        raw = sum(len(line) for line in stream)
    by = {}
    for row in rows:
        key = f"{row['source']}/{row['origin']}"
        by[key] = by.get(key, 0) + 1
    return [
        f"- Shipped table: {len(rows):,} rows ({', '.join(f'{k} {v:,}' for k, v in sorted(by.items()))}); "
        f"{SHIPPED_TABLE.stat().st_size / 2**20:.2f} MiB compressed, {raw / 2**20:.1f} MiB as JSON Lines",
    ]


def main() -> None:
    """Build two samples of the plan and write the page."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--designs", type=int, default=60, help="designs per sample")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    command = f"python benchmarks/bench_ground_truth_table.py --designs {args.designs} --workers {args.workers}"
    run = Run("bench_ground_truth_table.py", command)
    plan = TablePlan()
    total = len(broad_designs(plan))
    shards = max(2, total // args.designs)
    with tempfile.TemporaryDirectory(prefix="snac_table_") as scratch:
        cold_wall, cold = _sample_build(plan, shards, 0, Path(scratch), args.workers)
        warm_wall, warm = _sample_build(plan, shards, shards // 2, Path(scratch), args.workers)
    per_thousand = 1000 * warm_wall / len(warm)
    lines = [
        f"- Plan: {total:,} broad designs (`TablePlan()` defaults, docs/ground_truth.md); samples: every {shards}-th design "
        f"({len(cold)} and {len(warm)} designs), {args.workers} processes",
        "",
        "| sample | designs | wall | per 1,000 designs (wall, these processes) | da4ml per design: median / p90 / max |",
        "|---|---|---|---|---|",
        f"| first (processes may compile da4ml's kernels) | {len(cold)} | {cold_wall:.0f} s | {1000 * cold_wall / len(cold):,.0f} s "
        f"| {np.median(cold):.1f} / {np.percentile(cold, 90):.1f} / {max(cold):.1f} s |",
        f"| second (kernels compiled) | {len(warm)} | {warm_wall:.0f} s | {per_thousand:,.0f} s "
        f"| {np.median(warm):.1f} / {np.percentile(warm, 90):.1f} / {max(warm):.1f} s |",
        "",
        f"- The whole plan at the second sample's rate: about {total / 1000 * per_thousand / 3600:.1f} h on {args.workers} processes "
        "(extrapolated from the sample, not measured)",
        *_shipped_summary(),
    ]
    write_page(
        "ground_truth_table",
        run,
        "Building the shipped ground-truth table",
        lines,
        headline=f"{per_thousand:,.0f} s per 1,000 broad designs on {args.workers} processes (sample of {len(warm)})",
        target="",
        verdict="reported",
        figures={"seconds_per_1000_designs": per_thousand, "workers": args.workers},
    )
    print(json.dumps({"seconds_per_1000_designs": per_thousand}))


if __name__ == "__main__":
    main()
