"""Wiring of the local_compression pipeline."""

from kedro.pipeline import Node, Pipeline

from snac_pack.pipelines.local_compression import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Quantization-aware training and pruning → exact and surrogate costs → selection, summary and plot."""
    return Pipeline(
        [
            Node(
                nodes.compress_networks,
                inputs=[
                    "search_candidates",
                    "model_input_train",
                    "model_input_val",
                    "params:task",
                    "params:search_space",
                    "params:hardware_target",
                    "params:local_compression",
                ],
                outputs="compression_points",
                name="compress_networks_node",
            ),
            Node(
                nodes.cost_compression,
                inputs=["compression_points", "surrogate", "ground_truth_store", "params:hardware_target", "params:local_compression"],
                outputs="compression_history",
                name="cost_compression_node",
            ),
            Node(
                nodes.select_compressed,
                inputs=[
                    "compression_history",
                    "compression_points",
                    "model_input_test",
                    "surrogate_metrics",
                    "params:task",
                    "params:search_space",
                    "params:local_compression",
                ],
                outputs=["compressed_models", "compression_summary"],
                name="select_compressed_node",
            ),
            Node(
                nodes.plot_compression,
                inputs=["compression_history", "params:task"],
                outputs="compression_plot",
                name="plot_compression_node",
            ),
        ]
    )
