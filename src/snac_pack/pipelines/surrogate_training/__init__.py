"""Exact hardware ground truth from real tools, and the surrogate trained on it."""

from snac_pack.pipelines.surrogate_training.pipeline import create_pipeline

__all__ = ["create_pipeline"]
