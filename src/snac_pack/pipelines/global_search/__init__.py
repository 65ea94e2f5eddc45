"""Multi-objective NSGA-II search over architectures, parallel workers on one shared study."""

from snac_pack.pipelines.global_search.pipeline import create_pipeline

__all__ = ["create_pipeline"]
