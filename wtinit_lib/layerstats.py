"""The per-layer statistics record, computed from one forward and backward pass.

:class:`LayerStats` holds what the book measures in every layer ``ℓ = 1..L`` (pre-activations,
activations, saturation, dead units, weight gradients, the update ratio); :func:`stats_from_pass`
fills one per layer from the intermediates of a pass; :func:`per_layer` and :func:`stat_series`
read one field across layers, or across training. Saturation is counted with one threshold,
:data:`SATURATION_THRESHOLD`, everywhere in the book.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from wtinit_lib import clipping, measures
from wtinit_lib._checks import check_choice, check_positive

__all__ = [
    "SATURATION_THRESHOLD",
    "LayerStats",
    "per_layer",
    "saturated_fraction",
    "stat_series",
    "stats_from_pass",
]

#: |tanh(z)| above this, or sigmoid(z) outside [1 - this, this], counts as saturated.
SATURATION_THRESHOLD = 0.97

_NAN = float("nan")


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one layer ``ℓ`` over a batch (every field a Python float, except ``layer``).

    Attributes:
        layer: ``ℓ``, 1-based (the output layer is ``ℓ = L``).
        pre_mean, pre_std: mean and standard deviation of the pre-activations ``Z^ℓ``.
        act_mean, act_std: the same for the activations ``A^ℓ = g(Z^ℓ)``.
        saturated: :func:`saturated_fraction` of the activations (``nan`` unless tanh/sigmoid).
        dead: fraction of ReLU units whose activation is 0 for every example; ``nan`` when the
            layer's activation is not ``relu``.
        grad_mean, grad_std, grad_norm: mean, standard deviation and Frobenius norm of ``dW^ℓ``
            (``nan`` without targets).
        act_grad_std: standard deviation of ``dA^ℓ``, the gradient with respect to the layer's
            output (``nan`` without targets).
        weight_std: standard deviation of ``W^ℓ``.
        update_ratio: ``lr · std(dW^ℓ) / std(W^ℓ)``, the relative size of one plain gradient
            (SGD) step (``nan`` without ``lr`` or targets; ``inf`` when ``std(W^ℓ) = 0``).
    """

    layer: int
    pre_mean: float
    pre_std: float
    act_mean: float
    act_std: float
    saturated: float
    dead: float
    grad_mean: float
    grad_std: float
    grad_norm: float
    act_grad_std: float
    weight_std: float
    update_ratio: float


FIELDS = tuple(f.name for f in fields(LayerStats))


def saturated_fraction(activation: str, A: np.ndarray) -> float:
    """The fraction of activations in the flat tails: ``|tanh| > 0.97``, or a sigmoid outside
    ``[0.03, 0.97]`` (:data:`SATURATION_THRESHOLD`); ``nan`` for other activations."""
    if activation == "tanh":
        return float(np.mean(np.abs(A) > SATURATION_THRESHOLD))
    if activation == "sigmoid":
        low = 1.0 - SATURATION_THRESHOLD
        return float(np.mean((A < low) | (A > SATURATION_THRESHOLD)))
    return _NAN


def _update_ratio(lr: float | None, grad_std: float, weight_std: float) -> float:
    if lr is None or math.isnan(grad_std):
        return _NAN
    if weight_std == 0:
        return math.inf if grad_std > 0 else _NAN
    return float(lr * grad_std / weight_std)


def _one_layer(
    layer: int,
    activation: str,
    Z: np.ndarray,
    A: np.ndarray,
    W: np.ndarray,
    dW: np.ndarray | None,
    dA: np.ndarray | None,
    lr: float | None,
) -> LayerStats:
    with np.errstate(all="ignore"):  # a diverging network is what some chapters measure
        grad_std = _NAN if dW is None else float(np.std(dW))
        weight_std = float(np.std(W))
        return LayerStats(
            layer=layer,
            pre_mean=float(np.mean(Z)),
            pre_std=float(np.std(Z)),
            act_mean=float(np.mean(A)),
            act_std=float(np.std(A)),
            saturated=saturated_fraction(activation, A),
            dead=measures.silent_unit_fraction(A) if activation == "relu" else _NAN,
            grad_mean=_NAN if dW is None else float(np.mean(dW)),
            grad_std=grad_std,
            grad_norm=_NAN if dW is None else clipping.norm(dW),
            act_grad_std=_NAN if dA is None else float(np.std(dA)),
            weight_std=weight_std,
            update_ratio=_update_ratio(lr, grad_std, weight_std),
        )


def stats_from_pass(
    activation: str,
    output_activation: str,
    Zs: Sequence[np.ndarray],
    As: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
    dWs: Sequence[np.ndarray] | None = None,
    dAs: Sequence[np.ndarray] | None = None,
    lr: float | None = None,
) -> list[LayerStats]:
    """One :class:`LayerStats` per layer from the intermediates of a forward (and backward) pass.

    ``Zs`` and ``weights`` have one entry per layer, ``As`` (and ``dAs``) ``L + 1`` with
    ``As[0]`` the input. Layer ``ℓ < L`` uses the hidden ``activation`` for its saturation and
    dead-unit counts, layer ``L`` the ``output_activation``. Without ``dWs``/``dAs`` the gradient
    fields are ``nan``; ``lr`` fills ``update_ratio``.
    """
    L = len(Zs)
    if len(As) != L + 1 or len(weights) != L:
        raise ValueError(
            f"Expected len(As) == len(Zs) + 1 == len(weights) + 1; received len(Zs)={L}, "
            f"len(As)={len(As)}, len(weights)={len(weights)}"
        )
    lr = None if lr is None else check_positive("lr", lr)
    return [
        _one_layer(
            layer=i + 1,
            activation=output_activation if i == L - 1 else activation,
            Z=Zs[i],
            A=As[i + 1],
            W=weights[i],
            dW=None if dWs is None else dWs[i],
            dA=None if dAs is None else dAs[i + 1],
            lr=lr,
        )
        for i in range(L)
    ]


def per_layer(stats: Sequence[LayerStats], field: str) -> np.ndarray:
    """One field of every layer's :class:`LayerStats`, ``ℓ = 1..L``, as an array.

    E.g. ``per_layer(diagnostics.layer_stats(net, X, Y), "grad_std")`` is ``std(dW^ℓ)``.
    """
    check_choice("field", field, FIELDS[1:])
    if isinstance(stats, LayerStats) or not all(isinstance(s, LayerStats) for s in stats):
        raise TypeError(
            "Argument `stats` must be a list of LayerStats (from diagnostics.layer_stats). "
            f"Received: stats={stats!r:.80}"
        )
    return np.array([getattr(s, field) for s in stats], dtype=np.float64)


def stat_series(history: Any, field: str) -> tuple[np.ndarray, np.ndarray]:
    """One :class:`LayerStats` field over training: ``(epochs, values)``.

    ``history`` is a :class:`~wtinit_lib.training.History` from ``fit(..., record_stats=True)``;
    ``epochs`` (length ``T``) are the epochs at which statistics were recorded and
    ``values[t, i]`` is ``field`` of layer ``ℓ = i + 1`` at ``epochs[t]`` (shape ``(T, L)``, the
    output layer last). E.g. ``field="act_mean"`` with ``"act_std"`` gives Glorot & Bengio's
    (2010) figure of each layer's mean activation (and spread) over training.
    """
    check_choice("field", field, FIELDS[1:])
    stats = getattr(history, "stats", None)
    if not stats:
        raise ValueError(
            "Argument `history` must hold per-layer statistics: train with "
            "`fit(..., record_stats=True)`. Received: a history without stats"
        )
    epochs = np.asarray(getattr(history, "stats_epochs", None) or np.arange(1, len(stats) + 1))
    values = np.array([[getattr(s, field) for s in row] for row in stats], dtype=np.float64)
    return epochs, values
