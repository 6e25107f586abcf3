"""Gradient clipping: by value, by norm (each tensor on its own) and by global norm.

``grads`` is always a list of arrays (e.g. ``[dW1, db1, dW2, db2]``) and a new list is returned;
the inputs are not modified. The three functions match TensorFlow's ``tf.clip_by_value``,
``tf.clip_by_norm`` and ``tf.clip_by_global_norm``.

Clipping by value changes the direction of the gradient whenever some entries are cut and others
are not; clipping by (global) norm only shortens it (Pascanu, Mikolov & Bengio 2013).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from wtinit_lib._checks import check_positive

__all__ = ["clip_by_global_norm", "clip_by_norm", "clip_by_value", "global_norm"]


def _as_list(grads: Sequence[np.ndarray]) -> list[np.ndarray]:
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence):
        raise TypeError(
            "Argument `grads` must be a list of arrays. "
            f"Received: grads of type {type(grads).__name__}"
        )
    return [np.asarray(g) for g in grads]


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """``sqrt(Σ_t ||g_t||²)``: the Euclidean norm of all gradients stacked into one vector."""
    total = 0.0
    for g in _as_list(grads):
        total += float(np.vdot(g, g))
    return math.sqrt(total)


def clip_by_value(grads: Sequence[np.ndarray], limit: float) -> list[np.ndarray]:
    """Cut every entry to ``[-limit, limit]``. Changes the gradient's direction."""
    limit = check_positive("limit", limit)
    return [np.clip(g, -limit, limit) for g in _as_list(grads)]


def clip_by_norm(grads: Sequence[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Rescale each tensor on its own to ``||g_t|| <= max_norm``: ``g_t · max_norm / ||g_t||``."""
    max_norm = check_positive("max_norm", max_norm)
    clipped = []
    for g in _as_list(grads):
        norm = float(np.sqrt(np.vdot(g, g)))
        clipped.append(g * (max_norm / norm) if norm > max_norm else g.copy())
    return clipped


def clip_by_global_norm(
    grads: Sequence[np.ndarray], max_norm: float
) -> tuple[list[np.ndarray], float]:
    """Rescale all tensors by one factor ``max_norm / max(global_norm, max_norm)``.

    Returns ``(clipped, global_norm)`` like ``tf.clip_by_global_norm``; the direction of the whole
    gradient is kept.
    """
    max_norm = check_positive("max_norm", max_norm)
    grads = _as_list(grads)
    norm = global_norm(grads)
    factor = max_norm / max(norm, max_norm)
    return [g * factor for g in grads], norm
