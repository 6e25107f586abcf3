"""Measures on arrays: how far apart, how aligned, how many directions, how many units silent.

Every function here takes arrays (weights, gradients, activations) and returns numbers; none runs
a network (the probes that do are in :mod:`wtinit_lib.diagnostics`). Activations and
pre-activations are ``(examples, units)``; a kernel ``W`` is ``(fan_in, fan_out)``, so a column
``W[:, j]`` holds unit ``j``'s incoming weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from wtinit_lib import clipping
from wtinit_lib._checks import check_in_interval, check_same_shapes, check_tensor_list

__all__ = [
    "cosine",
    "effective_rank",
    "gradient_cosine",
    "max_pairwise_unit_difference",
    "mean_pairwise_cosine",
    "per_tensor_cosines",
    "relative_error",
    "rms",
    "singular_value_ratios",
    "silent_unit_fraction",
]


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max|a - b| / max(max|a|, max|b|)``: the largest difference relative to the larger scale.

    Scaling by the largest entry (the infinity norm), not entry by entry, keeps the number
    meaningful when some entries are near 0 (where finite differences are all rounding noise).
    Returns 0 when both arrays are all zeros; shapes must be equal.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"Arguments `a` and `b` must have the same shape. Received: a.shape={a.shape}, "
            f"b.shape={b.shape}"
        )
    if a.size == 0:
        return 0.0
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)))
    if scale == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / scale)


def rms(values: np.ndarray) -> float:
    """``sqrt(mean(values²))``: unlike a standard deviation, meaningful for a single unit."""
    return float(np.sqrt(np.mean(np.square(values))))


def max_pairwise_unit_difference(W: np.ndarray) -> float:
    """``max over j, k of max_i |W[i, j] - W[i, k]|``: 0 exactly when all units (columns) are equal.

    A 1-D array (a bias vector) counts each entry as a unit. Zero initialization keeps this at 0
    forever: all units of a layer get the same gradient, so the layer acts like a single unit.
    """
    array = np.asarray(W)
    if array.ndim not in (1, 2) or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(
            "Argument `W` must be a non-empty numeric 1-D or 2-D array. "
            f"Received: W with shape {array.shape} and dtype {array.dtype}"
        )
    rows = array.reshape(1, -1) if array.ndim == 1 else array
    return float(np.max(rows.max(axis=1) - rows.min(axis=1)))


def silent_unit_fraction(values: np.ndarray) -> float:
    """The fraction of units (columns) that are exactly 0 for every example (row).

    Applied to ReLU activations it counts the *dead* units: a unit whose output is 0 on every
    example has derivative 0 on every example, so no gradient reaches its incoming weights.
    Applied to an activation's derivative ``g'(Z)`` it counts the units that pass no gradient.
    """
    array = np.asarray(values)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            "Argument `values` must be a non-empty (examples, units) array. "
            f"Received: shape {array.shape}"
        )
    return float(np.mean(np.all(array == 0, axis=0)))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """``<a, b> / (||a|| ||b||)`` of two arrays taken as vectors (``nan`` if one is all zeros)."""
    denominator = clipping.norm(a) * clipping.norm(b)
    return float(np.vdot(a, b)) / denominator if denominator > 0 else math.nan


def mean_pairwise_cosine(A: np.ndarray) -> float:
    """The mean cosine between the rows of ``A`` (examples), over all pairs of different rows.

    ``(1 / (m (m - 1))) Σ_{i ≠ j} <a_i, a_j> / (||a_i|| ||a_j||)`` for the ``m`` rows ``a_i`` of
    an ``(examples, units)`` array: 1 when every example is mapped to the same direction, about 0
    for unrelated directions. Rows that are all zeros are left out (their direction is undefined).
    """
    array = np.asarray(A, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"Argument `A` must be an (examples, units) array. Received: shape {array.shape}"
        )
    norms = np.linalg.norm(array, axis=1)
    unit = array[norms > 0] / norms[norms > 0, None]
    m = unit.shape[0]
    if m < 2:
        return math.nan
    total = np.sum(unit.sum(axis=0) ** 2) - m  # Σ_{i,j} <u_i, u_j> minus the m diagonal terms
    return float(total / (m * (m - 1)))


def gradient_cosine(grads_a: Sequence[np.ndarray], grads_b: Sequence[np.ndarray]) -> float:
    """Cosine of the angle between two gradients, each a list of arrays taken as one vector.

    Every tensor is flattened and the lists are concatenated, so it compares the direction of
    the whole update (1: same direction; ``nan`` if one is 0). Clipping by global norm leaves it
    at 1; clipping each tensor by its own norm or each entry by value generally does not
    (Pascanu, Mikolov & Bengio 2013).
    """
    a = check_tensor_list("grads_a", grads_a, np.float64)
    b = check_tensor_list("grads_b", grads_b, np.float64)
    check_same_shapes(("grads_a", "grads_b"), a, b)
    return cosine(np.concatenate([x.ravel() for x in a]), np.concatenate([y.ravel() for y in b]))


def per_tensor_cosines(grads_a: Sequence[np.ndarray], grads_b: Sequence[np.ndarray]) -> np.ndarray:
    """``cos(g_a[t], g_b[t])`` for each tensor ``t`` on its own (array of ``len(grads_a)``).

    Clipping each tensor by its norm keeps every one of these at 1 while the cosine of the whole
    gradient (:func:`gradient_cosine`) drops: the tensors are shortened by different factors.
    ``nan`` where a tensor is all zeros.
    """
    a = check_tensor_list("grads_a", grads_a, np.float64)
    b = check_tensor_list("grads_b", grads_b, np.float64)
    check_same_shapes(("grads_a", "grads_b"), a, b)
    return np.array([cosine(x.ravel(), y.ravel()) for x, y in zip(a, b)])


def singular_value_ratios(W: np.ndarray) -> np.ndarray:
    """``s_k / s_1`` for the singular values of ``W`` in decreasing order (``s_1`` the largest).

    A layer whose units (columns) all point in one direction, each a multiple of the same
    vector, has rank 1: ``[1, 0, 0, ...]``. All zeros for an all-zero ``W``.
    """
    array = np.asarray(W, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"Argument `W` must be a non-empty 2-D array. Received: W with shape {array.shape}"
        )
    s = np.linalg.svd(array, compute_uv=False)
    return s / s[0] if s[0] > 0 else np.zeros_like(s)


def effective_rank(W: np.ndarray, rtol: float = 1e-6) -> int:
    """Number of singular values of ``W`` above ``rtol`` times the largest (0 for ``W = 0``).

    It counts the independent directions a layer's units look along: ``W`` of rank 1 means every
    unit computes a function of the same projection of its input.
    """
    rtol = check_in_interval("rtol", rtol, 0.0, 1.0)
    return int(np.sum(singular_value_ratios(W) > rtol))
