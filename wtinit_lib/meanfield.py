"""Mean-field theory of deep random networks: the length of one signal, the correlation of two.

A wide layer with weights ``W_ij ~ N(0, σ_w²/n)`` and biases ``b_i ~ N(0, σ_b²)`` turns
pre-activations of variance ``q`` into pre-activations of variance (the *length map*)

    q_ℓ = σ_w² ∫Dz φ(√q_{ℓ-1} z)² + σ_b²,      Dz = e^{-z²/2} dz / √(2π),

and two inputs whose pre-activations have correlation ``c`` into correlation (the
*correlation map*, both inputs at length ``q``)

    c_ℓ = (σ_w² ∫Dz1 Dz2 φ(u1) φ(u2) + σ_b²) / q_ℓ,   u1 = √q z1,  u2 = √q (c z1 + √(1-c²) z2)

(Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli 2016). The length map has a fixed point ``q*``;
at ``q*`` the correlation map fixes ``c = 1`` with slope ``χ₁ = σ_w² ∫Dz φ'(√q* z)²``: for
``χ₁ < 1`` (ordered) correlations go to 1, for ``χ₁ > 1`` (chaotic) to a ``c* < 1``; the critical
line is ``χ₁ = 1``. The depth scales of Schoenholz, Gilmer, Ganguli & Sohl-Dickstein (2017):
``ξ_c = -1/ln χ_c`` with ``χ_c`` the correlation map's slope at its stable fixed point ``c*``
(``= χ₁`` only on the ordered side), ``ξ_q`` from the length map's slope, ``ξ_∇ = -1/ln χ₁``.

Every expectation is a numerical integral (:func:`wtinit_lib.quadrature.expect`,
:func:`~wtinit_lib.quadrature.expect2`), accurate to about 1e-13 at any ``q``; no small-signal
approximation is made.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.optimize import brentq

from wtinit_lib import activations
from wtinit_lib._checks import check_choice, check_closed_interval, check_int, check_positive
from wtinit_lib.quadrature import expect, expect2

__all__ = [
    "ACTIVATIONS",
    "c_star",
    "chi1",
    "chi_c",
    "correlation_iterates",
    "correlation_map",
    "correlation_map_slope",
    "critical_sigma_w2",
    "depth_scale_c",
    "depth_scale_grad",
    "depth_scale_q",
    "length_iterates",
    "length_map",
    "length_map_slope",
    "q_star",
    "second_derivative",
]

ACTIVATIONS = activations.HIDDEN
#: Positively homogeneous activations: φ(s u) = s φ(u) for s > 0, so with σ_b² = 0 nothing but
#: σ_w² times a constant depends on q, and φ' does not depend on q at all.
HOMOGENEOUS = ("linear", "relu", "leaky_relu")
_SLOPE = activations.LEAKY_RELU_SLOPE
#: E[φ(z)²] for z ~ N(0, 1) of the homogeneous activations: q_ℓ = σ_w² · this · q_{ℓ-1} + σ_b².
_HOMOGENEOUS_GAIN = {"linear": 1.0, "relu": 0.5, "leaky_relu": (1.0 + _SLOPE**2) / 2.0}


def second_derivative(activation: str, u: np.ndarray) -> np.ndarray:
    """``φ''(u)``, which the length map's slope needs (0 for the piecewise-linear activations:
    their delta at 0 always multiplies ``φ(0) = 0``; ``(2 - u²) N(u)`` for GELU ``u Φ(u)``, with
    ``N`` the standard normal density)."""
    check_choice("activation", activation, ACTIVATIONS)
    if activation == "gelu":
        return (2.0 - u * u) * np.exp(-0.5 * u * u) / np.sqrt(2.0 * np.pi)
    if activation == "tanh":
        t = np.tanh(u)
        return -2.0 * t * (1.0 - t * t)
    if activation == "sigmoid":
        s = activations.sigmoid(u)
        return s * (1.0 - s) * (1.0 - 2.0 * s)
    return np.zeros_like(u)


def _phi(activation: str) -> tuple[Callable, Callable]:
    g = activations.get(activation)
    return g.forward, lambda u: np.asarray(g.derivative(u, g.forward(u)), dtype=np.float64)


def _check(activation: str, sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    check_choice("activation", activation, ACTIVATIONS)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    return sigma_w2, check_positive("sigma_b2", sigma_b2, allow_zero=True)


# --- the length map -----------------------------------------------------------------------------


def length_map(activation: str, q: float, sigma_w2: float, sigma_b2: float) -> float:
    """``q_ℓ = σ_w² E[φ(√q z)²] + σ_b²``: the next layer's pre-activation variance."""
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    phi = activations.get(activation).forward
    return sigma_w2 * expect(lambda u: phi(u) ** 2, q) + sigma_b2


def length_map_slope(activation: str, q: float, sigma_w2: float) -> float:
    """``dq_ℓ/dq_{ℓ-1} = σ_w² E[φ'(u)² + φ(u) φ''(u)]``, ``u = √q z`` (Gaussian integration by
    parts; Schoenholz et al. 2017, eq. 7)."""
    sigma_w2, _ = _check(activation, sigma_w2, 0.0)
    phi, d1 = _phi(activation)
    return sigma_w2 * expect(lambda u: d1(u) ** 2 + phi(u) * second_derivative(activation, u), q)


def q_star(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """The fixed point ``q*`` of the length map reached from ``q > 0``; ``inf`` when ``q`` grows
    without bound.

    Linear, relu, leaky_relu: ``q_ℓ = k q_{ℓ-1} + σ_b²`` with ``k = σ_w² E[φ(z)²]`` (``σ_w²``,
    ``σ_w²/2``, ``σ_w²(1+a²)/2``), so ``q* = σ_b²/(1-k)`` for ``k < 1`` and ``inf`` for
    ``k ≥ 1`` (with ``σ_b² = 0``: ``0`` below, ``inf`` above, and at ``k = 1`` every ``q`` is
    fixed: 1.0 is returned). Tanh with ``σ_b² = 0`` and ``σ_w² ≤ 1``: ``0``. Otherwise the root
    of ``length_map(q) - q`` by ``brentq`` (the map is increasing and concave: one positive root).
    """
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    if activation in HOMOGENEOUS:
        k = sigma_w2 * _HOMOGENEOUS_GAIN[activation]
        if sigma_b2 == 0.0:
            return 0.0 if k < 1.0 else (1.0 if k == 1.0 else math.inf)
        return sigma_b2 / (1.0 - k) if k < 1.0 else math.inf
    if activation == "tanh" and sigma_b2 == 0.0 and sigma_w2 <= 1.0:
        return 0.0

    def excess(q: float) -> float:
        return length_map(activation, q, sigma_w2, sigma_b2) - q

    low = 1e-12 if sigma_b2 == 0.0 else 0.0
    high = 1.0
    while excess(high) > 0:
        high *= 2.0
        if high > 1e12:
            return math.inf
    return float(brentq(excess, low, high, xtol=1e-15, rtol=1e-15, maxiter=200))


# --- the correlation map ------------------------------------------------------------------------


def _length(activation: str, q: float | None, sigma_w2: float, sigma_b2: float) -> float:
    """``q`` (default ``q*``); for a homogeneous φ with ``σ_b² = 0`` the correlation map does not
    depend on ``q``, so 1 stands in for ``q* ∈ {0, inf}``."""
    if q is None:
        q = q_star(activation, sigma_w2, sigma_b2)
    q = check_positive("q", q, allow_zero=True) if math.isfinite(q) else q
    if activation in HOMOGENEOUS and sigma_b2 == 0.0 and (q == 0 or math.isinf(q)):
        return 1.0
    if math.isinf(q):
        raise ValueError(
            f"The length map of {activation} has no fixed point at sigma_w2={sigma_w2!r}, "
            f"sigma_b2={sigma_b2!r}: pass a finite `q`."
        )
    return q


def correlation_map(
    activation: str, c: float, sigma_w2: float, sigma_b2: float, q: float | None = None
) -> float:
    """``c_ℓ`` from ``c_{ℓ-1} = c`` for two inputs at length ``q`` (default ``q*``):
    ``(σ_w² E[φ(u1)φ(u2)] + σ_b²) / q_ℓ``. At ``q = 0`` (tanh at ``q* = 0``) the limit, ``c``."""
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    c = check_closed_interval("c", c, -1.0, 1.0)
    q = _length(activation, q, sigma_w2, sigma_b2)
    if q == 0 and sigma_b2 == 0.0 and activation == "tanh":
        return c  # tanh(u) ≈ u for small u: the map becomes the identity
    phi = activations.get(activation).forward
    q_next = length_map(activation, q, sigma_w2, sigma_b2)
    return (sigma_w2 * expect2(phi, phi, q, q, c) + sigma_b2) / q_next


def correlation_map_slope(
    activation: str, c: float, sigma_w2: float, sigma_b2: float, q: float | None = None
) -> float:
    """``dc_ℓ/dc_{ℓ-1} = σ_w² (q/q_ℓ) E[φ'(u1) φ'(u2)]`` at ``(q, c)`` (default ``q = q*``,
    where ``q_ℓ = q``): ``χ₁`` at ``c = 1``, ``χ_c`` at ``c*``."""
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    c = check_closed_interval("c", c, -1.0, 1.0)
    q = _length(activation, q, sigma_w2, sigma_b2)
    if q == 0 and sigma_b2 == 0.0 and activation == "tanh":
        return 1.0  # the slope of the identity map of correlation_map's limit
    d1 = _phi(activation)[1]
    return sigma_w2 * q / length_map(activation, q, sigma_w2, sigma_b2) * expect2(d1, d1, q, q, c)


def chi1(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """``χ₁ = σ_w² E[φ'(√q* z)²]``, the correlation map's slope at ``c = 1`` (Poole et al. 2016).

    For relu ``σ_w²/2``, leaky_relu ``σ_w²(1+a²)/2``, linear ``σ_w²`` at any ``q``: relu's
    critical point ``χ₁ = 1`` is ``σ_w² = 2``, He's rule (He et al. 2015).
    """
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    d1 = _phi(activation)[1]
    if activation in HOMOGENEOUS:
        return sigma_w2 * expect(lambda u: d1(u) ** 2, 1.0)
    q = q_star(activation, sigma_w2, sigma_b2)
    return math.inf if math.isinf(q) else sigma_w2 * expect(lambda u: d1(u) ** 2, q)


def c_star(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """The correlation map's stable fixed point at ``q*``: 1 in the ordered phase (``χ₁ ≤ 1``),
    the root ``c* < 1`` in the chaotic phase (``χ₁ > 1``), by ``brentq``.

    Just above the critical line ``c*`` is close to 1: the bracket's upper end ``1 - δ`` moves
    towards 1 (δ = 1e-2, 2.5e-3, ...) until the map pushes ``c`` down there; below δ = 1e-12,
    ``c* = 1`` to working precision.
    """
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    q = q_star(activation, sigma_w2, sigma_b2)
    if not 0.0 < q < math.inf or chi1(activation, sigma_w2, sigma_b2) <= 1.0:
        return 1.0

    def excess(c: float) -> float:
        return correlation_map(activation, c, sigma_w2, sigma_b2, q) - c

    delta = 1e-2
    while excess(1.0 - delta) >= 0:
        delta /= 4.0
        if delta < 1e-12:
            return 1.0
    low = 0.0 if activation in ("tanh", "linear") else -1.0
    if excess(low) <= 0:
        return low
    return float(brentq(excess, low, 1.0 - delta, xtol=1e-14, maxiter=200))


def chi_c(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """The correlation map's slope at its stable fixed point ``c*`` (``χ₁`` when ``c* = 1``)."""
    c = c_star(activation, sigma_w2, sigma_b2)
    if c == 1.0:
        return chi1(activation, sigma_w2, sigma_b2)
    return correlation_map_slope(activation, c, sigma_w2, sigma_b2)


def _depth(slope: float) -> float:
    return math.inf if slope == 1.0 else -1.0 / math.log(slope)


def depth_scale_c(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """``ξ_c = -1/ln χ_c`` (Schoenholz et al. 2017, eq. 9): over ``ξ_c`` layers the distance of
    two inputs' correlation from ``c*`` shrinks by a factor e. ``inf`` on the critical line,
    where it diverges from both sides."""
    return _depth(min(chi_c(activation, sigma_w2, sigma_b2), 1.0))


def depth_scale_q(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """``ξ_q = -1/ln(dq_ℓ/dq_{ℓ-1} at q*)`` (Schoenholz et al. 2017, eq. 7): how fast the length
    settles. ``inf`` when ``q*`` is not finite or not attracting."""
    q = q_star(activation, sigma_w2, sigma_b2)
    if math.isinf(q):
        return math.inf
    return _depth(min(length_map_slope(activation, q, sigma_w2), 1.0))


def depth_scale_grad(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """``ξ_∇ = -1/ln χ₁``, signed: gradients shrink by e over ``ξ_∇ > 0`` layers (ordered) and
    grow by e over ``-ξ_∇`` layers (chaotic) (Schoenholz et al. 2017, sec. 5). Equal to
    ``ξ_c`` on the ordered side only."""
    return _depth(chi1(activation, sigma_w2, sigma_b2))


def critical_sigma_w2(activation: str, sigma_b2: float) -> float:
    """The ``σ_w²`` of the critical line ``χ₁ = 1`` at this ``σ_b²``: ``brentq`` on ``χ₁ - 1``,
    bracketed from ``σ_w² = 0.5`` by doubling. Closed forms: linear 1, relu 2, leaky_relu
    ``2/(1+a²)``, returned for any ``σ_b²`` (but with ``σ_b² > 0`` their ``q*`` is infinite at
    that ``σ_w²``: their critical point is the single point ``σ_b² = 0``)."""
    _, sigma_b2 = _check(activation, 1.0, sigma_b2)
    if activation in HOMOGENEOUS:
        return 1.0 / _HOMOGENEOUS_GAIN[activation]
    if activation == "tanh" and sigma_b2 == 0.0:
        return 1.0  # q* = 0 and χ₁ = σ_w² up to σ_w² = 1; beyond, q* > 0 and χ₁ > 1

    def excess(s: float) -> float:
        return chi1(activation, s, sigma_b2) - 1.0

    low, high = 0.5, 4.0
    while excess(high) < 0:
        low, high = high, 2.0 * high
        if high > 1e6:
            raise ValueError(f"No critical sigma_w2 below 1e6 for sigma_b2={sigma_b2!r}.")
    return float(brentq(excess, low, high, xtol=1e-13, maxiter=200))


def correlation_iterates(
    activation: str, c0: float, sigma_w2: float, sigma_b2: float, depth: int
) -> np.ndarray:
    """``c_0, c_1, ..., c_depth`` (length ``depth + 1``) from ``c_0 = c0`` for two inputs already at
    length ``q*``: the correlation map iterated."""
    depth = check_int("depth", depth, 1)
    values = [check_closed_interval("c0", c0, -1.0, 1.0)]
    for _ in range(depth):
        values.append(min(1.0, correlation_map(activation, values[-1], sigma_w2, sigma_b2)))
    return np.array(values)


def length_iterates(
    activation: str, q0: float, sigma_w2: float, sigma_b2: float, depth: int
) -> np.ndarray:
    """``q_0, q_1, ..., q_depth`` (length ``depth + 1``) from ``q_0 = q0``: the length map
    iterated."""
    depth = check_int("depth", depth, 1)
    values = [check_positive("q0", q0, allow_zero=True)]
    for _ in range(depth):
        values.append(length_map(activation, values[-1], sigma_w2, sigma_b2))
    return np.array(values)
