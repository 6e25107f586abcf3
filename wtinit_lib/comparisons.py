"""Several initializers trained side by side on the same 2-D points, one small network each.

:func:`train_side_by_side` builds one ``MLP`` per initializer from the same seed (so the
networks differ only by their initializer), measures its per-layer statistics at
initialization, trains it full-batch with plain gradient descent and evaluates it on a grid for
the decision boundaries: the experiment of the training playground, in one call. The results
are :class:`TrainingRun` (one network) and :class:`SideBySide` (all of them, with the data).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from wtinit_lib import activations, initializers, measures
from wtinit_lib._checks import check_choice, check_int, check_mapping, check_positive
from wtinit_lib.network import MLP

__all__ = ["SideBySide", "TrainingRun", "train_side_by_side"]


@dataclass(frozen=True)
class TrainingRun:
    """One network of :func:`train_side_by_side`: its statistics at initialization, its training.

    Attributes:
        loss: the training loss ``ℒ`` of every epoch (``loss[0]``: the initial weights); a
            diverged run ends with its non-finite loss.
        diverged_at: the (1-based) epoch whose loss was NaN or infinite, or None.
        accuracy: on the training points after training (``nan`` when diverged).
        act_stds, grad_stds: ``std(A^ℓ)`` and ``std(dW^ℓ)`` of the hidden layers ``ℓ = 1..depth``
            at initialization, on the training points.
        identical_units: every hidden layer's units were identical at initialization (a
            constant initializer): gradient descent keeps them so (chapter 2).
        dead_fraction: after training, the fraction of hidden ReLU units that output 0 on every
            training point (``nan`` for other activations).
        probabilities: ``p(x)`` after training on the ``grid_size × grid_size`` grid of the
            :class:`SideBySide` (rows: ``x₂``, columns: ``x₁``).
    """

    loss: np.ndarray
    diverged_at: int | None
    accuracy: float
    act_stds: np.ndarray
    grad_stds: np.ndarray
    identical_units: bool
    dead_fraction: float
    probabilities: np.ndarray


@dataclass(frozen=True)
class SideBySide:
    """What :func:`train_side_by_side` measured: one :class:`TrainingRun` per label, the data
    and the grid ``extent = (x₁ min, x₁ max, x₂ min, x₂ max)`` of the probabilities."""

    runs: dict[str, TrainingRun]
    X: np.ndarray
    y: np.ndarray
    extent: tuple[float, float, float, float]
    settings: dict[str, Any]


def train_side_by_side(
    X: np.ndarray,
    y: np.ndarray,
    weight_inits: Mapping[str, str | initializers.Initializer],
    depth: int = 6,
    width: int = 16,
    activation: str = "relu",
    epochs: int = 100,
    lr: float = 0.1,
    seed: int = 0,
    grid_size: int = 50,
) -> SideBySide:
    """Train ``MLP([2] + [width] * depth + [1], activation, "sigmoid")`` once per initializer.

    Every network draws its weights from ``seed`` (so two networks differ only by their
    initializer), has zero biases, and is trained full-batch with plain gradient descent
    (``W ← W - lr · dW``) for ``epochs`` epochs on the 2-D points ``X`` with 0/1 labels ``y``
    (binary cross-entropy), stopping early if the loss diverges. Before training, one backward
    pass on ``X`` gives the per-layer statistics; after it, ``p(x)`` is evaluated on a grid
    covering the points with a margin of 0.3, for the decision boundaries.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(
            "Arguments `X` and `y` must be 2-D points of shape (n, 2) and n labels. "
            f"Received: X.shape={X.shape}, y.shape={y.shape}"
        )
    check_mapping("weight_inits", weight_inits)
    depth, width = check_int("depth", depth), check_int("width", width)
    check_choice("activation", activation, activations.HIDDEN)
    epochs, lr = check_int("epochs", epochs), check_positive("lr", lr)
    seed, grid_size = check_int("seed", seed, 0), check_int("grid_size", grid_size, 2)
    low, high = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    extent = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
    g1, g2 = np.meshgrid(
        np.linspace(low[0], high[0], grid_size), np.linspace(low[1], high[1], grid_size)
    )
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    Y = y.reshape(-1, 1).astype(np.float64)
    runs = {}
    for label, init in weight_inits.items():
        net = MLP([2] + [width] * depth + [1], activation, "sigmoid", weight_init=init, seed=seed)
        with np.errstate(all="ignore"):
            bp = net.backprop(X, Y)
        hidden = bp.As[1:-1]
        identical = all(measures.max_pairwise_unit_difference(W) == 0 for W in net.weights[:-1])
        history = net.fit(X, Y, epochs=epochs, lr=lr, on_divergence="stop", seed=seed)
        with np.errstate(all="ignore"):
            p = net.forward(grid).reshape(grid_size, grid_size)
            after = net.forward_trace(X)[1][1:-1]
        dead = math.nan
        if activation == "relu" and not history.diverged:
            dead = float(np.mean([measures.silent_unit_fraction(A) for A in after]))
        runs[label] = TrainingRun(
            loss=np.array(history.loss),
            diverged_at=history.diverged_at,
            accuracy=math.nan if history.diverged else net.accuracy(X, y),
            act_stds=np.array([np.std(A) for A in hidden]),
            grad_stds=np.array([np.std(dW) for dW in bp.dWs[:-1]]),
            identical_units=identical,
            dead_fraction=dead,
            probabilities=p,
        )
    settings = {
        "depth": depth,
        "width": width,
        "activation": activation,
        "epochs": epochs,
        "lr": lr,
        "seed": seed,
    }
    return SideBySide(runs, X, y, extent, settings)
