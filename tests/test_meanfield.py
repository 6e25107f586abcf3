"""wtinit_lib.meanfield against independent computations.

The maps against sampled wide layers and the closed forms of ReLU (the arc-cosine kernel of Cho &
Saul 2009); the slopes against finite differences; the fixed points and depth scales against the
iterated maps. (The integrals themselves are tested in test_quadrature.py.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit

from wtinit_lib import activations, meanfield

FUNCTIONS = {
    "tanh²": lambda u: np.tanh(u) ** 2,
    "sech⁴": lambda u: (1.0 - np.tanh(u) ** 2) ** 2,
    "sigmoid²": lambda u: expit(u) ** 2,
    "sigmoid'²": lambda u: (expit(u) * expit(-u)) ** 2,
    "relu²": lambda u: np.maximum(u, 0.0) ** 2,
    "step": lambda u: (np.asarray(u) > 0).astype(float),
    "leaky²": lambda u: np.where(u > 0, u, 0.01 * u) ** 2,
}


def arc_cosine(q1, q2, c):
    """E[relu(u1) relu(u2)] and E[1(u1 > 0) 1(u2 > 0)] in closed form (Cho & Saul 2009)."""
    theta = math.acos(c)
    k1 = math.sqrt(q1 * q2) / (2 * math.pi) * (math.sin(theta) + (math.pi - theta) * c)
    return k1, (math.pi - theta) / (2 * math.pi)


def test_second_derivative_is_the_derivative_of_the_library_derivative():
    u = np.linspace(-4, 4, 81) + 0.0123  # off the kink at 0
    h = 1e-5
    for name in meanfield.ACTIVATIONS:
        g = activations.get(name)
        d1 = lambda v: g.derivative(v, g.forward(v)).astype(float)  # noqa: B023, E731
        numeric = (d1(u + h) - d1(u - h)) / (2 * h)
        np.testing.assert_allclose(meanfield.second_derivative(name, u), numeric, atol=1e-8)


# --- the length map ------------------------------------------------------------------------------

CASES = [
    ("tanh", 1.5, 0.05),
    ("tanh", 3.0, 0.05),
    ("sigmoid", 4.0, 0.1),
    ("relu", 1.5, 0.1),
    ("leaky_relu", 1.9, 0.05),
    ("linear", 0.8, 0.2),
]


@pytest.mark.parametrize("activation,sw,sb", CASES)
def test_q_star_is_a_fixed_point_and_the_slopes_are_finite_differences(activation, sw, sb):
    q = meanfield.q_star(activation, sw, sb)
    assert 0 < q < math.inf
    assert meanfield.length_map(activation, q, sw, sb) == pytest.approx(q, rel=1e-12)
    dq = 1e-5 * q
    numeric = (
        meanfield.length_map(activation, q + dq, sw, sb)
        - meanfield.length_map(activation, q - dq, sw, sb)
    ) / (2 * dq)
    assert meanfield.length_map_slope(activation, q, sw) == pytest.approx(numeric, rel=1e-6)
    # the correlation map's slope at c = 1 is chi_1 (a one-sided difference: relu's map has a
    # (1 - c)^(3/2) term, so h is small)
    h = 1e-8
    slope = (1 - meanfield.correlation_map(activation, 1 - h, sw, sb)) / h
    assert slope == pytest.approx(meanfield.chi1(activation, sw, sb), rel=1e-4)
    c = 0.4
    numeric = (
        meanfield.correlation_map(activation, c + 1e-6, sw, sb)
        - meanfield.correlation_map(activation, c - 1e-6, sw, sb)
    ) / 2e-6
    assert meanfield.correlation_map_slope(activation, c, sw, sb) == pytest.approx(numeric, 1e-6)


def test_closed_forms_of_the_homogeneous_activations():
    assert meanfield.q_star("relu", 1.5, 0.1) == pytest.approx(0.1 / (1 - 0.75), rel=1e-15)
    assert meanfield.q_star("linear", 0.8, 0.2) == pytest.approx(1.0, rel=1e-15)
    assert meanfield.q_star("relu", 2.0, 0.1) == math.inf  # critical ReLU with a bias grows
    assert meanfield.q_star("relu", 1.0, 0.0) == 0.0
    assert meanfield.chi1("relu", 1.5, 0.0) == 0.75  # q* = 0, but relu' does not see the scale
    assert meanfield.chi1("leaky_relu", 2.0, 0.0) == pytest.approx(1.0001, rel=1e-13)
    assert meanfield.chi1("linear", 0.9, 0.1) == 0.9
    assert meanfield.critical_sigma_w2("relu", 0.0) == 2.0  # He et al. 2015
    assert meanfield.critical_sigma_w2("leaky_relu", 0.0) == pytest.approx(2 / 1.0001)
    for q in (1e-4, 0.7, 1e3):
        assert meanfield.length_map("relu", q, 2.0, 0.0) == pytest.approx(q, rel=1e-13)


@pytest.mark.parametrize("sw,sb,c", [(1.5, 0.1, 0.3), (2.0, 0.0, -0.5), (1.0, 0.3, 0.95)])
def test_relu_correlation_map_is_the_normalized_arc_cosine_kernel(sw, sb, c):
    q = 1.7
    k1, _ = arc_cosine(q, q, c)
    expected = (sw * k1 + sb) / (sw * q / 2 + sb)
    assert meanfield.correlation_map("relu", c, sw, sb, q=q) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("activation", meanfield.ACTIVATIONS)
def test_the_maps_agree_with_a_sampled_wide_layer(activation):
    rng = np.random.default_rng(3)
    N, pairs, sw, sb, q, c0 = 2000, 16, 1.8, 0.05, 0.9, 0.6
    phi = activations.get(activation).forward
    z = rng.standard_normal((2, pairs, N))
    h1 = math.sqrt(q) * z[0]
    h2 = math.sqrt(q) * (c0 * z[0] + math.sqrt(1 - c0**2) * z[1])
    W = rng.standard_normal((N, N)) * math.sqrt(sw / N)
    b = rng.standard_normal(N) * math.sqrt(sb)
    o1, o2 = phi(h1) @ W + b, phi(h2) @ W + b
    q1 = np.mean(o1**2)
    c1 = np.mean(np.sum(o1 * o2, 1) / np.sqrt(np.sum(o1**2, 1) * np.sum(o2**2, 1)))
    assert q1 == pytest.approx(meanfield.length_map(activation, q, sw, sb), rel=0.05)
    assert c1 == pytest.approx(meanfield.correlation_map(activation, c0, sw, sb, q=q), abs=0.03)


# --- fixed points, the critical line, depth scales -----------------------------------------------


def test_c_star_is_a_stable_fixed_point_in_the_chaotic_phase_only():
    q = meanfield.q_star("tanh", 3.0, 0.05)
    c = meanfield.c_star("tanh", 3.0, 0.05)
    assert 0 < c < 1
    assert meanfield.correlation_map("tanh", c, 3.0, 0.05) == pytest.approx(c, abs=1e-12)
    assert meanfield.chi_c("tanh", 3.0, 0.05) < 1 < meanfield.chi1("tanh", 3.0, 0.05)
    assert meanfield.correlation_map_slope("tanh", c, 3.0, 0.05, q=q) < 1
    assert meanfield.c_star("tanh", 1.5, 0.05) == 1.0
    assert meanfield.c_star("tanh", 2.0, 0.0) == 0.0  # odd φ, no bias: c* = 0


def test_c_star_falls_continuously_from_1_above_the_critical_line():
    critical = meanfield.critical_sigma_w2("tanh", 0.05)
    previous = 1.0
    for eps in (1e-4, 1e-3, 1e-2, 1e-1):
        c = meanfield.c_star("tanh", critical + eps, 0.05)
        assert 0 < c < previous
        assert meanfield.correlation_map("tanh", c, critical + eps, 0.05) == pytest.approx(c)
        previous = c
    # xi_c diverges from both sides of the line
    assert meanfield.depth_scale_c("tanh", critical - 1e-3, 0.05) > 1000
    assert meanfield.depth_scale_c("tanh", critical + 1e-3, 0.05) > 1000


@pytest.mark.parametrize("activation,sb", [("tanh", 0.0), ("tanh", 0.05), ("sigmoid", 0.1)])
def test_chi1_is_1_on_the_critical_line_and_changes_sign_across_it(activation, sb):
    s = meanfield.critical_sigma_w2(activation, sb)
    assert meanfield.chi1(activation, s, sb) == pytest.approx(1.0, abs=1e-9)
    assert meanfield.chi1(activation, 0.95 * s, sb) < 1 < meanfield.chi1(activation, 1.05 * s, sb)


def test_tanh_without_bias_is_critical_at_sigma_w2_1():
    assert meanfield.critical_sigma_w2("tanh", 0.0) == pytest.approx(1.0, abs=1e-9)
    assert meanfield.q_star("tanh", 0.9, 0.0) == 0.0
    assert meanfield.chi1("tanh", 0.9, 0.0) == pytest.approx(0.9)
    assert meanfield.q_star("tanh", 1.1, 0.0) > 0


@pytest.mark.parametrize("sw", [1.0, 1.5, 2.5, 4.0])
def test_depth_scale_c_is_the_rate_of_the_iterated_map(sw):
    # |c_ℓ - c*| shrinks by exp(-1/ξ_c) per layer once c is near c*
    xi = meanfield.depth_scale_c("tanh", sw, 0.05)
    c_star = meanfield.c_star("tanh", sw, 0.05)
    cs = meanfield.correlation_iterates("tanh", c_star - 1e-4, sw, 0.05, 6)
    gaps = np.abs(cs - c_star)
    assert gaps[6] / gaps[5] == pytest.approx(math.exp(-1 / xi), rel=1e-3)


def test_depth_scales_of_the_two_phases():
    # ordered: xi_c = xi_grad = -1/ln chi_1; chaotic: xi_c from the slope at c*, xi_grad < 0
    chi = meanfield.chi1("tanh", 1.5, 0.05)
    assert meanfield.depth_scale_c("tanh", 1.5, 0.05) == pytest.approx(-1 / math.log(chi))
    assert meanfield.depth_scale_grad("tanh", 1.5, 0.05) == pytest.approx(-1 / math.log(chi))
    assert meanfield.depth_scale_grad("tanh", 3.0, 0.05) < 0
    chaotic = meanfield.depth_scale_c("tanh", 3.0, 0.05)
    assert chaotic > abs(meanfield.depth_scale_grad("tanh", 3.0, 0.05))
    q = meanfield.q_star("tanh", 1.5, 0.05)
    slope = meanfield.length_map_slope("tanh", q, 1.5)
    assert meanfield.depth_scale_q("tanh", 1.5, 0.05) == pytest.approx(-1 / math.log(slope))


def test_arguments_are_checked():
    with pytest.raises(ValueError, match=r"`c` must be a number in \[-1, 1\]. Received: c=1.2"):
        meanfield.correlation_map("tanh", 1.2, 1.5, 0.05)
    with pytest.raises(ValueError, match="activation"):
        meanfield.chi1("softmax", 1.5, 0.05)
    with pytest.raises(ValueError, match="sigma_w2"):
        meanfield.q_star("tanh", 0.0, 0.05)
    with pytest.raises(ValueError, match="sigma_b2"):
        meanfield.q_star("tanh", 1.0, -0.1)
    with pytest.raises(ValueError, match="depth"):
        meanfield.correlation_iterates("tanh", 0.2, 1.5, 0.05, 0)
