"""Wiring of the run_report pipeline."""

from kedro.pipeline import Node, Pipeline

from snac_pack.pipelines.run_report import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Every pipeline's report → one HTML page."""
    return Pipeline(
        [
            Node(
                nodes.write_run_report,
                inputs=[
                    "data_report",
                    "surrogate_metrics",
                    "search_statistics",
                    "pareto_plot",
                    "compression_summary",
                    "compression_plot",
                    "firmware_report",
                ],
                outputs="run_report",
                name="write_run_report_node",
            )
        ]
    )
