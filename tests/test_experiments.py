"""wtinit_lib.experiments: the code that builds networks to run a whole experiment in one call.

``signal_propagation`` (a fresh deep network, one forward and backward pass, seeded),
``measured_stds_over_networks`` (the per-layer std averaged over random networks: what variance
propagation predicts), ``lsuv`` (Mishkin & Matas 2015: every layer rescaled to unit variance)
and ``collapse_identical_units`` (the one-unit network a symmetric network really is).
"""

from __future__ import annotations

import numpy as np
import pytest

from wtinit_lib import MLP, datasets, diagnostics, experiments, initializers, layerstats, theory

# --- collapse_identical_units ---------------------------------------------------------------------


def test_collapse_identical_units_matches_a_symmetric_network():
    X, y = datasets.circles(n=64, seed=0)
    net = MLP([2, 8, 4, 1], activation="tanh", weight_init=initializers.constant(0.3), seed=0)
    net.fit(X, y, epochs=20, lr=0.5)
    one = experiments.collapse_identical_units(net, atol=1e-12)
    assert one.layer_sizes == (2, 1, 1, 1)
    assert one.activation == "tanh"
    np.testing.assert_allclose(one.forward(X), net.forward(X), rtol=0, atol=1e-12)


def test_collapse_identical_units_keeps_all_outputs():
    net = MLP([3, 4, 2], activation="relu", output_activation="softmax", weight_init="ones")
    one = experiments.collapse_identical_units(net)
    assert one.layer_sizes == (3, 1, 2)
    X = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_allclose(one.forward(X), net.forward(X), rtol=0, atol=1e-12)


def test_collapse_identical_units_rejects_asymmetric_networks():
    net = MLP([2, 4, 1], activation="tanh", seed=0)
    with pytest.raises(ValueError, match="layer 1 units differ"):
        experiments.collapse_identical_units(net)
    with pytest.raises(ValueError, match="atol"):
        experiments.collapse_identical_units(net, atol=-1.0)
    with pytest.raises(TypeError, match="net"):
        experiments.collapse_identical_units("not a net")


# --- measured_stds_over_networks ------------------------------------------------------------------


def test_measured_stds_over_networks_matches_theory_for_linear():
    sizes = [64, 64, 64, 64]
    X = np.random.default_rng(0).standard_normal((200, 64))
    wv = theory.weight_variances(sizes, "lecun")
    z, a = experiments.measured_stds_over_networks(sizes, wv, "linear", X, num_networks=8)
    assert z.shape == (3,) and a.shape == (2,)
    predicted = theory.predicted_preactivation_stds(sizes, wv, "linear", np.mean(X**2))
    np.testing.assert_allclose(z, predicted, rtol=0.05)
    np.testing.assert_allclose(a, z[:2], rtol=1e-12)  # linear: A = Z


def test_measured_stds_over_networks_one_network_is_that_network():
    sizes = [8, 16, 4]
    X = np.random.default_rng(1).standard_normal((30, 8))
    z, a = experiments.measured_stds_over_networks(sizes, 0.25, "tanh", X, 1, seed=3)
    net = MLP(sizes, "tanh", "linear", weight_init=initializers.random_normal(0.5), seed=3)
    stats = diagnostics.layer_stats(net, X)
    np.testing.assert_allclose(z, layerstats.per_layer(stats, "pre_std"), rtol=1e-12)
    np.testing.assert_allclose(a, layerstats.per_layer(stats, "act_std")[:-1], rtol=1e-12)


def test_measured_stds_over_networks_uses_zero_weights_for_a_zero_variance():
    X = np.random.default_rng(2).standard_normal((10, 3))
    z, a = experiments.measured_stds_over_networks([3, 4, 2], [1.0, 0.0], "relu", X, 2)
    assert z[0] > 0 and z[1] == 0.0  # W2 = 0: the output's pre-activation is constant


def test_measured_stds_over_networks_rejects_bad_arguments():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError):
        experiments.measured_stds_over_networks([2, 2, 1], 1.0, "relu", X, num_networks=0)
    with pytest.raises(ValueError):
        experiments.measured_stds_over_networks([2, 2, 1], [1.0], "relu", X)
    with pytest.raises(ValueError):
        experiments.measured_stds_over_networks([2, 2, 1], 1.0, "softmax", X)


# --- measured_backward_stds_over_networks ---------------------------------------------------------


def test_measured_backward_stds_over_networks_one_network_is_that_network():
    sizes = [8, 16, 12, 4]
    X = np.random.default_rng(1).standard_normal((30, 8))
    Y = datasets.one_hot(np.random.default_rng(2).integers(0, 4, 30), 4)
    stds = experiments.measured_backward_stds_over_networks(
        sizes, 0.25, "tanh", X, Y, "softmax", 1, 3
    )
    net = MLP(sizes, "tanh", "softmax", weight_init=initializers.random_normal(0.5), seed=3)
    dAs = net.backprop(X, Y).dAs
    assert stds.shape == (3,)
    np.testing.assert_allclose(stds, [dA.std() for dA in dAs[:3]], rtol=1e-12)


def test_measured_backward_stds_over_networks_averages_variances_and_matches_theory():
    sizes = [100, 300, 300, 300, 100]
    X = np.random.default_rng(0).standard_normal((50, 100))
    Y = 1e3 * np.random.default_rng(1).standard_normal((50, 100))  # error independent of output
    wv = theory.weight_variances(sizes, "he")
    stds = experiments.measured_backward_stds_over_networks(sizes, wv, "relu", X, Y, "linear", 4)
    by_hand = [
        experiments.measured_backward_stds_over_networks(sizes, wv, "relu", X, Y, "linear", 1, k)
        for k in range(4)
    ]
    np.testing.assert_allclose(stds**2, np.mean(np.square(by_hand), axis=0), rtol=1e-12)
    predicted = theory.predicted_backward_ratios(sizes, wv, "relu")
    np.testing.assert_allclose(stds / stds[-1], predicted, rtol=0.05)


def test_measured_backward_stds_over_networks_rejects_bad_arguments():
    X, Y = np.zeros((3, 2)), np.zeros((3, 1))
    with pytest.raises(ValueError):
        experiments.measured_backward_stds_over_networks([2, 2, 1], 1.0, "relu", X, Y, "linear", 0)
    with pytest.raises(ValueError):
        experiments.measured_backward_stds_over_networks([2, 2, 1], [1.0], "relu", X, Y)
    with pytest.raises(ValueError):
        experiments.measured_backward_stds_over_networks([2, 2, 1], 1.0, "softmax", X, Y)


# --- propagation_checks ---------------------------------------------------------------------------


def test_propagation_checks_holds_the_predictions_and_the_measurements():
    sizes = [32, 64, 32, 16]
    X = 2.0 * np.random.default_rng(3).standard_normal((40, 32))
    rules = {"He": "he", "custom": [0.05, 0.02, 0.1]}
    checks = experiments.propagation_checks(sizes, rules, ["tanh", "relu"], X, num_networks=3)
    assert set(checks) == {("tanh", "He"), ("tanh", "custom"), ("relu", "He"), ("relu", "custom")}
    check = checks["relu", "custom"]
    moment = float(np.mean(X**2))
    np.testing.assert_allclose(
        check.predicted_z,
        theory.predicted_preactivation_stds(sizes, rules["custom"], "relu", moment),
    )
    np.testing.assert_allclose(
        check.predicted_a, theory.predicted_activation_stds(sizes, rules["custom"], "relu", moment)
    )
    z, a = experiments.measured_stds_over_networks(sizes, rules["custom"], "relu", X, 3)
    np.testing.assert_allclose(check.measured_z, z)
    np.testing.assert_allclose(check.measured_a, a)
    z1, _ = experiments.measured_stds_over_networks(sizes, rules["custom"], "relu", X, 1)
    np.testing.assert_allclose(check.single_z, z1)
    assert check.error_z == pytest.approx(np.max(np.abs(z / check.predicted_z - 1)))
    assert check.error_a == pytest.approx(np.max(np.abs(a / check.predicted_a - 1)))
    assert check.error_single == pytest.approx(np.max(np.abs(z1 / check.predicted_z - 1)))
    he = checks["tanh", "He"].predicted_z
    wv = theory.weight_variances(sizes, "he")
    np.testing.assert_allclose(he, theory.predicted_preactivation_stds(sizes, wv, "tanh", moment))


def test_propagation_checks_rejects_bad_arguments():
    X = np.zeros((3, 2))
    with pytest.raises(TypeError, match="`rules`"):
        experiments.propagation_checks([2, 2, 1], {}, ["relu"], X)
    with pytest.raises(ValueError, match="rules\\['bad'\\]"):
        experiments.propagation_checks([2, 2, 1], {"bad": [1.0]}, ["relu"], X)
    with pytest.raises(ValueError, match="`rule`"):
        experiments.propagation_checks([2, 2, 1], {"x": "lecunn"}, ["relu"], X)


# --- lsuv -----------------------------------------------------------------------------------------


def _net(seed: int = 0, bias_init: str = "zeros") -> MLP:
    return MLP([20, 30, 30, 30, 3], "tanh", "softmax", "orthogonal", bias_init, seed=seed)


def test_lsuv_brings_every_layer_to_unit_variance():
    X = np.random.default_rng(1).standard_normal((200, 20)) * 5.0
    net = _net()
    variances = experiments.lsuv(net, X, tol=0.01)
    assert variances.shape == (4,)
    np.testing.assert_allclose(variances, 1.0, atol=0.01)
    Zs, _ = net.forward_trace(X)
    np.testing.assert_allclose([np.var(Z) for Z in Zs], variances)


def test_lsuv_other_target_and_nonzero_bias():
    X = np.random.default_rng(2).standard_normal((200, 20))
    net = _net(bias_init="ones")
    variances = experiments.lsuv(net, X, tol=0.05, max_iter=50, target_var=2.0)
    assert np.all(np.abs(variances - 2.0) < 0.05)


def test_lsuv_rejects_zero_weights_and_bad_arguments():
    X = np.ones((10, 20))
    net = MLP([20, 5, 1], weight_init="zeros")
    with pytest.raises(ValueError, match="variance"):
        experiments.lsuv(net, X)
    with pytest.raises(ValueError, match="tol"):
        experiments.lsuv(_net(), X, tol=0)
    with pytest.raises(ValueError, match="max_iter"):
        experiments.lsuv(_net(), X, max_iter=0)


# --- signal_propagation ---------------------------------------------------------------------------


def test_signal_propagation_shapes_and_theory():
    result = experiments.signal_propagation(
        depth=6, width=200, activation="relu", weight_init="he_normal", n_samples=300
    )
    assert isinstance(result, experiments.SignalPropagation)
    assert len(result.activations) == 6 and len(result.gradients) == 6
    assert result.activations[0].shape == (300, 200)
    assert result.gradients[0].shape == (200, 200)
    assert result.act_stds.shape == result.grad_stds.shape == (6,)
    # He keeps the ReLU signal: the last layer's activation std is within a factor 2 of the first
    assert 0.5 < result.act_stds[-1] / result.act_stds[0] < 2.0
    small = experiments.signal_propagation(depth=6, width=200, activation="tanh", scale=0.5)
    assert small.act_stds[-1] < 0.1 * small.act_stds[0]  # vanishing
    assert small.settings["scale"] == 0.5


def test_signal_propagation_is_seeded_and_validates():
    a = experiments.signal_propagation(depth=3, width=10, seed=3)
    b = experiments.signal_propagation(depth=3, width=10, seed=3)
    np.testing.assert_array_equal(a.act_stds, b.act_stds)
    with pytest.raises(ValueError, match="depth"):
        experiments.signal_propagation(depth=0)
    with pytest.raises(ValueError, match="activation"):
        experiments.signal_propagation(activation="swish")
    with pytest.raises(ValueError, match="scale"):
        experiments.signal_propagation(scale=0.0)


def test_signal_propagation_takes_an_initializer_and_names_it_in_the_settings():
    normal = initializers.random_normal(std=0.1)
    result = experiments.signal_propagation(depth=2, width=8, weight_init=normal, scale=2.0)
    assert result.settings["weight_init"] == "random_normal(std=0.1, mean=0.0)"
    by_name = experiments.signal_propagation(depth=2, width=8, weight_init="glorot_normal")
    assert by_name.settings["weight_init"] == "glorot_normal"
