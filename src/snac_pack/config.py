"""Typed, validated parameters: the one place that knows the shape of ``conf/*/parameters*.yml``.

Every run validates the whole parameter tree once, before any node starts (see
``snac_pack.hooks``); nodes then read their own section into the same typed objects. An
invalid value stops the run with a :class:`ConfigError` that names each offending key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from snac_pack.compression.comparison import ComparisonSettings
from snac_pack.compression.settings import (
    BaselineModel,
    FixedPoint,
    PhaseTraining,
    PruningSchedule,
    QuantizationPoint,
    SelectionRule,
)
from snac_pack.data.features import FeatureSettings
from snac_pack.data.sources import FILE_READERS, SIMULATORS
from snac_pack.hardware.architecture import ImplementationTarget
from snac_pack.hardware.cost import CostSource
from snac_pack.models.mlp import TrainingSettings
from snac_pack.search.objective import (
    MADE_UNDER_COMPONENTS,
    QuantizationAwareTrials,
    SearchMode,
    TrialObjective,
    available_figures,
)
from snac_pack.search.pareto import CandidateRule
from snac_pack.search.space import Precision, SearchSpace
from snac_pack.search.study import SamplerSettings


class ConfigError(ValueError):
    """Invalid parameters; the message names every offending key and what is allowed."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskParams(_Section):
    """What is being learned (``task``)."""

    name: Literal["qubit", "jet", "tabular"] = Field(
        description="the task; selects simulator, file reader and reports ('tabular': the user's CSV or Parquet table)"
    )
    metric: Literal["accuracy", "fidelity"] = Field(description="the task metric the search optimises")

    @model_validator(mode="after")
    def _fidelity_is_for_qubits(self) -> TaskParams:
        if self.metric == "fidelity" and self.name != "qubit":
            raise ValueError(f"metric 'fidelity' is the two-state assignment fidelity of qubit readout; task '{self.name}' uses 'accuracy'")
        return self


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
        description="'simulator' draws samples offline (qubit, jet); 'files' reads the paths of catalog entry raw_sources"
    )
    simulation: SimulationParams
    features: FeatureSettings
    split: SplitParams


class SurrogateTrainingParams(_Section):
    """The ``surrogate_training`` section: ground truth to compute and how to fit the surrogate."""

    n_random_designs: int = Field(gt=0, description="architectures drawn from search_space with random weights")
    n_trained_designs: int = Field(ge=0, description="architectures trained on the task data, for the trained-weight gap")
    trained_epochs: int = Field(gt=0, description="epochs of each trained ground-truth network")
    yosys_designs: int = Field(ge=0, description="random designs also synthesised with Yosys (held-out ones unless Yosys is a train source)")
    yosys_timeout_s: float = Field(gt=0, description="limit of one Yosys run")
    holdout_fraction: float = Field(
        gt=0, lt=1, description="share of architectures held out for evaluation (all their rows: every weight draw and origin)"
    )
    train_sources: tuple[CostSource, ...] = Field(default=("da4ml",), min_length=1, description="tools whose figures the surrogate learns")
    n_workers: int | None = Field(default=None, gt=0, description="processes for exact costs; null: one per core")
    max_built_weights: float = Field(
        default=50_000, gt=0,
        description="random designs with more built weights (Architecture.n_built_weights) are drawn again: da4ml's memory grows with them",
    )
    seed: int = Field(default=0, ge=0)
    use_shipped_table: bool = Field(
        default=True, description="start from the ground-truth table shipped with the package (false: the project's rows only)"
    )


class SearchPrecision(_Section):
    """Fixed-point point at which the global search costs its float-trained candidates."""

    weight_bits: int = Field(ge=2, le=16)
    activation_bits: int = Field(ge=1, le=16)
    sparsity: float = Field(default=0.0, ge=0.0, lt=1.0)

    def resolve(self, space: SearchSpace) -> Precision:
        """The full precision, formats' integer bits taken from the search space."""
        formats = space.precision
        return Precision(
            input_bits=formats.input_bits,
            input_integer_bits=formats.input_integer_bits,
            weight_bits=self.weight_bits,
            weight_integer_bits=formats.weight_integer_bits,
            activation_bits=self.activation_bits,
            activation_integer_bits=formats.activation_integer_bits,
            sparsity=self.sparsity,
        )


class SearchTraining(_Section):
    """Training of each trial (the learning rate is searched)."""

    epochs: int = Field(gt=0)
    batch_size: int = Field(default=256, gt=0)
    patience: int = Field(default=3, ge=0)
    early_stopping_fraction: float = Field(
        default=0.15, gt=0.0, lt=0.5,
        description="share of the training data (of each fold's training part) early stopping watches; the metric "
        "is measured on data it never saw",
    )

    def settings(self) -> TrainingSettings:
        """As the models' training settings."""
        return TrainingSettings(epochs=self.epochs, batch_size=self.batch_size, patience=self.patience)


class GlobalSearchParams(_Section):
    """The ``global_search`` section (the study's storage and name are in the catalog: ``global_search_study``)."""

    n_trials: int = Field(gt=0, description="COMPLETE trials of the study, all workers and nodes together")
    n_workers: int | None = Field(default=None, gt=0, description="worker processes on this node; null: one per core")
    objectives: dict[str, Literal["minimize", "maximize"]] = Field(min_length=2)
    budgets: dict[str, float] = Field(default_factory=dict, description="figure -> largest allowed value")
    estimator: Literal["surrogate", "exact"] = "surrogate"
    mode: SearchMode = Field(
        default="float", description="float: train in floating point, cost at `precision`; quantization_aware: each trial "
        "draws its precision and sparsity from search_space.precision and trains and prunes at them"
    )
    quantization_aware: QuantizationAwareTrials = Field(default_factory=QuantizationAwareTrials)
    precision: SearchPrecision
    training: SearchTraining
    cross_validation_folds: int = Field(default=1, ge=1)
    sampler: SamplerSettings = Field(default_factory=SamplerSettings)
    heartbeat_interval_s: int = Field(default=30, ge=1)
    grace_period_s: int = Field(default=120, ge=2)
    progress_interval_s: float = Field(default=30.0, gt=0)
    candidates: CandidateRule = Field(default_factory=CandidateRule)
    accept_study_changes: tuple[str, ...] = Field(
        default=(),
        description="components allowed to differ from what the existing study was made under; its old trials "
        "then stay beside the new ones",
    )
    allow_partial_study: bool = Field(
        default=False, description="let a search that ends short of n_trials go on to the next pipelines (reported)"
    )
    max_worker_restarts: int = Field(
        default=3, ge=0, description="worker processes of this node restarted after a crash, per run"
    )

    @field_validator("accept_study_changes")
    @classmethod
    def _known_components(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(names) - set(MADE_UNDER_COMPONENTS))
        if unknown:
            raise ValueError(f"unknown component(s) {unknown}; valid: {list(MADE_UNDER_COMPONENTS)}")
        return names


def trial_objective(
    task: TaskParams,
    space: SearchSpace,
    target: ImplementationTarget,
    search: GlobalSearchParams,
    surrogate: Any,
    train: Any,
    val: Any,
    cores: int,
    networks_dir: Path | None = None,
) -> TrialObjective:
    """The global search's trial objective as the parameters describe it.

    Args:
        task, space, target, search: the validated sections.
        surrogate: the trained surrogate.
        train, val: the model inputs' training and validation splits (``FeatureTable``).
        cores: cores of this node, shared among ``search.n_workers`` workers for TensorFlow.
        networks_dir: where quantization-aware trials store their networks.
    """
    workers = search.n_workers or cores
    return TrialObjective(
        space=space,
        objectives=tuple(search.objectives),
        budgets=dict(search.budgets),
        metric=task.metric,
        estimator=search.estimator,
        surrogate=surrogate,
        precision=search.precision.resolve(space),
        target=target,
        training=search.training.settings(),
        early_stopping_fraction=search.training.early_stopping_fraction,
        folds=search.cross_validation_folds,
        train=train,
        val=val,
        tensorflow_threads=max(1, cores // workers),
        mode=search.mode,
        quantization_aware=search.quantization_aware,
        networks_dir=networks_dir,
    )


class LocalCompressionParams(_Section):
    """The ``local_compression`` section: precisions, warm-up, pruning schedule, selection, baselines, comparison."""

    precisions: tuple[QuantizationPoint, ...] = Field(min_length=1, description="weight and activation formats to compress at")
    warmup: PhaseTraining = Field(description="quantization-aware training before pruning")
    pruning: PruningSchedule
    searched_precision: bool = Field(
        default=True,
        description="a candidate of a quantization-aware trial is also compressed (as `trial_<n>_searched`) at its own "
        "per-layer bits, pruned in `pruning.iterations` steps to its own sparsity",
    )
    selection: SelectionRule = Field(default_factory=SelectionRule)
    baselines: tuple[BaselineModel, ...] = Field(default=(), description="hand-designed networks compressed alike")
    comparison: ComparisonSettings = Field(
        default_factory=ComparisonSettings, description="candidates against baselines on the test split (paired bootstrap)"
    )
    n_workers: int | None = Field(default=None, gt=0, description="processes for exact costs; null: one per core")
    seed: int = Field(default=0, ge=0)

    def input_format(self, space: SearchSpace) -> FixedPoint:
        """The networks' input format: the search space's."""
        return FixedPoint(bits=space.precision.input_bits, integer=space.precision.input_integer_bits)


class FirmwareParams(_Section):
    """The ``firmware`` section (part, clock, strategy, reuse factor and I/O type: ``hardware_target``)."""

    model: str = Field(default="best_candidate", description="'best_candidate' (best validation metric) or a compressed model's name")
    backend: Literal["Vitis", "Vivado"] = Field(default="Vitis", description="hls4ml backend")
    strategy: Literal["distributed_arithmetic", "latency", "resource"] | None = Field(
        default=None, description="hls4ml strategy; null: hardware_target.strategy (what the surrogate and da4ml describe)"
    )
    min_bit_exact_fraction: float = Field(default=0.99, gt=0, le=1, description="share of test inputs the C simulation and da4ml's netlist must each reproduce bit for bit")
    max_verify_samples: int | None = Field(default=None, gt=0, description="test inputs compared; null: all")
    vendor_build: bool = Field(default=True, description="run the vendor build when its tools are on PATH")
    yosys_timeout_s: float = Field(default=1800, gt=0)


class ProjectParams(_Section):
    """The whole parameter tree of a run."""

    task: TaskParams
    data_processing: DataProcessingParams
    search_space: SearchSpace
    hardware_target: ImplementationTarget
    surrogate_training: SurrogateTrainingParams
    global_search: GlobalSearchParams
    local_compression: LocalCompressionParams
    firmware: FirmwareParams


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
        missing = item["type"] == "missing"
        # A missing key is not in what was given: name it after its section's path.
        keys = _key_path(item["loc"][:-1], given) + [str(item["loc"][-1])] if missing else _key_path(item["loc"], given)
        key = ".".join(part for part in (prefix, *keys) if part)
        message = item["msg"].removeprefix("Value error, ")
        shown_input = "" if missing else f" (got {item['input']!r})"
        lines.append(f"{key or '<top level>'}: {message}{shown_input}")
    return lines


def _cross_check(params: ProjectParams) -> list[str]:
    """Checks that span sections: the source, the simulator's physics and the features fit the task."""
    problems: list[str] = []
    task = params.task.name
    data = params.data_processing
    sources = {"simulator": (SIMULATORS, "simulator"), "files": (FILE_READERS, "files (the paths of catalog entry raw_sources)")}
    if task not in sources[data.source][0]:
        usable = [described for registry, described in sources.values() if task in registry]
        problems.append(f"data_processing.source: task '{task}' has no '{data.source}' source; set it to {' or '.join(usable)}")
    elif data.source == "simulator":
        for field in SIMULATORS[task].run_fields:
            if field in data.simulation.physics:
                problems.append(
                    f"data_processing.simulation.physics.{field}: set by data_processing.simulation "
                    "(n_examples, seed); remove it here"
                )
        try:
            simulator_settings(task, data.simulation.physics)
        except ValidationError as error:
            problems += _format_errors(error, data.simulation.physics, "data_processing.simulation.physics")
    window = params.search_space.input_window
    if window is not None and data.features.kind != "iq_window":
        problems.append("search_space.input_window: only applies to I/Q readout features (features.kind iq_window)")
    elif window is not None and window.longest() > data.features.window_length:
        reach = "end" if window.end is not None else "start.high + length.high"
        problems.append(
            f"search_space.input_window: {reach} = {window.longest()} exceeds "
            f"data_processing.features.window_length = {data.features.window_length}"
        )
    problems += _check_search(params)
    problems += _check_compression(params)
    if task not in data.features.tasks:
        problems.append(
            f"data_processing.features.kind: '{data.features.kind}' features do not apply to task '{task}' "
            f"(they apply to {list(data.features.tasks)})"
        )
    return problems


def _check_search(params: ProjectParams) -> list[str]:
    """The search's figures exist, its metric is the task's, its precision lies in the space."""
    problems = []
    search = params.global_search
    valid = available_figures(params.task.metric)
    for key, names in (("objectives", search.objectives), ("budgets", search.budgets), ("candidates.cost", [search.candidates.cost])):
        unknown = [name for name in names if name not in valid]
        if unknown:
            problems.append(f"global_search.{key}: unknown figure(s) {unknown}; valid: {list(valid)}")
    if params.task.metric not in search.objectives:
        problems.append(f"global_search.objectives: must include the task metric '{params.task.metric}'")
    space = params.search_space.precision
    if search.precision.weight_bits not in space.weight_bits:
        problems.append(f"global_search.precision.weight_bits: {search.precision.weight_bits} is not among search_space.precision.weight_bits {list(space.weight_bits)}")
    if search.precision.activation_bits not in space.activation_bits:
        problems.append(f"global_search.precision.activation_bits: {search.precision.activation_bits} is not among search_space.precision.activation_bits {list(space.activation_bits)}")
    if search.mode == "quantization_aware" and True in params.search_space.batch_norm:
        problems.append(
            "search_space.batch_norm: quantization-aware trials train the QKeras network, which has no batch "
            "normalisation; set search_space.batch_norm: [false] with global_search.mode: quantization_aware"
        )
    return problems


def _check_compression(params: ProjectParams) -> list[str]:
    """Compression precisions lie where the surrogate learned; baselines fit the inputs."""
    problems = []
    compression, space = params.local_compression, params.search_space.precision
    for index, point in enumerate(compression.precisions):
        for kind, bits, allowed in (
            ("weights", point.weights.bits, space.weight_bits),
            ("activations", point.activations.bits, space.activation_bits),
        ):
            if not min(allowed) <= bits <= max(allowed):
                problems.append(
                    f"local_compression.precisions.{index}.{kind}.bits: {bits} lies outside "
                    f"search_space.precision.{kind[:-1]}_bits {list(allowed)}, where the surrogate was trained"
                )
    names = [baseline.name for baseline in compression.baselines]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        problems.append(f"local_compression.baselines: names must be unique, repeated: {duplicated}")
    features = params.data_processing.features
    for index, baseline in enumerate(compression.baselines):
        if baseline.input_window is None:
            continue
        if features.kind != "iq_window":
            problems.append(f"local_compression.baselines.{index}.input_window: only applies to I/Q readout features")
        elif sum(baseline.input_window) > features.window_length:
            problems.append(
                f"local_compression.baselines.{index}.input_window: start + length = {sum(baseline.input_window)} "
                f"exceeds data_processing.features.window_length = {features.window_length}"
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
