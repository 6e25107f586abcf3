"""wtinit_lib.sweeps: every sweep against the same runs made one by one with MLP and fit.

Each sweep is a loop; the test builds a few of its networks by hand, trains them with
``training.fit`` (or a loop written out) and compares the numbers, then checks the summaries
(best learning rate, transfer regret) on arrays made by hand, and that the coordinate check
tells SP from μP.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import MLP, datasets, initializers, sweeps, training
from wtinit_lib.parametrization import parametrization


@pytest.fixture(scope="module")
def digits():
    X, y = datasets.digits()
    X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)
    return X[:400], y[:400]


def test_trainability_map_is_the_runs_one_by_one(digits):
    X, y = digits
    acc = sweeps.trainability_map(X, y, [1, 3], [0.5, 2.0], 0.05, width=16, epochs=1, seeds=(3,))
    assert acc.shape == (1, 2, 2)
    Y = datasets.one_hot(y)
    for j, L in enumerate([1, 3]):
        for k, sw in enumerate([0.5, 2.0]):
            net = MLP(
                [64] + [16] * L + [10], "tanh", "softmax", initializers.variance_scaling(sw),
                initializers.random_normal(math.sqrt(0.05)), seed=3,
            )  # fmt: skip
            training.fit(net, X, Y, 1, 0.03, 32, seed=3)
            assert acc[0, j, k] == net.accuracy(X, y)


def test_deep_linear_task_is_a_linear_map_with_the_stated_singular_values():
    X, Y = sweeps.deep_linear_task(d_in=6, d_out=3, n=50)
    A = np.linalg.lstsq(X, Y, rcond=None)[0]
    np.testing.assert_allclose(X @ A, Y, atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(A, compute_uv=False), [2.0, 1.25, 0.5], rtol=1e-12)


def steps_by_hand(L, task, lr, max_steps):
    X, Y = task
    net = MLP([X.shape[1]] * L + [Y.shape[1]], "linear", "linear", "orthogonal", seed=0)
    target = 0.01 * net.loss(X, Y)
    for k in range(max_steps + 1):
        bp = net.backprop(X, Y)
        if bp.loss <= target:
            return k
        for W, b, dW, db in zip(net.weights, net.biases, bp.dWs, bp.dbs):
            W -= lr * dW
            b -= lr * db
    return None


def test_deep_linear_learning_times_count_the_steps_of_gradient_descent():
    task = sweeps.deep_linear_task(d_in=8, d_out=4, n=64)
    times = sweeps.deep_linear_learning_times([2, 4], task=task, max_steps=300)
    assert times == [steps_by_hand(2, task, 0.5, 300), steps_by_hand(4, task, 0.25, 300)]
    assert all(t is not None for t in times)
    assert sweeps.deep_linear_learning_times([4], task=task, max_steps=3) == [None]


def test_lr_sweep_is_the_runs_one_by_one_and_mup_at_base_width_is_sp(digits):
    X, y = digits
    Y = datasets.one_hot(y)
    losses = sweeps.lr_sweep(X, Y, [8, 24], 8, [-1, 1], seeds=(2,), epochs=1, hidden_layers=1)
    assert losses.shape == (2, 1, 2, 2)
    for a, kind in enumerate(("standard", "mup")):
        for c, n in enumerate([8, 24]):
            p = parametrization([64, n, 10], [64, 8, 10], kind)
            for d, k in enumerate([-1, 1]):
                net = MLP([64, n, 10], "tanh", "softmax", p.initializers(), seed=2)
                training.fit(net, X, Y, 1, 2.0**k, 128, seed=2, lr_scales=p)
                assert losses[a, 0, c, d] == net.loss(X, Y)
    np.testing.assert_array_equal(losses[0, :, 0], losses[1, :, 0])  # width 8 = base


def test_best_log2_lr_and_transfer_regret_on_a_table_by_hand():
    losses = np.array([[[0.5, 0.2, 0.4], [0.3, 0.6, 0.9]]])  # (seed, width, lr)
    np.testing.assert_array_equal(sweeps.best_log2_lr(losses, [0, 1, 2]), [[1.0, 0.0]])
    # tuned at width 0 (best lr index 1), used at width 1: 0.6 / 0.3
    np.testing.assert_allclose(sweeps.transfer_regret(losses, tuned=0, target=1), [2.0])
    np.testing.assert_allclose(sweeps.transfer_regret(losses, tuned=1, target=1), [1.0])


def test_coordinate_check_tells_sp_from_mup(digits):
    X, y = digits
    Y = datasets.one_hot(y)
    widths = [16, 64, 256]
    sp = sweeps.coordinate_check(X, Y, widths, 16, "standard", seeds=(0,))
    mup = sweeps.coordinate_check(X, Y, widths, 16, "mup", seeds=(0,))
    assert sp["d_logits"].shape == (3,)
    assert sp["slope_logits"] > 0.4 and abs(mup["slope_logits"]) < 0.25
    # at the base width the two are the same network and the same steps
    assert sp["d_logits"][0] == mup["d_logits"][0]

    def readout_at_eta(p):  # the output weights learn at η instead of η/m
        return [*p.lr_scales[:4], 1.0, p.lr_scales[5]]

    broken = sweeps.coordinate_check(X, Y, widths, 16, "mup", seeds=(0,), lr_scales=readout_at_eta)
    assert broken["slope_logits"] > mup["slope_logits"] + 0.3
