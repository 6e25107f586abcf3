"""wtinit_lib.measures: numbers computed from arrays (no network is run here).

How far apart two arrays are (``relative_error``), how identical a layer's units are
(``max_pairwise_unit_difference``), how many units are silent (``silent_unit_fraction``), how
aligned two gradients are (``cosine``, ``gradient_cosine``, ``per_tensor_cosines``: clipping by
global norm keeps the direction, by value or per tensor it does not), and how many directions a
layer uses (``singular_value_ratios``, ``effective_rank``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import MLP, clipping, measures


def _grads() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 4)) * 10, rng.normal(size=4), rng.normal(size=(4, 1)) * 0.1]


# --- distances ------------------------------------------------------------------------------------


def test_relative_error():
    assert measures.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert measures.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert measures.relative_error([1.0, 4.0], [1.0, 3.0]) == pytest.approx(0.25)
    assert measures.relative_error(np.zeros((0,)), np.zeros((0,))) == 0.0


def test_relative_error_scales_by_the_largest_entry_not_entry_by_entry():
    # An entry near 0 that is off by 1e-12 does not dominate: the scale is max(|a|, |b|) = 2.
    assert measures.relative_error([2.0, 1e-14], [2.0, 1e-12]) == pytest.approx(0.99e-12 / 2)


def test_rms_is_the_root_mean_square():
    assert measures.rms(np.array([3.0, -4.0])) == pytest.approx(math.sqrt(12.5))
    assert measures.rms(np.full((2, 3), -2.0)) == 2.0  # unlike a std, not 0 for a constant
    assert isinstance(measures.rms(np.ones(3)), float)


# --- identical and silent units ---------------------------------------------------------------


def test_max_pairwise_unit_difference():
    assert measures.max_pairwise_unit_difference(np.zeros((3, 4))) == 0.0
    W = np.array([[1.0, 1.0, 3.0], [0.0, -2.0, 0.0]])
    assert measures.max_pairwise_unit_difference(W) == 2.0
    assert measures.max_pairwise_unit_difference(np.array([0.5, -0.5])) == 1.0
    assert measures.max_pairwise_unit_difference(np.ones((5, 1))) == 0.0


def test_zero_init_keeps_units_identical(binary_data):
    X, y = binary_data
    net = MLP([3, 5, 1], "tanh", weight_init="zeros")
    net.fit(X, y, epochs=20, lr=0.5)
    assert measures.max_pairwise_unit_difference(net.weights[0]) == 0.0


def test_silent_unit_fraction_counts_columns_that_are_zero_on_every_row():
    A = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.5, 0.0, 0.0]])
    assert measures.silent_unit_fraction(A) == 0.5  # columns 0 and 3
    assert measures.silent_unit_fraction(np.zeros((4, 3))) == 1.0
    assert measures.silent_unit_fraction(np.ones((1, 3))) == 0.0
    mask = np.array([[True, False], [True, False]])  # a ReLU derivative: bool works too
    assert measures.silent_unit_fraction(mask) == 0.5
    assert isinstance(measures.silent_unit_fraction(A), float)


def test_silent_unit_fraction_of_relu_is_the_dead_units():
    X = np.abs(np.random.default_rng(0).standard_normal((20, 2)))  # positive inputs
    W = np.ones((2, 4))
    W[:, 1] = -1.0  # units 2 and 4 only see negative pre-activations
    W[:, 3] = -1.0
    assert measures.silent_unit_fraction(np.maximum(X @ W, 0.0)) == 0.5


@pytest.mark.parametrize(
    "values, match",
    [(np.zeros(3), r"\(3,\)"), (np.zeros((0, 3)), r"\(0, 3\)"), (np.zeros((2, 2, 2)), "2, 2, 2")],
)
def test_silent_unit_fraction_needs_an_examples_by_units_array(values, match):
    with pytest.raises(ValueError, match=r"`values` must be a non-empty \(examples, units\).*"):
        measures.silent_unit_fraction(values)
    with pytest.raises(ValueError, match=match):
        measures.silent_unit_fraction(values)


# --- directions -----------------------------------------------------------------------------------


def test_cosine_of_two_arrays():
    a = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert measures.cosine(a, 3.0 * a) == pytest.approx(1.0)
    assert measures.cosine(a, -a) == pytest.approx(-1.0)
    assert measures.cosine(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == 0.0
    assert math.isnan(measures.cosine(a, np.zeros_like(a)))


def test_mean_pairwise_cosine_matches_a_loop_over_pairs():
    A = np.random.default_rng(0).standard_normal((7, 5)) + 0.5
    A[3] = 0.0  # an all-zero row has no direction: left out
    rows = [a for a in A if np.any(a)]
    pairs = [
        measures.cosine(a, b) for i, a in enumerate(rows) for j, b in enumerate(rows) if i != j
    ]
    assert measures.mean_pairwise_cosine(A) == pytest.approx(np.mean(pairs), rel=1e-12)
    assert measures.mean_pairwise_cosine(np.ones((4, 3)) * [[1], [2], [3], [4]]) == pytest.approx(1)
    assert measures.mean_pairwise_cosine(np.eye(3)) == pytest.approx(0, abs=1e-15)
    assert math.isnan(measures.mean_pairwise_cosine(np.zeros((3, 2))))
    with pytest.raises(ValueError, match="`A`"):
        measures.mean_pairwise_cosine(np.ones(3))


def test_gradient_cosine_of_clipping_methods():
    grads = _grads()
    global_clipped, _ = clipping.clip_by_global_norm(grads, 1.0)
    assert measures.gradient_cosine(grads, global_clipped) == pytest.approx(1.0, abs=1e-12)
    assert measures.gradient_cosine(grads, clipping.clip_by_value(grads, 0.5)) < 0.999
    norm_clipped = clipping.clip_by_norm(grads, 1.0)
    assert np.allclose(measures.per_tensor_cosines(grads, norm_clipped), 1.0, atol=1e-12)
    assert measures.gradient_cosine(grads, norm_clipped) < 0.999


def test_gradient_cosine_matches_numpy_and_handles_zero():
    a, b = _grads(), [2.0 * g - 1.0 for g in _grads()]
    flat_a = np.concatenate([g.ravel() for g in a])
    flat_b = np.concatenate([g.ravel() for g in b])
    expected = flat_a @ flat_b / np.linalg.norm(flat_a) / np.linalg.norm(flat_b)
    assert measures.gradient_cosine(a, b) == pytest.approx(expected, rel=1e-12)
    zero = [np.zeros_like(g) for g in a]
    assert np.isnan(measures.gradient_cosine(a, zero))
    assert measures.gradient_cosine(a, [-g for g in a]) == pytest.approx(-1.0)
    assert np.isnan(measures.per_tensor_cosines(a, [a[0], np.zeros(4), a[2]])[1])


def test_gradient_cosine_validates_arguments():
    with pytest.raises(TypeError, match="grads_a"):
        measures.gradient_cosine(np.ones(3), [np.ones(3)])
    with pytest.raises(ValueError, match="same shapes"):
        measures.gradient_cosine([np.ones(3)], [np.ones(4)])
    with pytest.raises(ValueError, match="same shapes"):
        measures.per_tensor_cosines([np.ones(3)], [np.ones(3), np.ones(2)])


# --- rank -----------------------------------------------------------------------------------------


def test_singular_value_ratios_and_effective_rank():
    u, v = np.arange(1.0, 4.0), np.array([1.0, -2.0, 0.5, 3.0])
    rank_one = np.outer(u, v)
    ratios = measures.singular_value_ratios(rank_one)
    assert ratios[0] == 1.0 and np.all(ratios[1:] < 1e-12)
    assert measures.effective_rank(rank_one) == 1
    assert measures.effective_rank(np.eye(3)) == 3
    assert measures.effective_rank(np.zeros((3, 2))) == 0
    with pytest.raises(ValueError, match="rtol"):
        measures.effective_rank(np.eye(2), rtol=0)
    with pytest.raises(ValueError, match="2-D"):
        measures.singular_value_ratios(np.ones(3))


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: measures.max_pairwise_unit_difference(np.zeros((2, 2, 2))),
            ValueError,
            r"`W`.*1-D or 2-D.*\(2, 2, 2\)",
        ),
        (
            lambda: measures.max_pairwise_unit_difference(np.zeros((0, 3))),
            ValueError,
            r"`W`.*non-empty",
        ),
        (
            lambda: measures.relative_error(np.zeros(2), np.zeros(3)),
            ValueError,
            r"`a` and `b`.*same shape.*\(2,\).*\(3,\)",
        ),
        (lambda: measures.effective_rank(np.eye(2), rtol="0.1"), TypeError, r"`rtol`"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
