"""Tests for the library additions of chapters 5 and 6 (He and Glorot initialization)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from wtinit_lib import MLP, diagnostics, plotting  # noqa: E402


def _data(n=64, d=3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    return X, (X[:, :1] > 0).astype(float)


def test_zero_derivative_fractions_relu_matches_dead_relu_fraction():
    X, _ = _data()
    net = MLP([3, 8, 8, 8, 1], activation="relu", seed=1)
    out = diagnostics.zero_derivative_fractions(net, X)
    assert set(out) == {"entries", "units", "min"}
    assert out["entries"].shape == (3,)
    np.testing.assert_array_equal(out["units"], diagnostics.dead_relu_fraction(net, X))
    Zs, _ = net.forward_trace(X)
    assert out["entries"][0] == pytest.approx(np.mean(Zs[0] <= 0))
    assert np.all(out["min"] == 0.0)


def test_zero_derivative_fractions_leaky_relu_never_zero():
    X, _ = _data()
    net = MLP([3, 8, 8, 1], activation="leaky_relu", seed=1)
    out = diagnostics.zero_derivative_fractions(net, X)
    np.testing.assert_array_equal(out["entries"], 0.0)
    np.testing.assert_array_equal(out["units"], 0.0)
    np.testing.assert_allclose(out["min"], 0.01)


def test_stat_series_shapes_and_values():
    X, Y = _data()
    net = MLP([3, 5, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, Y, epochs=6, lr=0.1, record_stats=True, stats_every=2)
    epochs, values = diagnostics.stat_series(history, "act_mean")
    np.testing.assert_array_equal(epochs, [1, 3, 5])
    assert values.shape == (3, 3)
    assert values[1, 0] == history.stats[1][0].act_mean


def test_stat_series_rejects_bad_arguments():
    X, Y = _data()
    net = MLP([3, 4, 1], seed=0)
    history = net.fit(X, Y, epochs=2, lr=0.1)
    with pytest.raises(ValueError, match="record_stats"):
        diagnostics.stat_series(history, "act_mean")
    history = net.fit(X, Y, epochs=2, lr=0.1, record_stats=True)
    with pytest.raises(ValueError, match="field"):
        diagnostics.stat_series(history, "no_such_field")


def test_stat_curves_returns_figure_and_checks_shapes():
    epochs = np.arange(1, 6)
    values = np.linspace(0, 1, 10).reshape(5, 2)
    fig = plotting.stat_curves(epochs, values, band=0.1 * np.ones((5, 2)), ylabel="mean")
    assert len(fig.axes[0].lines) == 2
    matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="values"):
        plotting.stat_curves(epochs, values[:3])
    with pytest.raises(ValueError, match="band"):
        plotting.stat_curves(epochs, values, band=np.ones((5, 3)))
    with pytest.raises(ValueError, match="labels"):
        plotting.stat_curves(epochs, values, labels=["a"])
