"""Typed, validated parameters: the one place that knows the shape of ``conf/*/parameters*.yml``.

Every run validates the whole parameter tree once, before any node starts (see
``snac_pack.hooks``); nodes then read their own section into the same typed objects. An
invalid value stops the run with a :class:`ConfigError` that names each offending key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from snac_pack.data.features import FeatureSettings
from snac_pack.data.sources import FILE_READERS, SIMULATORS


class ConfigError(ValueError):
    """Invalid parameters; the message names every offending key and what is allowed."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskParams(_Section):
    """What is being learned (``task``)."""

    name: Literal["qubit"] = Field(description="the task; selects simulator, file reader and reports")
    metric: Literal["accuracy", "fidelity"] = Field(description="the task metric the search optimises")


class SimulationParams(_Section):
    """How many samples the task's simulator draws, and its physics (``data_processing.simulation``)."""

    n_examples: int = Field(gt=0, description="number of simulated examples")
    seed: int = Field(ge=0, description="seed of the simulation")
    physics: dict[str, Any] = Field(default_factory=dict, description="the simulator's physical parameters")


class SplitParams(_Section):
    """Fractions of the stratified train/val/test split (``data_processing.split``)."""

    train: float = Field(gt=0, lt=1)
    val: float = Field(gt=0, lt=1)
    test: float = Field(gt=0, lt=1)
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _fractions_sum_to_one(self) -> SplitParams:
        total = self.train + self.val + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + val + test must sum to 1, got {total:g}")
        return self

    def fractions(self) -> dict[str, float]:
        """The fractions by split name."""
        return {"train": self.train, "val": self.val, "test": self.test}


class DataProcessingParams(_Section):
    """The ``data_processing`` section."""

    source: Literal["simulator", "files"] = Field(
        description="'simulator' draws samples offline; 'files' reads the paths of catalog entry raw_sources"
    )
    simulation: SimulationParams
    features: FeatureSettings
    split: SplitParams


class ProjectParams(_Section):
    """The whole parameter tree of a run."""

    task: TaskParams
    data_processing: DataProcessingParams


def simulator_settings(task: str, physics: Mapping[str, Any]) -> BaseModel:
    """The typed physics settings of ``task``'s simulator (``data_processing.simulation.physics``)."""
    return SIMULATORS[task].settings_model.model_validate(dict(physics))


def _key_path(loc: tuple[Any, ...], given: Any) -> list[str]:
    """The keys of ``loc`` as the user wrote them, without pydantic's union-tag steps."""
    keys = []
    for part in loc:
        if isinstance(given, Mapping) and part in given:
            given = given[part]
            keys.append(str(part))
        elif not isinstance(given, Mapping) or isinstance(part, int):
            keys.append(str(part))
    return keys


def _format_errors(error: ValidationError, given: Mapping[str, Any], prefix: str = "") -> list[str]:
    lines = []
    for item in error.errors():
        key = ".".join(part for part in (prefix, *_key_path(item["loc"], given)) if part)
        message = item["msg"].removeprefix("Value error, ")
        shown_input = "" if item["type"] == "missing" else f" (got {item['input']!r})"
        lines.append(f"{key or '<top level>'}: {message}{shown_input}")
    return lines


def _cross_check(params: ProjectParams) -> list[str]:
    """Checks that span sections: the source, the simulator's physics and the features fit the task."""
    problems: list[str] = []
    task = params.task.name
    data = params.data_processing
    available = {"simulator": SIMULATORS, "files": FILE_READERS}[data.source]
    if task not in available:
        problems.append(
            f"data_processing.source: task '{task}' has no '{data.source}' source; "
            f"tasks with one: {sorted(available)}"
        )
    elif data.source == "simulator":
        try:
            simulator_settings(task, data.simulation.physics)
        except ValidationError as error:
            problems += _format_errors(error, data.simulation.physics, "data_processing.simulation.physics")
    if task not in data.features.tasks:
        problems.append(
            f"data_processing.features.kind: '{data.features.kind}' features do not apply to task '{task}' "
            f"(they apply to {list(data.features.tasks)})"
        )
    return problems


def parse_parameters(parameters: Mapping[str, Any]) -> ProjectParams:
    """Validate the whole parameter tree of a run.

    Args:
        parameters: the merged parameters, as Kedro loads them.

    Returns:
        The typed parameters.

    Raises:
        ConfigError: naming every invalid key, its allowed values and the value given.
    """
    try:
        params = ProjectParams.model_validate(dict(parameters))
    except ValidationError as error:
        problems = _format_errors(error, parameters)
    else:
        problems = _cross_check(params)
    if problems:
        listing = "\n".join(f"  - {line}" for line in problems)
        raise ConfigError(f"Invalid parameters (fix them in conf/<env>/parameters*.yml):\n{listing}")
    return params
