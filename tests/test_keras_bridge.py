"""wtinit_lib.keras_bridge: our initializers inside Keras, MLP <-> Keras, a quiet import.

``KerasInitializer(name, seed, **kwargs)``: a preset takes no keyword arguments; a family is
built from them (``KerasInitializer("random_normal", std=10.0)``), and the values equal
``initializers.FAMILIES[name](**kwargs)(shape, rng=seed)``. ``to_keras``/``from_keras`` convert
an MLP with identical weights and outputs, float64 throughout. ``fit_full_batch`` takes the
steps of our own gradient descent (``MLP.fit``), with the loss in the model's dtype.
"""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from wtinit_lib import MLP, activations, initializers
from wtinit_lib import keras_bridge as kb

OUTPUTS = ("sigmoid", "softmax", "linear")

# Keras's own saving code (numpy 2 with TensorFlow variables) warns about `__array__`; not ours.
keras_save_warning = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.mark.parametrize("onednn", [None, "0", "1"])
def test_import_prints_nothing_to_stderr(onednn):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "KERAS_"))}
    if onednn is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = onednn  # "1": TensorFlow prints a notice while loading
    result = subprocess.run(
        [sys.executable, "-c", "import wtinit_lib.keras_bridge"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,  # generous: importing TensorFlow on a busy CI machine can take a while
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == ""


def test_environment_keeps_a_higher_log_level(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    kb._quiet_tensorflow_environment()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1"  # an explicit choice is respected
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS")
    kb._quiet_tensorflow_environment()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


# --- initializers ---------------------------------------------------------------------------------


def test_initializer_values_equal_ours_and_are_reproducible():
    init = kb.keras_initializer("he_normal", seed=3)
    values = np.asarray(init((40, 30), dtype="float64"))
    np.testing.assert_array_equal(values, initializers.he_normal((40, 30), rng=3))
    np.testing.assert_array_equal(values, np.asarray(init((40, 30), dtype="float64")))
    as_float32 = np.asarray(init((40, 30)))  # Keras's default floatx
    assert as_float32.dtype == np.float32
    np.testing.assert_array_equal(as_float32, values.astype(np.float32))


def test_initializer_kwargs_are_forwarded_and_serialized():
    init = kb.KerasInitializer("random_normal", seed=1, std=10.0)
    values = np.asarray(init((200, 200), dtype="float64"))
    assert 9.8 < values.std() < 10.2
    config = init.get_config()
    assert config == {"name": "random_normal", "seed": 1, "std": 10.0}
    clone = kb.KerasInitializer.from_config(config)
    np.testing.assert_array_equal(np.asarray(clone((200, 200), dtype="float64")), values)
    orthogonal = kb.keras_initializer("orthogonal", seed=0, gain=2.0)
    W = np.asarray(orthogonal((5, 5), dtype="float64"))
    np.testing.assert_allclose(W.T @ W, 4.0 * np.eye(5), atol=1e-12)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("random_normal", {"std": 0.3, "mean": 1.0}),
        ("random_uniform", {"limit": 0.2}),
        ("orthogonal", {"gain": 1.5}),
        ("constant", {"value": 0.25}),
        ("variance_scaling", {"scale": 2.0, "mode": "fan_out", "distribution": "uniform"}),
        ("variance_scaling", {}),
    ],
)
def test_a_family_is_built_from_the_keyword_arguments(name, kwargs):
    init = kb.KerasInitializer(name, seed=5, **kwargs)
    expected = initializers.FAMILIES[name](**kwargs)((6, 4), rng=5)
    np.testing.assert_array_equal(np.asarray(init((6, 4), dtype="float64")), expected)
    assert init.get_config() == {"name": name, "seed": 5, **kwargs}
    assert repr(init).startswith(f"KerasInitializer({name!r}, seed=5")
    clone = kb.KerasInitializer.from_config(init.get_config())
    np.testing.assert_array_equal(np.asarray(clone((6, 4), dtype="float64")), expected)


def test_numpy_scalars_in_the_kwargs_are_stored_as_python_numbers():
    init = kb.KerasInitializer("random_normal", seed=0, std=np.float32(0.5))
    assert type(init.get_config()["std"]) is float


def test_every_available_name_works_without_kwargs():
    for name in initializers.available():
        values = np.asarray(kb.KerasInitializer(name, seed=1)((4, 3), dtype="float64"))
        np.testing.assert_array_equal(values, initializers.get(name)((4, 3), rng=1))


def test_unseeded_initializer_is_consistent_with_itself():
    init = kb.keras_initializer("glorot_uniform")
    first = np.asarray(init((3, 4), dtype="float64"))
    np.testing.assert_array_equal(first, np.asarray(init((3, 4), dtype="float64")))
    assert init.get_config()["seed"] is None
    other = np.asarray(kb.keras_initializer("glorot_uniform")((3, 4), dtype="float64"))
    assert not np.array_equal(first, other)


@keras_save_warning
def test_model_with_our_initializer_saves_and_reloads(tmp_path):
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(
                8,
                activation="relu",
                kernel_initializer=kb.keras_initializer("he_normal", seed=0),
                bias_initializer=kb.keras_initializer("random_normal", seed=1, std=0.5),
            ),
            keras.layers.Dense(1, kernel_initializer=kb.KerasInitializer("orthogonal", seed=2)),
        ]
    )
    kernel = model.layers[0].get_weights()[0]
    np.testing.assert_allclose(kernel, initializers.he_normal((4, 8), rng=0), rtol=1e-6)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    for before, after in zip(model.get_weights(), reloaded.get_weights()):
        np.testing.assert_array_equal(before, after)
    init = reloaded.layers[0].kernel_initializer
    assert isinstance(init, kb.KerasInitializer)
    assert init.get_config() == {"name": "he_normal", "seed": 0}


# --- MLP <-> Keras ------------------------------------------------------------------------------


def _net(activation, output, dtype=np.float64):
    return MLP(
        [3, 7, 6, 4],
        activation,
        output,
        seed=1,
        bias_init="random_normal",
        dtype=dtype,
    )


X = np.random.default_rng(0).standard_normal((32, 3)) * 2.0


@pytest.mark.parametrize("activation", activations.HIDDEN)
def test_to_keras_computes_the_same_outputs(activation):
    for output in OUTPUTS:
        net = _net(activation, output)
        model = kb.to_keras(net)
        out = np.asarray(model(X))
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, net.forward(X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "activation, output", [(a, OUTPUTS[i % 3]) for i, a in enumerate(activations.HIDDEN)]
)
def test_to_keras_predict_is_float64_throughout(activation, output):
    net = _net(activation, output)
    predicted = kb.to_keras(net).predict(X, verbose=0)
    assert predicted.dtype == np.float64
    np.testing.assert_allclose(predicted, net.forward(X), rtol=1e-10, atol=1e-12)
    assert keras.config.floatx() == "float32"  # restored after predict


def test_to_keras_float32_and_structure():
    net = _net("tanh", "sigmoid", dtype=np.float32)
    model = kb.to_keras(net)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [7, 6, 4]
    assert all(layer.compute_dtype == "float32" for layer in dense)
    np.testing.assert_array_equal(dense[0].get_weights()[0], net.weights[0])
    np.testing.assert_allclose(np.asarray(model(X.astype(np.float32))), net.forward(X), rtol=1e-5)


# --- full-batch training ------------------------------------------------------------------------


def _circle_data():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((40, 2))
    return X, (np.sum(X**2, axis=1) < 1.0).astype(np.float64).reshape(-1, 1)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_fit_full_batch_takes_the_steps_of_our_gradient_descent(activation):
    data, Y = _circle_data()
    net = MLP([2, 6, 4, 1], activation, "sigmoid", weight_init="glorot_normal", seed=0)
    model = kb.to_keras(net)
    history = kb.fit_full_batch(model, data, Y, steps=40, lr=0.5, steps_per_execution=20)
    ours = net.fit(data, Y, epochs=40, lr=0.5)
    assert len(history.history["loss"]) == 2  # one entry per call of 20 steps
    for k, p in zip(model.get_weights(), net.parameters()):
        np.testing.assert_allclose(k, p, rtol=0, atol=1e-12)
    assert ours.final_loss < ours.loss[0]  # it did train


def test_fit_full_batch_computes_the_loss_in_the_model_dtype():
    data, Y = _circle_data()
    model = kb.to_keras(MLP([2, 3, 1], "tanh", seed=0))
    kb.fit_full_batch(model, data, Y, steps=2, lr=0.1, steps_per_execution=1)
    assert model.loss.dtype == "float64"
    with pytest.raises(ValueError, match=r"`steps`.*multiple.*\(50\).*steps=30"):
        kb.fit_full_batch(model, data, Y, steps=30, lr=0.1)
    with pytest.raises(ValueError, match=r"`lr`"):
        kb.fit_full_batch(model, data, Y, steps=50, lr=0.0)


def test_leaky_relu_slope_is_exactly_0_01():
    z = keras.ops.convert_to_tensor(np.array([-3.0, 0.0, 2.0]), dtype="float64")
    np.testing.assert_array_equal(np.asarray(kb.leaky_relu(z)), [-0.03, 0.0, 2.0])


@keras_save_warning
def test_to_keras_model_saves_reloads_and_converts_back(tmp_path):
    net = _net("leaky_relu", "softmax")
    model = kb.to_keras(net)
    path = tmp_path / "mlp.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded, kb.DtypeSequential)
    np.testing.assert_array_equal(np.asarray(reloaded(X)), np.asarray(model(X)))
    back = kb.from_keras(reloaded)
    assert back.layer_sizes == net.layer_sizes and back.dtype == np.float64
    assert (back.activation, back.output_activation) == ("leaky_relu", "softmax")
    for W, W_back in zip(net.weights, back.weights):
        np.testing.assert_array_equal(W, W_back)
    np.testing.assert_array_equal(back.forward(X), net.forward(X))


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "relu"])
def test_from_keras_roundtrip(activation):
    net = _net(activation, "linear")
    back = kb.from_keras(kb.to_keras(net))
    assert back.activation == activation and back.output_activation == "linear"
    np.testing.assert_array_equal(back.forward(X), net.forward(X))


# --- bad input ------------------------------------------------------------------------------------


def _model(*layers):
    return keras.Sequential([keras.Input(shape=(3,)), *layers])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: kb.KerasInitializer("he_normal_x"),
            ValueError,
            r"`name`.*he_normal.*'he_normal_x'",
        ),
        (lambda: kb.KerasInitializer(3), ValueError, r"`name`.*name=3"),
        (lambda: kb.keras_initializer("he_normal", seed=-1), ValueError, r"`seed`.*seed=-1"),
        (lambda: kb.keras_initializer("he_normal", seed=1.5), TypeError, r"`seed`.*seed=1.5"),
        (lambda: kb.keras_initializer("constant"), TypeError, r"value"),
        (
            lambda: kb.keras_initializer("variance_scaling", mode="fan"),
            ValueError,
            r"`mode` must be one of",
        ),
        (
            lambda: kb.keras_initializer("random_normal", stdev=1.0),
            TypeError,
            r"'random_normal' accepts.*'std'.*Received: stdev=1.0",
        ),
        (
            lambda: kb.keras_initializer("he_normal", gain=2.0),
            TypeError,
            r"'he_normal' accepts.*none.*Received: gain=2.0",
        ),
        (lambda: kb.keras_initializer("random_normal", std=-1.0), ValueError, r"`std`"),
        (lambda: kb.to_keras("net"), TypeError, r"`net`.*wtinit_lib.MLP.*str"),
        (lambda: kb.from_keras(object()), TypeError, r"`model`.*keras.Model.*object"),
        (
            lambda: kb.from_keras(_model(keras.layers.Dense(2, activation="elu"))),
            ValueError,
            r"`model`.*only Dense layers.*'dense",
        ),
        (
            lambda: kb.from_keras(_model(keras.layers.Dense(2, use_bias=False))),
            ValueError,
            r"`model`.*with a bias",
        ),
        (
            lambda: kb.from_keras(_model(keras.layers.Dense(2), keras.layers.Dropout(0.5))),
            ValueError,
            r"`model`.*Dropout",
        ),
        (
            lambda: kb.from_keras(
                _model(
                    keras.layers.Dense(2, activation="relu"),
                    keras.layers.Dense(2, activation="tanh"),
                    keras.layers.Dense(1, activation="sigmoid"),
                )
            ),
            ValueError,
            r"one activation for all hidden layers.*\['relu', 'tanh'\]",
        ),
        (
            lambda: kb.from_keras(_model(keras.layers.Dense(2, activation="relu"))),
            ValueError,
            r"`output_activation`.*'relu'",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_gelu_is_the_exact_formula_in_float64_and_round_trips():
    z = np.linspace(-8.0, 8.0, 161)
    ours = activations.gelu(z)
    theirs = np.asarray(kb.gelu(keras.ops.convert_to_tensor(z, dtype="float64")))
    np.testing.assert_allclose(theirs, ours, rtol=1e-13, atol=1e-15)
    net = _net("gelu", "softmax")
    back = kb.from_keras(kb.to_keras(net))
    assert back.activation == "gelu"
    np.testing.assert_array_equal(back.forward(X), net.forward(X))


def test_to_keras_refuses_a_normalized_mlp():
    with pytest.raises(NotImplementedError, match=r"Dense layers only.*norm='layer'"):
        kb.to_keras(MLP([3, 4, 2], norm="layer"))
