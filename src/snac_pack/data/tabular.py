"""Tabular data: a CSV or Parquet table whose feature columns and label column configuration names.

Every row is one example. Feature columns must be numeric and complete; the label column
holds the class of each row, as integers or strings, and the class names are its distinct
values, sorted. Errors name the file, the offending columns and the configuration key to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from snac_pack.data.samples import LabelledSamples

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

#: File suffixes read as CSV (compressed CSV too: pandas infers the compression) and as Parquet.
CSV_SUFFIX = ".csv"
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Fewest rows of a class that a stratified train/val/test split can share out.
MIN_ROWS_PER_CLASS = 10


def _read_frame(path: Path, catalog_key: str) -> pd.DataFrame:
    import pandas as pd  # lazy: keeps `kedro` CLI start-up fast

    if not path.is_file():
        raise FileNotFoundError(
            f"{catalog_key}: file '{path}' not found; put the CSV or Parquet file there or change the path in the catalog"
        )
    if path.suffix in PARQUET_SUFFIXES:
        return pd.read_parquet(path)
    if CSV_SUFFIX in path.suffixes:
        try:
            return pd.read_csv(path)
        except pd.errors.EmptyDataError as error:
            raise ValueError(f"{catalog_key}: '{path}' is empty; a CSV needs a header row and one row per example") from error
    raise ValueError(f"{catalog_key}: '{path}' must be a CSV ({CSV_SUFFIX}, optionally compressed) or Parquet {PARQUET_SUFFIXES} file")


def _rows(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(row) for row in rows[:5])
    return f"data row{'s' if len(rows) > 1 else ''} {shown}{', …' if len(rows) > 5 else ''} (counted from 0, header excluded)"


def _feature_columns(
    available: list[str], label_column: str, feature_columns: Sequence[str] | None, where: str, settings_key: str
) -> list[str]:
    if label_column not in available:
        raise ValueError(f"{settings_key}.label_column: column '{label_column}' not in {where}; its columns: {available}")
    if feature_columns is None:
        chosen = [name for name in available if name != label_column]
        if not chosen:
            raise ValueError(f"{settings_key}.feature_columns: {where} holds the label column '{label_column}' only; it needs feature columns too")
        return chosen
    missing = [name for name in feature_columns if name not in available]
    if missing:
        raise ValueError(f"{settings_key}.feature_columns: column(s) {missing} not in {where}; its columns: {available}")
    return list(feature_columns)


def _labels(values: pd.Series, label_column: str, where: str, settings_key: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class index per row and the class names (the distinct label values, sorted)."""
    import pandas as pd

    key = f"{settings_key}.label_column"
    missing = values.isna().to_numpy()
    if missing.any():
        raise ValueError(f"{key}: column '{label_column}' of {where} has {missing.sum()} missing label(s), at {_rows(missing)}; every row needs its class")
    if pd.api.types.is_bool_dtype(values):
        raw = values.to_numpy(dtype=bool)
    elif pd.api.types.is_numeric_dtype(values):
        raw = values.to_numpy(dtype=np.float64)
        fractional = raw != np.round(raw)
        if fractional.any():
            raise ValueError(
                f"{key}: column '{label_column}' of {where} holds non-integer numbers (e.g. {raw[fractional][0]:g} at "
                f"{_rows(fractional)}); a class label is an integer or a string"
            )
        raw = raw.astype(np.int64)
    else:
        raw = values.astype(str).to_numpy(dtype=str)
    classes, labels = np.unique(raw, return_inverse=True)
    names = tuple(str(value) for value in classes)
    if len(names) < 2:
        raise ValueError(f"{key}: column '{label_column}' of {where} holds one class only ({list(names)}); a classifier needs at least 2")
    counts = np.bincount(labels, minlength=len(names))
    rare = {name: int(count) for name, count in zip(names, counts, strict=True) if count < MIN_ROWS_PER_CLASS}
    if rare:
        raise ValueError(
            f"{key}: class(es) {rare} of column '{label_column}' in {where} have fewer than {MIN_ROWS_PER_CLASS} rows, "
            f"too few for a stratified train/val/test split; is '{label_column}' the class label?"
        )
    return labels.astype(np.int64), names


def read_table(
    path: Path, label_column: str, feature_columns: Sequence[str] | None, catalog_key: str, settings_key: str
) -> LabelledSamples:
    """Read a CSV or Parquet table into labelled samples.

    Args:
        path: the table (``.csv``, possibly compressed, ``.parquet`` or ``.pq``).
        label_column: the column holding each row's class (integers or strings).
        feature_columns: the numeric columns fed to the network, in this order; ``None``: every
            column but the label, in the file's order.
        catalog_key: the catalog key that declared ``path``, named in file errors.
        settings_key: the parameters section holding the column names, named in column errors.

    Returns:
        Samples with inputs ``(N, D)`` float32, named after their columns, and the class
        names sorted (numerically for integer labels).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: an unknown format, a missing column, a non-numeric feature column, a
            missing or non-finite value, a non-integer numeric label, fewer than two classes,
            or a class too rare to split.
    """
    import pandas as pd

    frame = _read_frame(path, catalog_key)
    where = f"{catalog_key} '{path}'"
    if frame.empty:
        raise ValueError(f"{where}: no data rows")
    available = [str(name) for name in frame.columns]
    frame.columns = available
    columns = _feature_columns(available, label_column, feature_columns, where, settings_key)
    non_numeric = {
        name: str(frame[name].dtype) for name in columns if not pd.api.types.is_numeric_dtype(frame[name])
    }
    if non_numeric:
        fix = (
            "null means every column but the label; list the numeric feature columns instead"
            if feature_columns is None
            else "leave them out"
        )
        raise ValueError(
            f"{settings_key}.feature_columns: column(s) {non_numeric} of {where} are not numeric; "
            f"{fix}, or encode them as numbers in the file"
        )
    with np.errstate(over="ignore"):  # numbers beyond float32 become infinite, refused below
        x = frame[columns].to_numpy(dtype=np.float64, na_value=np.nan).astype(np.float32)
    bad = ~np.isfinite(x)
    if bad.any():
        per_column = {name: int(count) for name, count in zip(columns, bad.sum(axis=0), strict=True) if count}
        raise ValueError(
            f"{where}: feature column(s) {per_column} hold missing (NaN) or infinite values (or numbers beyond float32), "
            f"at {_rows(bad.any(axis=1))}; fill or drop those rows in the file, or leave the columns out of "
            f"{settings_key}.feature_columns"
        )
    labels, class_names = _labels(frame[label_column], label_column, where, settings_key)
    logger.info("Read %d rows of %s: %d features, classes %s", len(frame), path, len(columns), list(class_names))
    return LabelledSamples(inputs=x, labels=labels, class_names=class_names, input_names=tuple(columns))
