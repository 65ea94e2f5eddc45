"""Wiring of the surrogate_training pipeline."""

from kedro.pipeline import Node, Pipeline

from snac_pack.pipelines.surrogate_training import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Sample designs → exact costs (da4ml) → Yosys subsample → surrogate → accuracy report."""
    return Pipeline(
        [
            Node(
                nodes.plan_random_designs,
                inputs=["params:search_space", "params:hardware_target", "params:surrogate_training", "model_input_train", "params:task"],
                outputs="random_weight_designs",
                name="plan_random_designs_node",
            ),
            Node(
                nodes.plan_trained_designs,
                inputs=[
                    "ground_truth_store",
                    "params:search_space",
                    "params:hardware_target",
                    "params:surrogate_training",
                    "model_input_train",
                    "model_input_val",
                    "params:task",
                ],
                outputs="trained_weight_designs",
                name="plan_trained_designs_node",
            ),
            Node(
                nodes.compute_exact_costs,
                inputs=["ground_truth_store", "random_weight_designs", "trained_weight_designs", "params:surrogate_training"],
                outputs="exact_ground_truth",
                name="compute_exact_costs_node",
            ),
            Node(
                nodes.synthesize_subsample,
                inputs=["ground_truth_store", "random_weight_designs", "params:surrogate_training", "exact_ground_truth"],
                outputs="ground_truth",
                name="synthesize_subsample_node",
            ),
            Node(
                nodes.train_surrogate,
                inputs=["ground_truth", "params:search_space", "params:hardware_target", "params:surrogate_training"],
                outputs="surrogate",
                name="train_surrogate_node",
            ),
            Node(
                nodes.evaluate_surrogate_accuracy,
                inputs=["surrogate", "ground_truth", "random_weight_designs", "trained_weight_designs", "params:surrogate_training"],
                outputs=["surrogate_metrics", "surrogate_parity_plot"],
                name="evaluate_surrogate_node",
            ),
        ]
    )
