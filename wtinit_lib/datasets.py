"""Small, seeded data sets for the book's experiments.

Three 2-D toy problems generated here with numpy (``circles``, ``moons``,
``spirals``), the 8x8 handwritten digits bundled with scikit-learn
(``digits``: no download), two helpers (``one_hot``,
``train_test_split``) and a stream of batches with rare gradient spikes
(``rare_large_inputs``, for ``fit(batches=...)``).

Conventions: rows of ``X`` are examples (``X.shape == (n, features)``,
float64) and ``y`` holds integer class labels (``y.shape == (n,)``). Every
generator takes a ``seed`` (an int, a ``np.random.Generator`` or ``None``)
and the same seed always gives the same data.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from wtinit_lib._checks import (
    as_rng,
    check_bool,
    check_in_interval,
    check_int,
    check_positive,
)

__all__ = [
    "circles",
    "moons",
    "spirals",
    "digits",
    "one_hot",
    "rare_large_inputs",
    "train_test_split",
]

SeedLike = int | np.random.Generator | None


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order]


# --- 2-D toy problems ------------------------------------------------------


def circles(
    n: int = 300, noise: float = 0.05, factor: float = 0.5, seed: SeedLike = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: a problem no linear classifier can solve.

    The outer circle (label 0) has radius 1 and ``n // 2`` points; the inner
    circle (label 1) has radius ``factor`` and the remaining points. Points
    sit at evenly spaced angles ``theta_j = 2 pi j / m`` on their circle,
    then each coordinate gets Gaussian noise of standard deviation ``noise``.
    The rows are shuffled.

    Args:
        n: total number of points, at least 2.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        factor: inner radius relative to the outer one, in (0, 1).
        seed: int, ``np.random.Generator`` or ``None``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n, 2)`` (float64), ``y`` of shape ``(n,)`` (int64).
    """
    n = check_int("n", n, 2)
    noise = check_positive("noise", noise, allow_zero=True)
    factor = check_in_interval("factor", factor, 0.0, 1.0)
    rng = as_rng(seed, name="seed")

    n_outer = n // 2
    n_inner = n - n_outer
    rings = []
    for count, radius in ((n_outer, 1.0), (n_inner, factor)):
        theta = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
        rings.append(radius * np.column_stack([np.cos(theta), np.sin(theta)]))
    X = np.concatenate(rings) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    return _shuffled(X, y, rng)


def moons(n: int = 300, noise: float = 0.1, seed: SeedLike = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    The upper moon (label 0, ``n // 2`` points) is ``(cos t, sin t)`` and the
    lower moon (label 1, the remaining points) is ``(1 - cos t, 0.5 - sin t)``,
    with ``t`` evenly spaced in ``[0, pi]``. Each coordinate then gets
    Gaussian noise of standard deviation ``noise``; the rows are shuffled.

    Args:
        n: total number of points, at least 2.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        seed: int, ``np.random.Generator`` or ``None``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n, 2)`` (float64), ``y`` of shape ``(n,)`` (int64).
    """
    n = check_int("n", n, 2)
    noise = check_positive("noise", noise, allow_zero=True)
    rng = as_rng(seed, name="seed")

    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    return _shuffled(X, y, rng)


def spirals(
    n_per_class: int = 100, classes: int = 3, noise: float = 0.05, seed: SeedLike = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class.

    Arm ``k`` (label ``k``) has ``n_per_class`` points at radii ``r`` evenly
    spaced in ``[0, 1]`` and angles ``theta = 2 pi k / classes + 4 r`` (each
    arm winds through 4 radians), i.e. points ``r (sin theta, cos theta)``.
    Each coordinate then gets Gaussian noise of standard deviation ``noise``;
    the rows are shuffled.

    Args:
        n_per_class: points per arm, at least 1.
        classes: number of arms (classes), at least 2.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        seed: int, ``np.random.Generator`` or ``None``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_per_class * classes, 2)`` (float64),
        ``y`` of shape ``(n_per_class * classes,)`` (int64) with labels ``0..classes-1``.
    """
    n_per_class = check_int("n_per_class", n_per_class)
    classes = check_int("classes", classes, 2)
    noise = check_positive("noise", noise, allow_zero=True)
    rng = as_rng(seed, name="seed")

    radius = np.linspace(0.0, 1.0, n_per_class)
    arms = []
    for k in range(classes):
        theta = 2.0 * np.pi * k / classes + 4.0 * radius
        arms.append(radius[:, None] * np.column_stack([np.sin(theta), np.cos(theta)]))
    n = n_per_class * classes
    X = np.concatenate(arms) + noise * rng.standard_normal((n, 2))
    y = np.repeat(np.arange(classes, dtype=np.int64), n_per_class)
    return _shuffled(X, y, rng)


# --- real data ---------------------------------------------------------------


def digits(scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits bundled with scikit-learn (no download).

    Args:
        scale: if True, divide the pixel values (integers 0..16) by 16 so that
            ``X`` lies in ``[0, 1]``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(1797, 64)`` (float64), ``y`` of shape
        ``(1797,)`` (int64) with labels ``0..9``.
    """
    scale = check_bool("scale", scale)
    from sklearn.datasets import load_digits  # local: scikit-learn is slow to import

    bunch = load_digits()
    X = np.asarray(bunch.data, dtype=np.float64)
    if scale:
        X = X / 16.0
    return X, np.asarray(bunch.target, dtype=np.int64)


# --- helpers -----------------------------------------------------------------


def one_hot(y: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels: ``Y[i, y[i]] = 1``, all else 0.

    Args:
        y: 1-D array of non-negative integer labels.
        num_classes: number of columns; default ``max(y) + 1``. Must exceed ``max(y)``.

    Returns:
        float64 array of shape ``(len(y), num_classes)``.
    """
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(
            "Argument `y` must be a 1-D array of integer labels. "
            f"Received: y with shape {labels.shape}"
        )
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        whole_floats = np.issubdtype(labels.dtype, np.floating) and np.all(
            labels == np.round(labels)
        )
        if not whole_floats:
            raise ValueError(
                "Argument `y` must hold integer labels. "
                f"Received: y with dtype {labels.dtype} and values such as {labels.flat[0]!r}"
            )
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"Argument `y` must hold non-negative labels. Received: a label {labels.min()}"
        )
    needed = int(labels.max()) + 1 if labels.size else 0
    if num_classes is None:
        num_classes = needed
    else:
        num_classes = check_int("num_classes", num_classes)
        if num_classes < needed:
            raise ValueError(
                f"Argument `num_classes` must be greater than the largest label ({needed - 1}). "
                f"Received: num_classes={num_classes}"
            )
    Y = np.zeros((labels.size, num_classes), dtype=np.float64)
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def train_test_split(
    X: np.ndarray, y: np.ndarray, test_fraction: float = 0.25, seed: SeedLike = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows and split them into a training and a test set.

    The test set gets ``ceil(test_fraction * n)`` rows (as in scikit-learn);
    both sets keep at least one row.

    Args:
        X: array with one example per row.
        y: labels or targets with the same number of rows as ``X``.
        test_fraction: fraction of rows for the test set, in (0, 1).
        seed: int, ``np.random.Generator`` or ``None``.

    Returns:
        ``(X_train, X_test, y_train, y_test)``, scikit-learn's order.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            "Arguments `X` and `y` must be arrays with one row per example. "
            f"Received: X.shape={X.shape}, y.shape={y.shape}"
        )
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            "Arguments `X` and `y` must have the same number of rows. "
            f"Received: X.shape={X.shape}, y.shape={y.shape}"
        )
    test_fraction = check_in_interval("test_fraction", test_fraction, 0.0, 1.0)
    n = X.shape[0]
    n_test = math.ceil(test_fraction * n)
    if n_test < 1 or n - n_test < 1:
        raise ValueError(
            f"Cannot split {n} rows with test_fraction={test_fraction}: "
            "both sets need at least one row."
        )
    order = as_rng(seed, name="seed").permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


# --- streams of batches ------------------------------------------------------


def rare_large_inputs(
    X: np.ndarray,
    Y: np.ndarray,
    every: int,
    scale: float,
    target: Callable[[np.ndarray], np.ndarray],
    seed: int = 0,
) -> Callable[[int], list[tuple[np.ndarray, np.ndarray]]]:
    """Full batches with a rare, loud example: the batches of ``fit(..., batches=...)``.

    The returned function gives, for step (epoch) ``k = 1, 2, ...``, the one batch ``(X, Y)``;
    on every ``every``-th step the batch also holds one fresh example ``x = scale · z`` with
    ``z ~ N(0, I)`` and target ``target(x)`` (an array of shape ``(1, Y.shape[1])``). The draw of
    step ``k`` comes from a generator seeded with ``(seed, k)``, so it does not depend on which
    steps were asked for before. A gradient is linear in the input for a linear model, so such
    an example makes that step's gradient about ``scale`` times larger: rare gradient spikes.
    When ``target`` is a function the data agree with (the least-squares fit of a linear
    model, say), the loud examples do not move the optimum of the loss on ``(X, Y)``.

    Args:
        X, Y: the data set, 2-D arrays with one row per example.
        every: the period of the loud examples, an int >= 1 (1: on every step).
        scale: standard deviation of each coordinate of a loud example, a positive number.
        target: a function from an ``(1, features)`` array to its ``(1, outputs)`` target.
        seed: an int; the same seed gives the same loud examples.

    Returns:
        ``batches(k)``: a list holding the step's one ``(X_b, Y_b)`` pair.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise ValueError(
            "Arguments `X` and `Y` must be 2-D arrays with the same number of rows. "
            f"Received: X.shape={X.shape}, Y.shape={Y.shape}"
        )
    every = check_int("every", every)
    scale = check_positive("scale", scale)
    seed = check_int("seed", seed, 0)
    if not callable(target):
        raise TypeError(f"Argument `target` must be a function of x. Received: target={target!r}")

    def batches(epoch: int) -> list[tuple[np.ndarray, np.ndarray]]:
        epoch = check_int("epoch", epoch)
        if epoch % every:
            return [(X, Y)]
        x = scale * np.random.default_rng([seed, epoch]).standard_normal((1, X.shape[1]))
        y = np.asarray(target(x), dtype=np.float64).reshape(1, Y.shape[1])
        return [(np.vstack([X, x]), np.vstack([Y, y]))]

    return batches
