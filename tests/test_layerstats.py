"""wtinit_lib.layerstats: the per-layer record of one forward and backward pass.

``stats_from_pass`` fills one :class:`LayerStats` per layer from the lists a pass computes
(``Zs``, ``As``, the weights and, optionally, ``dWs``, ``dAs`` and ``lr``); ``saturated_fraction``
counts the flat tails of tanh and sigmoid with one threshold; ``per_layer`` reads one field
across layers and ``stat_series`` one field across training.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from wtinit_lib import MLP, diagnostics, layerstats
from wtinit_lib.layerstats import LayerStats


def _data(n=64, d=3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    return X, (X[:, :1] > 0).astype(float)


def dead_fraction(A):
    """Units (columns) that are 0 for every example (row), computed here by hand."""
    return float(np.mean(np.all(A == 0, axis=0)))


# --- LayerStats and stats_from_pass -----------------------------------------------------------


def test_layer_stats_is_a_frozen_record_of_the_documented_fields():
    names = [f.name for f in dataclasses.fields(LayerStats)]
    assert names[0] == "layer" and tuple(names) == layerstats.FIELDS
    assert {"pre_std", "act_std", "saturated", "dead", "grad_std", "update_ratio"} <= set(names)
    stats = layerstats.stats_from_pass(
        "relu", "linear", [np.ones((2, 2))], [np.ones((2, 2))] * 2, [np.eye(2)]
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats[0].pre_std = 1.0


def test_stats_from_pass_reads_the_lists_of_a_backprop(binary_data):
    X, _ = binary_data
    net = MLP([3, 4, 2], "sigmoid", output_activation="softmax", seed=0)
    bp = net.backprop(X, np.eye(2)[(X[:, 0] > 0).astype(int)])
    stats = layerstats.stats_from_pass(
        "sigmoid", "softmax", bp.Zs, bp.As, net.weights, bp.dWs, bp.dAs, lr=0.5
    )
    assert len(stats) == 2 and [s.layer for s in stats] == [1, 2]
    assert math.isnan(stats[1].saturated)  # softmax: not measured
    assert stats[0].saturated == pytest.approx(np.mean((bp.As[1] < 0.03) | (bp.As[1] > 0.97)))
    assert stats[0].grad_std == pytest.approx(bp.dWs[0].std())
    assert stats[0].act_grad_std == pytest.approx(bp.dAs[1].std())
    assert stats[0].update_ratio == pytest.approx(0.5 * bp.dWs[0].std() / net.weights[0].std())
    assert all(isinstance(getattr(s, f), float) for s in stats for f in layerstats.FIELDS[1:])


def test_stats_from_pass_without_gradients_leaves_the_gradient_fields_nan():
    rng = np.random.default_rng(1)
    X, W = rng.standard_normal((20, 3)), rng.standard_normal((3, 5))
    Z = X @ W
    stats = layerstats.stats_from_pass("relu", "relu", [Z], [X, np.maximum(Z, 0)], [W])
    (s,) = stats
    assert s.pre_mean == pytest.approx(Z.mean()) and s.pre_std == pytest.approx(Z.std())
    assert s.act_std == pytest.approx(np.maximum(Z, 0).std())
    assert s.weight_std == pytest.approx(W.std())
    assert s.dead == dead_fraction(np.maximum(Z, 0))  # the output activation is relu here
    for field in ("grad_mean", "grad_std", "grad_norm", "act_grad_std", "update_ratio"):
        assert math.isnan(getattr(s, field)), field


def test_update_ratio_is_inf_for_zero_weights_with_a_gradient_and_nan_without_one():
    Z, A, W = np.ones((2, 2)), np.ones((2, 2)), np.zeros((2, 2))
    moving = layerstats.stats_from_pass(
        "linear", "linear", [Z], [A, A], [W], [np.array([[1.0, -1.0], [0.0, 2.0]])], None, 0.1
    )
    assert moving[0].update_ratio == math.inf
    still = layerstats.stats_from_pass(
        "linear", "linear", [Z], [A, A], [W], [np.zeros((2, 2))], None, 0.1
    )
    assert math.isnan(still[0].update_ratio)


def test_stats_from_pass_checks_the_lengths_and_the_learning_rate():
    Z, A, W = np.ones((2, 2)), np.ones((2, 2)), np.eye(2)
    with pytest.raises(ValueError, match=r"len\(As\) == len\(Zs\) \+ 1.*len\(As\)=1"):
        layerstats.stats_from_pass("relu", "linear", [Z], [A], [W])
    with pytest.raises(ValueError, match=r"len\(weights\)=2"):
        layerstats.stats_from_pass("relu", "linear", [Z], [A, A], [W, W])
    with pytest.raises(ValueError, match=r"`lr` must be a positive number.*lr=0"):
        layerstats.stats_from_pass("relu", "linear", [Z], [A, A], [W], lr=0)


# --- saturation -------------------------------------------------------------------------------


def test_saturated_fraction_counts_the_flat_tails_with_one_threshold():
    assert layerstats.SATURATION_THRESHOLD == 0.97
    tanh = np.array([-0.99, -0.97, 0.0, 0.5, 0.971, 1.0])
    assert layerstats.saturated_fraction("tanh", tanh) == pytest.approx(3 / 6)  # 0.97 is not
    sigmoid = np.array([0.01, 0.031, 0.5, 0.969, 0.98, 0.999])
    assert layerstats.saturated_fraction("sigmoid", sigmoid) == pytest.approx(3 / 6)
    assert isinstance(layerstats.saturated_fraction("tanh", tanh), float)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear", "softmax"])
def test_saturated_fraction_is_nan_for_activations_without_flat_tails(activation):
    assert math.isnan(layerstats.saturated_fraction(activation, np.full((3, 3), 0.999)))


# --- per_layer --------------------------------------------------------------------------------


def test_per_layer_reads_one_field_of_every_layer():
    X, Y = _data()
    net = MLP([3, 6, 5, 1], "tanh", seed=2)
    stats = diagnostics.layer_stats(net, X, Y)
    Zs, As = net.forward_trace(X)
    pre = layerstats.per_layer(stats, "pre_std")
    assert pre.dtype == np.float64 and pre.shape == (3,)
    np.testing.assert_allclose(pre, [Z.std() for Z in Zs])
    np.testing.assert_allclose(layerstats.per_layer(stats, "act_std"), [A.std() for A in As[1:]])
    dWs, _ = net.gradients(X, Y)
    np.testing.assert_allclose(layerstats.per_layer(stats, "grad_std"), [d.std() for d in dWs])
    assert layerstats.per_layer(tuple(stats), "grad_norm").shape == (3,)


def test_per_layer_rejects_an_unknown_field_and_anything_but_a_list_of_layer_stats():
    X, Y = _data()
    stats = diagnostics.layer_stats(MLP([3, 4, 1], seed=0), X, Y)
    with pytest.raises(ValueError, match=r"`field` must be one of 'pre_mean'.*field='std'"):
        layerstats.per_layer(stats, "std")
    with pytest.raises(ValueError, match=r"`field`.*field='layer'"):
        layerstats.per_layer(stats, "layer")  # the index, not a statistic
    with pytest.raises(TypeError, match=r"`stats`.*LayerStats"):
        layerstats.per_layer([1, 2], "act_std")
    with pytest.raises(TypeError, match=r"`stats`.*LayerStats"):
        layerstats.per_layer(stats[0], "act_std")  # one layer, not a list


# --- stat_series ------------------------------------------------------------------------------


def test_stat_series_shapes_and_values():
    X, Y = _data()
    net = MLP([3, 5, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, Y, epochs=6, lr=0.1, record_stats=True, stats_every=2)
    epochs, values = layerstats.stat_series(history, "act_mean")
    np.testing.assert_array_equal(epochs, [1, 3, 5])
    assert values.shape == (3, 3)
    assert values[1, 0] == history.stats[1][0].act_mean


def test_stat_series_rejects_bad_arguments():
    X, Y = _data()
    net = MLP([3, 4, 1], seed=0)
    history = net.fit(X, Y, epochs=2, lr=0.1)
    with pytest.raises(ValueError, match="record_stats"):
        layerstats.stat_series(history, "act_mean")
    history = net.fit(X, Y, epochs=2, lr=0.1, record_stats=True)
    with pytest.raises(ValueError, match="field"):
        layerstats.stat_series(history, "no_such_field")
