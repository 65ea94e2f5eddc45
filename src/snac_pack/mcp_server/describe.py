"""What a data file holds: shape, classes and a per-column (or per-array) summary.

Tables (CSV, Parquet) are read as ``snac_pack.data.tabular`` reads them for a run, and checked
with the same reader, so "ready" means a run with those columns would read the file. Arrays
(``.npy``, ``.npz``) are summarised array by array: the qubit task's traces and labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from snac_pack.data.features import TabularFeatures
from snac_pack.data.sources import TABLE_SETTINGS_KEY
from snac_pack.data.tabular import CSV_SUFFIX, MIN_ROWS_PER_CLASS, PARQUET_SUFFIXES, read_table
from snac_pack.mcp_server.errors import ArgumentError

ARRAY_SUFFIXES = (".npy", ".npz")
#: Column names that usually hold the class, most likely first (compared in lower case).
LABEL_NAMES = ("label", "labels", "target", "class", "classes", "y", "kind", "category")
#: Columns summarised one by one; wider tables list the rest by name only.
MAX_COLUMNS_SUMMARISED = 100
#: More distinct values than this and a column is not taken for a class label.
MAX_CLASSES = 100
#: A label whose largest class outnumbers its smallest by this much or more is heavily imbalanced.
IMBALANCE_RATIO = 10.0


def table_format(path: Path) -> str | None:
    """``"csv"`` or ``"parquet"`` by the file's suffixes (as the run's reader decides), else None."""
    if path.suffix in PARQUET_SUFFIXES:
        return "parquet"
    if CSV_SUFFIX in path.suffixes:
        return "csv"
    return None


def read_frame(path: Path, argument: str) -> pd.DataFrame:
    """The table at ``path`` with string column names.

    Raises:
        ArgumentError: naming ``argument`` when the file is unreadable or holds no rows.
    """
    try:
        frame = pd.read_parquet(path) if table_format(path) == "parquet" else pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise ArgumentError(argument, f"cannot read '{path.name}' as a {table_format(path)} table: {error}") from None
    if frame.empty:
        raise ArgumentError(argument, f"'{path.name}' holds no data rows")
    frame.columns = [str(name) for name in frame.columns]
    return frame


def guess_label_column(frame: pd.DataFrame) -> str | None:
    """The column most likely to hold the class: integers, booleans or strings with few distinct values.

    A column named like a label (``label``, ``target``, ``class``, …) wins; otherwise the last
    such column (tables tend to end with the label). None when no column qualifies.
    """
    candidates = [name for name in frame.columns if _could_be_label(frame[name])]
    by_lower = {name.lower(): name for name in candidates}
    for name in LABEL_NAMES:
        if name in by_lower:
            return by_lower[name]
    return candidates[-1] if candidates else None


def _could_be_label(column: pd.Series) -> bool:
    values = column.dropna()
    distinct = values.nunique()
    if not 2 <= distinct <= min(MAX_CLASSES, max(2, len(column) // MIN_ROWS_PER_CLASS)):
        return False
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return True
    return bool((values == np.round(values)).all())


def _column_summary(column: pd.Series) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "name": str(column.name),
        "dtype": str(column.dtype),
        "missing": int(column.isna().sum()),
        "distinct": int(column.nunique()),
    }
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if finite.size:
            summary.update(
                min=float(finite.min()), max=float(finite.max()), mean=float(finite.mean()), std=float(finite.std())
            )
    return summary


def _integer_valued(column: pd.Series) -> bool:
    values = column.dropna()
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return False
    return bool((values == np.round(values)).all())


def column_problems(frame: pd.DataFrame, label_column: str | None) -> dict[str, str]:
    """Columns other than the label that should not be features, each with the reason a person reads.

    - identifier-like: an integer or a string distinct on every row, or integers that only grow
      (a row number, an event id): a network would learn the row order, not the physics;
    - constant: one value on every row: it carries nothing;
    - missing values: the run's reader refuses them (fill them, or drop those rows, to use it).

    Returns:
        Column name → reason, in column order.
    """
    problems = {}
    rows = len(frame)
    for name in frame.columns:
        if name == label_column:
            continue
        column = frame[name]
        distinct = column.nunique(dropna=True)
        if distinct <= 1:
            problems[name] = f"constant: {distinct} distinct value on every row, it carries no information"
        elif rows > 2 and (_integer_valued(column) or not pd.api.types.is_numeric_dtype(column)) and distinct == rows:
            problems[name] = "identifier-like: a distinct value on every row (a row number or an id), not a measurement"
        elif rows > 2 and _integer_valued(column) and column.is_monotonic_increasing:
            problems[name] = "identifier-like: integers that only grow down the table (a row or event number)"
        elif column.isna().any():
            problems[name] = (
                f"missing values: {int(column.isna().sum())} of {rows} rows; the run refuses them "
                "(fill them, or drop those rows, to use this column)"
            )
    return problems


def label_balance(column: pd.Series) -> dict[str, Any] | None:
    """The label's largest-to-smallest class ratio, flagged when heavily imbalanced; None without classes."""
    counts = column.value_counts(dropna=True)
    if len(counts) < 2:
        return None
    ratio = float(counts.max() / counts.min())
    imbalanced = ratio >= IMBALANCE_RATIO
    return {
        "largest_class": str(counts.idxmax()),
        "smallest_class": str(counts.idxmin()),
        "ratio": ratio,
        "heavily_imbalanced": imbalanced,
        "note": (
            f"the largest class outnumbers the smallest {ratio:.0f}:1; accuracy rewards always predicting "
            f"'{counts.idxmax()}' ({counts.max() / counts.sum():.1%} of rows): judge the networks per class, "
            "or balance the data"
        ) if imbalanced else None,
    }


def _numeric(frame: pd.DataFrame, names: Sequence[str]) -> list[str]:
    return [
        name for name in names if pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(frame[name])
    ]


def _class_counts(column: pd.Series) -> dict[str, int]:
    counts = column.value_counts(dropna=True).sort_index()
    return {str(value): int(count) for value, count in counts.items()}


def describe_table(
    path: Path,
    shown: str,
    label_column: str | None,
    feature_columns: Sequence[str] | None = None,
    label_source: str = "given",
    argument: str = "path",
) -> dict[str, Any]:
    """Describe a CSV or Parquet table and check it as a run of the ``tabular`` task would read it.

    Args:
        path: the resolved file.
        shown: the path as the caller gave it (reported back).
        label_column: the class column; None: guessed (:func:`guess_label_column`).
        feature_columns: the feature columns; None: every numeric column but the label.
        label_source: how ``label_column`` was chosen (``given``, ``configured``), for the report.
        argument: the tool argument that named the file, for errors.

    Returns:
        Rows, a summary per column, the label with its class counts, the usable feature
        columns, and ``ready`` with the reader's ``problem`` when a run could not read it.
    """
    frame = read_frame(path, argument)
    columns = list(frame.columns)
    if label_column is not None and label_column not in columns and label_source == "given":
        raise ArgumentError("label_column", f"'{label_column}' is not a column of {shown}; its columns: {columns}")
    if label_column is None:
        label_column, label_source = guess_label_column(frame), "guessed"
    others = [name for name in columns if name != label_column]
    problems = column_problems(frame, label_column)
    numeric = [name for name in _numeric(frame, others) if name not in problems]
    description: dict[str, Any] = {
        "path": shown,
        "format": table_format(path),
        "rows": len(frame),
        "n_columns": len(columns),
        "columns": [_column_summary(frame[name]) for name in columns[:MAX_COLUMNS_SUMMARISED]],
        "columns_not_summarised": columns[MAX_COLUMNS_SUMMARISED:],
        "label_column": label_column,
        "label_source": label_source if label_column is not None else None,
        "classes": _class_counts(frame[label_column]) if label_column in columns else {},
        "feature_columns": list(feature_columns) if feature_columns is not None else numeric,
        "non_numeric_columns": [name for name in others if name not in _numeric(frame, others)],
        "flagged_columns": problems,
        "left_out_of_features": problems if feature_columns is None else {},
        "label_balance": label_balance(frame[label_column]) if label_column in columns else None,
    }
    if label_column is None:
        description.update(ready=False, problem="no column looks like a class label; name it with label_column")
        return description
    features = feature_columns if feature_columns is not None else (None if numeric == others else numeric)
    try:
        samples = read_table(path, label_column, features, catalog_key=shown, settings_key=TABLE_SETTINGS_KEY)
    except (ValueError, FileNotFoundError) as error:
        description.update(ready=False, problem=str(error))
    else:
        description.update(ready=True, problem=None, n_features=samples.inputs.shape[1], class_names=list(samples.class_names))
    return description


def _array_summary(array: np.ndarray) -> dict[str, Any]:
    summary: dict[str, Any] = {"shape": list(array.shape), "dtype": str(array.dtype)}
    if array.dtype.kind in "biuf" and array.size:
        values = array.astype(np.float64).ravel()
        finite = values[np.isfinite(values)]
        summary["non_finite"] = int(values.size - finite.size)
        if finite.size:
            summary.update(min=float(finite.min()), max=float(finite.max()), mean=float(finite.mean()), std=float(finite.std()))
    if array.ndim == 1 and array.dtype.kind in "biuU":
        classes, counts = np.unique(array, return_counts=True)
        if len(classes) <= MAX_CLASSES:
            summary["classes"] = {str(value): int(count) for value, count in zip(classes, counts, strict=True)}
    return summary


def describe_arrays(path: Path, shown: str, argument: str = "path") -> dict[str, Any]:
    """Describe the array of a ``.npy`` file or every array of an ``.npz`` file.

    Raises:
        ArgumentError: naming ``argument`` when the file cannot be read as numpy arrays.
    """
    try:
        if path.suffix == ".npy":
            arrays = {path.stem: np.load(path, allow_pickle=False)}
        else:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        raise ArgumentError(argument, f"cannot read '{path.name}' as numpy arrays: {error}") from None
    return {"path": shown, "format": path.suffix.lstrip("."), "arrays": {name: _array_summary(a) for name, a in arrays.items()}}


def describe_file(path: Path, shown: str, label_column: str | None, argument: str = "path") -> dict[str, Any]:
    """Describe a table or an array file, by its suffix.

    Raises:
        ArgumentError: the file is missing or of a kind not described.
    """
    if not path.is_file():
        raise ArgumentError(argument, f"no file at '{shown}'")
    if table_format(path) is not None:
        return describe_table(path, shown, label_column, argument=argument)
    if path.suffix in ARRAY_SUFFIXES:
        if label_column is not None:
            raise ArgumentError("label_column", "applies to tables only (CSV or Parquet), not to numpy arrays")
        return describe_arrays(path, shown, argument)
    raise ArgumentError(
        argument, f"'{shown}' is neither a table (.csv, .csv.gz, {', '.join(PARQUET_SUFFIXES)}) nor arrays ({', '.join(ARRAY_SUFFIXES)})"
    )


def describe_sources(paths: Mapping[str, Path], features: Any, source: str, shown: Mapping[str, str]) -> dict[str, Any]:
    """Describe the files of an environment's ``raw_sources`` that its source reads.

    Args:
        paths: the catalog's ``raw_sources`` paths, resolved.
        features: the environment's feature settings (a table's columns come from them).
        source: ``data_processing.source``; a simulator reads no file.
        shown: each path as the catalog writes it.

    Returns:
        One description per declared file (``exists: false`` when it is not there yet).
    """
    if source == "simulator":
        return {}
    files: dict[str, Any] = {}
    for key, path in paths.items():
        if key == "simulation_cache":
            continue
        where = f"raw_sources.paths.{key}"
        if not path.exists():
            files[key] = {"path": shown[key], "exists": False}
        elif path.is_dir():
            files[key] = {"path": shown[key], "directory": True, "files": sorted(entry.name for entry in path.iterdir())[:50]}
        elif key == "table" and isinstance(features, TabularFeatures):
            files[key] = describe_table(path, shown[key], features.label_column, features.feature_columns, "configured", where)
        else:
            files[key] = describe_file(path, shown[key], None, where)
    return files
