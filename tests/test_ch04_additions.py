"""Tests for the helpers chapter 4 added to diagnostics and plotting."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from wtinit_lib import diagnostics, plotting  # noqa: E402


def test_measured_stds_over_networks_matches_theory_for_linear():
    sizes = [64, 64, 64, 64]
    X = np.random.default_rng(0).standard_normal((200, 64))
    wv = diagnostics.weight_variances(sizes, "lecun")
    z, a = diagnostics.measured_stds_over_networks(sizes, wv, "linear", X, num_networks=8)
    assert z.shape == (3,) and a.shape == (2,)
    predicted = diagnostics.predicted_preactivation_stds(sizes, wv, "linear", np.mean(X**2))
    np.testing.assert_allclose(z, predicted, rtol=0.05)
    np.testing.assert_allclose(a, z[:2], rtol=1e-12)  # linear: A = Z


def test_measured_stds_over_networks_one_network_is_that_network():
    from wtinit_lib import MLP, initializers

    sizes = [8, 16, 4]
    X = np.random.default_rng(1).standard_normal((30, 8))
    z, a = diagnostics.measured_stds_over_networks(sizes, 0.25, "tanh", X, 1, seed=3)
    net = MLP(sizes, "tanh", "linear", weight_init=initializers.scaled_normal(0.5), seed=3)
    np.testing.assert_allclose(z, diagnostics.preactivation_stds(net, X), rtol=1e-12)
    np.testing.assert_allclose(a, diagnostics.activation_stds(net, X)[:-1], rtol=1e-12)


def test_measured_stds_over_networks_rejects_bad_arguments():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError):
        diagnostics.measured_stds_over_networks([2, 2, 1], 1.0, "relu", X, num_networks=0)
    with pytest.raises(ValueError):
        diagnostics.measured_stds_over_networks([2, 2, 1], [1.0], "relu", X)
    with pytest.raises(ValueError):
        diagnostics.measured_stds_over_networks([2, 2, 1], 1.0, "softmax", X)


def test_predicted_vs_measured_draws_line_and_markers_per_label():
    fig = plotting.predicted_vs_measured(
        {"He": [1, 1, 1], "LeCun": [1, 0.7, 0.5]}, {"He": [1, 1.1, 0.9], "LeCun": [1, 0.7, 0.5]}
    )
    ax = fig.axes[0]
    assert len(ax.lines) == 4
    assert ax.get_yscale() == "log"
    plt.close(fig)


def test_predicted_vs_measured_rejects_mismatched_labels():
    with pytest.raises(ValueError):
        plotting.predicted_vs_measured({"a": [1]}, {"b": [1]})
    with pytest.raises(TypeError):
        plotting.predicted_vs_measured({}, {})
