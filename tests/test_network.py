"""wtinit_lib.MLP: loss and gradients equal TensorFlow's GradientTape and central finite
differences, training, divergence, clipping inside fit, float32, and every bad-input path."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from wtinit_lib import MLP, DivergenceError, History, clipping, losses
from wtinit_lib.activations import HIDDEN, OUTPUTS

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

SIZES = [4, 6, 5, 3]
N = 16


def rel_err(a, b):
    """max|a - b| / max|b| (with a tiny floor so an all-zero reference still works)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def make_targets(output, n, k, rng):
    if output == "sigmoid":
        return (rng.random((n, k)) < 0.5).astype(np.float64)
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    return rng.standard_normal((n, k))


def make_net(activation, output, sizes=SIZES, seed=0, dtype=np.float64):
    """A network with Glorot weights and clearly non-zero biases, plus data for it."""
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activation, output, weight_init="glorot_normal", seed=seed, dtype=dtype)
    net.biases = [rng.normal(0.0, 0.5, size=b.shape) for b in net.biases]
    X = rng.standard_normal((N, sizes[0]))
    Y = make_targets(output, N, sizes[-1], rng)
    return net, X, Y


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


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
def test_loss_and_gradients_equal_tensorflow(tf, activation, output):
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


def test_one_dimensional_targets(tf):
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
def test_gradients_equal_finite_differences(activation, output):
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
def test_output_activation_gradient(output):
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


def test_forward_trace_and_logits():
    net, X, _ = make_net("tanh", "softmax")
    Zs, As = net.forward_trace(X)
    assert len(Zs) == 3 and len(As) == 4 and As[0] is not None
    np.testing.assert_array_equal(As[0], X)
    for i, Z in enumerate(Zs):
        assert Z.shape == (N, SIZES[i + 1])
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


# --- training ----------------------------------------------------------------------------------


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.standard_normal((n, 2)) * 0.7 + np.where(y[:, None] == 1, 1.5, -1.5)
    return X, y


def test_fit_reduces_loss():
    X, y = blobs()
    net = MLP([2, 8, 1], "tanh", "sigmoid", weight_init="glorot_normal", seed=0)
    start = net.loss(X, y)
    history = net.fit(X, y, epochs=100, lr=0.5)
    assert isinstance(history, History)
    assert history.epochs_run == 100 and len(history.grad_norm) == 100
    assert history.loss[0] == pytest.approx(start, rel=1e-12)
    assert history.final_loss < 0.3 * start
    assert net.loss(X, y) < history.loss[0]
    assert net.accuracy(X, y) > 0.95
    assert not history.diverged and history.diverged_at is None


def test_fit_step_is_gradient_descent():
    net, X, Y = make_net("relu", "softmax")
    ref = net.copy()
    lr = 0.3
    dWs, dbs = ref.gradients(X, Y)
    history = net.fit(X, Y, epochs=1, lr=lr)
    for i in range(net.num_layers):
        assert rel_err(net.weights[i], ref.weights[i] - lr * dWs[i]) < 1e-15
        assert rel_err(net.biases[i], ref.biases[i] - lr * dbs[i]) < 1e-15
    assert history.loss[0] == pytest.approx(ref.loss(X, Y), rel=1e-15)
    assert history.grad_norm[0] == pytest.approx(clipping.global_norm([*dWs, *dbs]), rel=1e-14)


def test_fit_minibatches_reproducible_and_validation():
    X, y = blobs(130)
    a = MLP([2, 6, 1], "relu", "sigmoid", seed=3)
    b = a.copy()
    ha = a.fit(X, y, epochs=5, lr=0.1, batch_size=32, seed=7, X_val=X[:20], Y_val=y[:20])
    hb = b.fit(X, y, epochs=5, lr=0.1, batch_size=32, seed=7, X_val=X[:20], Y_val=y[:20])
    assert ha.loss == hb.loss and len(ha.val_loss) == 5
    assert ha.val_loss[-1] == pytest.approx(a.loss(X[:20], y[:20]), rel=1e-14)
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    c = MLP([2, 6, 1], "relu", "sigmoid", seed=3)
    c.fit(X, y, epochs=5, lr=0.1, batch_size=32, seed=8)
    assert not np.array_equal(c.weights[0], a.weights[0])
    # batch_size >= n is one full-batch step per epoch; shuffle=False is a fixed order.
    d, e = MLP([2, 6, 1], seed=3), MLP([2, 6, 1], seed=3)
    d.fit(X, y, epochs=2, lr=0.1, batch_size=1000)
    e.fit(X, y, epochs=2, lr=0.1)
    np.testing.assert_array_equal(d.weights[0], e.weights[0])
    f, g = MLP([2, 6, 1], seed=3), MLP([2, 6, 1], seed=3)
    f.fit(X, y, epochs=2, lr=0.1, batch_size=32, shuffle=False, seed=1)
    g.fit(X, y, epochs=2, lr=0.1, batch_size=32, shuffle=False, seed=2)
    np.testing.assert_array_equal(f.weights[0], g.weights[0])


@pytest.mark.parametrize("method", ["global_norm", "norm", "value"])
def test_fit_clipping(method):
    net, X, Y = make_net("tanh", "linear")
    ref = net.copy()
    lr, clip = 0.1, 0.05
    dWs, dbs = ref.gradients(X, Y)
    grads = [g for pair in zip(dWs, dbs) for g in pair]
    if method == "global_norm":
        clipped, _ = clipping.clip_by_global_norm(grads, clip)
    elif method == "norm":
        clipped = clipping.clip_by_norm(grads, clip)
    else:
        clipped = clipping.clip_by_value(grads, clip)
    assert any(not np.allclose(c, g) for c, g in zip(clipped, grads))  # clipping is active
    history = net.fit(X, Y, epochs=1, lr=lr, clip=clip, clip_method=method)
    for i in range(net.num_layers):
        assert rel_err(net.weights[i], ref.weights[i] - lr * clipped[2 * i]) < 1e-15
        assert rel_err(net.biases[i], ref.biases[i] - lr * clipped[2 * i + 1]) < 1e-15
    # grad_norm is recorded before clipping.
    assert history.grad_norm[0] == pytest.approx(clipping.global_norm(grads), rel=1e-14)


def diverging_net():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3)) * 10
    Y = rng.standard_normal((50, 1))
    net = MLP([3, 8, 1], "linear", "linear", seed=0)
    return net, X, Y


def test_divergence_raises_naming_epoch():
    net, X, Y = diverging_net()
    with np.errstate(all="ignore"), pytest.raises(DivergenceError, match=r"diverged at epoch \d+"):
        net.fit(X, Y, epochs=500, lr=1.0)
    net, X, Y = diverging_net()
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as excinfo:
        net.fit(X, Y, epochs=500, lr=1.0)
    history = excinfo.value.history
    assert history.diverged and f"epoch {history.diverged_at}:" in str(excinfo.value)
    assert history.diverged_at == history.epochs_run > 1
    assert not math.isfinite(history.loss[-1])
    assert all(math.isfinite(v) for v in history.loss[:-1])


def test_divergence_stop_returns_history():
    net, X, Y = diverging_net()
    with np.errstate(all="ignore"):
        history = net.fit(X, Y, epochs=500, lr=1.0, on_divergence="stop")
    assert history.diverged is True
    assert history.diverged_at == history.epochs_run < 500
    assert not math.isfinite(history.final_loss)
    # Clipping keeps the same run finite.
    net, X, Y = diverging_net()
    with np.errstate(all="ignore"):
        clipped = net.fit(X, Y, epochs=50, lr=1e-3, clip=1.0, on_divergence="stop")
    assert not clipped.diverged and clipped.diverged_at is None


# --- float32 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("output", OUTPUTS)
def test_float32(output):
    net64, X, Y = make_net("tanh", output)
    net32 = MLP(SIZES, "tanh", output, weight_init="glorot_normal", seed=0, dtype=np.float32)
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
    X, y = blobs(100)
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
        ([2], ValueError, r"`layer_sizes` must have at least two entries.*\[2\]"),
        ([], ValueError, r"at least two entries"),
        ([2, 0, 1], ValueError, r"`layer_sizes` must contain only positive sizes.*\[2, 0, 1\]"),
        ([2, -3, 1], ValueError, r"only positive sizes.*-3"),
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
    with pytest.raises(ValueError, match=r"`activation` must be one of.*activation='gelu'"):
        MLP([2, 3, 1], activation="gelu")
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
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative seed. Received: seed=-3"):
        MLP([2, 3, 1], seed=-3)


def test_bad_X_and_Y():
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


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"epochs": 0}, ValueError, r"`epochs` must be a positive int. Received: epochs=0"),
        ({"epochs": -2}, ValueError, r"`epochs`.*epochs=-2"),
        ({"epochs": 1.5}, TypeError, r"`epochs` must be a positive int.*1\.5"),
        ({"lr": 0}, ValueError, r"`lr` must be a positive number. Received: lr=0"),
        ({"lr": -0.1}, ValueError, r"`lr`.*lr=-0.1"),
        ({"lr": float("nan")}, ValueError, r"`lr`.*nan"),
        ({"lr": "0.1"}, TypeError, r"`lr`.*'0.1'"),
        ({"batch_size": 0}, ValueError, r"`batch_size` must be a positive int.*batch_size=0"),
        ({"batch_size": 2.0}, TypeError, r"`batch_size`"),
        ({"clip": 0}, ValueError, r"`clip` must be a positive number. Received: clip=0"),
        ({"clip": -1.0}, ValueError, r"`clip`.*clip=-1.0"),
        ({"clip_method": "l2"}, ValueError, r"`clip_method` must be one of.*clip_method='l2'"),
        ({"on_divergence": "ignore"}, ValueError, r"`on_divergence` must be one of 'raise'"),
        ({"stats_every": 0}, ValueError, r"`stats_every`.*stats_every=0"),
        ({"seed": "s"}, TypeError, r"`seed` must be a numpy Generator"),
    ],
)
def test_bad_fit_arguments(kwargs, exc, match):
    net, X, Y = make_net("relu", "sigmoid")
    args = {"epochs": 1, "lr": 0.1, **kwargs}
    before = [w.copy() for w in net.weights]
    with pytest.raises(exc, match=match):
        net.fit(X, Y, **args)
    for b, w in zip(before, net.weights):  # nothing was trained
        np.testing.assert_array_equal(b, w)


def test_bad_validation_data():
    net, X, Y = make_net("relu", "sigmoid")
    with pytest.raises(ValueError, match=r"`X_val` and `Y_val` must be given together"):
        net.fit(X, Y, epochs=1, lr=0.1, X_val=X)
    with pytest.raises(ValueError, match=r"`X` must have shape \(n, 4\)"):
        net.fit(X, Y, epochs=1, lr=0.1, X_val=X[:, :2], Y_val=Y)
    with pytest.raises(ValueError, match=r"`Y` must have shape \(16, 3\).*\(10, 3\)"):
        net.fit(X, Y, epochs=1, lr=0.1, X_val=X, Y_val=Y[:10])


# --- packaging -----------------------------------------------------------------------------------


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, wtinit_lib, wtinit_lib.initializers, wtinit_lib.network, "
        "wtinit_lib.clipping, wtinit_lib.losses, wtinit_lib.activations\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'matplotlib.pyplot') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


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


def test_diverging_fit_emits_no_numpy_warning():
    X = np.ones((4, 2))
    net = MLP([2, 8, 8, 1], activation="linear", output_activation="linear", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning would fail here
        history = net.fit(X, np.ones(4), epochs=500, lr=10.0, on_divergence="stop")
    assert history.diverged
