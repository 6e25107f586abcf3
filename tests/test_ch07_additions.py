"""Tests for the library additions of chapter 7 (gradient clipping)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from wtinit_lib import MLP, clipping, diagnostics, plotting  # noqa: E402
from wtinit_lib.network import History  # noqa: E402


def _grads() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 4)) * 10, rng.normal(size=4), rng.normal(size=(4, 1)) * 0.1]


def test_gradient_cosine_of_clipping_methods():
    grads = _grads()
    global_clipped, _ = clipping.clip_by_global_norm(grads, 1.0)
    assert diagnostics.gradient_cosine(grads, global_clipped) == pytest.approx(1.0, abs=1e-12)
    assert diagnostics.gradient_cosine(grads, clipping.clip_by_value(grads, 0.5)) < 0.999
    norm_clipped = clipping.clip_by_norm(grads, 1.0)
    assert np.allclose(diagnostics.per_tensor_cosines(grads, norm_clipped), 1.0, atol=1e-12)
    assert diagnostics.gradient_cosine(grads, norm_clipped) < 0.999


def test_gradient_cosine_matches_numpy_and_handles_zero():
    a, b = _grads(), [2.0 * g - 1.0 for g in _grads()]
    flat_a = np.concatenate([g.ravel() for g in a])
    flat_b = np.concatenate([g.ravel() for g in b])
    expected = flat_a @ flat_b / np.linalg.norm(flat_a) / np.linalg.norm(flat_b)
    assert diagnostics.gradient_cosine(a, b) == pytest.approx(expected, rel=1e-12)
    zero = [np.zeros_like(g) for g in a]
    assert np.isnan(diagnostics.gradient_cosine(a, zero))
    assert diagnostics.gradient_cosine(a, [-g for g in a]) == pytest.approx(-1.0)


def test_gradient_cosine_validates_arguments():
    with pytest.raises(TypeError, match="grads_a"):
        diagnostics.gradient_cosine(np.ones(3), [np.ones(3)])
    with pytest.raises(ValueError, match="same shapes"):
        diagnostics.gradient_cosine([np.ones(3)], [np.ones(4)])
    with pytest.raises(ValueError, match="same shapes"):
        diagnostics.per_tensor_cosines([np.ones(3)], [np.ones(3), np.ones(2)])


def test_gradient_norm_curves_accepts_histories_and_sequences():
    run = History(loss=[1.0, 2.0, float("nan")], grad_norm=[1.0, 1e3, float("nan")])
    fig = plotting.gradient_norm_curves({"diverged": run, "list": [0.5, 0.4, 0.3]}, clip=1.0)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.get_legend().get_texts()) == 3  # two runs and the threshold
    plt.close(fig)
    with pytest.raises(ValueError, match="clip"):
        plotting.gradient_norm_curves({"a": [1.0]}, clip=-1)
    with pytest.raises(TypeError, match="histories"):
        plotting.gradient_norm_curves({})


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


def test_tensor_norms_square_sum_is_the_global_norm():
    grads = _grads()
    norms = diagnostics.tensor_norms(grads)
    assert norms.shape == (3,)
    assert norms[1] == pytest.approx(np.linalg.norm(grads[1]))
    assert np.sqrt(np.sum(norms**2)) == pytest.approx(clipping.global_norm(grads))
    with pytest.raises(TypeError, match="grads"):
        diagnostics.tensor_norms([])
