"""The one door to TensorFlow/Keras: our initializers inside Keras, and MLPs as Keras models.

Importing this module imports TensorFlow (a few seconds); ``import wtinit_lib`` alone never
does. Before the import it quiets TensorFlow's C++ log: ``TF_CPP_MIN_LOG_LEVEL`` is raised to
``"3"`` when it is unset or 0 (a level of 1 or more that you set is kept), and
``TF_ENABLE_ONEDNN_OPTS`` defaults to ``"0"``. Level 1 is enough for a silent import, but
TensorFlow 2.21's tf.data logs a spurious ``E0000 ... use_unbounded_threadpool`` error line on
every ``fit``/``predict``, which in a notebook lands as stderr output; level 3 drops it. With
oneDNN on (``TF_ENABLE_ONEDNN_OPTS=1``, TensorFlow's own default), its C++ layer prints a notice
about oneDNN's rounding while it loads, whatever the log level; the import drops exactly that
notice (and the line that introduces it) from the process's standard error and passes anything
else through. These settings only take effect if TensorFlow was not imported earlier.

- :class:`KerasInitializer` / :func:`keras_initializer`: any ``wtinit_lib.initializers`` name as
  a ``keras.initializers.Initializer`` that is seeded, serializable and registered, so a saved
  ``.keras`` model reloads.
- :func:`to_keras`: an :class:`~wtinit_lib.network.MLP` as a ``keras.Sequential`` with the same
  weights, activations and outputs; :func:`from_keras` the other way round.
- :func:`fit_full_batch`: train a Keras model with plain gradient descent on the whole data set
  at every step, the way ``MLP.fit`` does without a ``batch_size``.

Measurements on Keras layers and models (fans by autodiff, per-batch losses) are in
:mod:`wtinit_lib.keras_probes`, which imports Keras through this module.

Both use Keras's kernel layout ``(fan_in, fan_out)``, the same as ``wtinit_lib``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any


def _quiet_tensorflow_environment() -> None:
    """Set the environment so that importing TensorFlow prints nothing to stderr."""
    level = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "")
    if not (level.strip().isdigit() and int(level) >= 1):
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


#: What TensorFlow's C++ layer prints while it loads with oneDNN on, at any log level.
_LOAD_NOTICES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "oneDNN custom operations are on.",
)


def _import_keras_quietly() -> Any:
    """``import keras`` (and TensorFlow) with the loading notices removed from file descriptor 2.

    The notices are written by C++ code straight to descriptor 2, past Python's ``sys.stderr``,
    so the descriptor itself is pointed at a temporary file during the import; afterwards every
    captured line that is not one of ``_LOAD_NOTICES`` is written back to standard error.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import keras
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines()
    kept = [line for line in lines if not any(notice in line for notice in _LOAD_NOTICES)]
    if kept:
        sys.stderr.write("\n".join(kept) + "\n")
    return keras


_quiet_tensorflow_environment()
keras = _import_keras_quietly()

import contextlib  # noqa: E402
import inspect  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402  (loaded by keras above, quietly)

from wtinit_lib import activations, initializers  # noqa: E402
from wtinit_lib._checks import check_int, check_positive, check_seed  # noqa: E402
from wtinit_lib.network import MLP  # noqa: E402

__all__ = [
    "DtypeSequential",
    "KerasInitializer",
    "fit_full_batch",
    "from_keras",
    "gelu",
    "keras_initializer",
    "leaky_relu",
    "to_keras",
]


# --- initializers -------------------------------------------------------------------------------


def _initializer(name: str, kwargs: dict[str, Any]) -> initializers.Initializer:
    """The initializer called ``name``: a preset, or a family with ``kwargs`` as its parameters."""
    family = initializers.FAMILIES.get(name)
    accepted = [] if family is None else list(inspect.signature(family).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(
            f"Initializer {name!r} accepts the keyword arguments {accepted or 'none'}. "
            f"Received: {', '.join(f'{key}={kwargs[key]!r}' for key in unknown)}"
        )
    return family(**kwargs) if family is not None else initializers.get(name)


def _plain(value: object) -> object:
    """numpy scalars as Python numbers, so the config is JSON-serializable."""
    return value.item() if isinstance(value, np.generic) else value


@keras.saving.register_keras_serializable(package="wtinit_lib")
class KerasInitializer(keras.initializers.Initializer):
    """A ``wtinit_lib.initializers`` rule as a Keras initializer.

    ``KerasInitializer("he_normal", seed=0)`` draws ``N(0, 2 / fan_in)`` (He et al. 2015),
    ``KerasInitializer("random_normal", seed=0, std=10.0)`` draws ``N(0, 100)``,
    ``KerasInitializer("orthogonal", gain=2**0.5)`` a scaled orthogonal matrix, and so on for
    every name in ``wtinit_lib.initializers.available()`` (and ``"constant"`` with its ``value``);
    keyword arguments are the parameters of a family (``wtinit_lib.initializers.FAMILIES``).
    Values are drawn with numpy in float64, then cast to the dtype Keras asks for, so they equal
    ``initializers.get(name)(shape, rng=seed)`` (or, with keyword arguments,
    ``initializers.FAMILIES[name](**kwargs)(shape, rng=seed)``) exactly.

    Seeding follows Keras 3's own initializers: an instance seeded with an int returns the same
    values on every call with the same shape; with ``seed=None`` a seed is drawn once when the
    instance is created, so the instance is still consistent with itself (and ``get_config``
    keeps ``None``, as Keras does). Use separate instances (or seeds) for layers that must differ.
    """

    def __init__(self, name: str, seed: int | None = None, **kwargs: Any) -> None:
        names = [*initializers.available(), "constant"]
        if not isinstance(name, str) or name not in names:
            raise ValueError(
                f"Argument `name` must be one of {', '.join(names)}. Received: name={name!r}"
            )
        self.initializer_name = name
        self._init_seed = check_seed("seed", seed)
        self.seed = (
            self._init_seed
            if self._init_seed is not None
            else int(np.random.SeedSequence().generate_state(1)[0])
        )
        self.kwargs = {key: _plain(value) for key, value in kwargs.items()}
        self._function = _initializer(name, self.kwargs)
        self._draw((2, 2))  # fail now, not inside a layer build, on bad values

    def _draw(self, shape: tuple[int, ...]) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return self._function(shape, rng=rng, dtype=np.float64)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        dtype = keras.backend.standardize_dtype(dtype or keras.config.floatx())
        values = self._draw(tuple(int(d) for d in shape))
        return keras.ops.convert_to_tensor(values.astype(dtype), dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.initializer_name, "seed": self._init_seed, **self.kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasInitializer:
        config = dict(config)
        return cls(config.pop("name"), seed=config.pop("seed", None), **config)

    def __repr__(self) -> str:
        extra = "".join(f", {key}={value!r}" for key, value in self.kwargs.items())
        return f"KerasInitializer({self.initializer_name!r}, seed={self._init_seed!r}{extra})"


def keras_initializer(name: str, seed: int | None = None, **kwargs: Any) -> KerasInitializer:
    """Shorthand for ``KerasInitializer(name, seed, **kwargs)``, e.g. ``("he_normal", seed=0)``."""
    return KerasInitializer(name, seed=seed, **kwargs)


# --- MLP <-> keras.Sequential ---------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="wtinit_lib")
def leaky_relu(x: Any) -> Any:
    """``x`` for ``x > 0``, ``0.01 · x`` otherwise, computed in ``x``'s own dtype.

    Keras's ``LeakyReLU`` layer (TensorFlow's ``leaky_relu`` op) stores its slope as a float32
    attribute, so in float64 it multiplies by ``0.0099999998`` and differs from ours by ~1e-10
    relative; this function multiplies by the float64 ``0.01``. Registered, so models using it
    save and reload.
    """
    return keras.ops.where(x > 0, x, x * activations.LEAKY_RELU_SLOPE)


@keras.saving.register_keras_serializable(package="wtinit_lib")
def gelu(x: Any) -> Any:
    """The exact GELU ``x Φ(x) = x (1 + erf(x / √2)) / 2``, computed in ``x``'s own dtype.

    ``keras.activations.gelu(x, approximate=False)`` in float64 differs from this formula by
    about 3e-7 relative (TensorFlow's kernel uses a float32 constant); this function writes the
    formula out with ``keras.ops.erf``, equal to ours to rounding. Registered, like
    :func:`leaky_relu`.
    """
    return 0.5 * x * (1.0 + keras.ops.erf(x * (1.0 / np.sqrt(2.0))))


#: Keras activations for ours (``leaky_relu`` and ``gelu`` are the functions above).
_KERAS_ACTIVATION = {
    "linear": "linear",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "softmax": "softmax",
    "leaky_relu": leaky_relu,
    "gelu": gelu,
}


@contextlib.contextmanager
def _floatx(dtype: str) -> Iterator[None]:
    previous = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(previous)


@keras.saving.register_keras_serializable(package="wtinit_lib")
class DtypeSequential(keras.Sequential):
    """A ``keras.Sequential`` whose ``fit``, ``evaluate`` and ``predict`` keep its own float dtype.

    Keras casts float input arrays to ``keras.config.floatx()`` (float32 by default) before
    they reach the layers, so a float64 model fed a float64 array would compute from
    float32-rounded inputs. This subclass sets ``floatx`` to its layers' dtype for the duration
    of those calls (and restores it afterwards). Calling the model directly, ``model(X)``, needs
    no help. Registered, so a saved model reloads as this class.
    """

    def _dtype(self) -> str:
        return self.layers[0].compute_dtype if self.layers else keras.config.floatx()

    def fit(self, *args: Any, **kwargs: Any) -> Any:
        with _floatx(self._dtype()):
            return super().fit(*args, **kwargs)

    def evaluate(self, *args: Any, **kwargs: Any) -> Any:
        with _floatx(self._dtype()):
            return super().evaluate(*args, **kwargs)

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        with _floatx(self._dtype()):
            return super().predict(*args, **kwargs)


def to_keras(net: MLP) -> DtypeSequential:
    """A Keras model that computes exactly what ``net.forward`` computes.

    ``keras.Input((layer_sizes[0],))``, then one ``Dense`` layer per weight layer with the
    network's kernel ``(fan_in, fan_out)`` and bias; hidden layers use the network's
    activation, the last layer its output activation (``leaky_relu`` and ``gelu`` are this
    module's :func:`leaky_relu`, slope exactly 0.01, and :func:`gelu`); an MLP with a ``norm``
    is refused (``NotImplementedError``). Every layer computes in the network's dtype, and
    the model is a :class:`DtypeSequential`, so ``predict`` of a float64 network is float64
    throughout. The model is not compiled.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"Argument `net` must be a wtinit_lib.MLP. Received: {type(net).__name__}")
    if net.norm is not None:
        raise NotImplementedError(
            f"to_keras converts MLPs of Dense layers only. Received: an MLP with norm={net.norm!r}"
        )
    dtype = np.dtype(net.dtype).name
    L = net.num_layers
    layers = [
        keras.layers.Dense(
            net.layer_sizes[i + 1],
            activation=_KERAS_ACTIVATION[net.output_activation if i == L - 1 else net.activation],
            dtype=dtype,
            name=f"dense_{i + 1}",
        )
        for i in range(L)
    ]
    model = DtypeSequential(
        [keras.Input(shape=(net.layer_sizes[0],), dtype=dtype), *layers], name="wtinit_mlp"
    )
    for layer, W, b in zip(layers, net.weights, net.biases):
        layer.set_weights([np.asarray(W, dtype=dtype), np.asarray(b, dtype=dtype)])
    return model


def _activation_name(layer: keras.layers.Dense) -> str | None:
    """Our name for a Dense layer's activation, or None when we have no equivalent."""
    for ours in (leaky_relu, gelu):
        if layer.activation is ours:
            return ours.__name__
    name = getattr(layer.activation, "__name__", None)
    return name if name in _KERAS_ACTIVATION and name not in ("leaky_relu", "gelu") else None


def from_keras(model: keras.Model) -> MLP:
    """An :class:`~wtinit_lib.network.MLP` with the weights of a Keras model of ``Dense`` layers.

    Accepts what :func:`to_keras` builds: ``Dense`` layers with a bias and an activation among
    linear, sigmoid, tanh, relu, softmax, :func:`leaky_relu` and :func:`gelu`; all hidden layers
    share one activation and the output's is sigmoid, softmax or linear. Weights are copied; the
    network's dtype is the kernels' (float32 or float64).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"Argument `model` must be a keras.Model. Received: {type(model).__name__}")
    names, kernels, biases = [], [], []
    for layer in model.layers:
        name = _activation_name(layer) if isinstance(layer, keras.layers.Dense) else None
        if name is None or not layer.use_bias:
            raise ValueError(
                "Argument `model` must contain only Dense layers with a bias and a linear, "
                "sigmoid, tanh, relu, softmax, keras_bridge.leaky_relu or keras_bridge.gelu "
                "activation. "
                f"Received: layer {layer.name!r} ({type(layer).__name__})"
            )
        kernel, bias = layer.get_weights()
        names.append(name)
        kernels.append(kernel)
        biases.append(bias)
    if not kernels:
        raise ValueError("Argument `model` must contain at least one Dense layer. Received: none")
    if len(set(names[:-1])) > 1:
        raise ValueError(
            "Argument `model` must use one activation for all hidden layers. "
            f"Received: activations {names[:-1]}"
        )
    dtype = np.result_type(*kernels)
    net = MLP(
        [kernels[0].shape[0], *(k.shape[1] for k in kernels)],
        activation=names[0] if len(names) > 1 else "relu",
        output_activation=names[-1],
        weight_init="zeros",
        dtype=dtype if dtype in (np.float32, np.float64) else np.float32,
    )
    net.weights = kernels
    net.biases = biases
    return net


# --- training ------------------------------------------------------------------------------------


def fit_full_batch(
    model: keras.Model,
    X: np.ndarray,
    Y: np.ndarray,
    steps: int,
    lr: float,
    dtype: str | None = None,
    steps_per_execution: int = 50,
) -> Any:
    """Train ``model`` by full-batch gradient descent, ``θ ← θ - lr · ∇ℒ``, for ``steps`` steps.

    Plain ``SGD(learning_rate=lr)``, Keras's ``BinaryCrossentropy`` in ``dtype`` (default: the
    model's own; a float32 loss on a float64 model would round away the logits Keras recovers
    from a sigmoid layer) and an accuracy metric; every step uses all of ``(X, Y)``, the update
    of ``MLP.fit(X, Y, epochs=steps, lr=lr)``. Keras runs ``steps_per_execution`` steps per call
    into TensorFlow (speed only; ``steps`` must be a multiple of it). Returns Keras's History.
    """
    steps = check_int("steps", steps)
    lr = check_positive("lr", lr)
    steps_per_execution = check_int("steps_per_execution", steps_per_execution)
    if steps % steps_per_execution:
        raise ValueError(
            f"Argument `steps` must be a multiple of `steps_per_execution` "
            f"({steps_per_execution}). Received: steps={steps}"
        )
    dtype = dtype or (model.layers[0].compute_dtype if model.layers else keras.config.floatx())
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=lr),
        loss=keras.losses.BinaryCrossentropy(dtype=dtype),
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    batch = (np.asarray(X).astype(dtype), np.asarray(Y).astype(dtype))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    return model.fit(
        data,
        epochs=steps // steps_per_execution,
        steps_per_epoch=steps_per_execution,
        shuffle=False,
        verbose=0,
    )
