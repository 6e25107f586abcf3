"""wtinit_lib.clipping: every norm of the package, and clipping by value, by norm and by global
norm, equal to TensorFlow's tf.clip_by_value, tf.clip_by_norm and tf.clip_by_global_norm;
``clip(grads, limit, method)`` dispatches to them; bad limits and bad lists are rejected."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import clipping


def make_grads(scale, seed=0):
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal((5, 4)) * scale,
        rng.standard_normal(4) * scale * 0.1,
        rng.standard_normal((4, 3)) * scale * 3,
        rng.standard_normal(3) * scale,
    ]


LIMITS = [0.01, 0.5, 1.0, 100.0]


@pytest.mark.parametrize("limit", LIMITS)
def test_clip_by_value_equals_tf(tf, limit):
    grads = make_grads(1.0)
    ours = clipping.clip_by_value(grads, limit)
    for g, o in zip(grads, ours):
        np.testing.assert_array_equal(o, tf.clip_by_value(g, -limit, limit).numpy())


@pytest.mark.parametrize("max_norm", LIMITS)
def test_clip_by_norm_equals_tf(tf, max_norm):
    grads = make_grads(1.0)
    ours = clipping.clip_by_norm(grads, max_norm)
    for g, o in zip(grads, ours):
        np.testing.assert_allclose(o, tf.clip_by_norm(g, max_norm).numpy(), rtol=1e-14, atol=0)
        assert np.linalg.norm(o) <= max_norm * (1 + 1e-12) or np.array_equal(o, g)


@pytest.mark.parametrize("max_norm", LIMITS)
def test_clip_by_global_norm_equals_tf(tf, max_norm):
    grads = make_grads(1.0)
    ours, norm = clipping.clip_by_global_norm(grads, max_norm)
    theirs, their_norm = tf.clip_by_global_norm(grads, max_norm)
    assert norm == pytest.approx(float(their_norm), rel=1e-14)
    assert norm == pytest.approx(math.sqrt(sum(float(np.sum(g**2)) for g in grads)), rel=1e-14)
    assert clipping.global_norm(grads) == norm
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t.numpy(), rtol=1e-14, atol=0)
    # The direction of the whole gradient is kept.
    flat_o = np.concatenate([o.ravel() for o in ours])
    flat_g = np.concatenate([g.ravel() for g in grads])
    cos = flat_o @ flat_g / (np.linalg.norm(flat_o) * np.linalg.norm(flat_g))
    assert cos == pytest.approx(1.0, abs=1e-14)


def test_clipping_float32(tf):
    grads = [g.astype(np.float32) for g in make_grads(2.0)]
    ours, norm = clipping.clip_by_global_norm(grads, 1.0)
    theirs, their_norm = tf.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(float(their_norm), rel=1e-6)
    for o, t in zip(ours, theirs):
        assert o.dtype == np.float32
        np.testing.assert_allclose(o, t.numpy(), rtol=1e-6)
    for o, g in zip(clipping.clip_by_norm(grads, 0.5), grads):
        np.testing.assert_allclose(o, tf.clip_by_norm(g, 0.5).numpy(), rtol=1e-6)


def test_inputs_are_not_modified():
    grads = make_grads(10.0)
    before = [g.copy() for g in grads]
    for result in (
        clipping.clip_by_value(grads, 0.1),
        clipping.clip_by_norm(grads, 0.1),
        clipping.clip_by_norm(grads, 1e9),  # nothing to clip: still new arrays
        clipping.clip_by_global_norm(grads, 0.1)[0],
        clipping.clip_by_global_norm(grads, 1e9)[0],
    ):
        assert isinstance(result, list) and len(result) == len(grads)
        for r, g in zip(result, grads):
            assert r is not g
    for b, g in zip(before, grads):
        np.testing.assert_array_equal(b, g)


def test_value_clipping_changes_direction_norm_clipping_does_not():
    grads = [np.array([10.0, 0.1])]
    by_value = clipping.clip_by_value(grads, 1.0)[0]
    by_norm = clipping.clip_by_norm(grads, 1.0)[0]
    np.testing.assert_array_equal(by_value, [1.0, 0.1])
    np.testing.assert_allclose(by_norm, grads[0] / np.linalg.norm(grads[0]))


def test_zero_gradient():
    grads = [np.zeros((3, 2)), np.zeros(2)]
    clipped, norm = clipping.clip_by_global_norm(grads, 1.0)
    assert norm == 0.0 and all(np.all(c == 0) for c in clipped)
    assert all(np.all(c == 0) for c in clipping.clip_by_norm(grads, 1.0))


@pytest.mark.parametrize(
    "func, arg", [(clipping.clip_by_value, "limit"), (clipping.clip_by_norm, "max_norm")]
)
@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_bad_limits(func, arg, bad):
    with pytest.raises(ValueError, match=rf"Argument `{arg}` must be a positive number.*{arg}="):
        func(make_grads(1.0), bad)


@pytest.mark.parametrize("bad", [0, -0.5])
def test_bad_global_limit(bad):
    with pytest.raises(ValueError, match=rf"`max_norm` must be a positive number.*max_norm={bad}"):
        clipping.clip_by_global_norm(make_grads(1.0), bad)
    with pytest.raises(TypeError, match=r"`max_norm`.*'1'"):
        clipping.clip_by_global_norm(make_grads(1.0), "1")


def test_bad_grads_type():
    with pytest.raises(TypeError, match=r"`grads` must be a non-empty list of arrays.*ndarray"):
        clipping.clip_by_value(np.ones(3), 1.0)
    with pytest.raises(TypeError, match=r"`grads` must be a non-empty list of arrays.*int"):
        clipping.global_norm(5)
    for function in (clipping.clip_by_norm, clipping.clip_by_value):
        with pytest.raises(TypeError, match=r"`grads`.*ndarray"):
            function(np.ones((2, 2)), 1.0)


# --- norms --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "g", [np.array([3.0, 4.0]), np.arange(12.0).reshape(3, 4), np.ones((2, 3, 4, 5)), np.zeros(3)]
)
def test_norm_is_the_euclidean_norm_of_the_flattened_array(g):
    assert clipping.norm(g) == pytest.approx(np.linalg.norm(g.ravel()), rel=1e-15)
    assert isinstance(clipping.norm(g), float)
    assert clipping.norm(np.array([3.0, 4.0])) == 5.0
    assert clipping.norm(g.astype(np.float32)) == pytest.approx(np.linalg.norm(g), rel=1e-6)


def test_tensor_norms_square_sum_is_the_global_norm():
    grads = make_grads(1.0)
    norms = clipping.tensor_norms(grads)
    assert norms.shape == (4,)
    assert norms[1] == pytest.approx(np.linalg.norm(grads[1]))
    assert np.sqrt(np.sum(norms**2)) == pytest.approx(clipping.global_norm(grads))
    with pytest.raises(TypeError, match="grads"):
        clipping.tensor_norms([])


# --- clip(grads, limit, method) -------------------------------------------------------------------


def test_methods_are_the_three_ways_to_clip():
    assert clipping.METHODS == ("global_norm", "norm", "value")


@pytest.mark.parametrize("limit", LIMITS)
def test_clip_dispatches_to_the_function_of_each_method(limit):
    grads = make_grads(3.0)
    expected = {
        "global_norm": clipping.clip_by_global_norm(grads, limit)[0],
        "norm": clipping.clip_by_norm(grads, limit),
        "value": clipping.clip_by_value(grads, limit),
    }
    for method in clipping.METHODS:
        clipped = clipping.clip(grads, limit, method)
        assert isinstance(clipped, list) and len(clipped) == len(grads)
        for c, e in zip(clipped, expected[method]):
            np.testing.assert_array_equal(c, e)
    # The three really differ here (3 x larger gradients than the smallest limits).
    if limit < 1.0:
        first = [clipping.clip(grads, limit, m)[0] for m in clipping.METHODS]
        assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[1], first[2])


def test_clip_rejects_an_unknown_method_and_a_bad_limit():
    with pytest.raises(ValueError, match=r"`clip_method` must be one of 'global_norm'.*'l2'"):
        clipping.clip(make_grads(1.0), 1.0, "l2")
    with pytest.raises(ValueError, match=r"`limit`.*limit=0"):
        clipping.clip(make_grads(1.0), 0, "value")
    with pytest.raises(ValueError, match=r"`max_norm`.*max_norm=-1"):
        clipping.clip(make_grads(1.0), -1, "norm")
