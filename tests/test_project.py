"""Project-level checks: the CLI stays fast and kedro-viz can build the pipelines' site."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEDRO = str(Path(sys.executable).parent / "kedro")


def test_package_import_does_not_load_tensorflow() -> None:
    code = (
        "import sys; from kedro.framework.project import configure_project, pipelines; "
        "configure_project('snac_pack'); dict(pipelines); print('tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_kedro_viz_build_succeeds(project_copy: Path) -> None:
    result = subprocess.run([KEDRO, "viz", "build"], cwd=project_copy, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project_copy / "build" / "index.html").is_file()
    graph = json.loads((project_copy / "build" / "api" / "main").read_text())
    # Each pipeline is one namespace group, and the plotly plots are there to open.
    assert {"data_processing", "surrogate_training", "global_search", "local_compression", "firmware"} <= set(graph["modular_pipelines"])
    plots = {node["name"] for node in graph["nodes"] if node.get("dataset_type") == "plotly.json_dataset.JSONDataset"}
    assert {"pareto_plot", "compression_plot"} <= plots


@pytest.mark.parametrize("env", ["jet", "qubit", "example_tabular", "test"])
def test_a_family_chosen_on_the_command_line_searches_in_a_study_of_its_own(env: str) -> None:
    """`--params search_space.family=deepsets` must not join (and be refused by) the environment's MLP study."""
    from snac_pack.settings import CONFIG_LOADER_ARGS, CONFIG_LOADER_CLASS

    def study_name(runtime_params: dict[str, object]) -> str:
        loader = CONFIG_LOADER_CLASS(str(ROOT / "conf"), env=env, runtime_params=runtime_params, **CONFIG_LOADER_ARGS)
        return loader["catalog"]["global_search_study"]["study_name"]

    default = study_name({})
    assert default.endswith("_mlp")
    assert study_name({"search_space": {"family": "deepsets"}}) == default.removesuffix("_mlp") + "_deepsets"
