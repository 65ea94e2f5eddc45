"""Fully connected classifiers built from a small, validated description.

TensorFlow is imported inside the functions: importing this module stays cheap, and
``snac_pack`` has set ``TF_USE_LEGACY_KERAS=1`` before the first TensorFlow import, so
``tf_keras`` (Keras 2, which QKeras and hls4ml's converter need) is what gets built.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from snac_pack.data.qubit import assignment_fidelity

if TYPE_CHECKING:
    import tf_keras

logger = logging.getLogger(__name__)

Activation = Literal["relu", "tanh", "sigmoid", "linear"]


class MLPSpec(BaseModel):
    """A fully connected classifier: hidden layer widths and their regularisation.

    Attributes:
        hidden_units: width of each hidden layer, input side first.
        activation: activation of every hidden layer (the output layer is a softmax).
        batch_norm: per hidden layer, batch normalisation after its dense layer, before its
            activation (one boolean is every layer's).
        dropout: dropout rate after each hidden activation.
        l1: L1 penalty on every dense kernel (encourages sparsity that pruning then removes).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    hidden_units: tuple[int, ...] = Field(min_length=1)
    activation: Activation = "relu"
    batch_norm: tuple[bool, ...] = ()
    dropout: float = Field(default=0.0, ge=0.0, lt=1.0)
    l1: float = Field(default=0.0, ge=0.0)

    @model_validator(mode="before")
    @classmethod
    def _one_flag_per_layer(cls, values: Any) -> Any:
        """One boolean (or none) stands for every hidden layer's."""
        if isinstance(values, dict) and "hidden_units" in values:
            flag = values.get("batch_norm", False)
            if isinstance(flag, bool):
                values = {**values, "batch_norm": (flag,) * len(tuple(values["hidden_units"]))}
        return values

    def model_post_init(self, __context: object) -> None:
        if any(units < 1 for units in self.hidden_units):
            raise ValueError(f"hidden_units must all be at least 1, got {list(self.hidden_units)}")
        if len(self.batch_norm) != len(self.hidden_units):
            raise ValueError(
                f"batch_norm has {len(self.batch_norm)} entries for {len(self.hidden_units)} hidden layers"
            )


class TrainingSettings(BaseModel):
    """How a classifier is trained: Adam on cross-entropy with early stopping on validation loss."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    epochs: int = Field(default=30, gt=0)
    batch_size: int = Field(default=256, gt=0)
    learning_rate: float = Field(default=1e-3, gt=0)
    patience: int = Field(default=5, ge=0, description="epochs without val-loss improvement before stopping")
    seed: int = Field(default=0, ge=0)


def build_mlp(n_inputs: int, n_classes: int, spec: MLPSpec, seed: int = 0) -> tf_keras.Model:
    """A float ``tf_keras`` classifier with the layers of ``spec`` and a softmax output.

    Args:
        n_inputs: number of input features.
        n_classes: number of classes (output units).
        spec: hidden layers and regularisation.
        seed: seed of the weight initialisation.

    Returns:
        The uncompiled model; layer names are ``dense_<i>`` (``output`` for the last dense layer).
    """
    import tf_keras

    tf_keras.utils.set_random_seed(seed)
    regulariser = tf_keras.regularizers.L1(spec.l1) if spec.l1 > 0 else None
    inputs = tf_keras.Input(shape=(n_inputs,), name="inputs")
    hidden = inputs
    for index, units in enumerate(spec.hidden_units):
        hidden = tf_keras.layers.Dense(units, kernel_regularizer=regulariser, name=f"dense_{index}")(hidden)
        if spec.batch_norm[index]:
            hidden = tf_keras.layers.BatchNormalization(name=f"batch_norm_{index}")(hidden)
        hidden = tf_keras.layers.Activation(spec.activation, name=f"activation_{index}")(hidden)
        if spec.dropout > 0:
            hidden = tf_keras.layers.Dropout(spec.dropout, name=f"dropout_{index}")(hidden)
    logits = tf_keras.layers.Dense(n_classes, kernel_regularizer=regulariser, name="output")(hidden)
    outputs = tf_keras.layers.Activation("softmax", name="softmax")(logits)
    return tf_keras.Model(inputs, outputs, name="mlp")


def early_stopping_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split training examples into those fitted and those early stopping watches, stratified by class.

    A metric measured on the data early stopping chose the epoch on is biased upwards; keeping a
    slice of the training data for early stopping leaves the validation split unseen until the
    metric is measured.

    Args:
        y: integer labels of the training examples.
        fraction: share of each class kept for early stopping (at least one example of a class
            with two or more, never its last).
        seed: seed of the draw.

    Returns:
        Indices of the examples to fit and of those to stop on, each sorted.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"early-stopping fraction must lie in (0, 1), got {fraction}")
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    watched = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        watched[members[: min(len(members) - 1, max(1, round(fraction * len(members))))]] = True
    return np.flatnonzero(~watched), np.flatnonzero(watched)


def train_classifier(
    model: tf_keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    settings: TrainingSettings,
    *,
    from_logits: bool = False,
    callbacks: Sequence[tf_keras.callbacks.Callback] = (),
) -> dict[str, list[float]]:
    """Train ``model`` in place with Adam and early stopping, restoring the best validation weights.

    Args:
        model: a classifier with a softmax output (from :func:`build_mlp`), or one that outputs
            logits when ``from_logits``.
        train: training features and integer labels.
        val: validation features and integer labels.
        settings: epochs, batch size, learning rate, patience and seed.
        from_logits: the model outputs logits (the softmax is in the loss).
        callbacks: further callbacks, run before early stopping at every step.

    Returns:
        The per-epoch history (``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``).
    """
    import tf_keras

    tf_keras.utils.set_random_seed(settings.seed)
    model.compile(
        optimizer=tf_keras.optimizers.Adam(settings.learning_rate),
        loss=tf_keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
        metrics=["accuracy"],
    )
    all_callbacks = [
        *callbacks,
        tf_keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience, restore_best_weights=True),
    ]
    history = model.fit(
        train[0],
        train[1],
        validation_data=val,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        callbacks=all_callbacks,
        verbose=0,
    )
    logger.debug("Trained %d epochs, best val_loss %.4f", len(history.history["loss"]), min(history.history["val_loss"]))
    return {name: [float(v) for v in values] for name, values in history.history.items()}


def predict_classes(model: tf_keras.Model, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Class index with the highest score for each example.

    Calls the model directly in batches: ``Model.predict`` traces a new function for every
    fresh model, which a search building hundreds of models pays for (and warns about).
    """
    scores = [np.asarray(model(x[start : start + batch_size], training=False)) for start in range(0, len(x), batch_size)]
    return np.argmax(np.concatenate(scores), axis=1)


def task_metric(metric: Literal["accuracy", "fidelity"], y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The task metric: ``accuracy`` (fraction correct) or ``fidelity`` (two-class assignment fidelity)."""
    if metric == "fidelity":
        return assignment_fidelity(y_true, y_pred)
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
