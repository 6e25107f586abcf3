"""Chapters 10-11 additions: LSUV, the signal-propagation experiment and its figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from wtinit_lib import MLP, diagnostics  # noqa: E402


def _net(seed: int = 0, bias_init: str = "zeros") -> MLP:
    return MLP([20, 30, 30, 30, 3], "tanh", "softmax", "orthogonal", bias_init, seed=seed)


def test_lsuv_brings_every_layer_to_unit_variance():
    X = np.random.default_rng(1).standard_normal((200, 20)) * 5.0
    net = _net()
    variances = diagnostics.lsuv(net, X, tol=0.01)
    assert variances.shape == (4,)
    np.testing.assert_allclose(variances, 1.0, atol=0.01)
    Zs, _ = net.forward_trace(X)
    np.testing.assert_allclose([np.var(Z) for Z in Zs], variances)


def test_lsuv_other_target_and_nonzero_bias():
    X = np.random.default_rng(2).standard_normal((200, 20))
    net = _net(bias_init="ones")
    variances = diagnostics.lsuv(net, X, tol=0.05, max_iter=50, target_var=2.0)
    assert np.all(np.abs(variances - 2.0) < 0.05)


def test_lsuv_rejects_zero_weights_and_bad_arguments():
    X = np.ones((10, 20))
    net = MLP([20, 5, 1], weight_init="zeros")
    with pytest.raises(ValueError, match="variance"):
        diagnostics.lsuv(net, X)
    with pytest.raises(ValueError, match="tol"):
        diagnostics.lsuv(_net(), X, tol=0)
    with pytest.raises(ValueError, match="max_iter"):
        diagnostics.lsuv(_net(), X, max_iter=0)


def test_signal_propagation_shapes_and_theory():
    result = diagnostics.signal_propagation(
        depth=6, width=200, activation="relu", weight_init="he_normal", n_samples=300
    )
    assert len(result.activations) == 6 and len(result.gradients) == 6
    assert result.activations[0].shape == (300, 200)
    assert result.gradients[0].shape == (200, 200)
    assert result.act_stds.shape == result.grad_stds.shape == (6,)
    # He keeps the ReLU signal: the last layer's activation std is within a factor 2 of the first
    assert 0.5 < result.act_stds[-1] / result.act_stds[0] < 2.0
    small = diagnostics.signal_propagation(depth=6, width=200, activation="tanh", scale=0.5)
    assert small.act_stds[-1] < 0.1 * small.act_stds[0]  # vanishing
    assert small.settings["scale"] == 0.5


def test_signal_propagation_is_seeded_and_validates():
    a = diagnostics.signal_propagation(depth=3, width=10, seed=3)
    b = diagnostics.signal_propagation(depth=3, width=10, seed=3)
    np.testing.assert_array_equal(a.act_stds, b.act_stds)
    with pytest.raises(ValueError, match="depth"):
        diagnostics.signal_propagation(depth=0)
    with pytest.raises(ValueError, match="activation"):
        diagnostics.signal_propagation(activation="swish")
    with pytest.raises(ValueError, match="scale"):
        diagnostics.signal_propagation(scale=0.0)


def test_signal_propagation_figure():
    from matplotlib.figure import Figure

    from wtinit_lib import plotting

    result = diagnostics.signal_propagation(depth=8, width=20)
    fig = plotting.signal_propagation_figure(result, max_panels=4)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 * 4 + 1
    with pytest.raises(TypeError, match="SignalPropagation"):
        plotting.signal_propagation_figure([1, 2])
    with pytest.raises(ValueError, match="max_panels"):
        plotting.signal_propagation_figure(result, max_panels=1)
