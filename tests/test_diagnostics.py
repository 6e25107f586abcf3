"""Tests for wtinit_lib.diagnostics: measured statistics, the variance-propagation theory,
the gradient check, and bad input."""

import math

import numpy as np
import pytest

from wtinit_lib import MLP, activations, diagnostics
from wtinit_lib.network import Backprop

RULE_INIT = {"lecun": "lecun_normal", "he": "he_normal", "glorot": "glorot_normal"}


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X, y


# --- measured statistics ------------------------------------------------------------------------


def test_layer_stats_fields_match_a_manual_computation(small):
    X, y = small
    net = MLP([3, 8, 6, 1], "tanh", seed=1, bias_init="random_normal")
    stats = diagnostics.layer_stats(net, X, y, lr=0.1)
    assert [s.layer for s in stats] == [1, 2, 3]
    bp = net.backprop(X, y)
    for i, s in enumerate(stats):
        assert s.pre_mean == pytest.approx(bp.Zs[i].mean())
        assert s.pre_std == pytest.approx(bp.Zs[i].std())
        assert s.act_mean == pytest.approx(bp.As[i + 1].mean())
        assert s.act_std == pytest.approx(bp.As[i + 1].std())
        assert s.grad_mean == pytest.approx(bp.dWs[i].mean())
        assert s.grad_std == pytest.approx(bp.dWs[i].std())
        assert s.grad_norm == pytest.approx(np.linalg.norm(bp.dWs[i]))
        assert s.act_grad_std == pytest.approx(bp.dAs[i + 1].std())
        assert s.weight_std == pytest.approx(net.weights[i].std())
        assert s.update_ratio == pytest.approx(0.1 * bp.dWs[i].std() / net.weights[i].std())
        assert math.isnan(s.dead)  # not a ReLU network
    # tanh hidden layers: |a| > 0.97; sigmoid output: outside [0.03, 0.97].
    assert stats[0].saturated == pytest.approx(np.mean(np.abs(bp.As[1]) > 0.97))
    out = bp.As[3]
    assert stats[2].saturated == pytest.approx(np.mean((out < 0.03) | (out > 0.97)))


def test_layer_stats_without_targets_leaves_gradients_nan(small):
    X, _ = small
    net = MLP([3, 5, 1], "relu", seed=0)
    stats = diagnostics.layer_stats(net, X)
    assert len(stats) == 2
    for s in stats:
        assert math.isnan(s.grad_std) and math.isnan(s.act_grad_std)
        assert math.isnan(s.update_ratio)
        assert math.isfinite(s.pre_std) and math.isfinite(s.weight_std)
    assert math.isnan(stats[0].saturated)  # relu: no saturation
    assert math.isnan(stats[1].dead)  # the sigmoid output layer has no dead units


def test_saturation_uses_the_output_activation_for_the_last_layer():
    X = np.array([[100.0], [-100.0]])
    net = MLP([1, 2, 1], "relu", output_activation="sigmoid", weight_init="ones")
    stats = diagnostics.layer_stats(net, X)
    assert math.isnan(stats[0].saturated)
    assert stats[1].saturated == 0.5  # sigmoid(200) = 1 is saturated, sigmoid(0) = 0.5 is not
    net = MLP([1, 2, 1], "tanh", output_activation="linear", weight_init="ones")
    stats = diagnostics.layer_stats(net, X)
    assert stats[0].saturated == 1.0 and math.isnan(stats[1].saturated)


def test_dead_relu_units_are_counted():
    X = np.abs(np.random.default_rng(0).standard_normal((20, 2)))  # positive inputs
    net = MLP([2, 4, 1], "relu", seed=0)
    W = np.ones((2, 4))
    W[:, 1] = -1.0  # unit 2 only sees negative pre-activations: dead
    W[:, 3] = -1.0
    net.weights = [W, net.weights[1]]
    np.testing.assert_array_equal(diagnostics.dead_relu_fraction(net, X), [0.5])
    assert diagnostics.layer_stats(net, X)[0].dead == 0.5


def test_stats_from_backprop_accepts_any_object_with_the_fields(small):
    X, y = small
    net = MLP([3, 4, 2], "sigmoid", output_activation="softmax", seed=0)
    bp = net.backprop(X, np.eye(2)[(X[:, 0] > 0).astype(int)])
    assert isinstance(bp, Backprop)
    stats = diagnostics.stats_from_backprop("sigmoid", "softmax", bp, net.weights, lr=0.5)
    assert len(stats) == 2 and math.isnan(stats[1].saturated)  # softmax: not measured
    assert stats[0].update_ratio > 0


def test_update_ratio_with_zero_weights_is_inf(small):
    X, _ = small
    Y = np.random.default_rng(1).standard_normal((X.shape[0], 2))
    net = MLP([3, 4, 2], "tanh", "linear", weight_init="zeros", bias_init="ones")
    stats = diagnostics.layer_stats(net, X, Y, lr=0.1)
    assert stats[1].weight_std == 0 and stats[1].grad_std > 0
    assert stats[1].update_ratio == math.inf


def test_fit_records_layer_stats(small):
    X, y = small
    net = MLP([3, 4, 1], "relu", seed=0)
    history = net.fit(X, y, epochs=3, lr=0.1, record_stats=True)
    assert len(history.stats) == 3
    assert all(isinstance(s, diagnostics.LayerStats) for epoch in history.stats for s in epoch)


def test_stats_table_is_a_fixed_width_text_table(small):
    X, y = small
    net = MLP([3, 4, 1], "relu", seed=0)
    table = diagnostics.stats_table(diagnostics.layer_stats(net, X, y))
    lines = table.splitlines()
    assert len(lines) == 3 and "layer" in lines[0] and "dW std" in lines[0]
    assert len({len(line) for line in lines}) == 1
    assert lines[1].split()[0] == "1" and " - " in lines[2]  # nan shown as "-"


def test_std_helpers(small):
    X, y = small
    net = MLP([3, 6, 5, 1], "tanh", seed=2)
    Zs, As = net.forward_trace(X)
    np.testing.assert_allclose(diagnostics.preactivation_stds(net, X), [Z.std() for Z in Zs])
    np.testing.assert_allclose(diagnostics.activation_stds(net, X), [A.std() for A in As[1:]])
    dWs, _ = net.gradients(X, y)
    np.testing.assert_allclose(diagnostics.gradient_stds(net, X, y), [d.std() for d in dWs])


def test_max_pairwise_unit_difference():
    assert diagnostics.max_pairwise_unit_difference(np.zeros((3, 4))) == 0.0
    W = np.array([[1.0, 1.0, 3.0], [0.0, -2.0, 0.0]])
    assert diagnostics.max_pairwise_unit_difference(W) == 2.0
    assert diagnostics.max_pairwise_unit_difference(np.array([0.5, -0.5])) == 1.0
    assert diagnostics.max_pairwise_unit_difference(np.ones((5, 1))) == 0.0


def test_zero_init_keeps_units_identical(small):
    X, y = small
    net = MLP([3, 5, 1], "tanh", weight_init="zeros")
    net.fit(X, y, epochs=20, lr=0.5)
    assert diagnostics.max_pairwise_unit_difference(net.weights[0]) == 0.0


def test_relative_error():
    assert diagnostics.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert diagnostics.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert diagnostics.relative_error([1.0, 4.0], [1.0, 3.0]) == pytest.approx(0.25)
    assert diagnostics.relative_error(np.zeros((0,)), np.zeros((0,))) == 0.0


# --- gradient check ------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", activations.HIDDEN)
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
def test_gradient_check_passes_for_backprop(activation, output):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((10, 3))
    Y = np.eye(2)[rng.integers(0, 2, 10)] if output == "softmax" else rng.random((10, 2))
    net = MLP([3, 4, 2], activation, output, seed=0, bias_init="random_normal")
    before = [p.copy() for p in net.parameters()]
    result = diagnostics.gradient_check(net, X, Y)
    assert [name for name, _ in result] == ["W1", "b1", "W2", "b2"]
    assert max(err for _, err in result) < 1e-6
    for p, q in zip(before, net.parameters()):
        np.testing.assert_array_equal(p, q)  # parameters restored exactly


def test_gradient_check_detects_a_wrong_gradient():
    class Broken(MLP):
        def gradients(self, X, Y):
            dWs, dbs = super().gradients(X, Y)
            dWs[1] = dWs[1] * 1.01
            return dWs, dbs

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 2)), rng.integers(0, 2, 8)
    result = dict(diagnostics.gradient_check(Broken([2, 3, 1], "tanh", seed=0), X, y))
    assert result["W1"] < 1e-6 and result["W2"] > 5e-3


# --- theory -------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", activations.HIDDEN)
@pytest.mark.parametrize("q", [0.01, 1.0, 6.0])
def test_moments_match_monte_carlo(activation, q):
    g = activations.get(activation).forward
    z = np.random.default_rng(7).standard_normal(1_000_000) * math.sqrt(q)
    a = g(z)
    # Monte Carlo standard error of E[a²] is std(a²)/1000 < 0.5 % of the mean here.
    assert diagnostics.second_moment(activation, q) == pytest.approx(np.mean(a**2), rel=0.01)
    assert diagnostics.first_moment(activation, q) == pytest.approx(
        np.mean(a), abs=0.005 * math.sqrt(q) + 1e-3
    )


def test_second_moment_closed_forms_and_quadrature_accuracy():
    assert diagnostics.second_moment("relu", 3.0) == 1.5
    assert diagnostics.second_moment("linear", 3.0) == 3.0
    assert diagnostics.second_moment("leaky_relu", 2.0) == pytest.approx(1.0001)
    assert diagnostics.second_moment("sigmoid", 0.0) == pytest.approx(0.25, abs=1e-15)
    assert diagnostics.second_moment("tanh", 0.0) == 0.0
    # Small q: tanh(z)² ≈ z² - 2z⁴/3, so E ≈ q - 2q²; quadrature must see the correction.
    q = 1e-3
    assert diagnostics.second_moment("tanh", q) == pytest.approx(q - 2 * q**2, rel=1e-5)
    # Large q: tanh(z)² -> 1 except near 0: 1 - E[sech²] ≈ 1 - 2/sqrt(2π q) · ∫sech² / 2.
    assert 0.9 < diagnostics.second_moment("tanh", 400.0) < 1.0


def test_weight_variances():
    sizes = [4, 6, 2]
    np.testing.assert_allclose(diagnostics.weight_variances(sizes, "lecun"), [1 / 4, 1 / 6])
    np.testing.assert_allclose(diagnostics.weight_variances(sizes, "he"), [2 / 4, 2 / 6])
    np.testing.assert_allclose(diagnostics.weight_variances(sizes, "glorot"), [2 / 10, 2 / 8])
    np.testing.assert_allclose(
        diagnostics.weight_variances(sizes, "xavier"), diagnostics.weight_variances(sizes, "glorot")
    )


def test_predictions_follow_the_recursion_by_hand():
    sizes = [10, 20, 30, 5]
    stds = diagnostics.predicted_preactivation_stds(sizes, 0.1, "relu", input_second_moment=2.0)
    q1 = 10 * 0.1 * 2.0
    q2 = 20 * 0.1 * q1 / 2
    q3 = 30 * 0.1 * q2 / 2
    np.testing.assert_allclose(stds, np.sqrt([q1, q2, q3]))
    with_bias = diagnostics.predicted_preactivation_stds(sizes, [0.1, 0.1, 0.1], "linear", 1.0, 0.5)
    np.testing.assert_allclose(with_bias**2, [1.5, 20 * 0.1 * 1.5 + 0.5, 30 * 0.1 * 3.5 + 0.5])
    act = diagnostics.predicted_activation_stds(sizes, 0.1, "relu", 2.0)
    assert act.shape == (2,)
    np.testing.assert_allclose(act**2, np.array([q1, q2]) * (0.5 - 1 / (2 * math.pi)))


def test_he_keeps_relu_preactivations_constant():
    sizes = [100] * 11
    stds = diagnostics.predicted_preactivation_stds(
        sizes, diagnostics.weight_variances(sizes, "he"), "relu"
    )
    np.testing.assert_allclose(stds, math.sqrt(2.0))  # q_1 = n · (2/n) · E[x²] = 2, then kept
    lecun = diagnostics.predicted_preactivation_stds(
        sizes, diagnostics.weight_variances(sizes, "lecun"), "relu"
    )
    np.testing.assert_allclose(lecun, 2.0 ** (-np.arange(10) / 2))  # halves each layer


@pytest.mark.parametrize(
    "activation, rule",
    [("tanh", "lecun"), ("relu", "he"), ("sigmoid", "glorot"), ("leaky_relu", "he")],
)
def test_predicted_stds_match_a_wide_network(activation, rule):
    sizes = [400, 800, 800, 800, 10]
    net = MLP(sizes, activation, "linear", weight_init=RULE_INIT[rule], seed=3)
    X = np.random.default_rng(4).standard_normal((500, 400))
    weight_vars = [np.var(W) for W in net.weights]  # the realised variance, not the nominal one
    predicted = diagnostics.predicted_preactivation_stds(
        sizes, weight_vars, activation, input_second_moment=float(np.mean(X**2))
    )
    measured = diagnostics.preactivation_stds(net, X)
    # Hidden layers only: 10 output units are too few for a 5 % agreement.
    np.testing.assert_allclose(measured[:-1], predicted[:-1], rtol=0.05)
    predicted_act = diagnostics.predicted_activation_stds(
        sizes, weight_vars, activation, input_second_moment=float(np.mean(X**2))
    )
    measured_act = diagnostics.activation_stds(net, X)[:-1]
    np.testing.assert_allclose(measured_act, predicted_act, rtol=0.05)


# --- bad input ------------------------------------------------------------------------------------


@pytest.fixture
def net_and_data(small):
    X, y = small
    return MLP([3, 4, 1], "tanh", seed=0), X, y


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: diagnostics.second_moment("selu", 1.0), ValueError, r"`activation`.*'selu'"),
        (lambda: diagnostics.second_moment("relu", -1.0), ValueError, r"`q`.*non-negative.*q=-1"),
        (lambda: diagnostics.second_moment("relu", "1"), TypeError, r"`q`.*q='1'"),
        (lambda: diagnostics.first_moment("tanh", math.inf), ValueError, r"`q`.*q=inf"),
        (lambda: diagnostics.weight_variances([4, 2], "kaiming_he"), ValueError, r"`rule`.*he"),
        (lambda: diagnostics.weight_variances([4], "he"), ValueError, r"`layer_sizes`.*\[4\]"),
        (lambda: diagnostics.weight_variances([4, 0], "he"), ValueError, r"`layer_sizes`"),
        (lambda: diagnostics.weight_variances([4, 2.5], "he"), ValueError, r"`layer_sizes`"),
        (
            lambda: diagnostics.predicted_preactivation_stds([4, 3, 2], [0.1], "relu"),
            ValueError,
            r"`weight_vars`.*list of 2.*\[0.1\]",
        ),
        (
            lambda: diagnostics.predicted_preactivation_stds([4, 3, 2], -0.1, "relu"),
            ValueError,
            r"`weight_vars`.*non-negative.*-0.1",
        ),
        (
            lambda: diagnostics.predicted_preactivation_stds(
                [4, 3, 2], 0.1, "relu", 1.0, [1, 2, 3]
            ),
            ValueError,
            r"`bias_var`.*list of 2",
        ),
        (
            lambda: diagnostics.predicted_activation_stds([4, 3, 2], 0.1, "relu", -1.0),
            ValueError,
            r"`input_second_moment`.*-1.0",
        ),
        (
            lambda: diagnostics.predicted_activation_stds([4, 3, 2], 0.1, "softmax"),
            ValueError,
            r"`activation`.*'softmax'",
        ),
        (
            lambda: diagnostics.max_pairwise_unit_difference(np.zeros((2, 2, 2))),
            ValueError,
            r"`W`.*1-D or 2-D.*\(2, 2, 2\)",
        ),
        (
            lambda: diagnostics.max_pairwise_unit_difference(np.zeros((0, 3))),
            ValueError,
            r"`W`.*non-empty",
        ),
        (
            lambda: diagnostics.relative_error(np.zeros(2), np.zeros(3)),
            ValueError,
            r"`a` and `b`.*same shape.*\(2,\).*\(3,\)",
        ),
        (lambda: diagnostics.stats_table([1, 2]), TypeError, r"`stats`.*LayerStats"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_bad_input_with_a_network(net_and_data):
    net, X, y = net_and_data
    with pytest.raises(ValueError, match=r"`lr`.*positive.*lr=0"):
        diagnostics.layer_stats(net, X, y, lr=0)
    with pytest.raises(ValueError, match=r"`eps`.*\(0, 1\).*eps=-1e-06"):
        diagnostics.gradient_check(net, X, y, eps=-1e-6)
    with pytest.raises(ValueError, match=r"`net.activation`.*'relu'.*'tanh'"):
        diagnostics.dead_relu_fraction(net, X)
    with pytest.raises(ValueError, match=r"`X`.*\(n, 3\)"):
        diagnostics.layer_stats(net, X[:, :2])
    with pytest.raises(ValueError, match=r"`Y`.*\(64, 1\)"):
        diagnostics.gradient_stds(net, X, y[:10])
