"""wtinit_lib.losses: each loss computed from the logits equals the textbook formula, stays
finite where the textbook formula is inf, and comes with the gradient of its output layer.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import activations, losses


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
