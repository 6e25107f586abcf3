"""wtinit_lib.normalization: LayerNorm and BatchNorm forward (zero mean, unit variance, γ and β)
and backward against fourth-order central finite differences on random shapes; the two
consequences the chapters use (the gradient sums to 0 along the normalized axis; with ε = 0 it is
orthogonal to x - μ, the scale invariance); every bad input.
"""

from __future__ import annotations

import numpy as np
import pytest

from wtinit_lib import normalization

FORWARD = {"layer": normalization.layer_norm_forward, "batch": normalization.batch_norm_forward}
BACKWARD = {"layer": normalization.layer_norm_backward, "batch": normalization.batch_norm_backward}
AXIS = {"layer": 1, "batch": 0}


def loss_of(kind, X, gamma, beta, G, eps):
    """A scalar ℒ = Σ G ⊙ Y, so that ∂ℒ/∂Y = G."""
    return float(np.sum(G * FORWARD[kind](X, gamma, beta, eps)[0]))


def fd(f, array, h=1e-4):
    """Fourth-order central differences of the scalar f() with respect to every entry of array."""
    grad = np.zeros(array.shape)
    for idx in np.ndindex(array.shape):
        original = array[idx]
        values = []
        for k in (2, 1, -1, -2):
            array[idx] = original + k * h
            values.append(f())
        array[idx] = original
        grad[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
    return grad


@pytest.mark.parametrize("kind", ["layer", "batch"])
@pytest.mark.parametrize("shape", [(2, 3), (5, 4), (8, 1), (3, 9)])
def test_backward_equals_finite_differences(kind, shape):
    if kind == "layer" and shape[1] == 1:
        shape = (shape[0], 2)
    rng = np.random.default_rng(sum(shape))
    X = rng.normal(size=shape) * 2.0 + 0.5
    gamma = 1.0 + 0.3 * rng.normal(size=shape[1])
    beta = 0.3 * rng.normal(size=shape[1])
    G = rng.normal(size=shape)
    eps = 1e-5
    Y, cache = FORWARD[kind](X, gamma, beta, eps)
    dX, dgamma, dbeta = BACKWARD[kind](G, cache)
    for analytic, array in ((dX, X), (dgamma, gamma), (dbeta, beta)):
        numeric = fd(lambda: loss_of(kind, X, gamma, beta, G, eps), array)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("kind", ["layer", "batch"])
def test_forward_normalizes_then_scales_and_shifts(kind):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 6)) * 7.0 + 3.0
    ones, zeros = np.ones(6), np.zeros(6)
    Y, _ = FORWARD[kind](X, ones, zeros, 1e-12)
    axis = AXIS[kind]
    np.testing.assert_allclose(Y.mean(axis=axis), 0.0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=axis), 1.0, rtol=1e-9)
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    Y2, _ = FORWARD[kind](X, gamma, beta, 1e-12)
    np.testing.assert_allclose(Y2, Y * gamma + beta, rtol=1e-12, atol=1e-12)
    # the scale of X does not matter (up to ε): the property the normalization chapter uses
    Y3, _ = FORWARD[kind](5.0 * X, ones, zeros, 1e-12)
    np.testing.assert_allclose(Y3, Y, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", ["layer", "batch"])
def test_gradient_sums_to_zero_and_is_scale_invariant(kind):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(9, 7))
    gamma, beta = 1.0 + rng.normal(size=7), rng.normal(size=7)
    G = rng.normal(size=(9, 7))
    dX, _, _ = BACKWARD[kind](G, FORWARD[kind](X, gamma, beta, 1e-5)[1])
    axis = AXIS[kind]
    assert np.abs(dX.sum(axis=axis)).max() < 1e-13 * np.abs(dX).max()
    # ε = 0 exactly: ℒ(cX) = ℒ(X), so the gradient has no component along X - μ
    tiny = np.finfo(float).tiny
    dX0, _, _ = BACKWARD[kind](G, FORWARD[kind](X, gamma, beta, tiny)[1])
    centered = X - X.mean(axis=axis, keepdims=True)
    along = np.sum(dX0 * centered, axis=axis)
    assert np.abs(along).max() < 1e-12 * np.abs(dX0).max() * np.abs(centered).max()


def test_by_name_dispatch():
    X = np.arange(12.0).reshape(3, 4)
    for kind in ("layer", "batch"):
        a = normalization.forward(kind, X, np.ones(4), np.zeros(4))[0]
        np.testing.assert_array_equal(a, FORWARD[kind](X, np.ones(4), np.zeros(4))[0])
    assert normalization.NORMS == ("layer", "batch") and normalization.EPS == 1e-5


def test_bad_input():
    X = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"BatchNorm needs at least 2 examples.*X.shape=\(1, 3\)"):
        normalization.batch_norm_forward(X[:1], np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"`gamma` must have shape \(3,\).*gamma.shape=\(4,\)"):
        normalization.layer_norm_forward(X, np.ones(4), np.zeros(3))
    with pytest.raises(ValueError, match=r"`beta` must have shape \(3,\).*beta.shape=\(3, 1\)"):
        normalization.batch_norm_forward(X, np.ones(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"`X` must be a 2-D array.*X.shape=\(3,\)"):
        normalization.layer_norm_forward(np.zeros(3), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"`eps` must be a positive number. Received: eps=0"):
        normalization.layer_norm_forward(X, np.ones(3), np.zeros(3), eps=0)
