"""Tests for the library additions made for chapter 2 (zero initialization)."""

from __future__ import annotations

import numpy as np
import pytest

from wtinit_lib import MLP, datasets, initializers
from wtinit_lib.diagnostics import collapse_identical_units


def test_collapse_identical_units_matches_a_symmetric_network():
    X, y = datasets.circles(n=64, seed=0)
    net = MLP([2, 8, 4, 1], activation="tanh", weight_init=initializers.constant(0.3), seed=0)
    net.fit(X, y, epochs=20, lr=0.5)
    one = collapse_identical_units(net, atol=1e-12)
    assert one.layer_sizes == (2, 1, 1, 1)
    assert one.activation == "tanh"
    np.testing.assert_allclose(one.forward(X), net.forward(X), rtol=0, atol=1e-12)


def test_collapse_identical_units_keeps_all_outputs():
    net = MLP([3, 4, 2], activation="relu", output_activation="softmax", weight_init="ones")
    one = collapse_identical_units(net)
    assert one.layer_sizes == (3, 1, 2)
    X = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_allclose(one.forward(X), net.forward(X), rtol=0, atol=1e-12)


def test_collapse_identical_units_rejects_asymmetric_networks():
    net = MLP([2, 4, 1], activation="tanh", seed=0)
    with pytest.raises(ValueError, match="layer 1 units differ"):
        collapse_identical_units(net)
    with pytest.raises(ValueError, match="atol"):
        collapse_identical_units(net, atol=-1.0)
    with pytest.raises(TypeError, match="net"):
        collapse_identical_units("not a net")
