"""The hand-off files of every selected network reload in the field's own tools with identical outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kedro_runs import latest_version, run_pipeline
from snac_pack.data.features import FeatureTable
from snac_pack.datasets import CompressedModelsDataset, DirectoryArchiveDataset, NpzDataset
from snac_pack.firmware.handoff import convert_handoff
from snac_pack.firmware.hls import convert
from snac_pack.hardware.architecture import ImplementationTarget


def test_every_selected_network_is_handed_on_as_qkeras_hls4ml_yaml_and_verilog(compression_project: Path, tmp_path: Path) -> None:
    from qkeras.utils import load_qmodel

    run_pipeline(compression_project, env="test", pipeline="firmware")
    models = CompressedModelsDataset(filepath=str(latest_version(compression_project / "data/test/06_models/compressed_models.npz"))).load()
    report = json.loads(latest_version(compression_project / "data/test/08_reporting/firmware_report.json").read_text())
    assert set(report["handoff"]) == set(models)
    project = DirectoryArchiveDataset(filepath=str(latest_version(compression_project / "data/test/07_model_output/firmware_project.tar.gz"))).load()
    (archive,) = project.iterdir()
    for files in report["handoff"].values():
        for path in files:
            assert (archive / path).exists(), path
    test = FeatureTable.from_arrays(NpzDataset(filepath=str(latest_version(compression_project / "data/test/05_model_input/test.npz"))).load())

    for name, model in models.items():
        folder = archive / "handoff" / name
        x = model.inputs(test)
        reloaded = load_qmodel(str(folder / f"{name}.h5"), compile=False)
        np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.to_keras().predict(x, verbose=0))
        readme = (folder / "verilog" / "README.md").read_text()
        assert f"the {model.arch.n_inputs} inputs, input i in bits" in readme and "Latency (da4ml's metadata)" in readme, readme
        assert (folder / "verilog" / "src" / "snac_model.v").is_file()

    # The YAML rebuilds the same firmware: its C simulation matches the firmware stage's, output for output.
    name = report["model"]["name"]
    model = models[name]
    target = ImplementationTarget.model_validate({key: report["hls4ml"][key] for key in ImplementationTarget.model_fields})
    x = model.inputs(test)[:500]
    original = convert(model.to_keras(), model.arch, target, report["hls4ml"]["backend"], tmp_path / "original")
    rebuilt = convert_handoff(archive / "handoff" / name / f"{name}_hls4ml.yml", tmp_path / "rebuilt")
    np.testing.assert_array_equal(rebuilt.predict(np.ascontiguousarray(x)), original.graph.predict(np.ascontiguousarray(x)))
    markdown = (compression_project / "data/test/08_reporting/firmware_report.md").read_text()
    assert f"| {name} | `handoff/{name}/{name}_hls4ml.yml` |" in markdown
