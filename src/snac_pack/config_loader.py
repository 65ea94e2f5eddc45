"""Kedro's configuration loader, with the run's environment as ``${globals:environment}``.

Every environment's outputs live under ``data/<environment>/`` (the catalog's paths name
``${globals:environment}``), so runs of different tasks never read each other's outputs. The
name is the environment the run was started with (``--env``, or the default run environment),
never a value someone must remember to write: a copied environment gets its own root by its
folder's name. ``environment`` is therefore reserved in ``globals.yml``.
"""

from __future__ import annotations

from typing import Any

from kedro.config import OmegaConfigLoader

#: The key of ``globals`` that holds the run's environment.
ENVIRONMENT_GLOBAL = "environment"


class EnvironmentConfigLoader(OmegaConfigLoader):
    """``OmegaConfigLoader`` whose globals hold the run's environment name."""

    def __init__(self, conf_source: str, env: str | None = None, runtime_params: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(conf_source, env=env, runtime_params=runtime_params, **kwargs)
        written = self._globals.get(ENVIRONMENT_GLOBAL)
        environment = self.env or self.default_run_env
        if written is not None and written != environment:
            raise ValueError(
                f"globals.yml sets '{ENVIRONMENT_GLOBAL}: {written}', but '{ENVIRONMENT_GLOBAL}' is the run's "
                f"environment ('{environment}'), set by the project: remove that key from globals.yml"
            )
        # Setting the key makes the loader return it as is, and refreshes its globals resolver.
        self["globals"] = {**self._globals, ENVIRONMENT_GLOBAL: environment}
        self._globals_oc = None
