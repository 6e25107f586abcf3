"""The dense layer, forward beside backward: the building block every network of the package
shares.

Layout (Keras's): ``A`` is ``(n, fan_in)`` with one example per row, ``W`` is ``(fan_in,
fan_out)``, ``b`` is ``(fan_out,)``. Given ``dZ = ∂ℒ/∂Z``, the chain rule gives the three
gradients of the layer from that one array (chapter 1)::

    Z  = A W + b
    dW = Aᵀ dZ,   db = Σ_rows dZ,   dA = dZ Wᵀ
"""

from __future__ import annotations

import numpy as np

__all__ = ["dense_backward", "dense_forward"]


def dense_forward(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Z = A @ W + b`` (a new array)."""
    Z = A @ W
    Z += b
    return Z


def dense_backward(
    dZ: np.ndarray,
    A: np.ndarray,
    W: np.ndarray,
    *,
    need_dA: bool = True,
    dW_out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(dW, db, dA)`` = ``(Aᵀ dZ, Σ_rows dZ, dZ Wᵀ)``.

    ``need_dA=False`` skips ``dA`` (returned as ``None``): the first layer's input is the data,
    whose gradient nobody uses. ``dW`` is written into ``dW_out`` when it is given.
    """
    dW = np.matmul(A.T, dZ, out=dW_out)
    db = np.add.reduce(dZ, axis=0)
    return dW, db, (dZ @ W.T if need_dA else None)
