"""Measures on arrays: how far apart, how aligned, how alike, how many directions, how separable.

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
from wtinit_lib._checks import (
    check_in_interval,
    check_int,
    check_same_shapes,
    check_tensor_list,
)

__all__ = [
    "best_line_accuracy",
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
    "unit_spreads",
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


def unit_spreads(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> np.ndarray:
    """For each hidden layer, the largest difference between two of its units (length ``L - 1``).

    Unit ``j`` of hidden layer ``ℓ`` is described by its incoming weights (column ``j`` of
    ``W^ℓ``), its bias ``b^ℓ_j`` and its outgoing weights (row ``j`` of ``W^{ℓ+1}``); entry
    ``ℓ - 1`` of the result is the :func:`max_pairwise_unit_difference` over all three. It is 0
    exactly when the layer is copies of one unit, which gradient descent keeps so forever when it
    starts so (a constant initialization): every unit gets the same gradient.

    Args:
        weights: the kernels ``W^1 .. W^L``, ``W^ℓ`` of shape ``(n_{ℓ-1}, n_ℓ)`` (a network's
            ``weights``).
        biases: the bias vectors ``b^1 .. b^L``, ``b^ℓ`` of shape ``(n_ℓ,)``.
    """
    W = check_tensor_list("weights", weights, np.float64)
    b = check_tensor_list("biases", biases, np.float64)
    shapes_ok = len(W) == len(b) and len(W) >= 2 and all(w.ndim == 2 for w in W)
    shapes_ok = (
        shapes_ok
        and all(v.shape == (w.shape[1],) for w, v in zip(W, b))
        and all(W[i].shape[1] == W[i + 1].shape[0] for i in range(len(W) - 1))
    )
    if not shapes_ok:
        raise ValueError(
            "Arguments `weights` and `biases` must be the kernels (n_in, n_out) and bias vectors "
            "(n_out,) of at least two consecutive layers. Received: weights shapes "
            f"{[w.shape for w in W]}, biases shapes {[v.shape for v in b]}"
        )
    return np.array(
        [
            max(
                max_pairwise_unit_difference(W[i]),
                max_pairwise_unit_difference(b[i]),
                max_pairwise_unit_difference(W[i + 1].T),
            )
            for i in range(len(W) - 1)
        ]
    )


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
    """The mean cosine between two different rows (examples) of ``A``, over all pairs ``i ≠ j``.

    With ``u_i = a_i / ||a_i||``, the sum over ordered pairs is ``Σ_{i≠j} u_i·u_j = ||Σ_i u_i||²
    - m`` (the ``m`` diagonal terms are 1), so the mean is ``(||Σ_i u_i||² - m) / (m (m - 1))``,
    computed without the ``m × m`` matrix. 1 when every example has the same direction, about 0
    for independent zero-mean inputs. Rows that are all zeros have no direction and are left
    out; ``nan`` when fewer than two rows remain.
    """
    array = np.asarray(A, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            "Argument `A` must be a non-empty (examples, units) array. "
            f"Received: shape {array.shape}"
        )
    norms = np.linalg.norm(array, axis=1)
    keep = norms > 0
    m = int(keep.sum())
    if m < 2:
        return math.nan
    total = (array[keep] / norms[keep, None]).sum(axis=0)
    return float((total @ total - m) / (m * (m - 1)))


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


def best_line_accuracy(X: np.ndarray, y: np.ndarray, num_directions: int = 720) -> float:
    """The best accuracy of a straight line on 2-D points: ``max`` over lines of the share of
    points on their class's side (either class may take either side).

    A line is a direction ``u = (cos θ, sin θ)`` and an offset: points with ``x · u`` below the
    offset get one class, the rest the other. For each of ``num_directions`` angles ``θ`` evenly
    spaced in ``[0, π)`` every offset is tried (the points sorted along ``u``, a cut between
    each two neighbours). The result is a lower bound on the best line that becomes exact once
    the angles are fine enough to fall between the directions at which two points swap order.
    """
    points = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] != labels.size:
        raise ValueError(
            "Arguments `X` and `y` must be n points of shape (n, 2) and n labels. Received: "
            f"X.shape={points.shape}, y.shape={np.shape(y)}"
        )
    if points.shape[0] == 0 or not np.all(np.isin(labels, (0, 1))):
        raise ValueError(f"Argument `y` must hold labels 0 and 1. Received: y={labels!r:.80}")
    num_directions = check_int("num_directions", num_directions)
    angles = np.linspace(0.0, np.pi, num_directions, endpoint=False)
    along = points @ np.stack([np.cos(angles), np.sin(angles)])  # (n, directions)
    sorted_labels = labels[np.argsort(along, axis=0, kind="stable")]
    n, ones = labels.size, int(labels.sum())
    # a cut after the first j points, class 0 below it: j - (ones below) + (ones above) right
    ones_below = np.vstack([np.zeros((1, num_directions)), np.cumsum(sorted_labels, axis=0)])
    right = np.arange(n + 1)[:, None] - 2 * ones_below + ones
    return float(np.max(np.maximum(right, n - right)) / n)
