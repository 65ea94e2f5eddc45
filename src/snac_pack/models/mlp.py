"""Float classifiers built from a small, validated description: a body over tokens, then a dense head.

A :class:`NetworkSpec` is an MLP (dense hidden layers on a flat input) or, with a ``body``, a
network of layer kinds over a sequence input (jet constituents, readout samples): pointwise
dense layers, 1-D convolutions, token mixing, pooling and flattening (the kinds of
:mod:`snac_pack.hardware.architecture`), followed by the dense hidden layers and the classifier.
Families are bodies: Deep Sets (pointwise layers, then a pool), MLP-Mixer (token mixing and
pointwise layers, then a pool or flatten), 1-D convolutions (convolutions, then a pool or flatten).

TensorFlow is imported inside the functions: importing this module stays cheap, and
``snac_pack`` has set ``TF_USE_LEGACY_KERAS=1`` before the first TensorFlow import, so
``tf_keras`` (Keras 2, which QKeras and hls4ml's converter need) is what gets built.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from snac_pack.data.qubit import assignment_fidelity
from snac_pack.hardware.architecture import describe_layer

if TYPE_CHECKING:
    import tf_keras

logger = logging.getLogger(__name__)

Activation = Literal["relu", "tanh", "sigmoid", "linear"]


BodyKind = Literal["pointwise", "conv1d", "token_mix", "pool", "flatten"]
_WEIGHTED_BODY_KINDS = ("pointwise", "conv1d", "token_mix")


class BodyLayer(BaseModel):
    """One layer of a network's body over tokens (see :mod:`snac_pack.hardware.architecture` for each kind).

    Attributes:
        kind: ``pointwise``, ``conv1d``, ``token_mix``, ``pool`` or ``flatten``.
        units: outputs per token (``pointwise``, ``conv1d``) or output tokens (``token_mix``).
        kernel_size: tokens each output of a ``conv1d`` reads.
        stride: tokens between the outputs of a ``conv1d``.
        size: tokens per average of a ``pool``; unset: all of them.
        batch_norm: batch normalisation after a layer with weights, before its activation.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: BodyKind
    units: int | None = Field(default=None, ge=1, le=4096)
    kernel_size: int = Field(default=1, ge=1, le=256)
    stride: int = Field(default=1, ge=1, le=256)
    size: int | None = Field(default=None, ge=1, le=4096)
    batch_norm: bool = False

    @model_validator(mode="after")
    def _fields_of_the_kind(self) -> BodyLayer:
        weighted = self.kind in _WEIGHTED_BODY_KINDS
        if weighted != (self.units is not None):
            raise ValueError(f"units is {'required' if weighted else 'not allowed'} for a {self.kind} layer")
        if self.kind != "conv1d" and (self.kernel_size, self.stride) != (1, 1):
            raise ValueError(f"kernel_size and stride belong to conv1d layers, not {self.kind}")
        if self.kind != "pool" and self.size is not None:
            raise ValueError(f"size belongs to pool layers, not {self.kind}")
        if self.batch_norm and not weighted:
            raise ValueError(f"batch_norm follows a layer with weights, not a {self.kind} layer")
        return self

    @property
    def has_weights(self) -> bool:
        """Whether the layer has a kernel and a bias."""
        return self.kind in _WEIGHTED_BODY_KINDS


class NetworkSpec(BaseModel):
    """A classifier: an optional body over tokens, dense hidden layers, and their regularisation.

    Attributes:
        hidden_units: width of each dense hidden layer, input side first (after the body).
        activation: activation of every hidden layer (the output layer is a softmax).
        batch_norm: per dense hidden layer, batch normalisation after its dense layer, before
            its activation (one boolean is every layer's).
        dropout: dropout rate after each hidden activation (body layers with weights included).
        l1: L1 penalty on every kernel (encourages sparsity that pruning then removes).
        body: layers over the input's tokens, before the dense layers; it must end flat
            (``pool`` without ``size``, or ``flatten``). Empty: an MLP on a flat input.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    hidden_units: tuple[int, ...] = ()
    activation: Activation = "relu"
    batch_norm: tuple[bool, ...] = ()
    dropout: float = Field(default=0.0, ge=0.0, lt=1.0)
    l1: float = Field(default=0.0, ge=0.0)
    body: tuple[BodyLayer, ...] = ()

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
        if not self.hidden_units and not self.body:
            raise ValueError("hidden_units is empty and there is no body: the network needs at least one hidden layer")
        if self.body and not (self.body[-1].kind == "flatten" or (self.body[-1].kind == "pool" and self.body[-1].size is None)):
            raise ValueError(
                f"body ends with {self.body[-1].kind}: it must end flat, with flatten or a pool over all tokens (no size)"
            )

    @model_serializer(mode="wrap")
    def _without_empty_body(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An MLP's description (stored manifests, reports) stays as it was before bodies existed.
        described = handler(self)
        if not described.get("body"):
            described.pop("body", None)
        return described

    @property
    def n_weighted_layers(self) -> int:
        """Layers with weights: the body's, the dense hidden layers and the output layer."""
        return sum(layer.has_weights for layer in self.body) + len(self.hidden_units) + 1

    @property
    def batch_norm_flags(self) -> tuple[bool, ...]:
        """Batch normalisation of every hidden layer with weights, body first."""
        return (*(layer.batch_norm for layer in self.body if layer.has_weights), *self.batch_norm)

    def describe(self) -> str:
        """A short summary, e.g. ``pw32-pw16-pool | 32-16`` (an MLP: its hidden widths, ``64-32-32``)."""
        head = "-".join(map(str, self.hidden_units))
        return head if not self.body else "-".join(map(describe_layer, self.body)) + (f" | {head}" if head else "")


class TrainingSettings(BaseModel):
    """How a classifier is trained: Adam on cross-entropy with early stopping on validation loss."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    epochs: int = Field(default=30, gt=0)
    batch_size: int = Field(default=256, gt=0)
    learning_rate: float = Field(default=1e-3, gt=0)
    patience: int = Field(default=5, ge=0, description="epochs without val-loss improvement before stopping")
    seed: int = Field(default=0, ge=0)


def build_float_network(input_shape: Sequence[int], n_classes: int, spec: NetworkSpec, seed: int = 0) -> tf_keras.Model:
    """A float ``tf_keras`` classifier with the layers of ``spec`` and a softmax output.

    Args:
        input_shape: ``(n_features,)`` for an MLP, ``(tokens, features)`` for a network with a body.
        n_classes: number of classes (output units).
        spec: body, hidden layers and regularisation.
        seed: seed of the weight initialisation.

    Returns:
        The uncompiled model; dense hidden layers are ``dense_<i>``, the last dense layer ``output``,
        body layers ``<kind>_<i>`` (counted with the dense layers, body first).
    """
    import tf_keras

    input_shape = tuple(input_shape)
    if len(input_shape) != (2 if spec.body else 1):
        raise ValueError(
            f"input_shape {input_shape} does not fit the network: "
            f"{'a body reads (tokens, features)' if spec.body else 'an MLP reads (features,)'}"
        )
    tf_keras.utils.set_random_seed(seed)
    regulariser = tf_keras.regularizers.L1(spec.l1) if spec.l1 > 0 else None
    inputs = tf_keras.Input(shape=input_shape, name="inputs")
    hidden = inputs

    def activate(x: Any, index: int, batch_norm: bool) -> Any:
        if batch_norm:
            x = tf_keras.layers.BatchNormalization(name=f"batch_norm_{index}")(x)
        x = tf_keras.layers.Activation(spec.activation, name=f"activation_{index}")(x)
        return tf_keras.layers.Dropout(spec.dropout, name=f"dropout_{index}")(x) if spec.dropout > 0 else x

    for index, layer in enumerate(spec.body):
        name = f"{layer.kind}_{index}"
        if layer.kind == "pointwise":
            hidden = tf_keras.layers.Dense(layer.units, kernel_regularizer=regulariser, name=name)(hidden)
        elif layer.kind == "conv1d":
            hidden = tf_keras.layers.Conv1D(
                layer.units, layer.kernel_size, strides=layer.stride, padding="valid", kernel_regularizer=regulariser, name=name
            )(hidden)
        elif layer.kind == "token_mix":
            # Normalised and activated before the tokens go back: batch normalisation then scales each
            # mixed token, which folds into the token-mixing kernel.
            hidden = tf_keras.layers.Permute((2, 1), name=f"tokens_last_{index}")(hidden)
            hidden = tf_keras.layers.Dense(layer.units, kernel_regularizer=regulariser, name=name)(hidden)
            hidden = activate(hidden, index, layer.batch_norm)
            hidden = tf_keras.layers.Permute((2, 1), name=f"tokens_back_{index}")(hidden)
            continue
        elif layer.kind == "pool":
            pooling = tf_keras.layers.GlobalAveragePooling1D(name=name) if layer.size is None else (
                tf_keras.layers.AveragePooling1D(layer.size, strides=layer.size, name=name))
            hidden = pooling(hidden)
        else:
            hidden = tf_keras.layers.Flatten(name=name)(hidden)
        if layer.has_weights:
            hidden = activate(hidden, index, layer.batch_norm)
    offset = len(spec.body)
    for index, units in enumerate(spec.hidden_units):
        hidden = tf_keras.layers.Dense(units, kernel_regularizer=regulariser, name=f"dense_{offset + index}")(hidden)
        hidden = activate(hidden, offset + index, spec.batch_norm[index])
    logits = tf_keras.layers.Dense(n_classes, kernel_regularizer=regulariser, name="output")(hidden)
    outputs = tf_keras.layers.Activation("softmax", name="softmax")(logits)
    return tf_keras.Model(inputs, outputs, name="network")


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
        model: a classifier with a softmax output (from :func:`build_float_network`), or one that outputs
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
