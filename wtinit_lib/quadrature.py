"""Gaussian expectations in one and two dimensions, accurate at any variance.

``expect(f, q) = E[f(√q z)]`` for ``z ~ N(0, 1)`` and ``expect2(f, g, q1, q2, c) = E[f(u1) g(u2)]``
for a correlated Gaussian pair: the integrals of mean-field theory (:mod:`wtinit_lib.meanfield`).
The rule is composite Gauss-Legendre (12 nodes per panel) on ``z ∈ [-10, 10]`` (the mass outside
is 1.5e-23), with panels graded geometrically away from a centre: breakpoints ``0, ±h, ±3h, ±7h,
...`` (the width doubling up to 1), ``h = 0.25/√q`` for ``q > 1``. The kink of relu sits on a
breakpoint, and the nearest complex singularity of tanh and sigmoid (``±iπ/(2√q)``) is at least 3
half-widths from every panel, so the rule converges geometrically at every ``q`` (about 300
nodes, vectorized: 0.2 ms per 1-D integral). A fixed rule in units of ``√q`` (100-point
Gauss-Hermite) misses tanh's bend by 3% at ``q = 64``. The reference the tests use is
:func:`wtinit_lib.theory.gaussian_expectation` (adaptive ``scipy`` quadrature).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from numpy.polynomial.legendre import leggauss

from wtinit_lib._checks import check_closed_interval, check_positive

__all__ = ["expect", "expect2"]

_Z = 10.0
_NODES, _WEIGHTS = leggauss(12)


@functools.lru_cache(maxsize=512)
def _panels(h: float, half_width: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the graded composite rule on ``[-half_width, half_width]``."""
    right, step = [0.0], h
    while right[-1] < half_width:
        right.append(min(right[-1] + step, half_width))
        step = min(2.0 * step, 1.0)
    edges = np.array([-x for x in right[:0:-1]] + right)
    a, b = edges[:-1, None], edges[1:, None]
    nodes = (a + b) / 2 + (b - a) / 2 * _NODES[None, :]
    return nodes.ravel(), ((b - a) / 2 * _WEIGHTS[None, :]).ravel()


def _grading(q: float) -> float:
    return 0.25 / math.sqrt(q) if q > 1.0 else 0.25


def _gaussian_rule(h: float) -> tuple[np.ndarray, np.ndarray]:
    z, w = _panels(h, _Z)
    return z, w * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def expect(f: Callable[[np.ndarray], np.ndarray], q: float) -> float:
    """``E[f(√q z)]``, ``z ~ N(0, 1)``, for a vectorized ``f`` and any ``q ≥ 0`` (``f(0)`` at 0)."""
    q = check_positive("q", q, allow_zero=True)
    if q == 0:
        return float(np.asarray(f(np.zeros(1)), dtype=np.float64)[0])
    z, w = _gaussian_rule(_grading(q))
    return float(np.dot(w, f(math.sqrt(q) * z)))


def expect2(
    f: Callable[[np.ndarray], np.ndarray],
    g: Callable[[np.ndarray], np.ndarray],
    q1: float,
    q2: float,
    c: float,
) -> float:
    """``E[f(u1) g(u2)]`` for centred Gaussians with variances ``q1``, ``q2`` and correlation
    ``c``: ``u1 = √q1 z1``, ``u2 = √q2 (c z1 + √(1-c²) z2)`` (Poole et al. 2016, eq. 5).

    The inner integral over ``z2`` is graded around ``g``'s kink at ``z2 = -c z1/√(1-c²)``; the
    outer one resolves both ``1/√q`` and ``√(1-c²)`` (the inner integral, as a function of
    ``z1``, has a smoothed kink of that width). ``c = ±1`` is the 1-D integral.
    """
    q1 = check_positive("q1", q1, allow_zero=True)
    q2 = check_positive("q2", q2, allow_zero=True)
    c = check_closed_interval("c", c, -1.0, 1.0)
    s = math.sqrt(max(0.0, 1.0 - c * c))
    if q1 == 0 or q2 == 0:
        zero = np.zeros(1)
        if q1 == 0:
            return float(np.asarray(f(zero), dtype=np.float64)[0]) * expect(g, q2)
        return float(np.asarray(g(zero), dtype=np.float64)[0]) * expect(f, q1)
    if s * math.sqrt(q2) < 1e-12:  # u2 = c √(q2/q1) u1
        return expect(lambda u: f(u) * g(c * math.sqrt(q2 / q1) * u), q1)
    h1 = 0.25 * min(1.0, 1.0 / math.sqrt(q1), 1.0 / math.sqrt(q2), s)
    z1, w1 = _gaussian_rule(h1)
    t, wt = _panels(_grading(q2 * s * s), 2.0 * _Z)
    centre = np.clip(-c * z1 / s, -_Z, _Z)
    z2 = centre[:, None] + t[None, :]
    w2 = wt[None, :] * np.exp(-0.5 * z2 * z2) / math.sqrt(2.0 * math.pi)
    inner = np.sum(w2 * g(math.sqrt(q2) * (c * z1[:, None] + s * z2)), axis=1)
    return float(np.dot(w1, f(math.sqrt(q1) * z1) * inner))
