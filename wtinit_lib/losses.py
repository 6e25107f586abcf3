"""Losses, computed stably from the logits ``Z`` of the output layer.

Each output activation comes with its loss, and the pair has a simple gradient with respect to the
logits, which is where backpropagation starts:

=================  ==========================================  ================================
output activation  loss                                        dLoss/dZ (before averaging)
=================  ==========================================  ================================
sigmoid            binary cross-entropy, mean over elements     ``sigmoid(Z) - Y``
softmax            categorical cross-entropy, mean over rows    ``softmax(Z) - Y``
linear             mean squared error, mean over elements       ``2 (Z - Y)``
=================  ==========================================  ================================

Why from the logits: the textbook formula ``-(y log p + (1 - y) log(1 - p))`` needs ``p =
sigmoid(z)``, which rounds to exactly 0 or 1 once ``|z| > 37`` in float64, and ``log 0 = -inf``.
Rewritten in ``z``, the same loss is ``max(z, 0) - z y + log(1 + e^{-|z|})``: finite for every
finite ``z``. :func:`naive_binary_cross_entropy` keeps the textbook formula so the book can show
the difference.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wtinit_lib import activations
from wtinit_lib._checks import check_choice

__all__ = [
    "accuracy",
    "binary_cross_entropy_from_logits",
    "categorical_cross_entropy_from_logits",
    "mean_squared_error",
    "naive_binary_cross_entropy",
    "output_loss",
    "predictions",
]


def binary_cross_entropy_from_logits(logits: np.ndarray, Y: np.ndarray) -> float:
    """Mean over all elements of ``-(y log σ(z) + (1 - y) log(1 - σ(z)))``, computed as
    ``log(1 + e^z) - z y``, with ``np.logaddexp(0, z)`` for ``log(1 + e^z)`` (never overflows)."""
    per_element = np.logaddexp(0.0, logits)
    per_element -= logits * Y
    return float(per_element.sum()) / per_element.size


def categorical_cross_entropy_from_logits(logits: np.ndarray, Y: np.ndarray) -> float:
    """Mean over examples of ``-Σ_k y_k log softmax(z)_k`` with one-hot (or soft) rows ``Y``.

    Uses ``log softmax(z)_k = z_k - m - log Σ_j e^{z_j - m}`` with ``m`` the row maximum.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(Y * log_probs).sum(axis=1).mean())


def mean_squared_error(pred: np.ndarray, Y: np.ndarray) -> float:
    """Mean over all elements of ``(pred - y)²``."""
    diff = pred - Y
    return float(np.vdot(diff, diff)) / diff.size


def naive_binary_cross_entropy(p: np.ndarray, Y: np.ndarray) -> float:
    """The textbook formula ``mean(-(y log p + (1 - y) log(1 - p)))`` on probabilities ``p``.

    Kept for teaching only: when a probability rounds to exactly 0 or 1 it returns ``inf`` (or
    ``nan``), which the stable :func:`binary_cross_entropy_from_logits` never does.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        per_element = -(Y * np.log(p) + (1.0 - Y) * np.log(1.0 - p))
    return float(per_element.mean())


LossFromLogits = Callable[[np.ndarray, np.ndarray], float]
GradFromLogits = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def output_loss(output_activation: str) -> tuple[LossFromLogits, GradFromLogits]:
    """The loss that goes with ``output_activation`` and its gradient with respect to the logits.

    The gradient function takes ``(logits, output, Y)`` and returns ``dLoss/dZ``, already divided
    by the number of terms the loss averages over.
    """
    activations.get(output_activation, role="output")
    if output_activation == "sigmoid":
        return binary_cross_entropy_from_logits, lambda z, a, Y: (a - Y) / a.size
    if output_activation == "softmax":
        return categorical_cross_entropy_from_logits, lambda z, a, Y: (a - Y) / a.shape[0]
    return (
        lambda z, Y: mean_squared_error(z, Y),
        lambda z, a, Y: 2.0 * (a - Y) / a.size,
    )


def predictions(output_activation: str, outputs: np.ndarray) -> np.ndarray:
    """What a network predicts from its outputs: class labels (sigmoid: ``output >= 0.5``, one
    column per label, a single column flattened; softmax: the argmax) or the values (linear)."""
    if output_activation == "sigmoid":
        labels = (outputs >= 0.5).astype(int)
        return labels[:, 0] if labels.shape[1] == 1 else labels
    if output_activation == "softmax":
        return outputs.argmax(axis=1)
    return outputs


def accuracy(output_activation: str, outputs: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows classified correctly; ``y`` holds labels or one-hot rows."""
    check_choice("output_activation", output_activation, ("sigmoid", "softmax"))
    y = np.asarray(y)
    if output_activation == "softmax" and y.ndim == 2:
        y = y.argmax(axis=1)
    elif y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    pred = predictions(output_activation, outputs)
    if pred.shape != y.shape:
        raise ValueError(
            f"Argument `y` must hold one label per row of X, shape {pred.shape}. "
            f"Received: y.shape={y.shape}"
        )
    return float(np.mean(pred == y))
