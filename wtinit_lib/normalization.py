"""Layer normalization and batch normalization (training-mode statistics), each forward beside
its backward pass.

Both normalize an ``(n, d)`` array along one axis and then scale and shift every feature::

    μ = mean(x),  σ² = mean((x - μ)²),  s = √(σ² + ε),  x̂ = (x - μ) / s,  y = γ ⊙ x̂ + β

LayerNorm (Ba, Kiros & Hinton 2016) takes the means over the ``d`` features of each row (each
example on its own); BatchNorm (Ioffe & Szegedy 2015) over the ``n`` rows of each feature (the
batch's statistics, as in training; the running averages used at inference are not modelled).
``γ`` starts at 1 and ``β`` at 0 (Keras's and PyTorch's defaults), so at initialization a norm
outputs ``x̂``: zero mean and (up to ``ε``) unit variance, whatever the scale of ``x``.

Backward, given ``g = ∂ℒ/∂y``, with ``m`` entries in each mean (``d`` or ``n``)::

    ∂ℒ/∂β = Σ_rows g,    ∂ℒ/∂γ = Σ_rows g ⊙ x̂,    ĝ = γ ⊙ g
    ∂μ/∂x_j = 1/m,  ∂s/∂x_j = x̂_j / m   ⇒   ∂x̂_i/∂x_j = (δ_ij - 1/m - x̂_i x̂_j / m) / s
    ∂ℒ/∂x = (ĝ - mean(ĝ) - x̂ ⊙ mean(ĝ ⊙ x̂)) / s

exact for every ``ε > 0`` (it never uses ``mean(x̂²) = 1``). Two consequences: ``∂ℒ/∂x`` sums to
0 along the normalized axis (so a bias right before a BatchNorm gets no gradient at all), and
for ``ε = 0`` it is orthogonal to ``x - μ``, the scale invariance of a normalized layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wtinit_lib._checks import check_positive

__all__ = [
    "EPS",
    "NORMS",
    "NormCache",
    "backward",
    "batch_norm_backward",
    "batch_norm_forward",
    "forward",
    "layer_norm_backward",
    "layer_norm_forward",
]

#: PyTorch's and GPT-2's ``ε``. Keras's ``LayerNormalization`` and ``BatchNormalization``
#: default to 1e-3.
EPS = 1e-5
#: The normalizations a network may use, by the name its ``norm=`` argument takes.
NORMS = ("layer", "batch")


@dataclass(frozen=True)
class NormCache:
    """What the backward pass needs from the forward pass.

    ``xhat`` is the normalized input, ``inv_sigma`` is ``1 / s`` (shape ``(n, 1)`` for
    LayerNorm, ``(1, d)`` for BatchNorm), ``gamma`` the scale used, ``axis`` the normalized axis
    (1: LayerNorm, over features; 0: BatchNorm, over examples).
    """

    xhat: np.ndarray
    inv_sigma: np.ndarray
    gamma: np.ndarray
    axis: int


def _check(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> None:
    if X.ndim != 2:
        raise ValueError(f"Argument `X` must be a 2-D array (n, d). Received: X.shape={X.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (X.shape[1],):
            raise ValueError(
                f"Argument `{name}` must have shape ({X.shape[1]},), one entry per column of X. "
                f"Received: {name}.shape={np.shape(value)}, X.shape={X.shape}"
            )
    check_positive("eps", eps)


def _forward(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, axis: int):
    mu = X.mean(axis=axis, keepdims=True)
    centered = X - mu
    var = np.mean(centered * centered, axis=axis, keepdims=True)
    inv_sigma = 1.0 / np.sqrt(var + eps)
    xhat = centered * inv_sigma
    return xhat * gamma + beta, NormCache(xhat, inv_sigma, gamma, axis)


def _backward(dY: np.ndarray, cache: NormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xhat, axis = cache.xhat, cache.axis
    dbeta = dY.sum(axis=0)
    dgamma = np.sum(dY * xhat, axis=0)
    g = dY * cache.gamma
    dX = g - g.mean(axis=axis, keepdims=True)
    dX -= xhat * np.mean(g * xhat, axis=axis, keepdims=True)
    dX *= cache.inv_sigma
    return dX, dgamma, dbeta


def layer_norm_forward(
    X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = EPS
) -> tuple[np.ndarray, NormCache]:
    """LayerNorm: each row of ``X`` normalized over its ``d`` features, then ``γ ⊙ x̂ + β``.
    Returns ``(Y, cache)``."""
    _check(X, gamma, beta, eps)
    return _forward(X, gamma, beta, eps, axis=1)


def layer_norm_backward(
    dY: np.ndarray, cache: NormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dgamma, dbeta)`` of LayerNorm from ``dY = ∂ℒ/∂Y`` (formula in the module doc)."""
    return _backward(dY, cache)


def batch_norm_forward(
    X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = EPS
) -> tuple[np.ndarray, NormCache]:
    """BatchNorm with the batch's own statistics (training mode): each column of ``X``
    normalized over the ``n`` examples, then ``γ ⊙ x̂ + β``. Returns ``(Y, cache)``."""
    _check(X, gamma, beta, eps)
    if X.shape[0] < 2:
        raise ValueError(
            "BatchNorm needs at least 2 examples per batch (training-mode statistics). "
            f"Received: X.shape={X.shape}"
        )
    return _forward(X, gamma, beta, eps, axis=0)


def batch_norm_backward(
    dY: np.ndarray, cache: NormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dgamma, dbeta)`` of BatchNorm from ``dY = ∂ℒ/∂Y``: the LayerNorm formula with
    the means taken over the examples."""
    return _backward(dY, cache)


def forward(norm: str, X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = EPS):
    """``layer_norm_forward`` or ``batch_norm_forward`` by name (``"layer"`` or ``"batch"``)."""
    return (layer_norm_forward if norm == "layer" else batch_norm_forward)(X, gamma, beta, eps)


#: One backward formula for both (the cache holds the axis).
backward = _backward
