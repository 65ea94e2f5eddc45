"""Quantization-aware training with iterative magnitude pruning, measured in exact hardware cost."""

from snac_pack.pipelines.local_compression.pipeline import create_pipeline

__all__ = ["create_pipeline"]
