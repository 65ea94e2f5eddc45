"""The ground-truth table shipped with the package: present, of the configured target, as wide as promised, and true."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.ground_truth import (
    SHIPPED_TABLE,
    DesignRequest,
    GroundTruthStore,
    architecture_of,
    counts_are_current,
    da4ml_version,
    row_statistics,
)
from snac_pack.hardware.exact import ExactDesign
from snac_pack.hardware.network import WEIGHT_DISTRIBUTIONS
from snac_pack.hardware.surrogate_features import WEIGHT_STATISTICS

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = ("design_id", "arch_key", "architecture", "arch_json", "weight_origin", "weight_seed", "origin", "plan", "source")
FIGURES = ("lut", "ff", "dsp", "bram_18k", "latency_cycles")
TARGET = ("target_strategy", "target_reuse_factor", "target_part", "target_clock_period_ns", "target_io_type")
TASKS = ("jet", "qubit", "tabular")  # the plans of the built-in tasks' designs (their `task.name`)


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    assert SHIPPED_TABLE.is_file(), f"{SHIPPED_TABLE} is missing: build it (docs/ground_truth.md)"
    return GroundTruthStore(SHIPPED_TABLE, shipped=None).table()


def test_the_shipped_table_is_small_and_holds_its_schema_on_the_configured_target(shipped: pd.DataFrame) -> None:
    assert SHIPPED_TABLE.stat().st_size < 5 * 2**20
    missing = [column for column in (*IDENTITY, *FIGURES, *TARGET, "da4ml_version", "trace_version") if column not in shipped]
    assert not missing
    configured = ImplementationTarget.model_validate(yaml.safe_load((ROOT / "conf/base/parameters_hardware.yml").read_text())["hardware_target"])
    assert set(map(tuple, shipped[list(TARGET)].drop_duplicates().to_numpy().tolist())) == {
        (configured.strategy, configured.reuse_factor, configured.part, configured.clock_period_ns, configured.io_type)
    }
    assert set(shipped["da4ml_version"]) == {da4ml_version()}
    assert not shipped.duplicated(["design_id", "source", "stage"] if "stage" in shipped else ["design_id", "source"]).any()


def test_the_shipped_table_spans_the_promised_ranges_distributions_and_tasks(shipped: pd.DataFrame) -> None:
    da4ml = shipped[shipped["source"] == "da4ml"]
    assert len(da4ml) >= 3_000
    every = [architecture_of(row) for _, row in da4ml.drop_duplicates("arch_key").iterrows()]
    archs = [arch for arch in every if arch.is_mlp]
    assert {arch.depth - 1 for arch in archs} >= set(range(1, 9))
    # Log-uniform draws over 4-256 inputs: both ends are reached to within a few inputs.
    assert min(arch.n_inputs for arch in archs) <= 5 and max(arch.n_inputs for arch in archs) >= 240
    widths = [width for arch in archs for width in arch.widths[1:-1]]
    assert min(widths) <= 4 and max(widths) >= 128
    assert {arch.n_outputs for arch in archs} >= set(range(2, 11))
    weight_bits = {layer.weight_bits for arch in archs for layer in arch.layers}
    activation_bits = {layer.activation_bits for arch in archs for layer in arch.layers}
    assert weight_bits >= set(range(2, 9)) and activation_bits >= set(range(4, 11))
    sparsities = [layer.sparsity for arch in archs for layer in arch.layers]
    assert min(sparsities) < 0.02 and max(sparsities) > 0.9
    assert set(da4ml["weight_distribution"].dropna()) == set(WEIGHT_DISTRIBUTIONS)
    drawn_again = da4ml[da4ml["weight_origin"] == "random"].groupby("arch_key").size()
    assert (drawn_again >= 3).sum() >= 200
    trained = da4ml[da4ml["origin"] == "trained"]
    assert set(trained["plan"]) >= set(TASKS)
    assert set(da4ml["plan"]) >= {"broad", "families", *TASKS}
    assert (shipped["source"] == "yosys").sum() >= 40
    # Networks over tokens: every family, on every constituent count and on short and long traces.
    families = [arch for arch in every if not arch.is_mlp]
    counts = pd.Series([arch.family for arch in families]).value_counts()
    assert set(counts.index) == {"deepsets", "mixer", "conv1d"} and counts.min() >= 150
    assert {arch.tokens for arch in families if arch.family != "conv1d"} == {8, 16, 32}
    traces = [arch.tokens for arch in families if arch.family == "conv1d"]
    assert min(traces) <= 12 and max(traces) >= 150


def test_a_design_recomputed_from_its_row_gives_the_stored_cost(shipped: pd.DataFrame) -> None:
    random = shipped[(shipped["source"] == "da4ml") & (shipped["weight_origin"] == "random")]
    # Small ones, one of each distribution: da4ml takes seconds per design here.
    sizes = pd.Series([architecture_of(row).n_unpruned_weights() for _, row in random.iterrows()], index=random.index)
    for distribution in WEIGHT_DISTRIBUTIONS:
        of_distribution = random[random["weight_distribution"].fillna("glorot_normal") == distribution]
        row = of_distribution.loc[sizes[of_distribution.index].idxmin()]
        request = DesignRequest(architecture_of(row), "random", int(row["weight_seed"]), distribution=distribution)
        assert request.design_id() == row["design_id"]
        cost = ExactDesign.build(request.arch, request.network()).cost()
        assert (cost.lut, cost.ff, cost.latency_cycles) == (row["lut"], row["ff"], row["latency_cycles"])


def test_every_trained_network_of_the_shipped_table_has_counts_of_the_current_definition(shipped: pd.DataFrame) -> None:
    # Trained weights are not kept: counts of an older definition would leave the weight-aware
    # surrogate without the tasks' trained networks on a first run.
    trained = shipped[(shipped["source"] == "da4ml") & (shipped["weight_origin"] == "trained")]
    assert set(trained["plan"]) >= set(TASKS)
    assert all(counts_are_current(row) for _, row in trained.iterrows())
    assert all(row_statistics(row).shape == (len(architecture_of(row).weighted_layers()), len(WEIGHT_STATISTICS))
               for _, row in trained.iterrows())
