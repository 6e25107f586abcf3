"""wtinit_lib.parametrization: the table, a hand-built two-layer μP network, Table 8.

The multipliers are checked entry by entry for a two-hidden-layer MLP; then a ``[3, 64, 2]``
network trained through ``MLP`` + ``training.fit(lr_scales=...)`` is compared with the same
network written out in plain numpy with Table 3's learning rates, and with the ``mup`` package's
form (Table 8: a readout multiplier ``1/m``, a readout ``m`` times larger, readout lr ``η·m``),
which must compute the same function at every step (Yang et al. 2022, Lemma J.1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import MLP, datasets, training
from wtinit_lib.parametrization import Parametrization, parametrization


def test_table_entries_for_a_two_hidden_layer_mlp():
    p = parametrization([64, 512, 512, 10], [64, 128, 128, 10], "mup")
    assert p.width_mults == (1.0, 4.0, 4.0, 1.0)
    assert p.weight_var_scales == (1.0, 1.0, 0.25)
    assert p.weight_lr_scales == (4.0, 1.0, 0.25)  # input η·m, hidden η, readout η/m
    assert p.bias_lr_scales == (4.0, 4.0, 1.0)  # hidden biases η·m, output bias η
    assert p.lr_scales == (4.0, 4.0, 1.0, 4.0, 0.25, 1.0)  # [W1, b1, W2, b2, W3, b3]
    sp = parametrization([64, 512, 512, 10], [64, 128, 128, 10], "standard")
    assert sp.lr_scales == (1.0,) * 6 and sp.weight_var_scales == (1.0,) * 3
    zero = parametrization([64, 512, 512, 10], [64, 128, 128, 10], readout="zero")
    assert zero.weight_var_scales == (1.0, 1.0, 0.0) and zero.lr_scales == p.lr_scales


def test_mup_at_the_base_width_is_sp():
    p = parametrization([64, 32, 32, 10], [64, 32, 32, 10], "mup")
    sp = parametrization([64, 32, 32, 10], kind="standard")
    assert p.lr_scales == sp.lr_scales and p.weight_var_scales == sp.weight_var_scales


def test_initializers_draw_the_variances_of_the_table():
    p = parametrization([64, 512, 512, 10], [64, 128, 128, 10], "mup")
    inits = p.initializers(scale=2.0)
    rng = np.random.default_rng(0)
    W3 = inits[2]((512, 10), rng)
    W2 = inits[1]((512, 512), rng)
    assert W2.var() * 512 / 2.0 == pytest.approx(1.0, rel=0.02)
    assert W3.var() * 512 * 4 / 2.0 == pytest.approx(1.0, rel=0.15)  # 5120 samples
    zero = parametrization([64, 512, 512, 10], [64, 128, 128, 10], readout="zero")
    assert np.all(zero.initializers()[2]((512, 10), rng) == 0)


def two_layer_by_hand(X, Y, W1, b1, W2, b2, lrs, steps, out_mult=1.0):
    """tanh hidden layer, linear output times ``out_mult``, MSE (mean over all entries), SGD
    with one learning rate per array: plain numpy, no wtinit_lib. Returns the parameters and
    the outputs after every step."""
    outputs = []
    for _ in range(steps):
        H = np.tanh(X @ W1 + b1)
        out = out_mult * (H @ W2) + b2
        dO = 2 * (out - Y) / Y.size
        dW2, db2 = out_mult * H.T @ dO, dO.sum(0)
        dZ1 = (out_mult * dO @ W2.T) * (1 - H**2)
        dW1, db1 = X.T @ dZ1, dZ1.sum(0)
        W1, b1 = W1 - lrs[0] * dW1, b1 - lrs[1] * db1
        W2, b2 = W2 - lrs[2] * dW2, b2 - lrs[3] * db2
        outputs.append(out_mult * (np.tanh(X @ W1 + b1) @ W2) + b2)
    return (W1, b1, W2, b2), outputs


def test_fit_with_the_mup_multipliers_is_the_hand_built_network_and_table_8():
    d, n, n0, k, lr, steps = 3, 64, 16, 2, 0.3, 5
    m = n / n0
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, d)), rng.normal(size=(20, k))
    p = parametrization([d, n, k], [d, n0, k], "mup")
    net = MLP([d, n, k], "tanh", "linear", weight_init=p.initializers(), seed=5)
    W1, W2 = net.weights[0].copy(), net.weights[1].copy()
    assert W2.var() * n * m == pytest.approx(1.0, rel=0.3)  # readout variance 1/(n·m)
    training.fit(net, X, Y, epochs=steps, lr=lr, lr_scales=p)
    # Table 3 by hand: input weights and hidden biases η·m, readout η/m, readout bias η
    table3, out3 = two_layer_by_hand(
        X, Y, W1, np.zeros(n), W2, np.zeros(k), [lr * m, lr * m, lr / m, lr], steps
    )
    for mine, theirs in zip(net.parameters(), table3):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-13)
    # Table 8 (the mup package): readout multiplier 1/m, readout weights m times larger (so
    # variance 1/n), readout lr η·m: the same outputs at every step.
    table8, out8 = two_layer_by_hand(
        X, Y, W1, np.zeros(n), W2 * m, np.zeros(k), [lr * m, lr * m, lr * m, lr], steps, 1 / m
    )
    for a, b in zip(out8, out3):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(table8[2] / m, table3[2], rtol=0, atol=1e-13)


def fit_epochs_by_hand(net, X, Y, epochs, lr, scales, batch_size, seed):
    """training.fit's batching written out: a permutation per epoch, ceil(n/batch) batches."""
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        total = 0.0
        for idx in np.array_split(order, math.ceil(X.shape[0] / batch_size)):
            loss, grads = net.batch_gradients(X[idx], Y[idx])
            total += loss * len(idx)
            for param, grad, s in zip(net.parameters(), grads, scales):
                param -= (lr * s) * grad
        losses.append(total / X.shape[0])
    return losses


def test_fit_with_lr_scales_is_bit_for_bit_the_loop_by_hand_and_mup_at_base_is_sp():
    X, y = datasets.digits()
    Y = datasets.one_hot(y)
    p = parametrization([64, 48, 48, 10], [64, 32, 32, 10], "mup")
    nets = [MLP([64, 48, 48, 10], "tanh", "softmax", p.initializers(), seed=1) for _ in "ab"]
    history = training.fit(nets[0], X, Y, epochs=2, lr=0.5, batch_size=128, lr_scales=p, seed=3)
    by_hand = fit_epochs_by_hand(nets[1], X, Y, 2, 0.5, p.lr_scales, 128, 3)
    assert history.loss == by_hand
    assert all(np.array_equal(a, b) for a, b in zip(nets[0].parameters(), nets[1].parameters()))
    runs = []
    for kind in ("standard", "mup"):
        q = parametrization([64, 32, 32, 10], [64, 32, 32, 10], kind)
        net = MLP([64, 32, 32, 10], "tanh", "softmax", q.initializers(), seed=1)
        runs.append(training.fit(net, X, Y, epochs=2, lr=0.5, batch_size=128, lr_scales=q).loss)
    assert runs[0] == runs[1]


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="same length"):
        parametrization([64, 32, 10], [64, 32, 32, 10])
    with pytest.raises(ValueError, match="kind"):
        parametrization([64, 32, 10], kind="ntk")
    with pytest.raises(ValueError, match="readout"):
        parametrization([64, 32, 10], readout="small")
    with pytest.raises(ValueError, match="scale"):
        parametrization([64, 32, 10]).initializers(scale=0.0)
    assert isinstance(parametrization([4, 8, 2]), Parametrization)
