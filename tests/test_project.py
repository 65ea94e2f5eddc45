"""Project-level checks: the CLI stays fast and kedro-viz can build the pipelines' site."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
