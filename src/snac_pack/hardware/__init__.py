"""Hardware: the architecture description, bit operations, exact cost (da4ml), Yosys, report importers.

The library knows nothing of Kedro; everything here is usable from a notebook::

    from snac_pack.hardware import Architecture, ExactDesign, random_quantized_network
    arch = Architecture.from_widths([16, 64, 32, 32, 5], weight_bits=6, activation_bits=6)
    design = ExactDesign.build(arch, random_quantized_network(arch, np.random.default_rng(0)))
    design.cost()  # HardwareCost(source="da4ml", lut=..., ff=..., latency_cycles=...)
"""

from snac_pack.hardware.architecture import (
    MAX_FEATURE_LAYERS,
    Architecture,
    Conv1DLayerSpec,
    DenseLayerSpec,
    FlattenLayerSpec,
    ImplementationTarget,
    LayerSpec,
    PointwiseLayerSpec,
    PoolLayerSpec,
    TokenMixLayerSpec,
    feature_names,
)
from snac_pack.hardware.bops import architecture_bops, dense_layer_bops
from snac_pack.hardware.cost import COST_COLUMNS, TARGET_COLUMNS, HardwareCost, cost_table_row
from snac_pack.hardware.exact import (
    ExactDesign,
    VerilogProject,
    exact_cost,
    latency_cutoff_for_clock,
    predict_exact,
    trace_network,
)
from snac_pack.hardware.fixed_point import FixedFormat, quantize_to_format
from snac_pack.hardware.importers import (
    cost_table,
    hls4ml_project_rows,
    read_csynth_xml,
    read_hls4ml_project,
    read_vivado_utilization,
    read_wa_hls4ml,
)
from snac_pack.hardware.network import (
    LayerWeights,
    NetworkWeights,
    forward_quantized,
    quantize_inputs,
    quantize_weights,
    random_quantized_network,
    validate_weights,
)
from snac_pack.hardware.yosys import YosysError, find_yosys, synthesize, yosys_family_for_part

__all__ = [
    "COST_COLUMNS",
    "MAX_FEATURE_LAYERS",
    "TARGET_COLUMNS",
    "Architecture",
    "Conv1DLayerSpec",
    "DenseLayerSpec",
    "ExactDesign",
    "FixedFormat",
    "FlattenLayerSpec",
    "HardwareCost",
    "ImplementationTarget",
    "LayerSpec",
    "LayerWeights",
    "NetworkWeights",
    "PointwiseLayerSpec",
    "PoolLayerSpec",
    "TokenMixLayerSpec",
    "VerilogProject",
    "YosysError",
    "architecture_bops",
    "cost_table",
    "cost_table_row",
    "dense_layer_bops",
    "exact_cost",
    "feature_names",
    "find_yosys",
    "forward_quantized",
    "hls4ml_project_rows",
    "latency_cutoff_for_clock",
    "predict_exact",
    "quantize_inputs",
    "quantize_to_format",
    "quantize_weights",
    "random_quantized_network",
    "read_csynth_xml",
    "read_hls4ml_project",
    "read_vivado_utilization",
    "read_wa_hls4ml",
    "synthesize",
    "trace_network",
    "validate_weights",
    "yosys_family_for_part",
]
