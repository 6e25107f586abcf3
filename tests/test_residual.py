"""wtinit_lib.residual.ResidualMLP: loss and gradients equal TensorFlow's GradientTape (float64)
and fourth-order central finite differences for every option (no norm, LayerNorm or BatchNorm,
pre or post; the presets, learnable branch scalars, a skip scale; non-zero biases); the
properties the chapters rely on (zero-init blocks are exactly the identity, the zero layer's own
gradient is aᵀδ, one random stream per tensor); the interface of training.fit; every bad input.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from wtinit_lib import ResidualMLP, datasets, layerstats, schemes, training

N, D_IN, WIDTH, HIDDEN, K = 7, 5, 4, 6, 3
NORMS = [(None, "pre"), ("layer", "pre"), ("layer", "post"), ("batch", "pre"), ("batch", "post")]
INITS = ["he", "fixup", "rezero", "gpt2", "deepnorm"]
ACTIVATIONS = ["tanh", "gelu", "relu"]
OUTPUTS = ["softmax", "sigmoid", "linear"]
CASES = [
    (norm, position, init, activation)
    for (norm, position), init, activation in itertools.product(NORMS, INITS, ACTIVATIONS)
    if init != "deepnorm" or (norm, position) == ("layer", "post")
]


def data(output: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D_IN))
    if output == "softmax":
        return X, np.eye(K)[rng.integers(0, K, N)]
    if output == "sigmoid":
        return X, (rng.random((N, K)) < 0.5).astype(float)
    return X, rng.normal(size=(N, K))


def make(norm, position, init, activation, output, seed=0, **kw) -> ResidualMLP:
    blocks = 4 if init == "deepnorm" else 3
    return ResidualMLP(
        D_IN,
        WIDTH,
        blocks,
        K,
        hidden_width=HIDDEN,
        activation=activation,
        output_activation=output,
        norm=norm,
        norm_position=position,
        init=init,
        seed=seed,
        **kw,
    )


def randomize(net: ResidualMLP, rng: np.random.Generator, *, weights: bool) -> None:
    """Biases and β ~ N(0, 0.3²), γ ~ 1 + N(0, 0.3²), scalars 0.7; with ``weights`` every
    matrix ~ N(0, 1/fan_in) too (O(1) gradients, far above the finite-difference noise)."""
    for name, p in net.named_parameters():
        leaf = name.split(".")[-1]
        if leaf in ("b", "b1", "b2", "beta"):
            p[...] = rng.normal(0.0, 0.3, p.shape)
        elif leaf == "gamma":
            p[...] = 1.0 + rng.normal(0.0, 0.3, p.shape)
        elif leaf == "scale":
            p[...] = 0.7
        elif weights:
            p[...] = rng.normal(0.0, 1.0 / math.sqrt(p.shape[0]), p.shape)


# --- the independent references -------------------------------------------------------------------


def tf_loss_and_gradients(tf, net: ResidualMLP, X, Y):
    """The same network written in TensorFlow ops (float64), differentiated by GradientTape."""

    def norm(x, gamma, beta):
        axis = 1 if net.norm == "layer" else 0
        mu = tf.reduce_mean(x, axis=axis, keepdims=True)
        var = tf.reduce_mean(tf.square(x - mu), axis=axis, keepdims=True)
        return (x - mu) / tf.sqrt(var + net.eps) * gamma + beta

    acts = {
        "relu": tf.nn.relu,
        "tanh": tf.tanh,
        # written out: tf.nn.gelu(approximate=False) is off by ~3e-7 relative in float64
        "gelu": lambda t: 0.5 * t * (1.0 + tf.math.erf(t / np.sqrt(2.0))),
    }
    names = net.parameter_names()
    variables = [tf.Variable(p, dtype=tf.float64) for p in net.parameters()]
    P = dict(zip(names, variables))
    with tf.GradientTape() as tape:
        x = tf.constant(X) @ P["input.W"] + P["input.b"]
        for k in range(1, net.num_blocks + 1):
            b = f"block{k}."
            pre = net.norm and net.norm_position == "pre"
            u = norm(x, P[b + "gamma"], P[b + "beta"]) if pre else x
            r = acts[net.activation](u @ P[b + "W1"] + P[b + "b1"]) @ P[b + "W2"] + P[b + "b2"]
            c = P.get(b + "scale", 1.0)
            x = net.skip_scale * x + c * r
            if net.norm and net.norm_position == "post":
                x = norm(x, P[b + "gamma"], P[b + "beta"])
        if net.final_norm:
            x = norm(x, P["final_norm.gamma"], P["final_norm.beta"])
        z = x @ P["output.W"] + P["output.b"]
        Yt = tf.constant(Y)
        if net.output_activation == "softmax":
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(Yt, z))
        elif net.output_activation == "sigmoid":
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(Yt, z))
        else:
            loss = tf.reduce_mean(tf.square(z - Yt))
    return float(loss), [g.numpy() for g in tape.gradient(loss, variables)]


def fd_gradients(net: ResidualMLP, X, Y, h: float = 1e-4) -> list[np.ndarray]:
    """Fourth-order central differences ``(-ℒ(2h) + 8ℒ(h) - 8ℒ(-h) + ℒ(-2h)) / 12h``: error
    ``O(h⁴)`` plus rounding ~1e-16/h, about 1e-10 relative here (the two-point formula stops
    near 1e-7 on BatchNorm networks)."""
    out = []
    for p in net.parameters():
        g = np.zeros(p.shape)
        for idx in np.ndindex(p.shape):
            original = p[idx].copy()
            values = []
            for k in (2, 1, -1, -2):
                p[idx] = original + k * h
                values.append(net.loss(X, Y))
            p[idx] = original
            g[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
        out.append(g)
    return out


def compare(a, b, scale_of_all: float, floor: float) -> float:
    """``max|a - b|`` over the larger of the tensor's largest entry and ``floor`` times the
    network's largest gradient entry: a gradient that is tiny only by cancellation (a bias that
    feeds a skip and a BatchNorm, exactly 0 in theory) is judged at the network's scale."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(np.abs(a).max(), np.abs(b).max(), floor * scale_of_all)
    return float(np.abs(a - b).max() / scale) if scale > 0 else 0.0


# --- gradients ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", range(len(CASES)))
def test_loss_and_gradients_equal_tensorflow(tf, case):
    norm, position, init, activation = CASES[case]
    output = OUTPUTS[case % 3]
    X, Y = data(output, seed=case)
    net = make(norm, position, init, activation, output, seed=case)
    rng = np.random.default_rng(case)
    # 1) the preset as drawn (zero W2, tiny GPT-2 weights), biases made non-zero
    randomize(net, rng, weights=False)
    loss, grads = net.batch_gradients(*net.check_data(X, Y))
    tf_loss, tf_grads = tf_loss_and_gradients(tf, net, X, Y)
    G = max(np.abs(g).max() for g in grads)
    assert abs(loss - tf_loss) <= 1e-12 * abs(tf_loss)
    for name, a, b in zip(net.parameter_names(), grads, tf_grads):
        assert compare(a, b, G, 1e-6) < 1e-8, name
    # 2) every parameter at O(1) scale
    randomize(net, rng, weights=True)
    grads = net.parameter_gradients(X, Y)
    tf_loss, tf_grads = tf_loss_and_gradients(tf, net, X, Y)
    G = max(np.abs(g).max() for g in grads)
    assert abs(net.loss(X, Y) - tf_loss) <= 1e-12 * abs(tf_loss)
    for name, a, b in zip(net.parameter_names(), grads, tf_grads):
        assert compare(a, b, G, 1e-6) < 1e-8, name


@pytest.mark.parametrize("case", range(0, len(CASES), 2))
def test_gradients_equal_finite_differences(case):
    norm, position, init, activation = CASES[case]
    output = OUTPUTS[case % 3]
    X, Y = data(output, seed=case)
    net = make(norm, position, init, activation, output, seed=case)
    randomize(net, np.random.default_rng(case), weights=True)
    grads = net.parameter_gradients(X, Y)
    numeric = fd_gradients(net, X, Y)
    G = max(np.abs(g).max() for g in grads)
    for name, a, b in zip(net.parameter_names(), grads, numeric):
        assert compare(a, b, G, 1e-3) < 1e-8, name


@pytest.mark.parametrize("position, zero", [("post", "block2.b2"), ("pre", "input.b")])
def test_a_bias_right_before_a_batchnorm_gets_no_gradient(position, zero):
    # post: b2 adds a constant per column to the sum that the block's BatchNorm normalizes;
    # pre: input.b shifts x_0, which reaches the output only through BatchNorms (each branch's
    # and the final one). Either way Σ_rows ∂ℒ/∂x = 0 per column makes its gradient 0.
    X, Y = data("softmax")
    net = make("batch", position, "he", "relu", "softmax")
    randomize(net, np.random.default_rng(0), weights=True)
    g = dict(zip(net.parameter_names(), net.parameter_gradients(X, Y)))
    largest = max(np.abs(v).max() for v in g.values())
    assert np.abs(g[zero]).max() < 1e-12 * largest
    assert np.abs(g["block2.W1"]).max() > 1e-3 * largest


# --- what the chapters rely on --------------------------------------------------------------------


@pytest.mark.parametrize("init", ["zero_last", "fixup", "rezero"])
def test_zero_initialized_blocks_are_exactly_the_identity(init):
    X = np.random.default_rng(0).normal(size=(20, 8))
    net = ResidualMLP(8, 8, 5, 3, init=init, seed=0)
    stream = net.residual_stream(X)
    assert all(np.array_equal(x, stream[0]) for x in stream)
    assert np.all(np.array(net.forward_trace(X).branches) == 0)


def test_the_zero_layer_learns_its_own_gradient_is_a_transpose_delta():
    X, y = datasets.spirals(20, classes=3, seed=0)
    Y = datasets.one_hot(y)
    net = ResidualMLP(2, 6, 4, 3, init="zero_last", seed=0)
    g = dict(zip(net.parameter_names(), net.parameter_gradients(X, Y)))
    params = dict(net.named_parameters())
    # by hand: delta = dℒ/dx_L, carried unchanged by the skips to every block
    logits = X @ params["input.W"] @ params["output.W"] + params["output.b"]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = (p - Y) / len(Y) @ params["output.W"].T
    x0 = X @ params["input.W"]
    for k in range(1, 5):
        a = np.maximum(x0 @ params[f"block{k}.W1"], 0.0)
        np.testing.assert_allclose(g[f"block{k}.W2"], a.T @ delta, rtol=1e-12, atol=1e-15)
        assert np.all(g[f"block{k}.W1"] == 0)  # dh = (delta W2ᵀ) ⊙ g'(h) = 0
    assert np.linalg.norm(g["block4.W2"]) > 0.01


def test_rezero_moves_only_the_scalars_at_the_first_step():
    X, Y = data("softmax")
    net = make(None, "pre", "rezero", "relu", "softmax")
    g = dict(zip(net.parameter_names(), net.parameter_gradients(X, Y)))
    for k in range(1, 4):
        assert all(np.all(g[f"block{k}.{w}"] == 0) for w in ("W1", "b1", "W2", "b2"))
        assert g[f"block{k}.scale"].shape == () and g[f"block{k}.scale"] != 0


def test_one_random_stream_per_tensor():
    he = ResidualMLP(5, 8, 6, 3, init="he", seed=3)
    fixup = ResidualMLP(5, 8, 6, 3, init="fixup", seed=3)
    deeper = ResidualMLP(5, 8, 12, 3, init="he", seed=3)
    gain = schemes.residual_init("fixup", 6).branch_gain
    P, F, D = (dict(n.named_parameters()) for n in (he, fixup, deeper))
    for k in range(1, 7):
        np.testing.assert_array_equal(F[f"block{k}.W1"], gain * P[f"block{k}.W1"])
        np.testing.assert_array_equal(D[f"block{k}.W2"], P[f"block{k}.W2"])
    np.testing.assert_array_equal(P["input.W"], D["input.W"])
    assert not np.array_equal(P["block1.W1"], P["block2.W1"])
    again = ResidualMLP(5, 8, 6, 3, init="he", seed=np.random.default_rng(1))
    assert not np.array_equal(dict(again.named_parameters())["input.W"], P["input.W"])


def test_presets_start_where_the_papers_say():
    L = 8
    net = ResidualMLP(16, 32, L, 4, init="gpt2", norm="layer", hidden_width=128, seed=0)
    P = dict(net.named_parameters())
    assert abs(P["input.W"].std() / 0.02 - 1) < 0.05
    w2 = np.concatenate([P[f"block{k}.W2"].ravel() for k in range(1, L + 1)])
    assert abs(w2.std() / (0.02 / math.sqrt(L)) - 1) < 0.02
    assert net.final_norm and np.all(P["final_norm.gamma"] == 1) and np.all(P["block1.beta"] == 0)
    fixup = dict(ResidualMLP(16, 32, L, 4, init="fixup", seed=0).named_parameters())
    assert np.all(fixup["output.W"] == 0) and np.all(fixup["block3.W2"] == 0)
    assert fixup["block3.scale"] == 1.0
    deep = ResidualMLP(16, 32, L, 4, init="deepnorm", norm="layer", norm_position="post", seed=0)
    assert deep.skip_scale == pytest.approx(L**0.25)  # (2N)^(1/4), N = L/2 layers
    assert not deep.final_norm


def test_parameters_names_and_gradients_share_one_order_and_are_the_arrays():
    X, Y = data("softmax")
    net = make("layer", "pre", "rezero", "gelu", "softmax")
    names = net.parameter_names()
    assert names[:4] == ["input.W", "input.b", "block1.gamma", "block1.beta"]
    assert names[4:9] == ["block1.W1", "block1.b1", "block1.W2", "block1.b2", "block1.scale"]
    assert names[-4:] == ["final_norm.gamma", "final_norm.beta", "output.W", "output.b"]
    grads = net.parameter_gradients(X, Y)
    assert [g.shape for g in grads] == [p.shape for p in net.parameters()]
    before = net.loss(X, Y)
    net.parameters()[names.index("output.b")] += 1.0  # in place: the network changes
    assert net.loss(X, Y) != before


def test_fit_trains_it_and_batch_stats_reports_every_dense_layer():
    X, y = three_clusters()
    Y = datasets.one_hot(y)
    net = ResidualMLP(2, 8, 3, 3, norm="layer", init="zero_last", seed=0)
    history = training.fit(net, X, Y, epochs=40, lr=0.2, record_stats=True, stats_every=20)
    assert history.loss[-1] < 0.5 * history.loss[0] and net.accuracy(X, y) > 0.9
    stats = history.stats[0]
    assert [s.layer for s in stats] == list(range(1, 2 + 2 * 3 + 1))
    fresh = ResidualMLP(2, 8, 3, 3, norm="layer", init="zero_last", seed=0)
    loss, grads, stats = fresh.batch_stats(*fresh.check_data(X, Y), lr=0.2)
    g = dict(zip(fresh.parameter_names(), grads))
    assert stats[2].grad_norm == pytest.approx(np.linalg.norm(g["block1.W2"]), rel=1e-12)
    P = dict(fresh.named_parameters())
    x0 = X @ P["input.W"] + P["input.b"]
    u = (x0 - x0.mean(1, keepdims=True)) / np.sqrt(x0.var(1, keepdims=True) + fresh.eps)
    h = u @ P["block1.W1"] + P["block1.b1"]  # block 1's W1 is layer 2
    assert stats[1].pre_std == pytest.approx(np.std(h), rel=1e-12)
    assert stats[1].act_std == pytest.approx(np.std(np.maximum(h, 0)), rel=1e-12)
    assert layerstats.per_layer(stats, "weight_std")[2] == 0.0  # W2 starts at zero
    adam = ResidualMLP(2, 8, 3, 3, init="rezero", seed=0)
    assert adam.fit(X, Y, epochs=30, lr=0.02, optimizer="adam").final_loss < 0.5


def test_divergence_is_reported_like_mlp():
    X, Y = data("softmax")
    net = make(None, "pre", "he", "relu", "softmax")
    history = net.fit(X, Y * 1e3, epochs=50, lr=10.0, on_divergence="stop")
    assert history.diverged and not math.isfinite(history.final_loss)
    with pytest.raises(training.DivergenceError, match="diverged at epoch"):
        make(None, "pre", "he", "relu", "softmax").fit(X, Y * 1e3, epochs=50, lr=10.0)


def test_predictions_copy_float32_and_repr():
    X, y = datasets.spirals(10, classes=3, seed=2)
    net = ResidualMLP(2, 4, 2, 3, seed=0)
    np.testing.assert_array_equal(net.predict(X), net.forward(X).argmax(axis=1))
    assert 0.0 <= net.accuracy(X, y) <= 1.0
    twin = net.copy()
    twin.parameters()[0] += 1.0
    assert not np.array_equal(twin.logits(X), net.logits(X))
    f32 = ResidualMLP(2, 4, 2, 3, seed=0, dtype=np.float32, norm="batch")
    assert all(p.dtype == np.float32 for p in f32.parameters())
    assert f32.logits(X).dtype == np.float32
    assert "ResidualMLP(2, 4, 2, 3" in repr(net)
    binary = ResidualMLP(2, 4, 2, 1, output_activation="sigmoid", seed=0)
    assert binary.check_data(X, (y > 0).astype(float))[1].shape == (30, 1)


def test_a_custom_residual_init():
    spec = dataclasses.replace(schemes.residual_init("gpt2", 4), last_gain=1.0)
    net = ResidualMLP(3, 8, 4, 2, init=spec, seed=0)
    assert dict(net.named_parameters())["block1.W2"].std() > 0.015


def three_clusters() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 30)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    return centers[y] + 0.3 * rng.normal(size=(90, 2)), y


# --- bad input --------------------------------------------------------------------------------


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`norm` must be one of 'layer', 'batch'.*norm='group'"):
        ResidualMLP(2, 4, 2, 3, norm="group")
    with pytest.raises(ValueError, match=r"`norm_position` must be one of.*'middle'"):
        ResidualMLP(2, 4, 2, 3, norm="layer", norm_position="middle")
    with pytest.raises(
        ValueError, match=r"`init` must be one of 'he', 'zero_last'.*init='kaiming'"
    ):
        ResidualMLP(2, 4, 2, 3, init="kaiming")
    with pytest.raises(ValueError, match=r"init='deepnorm' is a post-norm scheme.*norm=None"):
        ResidualMLP(2, 4, 2, 3, init="deepnorm")
    with pytest.raises(ValueError, match=r"`num_blocks` must be even. Received: num_blocks=3"):
        ResidualMLP(2, 4, 3, 3, init="deepnorm", norm="layer", norm_position="post")
    with pytest.raises(ValueError, match=r"final norm needs a norm.*final_norm=True, norm=None"):
        ResidualMLP(2, 4, 2, 3, final_norm=True)
    with pytest.raises(
        TypeError, match=r"`num_blocks` must be an int >= 1. Received: num_blocks=2.5"
    ):
        ResidualMLP(2, 4, 2.5, 3)
    with pytest.raises(ValueError, match=r"`hidden_width` must be an int >= 1.*hidden_width=0"):
        ResidualMLP(2, 4, 2, 3, hidden_width=0)
    with pytest.raises(ValueError, match=r"`activation` must be one of.*activation='swish'"):
        ResidualMLP(2, 4, 2, 3, activation="swish")
    with pytest.raises(ValueError, match=r"`bias_init` must be a callable.*bias_init='nope'"):
        ResidualMLP(2, 4, 2, 3, bias_init="nope")
    with pytest.raises(TypeError, match=r"`dtype` must be float32 or float64"):
        ResidualMLP(2, 4, 2, 3, dtype=np.int64)
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative int.*seed=-1"):
        ResidualMLP(2, 4, 2, 3, seed=-1)
    with pytest.raises(ValueError, match=r"`eps` must be a positive number.*eps=0"):
        ResidualMLP(2, 4, 2, 3, norm="layer", eps=0)


def test_bad_data():
    net = ResidualMLP(2, 4, 2, 3, seed=0)
    X, Y = np.zeros((5, 2)), np.eye(3)[[0, 1, 2, 0, 1]]
    with pytest.raises(ValueError, match=r"`X` must have shape \(n, 2\).*X.shape=\(5, 3\)"):
        net.logits(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"`Y` must have shape \(5, 3\).*Y.shape=\(5, 2\)"):
        net.loss(X, Y[:, :2])
    with pytest.raises(ValueError, match=r"`y` must hold one label per row of X"):
        net.accuracy(X, [0, 1])
    bn = ResidualMLP(2, 4, 2, 3, norm="batch", seed=0)
    with pytest.raises(ValueError, match=r"BatchNorm needs at least 2 examples.*X.shape=\(1, 4\)"):
        bn.logits(X[:1])
