"""Small hand-made inputs of the report functions: one of every output a run feeds its reports.

The hardware rows come from the library's own types (``HardwareCost`` of da4ml's shape, Yosys'
cost from cell counts), so the reports see exactly the keys a run gives them.
"""

from __future__ import annotations

import json

import pandas as pd

from snac_pack.compression.comparison import MetricDifference
from snac_pack.hardware import ImplementationTarget
from snac_pack.hardware.cost import HardwareCost
from snac_pack.hardware.yosys import cost_from_cell_counts
from snac_pack.reporting.compression_report import SUMMARY_COLUMNS

TARGET = ImplementationTarget()
ARCH_JSON = json.dumps({"n_inputs": 4, "layers": [], "target": TARGET.model_dump(mode="json")})


def surrogate_metrics() -> dict:
    """``surrogate_metrics`` of a surrogate judged on 40 held-out random and 6 trained designs."""

    def group(n: int, lut: float, ff: float) -> dict:
        return {
            "n": n,
            "lut": {"n": float(n), "r2": 0.99, "median_rel_error": lut, "p90_rel_error": 2 * lut},
            "ff": {"n": float(n), "r2": 0.97, "median_rel_error": ff, "p90_rel_error": 2 * ff},
            "dsp": {"n": float(n), "constant": 0.0},
            "bram_18k": {"n": float(n), "constant": 0.0},
            "latency_cycles": {"n": float(n), "r2": 0.9, "median_rel_error": 0.1, "within_one_cycle": 0.95},
            "initiation_interval": {"n": float(n), "constant": 1.0, "median_rel_error": 0.0, "within_one_cycle": 1.0},
        }

    return {
        "target": TARGET.model_dump(),
        "sources": ["da4ml"],
        "n_training_rows": 120,
        "held_out_random_weights": group(40, 0.025, 0.04),
        "trained_weights": group(6, 0.08, 0.05),
        "yosys": {"n": 2, "lut": {"n": 2.0, "r2": 0.8, "median_rel_error": 0.06}, "ff": {"n": 2.0, "median_rel_error": 0.07}},
        "by_origin": [
            {"origin": "random", "n": 40, "lut_r2": 0.99, "lut_median_rel_error": 0.025, "ff_r2": 0.97, "ff_median_rel_error": 0.04, "latency_within_one_cycle": 0.95},
            {"origin": "compression", "n": 0, "lut_r2": None, "lut_median_rel_error": None, "ff_r2": None, "ff_median_rel_error": None, "latency_within_one_cycle": None},
        ],
        "yosys_vs_da4ml": {"n_designs": 2},
    }


def data_report() -> dict:
    """A data report of simulated qubit readout."""
    return {
        "task": "qubit",
        "provenance": {
            "kind": "simulated",
            "generator": "snac_pack.data.qubit.simulate_readout",
            "settings": {"n_samples": 50, "t1_ns": 30000.0},
            "n_examples": 400,
            "seed": 7,
            "package_versions": {"snac-pack": "0.1.0", "numpy": "2.0"},
            "cache_file": {"path": "data/01_raw/simulations/qubit_400_abc.npz", "sha256": "ab" * 32},
        },
        "n_examples": 400,
        "raw_input_shape": [50, 2],
        "n_features": 100,
        "class_balance": {"train": {"ground": 120, "excited": 120}, "val": {"ground": 40, "excited": 40}, "test": {"ground": 40, "excited": 40}},
        "feature_summary": [],
    }


def trials(estimator: str = "surrogate") -> pd.DataFrame:
    """Four complete trials and one failed one, their figures from ``estimator``."""
    start = pd.Timestamp("2025-01-01 10:00:00")
    rows = []
    for number, (lut, accuracy) in enumerate([(900.0, 0.70), (1500.0, 0.74), (4000.0, 0.76), (2500.0, 0.72)]):
        rows.append({
            "number": number, "state": "COMPLETE", "accuracy": accuracy, "lut": lut, "worker": "w0",
            "datetime_start": start + pd.Timedelta(minutes=number), "datetime_complete": start + pd.Timedelta(minutes=number + 1),
            "attr_accuracy": accuracy, "attr_lut": lut, "attr_ff": lut / 3, "attr_dsp": 0.0, "attr_bram_18k": 0.0,
            "attr_latency_cycles": 4.0, "attr_bops": 40 * lut, "attr_lut_pct": 100 * lut / 1.728e6, "attr_ff_pct": 0.01,
            "attr_dsp_pct": 0.0, "attr_bram_18k_pct": 0.0, "attr_avg_resource_pct": 0.03,
            "attr_surrogate_lut": 1.05 * lut, "attr_surrogate_ff": 1.02 * lut / 3,
            "attr_estimator": estimator, "attr_architecture": f"4-{8 * (number + 1)}-2 w6/a6 s0.00 @ distributed_arithmetic",
            "attr_arch_json": ARCH_JSON, "attr_train_seconds": 50.0, "attr_estimator_seconds": 0.01,
        })
    rows.append({"number": 4, "state": "FAIL", "worker": "w0", "datetime_start": start, "datetime_complete": start})
    return pd.DataFrame(rows)


def front(table: pd.DataFrame) -> pd.DataFrame:
    """The hand-picked front of :func:`trials`: trials 0, 1 and 2."""
    return table[table["number"].isin([0, 1, 2])]


def compression_history() -> pd.DataFrame:
    """Two networks through three pruning iterations at one precision."""
    rows = []
    for model, kind, base in (("baseline_8", "baseline", 3000.0), ("trial_3", "candidate", 2000.0)):
        for iteration, (sparsity, metric) in enumerate([(0.0, 0.75), (0.3, 0.745), (0.6, 0.70)]):
            lut = base * (1 - sparsity)
            rows.append({
                "model": model, "kind": kind, "architecture": f"4-8-2 w6/a6 s{sparsity:.2f} @ distributed_arithmetic", "precision": "w6.1-a6.2",
                "iteration": iteration, "sparsity": sparsity, "val_metric": metric, "exact_lut": lut, "exact_ff": lut / 3, "exact_dsp": 0.0,
                "exact_bram_18k": 0.0, "exact_latency_cycles": 4.0, "exact_latency_ns": 20.0, "surrogate_lut": 1.1 * lut,
                "surrogate_ff": lut / 2.9, "surrogate_latency_cycles": 4.2, "bops": 30 * lut,
            })
    return pd.DataFrame(rows)


def selected() -> pd.DataFrame:
    """The selected point of each network in :func:`compression_history`, with a test metric."""
    history = compression_history()
    chosen = history[history["iteration"] == 1].assign(reference_metric=0.75, test_metric=[0.74, 0.745])
    return chosen[[column for column in SUMMARY_COLUMNS if column in chosen]]


def comparisons() -> list[MetricDifference]:
    """The candidate of :func:`selected` against its baseline on a test split."""
    return [MetricDifference(model="trial_3", reference="baseline_8", difference=0.005, low=-0.002, high=0.012,
                             confidence=0.95, n_examples=5000, n_resamples=2000)]


def picks() -> tuple[pd.DataFrame, list[MetricDifference]]:
    """The points of :func:`compression_history` chosen against its baseline, and their test comparisons."""
    from snac_pack.compression.selection import picks_against_baselines

    chosen = picks_against_baselines(compression_history(), selected(), tolerance=0.01)
    pairs = [MetricDifference(model=f"{row['model']} {row['precision']} iteration {row['iteration']}", reference="baseline_8",
                              difference=-0.004, low=-0.011, high=0.003, confidence=0.95, n_examples=5000, n_resamples=2000)
             for _, row in chosen.iterrows()]
    return chosen, pairs


def open_flow_hardware() -> dict:
    """``firmware_hardware`` as the firmware pipeline makes it: the surrogate, da4ml and Yosys rows."""
    da4ml = HardwareCost(
        source="da4ml", stage="estimate", target=TARGET, lut=812.0, ff=640.0, dsp=0.0, bram_18k=0.0,
        latency_cycles=3, latency_ns=15.0, initiation_interval=1,
    )
    yosys = cost_from_cell_counts({"LUT3": 500, "LUT6": 340, "FDRE": 655, "CARRY8": 90, "IBUF": 8}, TARGET)
    return {
        "da4ml": da4ml.to_row() | {"details": {}},
        "yosys": yosys.to_row() | {"details": dict(yosys.details)},
        "surrogate": {"lut": 790.0, "ff": 650.0, "dsp": 0.0, "bram_18k": 0.0, "latency_cycles": 3.2, "initiation_interval": 1.0,
                      "source": "surrogate", "latency_ns": 16.0},
        "verilog_directory": "data/07_model_output/firmware/trial_3/verilog",
        "seconds": {"da4ml": 1.0, "yosys": 30.0},
    }


def firmware_build() -> dict:
    """``firmware_build`` of a project no vendor tool synthesised."""
    return {
        "hls4ml": {
            "backend": "Vitis", "strategy": "distributed_arithmetic", "reuse_factor": 1, "part": TARGET.part, "clock_period_ns": 5.0,
            "io_type": "io_parallel", "project_directory": "hls4ml", "convert_seconds": 2.0, "compile_seconds": 20.0,
        },
        "agreement": {
            "n_samples": 80, "bit_exact_fraction": 1.0, "argmax_agreement": 1.0, "max_abs_difference": 0.0,
            "qkeras_metric": 0.74, "firmware_metric": 0.74, "min_bit_exact_fraction": 0.99,
        },
        "vendor": {"synthesised": False, "reason": "no Vitis tools on PATH (vitis-run not found)"},
    }


def model_description() -> dict:
    return {"name": "trial_3", "kind": "candidate", "architecture": "4-8-2 w6/a6 s0.30 @ distributed_arithmetic",
            "precision": "w6.1-a6.2", "iteration": 1, "val_metric": 0.745}
