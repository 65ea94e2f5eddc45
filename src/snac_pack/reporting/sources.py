"""Where each hardware figure comes from, in the words every output shows.

Every hardware figure a person reads (a table header, an axis title, a hover text, the
``sources`` of a JSON report) names its source through this module, so the words are the same
everywhere:

- ``surrogate``: the learnt model, with its measured error for that figure from
  ``surrogate_metrics`` (held-out architectures), e.g. "LUT (surrogate, held-out median error
  2.5 %, n=40)"; "error not measured" when the metrics hold none for it;
- ``da4ml``: "da4ml pre-placement estimate": da4ml's count of its adder graph and pipeline
  registers, not a placed and routed design (never called exact);
- ``yosys``: "Yosys synth_xilinx": cell counts after logic synthesis; no timing;
- ``vendor``: the vendor tool, and the stage of its report;
- BOPs: an analytic count from the architecture, no tool at all.

DSP and BRAM of a strategy that cannot use them (distributed arithmetic: see
:data:`snac_pack.hardware.parts.USABLE_RESOURCES`) are "none by construction", not a 0 that a
tool measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from snac_pack.hardware.parts import USABLE_RESOURCES

#: How each figure is named to a reader.
FIGURE_NAMES = {
    "lut": "LUT",
    "ff": "FF",
    "dsp": "DSP",
    "bram_18k": "BRAM 18k",
    "carry": "CARRY",
    "latency_cycles": "latency (cycles)",
    "latency_ns": "latency (ns)",
    "initiation_interval": "II (cycles)",
    "lut_pct": "LUT % of the part",
    "ff_pct": "FF % of the part",
    "dsp_pct": "DSP % of the part",
    "bram_18k_pct": "BRAM 18k % of the part",
    "avg_resource_pct": "mean % of the part over the resources the strategy can use",
    "bops": "BOPs",
}
#: The tools and models that produce hardware figures, as a reader sees them.
SOURCE_NAMES = {
    "surrogate": "surrogate",
    "da4ml": "da4ml pre-placement estimate",
    "yosys": "Yosys synth_xilinx",
    "vendor": "vendor",
}
#: A search trial's ``attr_estimator`` → the source of its hardware figures.
ESTIMATOR_SOURCES = {"surrogate": "surrogate", "exact": "da4ml"}
NONE_BY_CONSTRUCTION = "none by construction"
BOPS_SOURCE = "analytic count from the architecture"
# surrogate_metrics groups whose error a surrogate figure carries, and how each is named.
_ERROR_GROUPS = (
    ("held_out_random_weights", "held-out"),
    ("trained_weights", "trained-weight"),
    ("trained_weights_weight_aware", "trained-weight, from the weights"),
)
_CYCLE_FIGURES = ("latency_cycles", "initiation_interval")


def by_construction(figure: str, strategy: str) -> bool:
    """Whether ``figure`` (e.g. ``dsp``, ``bram_18k_pct``) is a resource ``strategy`` never uses."""
    resource = figure.removesuffix("_pct")
    return resource in ("dsp", "bram_18k") and resource not in USABLE_RESOURCES[strategy]


def _error_of(entry: Mapping[str, Any], figure: str) -> str | None:
    if figure in _CYCLE_FIGURES and entry.get("within_one_cycle") is not None:
        return f"within one cycle {100 * entry['within_one_cycle']:.0f} %"
    if entry.get("median_rel_error") is not None:
        return f"median error {100 * entry['median_rel_error']:.1f} %"
    return None


def surrogate_error(surrogate_metrics: Mapping[str, Any], figure: str, family: str | None = None) -> str:
    """The surrogate's measured error for ``figure``, e.g. "held-out median error 2.5 %, n=40".

    A percentage of the part carries its resource's error; the mean resource percentage carries
    the error of each resource it averages; a latency in ns that of the latency in cycles.

    Args:
        surrogate_metrics: the ``surrogate_metrics`` output of surrogate_training.
        figure: a name of :data:`FIGURE_NAMES`.
        family: the network's family (``Architecture.family``): its own held-out error
            (``by_family``) is added where it was measured, since a family's error can differ
            from the task's networks'.

    Returns:
        The error on held-out random-weight designs and on held-out trained networks, each with
        its number of designs (and the family's); "error not measured" when the metrics hold none.
    """
    if figure == "avg_resource_pct":
        strategy = surrogate_metrics.get("target", {}).get("strategy", "distributed_arithmetic")
        parts = [f"{FIGURE_NAMES[name]} {surrogate_error(surrogate_metrics, name, family)}" for name in USABLE_RESOURCES[strategy]]
        return "; ".join(parts)
    measured = {"latency_ns": "latency_cycles"}.get(figure, figure.removesuffix("_pct"))
    parts = []
    for group, name in _ERROR_GROUPS:
        entry = (surrogate_metrics.get(group) or {}).get(measured) or {}
        error = _error_of(entry, measured)
        if error is not None and entry.get("n"):
            parts.append(f"{name} {error}, n={int(entry['n'])}")
    family_error = _family_error(surrogate_metrics, measured, family)
    if family_error:
        parts.append(family_error)
    return "; ".join(parts) or "error not measured"


#: The ``by_family`` record key of each figure's error.
_FAMILY_KEYS = {"lut": "lut_median_rel_error", "ff": "ff_median_rel_error", "latency_cycles": "latency_within_one_cycle"}


def _family_error(surrogate_metrics: Mapping[str, Any], figure: str, family: str | None) -> str | None:
    """The held-out error of one family's designs for ``figure`` (surrogate_metrics' ``by_family``), if measured."""
    key = _FAMILY_KEYS.get(figure)
    record = next((r for r in surrogate_metrics.get("by_family") or [] if r.get("family") == family), None)
    if key is None or record is None or record.get(key) is None or not record.get("n"):
        return None
    value = record[key]
    error = f"within one cycle {100 * value:.0f} %" if figure == "latency_cycles" else f"median error {100 * value:.1f} %"
    return f"held-out {family} networks {error}, n={int(record['n'])}"


def source_label(source: str, figure: str, surrogate_metrics: Mapping[str, Any] | None = None) -> str:
    """The source of one figure as shown: the tool's name, with the surrogate's error for it.

    Args:
        source: a key of :data:`SOURCE_NAMES`.
        figure: a name of :data:`FIGURE_NAMES`.
        surrogate_metrics: needed for ``surrogate``.
    """
    if source == "surrogate":
        return f"surrogate, {surrogate_error(surrogate_metrics or {}, figure)}"
    return SOURCE_NAMES[source]


def figure_label(
    figure: str, sources: Iterable[str], surrogate_metrics: Mapping[str, Any] | None = None, strategy: str | None = None
) -> str:
    """A figure and its source(s), e.g. "LUT (da4ml pre-placement estimate)".

    Args:
        figure: a name of :data:`FIGURE_NAMES`.
        sources: the sources of the values shown (several when, e.g., a study's trials used
            different estimators).
        surrogate_metrics: needed when a source is ``surrogate``.
        strategy: the implementation strategy the figures describe; a resource it cannot use is
            labelled "none by construction" whatever the sources.

    Returns:
        The label; BOPs name their analytic count.
    """
    if figure == "bops":
        return f"BOPs ({BOPS_SOURCE})"
    if strategy is not None and by_construction(figure, strategy):
        return f"{FIGURE_NAMES[figure]} ({NONE_BY_CONSTRUCTION}: {strategy.replace('_', ' ')})"
    named = " | ".join(source_label(source, figure, surrogate_metrics) for source in sources)
    return f"{FIGURE_NAMES[figure]} ({named or 'no source'})"
