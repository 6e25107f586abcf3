"""wtinit_lib.diagnostics: the probes, which run a network on a batch and report what happens
inside without changing it.

``layer_stats`` (one LayerStats per layer, equal to a computation by hand), the ReLU probes
(``dead_relu_fraction``, ``relu_unit_regimes``), ``zero_derivative_fractions``,
``gradient_scales`` (what a weight and a bias gradient are made of), ``gradient_check``
(backpropagation against central finite differences, parameters restored exactly) and
``sharpness`` (the top Hessian eigenvalue, against the Hessian from second differences of the
loss and the exact Hessian of a quadratic).
"""

import math

import numpy as np
import pytest

from wtinit_lib import MLP, activations, diagnostics, initializers


def _data(n=64, d=3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    return X, (X[:, :1] > 0).astype(float)


# --- layer_stats ----------------------------------------------------------------------------------


def test_layer_stats_fields_match_a_manual_computation(binary_data):
    X, y = binary_data
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


def test_layer_stats_without_targets_leaves_gradients_nan(binary_data):
    X, _ = binary_data
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


def test_update_ratio_with_zero_weights_is_inf(binary_data):
    X, _ = binary_data
    Y = np.random.default_rng(1).standard_normal((X.shape[0], 2))
    net = MLP([3, 4, 2], "tanh", "linear", weight_init="zeros", bias_init="ones")
    stats = diagnostics.layer_stats(net, X, Y, lr=0.1)
    assert stats[1].weight_std == 0 and stats[1].grad_std > 0
    assert stats[1].update_ratio == math.inf


# --- ReLU units -----------------------------------------------------------------------------------


def test_dead_relu_units_are_counted():
    X = np.abs(np.random.default_rng(0).standard_normal((20, 2)))  # positive inputs
    net = MLP([2, 4, 1], "relu", seed=0)
    W = np.ones((2, 4))
    W[:, 1] = -1.0  # unit 2 only sees negative pre-activations: dead
    W[:, 3] = -1.0
    net.weights = [W, net.weights[1]]
    np.testing.assert_array_equal(diagnostics.dead_relu_fraction(net, X), [0.5])
    assert diagnostics.layer_stats(net, X)[0].dead == 0.5


def test_relu_unit_regimes():
    X, _ = _data(32, 4)
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


# --- derivatives that are exactly zero ------------------------------------------------------------


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


# --- what a layer's gradients are made of ---------------------------------------------------------


def test_gradient_scales_match_backprop():
    X, Y = _data(32, 4)
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
    X, Y = _data(32, 4)
    net = MLP([4, 6, 1], activation="linear", seed=0)
    # With a linear network, scaling X by c and W1 by 1/c leaves Z1 (hence dZ1 and db1) unchanged.
    base = diagnostics.gradient_scales(net, X, Y)
    scaled = net.copy()
    scaled.weights = [net.weights[0] / 10.0, net.weights[1]]
    moved = diagnostics.gradient_scales(scaled, X * 10.0, Y)
    assert moved["db_rms"][0] == pytest.approx(base["db_rms"][0])
    assert moved["dW_rms"][0] == pytest.approx(10.0 * base["dW_rms"][0])


def test_probes_do_not_change_the_network(binary_data):
    X, y = binary_data
    net = MLP([3, 6, 4, 1], "relu", seed=5, bias_init="random_normal")
    before = [p.copy() for p in net.parameters()]
    diagnostics.layer_stats(net, X, y, lr=0.1)
    diagnostics.dead_relu_fraction(net, X)
    diagnostics.relu_unit_regimes(net, X)
    diagnostics.zero_derivative_fractions(net, X)
    diagnostics.gradient_scales(net, X, y)
    for b, p in zip(before, net.parameters()):
        np.testing.assert_array_equal(b, p)


# --- gradient check -------------------------------------------------------------------------------


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
        def parameter_gradients(self, X, Y):  # what gradient_check compares: [dW1, db1, ...]
            grads = super().parameter_gradients(X, Y)
            grads[2] = grads[2] * 1.01  # dW2
            return grads

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 2)), rng.integers(0, 2, 8)
    result = dict(diagnostics.gradient_check(Broken([2, 3, 1], "tanh", seed=0), X, y))
    assert result["W1"] < 1e-6 and result["b1"] < 1e-6 and result["W2"] > 5e-3


# --- sharpness ------------------------------------------------------------------------------------


def _hessian_from_loss_values(net, X, Y, h=1e-4):
    """The Hessian by second differences of the loss itself (no gradient code involved)."""
    params = net.parameters()
    slots = [(p, index) for p in params for index in np.ndindex(p.shape)]

    def loss_with(moves):
        originals = [p[index] for (p, index), _ in moves]
        for (p, index), step in moves:
            p[index] += step
        value = net.loss(X, Y)
        for ((p, index), _), original in zip(moves, originals):
            p[index] = original
        return value

    n = len(slots)
    H = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            a, b = slots[i], slots[j]
            if i == j:
                value = (loss_with([(a, h)]) - 2 * net.loss(X, Y) + loss_with([(a, -h)])) / h**2
            else:
                value = (
                    loss_with([(a, h), (b, h)])
                    - loss_with([(a, h), (b, -h)])
                    - loss_with([(a, -h), (b, h)])
                    + loss_with([(a, -h), (b, -h)])
                ) / (4 * h**2)
            H[i, j] = H[j, i] = value
    return H


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_sharpness_is_the_top_eigenvalue_of_the_hessian(activation):
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((20, 2)), rng.integers(0, 2, 20)
    net = MLP([2, 4, 3, 1], activation, seed=1, bias_init="random_normal")
    before = [p.copy() for p in net.parameters()]
    expected = np.linalg.eigvalsh(_hessian_from_loss_values(net, X, y)).max()
    assert diagnostics.sharpness(net, X, y) == pytest.approx(expected, rel=1e-5)
    for p, q in zip(before, net.parameters()):
        np.testing.assert_array_equal(p, q)  # parameters restored exactly


def test_sharpness_of_a_quadratic_loss_is_exact():
    # One linear layer with the mean squared error: loss = mean((X w + b - y)²), whose Hessian is
    # 2/m [X 1]ᵀ [X 1] whatever the weights.
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((30, 3)), rng.standard_normal((30, 1))
    net = MLP([3, 1], "tanh", "linear", seed=0)
    design = np.column_stack([X, np.ones(30)])
    expected = np.linalg.eigvalsh(2.0 / 30 * design.T @ design).max()
    assert diagnostics.sharpness(net, X, Y) == pytest.approx(expected, rel=1e-8)


def test_sharpness_sets_the_stable_learning_rate_of_gradient_descent():
    # On the quadratic, steps with η slightly below 2/λ_max converge and slightly above diverge.
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((30, 3)), rng.standard_normal((30, 1))
    limit = 2.0 / diagnostics.sharpness(MLP([3, 1], "tanh", "linear", seed=0), X, Y)
    below, above = MLP([3, 1], "tanh", "linear", seed=0), MLP([3, 1], "tanh", "linear", seed=0)
    h_below = below.fit(X, Y, epochs=300, lr=0.95 * limit)
    h_above = above.fit(X, Y, epochs=300, lr=1.05 * limit, on_divergence="stop")
    assert h_below.loss[-1] < h_below.loss[0]
    assert h_above.loss[-1] > 1e3 * h_above.loss[0]


# --- bad input ------------------------------------------------------------------------------------


def test_bad_input_with_a_network(binary_data):
    X, y = binary_data
    net = MLP([3, 4, 1], "tanh", seed=0)
    with pytest.raises(ValueError, match=r"`lr`.*positive.*lr=0"):
        diagnostics.layer_stats(net, X, y, lr=0)
    with pytest.raises(ValueError, match=r"`eps`.*\(0, 1\).*eps=-1e-06"):
        diagnostics.gradient_check(net, X, y, eps=-1e-6)
    with pytest.raises(TypeError, match=r"`eps`.*'1e-6'"):
        diagnostics.gradient_check(net, X, y, eps="1e-6")
    with pytest.raises(ValueError, match=r"`net.activation`.*'relu'.*'tanh'"):
        diagnostics.dead_relu_fraction(net, X)
    with pytest.raises(ValueError, match=r"`eps`.*\(0, 1\)"):
        diagnostics.sharpness(net, X, y, eps=2.0)
    with pytest.raises(ValueError, match=r"`seed`"):
        diagnostics.sharpness(net, X, y, seed=-1)
    with pytest.raises(ValueError, match=r"`X`.*\(n, 3\)"):
        diagnostics.layer_stats(net, X[:, :2])
    with pytest.raises(ValueError, match=r"`Y`.*\(64, 1\)"):
        diagnostics.layer_stats(net, X, y[:10])
    with pytest.raises(ValueError, match=r"`Y`.*\(64, 1\)"):
        diagnostics.gradient_scales(net, X, y[:10])


# --- the input-output Jacobian ----------------------------------------------------------------


@pytest.mark.parametrize(
    "activation,output", [("tanh", "linear"), ("relu", "sigmoid"), ("sigmoid", "softmax")]
)
def test_input_output_jacobian_matches_central_finite_differences(activation, output):
    net = MLP([5, 7, 6, 3], activation, output, weight_init="glorot_normal", seed=4)
    rng = np.random.default_rng(9)
    net.biases = [rng.normal(size=b.shape) * 0.1 for b in net.biases]
    x = rng.normal(size=5)
    eps = 1e-6
    choices = [(2, "activation"), (1, "preactivation"), (3, "preactivation")]
    if output != "softmax":
        choices.append((None, "activation"))
    for layer, upto in choices:
        J = diagnostics.input_output_jacobian(net, x, layer=layer, upto=upto)
        ell = layer or 3

        def f(v):
            Zs, As = net.forward_trace(v.reshape(1, -1))
            return (Zs if upto == "preactivation" else As[1:])[ell - 1][0]  # noqa: B023

        numeric = np.stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(5)], 1)
        assert J.shape == numeric.shape == (net.layer_sizes[ell], 5)
        assert np.max(np.abs(J - numeric)) < 1e-8


def test_jacobian_singular_values_of_an_orthogonal_linear_network_are_all_one():
    net = MLP([8] * 6, "linear", "linear", weight_init="orthogonal", seed=0)
    s = diagnostics.jacobian_singular_values(net, np.ones(8))
    np.testing.assert_allclose(s, 1.0, atol=1e-12)
    assert np.all(np.diff(s) <= 0)


def test_input_output_jacobian_refuses_softmax_and_bad_layers():
    net = MLP([3, 4, 2], "tanh", "softmax", seed=0)
    with pytest.raises(ValueError, match="softmax"):
        diagnostics.input_output_jacobian(net, np.zeros(3))
    with pytest.raises(ValueError, match="layer"):
        diagnostics.input_output_jacobian(net, np.zeros(3), layer=3)
    with pytest.raises(ValueError, match="upto"):
        diagnostics.input_output_jacobian(net, np.zeros(3), upto="logits")


# --- residual networks --------------------------------------------------------------------------


def test_residual_stream_stds_and_branch_ratios_by_hand():
    from wtinit_lib import ResidualMLP

    X = np.random.default_rng(0).normal(size=(40, 6))
    net = ResidualMLP(6, 8, 3, 2, seed=0)
    P = dict(net.named_parameters())
    x = X @ P["input.W"]
    stds, ratios = [x.std()], []
    for k in range(1, 4):
        f = np.maximum(x @ P[f"block{k}.W1"], 0) @ P[f"block{k}.W2"]
        ratios.append(f.var() / x.var())
        x = x + f
        stds.append(x.std())
    np.testing.assert_allclose(diagnostics.residual_stream_stds(net, X), stds, rtol=1e-12)
    np.testing.assert_allclose(diagnostics.branch_variance_ratios(net, X), ratios, rtol=1e-12)


def test_update_sizes_equal_steps_taken_by_hand():
    from wtinit_lib import ResidualMLP

    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(30, 4)), np.eye(3)[rng.integers(0, 3, 30)]
    net = ResidualMLP(4, 6, 3, 3, init="zero_last", norm="layer", seed=0)
    before = [p.copy() for p in net.parameters()]
    sizes = diagnostics.update_sizes(net, X, Y, lr=0.1, steps=3, where="stream")
    for p, q in zip(before, net.parameters()):
        np.testing.assert_array_equal(p, q)  # the network itself is unchanged
    model, expected = net.copy(), []
    for _ in range(3):
        old = model.residual_stream(X)[-1]
        for p, g in zip(model.parameters(), model.parameter_gradients(X, Y)):
            p -= 0.1 * g
        expected.append(np.sqrt(np.mean((model.residual_stream(X)[-1] - old) ** 2)))
    np.testing.assert_allclose(sizes, expected, rtol=1e-10)
    top = diagnostics.update_sizes(net, X, Y, lr=1e-4, optimizer="adam", where="logits")
    assert top.shape == (1,) and 0 < top[0] < 1e-2
    with pytest.raises(ValueError, match=r"`where` must be one of 'top', 'stream', 'logits'"):
        diagnostics.update_sizes(net, X, Y, lr=0.1, where="middle")
