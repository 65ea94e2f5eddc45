"""The tabular source: a CSV or Parquet table, its columns named in configuration, and its errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from snac_pack.data import sources
from snac_pack.data.features import TabularFeatures, extract_features
from snac_pack.data.samples import load_samples, save_samples, validate_samples
from snac_pack.reporting.data_report import build_data_report, class_separation, files_provenance

ENTRY = "raw_sources"


def _table(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    species = np.array(["setosa", "virginica", "versicolor"])[np.arange(n) % 3]
    return pd.DataFrame(
        {
            "id": [f"row{i}" for i in range(n)],
            "width": rng.normal(size=n) + (species == "virginica"),
            "length": rng.normal(size=n),
            "count": rng.integers(0, 5, size=n),
            "species": species,
        }
    )


def _read(tmp_path: Path, frame: pd.DataFrame, name: str = "table.csv", **columns: object) -> object:
    path = tmp_path / name
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    settings = TabularFeatures(kind="tabular", **columns)
    return sources.load_table_files({"table": path}, ENTRY, settings)


@pytest.mark.parametrize("name", ["table.csv", "table.csv.gz", "table.parquet"])
def test_reads_named_columns_and_sorted_string_classes(tmp_path: Path, name: str) -> None:
    frame = _table()
    samples = _read(tmp_path, frame, name, label_column="species", feature_columns=["length", "width"])
    assert samples.input_names == ("length", "width")
    assert samples.class_names == ("setosa", "versicolor", "virginica")
    np.testing.assert_allclose(samples.inputs[:, 1], frame["width"].to_numpy(np.float32))
    assert [samples.class_names[label] for label in samples.labels[:3]] == ["setosa", "virginica", "versicolor"]
    features = extract_features(validate_samples(samples, "test"), TabularFeatures(kind="tabular", label_column="species"))
    assert features.feature_names == ("length", "width") and features.x.dtype == np.float32


def test_integer_labels_sort_numerically_and_null_takes_every_other_column(tmp_path: Path) -> None:
    frame = _table().drop(columns=["id", "species"]).assign(grade=np.arange(60) % 3 * 5 + 5)  # 5, 10, 15
    samples = _read(tmp_path, frame, label_column="grade")
    assert samples.class_names == ("5", "10", "15")
    assert samples.input_names == ("width", "length", "count")
    assert samples.labels[:3].tolist() == [0, 1, 2]


def test_named_inputs_survive_the_samples_file(tmp_path: Path) -> None:
    samples = _read(tmp_path, _table(), label_column="species", feature_columns=["width"])
    save_samples(samples, tmp_path / "samples.npz")
    assert load_samples(tmp_path / "samples.npz").input_names == ("width",)


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({"label_column": "kind"}, r"data_processing\.features\.label_column: column 'kind' not in raw_sources\.paths\.table '.*table\.csv'; its columns: \['id', 'width'"),
        ({"label_column": "species", "feature_columns": ["width", "height"]}, r"data_processing\.features\.feature_columns: column\(s\) \['height'\] not in .*; its columns: \['id'"),
        ({"label_column": "species"}, r"data_processing\.features\.feature_columns: column\(s\) \{'id': 'str'\} of .* are not numeric; null means every column but the label"),
        ({"label_column": "species", "feature_columns": ["id"]}, r"feature_columns: column\(s\) \{'id': 'str'\} .* are not numeric; leave them out"),
        ({"label_column": "width", "feature_columns": ["length"]}, r"data_processing\.features\.label_column: column 'width' .* holds non-integer numbers"),
    ],
)
def test_column_errors_name_the_key_and_the_columns(tmp_path: Path, columns: dict[str, object], expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        _read(tmp_path, _table(), **columns)


def test_missing_values_are_named_by_column_and_row(tmp_path: Path) -> None:
    frame = _table()
    frame.loc[[4, 9], "length"] = np.nan
    with pytest.raises(ValueError, match=r"feature column\(s\) \{'length': 2\} hold missing \(NaN\) or infinite values .* data rows 4, 9"):
        _read(tmp_path, frame, label_column="species", feature_columns=["width", "length"])
    frame = _table()
    frame.loc[7, "species"] = None
    with pytest.raises(ValueError, match=r"label_column: column 'species' .* has 1 missing label\(s\), at data row 7"):
        _read(tmp_path, frame, label_column="species", feature_columns=["width"])


def test_one_class_or_rare_classes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"label_column: column 'one' .* holds one class only \(\['a'\]\); a classifier needs at least 2"):
        _read(tmp_path, _table().assign(one="a"), label_column="one", feature_columns=["width"])
    with pytest.raises(ValueError, match=r"class\(es\) \{'0': 5, '1': 5\} .* have fewer than 10 rows"):
        _read(tmp_path, _table(10).assign(flag=np.arange(10) % 2), label_column="flag", feature_columns=["width"])


def test_missing_file_and_unknown_format_name_the_catalog_key(tmp_path: Path) -> None:
    settings = TabularFeatures(kind="tabular", label_column="species")
    with pytest.raises(FileNotFoundError, match=r"raw_sources\.paths\.table: file '.*nowhere\.csv' not found"):
        sources.load_table_files({"table": tmp_path / "nowhere.csv"}, ENTRY, settings)
    (tmp_path / "table.xlsx").write_bytes(b"")
    with pytest.raises(ValueError, match=r"raw_sources\.paths\.table: '.*table\.xlsx' must be a CSV"):
        sources.load_table_files({"table": tmp_path / "table.xlsx"}, ENTRY, settings)
    with pytest.raises(KeyError, match="add 'paths.table'"):
        sources.load_table_files({}, ENTRY, settings)


def test_label_cannot_be_a_feature() -> None:
    with pytest.raises(ValueError, match="the label column 'species' cannot be a feature column too"):
        TabularFeatures(kind="tabular", label_column="species", feature_columns=["width", "species"])


def test_report_of_a_table_has_a_baseline_and_a_plot_without_physics(tmp_path: Path) -> None:
    samples = _read(tmp_path, _table(300), label_column="species", feature_columns=["width", "length", "count"])
    features = extract_features(samples, TabularFeatures(kind="tabular", label_column="species"))
    rng = np.random.default_rng(1)
    order = rng.permutation(300)
    split_indices = {"train": order[:180], "val": order[180:240], "test": order[240:]}
    provenance = files_provenance({"table": tmp_path / "table.csv"})
    report, figure = build_data_report("tabular", samples, features, split_indices, provenance)
    (table,) = report["provenance"]["files"]
    assert report["provenance"]["kind"] == "files" and table["path"] == str(tmp_path / "table.csv")
    assert table["sha256"] == hashlib.sha256((tmp_path / "table.csv").read_bytes()).hexdigest()
    assert report["baseline"]["name"] == "logistic_regression" and 0 <= report["baseline"]["test_accuracy"] <= 1
    assert set(report["class_balance"]["train"]) == {"setosa", "versicolor", "virginica"}
    assert [f["feature"] for f in report["feature_summary"]] == ["width", "length", "count"]
    assert figure.axes[1].get_xlabel() == "width"  # the one feature that separates the classes comes first
    assert np.argmax(class_separation(features.x, features.y, 3)) == 0
