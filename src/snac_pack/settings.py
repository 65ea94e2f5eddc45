"""Kedro settings of the snac-pack project."""

import snac_pack  # noqa: F401  (sets TF_USE_LEGACY_KERAS and quiet logs before any TF import)
from snac_pack.config_loader import EnvironmentConfigLoader
from snac_pack.hooks import RequireInputsHook, RunSummaryHook, ValidateParametersHook
from snac_pack.session_store import UniqueVersionStore

HOOKS = (ValidateParametersHook(), RequireInputsHook(), RunSummaryHook())

# Runs started in the same millisecond (a SLURM array on a shared file system) get distinct save versions.
SESSION_STORE_CLASS = UniqueVersionStore

# kedro-viz pulls in kedro-telemetry, which would try the network on every command.
DISABLE_HOOKS_FOR_PLUGINS = ("kedro-telemetry",)

# Kedro's OmegaConfigLoader, with the run's environment as ${globals:environment}: each
# environment's outputs live under data/<environment>/.
CONFIG_LOADER_CLASS = EnvironmentConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    # The task chosen when no --env is given; `--env jet` / `--env qubit` switch tasks.
    "default_run_env": "jet",
    # Environments override single keys of a section instead of replacing whole sections.
    "merge_strategy": {"parameters": "soft"},
}
