"""The data report says where its data come from: the simulation and its settings, or files and their checksums."""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

from snac_pack.data.qubit import QubitReadoutSettings
from snac_pack.reporting.data_report import files_provenance, simulated_provenance


def test_simulated_data_name_the_generator_settings_versions_and_cache(tmp_path: Path) -> None:
    cache = tmp_path / "qubit_400.npz"
    cache.write_bytes(b"samples")
    settings = QubitReadoutSettings()
    provenance = simulated_provenance("qubit", settings, 400, 7, cache)
    assert provenance["kind"] == "simulated" and "simulate_readout" in provenance["generator"]
    assert provenance["settings"] == settings.model_dump(mode="json") and (provenance["n_examples"], provenance["seed"]) == (400, 7)
    assert provenance["package_versions"] == {"snac-pack": version("snac-pack"), "numpy": version("numpy")}
    assert provenance["cache_file"] == {"path": str(cache), "sha256": hashlib.sha256(b"samples").hexdigest()}


def test_files_are_listed_with_their_checksums(tmp_path: Path) -> None:
    (tmp_path / "h5").mkdir()
    (tmp_path / "h5" / "b.h5").write_bytes(b"bb")
    (tmp_path / "h5" / "a.h5").write_bytes(b"a")
    (tmp_path / "labels.npy").write_bytes(b"labels")
    provenance = files_provenance({"constituents": tmp_path / "h5", "labels": tmp_path / "labels.npy"})
    assert provenance["kind"] == "files"
    assert [(item["name"], Path(item["path"]).name, item["bytes"]) for item in provenance["files"]] == [
        ("constituents", "a.h5", 1), ("constituents", "b.h5", 2), ("labels", "labels.npy", 6),
    ]
    assert provenance["files"][2]["sha256"] == hashlib.sha256(b"labels").hexdigest()
