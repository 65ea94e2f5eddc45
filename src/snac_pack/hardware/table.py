"""The ground-truth table that ships with the package: its plan, shards computed anywhere, one merged file.

The shipped table (:data:`~snac_pack.hardware.ground_truth.SHIPPED_TABLE`) holds exact da4ml
costs (and Yosys syntheses of a subset) of designs spread over ranges wider than any built-in
search space, so that the surrogate of a first run is right without computing anything:

- :func:`broad_designs`: depth, inputs, widths, precisions and sparsity drawn over
  :class:`BroadRanges` (log-uniform sizes, per-layer precisions and sparsities for a part), each
  with random weights from one of three distributions (Glorot normal, Glorot uniform, Laplace)
  and, for every tenth design, further draws of the same architecture;
- the built-in tasks' own designs (random draws of their search spaces and networks trained on
  their data) come from ``kedro run --env <task> --pipeline surrogate_training`` and are merged in.

Commands (``python -m snac_pack.hardware.table --help``; docs/ground_truth.md):

- ``plan``: what a plan holds;
- ``build --shard K --shards N --out DIR``: the designs of shard K (index mod N), appended to
  ``DIR/shard_K_of_N.jsonl`` as they arrive (resumable: a rerun computes only what is missing;
  ``--extend TABLE`` also skips what a table holds, to extend the shipped one by a larger plan),
  in ``--workers`` processes; shards run on any machines (a SLURM array task each);
- ``merge INPUT... --into FILE``: every row of the shards and project tables, once per design,
  source and stage, as xz-compressed JSON Lines;
- ``refresh TABLE --shard K --shards N --out DIR``: the random-weight designs of a table (rows of
  any da4ml version) costed again with the installed da4ml into ``DIR/refresh_K_of_N.jsonl``
  (resumable, sharded like ``build``), warning about every design whose figures differ from its
  old row of the same version; merged in front of the table, after a da4ml upgrade or to check
  that the table reproduces.

This module knows nothing of Kedro.
"""

from __future__ import annotations

import argparse
import json
import logging
import lzma
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from snac_pack.hardware.architecture import (
    Architecture,
    Conv1DLayerSpec,
    DenseLayerSpec,
    FlattenLayerSpec,
    ImplementationTarget,
    PointwiseLayerSpec,
    PoolLayerSpec,
    TokenMixLayerSpec,
)
from snac_pack.hardware.ground_truth import (
    SHIPPED_TABLE,
    DesignRequest,
    GroundTruthStore,
    architecture_of,
    counts_are_current,
    da4ml_version,
    extend_ground_truth,
)
from snac_pack.hardware.network import WEIGHT_DISTRIBUTIONS
from snac_pack.hardware.surrogate_features import STATISTICS_VERSION

logger = logging.getLogger(__name__)

_STRICT = ConfigDict(extra="forbid", frozen=True)
#: Seeds of broad designs start here, far from the seeds the pipelines use (``seed * 1_000_003 + index``).
_SEED_OFFSET = 10**12


class BroadRanges(BaseModel):
    """The ranges :func:`broad_designs` draws from (inclusive)."""

    model_config = _STRICT

    hidden_layers: tuple[int, int] = (1, 8)
    n_inputs: tuple[int, int] = (4, 256)
    widths: tuple[int, int] = (4, 128)
    n_outputs: tuple[int, int] = (2, 10)
    input_bits: tuple[int, int] = (4, 10)
    weight_bits: tuple[int, int] = (2, 8)
    activation_bits: tuple[int, int] = (4, 10)
    sparsity: tuple[float, float] = (0.0, 0.95)
    #: Designs with more nonzero weights are drawn again: da4ml's time and memory grow with them
    #: (a task's own plan, merged in, covers its larger networks).
    max_nonzero_weights: int = Field(default=4_000, ge=100)
    #: Designs with a layer whose Glorot weights have a standard deviation below this many least
    #: significant bits are drawn again: nearly all their weights would round to zero.
    min_weight_scale_lsb: float = Field(default=0.5, ge=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> BroadRanges:
        _check_ranges(self, [name for name in type(self).model_fields if isinstance(getattr(self, name), tuple)])
        return self


def _check_ranges(ranges: BaseModel, names: Sequence[str]) -> None:
    """Refuse a ``(low, high)`` field whose low is above its high, and sparsities reaching 1."""
    for name in names:
        low, high = getattr(ranges, name)
        if low > high:
            raise ValueError(f"{name}: low {low} is above high {high}")
    if getattr(ranges, "sparsity")[1] >= 1.0:
        raise ValueError(f"sparsity: high {getattr(ranges, 'sparsity')[1]} must be below 1")


class FamilyRanges(BaseModel):
    """The ranges :func:`family_designs` draws networks over tokens from (inclusive).

    ``deepsets`` and ``mixer`` read jet-like constituents (``constituents`` tokens of
    ``constituent_features``), ``conv1d`` readout-like traces (``samples`` tokens of
    ``sample_features``); the bodies are those the search space builds (per-token layers then
    the average; blocks of token and per-token mixing then the average or a flatten;
    convolutions then a flatten), followed by dense hidden layers and a head.
    """

    model_config = _STRICT

    families: tuple[Literal["deepsets", "mixer", "conv1d"], ...] = ("deepsets", "mixer", "conv1d")
    constituents: tuple[int, ...] = (8, 16, 32)
    constituent_features: int = Field(default=3, ge=1)
    samples: tuple[int, int] = (10, 200)
    sample_features: int = Field(default=2, ge=1)
    body_layers: tuple[int, int] = (1, 2)
    body_units: tuple[int, int] = (4, 32)
    token_units: tuple[int, ...] = (2, 4, 8, 16)
    kernel_size: tuple[int, int] = (2, 7)
    stride: tuple[int, int] = (1, 2)
    hidden_layers: tuple[int, int] = (0, 2)
    widths: tuple[int, int] = (4, 64)
    n_outputs: tuple[int, int] = (2, 5)
    input_bits: tuple[int, int] = (6, 10)
    weight_bits: tuple[int, int] = (3, 8)
    activation_bits: tuple[int, int] = (5, 10)
    sparsity: tuple[float, float] = (0.0, 0.8)
    #: Designs whose kernels hold more nonzero weights summed over their applications (each
    #: token's or position's adders are built) are drawn again, as :attr:`BroadRanges.max_nonzero_weights`.
    max_built_weights: int = Field(default=4_000, ge=100)

    @model_validator(mode="after")
    def _ordered(self) -> FamilyRanges:
        _check_ranges(self, ("samples", "body_layers", "body_units", "kernel_size", "stride", "hidden_layers", "widths",
                             "n_outputs", "input_bits", "weight_bits", "activation_bits", "sparsity"))
        return self


class TablePlan(BaseModel):
    """Which designs the shipped table holds.

    Attributes:
        n_designs: broad architectures (each with one weight draw).
        extra_draws: further weight draws of every tenth architecture.
        n_yosys: the smallest designs (by BOPs) of the plan also synthesised with Yosys.
        n_family_designs: networks over tokens (:func:`family_designs`), one weight draw each.
        seed: seed of the plan.
        ranges: what the architectures are drawn from.
        family_ranges: what the networks over tokens are drawn from.
        target: the implementation target of every design.
    """

    model_config = _STRICT

    n_designs: int = Field(default=2_700, ge=1)
    extra_draws: int = Field(default=2, ge=0)
    n_yosys: int = Field(default=48, ge=0)
    n_family_designs: int = Field(default=600, ge=0)
    seed: int = 0
    ranges: BroadRanges = BroadRanges()
    family_ranges: FamilyRanges = FamilyRanges()
    target: ImplementationTarget = ImplementationTarget()


def _log_uniform_int(rng: np.random.Generator, low: int, high: int) -> int:
    return int(min(high, max(low, round(math.exp(rng.uniform(math.log(low), math.log(high)))))))


def _broad_architecture(rng: np.random.Generator, ranges: BroadRanges, target: ImplementationTarget) -> Architecture:
    """One architecture drawn over ``ranges``; a third have per-layer precisions and sparsities."""
    while True:
        depth = int(rng.integers(ranges.hidden_layers[0], ranges.hidden_layers[1] + 1))
        n_inputs = _log_uniform_int(rng, *ranges.n_inputs)
        shape = rng.choice(["funnel", "equal", "free"])
        if shape == "equal":
            hidden = [_log_uniform_int(rng, *ranges.widths)] * depth
        else:
            hidden = [_log_uniform_int(rng, *ranges.widths) for _ in range(depth)]
            if shape == "funnel":
                hidden.sort(reverse=True)
        widths = [*hidden, int(rng.integers(ranges.n_outputs[0], ranges.n_outputs[1] + 1))]
        per_layer = rng.uniform() < 1 / 3
        weight_bits = int(rng.integers(ranges.weight_bits[0], ranges.weight_bits[1] + 1))
        activation_bits = int(rng.integers(ranges.activation_bits[0], ranges.activation_bits[1] + 1))
        sparsity = float(rng.uniform(*ranges.sparsity))
        layers = []
        for index, units in enumerate(widths):
            head = index == len(widths) - 1
            if per_layer:
                weight_bits = int(rng.integers(ranges.weight_bits[0], ranges.weight_bits[1] + 1))
                activation_bits = int(rng.integers(ranges.activation_bits[0], ranges.activation_bits[1] + 1))
                sparsity = float(rng.uniform(*ranges.sparsity))
            # Integer bits: mostly what trained classifiers need (weights in ±1, activations to 8).
            integer_bits = int(rng.integers(1, min(4, activation_bits - int(head)) + 1))
            layers.append(DenseLayerSpec(
                units=units,
                activation="linear" if head else "relu",
                weight_bits=weight_bits,
                weight_integer_bits=int(rng.uniform() < 0.2 and weight_bits > 2),
                activation_bits=activation_bits,
                activation_integer_bits=integer_bits,
                sparsity=round(sparsity, 4),
            ))
        input_bits = int(rng.integers(ranges.input_bits[0], ranges.input_bits[1] + 1))
        arch = Architecture(
            n_inputs=n_inputs, input_bits=input_bits, input_integer_bits=min(3, input_bits - 1), layers=tuple(layers), target=target,
        )
        shapes = list(zip(arch.layer_shapes(), arch.layers, strict=True))
        nonzero = sum(fan_in * units * (1 - layer.sparsity) for (fan_in, units), layer in shapes)
        scale_lsb = min(math.sqrt(2 / (fan_in + units)) * 2.0**layer.weight_format.fractional_bits for (fan_in, units), layer in shapes)
        if nonzero <= ranges.max_nonzero_weights and scale_lsb >= ranges.min_weight_scale_lsb:
            return arch


def broad_designs(plan: TablePlan) -> list[DesignRequest]:
    """Every design of the plan, in a fixed order (the same plan gives the same designs anywhere).

    Returns:
        ``n_designs`` architectures with one draw each (distributions in turn), then the extra
        draws of every tenth architecture.
    """
    rng = np.random.default_rng(plan.seed)
    archs = [_broad_architecture(rng, plan.ranges, plan.target) for _ in range(plan.n_designs)]
    seed = _SEED_OFFSET + plan.seed * 10**7
    designs = [
        DesignRequest(arch, "random", seed + index, origin="random", distribution=WEIGHT_DISTRIBUTIONS[index % len(WEIGHT_DISTRIBUTIONS)],
                      plan="broad")
        for index, arch in enumerate(archs)
    ]
    for draw in range(1, plan.extra_draws + 1):
        designs += [
            DesignRequest(arch, "random", seed + draw * plan.n_designs + index, origin="random",
                          distribution=WEIGHT_DISTRIBUTIONS[index % len(WEIGHT_DISTRIBUTIONS)], plan="broad")
            for index, arch in enumerate(archs) if index % 10 == 0
        ]
    return designs


def _random_formats(rng: np.random.Generator, ranges: FamilyRanges, head: bool = False) -> dict[str, Any]:
    """A weighted layer's formats and sparsity, drawn over ``ranges`` (integer bits as broad designs draw them)."""
    weight_bits = int(rng.integers(ranges.weight_bits[0], ranges.weight_bits[1] + 1))
    activation_bits = int(rng.integers(ranges.activation_bits[0], ranges.activation_bits[1] + 1))
    return {
        "activation": "linear" if head else "relu",
        "weight_bits": weight_bits,
        "weight_integer_bits": int(rng.uniform() < 0.2 and weight_bits > 2),
        "activation_bits": activation_bits,
        "activation_integer_bits": int(rng.integers(1, min(4, activation_bits - int(head)) + 1)),
        "sparsity": round(float(rng.uniform(*ranges.sparsity)), 4),
    }


def _family_architecture(rng: np.random.Generator, family: str, ranges: FamilyRanges, target: ImplementationTarget) -> Architecture:
    """One network of ``family`` drawn over ``ranges``; drawn again while it has too many built weights."""
    while True:
        if family == "conv1d":
            tokens, features = _log_uniform_int(rng, *ranges.samples), ranges.sample_features
        else:
            tokens, features = int(rng.choice(ranges.constituents)), ranges.constituent_features
        body: list[Any] = []
        for _ in range(int(rng.integers(ranges.body_layers[0], ranges.body_layers[1] + 1))):
            units = _log_uniform_int(rng, *ranges.body_units)
            if family == "mixer":
                body.append(TokenMixLayerSpec(units=int(rng.choice(ranges.token_units)), **_random_formats(rng, ranges)))
            if family == "conv1d":
                body.append(Conv1DLayerSpec(
                    units=units, kernel_size=int(rng.integers(ranges.kernel_size[0], ranges.kernel_size[1] + 1)),
                    stride=int(rng.integers(ranges.stride[0], ranges.stride[1] + 1)), **_random_formats(rng, ranges),
                ))
            else:
                body.append(PointwiseLayerSpec(units=units, **_random_formats(rng, ranges)))
        if family == "deepsets" or (family == "mixer" and rng.uniform() < 0.5):
            last = body[-1]
            body.append(PoolLayerSpec(activation_bits=last.activation_bits, activation_integer_bits=last.activation_integer_bits))
        else:
            body.append(FlattenLayerSpec())
        hidden = [
            DenseLayerSpec(units=_log_uniform_int(rng, *ranges.widths), **_random_formats(rng, ranges))
            for _ in range(int(rng.integers(ranges.hidden_layers[0], ranges.hidden_layers[1] + 1)))
        ]
        head = DenseLayerSpec(units=int(rng.integers(ranges.n_outputs[0], ranges.n_outputs[1] + 1)), **_random_formats(rng, ranges, head=True))
        input_bits = int(rng.integers(ranges.input_bits[0], ranges.input_bits[1] + 1))
        try:
            arch = Architecture(
                n_inputs=features, tokens=tokens, input_bits=input_bits, input_integer_bits=min(3, input_bits - 1),
                layers=(*body, *hidden, head), target=target,
            )
        except ValueError:  # a convolution stack longer than the trace: draw again
            continue
        if arch.n_built_weights() <= ranges.max_built_weights:
            return arch


def family_designs(plan: TablePlan) -> list[DesignRequest]:
    """The plan's networks over tokens, the families in turn, one weight draw each (distributions in turn).

    The same plan gives the same designs anywhere; their seeds follow the broad designs'.
    """
    ranges = plan.family_ranges
    rng = np.random.default_rng([plan.seed, 1])
    seed = _SEED_OFFSET + plan.seed * 10**7 + (plan.extra_draws + 1) * plan.n_designs
    return [
        DesignRequest(
            _family_architecture(rng, ranges.families[index % len(ranges.families)], ranges, plan.target), "random", seed + index,
            origin="random", distribution=WEIGHT_DISTRIBUTIONS[(index // len(ranges.families)) % len(WEIGHT_DISTRIBUTIONS)],
            plan="families",
        )
        for index in range(plan.n_family_designs)
    ]


def yosys_designs(plan: TablePlan, designs: Sequence[DesignRequest]) -> list[DesignRequest]:
    """The ``n_yosys`` smallest designs by BOPs (Yosys needs minutes and gigabytes per medium design)."""
    return sorted(designs, key=lambda design: design.arch.bops())[: plan.n_yosys]


def shard_of(designs: Sequence[DesignRequest], shard: int, shards: int) -> list[DesignRequest]:
    """The designs of one shard: those whose position in the plan is ``shard`` modulo ``shards``."""
    if not 0 <= shard < shards:
        raise ValueError(f"--shard must be in 0 … {shards - 1} for --shards {shards}, got {shard}")
    return [design for index, design in enumerate(designs) if index % shards == shard]


def _extend_timed(store: GroundTruthStore, requests: Sequence[DesignRequest], label: str, n_workers: int) -> None:
    """da4ml's figures of the ``requests`` not yet in ``store``, logging the time per 1,000 designs."""
    started = time.perf_counter()
    added = extend_ground_truth(store, requests, "da4ml", n_workers)
    if added:
        seconds = time.perf_counter() - started
        logger.info("%s: %d da4ml designs in %.0f s on %d processes (%.0f s per 1,000 designs)",
                    label, added, seconds, n_workers, 1000 * seconds / added)


#: The parts of a plan ``build`` computes.
PLAN_PARTS = ("broad", "families")


def plan_designs(plan: TablePlan, parts: Sequence[str] = PLAN_PARTS) -> list[DesignRequest]:
    """The designs of the named parts of a plan, broad designs first."""
    unknown = sorted(set(parts) - set(PLAN_PARTS))
    if unknown:
        raise ValueError(f"unknown plan parts {unknown}; parts: {list(PLAN_PARTS)}")
    return [*(broad_designs(plan) if "broad" in parts else []), *(family_designs(plan) if "families" in parts else [])]


def build_shard(
    plan: TablePlan, shard: int, shards: int, out: Path, n_workers: int, yosys: bool, yosys_timeout_s: float = 1800.0,
    parts: Sequence[str] = PLAN_PARTS, extend: Path | None = None,
) -> Path:
    """Compute one shard's designs of the plan's ``parts`` (da4ml; Yosys for its share of the Yosys subset) into its own file.

    Resumable: what the file already holds is not computed again, nor what ``extend`` (a table,
    e.g. the shipped one, when a larger plan extends it) holds of the installed da4ml. The Yosys
    subset is drawn from the broad designs.

    Returns:
        The shard's file.
    """
    designs = plan_designs(plan, parts)
    path = Path(out) / f"shard_{shard}_of_{shards}.jsonl"
    if extend is not None and not Path(extend).is_file():
        raise FileNotFoundError(f"--extend {extend}: no such table (the shipped one is {SHIPPED_TABLE})")
    store = GroundTruthStore(path, shipped=extend)
    _extend_timed(store, shard_of(designs, shard, shards), f"Shard {shard}/{shards}", n_workers)
    if yosys and "broad" in parts:
        broad = [design for design in designs if design.plan == "broad"]
        extend_ground_truth(store, shard_of(yosys_designs(plan, broad), shard, shards), "yosys", n_workers, yosys_timeout_s)
    return path


def merge_tables(inputs: Sequence[Path], into: Path) -> int:
    """Every row of ``inputs`` (shards, project tables, an older shipped table) once, into an xz file.

    A row is identified by its design, source and stage; the first input holding it wins. Rows
    an input's reader leaves out (older trace conventions, other da4ml versions) stay out, and so
    do rows of trained weights whose counts (``weight_statistics``) are of an older definition:
    their weights are not kept, so they can no longer be described (train them again:
    docs/ground_truth.md). A random draw's stale counts are dropped from its row (they are
    recounted from its seed).

    Returns:
        The number of rows written.
    """
    rows: dict[tuple[str, str, str | None], dict] = {}
    stale_trained = 0
    for path in inputs:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such table to merge")
        for row in GroundTruthStore(path, shipped=None).rows():
            row.pop("table", None)
            if "weight_statistics" in row and not counts_are_current(row):
                if row["weight_origin"] != "random":
                    stale_trained += 1
                    continue
                row.pop("weight_statistics")
                row.pop("weight_statistics_version", None)
            rows.setdefault((row["design_id"], row["source"], row.get("stage")), row)
    if stale_trained:
        logger.warning("Left out %d rows of trained weights whose counts are of an older definition than "
                       "STATISTICS_VERSION %d (their weights are not kept): train them again, docs/ground_truth.md",
                       stale_trained, STATISTICS_VERSION)
    into = Path(into)
    into.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows.values(), key=lambda row: (row["design_id"], row["source"], str(row.get("stage"))))
    temporary = into.with_name(into.name + ".partial")
    with lzma.open(temporary, "wt", preset=9) as stream:
        for row in ordered:
            stream.write(json.dumps(row, sort_keys=True) + "\n")
    temporary.replace(into)
    return len(ordered)


#: The figures a refreshed row must repeat to count as reproduced.
_REPRODUCED_COLUMNS = ("lut", "ff", "latency_cycles")


def refresh_requests(table: Path) -> list[DesignRequest]:
    """The random-weight da4ml designs of ``table``, of any da4ml version or trace convention.

    Their weights are drawn again from the recorded seed and distribution; trained rows are not
    among them (their weights are not stored).

    Raises:
        FileNotFoundError: when ``table`` does not exist.
        ValueError: when a row's description does not rebuild its design id.
    """
    table = Path(table)
    if not table.is_file():
        raise FileNotFoundError(f"{table}: no such table to refresh (the shipped one is src/snac_pack/hardware/shipped/ground_truth.jsonl.xz)")
    requests: dict[str, DesignRequest] = {}
    for row in GroundTruthStore(table, shipped=None).rows(any_version=True):
        if row["source"] != "da4ml" or row["weight_origin"] != "random":
            continue
        request = DesignRequest(
            architecture_of(row), "random", int(row["weight_seed"]), origin=row["origin"],
            distribution=row.get("weight_distribution") or "glorot_normal", plan=row.get("plan"),
        )
        if request.design_id() != row["design_id"]:
            raise ValueError(f"{table}: row {row['design_id']} does not rebuild its design from its description "
                             f"(rebuilt as {request.design_id()}); the table was written by an incompatible version")
        requests.setdefault(request.design_id(), request)
    return list(requests.values())


def refresh_shard(table: Path, shard: int, shards: int, out: Path, n_workers: int) -> Path:
    """Cost one shard of ``table``'s random-weight designs again with the installed da4ml.

    Resumable like :func:`build_shard`. Warns, naming them, about designs whose new figures
    differ from their old rows of the same da4ml version and trace convention.

    Returns:
        The shard's file, ``out/refresh_K_of_N.jsonl``.
    """
    requests = shard_of(refresh_requests(table), shard, shards)
    path = Path(out) / f"refresh_{shard}_of_{shards}.jsonl"
    store = GroundTruthStore(path, shipped=None)
    _extend_timed(store, requests, f"Refresh {shard}/{shards}", n_workers)
    old = {row["design_id"]: row for row in GroundTruthStore(table, shipped=None).rows() if row["source"] == "da4ml"}
    new = {row["design_id"]: row for row in store.rows() if row["source"] == "da4ml"}
    differing = sorted(design for design, row in new.items()
                       if design in old and any(row[name] != old[design][name] for name in _REPRODUCED_COLUMNS))
    if differing:
        logger.warning("%d designs differ from their old rows under the same da4ml version and trace convention, so the "
                       "table is not reproduced: %s", len(differing), ", ".join(differing))
    else:
        logger.info("Refresh %d/%d: every design with an old row of da4ml %s reproduces it (%d of %d designs had one)", shard, shards,
                    da4ml_version(), len(set(new) & set(old)), len(new))
    return path


def _load_plan(path: str | None) -> TablePlan:
    if path is None:
        return TablePlan()
    import yaml

    return TablePlan.model_validate(yaml.safe_load(Path(path).read_text()) or {})


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m snac_pack.hardware.table", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    plan_command = commands.add_parser("plan", help="what the plan holds")
    build = commands.add_parser("build", help="compute one shard's designs")
    for command in (plan_command, build):
        command.add_argument("--plan", help="a YAML file of TablePlan fields (default: the shipped table's plan)")
    build.add_argument("--no-yosys", action="store_true", help="skip the Yosys subset")
    build.add_argument("--parts", nargs="+", choices=PLAN_PARTS, default=list(PLAN_PARTS),
                       help="which designs of the plan: broad dense networks, networks over tokens (default: both)")
    build.add_argument("--extend", type=Path, help="a table whose designs are not computed again (e.g. the shipped one, "
                                                   "which a larger plan extends): the shard holds the new designs")
    merge = commands.add_parser("merge", help="merge shards and project tables into one xz file")
    merge.add_argument("inputs", nargs="+", type=Path)
    merge.add_argument("--into", type=Path, required=True)
    refresh = commands.add_parser("refresh", help="cost a table's random-weight designs again with the installed da4ml")
    refresh.add_argument("table", type=Path)
    for command in (build, refresh):
        command.add_argument("--shard", type=int, default=int(os.environ.get("SLURM_ARRAY_TASK_ID", 0)))
        command.add_argument("--shards", type=int, default=int(os.environ.get("SLURM_ARRAY_TASK_COUNT", 1)))
        command.add_argument("--out", type=Path, default=Path("data/03_primary/table_shards"))
        command.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.command == "plan":
        plan = _load_plan(args.plan)
        designs = broad_designs(plan)
        families = family_designs(plan)
        depths = [design.arch.depth for design in designs]
        print(json.dumps({
            "plan": plan.model_dump(mode="json"),
            "designs": len(designs),
            "architectures": len({design.arch.key() for design in designs}),
            "by_distribution": {name: sum(d.distribution == name for d in designs) for name in WEIGHT_DISTRIBUTIONS},
            "depth_range": [min(depths), max(depths)],
            "yosys": len(yosys_designs(plan, designs)),
            "family_designs": {family: sum(d.arch.family == family for d in families) for family in plan.family_ranges.families},
        }, indent=2))
        return 0
    if args.command == "build":
        path = build_shard(_load_plan(args.plan), args.shard, args.shards, args.out, args.workers, yosys=not args.no_yosys,
                           parts=args.parts, extend=args.extend)
        print(path)
        return 0
    if args.command == "refresh":
        print(refresh_shard(args.table, args.shard, args.shards, args.out, args.workers))
        return 0
    print(f"{merge_tables(args.inputs, args.into)} rows written to {args.into}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
