"""hls4ml firmware verified bit for bit against QKeras, the open flow beside it, vendor synthesis when present."""

from snac_pack.pipelines.firmware.pipeline import create_pipeline

__all__ = ["create_pipeline"]
