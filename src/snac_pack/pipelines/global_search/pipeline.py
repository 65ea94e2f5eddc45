"""Wiring of the global_search pipeline."""

from kedro.pipeline import Node, Pipeline

from snac_pack.pipelines.global_search import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Workers on the study → trials table → Pareto front → candidates, plots and statistics;
    the baselines measured as the trials are, for the selector and the plot."""
    return Pipeline(
        [
            Node(
                nodes.measure_search_baselines,
                inputs=[
                    "surrogate",
                    "model_input_train",
                    "model_input_val",
                    "params:task",
                    "params:search_space",
                    "params:hardware_target",
                    "params:global_search",
                    "params:local_compression",
                ],
                outputs="search_baselines",
                name="measure_search_baselines_node",
            ),
            Node(
                nodes.run_search,
                inputs=[
                    "global_search_study",
                    "surrogate",
                    "model_input_train",
                    "model_input_val",
                    "params:task",
                    "params:search_space",
                    "params:hardware_target",
                    "params:global_search",
                    "search_trial_networks",
                ],
                outputs="search_summary",
                name="run_search_node",
            ),
            Node(
                nodes.collect_trials,
                inputs=["global_search_study", "search_summary"],
                outputs="global_search_trials",
                name="collect_trials_node",
            ),
            Node(
                nodes.extract_pareto_front,
                inputs=["global_search_trials", "params:global_search"],
                outputs="pareto_front",
                name="extract_pareto_front_node",
            ),
            Node(
                nodes.choose_candidates,
                inputs=["pareto_front", "search_baselines", "params:task", "params:global_search"],
                outputs="search_candidates",
                name="choose_candidates_node",
            ),
            Node(
                nodes.report_search,
                inputs=[
                    "global_search_trials", "pareto_front", "search_baselines", "search_summary", "surrogate_metrics",
                    "params:task", "params:global_search",
                ],
                outputs=["pareto_plot", "search_statistics"],
                name="report_search_node",
            ),
        ]
    )
