"""Wiring of the firmware pipeline."""

from kedro.pipeline import Node, Pipeline

from snac_pack.pipelines.firmware import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Choose the network → hls4ml build verified against QKeras, open flow beside it, hand-off files of every
    selected network → report and archive."""
    return Pipeline(
        [
            Node(
                nodes.select_firmware_model,
                inputs=["compressed_models", "params:hardware_target", "params:firmware"],
                outputs="firmware_model",
                name="select_firmware_model_node",
            ),
            Node(
                nodes.build_firmware,
                inputs=[
                    "firmware_model",
                    "model_input_test",
                    "params:task",
                    "params:hardware_target",
                    "params:firmware",
                    "firmware_workspace",
                    "ground_truth_store",
                ],
                outputs="firmware_build",
                name="build_firmware_node",
            ),
            Node(
                nodes.synthesise_open_flow,
                inputs=["firmware_model", "surrogate", "model_input_test", "params:firmware", "firmware_workspace"],
                outputs="firmware_hardware",
                name="synthesise_open_flow_node",
            ),
            Node(
                nodes.export_handoff,
                inputs=["compressed_models", "firmware_model", "params:hardware_target", "params:firmware", "firmware_workspace"],
                outputs="handoff_files",
                name="export_handoff_node",
            ),
            Node(
                nodes.report_firmware,
                inputs=["firmware_model", "firmware_build", "firmware_hardware", "surrogate_metrics", "handoff_files", "firmware_workspace"],
                outputs=["firmware_report", "firmware_report_markdown", "firmware_project"],
                name="report_firmware_node",
            ),
        ]
    )
