"""Wiring of the data_processing pipeline."""

from kedro.pipeline import Node, Pipeline

from snac_pack.pipelines.data_processing import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Raw samples → validation → features → split → scaler → model inputs, plus the data report."""
    return Pipeline(
        [
            Node(
                nodes.acquire_raw_samples,
                inputs=["params:task", "params:data_processing", "raw_sources"],
                outputs="raw_samples",
                name="acquire_raw_samples_node",
            ),
            Node(
                nodes.validate_raw_samples,
                inputs=["raw_samples", "params:data_processing"],
                outputs="validated_samples",
                name="validate_raw_samples_node",
            ),
            Node(
                nodes.extract_model_features,
                inputs=["validated_samples", "params:data_processing"],
                outputs="features",
                name="extract_features_node",
            ),
            Node(
                nodes.split_examples,
                inputs=["features", "params:data_processing"],
                outputs="split_indices",
                name="split_examples_node",
            ),
            Node(nodes.fit_scaler, inputs=["features", "split_indices"], outputs="scaler", name="fit_scaler_node"),
            Node(
                nodes.standardise_splits,
                inputs=["features", "split_indices", "scaler"],
                outputs=["model_input_train", "model_input_val", "model_input_test"],
                name="standardise_splits_node",
            ),
            Node(
                nodes.report_data,
                inputs=["params:task", "params:data_processing", "raw_sources", "validated_samples", "features", "split_indices"],
                outputs=["data_report", "data_report_plot"],
                name="report_data_node",
            ),
        ]
    )
