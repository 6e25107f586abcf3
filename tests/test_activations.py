"""wtinit_lib.activations: values, derivatives next to each function, stability, roles, names.

Each hidden activation equals its textbook formula; its derivative equals a central difference
away from kinks; sigmoid and softmax never overflow; softmax is output-only (its gradient is
taken together with the cross-entropy loss).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from wtinit_lib import activations

Z = np.linspace(-6.0, 6.0, 1201).reshape(1, -1)
Z_NO_KINK = Z[np.abs(Z) > 1e-3].reshape(1, -1)


def reference(name, z):
    return {
        "linear": z,
        "sigmoid": 1.0 / (1.0 + np.exp(-z)),
        "tanh": np.tanh(z),
        "relu": np.where(z > 0, z, 0.0),
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
        "gelu": z * norm.cdf(z),  # z Φ(z), Φ from scipy.stats
    }[name]


@pytest.mark.parametrize("name", activations.HIDDEN)
def test_activation_values(name):
    g = activations.get(name)
    assert g.name == name
    # gelu: Φ by erfc against scipy's ndtr agree to a few ulps, not to one
    rtol = 1e-13 if name == "gelu" else 1e-15
    np.testing.assert_allclose(g.forward(Z), reference(name, Z), rtol=rtol, atol=1e-300)
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


def test_gelu_closed_forms():
    g = activations.get("gelu")
    # g(0) = 0, g'(0) = 1/2; far out GELU is relu and its slope 0 or 1.
    assert g.forward(np.array([0.0]))[0] == 0.0
    assert g.derivative(np.array([0.0]), None)[0] == 0.5
    far = np.array([-40.0, 40.0])
    np.testing.assert_array_equal(g.forward(far), [0.0, 40.0])
    np.testing.assert_array_equal(g.derivative(far, None), [0.0, 1.0])


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
    hidden = {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "gelu"}
    assert set(activations.HIDDEN) == hidden
    assert set(activations.OUTPUTS) == {"sigmoid", "softmax", "linear"}


def test_bad_activation_names():
    with pytest.raises(
        ValueError, match=r"`activation` must be one of .*Received: activation='swish'"
    ):
        activations.get("swish")
    with pytest.raises(ValueError, match=r"`activation` must be one of.*activation='softmax'"):
        activations.get("softmax")  # softmax is output-only
    with pytest.raises(ValueError, match=r"`output_activation` must be one of.*'tanh'"):
        activations.get("tanh", role="output")
    with pytest.raises(ValueError, match=r"`role` must be one of.*role='input'"):
        activations.get("relu", role="input")
    with pytest.raises(ValueError, match=r"`activation`.*activation=None"):
        activations.get(None)
