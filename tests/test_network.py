"""wtinit_lib.network.MLP: loss and gradients equal TensorFlow's GradientTape and central finite
differences; parameters in one order (``parameters``, ``parameter_names``,
``parameter_gradients``); the interface ``training.fit`` uses (``check_data``, ``batch_loss``,
``batch_gradients``, ``batch_stats``); stability, float32, setters, predictions and every bad input.
The training loop itself is tested in test_training.py.
"""

from __future__ import annotations

import math
from dataclasses import astuple

import numpy as np
import pytest

from wtinit_lib import MLP, diagnostics, initializers, layerstats, losses
from wtinit_lib.activations import HIDDEN, OUTPUTS
from wtinit_lib.network import Backprop


def tf_reference(tf, net, X, Y):
    """Loss and gradients of the same network and loss, differentiated by GradientTape."""
    acts = {
        "linear": lambda z: z,
        "sigmoid": tf.sigmoid,
        "tanh": tf.tanh,
        "relu": tf.nn.relu,
        # Not tf.nn.leaky_relu: its `alpha` attribute is a float32, 0.009999999776..., which
        # moves the loss by ~1e-11 relative. This is the same function with a float64 slope.
        "leaky_relu": lambda z: tf.where(z > 0, z, 0.01 * z),
        # Not tf.nn.gelu: in float64 it is off by ~3e-7 relative (a float32 constant inside).
        "gelu": lambda z: 0.5 * z * (1.0 + tf.math.erf(z / np.sqrt(2.0))),
    }
    Ws = [tf.Variable(w, dtype=tf.float64) for w in net.weights]
    bs = [tf.Variable(b, dtype=tf.float64) for b in net.biases]
    X_t = tf.constant(X, dtype=tf.float64)
    Y_t = tf.constant(Y, dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(X_t)
        A, As, Zs = X_t, [X_t], []
        for i, (W, b) in enumerate(zip(Ws, bs)):
            Z = tf.matmul(A, W) + b
            Zs.append(Z)
            if i < len(Ws) - 1:
                A = acts[net.activation](Z)
                As.append(A)
        if net.output_activation == "sigmoid":
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y_t, logits=Z))
        elif net.output_activation == "softmax":
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y_t, logits=Z))
        else:
            loss = tf.reduce_mean(tf.square(Z - Y_t))
    grads = {
        "dWs": tape.gradient(loss, Ws),
        "dbs": tape.gradient(loss, bs),
        "dZs": tape.gradient(loss, Zs),
        "dAs": tape.gradient(loss, As),  # input and hidden activations
    }
    del tape
    return float(loss), {k: [v.numpy() for v in vals] for k, vals in grads.items()}


# --- gradients equal TensorFlow -----------------------------------------------------------------


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_loss_and_gradients_equal_tensorflow(tf, activation, output, make_net, rel_err):
    net, X, Y = make_net(activation, output)
    assert all(np.abs(b).max() > 0.1 for b in net.biases)
    bp = net.backprop(X, Y)
    loss, ref = tf_reference(tf, net, X, Y)
    assert rel_err(net.loss(X, Y), loss) < 1e-12
    assert rel_err(bp.loss, loss) < 1e-12
    for i in range(net.num_layers):
        assert rel_err(bp.dWs[i], ref["dWs"][i]) < 1e-8, f"dW[{i}]"
        assert rel_err(bp.dbs[i], ref["dbs"][i]) < 1e-8, f"db[{i}]"
        assert rel_err(bp.dZs[i], ref["dZs"][i]) < 1e-8, f"dZ[{i}]"
    for i in range(net.num_layers):  # dAs[0] (the input) .. dAs[L-1] (last hidden layer)
        assert rel_err(bp.dAs[i], ref["dAs"][i]) < 1e-8, f"dA[{i}]"
    dWs, dbs = net.gradients(X, Y)
    for i in range(net.num_layers):
        np.testing.assert_array_equal(dWs[i], bp.dWs[i])
        np.testing.assert_array_equal(dbs[i], bp.dbs[i])


def test_one_dimensional_targets(tf, make_net, rel_err):
    net, X, Y = make_net("tanh", "sigmoid", sizes=[4, 5, 1])
    loss, ref = tf_reference(tf, net, X, Y)
    bp = net.backprop(X, Y[:, 0])
    assert rel_err(bp.loss, loss) < 1e-12
    assert all(rel_err(a, b) < 1e-8 for a, b in zip(bp.dWs, ref["dWs"]))


# --- central finite differences -----------------------------------------------------------------


def finite_difference(net, X, Y, eps=1e-6):
    """Central differences of net.loss with respect to every weight, bias and input entry."""
    out = {"dWs": [], "dbs": [], "dX": np.zeros_like(X)}
    for params, key in ((net.weights, "dWs"), (net.biases, "dbs")):
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                up = net.loss(X, Y)
                p[idx] = old - eps
                down = net.loss(X, Y)
                p[idx] = old
                g[idx] = (up - down) / (2 * eps)
            out[key].append(g)
    for idx in np.ndindex(X.shape):
        Xp, Xm = X.copy(), X.copy()
        Xp[idx] += eps
        Xm[idx] -= eps
        out["dX"][idx] = (net.loss(Xp, Y) - net.loss(Xm, Y)) / (2 * eps)
    return out


@pytest.mark.parametrize(
    "activation, output",
    [("tanh", "sigmoid"), ("sigmoid", "softmax"), ("tanh", "linear"), ("relu", "softmax"),
     ("leaky_relu", "sigmoid")],
)  # fmt: skip
def test_gradients_equal_finite_differences(activation, output, make_net, rel_err):
    net, X, Y = make_net(activation, output, sizes=[3, 5, 4, 2], seed=1)
    X = X[:6]
    Y = Y[:6]
    if activation in ("relu", "leaky_relu"):
        # Keep every pre-activation away from the kink at 0, so a step of eps cannot cross it.
        Zs, _ = net.forward_trace(X)
        assert min(np.abs(Z).min() for Z in Zs[:-1]) > 1e-3
    bp = net.backprop(X, Y)
    fd = finite_difference(net, X, Y)
    for i in range(net.num_layers):
        assert rel_err(bp.dWs[i], fd["dWs"][i]) < 1e-6, f"dW[{i}]"
        assert rel_err(bp.dbs[i], fd["dbs"][i]) < 1e-6, f"db[{i}]"
    assert rel_err(bp.dAs[0], fd["dX"]) < 1e-6  # dAs[0] is the gradient w.r.t. the input X


@pytest.mark.parametrize("output", OUTPUTS)
def test_output_activation_gradient(output, make_net, rel_err):
    # dAs[L] is dLoss/dA at the output: pushed back through the output activation it gives dZs[L].
    net, X, Y = make_net("tanh", output)
    bp = net.backprop(X, Y)
    A, dA = bp.As[-1], bp.dAs[-1]
    if output == "sigmoid":
        back = dA * A * (1 - A)
    elif output == "softmax":
        back = A * (dA - (dA * A).sum(axis=1, keepdims=True))
    else:
        back = dA
    assert rel_err(back, bp.dZs[-1]) < 1e-12
    assert len(bp.dAs) == net.num_layers + 1 and len(bp.As) == net.num_layers + 1


def test_forward_trace_and_logits(make_net):
    net, X, _ = make_net("tanh", "softmax")
    Zs, As = net.forward_trace(X)
    assert len(Zs) == 3 and len(As) == 4 and As[0] is not None
    np.testing.assert_array_equal(As[0], X)
    for i, Z in enumerate(Zs):
        assert Z.shape == (X.shape[0], net.layer_sizes[i + 1])
        np.testing.assert_allclose(Z, As[i] @ net.weights[i] + net.biases[i], rtol=1e-14)
    np.testing.assert_array_equal(net.logits(X), Zs[-1])
    np.testing.assert_array_equal(net.forward(X), As[-1])
    np.testing.assert_allclose(As[1], np.tanh(Zs[0]), rtol=1e-15)
    np.testing.assert_allclose(net.forward(X).sum(axis=1), 1.0, rtol=1e-14)


# --- stability ---------------------------------------------------------------------------------


def test_loss_is_finite_for_huge_logits():
    net = MLP([2, 1], output_activation="sigmoid", seed=0)
    net.weights = [np.array([[1000.0], [1000.0]])]
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    Y = np.array([[0.0], [1.0]])  # both confidently wrong: logits +-2000
    loss = net.loss(X, Y)
    assert math.isfinite(loss) and loss == pytest.approx(2000.0, rel=1e-12)
    assert losses.naive_binary_cross_entropy(net.forward(X), Y) == math.inf
    dWs, dbs = net.gradients(X, Y)
    assert all(np.all(np.isfinite(g)) for g in (*dWs, *dbs))
    soft = MLP([2, 3], output_activation="softmax", seed=0)
    soft.weights = [np.array([[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]])]
    assert soft.loss(X[:1], np.array([[0.0, 0.0, 1.0]])) == pytest.approx(4000.0, rel=1e-12)


# --- float32 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("output", OUTPUTS)
def test_float32(output, make_net, rel_err):
    net64, X, Y = make_net("tanh", output)
    net32 = MLP(
        net64.layer_sizes, "tanh", output, weight_init="glorot_normal", seed=0, dtype=np.float32
    )
    net32.biases = net64.biases
    net32.weights = net64.weights
    assert net32.dtype == np.float32
    assert all(w.dtype == np.float32 for w in net32.parameters())
    assert net32.forward(X).dtype == np.float32
    bp32, bp64 = net32.backprop(X, Y), net64.backprop(X, Y)
    assert bp32.loss == pytest.approx(bp64.loss, rel=1e-5)
    for g32, g64 in zip(bp32.dWs + bp32.dbs, bp64.dWs + bp64.dbs):
        assert g32.dtype == np.float32
        assert rel_err(g32, g64) < 1e-4
    history = net32.fit(X, Y, epochs=20, lr=0.05)
    assert history.final_loss < history.loss[0]
    assert all(p.dtype == np.float32 for p in net32.parameters())
    assert MLP([2, 3, 1], dtype="float32").dtype == np.float32


def test_same_seed_float32_draws_are_float64_draws_rounded():
    a = MLP([5, 7, 2], seed=4)
    b = MLP([5, 7, 2], seed=4, dtype=np.float32)
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa.astype(np.float32), wb)


# --- parameters in one order -----------------------------------------------------------------


def test_parameter_names_follow_the_order_of_parameters():
    net = MLP([4, 6, 5, 3], seed=0)
    names = net.parameter_names()
    assert names == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for name, p in zip(names, net.parameters()):
        i = int(name[1:]) - 1
        assert p is (net.weights[i] if name[0] == "W" else net.biases[i])
    assert MLP([2, 1]).parameter_names() == ["W1", "b1"]


@pytest.mark.parametrize("norm", [None, "layer", "batch"])
def test_changing_a_parameter_in_place_changes_the_network(norm):
    # the uniform interface (as ResidualMLP's): parameters() are the arrays themselves
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((8, 4)), np.eye(3)[rng.integers(0, 3, 8)]
    net = MLP([4, 6, 5, 3], "tanh", "softmax", seed=0, norm=norm)
    names = net.parameter_names()
    assert len(names) == len(net.parameters()) == len(net.parameter_gradients(X, Y))
    for name in ("W1", "b3") + (("gamma1",) if norm else ()):
        before = net.loss(X, Y)
        p = net.parameters()[names.index(name)]
        p += rng.standard_normal(p.shape)  # not a constant shift: softmax and norms ignore those
        assert net.loss(X, Y) != before, name


@pytest.mark.parametrize(
    "activation, output", [("tanh", "sigmoid"), ("sigmoid", "softmax"), ("leaky_relu", "linear")]
)
def test_parameter_gradients_equal_finite_differences_in_the_order_of_parameters(
    activation, output, make_net, rel_err
):
    net, X, Y = make_net(activation, output, sizes=[3, 5, 4, 2], seed=2)
    X, Y = X[:6], Y[:6]
    grads = net.parameter_gradients(X, Y)
    params = net.parameters()
    assert len(grads) == len(params) == 2 * net.num_layers
    for name, p, g in zip(net.parameter_names(), params, grads):
        assert g.shape == p.shape and g.dtype == p.dtype, name
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + 1e-6
            up = net.loss(X, Y)
            p[idx] = old - 1e-6
            down = net.loss(X, Y)
            p[idx] = old
            numeric[idx] = (up - down) / 2e-6
        assert rel_err(g, numeric) < 1e-6, name
    dWs, dbs = net.gradients(X, Y)
    for g, expected in zip(grads, [g for pair in zip(dWs, dbs) for g in pair]):
        np.testing.assert_array_equal(g, expected)


def test_parameter_gradients_are_new_arrays_every_call(make_net):
    net, X, Y = make_net("relu", "softmax")
    first, second = net.parameter_gradients(X, Y), net.parameter_gradients(X, Y)
    assert all(a is not b for a, b in zip(first, second))
    assert not any(np.shares_memory(g, p) for g in first for p in net.parameters())
    first[0][...] = 0.0
    assert np.any(second[0] != 0.0)
    with pytest.raises(ValueError, match=r"`Y` must have shape \(16, 3\)"):
        net.parameter_gradients(X, Y[:, :2])


# --- the interface of training.fit ----------------------------------------------------------------


def test_check_data_returns_arrays_of_the_network_dtype():
    net = MLP([2, 3, 1], dtype=np.float32, seed=0)
    X, Y = net.check_data([[1, 2], [3, 4]], [0, 1])
    assert X.dtype == Y.dtype == np.float32
    assert X.shape == (2, 2) and Y.shape == (2, 1)  # 1-D targets of a 1-output net: a column
    with pytest.raises(ValueError, match=r"`X` must have shape \(n, 2\)"):
        net.check_data(np.zeros((2, 3)), [0, 1])
    with pytest.raises(ValueError, match=r"`Y` must have shape \(2, 1\)"):
        net.check_data(np.zeros((2, 2)), [0, 1, 1])


def test_batch_loss_and_batch_gradients_equal_loss_and_gradients(make_net):
    net, X, Y = make_net("tanh", "softmax")
    Xc, Yc = net.check_data(X, Y)
    assert net.batch_loss(Xc, Yc) == net.loss(X, Y)
    loss, grads = net.batch_gradients(Xc, Yc)
    assert loss == net.loss(X, Y)
    for g, expected in zip(grads, net.parameter_gradients(X, Y)):
        np.testing.assert_array_equal(g, expected)


def test_batch_gradients_writes_each_dW_into_the_given_array(make_net):
    net, X, Y = make_net("relu", "sigmoid")
    out = [np.empty_like(p) for p in net.parameters()]
    _, grads = net.batch_gradients(*net.check_data(X, Y), out)
    for k, (g, buffer) in enumerate(zip(grads, out)):
        if k % 2 == 0:
            assert g is buffer  # dW: written in place, no new allocation
        np.testing.assert_array_equal(g, net.parameter_gradients(X, Y)[k])


def test_batch_stats_is_one_pass_with_the_layer_stats_of_diagnostics(make_net):
    net, X, Y = make_net("tanh", "sigmoid")
    loss, grads, stats = net.batch_stats(*net.check_data(X, Y), lr=0.1)
    assert loss == net.loss(X, Y)
    for g, expected in zip(grads, net.parameter_gradients(X, Y)):
        np.testing.assert_array_equal(g, expected)
    expected = diagnostics.layer_stats(net, X, Y, lr=0.1)
    np.testing.assert_equal([astuple(s) for s in stats], [astuple(s) for s in expected])  # nan ok
    assert all(isinstance(s, layerstats.LayerStats) for s in stats)
    no_lr = net.batch_stats(*net.check_data(X, Y))[2]
    assert all(math.isnan(s.update_ratio) for s in no_lr)


def test_backprop_keeps_every_intermediate(make_net):
    net, X, Y = make_net("relu", "linear")
    bp = net.backprop(X, Y)
    assert isinstance(bp, Backprop)
    L = net.num_layers
    assert len(bp.Zs) == len(bp.dZs) == len(bp.dWs) == len(bp.dbs) == L
    assert len(bp.As) == len(bp.dAs) == L + 1
    assert bp.dAs[0].shape == X.shape


# --- parameters, setters, predict/accuracy ----------------------------------------------------


def test_construction_and_parameters():
    net = MLP([4, 6, 5, 3], "leaky_relu", "softmax", seed=np.random.default_rng(1))
    assert net.layer_sizes == (4, 6, 5, 3) and net.num_layers == 3
    assert net.activation == "leaky_relu" and net.output_activation == "softmax"
    assert [w.shape for w in net.weights] == [(4, 6), (6, 5), (5, 3)]
    assert [b.shape for b in net.biases] == [(6,), (5,), (3,)]
    assert all(np.all(b == 0) for b in net.biases)
    params = net.parameters()
    assert len(params) == 6 and params[0] is net.weights[0] and params[1] is net.biases[0]
    copy = net.copy()
    copy.weights[0][0, 0] += 1.0
    assert copy.weights[0][0, 0] != net.weights[0][0, 0]
    assert "MLP(layer_sizes=[4, 6, 5, 3]" in repr(net)
    # The same int seed gives the same network; per-layer initializers are honoured.
    np.testing.assert_array_equal(
        MLP([3, 4, 1], seed=5).weights[0], MLP([3, 4, 1], seed=5).weights[0]
    )
    mixed = MLP([3, 4, 1], weight_init=["zeros", "ones"], bias_init=["ones", "zeros"], seed=0)
    assert np.all(mixed.weights[0] == 0) and np.all(mixed.weights[1] == 1)
    assert np.all(mixed.biases[0] == 1) and np.all(mixed.biases[1] == 0)

    def custom(shape, rng=None, dtype=np.float64):
        return np.full(shape, 0.25, dtype)

    assert np.all(MLP([3, 2], weight_init=custom).weights[0] == 0.25)


def test_setters_validate_and_copy():
    net = MLP([4, 6, 5, 3], seed=0)
    new = [np.ones((4, 6)), np.ones((6, 5)), np.ones((5, 3))]
    net.weights = new
    new[0][0, 0] = 7.0
    assert net.weights[0][0, 0] == 1.0
    net.biases = (np.zeros(6), np.zeros(5), np.ones(3))
    assert net.biases[2].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match=r"`weights\[1\]` must have shape \(6, 5\).*\(5, 6\)"):
        net.weights = [np.ones((4, 6)), np.ones((5, 6)), np.ones((5, 3))]
    with pytest.raises(ValueError, match=r"`weights` must be a list of 3 arrays.*length 2"):
        net.weights = new[:2]
    with pytest.raises(ValueError, match=r"`biases\[0\]` must have shape \(6,\).*\(6, 1\)"):
        net.biases = [np.zeros((6, 1)), np.zeros(5), np.zeros(3)]
    with pytest.raises(ValueError, match=r"`biases` must be a list of 3 arrays"):
        net.biases = np.zeros(3)


def test_predict_and_accuracy():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 100)
    X = rng.standard_normal((100, 2)) * 0.7 + np.where(y[:, None] == 1, 1.5, -1.5)
    net = MLP([2, 1], output_activation="sigmoid", seed=0)
    net.weights = [np.array([[1.0], [1.0]])]
    pred = net.predict(X)
    assert pred.shape == (100,) and pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, (X.sum(axis=1) >= 0).astype(int))
    acc = float(np.mean(pred == y))
    assert net.accuracy(X, y) == acc
    assert net.accuracy(X, y[:, None]) == acc
    multi = MLP([2, 3], output_activation="sigmoid", seed=0)
    assert multi.predict(X).shape == (100, 3)
    soft = MLP([2, 3], output_activation="softmax", seed=0)
    labels = soft.predict(X)
    np.testing.assert_array_equal(labels, soft.forward(X).argmax(axis=1))
    onehot = np.eye(3)[labels]
    assert soft.accuracy(X, labels) == 1.0 and soft.accuracy(X, onehot) == 1.0
    lin = MLP([2, 3], output_activation="linear", seed=0)
    np.testing.assert_array_equal(lin.predict(X), lin.forward(X))
    with pytest.raises(ValueError, match=r"`output_activation` must be one of.*'linear'"):
        lin.accuracy(X, y)
    with pytest.raises(ValueError, match=r"`y` must hold one label per row of X.*\(99,\)"):
        net.accuracy(X, y[:99])


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sizes, exc, match",
    [
        ([2], ValueError, r"`layer_sizes` must hold at least two positive sizes.*\[2\]"),
        ([], ValueError, r"at least two positive sizes"),
        ([2, 0, 1], ValueError, r"`layer_sizes` must hold at least two positive.*\[2, 0, 1\]"),
        ([2, -3, 1], ValueError, r"positive sizes.*-3"),
        ([2, 2.5, 1], TypeError, r"`layer_sizes` must contain only ints.*2\.5"),
        ([2, True, 1], TypeError, r"only ints"),
        ("21", TypeError, r"`layer_sizes` must be a list of positive ints.*'21'"),
        (5, TypeError, r"`layer_sizes` must be a list.*layer_sizes=5"),
    ],
)
def test_bad_layer_sizes(sizes, exc, match):
    with pytest.raises(exc, match=match):
        MLP(sizes)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match=r"`activation` must be one of.*activation='swish'"):
        MLP([2, 3, 1], activation="swish")
    with pytest.raises(ValueError, match=r"`output_activation` must be one of.*'tanh'"):
        MLP([2, 3, 1], output_activation="tanh")
    with pytest.raises(ValueError, match=r"`weight_init` must be a callable or one of.*he_normal"):
        MLP([2, 3, 1], weight_init="he")
    with pytest.raises(ValueError, match=r"`bias_init` must be a callable.*bias_init='nope'"):
        MLP([2, 3, 1], bias_init="nope")
    with pytest.raises(ValueError, match=r"`weight_init` must have one entry per layer \(2\)"):
        MLP([2, 3, 1], weight_init=["he_normal"] * 3)
    with pytest.raises(TypeError, match=r"`dtype` must be float32 or float64.*int"):
        MLP([2, 3, 1], dtype=np.int64)
    with pytest.raises(TypeError, match=r"`dtype` must be float32 or float64.*float16"):
        MLP([2, 3, 1], dtype=np.float16)
    with pytest.raises(TypeError, match=r"`seed` must be a numpy Generator, an int seed or None"):
        MLP([2, 3, 1], seed="0")
    with pytest.raises(TypeError, match=r"`seed`.*RandomState"):
        MLP([2, 3, 1], seed=np.random.RandomState(0))
    with pytest.raises(
        ValueError, match=r"`seed` must be a non-negative int or None. Received: seed=-3"
    ):
        MLP([2, 3, 1], seed=-3)


def test_bad_X_and_Y(make_net):
    net, X, Y = make_net("relu", "softmax")
    for call in (net.forward, net.logits, net.forward_trace, net.predict):
        with pytest.raises(ValueError, match=r"`X` must have shape \(n, 4\).*X.shape=\(16, 3\)"):
            call(X[:, :3])
    with pytest.raises(ValueError, match=r"`X` must have shape \(n, 4\).*X.shape=\(4,\)"):
        net.forward(X[0])
    with pytest.raises(ValueError, match=r"`Y` must have shape \(16, 3\).*Y.shape=\(15, 3\)"):
        net.loss(X, Y[:15])
    with pytest.raises(ValueError, match=r"`Y` must have shape \(16, 3\).*Y.shape=\(16, 2\)"):
        net.gradients(X, Y[:, :2])
    with pytest.raises(ValueError, match=r"`Y` must have shape \(16, 3\).*Y.shape=\(16,\)"):
        net.backprop(X, Y.argmax(axis=1))  # labels instead of one-hot
    with pytest.raises(ValueError, match=r"`Y` must have shape"):
        net.fit(X, Y[:, :2], epochs=1, lr=0.1)
    with pytest.raises(ValueError, match=r"`X` must have shape"):
        net.fit(X[:, :2], Y, epochs=1, lr=0.1)


# --- initializers inside the constructor ----------------------------------------------------


def test_initializer_returning_one_array_does_not_tie_layers():
    shared = np.eye(3)
    net = MLP(
        [3, 3, 3, 1], weight_init=[lambda shape, rng=None, dtype=None: shared] * 2 + ["zeros"]
    )
    net.weights[0][0, 0] = 5.0
    assert net.weights[1][0, 0] == 1.0 and shared[0, 0] == 1.0


def test_initializer_with_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"`weight_init` for layer 1 must have shape \(2, 3\)"):
        MLP([2, 3, 1], weight_init=lambda shape, rng=None, dtype=None: np.zeros((3, 3)))


# --- MLP(norm=...): a normalization between Z and the activation -------------------------------


def tf_normalized_reference(tf, net, X, Y):
    """Loss and gradients of an MLP with a norm on every hidden layer, in TensorFlow ops."""
    acts = {
        "tanh": tf.tanh,
        "relu": tf.nn.relu,
        "gelu": lambda z: 0.5 * z * (1.0 + tf.math.erf(z / np.sqrt(2.0))),
    }
    axis = 1 if net.norm == "layer" else 0
    variables = [tf.Variable(p, dtype=tf.float64) for p in net.parameters()]
    P = dict(zip(net.parameter_names(), variables))
    with tf.GradientTape() as tape:
        A = tf.constant(X)
        for i in range(1, net.num_layers + 1):
            Z = A @ P[f"W{i}"] + P[f"b{i}"]
            if i < net.num_layers:
                mu = tf.reduce_mean(Z, axis=axis, keepdims=True)
                var = tf.reduce_mean(tf.square(Z - mu), axis=axis, keepdims=True)
                Z = (Z - mu) / tf.sqrt(var + net.eps) * P[f"gamma{i}"] + P[f"beta{i}"]
                A = acts[net.activation](Z)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(tf.constant(Y), Z))
    return float(loss), [g.numpy() for g in tape.gradient(loss, variables)]


def _normalized_net(norm, activation, seed=0):
    rng = np.random.default_rng(seed)
    net = MLP([4, 6, 5, 3], activation, "softmax", seed=seed, norm=norm)
    for name, p in zip(net.parameter_names(), net.parameters()):
        if name[0] == "b":  # biases and betas
            p[...] = rng.normal(0.0, 0.3, p.shape)
        elif name.startswith("gamma"):
            p[...] = 1.0 + rng.normal(0.0, 0.3, p.shape)
    X = rng.normal(size=(9, 4))
    return net, X, np.eye(3)[rng.integers(0, 3, 9)]


@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
@pytest.mark.parametrize("norm", ["layer", "batch"])
def test_normalized_mlp_equals_tensorflow_and_finite_differences(tf, norm, activation):
    net, X, Y = _normalized_net(norm, activation)
    assert net.parameter_names() == [
        "W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"
    ]  # fmt: skip
    grads = net.parameter_gradients(X, Y)
    loss, ref = tf_normalized_reference(tf, net, X, Y)
    assert abs(net.loss(X, Y) - loss) < 1e-12 * loss
    G = max(np.abs(g).max() for g in grads)
    for name, a, b in zip(net.parameter_names(), grads, ref):
        # judged at the network's scale: b1, b2 before a BatchNorm have gradient 0 + rounding
        assert np.abs(a - b).max() < 1e-8 * max(np.abs(b).max(), 1e-6 * G), name
    h = 1e-4
    for name, p, g in zip(net.parameter_names(), net.parameters(), grads):
        numeric = np.zeros(p.shape)
        for idx in np.ndindex(p.shape):
            original, values = p[idx], []
            for k in (2, 1, -1, -2):
                p[idx] = original + k * h
                values.append(net.loss(X, Y))
            p[idx] = original
            numeric[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
        assert np.abs(g - numeric).max() < 1e-8 * max(np.abs(numeric).max(), 1e-3 * G), name
    bp = net.backprop(X, Y)
    assert [len(d) for d in bp.dnorms] == [2, 2]
    np.testing.assert_array_equal(bp.dnorms[0][1], grads[6])  # dgamma2
    if norm == "batch":
        assert np.abs(grads[1]).max() < 1e-12 * G  # a bias right before BatchNorm: no gradient


def test_a_norm_makes_the_hidden_weights_scale_free():
    # c = 4 (a power of 2) with ε × 16: every hidden Z is 4× larger, its normalization the same,
    # bit for bit; the gradient of each normalized weight is 4× smaller.
    he = initializers.get("he_normal")

    def scaled(shape, rng=None, dtype=np.float64):
        return 4.0 * he(shape, rng=rng, dtype=dtype)

    X, y = np.random.default_rng(0).normal(size=(20, 4)), np.arange(20) % 3
    Y = np.eye(3)[y]
    net = MLP([4, 6, 6, 3], "relu", "softmax", seed=0, norm="layer")
    big = MLP([4, 6, 6, 3], "relu", "softmax", [scaled, scaled, "he_normal"], seed=0,
              norm="layer", eps=16e-5)  # fmt: skip
    np.testing.assert_array_equal(big.logits(X), net.logits(X))
    g, g_big = net.parameter_gradients(X, Y), big.parameter_gradients(X, Y)
    np.testing.assert_array_equal(4.0 * g_big[0], g[0])


def test_norm_none_keeps_the_plain_parameter_list():
    net = MLP([3, 4, 2], seed=0)
    assert net.parameter_names() == ["W1", "b1", "W2", "b2"] and net.norm is None
    normed = MLP([3, 4, 2], seed=0, norm="batch")
    np.testing.assert_array_equal(normed.weights[0], net.weights[0])  # the same draws
    assert "norm" not in repr(net) and "norm='batch'" in repr(normed)


def test_bad_norm_arguments():
    with pytest.raises(ValueError, match=r"`norm` must be one of 'layer', 'batch'.*norm='group'"):
        MLP([2, 3, 1], norm="group")
    with pytest.raises(ValueError, match=r"`eps` must be a positive number.*eps=-1"):
        MLP([2, 3, 1], norm="layer", eps=-1)
    with pytest.raises(ValueError, match=r"BatchNorm needs at least 2 examples.*X.shape=\(1, 3\)"):
        MLP([2, 3, 1], norm="batch", seed=0).forward(np.zeros((1, 2)))
