"""wtinit_lib.training: the loop (``fit``), its record (``History``), divergence, mini-batches.

``fit`` trains anything with the small ``Trainable`` interface: a linear regression written here
(no MLP anywhere) trains to the least-squares solution, so the loop does not depend on the
network. With an MLP (``MLP.fit`` is a thin call into ``training.fit``): each step is gradient
descent ``θ ← θ - lr · g``, clipped with ``wtinit_lib.clipping`` when asked; mini-batches are
seeded; divergence raises or stops with the history; every bad argument is refused before any
step; ``progress=True`` draws a tqdm bar on stderr.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import astuple

import numpy as np
import pytest

from wtinit_lib import MLP, DivergenceError, History, clipping, layerstats, training

# --- a Trainable that is not an MLP ---------------------------------------------------------------


class LinearRegression:
    """The smallest ``training.Trainable``: ``y = X @ w + c`` with the mean squared error."""

    def __init__(self, features: int) -> None:
        self.w = np.zeros((features, 1))
        self.c = np.zeros(1)
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def check_data(self, X, Y):
        self._count("check_data")
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64).reshape(-1, 1)
        if X.ndim != 2 or X.shape != (Y.shape[0], self.w.shape[0]):
            raise ValueError(f"LinearRegression: bad shapes {X.shape} and {Y.shape}")
        return X, Y

    def parameters(self):
        return [self.w, self.c]

    def _residual(self, X, Y):
        return X @ self.w + self.c - Y

    def batch_loss(self, X, Y):
        self._count("batch_loss")
        return float(np.mean(self._residual(X, Y) ** 2))

    def batch_gradients(self, X, Y, out):
        self._count("batch_gradients")
        r = self._residual(X, Y)
        dw = np.matmul(X.T, 2.0 * r / X.shape[0], out=out[0])  # written into fit's array
        return float(np.mean(r**2)), [dw, np.array([2.0 * r.mean()])]

    def batch_stats(self, X, Y, lr):
        self._count("batch_stats")
        loss, grads = self.batch_gradients(X, Y, [np.empty_like(p) for p in self.parameters()])
        Z = X @ self.w + self.c
        stats = layerstats.stats_from_pass(
            "linear", "linear", [Z], [X, Z], [self.w], [grads[0]], None, lr
        )
        return loss, grads, stats


def regression_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(n)
    return X, y


def test_fit_trains_a_network_that_is_not_an_mlp_to_least_squares():
    X, y = regression_data()
    model = LinearRegression(3)
    history = training.fit(model, X, y, epochs=400, lr=0.1)
    assert isinstance(history, History) and history.epochs_run == 400
    assert history.final_loss < 0.02 * history.loss[0]
    solution, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)
    np.testing.assert_allclose(np.r_[model.w[:, 0], model.c], solution, atol=1e-8)
    assert model.calls == {"check_data": 1, "batch_gradients": 400}


def test_one_step_on_a_trainable_is_plain_gradient_descent():
    X, y = regression_data(n=10)
    model = LinearRegression(3)
    model.w[:] = [[0.1], [0.2], [-0.3]]
    w, c = model.w.copy(), model.c.copy()
    r = X @ w + c - y[:, None]
    history = training.fit(model, X, y, epochs=1, lr=0.05)
    np.testing.assert_allclose(model.w, w - 0.05 * X.T @ (2 * r / 10), rtol=1e-14)
    np.testing.assert_allclose(model.c, c - 0.05 * 2 * r.mean(), rtol=1e-14)
    assert history.loss == [pytest.approx(np.mean(r**2), rel=1e-14)]
    expected_norm = math.sqrt(np.sum((X.T @ (2 * r / 10)) ** 2) + (2 * r.mean()) ** 2)
    assert history.grad_norm == [pytest.approx(expected_norm, rel=1e-14)]


def test_fit_uses_every_part_of_the_trainable_interface():
    X, y = regression_data(n=40)
    model = LinearRegression(3)
    history = training.fit(
        model,
        X,
        y,
        epochs=4,
        lr=0.1,
        batch_size=16,
        record_stats=True,
        stats_every=2,
        X_val=X[:8],
        Y_val=y[:8],
        clip=0.5,
        clip_method="value",
    )
    assert history.stats_epochs == [1, 3]
    assert len(history.stats) == 2 and isinstance(history.stats[0][0], layerstats.LayerStats)
    assert len(history.val_loss) == 4
    assert history.val_loss[-1] == pytest.approx(model.batch_loss(*model.check_data(X[:8], y[:8])))
    # 3 batches per epoch; the first batch of epochs 1 and 3 goes through batch_stats.
    assert model.calls["batch_stats"] == 2
    assert model.calls["batch_gradients"] == 4 * 3  # batch_stats calls it too
    assert model.calls["check_data"] == 2 + 1  # training data, validation data, the check above


def test_a_trainable_that_diverges_is_reported_like_an_mlp():
    X, y = regression_data(n=50)
    with np.errstate(all="ignore"), pytest.raises(DivergenceError, match=r"epoch \d+"):
        training.fit(LinearRegression(3), X * 100, y, epochs=200, lr=1.0)
    with np.errstate(all="ignore"):
        history = training.fit(
            LinearRegression(3), X * 100, y, epochs=200, lr=1.0, on_divergence="stop"
        )
    assert history.diverged and history.diverged_at == history.epochs_run < 200


def test_fit_refuses_data_the_trainable_refuses():
    X, y = regression_data(n=10)
    with pytest.raises(ValueError, match="LinearRegression: bad shapes"):
        training.fit(LinearRegression(4), X, y, epochs=1, lr=0.1)


# --- progress bar -----------------------------------------------------------------------------


def test_progress_true_draws_a_tqdm_bar_on_stderr(capsys):
    X, y = regression_data(n=20)
    training.fit(LinearRegression(3), X, y, epochs=5, lr=0.1, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "training" in captured.err and "5/5" in captured.err and "epoch" in captured.err
    assert "loss=" in captured.err  # the postfix with the latest loss


def test_progress_bar_is_closed_when_training_diverges(capsys):
    X, y = regression_data(n=20)
    with np.errstate(all="ignore"), pytest.raises(DivergenceError):
        training.fit(LinearRegression(3), X * 100, y, epochs=50, lr=1.0, progress=True)
    err = capsys.readouterr().err
    assert "training" in err and "/50" in err
    assert err.endswith("\n")  # tqdm ends the line when the bar is closed


def test_no_progress_bar_by_default(capsys):
    X, y = regression_data(n=20)
    training.fit(LinearRegression(3), X, y, epochs=5, lr=0.1)
    MLP([3, 2, 1], seed=0).fit(X, (y > 0).astype(float), epochs=2, lr=0.1)
    assert capsys.readouterr() == ("", "")


# --- minibatches and History --------------------------------------------------------------------


def test_minibatches_split_a_permutation_into_nearly_equal_batches():
    X, Y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    (whole,) = training.minibatches(X, Y, None, True, np.random.default_rng(0))
    assert whole[0] is X and whole[1] is Y
    assert len(list(training.minibatches(X, Y, 10, True, np.random.default_rng(0)))) == 1
    batches = list(training.minibatches(X, Y, 4, True, np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [4, 3, 3]  # ceil(10 / 4) = 3 batches
    rows = np.concatenate([b[1] for b in batches])
    np.testing.assert_array_equal(rows, np.random.default_rng(0).permutation(10))
    for Xb, Yb in batches:
        np.testing.assert_array_equal(Xb[:, 0] / 2, Yb)  # rows stay paired
    ordered = list(training.minibatches(X, Y, 4, False, np.random.default_rng(0)))
    np.testing.assert_array_equal(np.concatenate([b[1] for b in ordered]), np.arange(10))


def test_history_properties_and_divergence_error():
    empty = History()
    assert empty.epochs_run == 0 and math.isnan(empty.final_loss)
    history = History(loss=[1.0, 0.5])
    assert history.epochs_run == 2 and history.final_loss == 0.5
    assert not history.diverged and history.diverged_at is None
    error = DivergenceError("boom", history)
    assert isinstance(error, FloatingPointError) and error.history is history
    assert str(error) == "boom"


# --- with an MLP ----------------------------------------------------------------------------------


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.standard_normal((n, 2)) * 0.7 + np.where(y[:, None] == 1, 1.5, -1.5)
    return X, y


def test_mlp_fit_is_training_fit():
    X, y = blobs(60)
    a, b = MLP([2, 5, 1], "tanh", seed=1), MLP([2, 5, 1], "tanh", seed=1)
    options = {"batch_size": 16, "clip": 1.0, "record_stats": True, "seed": 4}
    ha = a.fit(X, y, 3, 0.2, **options)
    hb = training.fit(b, X, y, 3, 0.2, **options)
    assert ha.loss == hb.loss and ha.grad_norm == hb.grad_norm
    # LayerStats hold nan fields: compare them with numpy, for which nan equals nan.
    np.testing.assert_equal(
        [[astuple(s) for s in row] for row in ha.stats],
        [[astuple(s) for s in row] for row in hb.stats],
    )
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa, pb)


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


def test_fit_step_is_gradient_descent(make_net, rel_err):
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
def test_fit_clipping(method, make_net, rel_err):
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


def test_fit_clips_with_the_same_functions():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    net = MLP([3, 5, 1], output_activation="linear", seed=0)
    dWs, dbs = net.gradients(X, Y)
    grads = [g for pair in zip(dWs, dbs) for g in pair]
    clipped, _ = clipping.clip_by_global_norm(grads, 0.1)
    expected = [p - 0.5 * g for p, g in zip(net.parameters(), clipped)]
    net.fit(X, Y, epochs=1, lr=0.5, clip=0.1)
    for p, e in zip(net.parameters(), expected):
        np.testing.assert_allclose(p, e, rtol=0, atol=1e-14)


def test_fit_records_layer_stats(binary_data):
    X, y = binary_data
    net = MLP([3, 4, 1], "relu", seed=0)
    history = net.fit(X, y, epochs=3, lr=0.1, record_stats=True)
    assert len(history.stats) == 3 and history.stats_epochs == [1, 2, 3]
    assert all(isinstance(s, layerstats.LayerStats) for epoch in history.stats for s in epoch)
    assert all(s.update_ratio > 0 for epoch in history.stats for s in epoch)  # lr is passed


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


def test_diverging_fit_emits_no_numpy_warning():
    X = np.ones((4, 2))
    net = MLP([2, 8, 8, 1], activation="linear", output_activation="linear", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning would fail here
        history = net.fit(X, np.ones(4), epochs=500, lr=10.0, on_divergence="stop")
    assert history.diverged


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"epochs": 0}, ValueError, r"`epochs` must be an int >= 1. Received: epochs=0"),
        ({"epochs": -2}, ValueError, r"`epochs`.*epochs=-2"),
        ({"epochs": 1.5}, TypeError, r"`epochs` must be an int >= 1.*1\.5"),
        ({"lr": 0}, ValueError, r"`lr` must be a positive number. Received: lr=0"),
        ({"lr": -0.1}, ValueError, r"`lr`.*lr=-0.1"),
        ({"lr": float("nan")}, ValueError, r"`lr`.*nan"),
        ({"lr": "0.1"}, TypeError, r"`lr`.*'0.1'"),
        ({"batch_size": 0}, ValueError, r"`batch_size` must be an int >= 1.*batch_size=0"),
        ({"batch_size": 2.0}, TypeError, r"`batch_size`"),
        ({"clip": 0}, ValueError, r"`clip` must be a positive number. Received: clip=0"),
        ({"clip": -1.0}, ValueError, r"`clip`.*clip=-1.0"),
        ({"clip_method": "l2"}, ValueError, r"`clip_method` must be one of.*clip_method='l2'"),
        ({"on_divergence": "ignore"}, ValueError, r"`on_divergence` must be one of 'raise'"),
        ({"stats_every": 0}, ValueError, r"`stats_every`.*stats_every=0"),
        ({"seed": "s"}, TypeError, r"`seed` must be a numpy Generator"),
    ],
)
def test_bad_fit_arguments(kwargs, exc, match, make_net):
    net, X, Y = make_net("relu", "sigmoid")
    args = {"epochs": 1, "lr": 0.1, **kwargs}
    before = [w.copy() for w in net.weights]
    with pytest.raises(exc, match=match):
        net.fit(X, Y, **args)
    for b, w in zip(before, net.weights):  # nothing was trained
        np.testing.assert_array_equal(b, w)


def test_bad_validation_data(make_net):
    net, X, Y = make_net("relu", "sigmoid")
    with pytest.raises(ValueError, match=r"`X_val` and `Y_val` must be given together"):
        net.fit(X, Y, epochs=1, lr=0.1, X_val=X)
    with pytest.raises(ValueError, match=r"`X` must have shape \(n, 4\)"):
        net.fit(X, Y, epochs=1, lr=0.1, X_val=X[:, :2], Y_val=Y)
    with pytest.raises(ValueError, match=r"`Y` must have shape \(16, 3\).*\(10, 3\)"):
        net.fit(X, Y, epochs=1, lr=0.1, X_val=X, Y_val=Y[:10])


# --- Adam, per-parameter learning rates, a target loss --------------------------------------------


def _adam_by_hand(X, y, steps, lr, scales=(1.0, 1.0), betas=(0.9, 0.999), eps=1e-8):
    """Adam on the linear regression, written out with nothing from the library."""
    w, c = np.zeros((3, 1)), np.zeros(1)
    state = [[np.zeros_like(w), np.zeros_like(w)], [np.zeros_like(c), np.zeros_like(c)]]
    for t in range(1, steps + 1):
        r = X @ w + c - y[:, None]
        grads = [X.T @ (2 * r / len(X)), np.array([2 * r.mean()])]
        for (param, (m, v)), g, s in zip(((w, state[0]), (c, state[1])), grads, scales):
            m[:] = betas[0] * m + (1 - betas[0]) * g
            v[:] = betas[1] * v + (1 - betas[1]) * g**2
            m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
            param -= lr * s * m_hat / (np.sqrt(v_hat) + eps)
    return w, c


def test_adam_steps_are_kingma_and_ba_algorithm_1():
    X, y = regression_data(n=50)
    model = LinearRegression(3)
    training.fit(model, X, y, epochs=7, lr=0.05, optimizer="adam", betas=(0.8, 0.99))
    w, c = _adam_by_hand(X, y, 7, 0.05, betas=(0.8, 0.99))
    np.testing.assert_allclose(model.w, w, rtol=1e-12)
    np.testing.assert_allclose(model.c, c, rtol=1e-12)


def test_adam_first_step_moves_every_entry_by_about_lr():
    # m̂ / √v̂ = g / |g| at t = 1: each entry moves by η (up to ε), whatever its gradient's size
    X, y = regression_data(n=50)
    model = LinearRegression(3)
    training.fit(model, X, y, epochs=1, lr=0.01, optimizer="adam")
    np.testing.assert_allclose(np.abs(model.w), 0.01, rtol=1e-5)


def test_lr_scales_give_each_parameter_array_its_own_learning_rate():
    X, y = regression_data(n=20)
    model = LinearRegression(3)
    training.fit(model, X, y, epochs=3, lr=0.05, lr_scales=[2.0, 0.5])
    w, c = np.zeros((3, 1)), np.zeros(1)
    for _ in range(3):
        r = X @ w + c - y[:, None]
        w -= 0.05 * 2.0 * (X.T @ (2 * r / 20))
        c -= 0.05 * 0.5 * np.array([2 * r.mean()])
    np.testing.assert_allclose(model.w, w, rtol=1e-13)
    np.testing.assert_allclose(model.c, c, rtol=1e-13)
    # with Adam too
    model = LinearRegression(3)
    training.fit(model, X, y, epochs=4, lr=0.05, optimizer="adam", lr_scales=[2.0, 0.5])
    w, c = _adam_by_hand(X, y, 4, 0.05, scales=(2.0, 0.5))
    np.testing.assert_allclose(model.w, w, rtol=1e-12)


def test_lr_scales_of_one_are_bit_for_bit_plain_sgd():
    X, y = regression_data(n=30)
    Y = (y > 0).astype(float)
    plain, scaled = MLP([3, 8, 1], seed=0), MLP([3, 8, 1], seed=0)
    plain.fit(X, Y, epochs=5, lr=0.3)
    scaled.fit(X, Y, epochs=5, lr=0.3, lr_scales=[1.0] * 4)
    assert all(np.array_equal(p, q) for p, q in zip(plain.parameters(), scaled.parameters()))


def test_lr_scales_accept_an_object_with_lr_scales():
    class Parametrization:
        lr_scales = (1.0, 0.0)  # a zero freezes the bias

    X, y = regression_data(n=20)
    model = LinearRegression(3)
    training.fit(model, X, y, epochs=3, lr=0.05, lr_scales=Parametrization())
    assert np.all(model.c == 0) and np.any(model.w != 0)


def test_target_loss_stops_at_the_first_epoch_that_reaches_it():
    X, y = regression_data()
    full = training.fit(LinearRegression(3), X, y, epochs=300, lr=0.1)
    target = 2 * full.final_loss
    first = next(k for k, loss in enumerate(full.loss, start=1) if loss <= target)
    stopped = training.fit(LinearRegression(3), X, y, epochs=300, lr=0.1, target_loss=target)
    assert stopped.epochs_run == first < 300
    assert stopped.loss == full.loss[:first]


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"optimizer": "rmsprop"}, ValueError, "optimizer"),
        ({"optimizer": "adam", "betas": (0.9, 1.0)}, ValueError, r"betas\[1\]"),
        ({"optimizer": "adam", "adam_eps": 0}, ValueError, "adam_eps"),
        ({"lr_scales": [1.0]}, ValueError, "lr_scales"),
        ({"lr_scales": 2.0}, TypeError, "lr_scales"),
        ({"lr_scales": [1.0, -1.0]}, ValueError, "lr_scales"),
        ({"target_loss": -1.0}, ValueError, "target_loss"),
    ],
)
def test_bad_optimizer_arguments_are_refused(kwargs, exc, match):
    X, y = regression_data(n=10)
    with pytest.raises(exc, match=match):
        training.fit(LinearRegression(3), X, y, epochs=1, lr=0.1, **kwargs)
