"""Wide random networks at a point ``(σ_w², σ_b²)``, simulated: what mean-field theory predicts.

Weights are ``W_ij ~ N(0, σ_w²/n)`` (or orthogonal with gain ``√σ_w²``), biases ``N(0, σ_b²)``,
and inputs are pairs of pre-activation vectors already at the fixed length ``q*``
(:func:`wtinit_lib.meanfield.q_star`) with a chosen correlation. The correlation of two
pre-activation vectors is their cosine, ``Σ h1 h2 / √(Σ h1² Σ h2²)``, the ``c = q12/√(q11 q22)``
of Poole et al. (2016); each function averages it over ``pairs`` independent pairs.

- :func:`correlation_map_simulated`: one layer, many input correlations (the correlation map);
- :func:`propagate_pair`: pairs of inputs through ``depth`` fresh layers (lengths, correlations);
- :func:`phase_diagram`: the correlation after ``depth`` layers on a grid of ``(σ_w², σ_b²)``;
- :func:`jacobian_spectrum`: the singular values of a deep network's input-output Jacobian.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from wtinit_lib import activations, diagnostics, initializers, meanfield
from wtinit_lib._checks import check_choice, check_int, check_positive
from wtinit_lib.network import MLP

__all__ = [
    "correlation_map_simulated",
    "propagate_pair",
    "jacobian_spectrum",
    "phase_diagram",
]


def _check(activation: str, sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    check_choice("activation", activation, activations.HIDDEN)
    sigma_w2 = check_positive("sigma_w2", sigma_w2)
    return sigma_w2, check_positive("sigma_b2", sigma_b2, allow_zero=True)


def _start_length(activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """``q*``; a small 1e-3 where ``q* = 0`` (the signal dies out), 1 where it is infinite
    (for the homogeneous activations without bias the correlations do not depend on it)."""
    q = meanfield.q_star(activation, sigma_w2, sigma_b2)
    return 1e-3 if q == 0 else (1.0 if math.isinf(q) else q)


def _pairs(rng: np.random.Generator, q: float, c: np.ndarray, pairs: int, width: int):
    """Two arrays ``(..., pairs, width)`` of ``N(0, q)`` entries with correlation ``c``."""
    c = np.asarray(c, dtype=np.float64)[..., None, None]
    z = rng.standard_normal((2, *c.shape[:-2], pairs, width))
    return math.sqrt(q) * z[0], math.sqrt(q) * (c * z[0] + np.sqrt(1.0 - c * c) * z[1])


def _cosine(h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
    """The correlation of the last axis, averaged over the pairs (the axis before it)."""
    cos = np.sum(h1 * h2, -1) / np.sqrt(np.sum(h1 * h1, -1) * np.sum(h2 * h2, -1))
    return cos.mean(-1)


def correlation_map_simulated(
    activation: str,
    c_in: Sequence[float],
    sigma_w2: float,
    sigma_b2: float,
    width: int = 2000,
    pairs: int = 8,
    seed: int = 0,
) -> np.ndarray:
    """The correlation after one random layer of ``width`` units, for each input correlation
    of ``c_in`` (pairs at length ``q*``; one ``W`` and ``b`` for all of them): the measured
    counterpart of ``meanfield.correlation_map``. An array like ``c_in``."""
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    width, pairs = check_int("width", width), check_int("pairs", pairs)
    phi = activations.get(activation).forward
    rng = np.random.default_rng(check_int("seed", seed, 0))
    W = rng.standard_normal((width, width)) * math.sqrt(sigma_w2 / width)
    b = rng.standard_normal(width) * math.sqrt(sigma_b2)
    h1, h2 = _pairs(rng, _start_length(activation, sigma_w2, sigma_b2), c_in, pairs, width)
    return _cosine(phi(h1) @ W + b, phi(h2) @ W + b)


def propagate_pair(
    activation: str,
    c0: float,
    sigma_w2: float,
    sigma_b2: float,
    depth: int,
    q0: float | None = None,
    width: int = 1000,
    pairs: int = 8,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of inputs with correlation ``c0`` and length ``q0`` (default ``q*``) through
    ``depth`` layers with fresh weights and biases each: ``(q, c)``, the mean squared
    pre-activation and the correlation of layers ``ℓ = 0..depth`` (arrays of length
    ``depth + 1``), the measured counterparts of ``meanfield.length_iterates`` and
    ``meanfield.correlation_iterates``."""
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    depth, width, pairs = (
        check_int("depth", depth),
        check_int("width", width),
        check_int("pairs", pairs),
    )
    q0 = _start_length(activation, sigma_w2, sigma_b2) if q0 is None else check_positive("q0", q0)
    phi = activations.get(activation).forward
    rng = np.random.default_rng(check_int("seed", seed, 0))
    h = np.concatenate(_pairs(rng, q0, c0, pairs, width))
    qs, cs = [float(np.mean(h * h))], [float(_cosine(h[:pairs], h[pairs:]))]
    for _ in range(depth):
        W = rng.standard_normal((width, width)) * math.sqrt(sigma_w2 / width)
        h = phi(h) @ W + rng.standard_normal(width) * math.sqrt(sigma_b2)
        qs.append(float(np.mean(h * h)))
        cs.append(float(_cosine(h[:pairs], h[pairs:])))
    return np.array(qs), np.array(cs)


def phase_diagram(
    activation: str,
    sigma_w2s: Sequence[float],
    sigma_b2s: Sequence[float],
    depth: int = 30,
    width: int = 500,
    c0: float = 0.5,
    pairs: int = 8,
    seed: int = 0,
) -> np.ndarray:
    """The correlation ``c_depth`` of input pairs that started at ``c0`` (at length ``q*``), for
    every ``(σ_b², σ_w²)``: an array ``(len(sigma_b2s), len(sigma_w2s))``.

    Common random numbers: one set of standard Gaussian matrices ``G_ℓ/√n``, bias vectors and
    inputs, scaled per grid point (``W = √σ_w² G``, ``b = √σ_b² β``), so the grid differs only by
    the scales and all ``σ_w²`` of a row go through one matrix product per layer.
    """
    sw = np.array([_check(activation, s, 0.0)[0] for s in sigma_w2s])
    sb = np.array([_check(activation, 1.0, s)[1] for s in sigma_b2s])
    depth, width, pairs = (
        check_int("depth", depth),
        check_int("width", width),
        check_int("pairs", pairs),
    )
    phi = activations.get(activation).forward
    rng = np.random.default_rng(check_int("seed", seed, 0))
    G = [rng.standard_normal((width, width)) / math.sqrt(width) for _ in range(depth)]
    beta = [rng.standard_normal(width) for _ in range(depth)]
    h1, h2 = _pairs(rng, 1.0, c0, pairs, width)
    base = np.concatenate([h1, h2])  # (2 pairs, width), unit length
    result = np.empty((sb.size, sw.size))
    gains = np.repeat(np.sqrt(sw), 2 * pairs)[:, None]
    for i, b2 in enumerate(sb):
        q0 = [_start_length(activation, s, b2) for s in sw]
        h = np.concatenate([math.sqrt(q) * base for q in q0])
        for G_l, beta_l in zip(G, beta):
            h = gains * (phi(h) @ G_l) + math.sqrt(b2) * beta_l
        h = h.reshape(sw.size, 2, pairs, width)
        result[i] = _cosine(h[:, 0], h[:, 1])
    return result


def jacobian_spectrum(
    activation: str,
    sigma_w2: float,
    sigma_b2: float,
    depth: int,
    width: int = 256,
    weights: str = "orthogonal",
    seed: int = 0,
) -> np.ndarray:
    """The singular values (largest first) of ``J = ∂A^depth/∂x`` of a random network of
    ``depth`` layers of ``width`` units, at an input ``x = φ(h)``, ``h ~ N(0, q*)``: a layer's
    activation at the fixed point (Pennington, Schoenholz & Ganguli 2017).

    ``weights``: ``"orthogonal"`` (gain ``√σ_w²``) or ``"gaussian"`` (``N(0, σ_w²/width)``);
    biases ``N(0, σ_b²)``.
    """
    sigma_w2, sigma_b2 = _check(activation, sigma_w2, sigma_b2)
    check_choice("weights", weights, ("orthogonal", "gaussian"))
    depth, width = check_int("depth", depth), check_int("width", width)
    if weights == "orthogonal":
        weight_init = initializers.orthogonal(gain=math.sqrt(sigma_w2))
    else:
        weight_init = initializers.variance_scaling(sigma_w2)
    bias_init = initializers.random_normal(math.sqrt(sigma_b2)) if sigma_b2 > 0 else "zeros"
    rng = np.random.default_rng(check_int("seed", seed, 0))
    net = MLP([width] * (depth + 1) + [1], activation, "linear", weight_init, bias_init, seed=rng)
    h = rng.standard_normal(width) * math.sqrt(_start_length(activation, sigma_w2, sigma_b2))
    x = activations.get(activation).forward(h)
    return diagnostics.jacobian_singular_values(net, x, layer=depth)
