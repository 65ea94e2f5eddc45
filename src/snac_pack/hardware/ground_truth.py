"""The ground-truth table: exact hardware figures of concrete networks, growing across runs.

Rows are appended to a JSON Lines file the moment each result arrives, so an interrupted run
loses only the designs in flight, and a design already in the file is never computed again.
Each row holds the architecture (as JSON, to rebuild it), how its weights were obtained, the
figures, the tool (``source``) that produced them and the part of the project that asked for
them (``origin``, see :data:`RowOrigin`). Rows written before the tag existed get one inferred
on reading (:func:`inferred_origin`).

The surrogate's held-out split is by architecture (:func:`split_key`): every row of a held-out
architecture, whatever its weights, origin, source or target, is kept out of training, so two
weight draws of one network never sit on both sides.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import lzma
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from snac_pack.hardware.architecture import Architecture, ImplementationTarget
from snac_pack.hardware.cost import HardwareCost
from snac_pack.hardware.exact import TRACE_VERSION, WEIGHTS_PER_PROCESS, ExactDesign, solved_weights, start_costing_process
from snac_pack.hardware.network import WEIGHT_DISTRIBUTIONS, NetworkWeights, WeightDistribution, random_quantized_network
from snac_pack.hardware.surrogate_features import (
    STATISTICS_VERSION,
    weight_statistics,
)

logger = logging.getLogger(__name__)

WeightOrigin = Literal["random", "trained"]
#: Which part of the project produced a row: random weight draws and trained ground-truth networks
#: (surrogate_training), a compression iteration (local_compression), the firmware's vendor build,
#: an imported hls4ml project report (Vivado/Vitis) or a wa-hls4ml record (:func:`imported_rows`).
RowOrigin = Literal["random", "trained", "compression", "firmware", "vendor_import", "wa_hls4ml"]
ROW_ORIGINS: tuple[RowOrigin, ...] = get_args(RowOrigin)
#: For rows written before rows carried their ``origin``: trained weights identified at or above
#: this were compression points (60-bit weight digests), below it the trained ground-truth networks
#: of surrogate_training (then numbered ``seed * 1_000_003 + index``; now a digest that names their data).
_DIGEST_IDS_FROM = 2**32


@dataclass(frozen=True)
class DesignRequest:
    """A concrete network to cost: an architecture and its quantized weights.

    Attributes:
        arch: the architecture.
        weight_origin: ``random`` (drawn by :func:`random_quantized_network` from ``weight_seed``)
            or ``trained`` (``weights`` given).
        weight_seed: seed of the random weights, or an identifier of the trained network.
        weights: the weights of a trained network; ``None`` for random ones.
        origin: the part of the project asking (the rows' ``origin``); default the weight origin.
        distribution: the distribution of random weights (:data:`WEIGHT_DISTRIBUTIONS`).
        plan: which plan of designs asked for it (``broad`` for the shipped table's broad designs,
            the task's name for a task's search-space draws and trained networks), recorded so
            that accuracy can be reported per search space.
    """

    arch: Architecture
    weight_origin: WeightOrigin
    weight_seed: int
    weights: NetworkWeights | None = None
    origin: RowOrigin | None = None
    distribution: WeightDistribution = "glorot_normal"
    plan: str | None = None

    def __post_init__(self) -> None:
        if self.origin is None:
            object.__setattr__(self, "origin", self.weight_origin)  # frozen: filled in once, here
        if self.distribution not in WEIGHT_DISTRIBUTIONS:
            raise ValueError(f"unknown weight distribution {self.distribution!r}; valid: {list(WEIGHT_DISTRIBUTIONS)}")

    def design_id(self) -> str:
        """Identity of the design in the table (architecture, target and weights).

        Glorot-normal draws keep the identity they had before other distributions existed.
        """
        drawn = self.weight_origin if self.distribution == "glorot_normal" else f"{self.weight_origin}/{self.distribution}"
        return f"{self.arch.key()}:{drawn}:{self.weight_seed}"

    def network(self) -> NetworkWeights:
        """The quantized weights of the design."""
        if self.weights is not None:
            return self.weights
        if self.weight_origin == "trained":
            raise ValueError(
                f"Trained design {self.design_id()} ({self.arch.describe()}) carries no weights: it was planned as "
                "already in the ground-truth table; train it again (remove its rows) to cost it"
            )
        return random_quantized_network(self.arch, np.random.default_rng(self.weight_seed), self.distribution)


#: The ground-truth table that ships with the package: xz-compressed JSON Lines, regenerated and
#: extended by ``python -m snac_pack.hardware.table`` (docs/ground_truth.md). Read beside every
#: project table; never written at run time.
SHIPPED_TABLE = Path(__file__).parent / "shipped" / "ground_truth.jsonl.xz"
#: da4ml rows written before rows recorded the version were all made with da4ml 0.5.2, the only
#: version the project's lock has pinned.
_UNRECORDED_DA4ML_VERSION = "0.5.2"


@functools.cache
def da4ml_version() -> str:
    """The installed da4ml's version, recorded in every row it (or Yosys on its Verilog) produced."""
    return importlib.metadata.version("da4ml")


class GroundTruthStore:
    """An append-only JSON Lines table of hardware figures, read together with the shipped table.

    Args:
        path: the project's ``.jsonl`` file (created on the first append).
        shipped: a read-only table read before it (default the package's :data:`SHIPPED_TABLE`;
            ``None``: the project's rows only).
    """

    def __init__(self, path: Path, shipped: Path | None = SHIPPED_TABLE) -> None:
        self.path = Path(path)
        self.shipped = None if shipped is None else Path(shipped)

    def _lines(self) -> Iterator[tuple[Path, int, str]]:
        if self.shipped is not None and self.shipped.is_file():
            with lzma.open(self.shipped, "rt") as stream:
                for number, line in enumerate(stream, start=1):
                    yield self.shipped, number, line
        if self.path.is_file():
            # An xz-compressed table (a shipped one, read on its own) reads like a plain one.
            text = lzma.open(self.path, "rt").read() if self.path.suffix == ".xz" else self.path.read_text()
            for number, line in enumerate(text.splitlines(), start=1):
                yield self.path, number, line

    def rows(self, any_version: bool = False) -> list[dict[str, Any]]:
        """Every complete row, once per design, source and stage, each with its ``origin``.

        The shipped table's rows come first (``table``: ``shipped``), then the project's
        (``project``). A line cut short by an interruption is ignored; a row without ``origin``
        (written before the tag) gets :func:`inferred_origin`; a Yosys row has no latency or
        initiation interval (older rows carried da4ml's); a da4ml or Yosys row of another
        ``trace_version`` or another da4ml version than the installed one is left out, saying so
        (its design is costed again when asked for).

        Args:
            any_version: keep the rows of other da4ml versions and trace conventions too (to
                know which designs a table holds, as ``table refresh`` does; never to learn from).
        """
        rows: dict[tuple[str, str, str | None], dict[str, Any]] = {}
        outdated = 0
        other_versions: dict[str, int] = {}
        for path, number, line in self._lines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                logger.warning("Ignoring the unreadable line %d of %s (an interrupted write)", number, path)
                continue
            # Two runs sharing the table may both compute a design: keep its first figures. A
            # vendor build writes its C-synthesis and logic-synthesis figures: both are kept.
            row.setdefault("origin", inferred_origin(row))
            row["table"] = "shipped" if path == self.shipped else "project"
            if row["source"] in TRACED_SOURCES and not any_version:
                if row.get("trace_version", 1) != TRACE_VERSION:
                    outdated += 1  # another trace convention: its design is costed again, not mixed in
                    continue
                version = row.setdefault("da4ml_version", _UNRECORDED_DA4ML_VERSION)
                if version != da4ml_version():
                    other_versions[version] = other_versions.get(version, 0) + 1
                    continue
            if row["source"] == "yosys":
                # Rows written before Yosys results stopped carrying da4ml's pipeline latency: Yosys
                # measures no timing, so those figures were never Yosys's.
                row.update({name: None for name in ("latency_cycles", "latency_ns", "initiation_interval")})
            rows.setdefault((row["design_id"], row["source"], row.get("stage")), row)
        if outdated:
            logger.warning("Ignoring %d ground-truth rows traced under an older da4ml trace convention (trace_version "
                           "!= %d: activations rounded ties up); their designs are costed again", outdated, TRACE_VERSION)
        if other_versions:
            logger.warning("Ignoring ground-truth rows of other da4ml versions than the installed %s (%s); their designs "
                           "are costed again with this one", da4ml_version(),
                           ", ".join(f"{count} of {version}" for version, count in sorted(other_versions.items())))
        return list(rows.values())

    def done(self, source: str) -> set[str]:
        """Design ids that already have figures from ``source``."""
        return {row["design_id"] for row in self.rows() if row["source"] == source}

    def append(self, row: dict[str, Any]) -> None:
        """Add one row durably."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as stream:
            # After an interrupted write the file ends mid-line: start a fresh line.
            stream.seek(0, os.SEEK_END)
            prefix = b""
            if stream.tell() > 0:
                stream.seek(-1, os.SEEK_END)
                prefix = b"" if stream.read(1) == b"\n" else b"\n"
            # One write per row: appends of concurrent runs do not interleave within a line.
            stream.write(prefix + (json.dumps(row, sort_keys=True) + "\n").encode())
            stream.flush()
            os.fsync(stream.fileno())

    def table(self) -> pd.DataFrame:
        """All rows as a table (an empty one if nothing was computed yet)."""
        return pd.DataFrame(self.rows())


def _identity(request: DesignRequest) -> dict[str, Any]:
    """The identity columns of a row: design, architecture, weights and origin."""
    return {
        "design_id": request.design_id(),
        "arch_key": request.arch.key(),
        "architecture": request.arch.describe(),
        "arch_json": request.arch.model_dump_json(),
        "weight_origin": request.weight_origin,
        "weight_seed": request.weight_seed,
        "weight_distribution": request.distribution if request.weight_origin == "random" else None,
        "origin": request.origin,
        "plan": request.plan,
    }


#: Sources whose figures come from the da4ml trace (Yosys synthesises its Verilog): their rows
#: record the trace's conventions (``trace_version``).
TRACED_SOURCES = ("da4ml", "yosys")


def cost_row(request: DesignRequest, cost: HardwareCost, seconds: float, network: NetworkWeights | None = None) -> dict[str, Any]:
    """One table row: the design's identity, architecture and origin, then its figures.

    With the ``network`` that was costed, the row records its weight counts
    (``weight_statistics``, for the weight-aware surrogate).
    """
    traced = {"trace_version": TRACE_VERSION, "da4ml_version": da4ml_version()} if cost.source in TRACED_SOURCES else {}
    counted = {} if network is None else {
        "weight_statistics": weight_statistics(request.arch, network).tolist(),
        "weight_statistics_version": STATISTICS_VERSION,
    }
    return {**_identity(request), "seconds": round(seconds, 3), **cost.to_row(), **traced, **counted}


def counts_are_current(row: Mapping[str, Any] | pd.Series) -> bool:
    """Whether a row's recorded weight counts are those the current ``STATISTICS_VERSION`` gives (False without any)."""
    return bool(row.get("weight_statistics_version") == STATISTICS_VERSION)  # None or NaN where missing: neither equals it


def row_statistics(row: Mapping[str, Any] | pd.Series) -> np.ndarray | None:
    """The :func:`~snac_pack.hardware.surrogate_features.weight_statistics` of a row's weights, where known.

    Recorded in the row (under the current ``STATISTICS_VERSION``); for a random draw without
    them, recomputed from its seed (the draw is reproducible); ``None`` for other rows that do
    not record them, or record counts of an older definition (their weights are not kept).
    """
    recorded = row.get("weight_statistics")
    if counts_are_current(row) and isinstance(recorded, (list, np.ndarray)) and len(recorded):
        return np.asarray([np.asarray(layer, dtype=np.float64) for layer in recorded])
    if row.get("weight_origin") == "random":
        arch = architecture_of(row)
        recorded_distribution = row.get("weight_distribution")
        distribution = recorded_distribution if isinstance(recorded_distribution, str) else "glorot_normal"
        return weight_statistics(arch, random_quantized_network(arch, np.random.default_rng(int(row["weight_seed"])), distribution))
    return None


def imported_rows(
    arch: Architecture, cost_rows: Iterable[Mapping[str, Any]], origin: Literal["vendor_import", "wa_hls4ml"], identifier: str
) -> list[dict[str, Any]]:
    """Ground-truth rows of results imported from another flow, for :meth:`GroundTruthStore.append`.

    The importers read reports, not architecture descriptions: the caller names the architecture.

    Args:
        arch: the network the results belong to, on their implementation target.
        cost_rows: rows of :func:`snac_pack.hardware.importers.hls4ml_project_rows` (origin
            ``vendor_import``) or :func:`snac_pack.hardware.importers.read_wa_hls4ml` (``wa_hls4ml``).
        origin: ``vendor_import`` or ``wa_hls4ml``.
        identifier: the design in its flow (project directory, wa-hls4ml record id); one design id each.

    Returns:
        The rows: identity columns (trained weights, the identifier's digest as their id), then the imported ones.

    Raises:
        ValueError: a row's implementation target is not the architecture's.
    """
    digest = int(hashlib.sha256(identifier.encode()).hexdigest()[:15], 16)
    request = DesignRequest(arch, "trained", digest, origin=origin)
    rows = []
    for row in cost_rows:
        target = ImplementationTarget(
            strategy=row["target_strategy"],
            reuse_factor=int(row["target_reuse_factor"]),
            part=row["target_part"],
            clock_period_ns=float(row["target_clock_period_ns"]),
            io_type=row["target_io_type"],
        )
        if target != arch.target:
            raise ValueError(f"{identifier}: the imported target {target.model_dump()} is not the architecture's {arch.target.model_dump()}")
        rows.append({**row, **_identity(request)})
    return rows


def inferred_origin(row: Mapping[str, Any]) -> RowOrigin:
    """The origin of a row written before rows were tagged, from what it records.

    Vendor figures (``vivado``, ``vitis``) were written only by the firmware pipeline's build;
    ``wa-hls4ml`` figures only by an import; trained weights identified by a 60-bit digest
    (at least 2^32) are a compression point, smaller ids the trained ground-truth networks of
    surrogate_training (``seed * 1_000_003 + index``).
    """
    if row["source"] in ("vivado", "vitis"):
        return "firmware"
    if row["source"] == "wa-hls4ml":
        return "wa_hls4ml"
    if row["weight_origin"] == "random":
        return "random"
    return "compression" if int(row["weight_seed"]) >= _DIGEST_IDS_FROM else "trained"


def architecture_of(row: dict[str, Any] | pd.Series) -> Architecture:
    """Rebuild the architecture of a table row."""
    return Architecture.model_validate_json(row["arch_json"])


def _exact_row(request: DesignRequest) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        network = request.network()
        cost = ExactDesign.build(request.arch, network).cost()
    except Exception as error:  # re-raised in the parent with the design named
        raise RuntimeError(f"da4ml failed on {request.arch.describe()} ({request.design_id()}): {error}") from error
    return cost_row(request, cost, time.perf_counter() - start, network)


def _yosys_row(request: DesignRequest, timeout_s: float) -> dict[str, Any]:
    from snac_pack.hardware.yosys import synthesize

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="snac_yosys_") as work:
        network = request.network()
        project = ExactDesign.build(request.arch, network).write_verilog(Path(work) / "design")
        cost = synthesize(project, request.arch.target, timeout_s=timeout_s)
    return cost_row(request, cost, time.perf_counter() - start, network)


def _log_progress(source: str, done: int, total: int, started: float) -> None:
    if done % max(1, total // 10) and done != total:
        return
    elapsed = time.perf_counter() - started
    remaining = elapsed / done * (total - done)
    logger.info("%s ground truth: %d/%d designs, %.0f s elapsed, about %.0f s left", source, done, total, elapsed, remaining)


def pool_batches(requests: Sequence[DesignRequest], n_workers: int) -> list[list[DesignRequest]]:
    """Consecutive batches of ``requests``, each for one pool of ``n_workers`` processes.

    A batch holds about ``n_workers`` × :data:`WEIGHTS_PER_PROCESS` solved weights and at
    least one design per worker: a pool serves hundreds of small designs, or a few large ones.
    """
    batches: list[list[DesignRequest]] = []
    current: list[DesignRequest] = []
    weights = 0.0
    for request in requests:
        current.append(request)
        weights += solved_weights(request.arch)
        if weights >= n_workers * WEIGHTS_PER_PROCESS and len(current) >= n_workers:
            batches.append(current)
            current, weights = [], 0.0
    if current:
        batches.append(current)
    return batches


def extend_ground_truth(
    store: GroundTruthStore,
    requests: Sequence[DesignRequest],
    source: Literal["da4ml", "yosys"],
    n_workers: int,
    yosys_timeout_s: float = 600.0,
) -> int:
    """Compute the figures of every request not yet in ``store`` and append them as they arrive.

    Args:
        store: the ground-truth table.
        requests: designs to cost.
        source: ``da4ml`` (exact distributed-arithmetic cost) or ``yosys`` (logic synthesis).
        n_workers: processes computing in parallel.
        yosys_timeout_s: limit per Yosys run.

    Returns:
        The number of rows added.

    Raises:
        RuntimeError: naming the design whose cost could not be computed (rows computed before
            it stay in the store).
    """
    done = store.done(source)
    # Largest first (BOPs as the proxy of cost): the pools below wait for their slowest design,
    # and batches of similar size keep both workers busy up to that wait.
    todo = sorted((request for request in requests if request.design_id() not in done), key=lambda request: -request.arch.bops())
    logger.info("%s ground truth: %d of %d designs already computed, %d to go", source, len(requests) - len(todo), len(requests), len(todo))
    if not todo:
        return 0
    compute = _exact_row if source == "da4ml" else partial(_yosys_row, timeout_s=yosys_timeout_s)
    workers = max(1, min(n_workers, len(todo)))
    started = time.perf_counter()
    done_count = 0
    # A fresh pool for every batch: da4ml 0.5.2's solver never frees part of its memory.
    # (Python 3.11's max_tasks_per_child can deadlock, hence whole pools.) spawn: numba and
    # numpy thread pools are not fork-safe.
    for batch in pool_batches(todo, workers):
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=start_costing_process, initargs=(os.getpid(),),
        ) as executor:
            futures = [executor.submit(compute, request) for request in batch]
            try:
                for future in as_completed(futures):
                    store.append(future.result())
                    done_count += 1
                    _log_progress(source, done_count, len(todo), started)
            except BaseException:
                # Fail now, not after the queue drains; what was stored stays stored. A worker
                # that dies (out of memory) raises BrokenProcessPool here instead of hanging.
                executor.shutdown(wait=False, cancel_futures=True)
                raise
    return len(todo)


def split_key(arch: Architecture) -> str:
    """The unit of the held-out split: the architecture alone (layers and input format).

    Weights, their seed and the implementation target are left out, so every weight draw of a
    network, and its figures on every target and from every tool, share one key.

    Returns:
        16 hexadecimal characters of the SHA-256 of the canonical description.
    """
    canonical = json.dumps(arch.model_dump(mode="json", exclude={"target"}), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def is_held_out(arch: Architecture, fraction: float) -> bool:
    """Whether an architecture belongs to the evaluation side of a ``fraction`` hold-out.

    A hash of :func:`split_key`, not a draw: an architecture stays on its side of the split as
    the table grows across runs, and all its rows (any weights, origin, source) go with it.
    """
    return int(split_key(arch)[:8], 16) / 0xFFFFFFFF < fraction


def split_rows(rows: pd.DataFrame, fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training and held-out rows of a table, by architecture (:func:`is_held_out`).

    Returns:
        ``(training, held_out)``, each re-indexed from 0.
    """
    if rows.empty:
        return rows, rows
    held = np.array([is_held_out(architecture_of(row), fraction) for _, row in rows.iterrows()], dtype=bool)
    return rows[~held].reset_index(drop=True), rows[held].reset_index(drop=True)


def rows_for(table: pd.DataFrame, target: ImplementationTarget, sources: tuple[str, ...], max_layers: int) -> pd.DataFrame:
    """The rows of one implementation target, from ``sources`` (every origin), with at most ``max_layers`` layers with weights."""
    if table.empty:
        return table
    selected = table[
        table["source"].isin(sources)
        & (table["target_strategy"] == target.strategy)
        & (table["target_part"] == target.part)
        & (table["target_reuse_factor"] == target.reuse_factor)
        & (table["target_clock_period_ns"] == target.clock_period_ns)
        & (table["target_io_type"] == target.io_type)
    ]
    archs = [architecture_of(row) for _, row in selected.iterrows()]
    usable = [len(arch.weighted_layers()) <= max_layers for arch in archs]
    return selected[np.asarray(usable, dtype=bool)].reset_index(drop=True)
