"""A new environment for a table: the ``tabular`` task's keys (as ``conf/example_tabular``) sized to the data.

The proposal is validated the way a run validates its parameters: Kedro's configuration loader
merges it over ``conf/base`` (soft merging) and ``snac_pack.config.parse_parameters`` checks the
whole tree. It is written to ``conf/<name>/`` only when asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from mcp.server.mcpserver.exceptions import ToolError

from snac_pack.config import ConfigError, ProjectParams, parse_parameters
from snac_pack.data.sources import TABLE_SETTINGS_KEY
from snac_pack.data.tabular import read_table
from snac_pack.mcp_server.describe import column_problems, guess_label_column, label_balance, read_frame, table_format
from snac_pack.mcp_server.errors import ArgumentError
from snac_pack.mcp_server.project import ENVIRONMENT_NAME, RESERVED_ENVIRONMENTS, Project, merge_trees, nested_params

DEFAULT_OBJECTIVES = {"accuracy": "maximize", "lut": "minimize"}
#: Below this many rows a table is small (few steps per epoch: small batches, more epochs).
SMALL_ROWS = 2000
#: Below this many rows (and at least SMALL_ROWS) a table is medium.
MEDIUM_ROWS = 20000
#: How a proposal is sized to its table (reported with every proposal).
SIZING = (
    "hidden layers of 4 up to twice the features' units (a power of two within 16..64), one to three "
    "of them (two below 500 rows); small tables (under 2,000 rows) train with batches of 32 for up to "
    "60 epochs, medium ones (under 20,000) with 128 for 30, large ones with 256 for 20; 30 search trials "
    "for small tables, 60 otherwise; weights of 4, 6 or 8 bits, activations of 6 or 8, standardised "
    "inputs at 8 bits; one hand-designed baseline; accuracy against LUTs unless objectives say otherwise"
)


@dataclass(frozen=True)
class TableShape:
    """What the sizing depends on: rows, feature columns and classes of the table."""

    rows: int
    n_features: int
    class_names: tuple[str, ...]

    @property
    def size(self) -> str:
        return "small" if self.rows < SMALL_ROWS else "medium" if self.rows < MEDIUM_ROWS else "large"


def widest_layer(n_features: int) -> int:
    """The widest hidden layer searched: the power of two at or above twice the inputs, within [16, 64]."""
    return min(64, max(16, 2 ** math.ceil(math.log2(2 * n_features))))


def sized_parameters(
    shape: TableShape, label_column: str, feature_columns: Sequence[str] | None, objectives: Mapping[str, str]
) -> dict[str, Any]:
    """The environment's parameters for a table of ``shape`` (the keys of ``conf/example_tabular``), sized as :data:`SIZING` says."""
    widest = widest_layer(shape.n_features)
    batch_size, epochs, patience = {"small": (32, 60, 8), "medium": (128, 30, 5), "large": (256, 20, 3)}[shape.size]
    learning_rate = {"low": 1.0e-3, "high": 3.0e-2, "log": True} if shape.size == "small" else {"low": 3.0e-4, "high": 1.0e-2, "log": True}
    training = {"epochs": epochs, "batch_size": batch_size, "patience": patience}
    baseline_units = min(16, widest)
    return {
        "task": {"name": "tabular", "metric": "accuracy"},
        "data_processing": {
            "source": "files",
            "features": {
                "kind": "tabular",
                "label_column": label_column,
                "feature_columns": list(feature_columns) if feature_columns is not None else None,
            },
            "split": {"train": 0.6, "val": 0.2, "test": 0.2},
        },
        "search_space": {
            "family": "mlp",
            "hidden_layers": {"low": 1, "high": 2 if shape.rows < 500 else 3},
            "units": [2**power for power in range(2, int(math.log2(widest)) + 1)],
            "activation": ["relu"],
            "batch_norm": [False, True],
            "dropout": {"low": 0.0, "high": 0.2},
            "l1": {"low": 1.0e-6, "high": 1.0e-3, "log": True},
            "learning_rate": learning_rate,
            "precision": {
                "input_bits": 8,
                "input_integer_bits": 3,
                "weight_bits": [4, 6, 8],
                "weight_integer_bits": 0,
                "activation_bits": [6, 8],
                "activation_integer_bits": 3,
                "sparsity": {"low": 0.0, "high": 0.8},
            },
        },
        "surrogate_training": {"n_random_designs": 80, "n_trained_designs": 4, "trained_epochs": epochs * 2 // 3, "yosys_designs": 1},
        "global_search": {"n_trials": 30 if shape.size == "small" else 60, "objectives": dict(objectives), "training": dict(training)},
        "local_compression": {
            "precisions": [
                {"weights": {"bits": 8, "integer": 0}, "activations": {"bits": 8, "integer": 3}},
                {"weights": {"bits": 6, "integer": 0}, "activations": {"bits": 6, "integer": 3}},
            ],
            "warmup": dict(training),
            "pruning": {"iterations": 3, "fraction": 0.3, "finetune_epochs": max(2, epochs // 4)},
            "baselines": [
                {"name": f"mlp_{baseline_units}", "hidden_units": [baseline_units], "learning_rate": 0.01 if shape.size == "small" else 0.003}
            ],
        },
    }


def validate(project: Project, parameters: Mapping[str, Any]) -> ProjectParams:
    """``parameters`` merged over ``conf/base`` by Kedro's loader, then validated as a run validates them.

    Raises:
        ConfigError: naming every invalid key.
    """
    from kedro.framework.project import settings

    loader_args = {**settings.CONFIG_LOADER_ARGS, "base_env": "base"}
    loader = settings.CONFIG_LOADER_CLASS(conf_source=str(project.conf_dir), env="base", runtime_params=dict(parameters), **loader_args)
    return parse_parameters(loader["parameters"])


def _table_argument(message: str) -> str:
    """Which argument a table-reader error is about, by the key it names first."""
    for argument in ("label_column", "feature_columns"):
        if message.startswith(f"{TABLE_SETTINGS_KEY}.{argument}"):
            return argument
    return "table"


def _yaml(header: str, tree: Mapping[str, Any]) -> str:
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + yaml.safe_dump(dict(tree), sort_keys=False, default_flow_style=None, width=120)


def propose(
    project: Project,
    name: str,
    table: str,
    label_column: str | None,
    feature_columns: Sequence[str] | None,
    objectives: Mapping[str, str] | None,
    overrides: Mapping[str, Any] | None,
    write: bool,
    overwrite: bool,
) -> dict[str, Any]:
    """Propose (and, when ``write``, create) environment ``conf/<name>/`` for the table at ``table``.

    Returns:
        The two files' text, what the data looks like, how it was sized, and whether it was written.

    Raises:
        ArgumentError: naming the argument at fault (an existing environment without
            ``overwrite``, a path outside ``data/``, a missing column, invalid parameters).
    """
    if not ENVIRONMENT_NAME.match(name) or name in RESERVED_ENVIRONMENTS:
        raise ArgumentError(
            "name", f"'{name}' cannot name an environment: use letters, digits, '_' or '-', starting with a letter, not {list(RESERVED_ENVIRONMENTS)}"
        )
    folder = project.inside(f"conf/{name}", "name", [project.conf_dir])
    if write and folder.exists() and not overwrite:
        raise ArgumentError(
            "name", f"environment '{name}' exists already; choose another name, or pass overwrite=true to replace its parameters.yml and catalog.yml"
        )
    path = project.inside(table, "table", [project.data_dir])
    if not path.is_file():
        raise ArgumentError("table", f"no file at '{table}'")
    if table_format(path) is None:
        raise ArgumentError("table", f"'{table}' is not a CSV (.csv, .csv.gz) or Parquet (.parquet, .pq) table")
    label_source = "given"
    frame = read_frame(path, "table")
    if label_column is None:
        label_column, label_source = guess_label_column(frame), "guessed"
        if label_column is None:
            raise ArgumentError("label_column", f"no column of '{table}' looks like a class label; name it")
    if label_column not in frame.columns:
        raise ArgumentError("label_column", f"'{label_column}' is not a column of {table}; its columns: {list(frame.columns)}")
    flagged = column_problems(frame, label_column)
    left_out = flagged if feature_columns is None else {}
    if left_out:
        feature_columns = [name for name in frame.columns if name != label_column and name not in left_out]
    balance = label_balance(frame[label_column])
    try:
        samples = read_table(path, label_column, feature_columns, catalog_key="table", settings_key=TABLE_SETTINGS_KEY)
    except (ValueError, FileNotFoundError) as error:
        raise ArgumentError(_table_argument(str(error)), str(error)) from None
    shape = TableShape(rows=len(samples), n_features=samples.inputs.shape[1], class_names=samples.class_names)

    parameters = sized_parameters(shape, label_column, feature_columns, objectives or DEFAULT_OBJECTIVES)
    try:
        validate(project, parameters)
    except ConfigError as error:
        if objectives:
            raise ArgumentError("objectives", str(error)) from None
        raise ToolError(f"the proposal does not fit this project's conf/base: {error}") from None
    if overrides:
        parameters = merge_trees(parameters, nested_params(overrides, "overrides"))
    try:
        validated = validate(project, parameters)
    except ConfigError as error:
        raise ArgumentError("overrides", str(error)) from None
    parameters["hardware_target"] = validated.hardware_target.model_dump(mode="json")

    relative_table = project.relative(path)
    catalog = {
        "raw_sources": {"type": "snac_pack.datasets.PathsDataset", "paths": {"table": relative_table}},
        "global_search_study": {
            "type": "snac_pack.datasets.OptunaStudyDataset",
            "credentials": "global_search_study",
            "study_name": f"{name}_mlp",
        },
    }
    summary = (
        f"{shape.rows} rows ({shape.size}), {shape.n_features} features, {len(shape.class_names)} classes "
        f"{list(shape.class_names)}; label column '{label_column}' ({label_source})"
    )
    remarks = [f"Left out of the features: '{column}', {reason}." for column, reason in left_out.items()]
    remarks += [f"Flagged (kept, as feature_columns names it): '{column}', {reason}." for column, reason in flagged.items()
                if column not in left_out]
    if balance and balance["heavily_imbalanced"]:
        remarks.append(f"Label '{label_column}': {balance['note']}.")
    texts = {
        "parameters.yml": _yaml(
            f"Environment '{name}' for {relative_table}, proposed by the snac-pack MCP server:\n{summary}.\n"
            + "".join(f"{remark}\n" for remark in remarks)
            + "Everything not set here comes from conf/base (soft merging); docs/parameters.md lists every key.",
            parameters,
        ),
        "catalog.yml": _yaml(
            f"The table of environment '{name}' and its own Optuna study (a new name never resumes another's trials).", catalog
        ),
    }
    if write:
        folder.mkdir(parents=True, exist_ok=True)
        for filename, text in texts.items():
            (folder / filename).write_text(text)
        project.parameters(name)  # the written environment, loaded as a run loads it
    return {
        "environment": name,
        "written": write,
        "files": {f"conf/{name}/{filename}": text for filename, text in texts.items()},
        "data": {
            "table": relative_table,
            "rows": shape.rows,
            "n_features": shape.n_features,
            "classes": list(shape.class_names),
            "label_column": label_column,
            "label_source": label_source,
            "left_out_of_features": left_out,
            "flagged_columns": flagged,
            "label_balance": balance,
        },
        "remarks": remarks,
        "sizing": SIZING,
        "next": (
            f"run_pipeline(environment='{name}') runs every pipeline; pipelines one by one: data_processing, "
            "surrogate_training, global_search, local_compression, firmware, run_report"
            if write
            else f"call again with write=true to create conf/{name}/"
        ),
    }
