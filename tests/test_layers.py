"""wtinit_lib.layers: the dense layer's forward pass and its three gradients against fourth-order
central finite differences; the fast path without dA, writing dW into a given array."""

from __future__ import annotations

import numpy as np

from wtinit_lib import layers


def fd(f, array, h=1e-4):
    """Fourth-order central differences of the scalar f() with respect to every entry of array."""
    grad = np.zeros(array.shape)
    for idx in np.ndindex(array.shape):
        original = array[idx]
        values = []
        for k in (2, 1, -1, -2):
            array[idx] = original + k * h
            values.append(f())
        array[idx] = original
        grad[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
    return grad


def test_dense_layer_forward_and_backward():
    rng = np.random.default_rng(2)
    A, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    G = rng.normal(size=(6, 3))
    np.testing.assert_allclose(layers.dense_forward(A, W, b), A @ W + b, rtol=1e-15)
    dW, db, dA = layers.dense_backward(G, A, W)
    loss = lambda: float(np.sum(G * layers.dense_forward(A, W, b)))  # noqa: E731
    for analytic, array in ((dW, W), (db, b), (dA, A)):
        np.testing.assert_allclose(analytic, fd(loss, array), rtol=1e-9, atol=1e-10)
    out = np.empty((4, 3))
    dW2, _, none = layers.dense_backward(G, A, W, need_dA=False, dW_out=out)
    assert none is None and dW2 is out
    np.testing.assert_array_equal(out, dW)
