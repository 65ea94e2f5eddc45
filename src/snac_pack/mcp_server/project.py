"""The Kedro project the server works on: its environments, sessions, and the paths it may touch.

Tools read files anywhere inside the project and write only under ``conf/`` and ``data/``.
Every path is resolved (``..`` and symbolic links followed) before it is compared with those
directories, so neither a relative path nor a link can lead a tool outside them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kedro.framework.context import KedroContext
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from snac_pack.config import ConfigError, ProjectParams, parse_parameters
from snac_pack.mcp_server.errors import ArgumentError
from snac_pack.search.study import storage_file_path

#: Configuration folders that are not runnable environments: shared defaults and secrets.
RESERVED_ENVIRONMENTS = ("base", "local")
#: What a new environment may be called (a folder name under conf/, no path separators).
ENVIRONMENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
#: Kedro plugins whose hooks write outside conf/ and data/ (kedro-viz: ``.viz/`` statistics and run events).
_WRITING_PLUGINS = ("kedro-viz",)
#: Catalog keys that hold one local path; ``paths`` holds a mapping of them.
_PATH_KEYS = ("filepath", "path")


class Project:
    """A snac-pack Kedro project on disk.

    Attributes:
        root: the project's directory, resolved.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @classmethod
    def at(cls, path: Path) -> Project:
        """The project at ``path``.

        Raises:
            ValueError: ``path`` holds no Kedro project (``pyproject.toml`` with ``[tool.kedro]`` and ``conf/``).
        """
        pyproject = path / "pyproject.toml"
        if not pyproject.is_file() or "[tool.kedro]" not in pyproject.read_text():
            raise ValueError(f"{path} is not a Kedro project: it needs a pyproject.toml with a [tool.kedro] section")
        if not (path / "conf" / "base").is_dir():
            raise ValueError(f"{path} has no conf/base: not a snac-pack project")
        return cls(path)

    def bootstrap(self) -> None:
        """Configure Kedro for this project (settings, pipelines, logging) and work from its root.

        The hooks of the installed kedro-viz are left out of the server's runs: they write run
        statistics to ``.viz/`` beside ``conf/`` and ``data/``.
        """
        from kedro.framework.project import settings

        os.chdir(self.root)
        bootstrap_project(self.root)
        settings.set("DISABLE_HOOKS_FOR_PLUGINS", (*settings.DISABLE_HOOKS_FOR_PLUGINS, *_WRITING_PLUGINS))

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def default_environment(self) -> str:
        """The environment ``kedro run`` uses without ``--env``."""
        from kedro.framework.project import settings

        return str(settings.CONFIG_LOADER_ARGS.get("default_run_env", "local"))

    def environments(self) -> list[str]:
        """Every runnable environment: the folders of ``conf/`` but ``base`` and ``local``."""
        return sorted(
            entry.name
            for entry in self.conf_dir.iterdir()
            if entry.is_dir() and entry.name not in RESERVED_ENVIRONMENTS and not entry.name.startswith(".")
        )

    def environment(self, name: str, argument: str = "environment") -> str:
        """``name`` if it is a runnable environment of this project.

        Raises:
            ArgumentError: naming ``argument`` and listing the environments.
        """
        available = self.environments()
        if name not in available:
            raise ArgumentError(argument, f"unknown environment '{name}'; the environments are {available}")
        return name

    def inside(self, given: str, argument: str, roots: Sequence[Path]) -> Path:
        """``given`` (relative to the project root, or absolute) resolved, if it lies inside one of ``roots``.

        Raises:
            ArgumentError: naming ``argument`` when the resolved path leaves every root.
        """
        if not given.strip():
            raise ArgumentError(argument, "empty path")
        if "://" in given:
            raise ArgumentError(argument, f"'{given}' is a URL; give a local path inside the project")
        raw = Path(given).expanduser()
        resolved = (raw if raw.is_absolute() else self.root / raw).resolve()
        for root in roots:
            if resolved.is_relative_to(root.resolve()):
                return resolved
        allowed = " or ".join("the project" if root == self.root else f"{root.relative_to(self.root).as_posix()}/ of the project" for root in roots)
        raise ArgumentError(argument, f"'{given}' resolves to {resolved}, outside {allowed} ({self.root})")

    def relative(self, path: Path) -> str:
        """A resolved ``path`` relative to the project root, as a catalog writes it (``data/`` may be a link)."""
        for folder in (self.data_dir, self.conf_dir, self.root):
            if path.is_relative_to(folder.resolve()):
                return (folder.relative_to(self.root) / path.relative_to(folder.resolve())).as_posix()
        raise ValueError(f"{path} is outside the project at {self.root}")

    @contextmanager
    def context(self, environment: str, params: Mapping[str, Any] | None = None) -> Iterator[KedroContext]:
        """The Kedro context of ``environment`` with runtime ``params``, as ``kedro run`` builds it."""
        with KedroSession.create(project_path=self.root, env=environment, runtime_params=dict(params or {})) as session:
            try:
                context = session.load_context()
                for key in ("parameters", "catalog", "credentials"):  # loaded now, so that their errors are named here
                    context.config_loader[key]
            except Exception as error:  # malformed YAML, a broken interpolation: the user's files
                raise ArgumentError(
                    "environment", f"cannot load the configuration of '{environment}': {type(error).__name__}: {error}"
                ) from None
            yield context

    def summary(self, environment: str) -> dict[str, Any]:
        """What ``environment`` is for: task, metric, data source, objectives, study; or why it is invalid."""
        with self.context(environment) as context:
            tree = context.config_loader["parameters"]
            catalog = context.config_loader["catalog"]
        sources = catalog.get("raw_sources", {}).get("paths", {})
        summary = {
            "name": environment,
            "default": environment == self.default_environment,
            "study_name": catalog.get("global_search_study", {}).get("study_name"),
            "raw_sources": {key: value for key, value in sources.items() if key != "simulation_cache"},
        }
        try:
            params = parse_parameters(tree)
        except ConfigError as error:
            return {**summary, "valid": False, "problems": str(error)}
        return {
            **summary,
            "valid": True,
            "task": params.task.name,
            "metric": params.task.metric,
            "source": params.data_processing.source,
            "objectives": dict(params.global_search.objectives),
            "n_trials": params.global_search.n_trials,
        }

    def parameters(self, environment: str, params: Mapping[str, Any] | None = None) -> ProjectParams:
        """The validated parameters of ``environment`` with runtime ``params``.

        Raises:
            ArgumentError: naming ``params`` when they make the parameters invalid, else ``environment``;
                the message lists every offending key (``snac_pack.config.ConfigError``).
        """
        with self.context(environment, params) as context:
            tree = context.config_loader["parameters"]
        try:
            return parse_parameters(tree)
        except ConfigError as error:
            if params:
                try:
                    self.parameters(environment)
                except ArgumentError:
                    pass
                else:
                    raise ArgumentError("params", str(error)) from None
            raise ArgumentError("environment", f"environment '{environment}': {error}") from None

    def check_catalog(self, context: KedroContext, environment: str) -> None:
        """Refuse an environment whose catalog names a local file outside ``data/``.

        Every dataset, the raw sources and the study's SQLite or journal file included, must live
        under ``data/``: the runs this server starts then write nowhere else.

        Raises:
            ArgumentError: naming ``environment``, the catalog entry and its path.
        """
        catalog = context.config_loader["catalog"]
        credentials = context.config_loader["credentials"]
        data = self.data_dir.resolve()
        for entry, config in catalog.items():
            if entry.startswith("_") or not isinstance(config, Mapping):
                continue
            for key, value in _local_paths(config, credentials):
                shown = f"{entry}.{key}"
                if "://" in value:
                    raise ArgumentError(
                        "environment", f"catalog entry {shown} of '{environment}' is remote ({value}); this server runs local data under data/ only"
                    )
                resolved = (self.root / value).resolve()
                if not resolved.is_relative_to(data):
                    raise ArgumentError(
                        "environment",
                        f"catalog entry {shown} of '{environment}' resolves to {resolved}, outside data/; "
                        "this server only runs environments whose files live under data/",
                    )


def _local_paths(config: Mapping[str, Any], credentials: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(key, path)`` of every local path a catalog entry declares, the study's storage file included."""
    for key in _PATH_KEYS:
        if isinstance(config.get(key), str):
            yield key, config[key]
    paths = config.get("paths")
    if isinstance(paths, Mapping):
        for name, value in paths.items():
            yield f"paths.{name}", str(value)
    url = config.get("url")
    if url is None and isinstance(config.get("credentials"), str):
        url = (credentials.get(config["credentials"]) or {}).get("url")
    if isinstance(url, str):
        storage = storage_file_path(url)
        if storage is not None:
            yield "url", storage.as_posix()


def nested_params(params: Mapping[str, Any], argument: str = "params") -> dict[str, Any]:
    """Runtime parameters as a nested tree: ``{"global_search.n_trials": 6}`` → ``{"global_search": {"n_trials": 6}}``.

    Keys may be dotted, as ``kedro run --params`` takes them, or already nested.

    Raises:
        ArgumentError: naming ``argument`` for an empty key or a key set twice.
    """
    tree: dict[str, Any] = {}
    for key, value in params.items():
        parts = str(key).split(".")
        if not all(parts):
            raise ArgumentError(argument, f"key '{key}' has an empty part; write keys like 'global_search.n_trials'")
        node = tree
        for depth, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ArgumentError(argument, f"key '{key}' goes below '{'.'.join(parts[: depth + 1])}', which is set to a value")
        value = nested_params(value, argument) if isinstance(value, Mapping) else value
        leaf = parts[-1]
        if isinstance(node.get(leaf), dict) and isinstance(value, dict):
            node[leaf] = merge_trees(node[leaf], value)
        elif leaf in node:
            raise ArgumentError(argument, f"key '{key}' is given twice")
        else:
            node[leaf] = value
    return tree


def merge_trees(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """``second`` merged into ``first``, key by key at every depth (values of ``second`` win)."""
    merged = dict(first)
    for key, value in second.items():
        merged[key] = merge_trees(merged[key], value) if isinstance(merged.get(key), dict) and isinstance(value, dict) else value
    return merged
