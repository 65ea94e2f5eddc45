"""The run report: one self-contained HTML page from data to firmware."""

from snac_pack.pipelines.run_report.pipeline import create_pipeline

__all__ = ["create_pipeline"]
