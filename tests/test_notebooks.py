"""The walkthrough notebook runs top to bottom on a finished run (code cells executed in order)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "walkthrough.ipynb"


def test_walkthrough_runs_on_a_finished_run(compression_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAC_PACK_ENV", "test")
    cells = [cell for cell in json.loads(NOTEBOOK.read_text())["cells"] if cell["cell_type"] == "code"]
    namespace: dict = {}
    for cell in cells:
        exec(compile("".join(cell["source"]), f"{NOTEBOOK.name} cell", "exec"), namespace)  # noqa: S102
    assert not namespace["front"].empty
    assert namespace["summary"] is not None
    assert namespace["figure"].data
