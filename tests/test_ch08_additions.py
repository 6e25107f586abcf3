"""Tests for the library additions of chapter 8 (biases)."""

from __future__ import annotations

import numpy as np
import pytest

from wtinit_lib import MLP, diagnostics, initializers


def _data(n=32, d=4):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    return X, (X[:, :1] > 0).astype(float)


def test_gradient_scales_match_backprop():
    X, Y = _data()
    net = MLP([4, 6, 5, 1], seed=0)
    scales = diagnostics.gradient_scales(net, X, Y)
    bp = net.backprop(X, Y)
    assert set(scales) == {"input_rms", "dZ_rms", "db_rms", "dW_rms"}
    for key in scales:
        assert scales[key].shape == (3,)
    assert scales["input_rms"][0] == pytest.approx(np.sqrt(np.mean(X**2)))
    assert scales["db_rms"][2] == pytest.approx(abs(bp.dbs[2][0]))
    assert scales["dW_rms"][1] == pytest.approx(np.sqrt(np.mean(bp.dWs[1] ** 2)))
    assert scales["dZ_rms"][1] == pytest.approx(np.sqrt(np.mean(bp.dZs[1] ** 2)))


def test_scaling_the_input_scales_dW_but_not_db_of_the_first_layer():
    X, Y = _data()
    net = MLP([4, 6, 1], activation="linear", seed=0)
    # With a linear network, scaling X by c and W1 by 1/c leaves Z1 (hence dZ1 and db1) unchanged.
    base = diagnostics.gradient_scales(net, X, Y)
    scaled = net.copy()
    scaled.weights = [net.weights[0] / 10.0, net.weights[1]]
    moved = diagnostics.gradient_scales(scaled, X * 10.0, Y)
    assert moved["db_rms"][0] == pytest.approx(base["db_rms"][0])
    assert moved["dW_rms"][0] == pytest.approx(10.0 * base["dW_rms"][0])


def test_singular_value_ratios_and_effective_rank():
    u, v = np.arange(1.0, 4.0), np.array([1.0, -2.0, 0.5, 3.0])
    rank_one = np.outer(u, v)
    ratios = diagnostics.singular_value_ratios(rank_one)
    assert ratios[0] == 1.0 and np.all(ratios[1:] < 1e-12)
    assert diagnostics.effective_rank(rank_one) == 1
    assert diagnostics.effective_rank(np.eye(3)) == 3
    assert diagnostics.effective_rank(np.zeros((3, 2))) == 0
    with pytest.raises(ValueError, match="rtol"):
        diagnostics.effective_rank(np.eye(2), rtol=0)
    with pytest.raises(ValueError, match="2-D"):
        diagnostics.singular_value_ratios(np.ones(3))


def test_relu_unit_regimes():
    X, _ = _data()
    net = MLP([4, 3, 1], weight_init="zeros", seed=0)
    net.biases = [np.array([-1.0, 0.5, 0.0]), np.zeros(1)]
    regimes = diagnostics.relu_unit_regimes(net, X)
    assert regimes["dead"][0] == pytest.approx(2 / 3)  # Z = -1 and Z = 0 are never positive
    assert regimes["linear"][0] == pytest.approx(1 / 3)
    assert regimes["mixed"][0] == pytest.approx(0.0)
    he = MLP([4, 50, 1], weight_init="he_normal", bias_init=initializers.zeros, seed=0)
    assert diagnostics.relu_unit_regimes(he, X)["mixed"][0] > 0.9
    with pytest.raises(ValueError, match="activation"):
        diagnostics.relu_unit_regimes(MLP([4, 3, 1], activation="tanh", seed=0), X)
