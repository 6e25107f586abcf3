"""wtinit_lib.clipping equals TensorFlow's tf.clip_by_value, tf.clip_by_norm and
tf.clip_by_global_norm, and rejects bad limits."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from wtinit_lib import clipping

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


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
    with pytest.raises(TypeError, match=r"`grads` must be a list of arrays.*ndarray"):
        clipping.clip_by_value(np.ones(3), 1.0)
    with pytest.raises(TypeError, match=r"`grads` must be a list of arrays.*int"):
        clipping.global_norm(5)
