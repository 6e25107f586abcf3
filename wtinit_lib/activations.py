"""Activation functions, each with its derivative beside it.

``g.forward(z)`` computes ``a = g(z)``; ``g.derivative(z, a)`` returns ``g'(z)`` element-wise, given
both ``z`` and the already computed ``a`` (sigmoid and tanh are cheapest from ``a``).
Softmax is only an output activation: the network pairs it with the cross-entropy loss, whose
gradient with respect to the logits is simply ``softmax(z) - y``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import erfc, expit

from wtinit_lib._checks import check_choice

__all__ = [
    "HIDDEN",
    "LEAKY_RELU_SLOPE",
    "OUTPUTS",
    "Activation",
    "gelu",
    "get",
    "leaky_relu",
    "linear",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]

#: The negative slope of ``leaky_relu``: PyTorch's default and ours (Keras's ``LeakyReLU``: 0.3).
LEAKY_RELU_SLOPE = 0.01


def linear(z: np.ndarray) -> np.ndarray:
    """Identity: ``g(z) = z``, ``g'(z) = 1``."""
    return z


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid ``1 / (1 + e^{-z})``, computed without overflow for large ``|z|``.

    Its derivative is ``g'(z) = g(z) (1 - g(z))``, at most 1/4 (at ``z = 0``).
    """
    # scipy's expit is a single ufunc that never overflows (it is exactly 0 or 1 far out).
    return expit(z)


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent; ``g'(z) = 1 - tanh(z)²``, equal to 1 at ``z = 0``."""
    return np.tanh(z)


def relu(z: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``max(0, z)``; ``g'(z) = 1`` for ``z > 0`` and 0 otherwise."""
    return np.maximum(z, 0.0)


def leaky_relu(z: np.ndarray, negative_slope: float = LEAKY_RELU_SLOPE) -> np.ndarray:
    """``z`` for ``z > 0`` and ``negative_slope · z`` otherwise: its gradient is never exactly 0."""
    return np.where(z > 0, z, negative_slope * z)


def gelu(z: np.ndarray) -> np.ndarray:
    """Gaussian error linear unit ``z · Φ(z) = z (1 + erf(z / √2)) / 2`` (Hendrycks & Gimpel 2016),
    the exact form (Keras's ``approximate=False``; GPT-2 used the tanh approximation).

    Its derivative is ``g'(z) = Φ(z) + z φ(z)`` with ``φ`` the standard normal density.
    ``Φ(z)`` is computed as ``erfc(-z / √2) / 2``: ``1 + erf(z / √2)`` loses digits to
    cancellation for ``z ≪ 0`` (2e-8 relative at ``z = -6``).
    """
    return 0.5 * z * erfc(-z * _INV_SQRT_2)


def _gelu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 0.5 * erfc(-z * _INV_SQRT_2) + z * _INV_SQRT_2PI * np.exp(-0.5 * z * z)


_INV_SQRT_2 = 1.0 / np.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax ``e^{z_k} / Σ_j e^{z_j}``, shifted by the row maximum (no overflow)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """An activation ``g`` and its element-wise derivative ``g'``, side by side."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(z)


_ACTIVATIONS = {
    "linear": Activation("linear", linear, lambda z, a: np.ones_like(z)),
    "sigmoid": Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a)),
    "tanh": Activation("tanh", tanh, lambda z, a: 1.0 - a * a),
    "relu": Activation("relu", relu, lambda z, a: z > 0),  # a bool mask multiplies as 0/1
    "leaky_relu": Activation(
        "leaky_relu",
        leaky_relu,
        lambda z, a: np.where(z > 0, 1.0, LEAKY_RELU_SLOPE).astype(z.dtype),
    ),
    "gelu": Activation("gelu", gelu, _gelu_derivative),
    "softmax": Activation("softmax", softmax, lambda z, a: _no_softmax_derivative()),
}


def _no_softmax_derivative() -> np.ndarray:
    raise NotImplementedError(
        "softmax is only used at the output, where its gradient is taken together with the "
        "cross-entropy loss (dZ = softmax(Z) - Y)."
    )


#: Activations a hidden layer may use.
HIDDEN = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "gelu")
#: Activations the output layer may use; each comes with its loss (see ``wtinit_lib.losses``).
OUTPUTS = ("sigmoid", "softmax", "linear")


def get(name: str, *, role: str = "hidden") -> Activation:
    """The :class:`Activation` called ``name``; ``role`` is ``"hidden"`` or ``"output"``."""
    check_choice("role", role, ("hidden", "output"))
    arg = "activation" if role == "hidden" else "output_activation"
    check_choice(arg, name, HIDDEN if role == "hidden" else OUTPUTS)
    return _ACTIVATIONS[name]
