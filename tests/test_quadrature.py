"""wtinit_lib.quadrature: Gaussian expectations against independent computations.

``expect`` against ``theory.gaussian_expectation`` (adaptive quadrature), a more finely split
adaptive quadrature up to ``q = 1e6`` and Monte Carlo; ``expect2`` against the arc-cosine kernels of
Cho & Saul (2009), nested ``scipy.integrate.quad`` and Monte Carlo.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.special import expit

from wtinit_lib import activations, theory
from wtinit_lib.quadrature import expect, expect2

FUNCTIONS = {
    "tanh²": lambda u: np.tanh(u) ** 2,
    "sech⁴": lambda u: (1.0 - np.tanh(u) ** 2) ** 2,
    "sigmoid²": lambda u: expit(u) ** 2,
    "sigmoid'²": lambda u: (expit(u) * expit(-u)) ** 2,
    "relu²": lambda u: np.maximum(u, 0.0) ** 2,
    "step": lambda u: (np.asarray(u) > 0).astype(float),
    "leaky²": lambda u: np.where(u > 0, u, 0.01 * u) ** 2,
}


def split_quad(f, q):
    """E[f(√q z)] by adaptive quadrature in u = √q z, split at 0, ±1, ±5, ±20, ±100 and ±12√q."""
    s = math.sqrt(q)

    def integrand(u):
        return float(f(np.array([u]))[0]) * math.exp(-u * u / (2 * q)) / math.sqrt(2 * math.pi * q)

    cuts = [min(x, 12 * s) for x in (1.0, 5.0, 20.0, 100.0, 12 * s)]
    edges = sorted({0.0, *cuts, *(-x for x in cuts)})
    return sum(
        integrate.quad(integrand, a, b, limit=500, epsabs=0, epsrel=1e-13)[0]
        for a, b in zip(edges[:-1], edges[1:])
    )


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("q", [1e-6, 1e-3, 0.3, 1.0, 16.0, 256.0, 1e4])
def test_expect_equals_the_theory_modules_quadrature(name, q):
    f = FUNCTIONS[name]
    reference = theory.gaussian_expectation(lambda z: float(f(np.array([z]))[0]), q)
    assert expect(f, q) == pytest.approx(reference, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("q", [1e-6, 1.0, 1e4, 1e6])
def test_expect_equals_finely_split_quadrature_up_to_q_1e6(name, q):
    # (at q = 1e6, theory.gaussian_expectation, split at 0 and ±1 only, loses the peak of sech⁴
    # and the bend of sigmoid² on [1, 12000]: off by 8% and 4e-5)
    f = FUNCTIONS[name]
    assert expect(f, q) == pytest.approx(split_quad(f, q), rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("q", [0.05, 1.0, 64.0, 1e4])
def test_expect_agrees_with_monte_carlo(q):
    z = np.random.default_rng(0).standard_normal(1_000_000)
    for name in ("tanh²", "sech⁴", "sigmoid²", "relu²"):
        values = FUNCTIONS[name](math.sqrt(q) * z)
        error = values.std() / math.sqrt(values.size)
        assert abs(expect(FUNCTIONS[name], q) - values.mean()) < 5 * error + 1e-15


def test_expect_at_q_zero_is_f_of_zero():
    assert expect(np.cos, 0.0) == 1.0
    with pytest.raises(ValueError, match=r"`q` must be a non-negative number. Received: q=-1"):
        expect(np.cos, -1)


def arc_cosine(q1, q2, c):
    """E[relu(u1) relu(u2)] and E[1(u1 > 0) 1(u2 > 0)] in closed form (Cho & Saul 2009)."""
    theta = math.acos(c)
    k1 = math.sqrt(q1 * q2) / (2 * math.pi) * (math.sin(theta) + (math.pi - theta) * c)
    return k1, (math.pi - theta) / (2 * math.pi)


@pytest.mark.parametrize(
    "q1,q2,c",
    [(1.0, 1.0, 0.3), (2.0, 0.5, -0.7), (100.0, 100.0, 0.999), (1.0, 4.0, 1.0), (3.0, 3.0, -1.0)],
)
def test_expect2_equals_the_arc_cosine_kernels(q1, q2, c):
    relu, step = FUNCTIONS["relu²"], FUNCTIONS["step"]
    k1, k0 = arc_cosine(q1, q2, c)
    relu = activations.relu
    assert expect2(relu, relu, q1, q2, c) == pytest.approx(k1, rel=1e-11, abs=1e-15)
    assert expect2(step, step, q1, q2, c) == pytest.approx(k0, rel=1e-11, abs=1e-15)
    assert k1 >= 0


def nested_quad(f, g, q, c):
    """E[f(u1) g(u2)] by nested scipy quadrature over (z1, z2), split at 0."""
    s = math.sqrt(1 - c * c)
    density = 1 / (2 * math.pi)

    def inner(z1):
        def integrand(z2):
            return g(math.sqrt(q) * (c * z1 + s * z2)) * math.exp(-0.5 * z2 * z2)

        kink = -c * z1 / s
        total = sum(
            integrate.quad(integrand, a, b, epsabs=1e-14, epsrel=1e-12, limit=200)[0]
            for a, b in ((-12.0, kink), (kink, 12.0))
        )
        return f(math.sqrt(q) * z1) * math.exp(-0.5 * z1 * z1) * total

    pieces = ((-12.0, 0.0), (0.0, 12.0))
    return density * sum(
        integrate.quad(inner, a, b, epsabs=1e-13, epsrel=1e-11, limit=200)[0] for a, b in pieces
    )


@pytest.mark.parametrize("q,c", [(1.0, 0.5), (100.0, 0.999), (0.2, -0.3)])
def test_expect2_equals_nested_quadrature_for_tanh_and_its_derivative(q, c):
    sech2 = lambda u: 1.0 - np.tanh(u) ** 2  # noqa: E731
    for f in (np.tanh, sech2):
        assert expect2(f, f, q, q, c) == pytest.approx(nested_quad(f, f, q, c), abs=1e-10)


@pytest.mark.parametrize("q,c", [(0.5, 0.3), (5.0, 0.9), (100.0, -0.5), (1.0, 0.9999)])
def test_expect2_agrees_with_monte_carlo(q, c):
    z1, z2 = np.random.default_rng(1).standard_normal((2, 1_000_000))
    u1, u2 = math.sqrt(q) * z1, math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2)
    for f in (np.tanh, expit):
        values = f(u1) * f(u2)
        error = values.std() / math.sqrt(values.size)
        assert abs(expect2(f, f, q, q, c) - values.mean()) < 5 * error


def test_arguments_are_checked():
    with pytest.raises(ValueError, match=r"`c` must be a number in \[-1, 1\]. Received: c=1.5"):
        expect2(np.tanh, np.tanh, 1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match=r"`q2`"):
        expect2(np.tanh, np.tanh, 1.0, -1.0, 0.5)
    assert expect2(np.cos, np.cos, 0.0, 2.0, 0.3) == pytest.approx(expect(np.cos, 2.0))
