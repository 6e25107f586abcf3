"""wtinit_lib.activations and wtinit_lib.losses: values, derivatives, stability, bad names."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import activations, losses

Z = np.linspace(-6.0, 6.0, 1201).reshape(1, -1)
Z_NO_KINK = Z[np.abs(Z) > 1e-3].reshape(1, -1)


def reference(name, z):
    return {
        "linear": z,
        "sigmoid": 1.0 / (1.0 + np.exp(-z)),
        "tanh": np.tanh(z),
        "relu": np.where(z > 0, z, 0.0),
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
    }[name]


@pytest.mark.parametrize("name", activations.HIDDEN)
def test_activation_values(name):
    g = activations.get(name)
    assert g.name == name
    np.testing.assert_allclose(g.forward(Z), reference(name, Z), rtol=1e-15, atol=1e-300)
    np.testing.assert_array_equal(g(Z), g.forward(Z))


@pytest.mark.parametrize("name", activations.HIDDEN)
def test_derivative_equals_central_difference(name):
    g = activations.get(name)
    z = Z_NO_KINK
    eps = 1e-6
    numeric = (g.forward(z + eps) - g.forward(z - eps)) / (2 * eps)
    analytic = np.asarray(g.derivative(z, g.forward(z)), dtype=np.float64)
    assert analytic.shape == z.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_derivative_closed_forms():
    a = activations.sigmoid(Z)
    assert activations.get("sigmoid").derivative(Z, a).max() == pytest.approx(0.25)
    assert activations.get("tanh").derivative(np.zeros(3), np.zeros(3)).tolist() == [1, 1, 1]
    d = activations.get("leaky_relu").derivative(np.array([-2.0, 3.0]), None)
    assert d.tolist() == [0.01, 1.0]
    d32 = activations.get("leaky_relu").derivative(np.array([-2.0, 3.0], np.float32), None)
    assert d32.dtype == np.float32
    relu_d = np.asarray(activations.get("relu").derivative(np.array([-1.0, 0.0, 2.0]), None))
    assert relu_d.astype(float).tolist() == [0.0, 0.0, 1.0]
    assert activations.LEAKY_RELU_SLOPE == 0.01


def test_sigmoid_is_stable_and_in_range():
    z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    with np.errstate(all="raise"):
        s = activations.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert np.all((s >= 0) & (s <= 1))


def test_softmax():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((20, 7)) * 3
    p = activations.softmax(z)
    ref = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, ref, rtol=1e-14)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    big = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        pb = activations.softmax(big)
    np.testing.assert_allclose(pb, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(activations.softmax(z + 500.0), p, rtol=1e-12)


def test_softmax_has_no_elementwise_derivative():
    g = activations.get("softmax", role="output")
    with pytest.raises(NotImplementedError, match="cross-entropy"):
        g.derivative(Z, Z)


def test_get_roles():
    for name in activations.OUTPUTS:
        assert activations.get(name, role="output").name == name
    assert set(activations.HIDDEN) == {"linear", "sigmoid", "tanh", "relu", "leaky_relu"}
    assert set(activations.OUTPUTS) == {"sigmoid", "softmax", "linear"}


def test_bad_activation_names():
    with pytest.raises(
        ValueError, match=r"`activation` must be one of .*Received: activation='gelu'"
    ):
        activations.get("gelu")
    with pytest.raises(ValueError, match=r"`activation` must be one of.*activation='softmax'"):
        activations.get("softmax")  # softmax is output-only
    with pytest.raises(ValueError, match=r"`output_activation` must be one of.*'tanh'"):
        activations.get("tanh", role="output")
    with pytest.raises(ValueError, match=r"`role` must be one of.*role='input'"):
        activations.get("relu", role="input")
    with pytest.raises(ValueError, match=r"`activation`.*activation=None"):
        activations.get(None)


# --- losses ------------------------------------------------------------------------------------


def test_bce_from_logits_equals_textbook_formula():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((50, 3)) * 4
    y = (rng.random((50, 3)) < 0.5).astype(float)
    p = 1.0 / (1.0 + np.exp(-z))
    textbook = np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert losses.binary_cross_entropy_from_logits(z, y) == pytest.approx(textbook, rel=1e-13)
    assert losses.naive_binary_cross_entropy(p, y) == pytest.approx(textbook, rel=1e-13)
    ysoft = rng.random((50, 3))
    textbook_soft = np.mean(-(ysoft * np.log(p) + (1 - ysoft) * np.log(1 - p)))
    assert losses.binary_cross_entropy_from_logits(z, ysoft) == pytest.approx(
        textbook_soft, rel=1e-13
    )


def test_bce_stable_where_naive_is_inf():
    z = np.array([[1000.0], [-1000.0], [50.0]])
    y = np.array([[0.0], [1.0], [0.0]])
    stable = losses.binary_cross_entropy_from_logits(z, y)
    assert math.isfinite(stable)
    assert stable == pytest.approx((1000.0 + 1000.0 + 50.0) / 3, rel=1e-12)
    with np.errstate(all="ignore"):
        p = activations.sigmoid(z)
    assert losses.naive_binary_cross_entropy(p, y) == math.inf


def test_naive_bce_is_silent():
    with np.errstate(all="raise"):
        value = losses.naive_binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert value == math.inf


def test_cce_from_logits():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((40, 5)) * 3
    y = np.eye(5)[rng.integers(0, 5, 40)]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    textbook = np.mean(-np.sum(y * np.log(p), axis=1))
    assert losses.categorical_cross_entropy_from_logits(z, y) == pytest.approx(textbook, rel=1e-13)
    huge = np.array([[2000.0, 0.0, -2000.0]])
    assert losses.categorical_cross_entropy_from_logits(huge, np.array([[0, 0, 1.0]])) == (
        pytest.approx(4000.0, rel=1e-12)
    )
    assert losses.categorical_cross_entropy_from_logits(huge, np.array([[1.0, 0, 0]])) == 0.0


def test_mse():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.0, 2.0], [3.0, 6.0]])
    assert losses.mean_squared_error(pred, y) == pytest.approx((1 + 0 + 0 + 4) / 4)


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
def test_output_loss_gradient_is_finite_difference(output):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((6, 4))
    if output == "sigmoid":
        y = (rng.random((6, 4)) < 0.5).astype(float)
    elif output == "softmax":
        y = np.eye(4)[rng.integers(0, 4, 6)]
    else:
        y = rng.standard_normal((6, 4))
    loss, dloss = losses.output_loss(output)
    a = activations.get(output, role="output").forward(z)
    analytic = dloss(z, a, y)
    numeric = np.zeros_like(z)
    eps = 1e-6
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        numeric[idx] = (loss(zp, y) - loss(zm, y)) / (2 * eps)
    assert np.abs(analytic - numeric).max() / np.abs(numeric).max() < 1e-7


def test_output_loss_bad_name():
    with pytest.raises(ValueError, match=r"`output_activation` must be one of.*'relu'"):
        losses.output_loss("relu")
