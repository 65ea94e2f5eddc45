"""Project pipelines."""

from __future__ import annotations

import importlib
import pkgutil

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

import snac_pack.pipelines


def _grouped(name: str, pipe: Pipeline) -> Pipeline:
    """``pipe`` with its nodes in namespace ``name`` (kedro-viz draws one group per pipeline).

    Every dataset and parameter keeps its catalog name: only the nodes are namespaced.
    """
    parameters = {dataset for dataset in pipe.inputs() if dataset.startswith("params:") or dataset == "parameters"}
    return Pipeline(
        pipe,
        inputs=pipe.inputs() - parameters,
        outputs=pipe.all_outputs(),
        parameters=parameters,
        namespace=name,
    )


def register_pipelines() -> dict[str, Pipeline]:
    """Register every pipeline under ``snac_pack.pipelines`` by its folder name.

    Returns:
        A mapping from pipeline names to pipelines; ``__default__`` runs them all, data to run report.
    """
    pipelines = {name: _grouped(name, pipe) for name, pipe in find_pipelines(raise_errors=True).items()}
    pipelines["__default__"] = sum(pipelines.values(), Pipeline([]))
    return pipelines


def every_pipeline() -> dict[str, Pipeline]:
    """Every pipeline by name, whichever a run asked for (``find_pipelines`` loads only those the CLI names)."""
    return {
        module.name: importlib.import_module(f"snac_pack.pipelines.{module.name}").create_pipeline()
        for module in pkgutil.iter_modules(snac_pack.pipelines.__path__)
        if module.ispkg
    }
