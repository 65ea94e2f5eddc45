"""Raw data (real files or physics simulators) to standardised train/val/test model inputs."""

from snac_pack.pipelines.data_processing.pipeline import create_pipeline

__all__ = ["create_pipeline"]
