"""Gradient norms and gradient clipping: by value, by norm (each tensor on its own), by global norm.

Every norm of the package is computed here. ``grads`` is always a list of arrays (e.g.
``[dW1, db1, dW2, db2]``) and a new list is returned; the inputs are not modified. The three
clipping functions match TensorFlow's ``tf.clip_by_value``, ``tf.clip_by_norm`` and
``tf.clip_by_global_norm``.

Clipping by value changes the direction of the gradient whenever some entries are cut and others
are not; clipping by (global) norm only shortens it (Pascanu, Mikolov & Bengio 2013).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from wtinit_lib._checks import check_choice, check_positive, check_tensor_list

__all__ = [
    "METHODS",
    "clip",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "global_norm",
    "norm",
    "tensor_norms",
]

#: The ways to clip, as ``MLP.fit(clip_method=...)`` names them.
METHODS = ("global_norm", "norm", "value")


def norm(g: np.ndarray) -> float:
    """``||g||``: the Euclidean (Frobenius) norm of one array, ``sqrt(Σ g_i²)``."""
    return math.sqrt(float(np.vdot(g, g)))


def tensor_norms(grads: Sequence[np.ndarray]) -> np.ndarray:
    """``||g_t||`` of each array of a list such as ``[dW1, db1, dW2, ...]``; their root sum of
    squares is :func:`global_norm`."""
    return np.array([norm(g) for g in check_tensor_list("grads", grads)])


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """``sqrt(Σ_t ||g_t||²)``: the Euclidean norm of all gradients stacked into one vector."""
    return math.sqrt(sum([float(np.vdot(g, g)) for g in check_tensor_list("grads", grads)]))


def clip_by_value(grads: Sequence[np.ndarray], limit: float) -> list[np.ndarray]:
    """Cut every entry to ``[-limit, limit]``. Changes the gradient's direction."""
    limit = check_positive("limit", limit)
    return [np.clip(g, -limit, limit) for g in check_tensor_list("grads", grads)]


def clip_by_norm(grads: Sequence[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Rescale each tensor on its own to ``||g_t|| <= max_norm``: ``g_t · max_norm / ||g_t||``."""
    max_norm = check_positive("max_norm", max_norm)
    grads = check_tensor_list("grads", grads)
    return [g * (max_norm / n) if (n := norm(g)) > max_norm else g.copy() for g in grads]


def clip_by_global_norm(
    grads: Sequence[np.ndarray], max_norm: float
) -> tuple[list[np.ndarray], float]:
    """Rescale all tensors by one factor ``max_norm / max(global_norm, max_norm)``.

    Returns ``(clipped, global_norm)`` like ``tf.clip_by_global_norm``; the direction of the whole
    gradient is kept.
    """
    max_norm = check_positive("max_norm", max_norm)
    grads = check_tensor_list("grads", grads)
    total = global_norm(grads)
    factor = max_norm / max(total, max_norm)
    return [g * factor for g in grads], total


def clip(grads: Sequence[np.ndarray], limit: float, method: str) -> list[np.ndarray]:
    """Clip with one of ``METHODS`` (``limit`` is the threshold of that method)."""
    check_choice("clip_method", method, METHODS)
    if method == "global_norm":
        return clip_by_global_norm(grads, limit)[0]
    if method == "norm":
        return clip_by_norm(grads, limit)
    return clip_by_value(grads, limit)
