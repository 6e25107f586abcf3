"""wtinit_lib.comparisons: several initializers trained side by side on the same 2-D points.

Each run is checked against one ``MLP`` built and trained by hand with the same seed (same losses,
same statistics at initialization, same probabilities on the grid), and the bookkeeping of a
constant initializer (identical units, every ReLU dead) and of a diverging run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import MLP, comparisons, datasets, initializers


@pytest.fixture(scope="module")
def side_by_side():
    X, y = datasets.circles(n=60, noise=0.05, seed=0)
    inits = {"zeros": "zeros", "He": "he_normal", "He x 2": initializers.variance_scaling(8.0)}
    return X, y, comparisons.train_side_by_side(X, y, inits, depth=3, width=8, epochs=30, seed=2)


def test_train_side_by_side_repeats_what_one_mlp_fit_does(side_by_side):
    X, y, result = side_by_side
    assert list(result.runs) == ["zeros", "He", "He x 2"]
    net = MLP([2, 8, 8, 8, 1], "relu", "sigmoid", weight_init="he_normal", seed=2)
    bp = net.backprop(X, y.reshape(-1, 1).astype(float))
    history = net.fit(X, y, epochs=30, lr=0.1)
    he = result.runs["He"]
    np.testing.assert_array_equal(he.loss, history.loss)
    np.testing.assert_allclose(he.act_stds, [np.std(A) for A in bp.As[1:-1]], rtol=1e-12)
    np.testing.assert_allclose(he.grad_stds, [np.std(dW) for dW in bp.dWs[:-1]], rtol=1e-12)
    assert he.accuracy == net.accuracy(X, y) and he.diverged_at is None
    low, high = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    assert result.extent == pytest.approx((low[0], high[0], low[1], high[1]))
    corner = net.forward(np.array([[low[0], high[1]]]))[0, 0]  # the grid's top-left point
    assert he.probabilities.shape == (50, 50)
    assert he.probabilities[-1, 0] == pytest.approx(corner, rel=1e-12)


def test_train_side_by_side_reports_symmetry_and_dead_units(side_by_side):
    X, _, result = side_by_side
    zeros = result.runs["zeros"]
    assert zeros.identical_units and not result.runs["He"].identical_units
    np.testing.assert_array_equal(zeros.act_stds, 0.0)
    assert zeros.dead_fraction == 1.0  # zero weights: every ReLU outputs 0 everywhere
    assert np.allclose(zeros.probabilities, zeros.probabilities[0, 0])  # a constant network
    assert 0.0 <= result.runs["He"].dead_fraction < 1.0
    twice = result.runs["He x 2"]
    np.testing.assert_allclose(twice.act_stds, 2.0 ** np.arange(1, 4) * result.runs["He"].act_stds)
    tanh = comparisons.train_side_by_side(X, result.y, {"He": "he_normal"}, 2, 4, "tanh", 5)
    assert math.isnan(tanh.runs["He"].dead_fraction)  # counted for ReLU only


def test_train_side_by_side_stops_a_diverging_run():
    X, y = datasets.moons(n=40, seed=0)
    huge = {"huge": initializers.random_normal(std=30.0)}
    result = comparisons.train_side_by_side(X, y, huge, depth=4, width=16, epochs=50, lr=5.0)
    run = result.runs["huge"]
    assert run.diverged_at is not None and not np.isfinite(run.loss[-1])
    assert len(run.loss) == run.diverged_at and math.isnan(run.accuracy)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X": np.zeros((5, 3))}, r"`X` and `y` must be 2-D points"),
        ({"weight_inits": ["he_normal"]}, r"`weight_inits`"),
        ({"depth": 0}, r"`depth`"),
        ({"activation": "swish"}, r"`activation`"),
        ({"lr": -1.0}, r"`lr`"),
    ],
)
def test_train_side_by_side_checks_its_arguments(kwargs, match):
    args = {"X": np.zeros((5, 2)), "y": np.zeros(5, dtype=int), "weight_inits": {"a": "zeros"}}
    with pytest.raises((ValueError, TypeError), match=match):
        comparisons.train_side_by_side(**(args | kwargs))
