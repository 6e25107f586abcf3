"""wtinit_lib.random_networks: simulated wide random networks against mean-field theory.

The simulations are measurements (sampling), the maps are integrals: agreement within the
finite-width noise is the test. Plus the exact cases: an orthogonal linear network is an
isometry, and the phase diagram's common random numbers make one grid point equal to the same
point inside a larger grid.
"""

from __future__ import annotations

import numpy as np
import pytest

from wtinit_lib import meanfield, random_networks


@pytest.mark.parametrize("activation,sw,sb", [("tanh", 1.2, 0.05), ("relu", 1.5, 0.1)])
def test_one_simulated_layer_follows_the_correlation_map(activation, sw, sb):
    c_in = np.array([0.0, 0.4, 0.8])
    simulated = random_networks.correlation_map_simulated(activation, c_in, sw, sb, width=1500)
    theory = [meanfield.correlation_map(activation, c, sw, sb) for c in c_in]
    assert simulated.shape == (3,)
    np.testing.assert_allclose(simulated, theory, atol=0.03)


def test_propagate_pair_lengths_and_correlations_follow_the_iterated_maps():
    q, c = random_networks.propagate_pair("tanh", 0.3, 1.2, 0.05, 10, q0=2.0, width=1000)
    assert q.shape == c.shape == (11,)
    theory_q = meanfield.length_iterates("tanh", 2.0, 1.2, 0.05, 10)
    np.testing.assert_allclose(q, theory_q, rtol=0.08)
    assert c[-1] > 0.8  # ordered (χ₁ < 1): the pair grows alike
    # at q* the correlations follow the correlation map
    _, c_star_start = random_networks.propagate_pair("tanh", 0.3, 1.2, 0.05, 6, width=1500)
    theory_c = meanfield.correlation_iterates("tanh", 0.3, 1.2, 0.05, 6)
    np.testing.assert_allclose(c_star_start, theory_c, atol=0.04)


def test_phase_diagram_classifies_the_phases_and_uses_common_random_numbers():
    sw, sb = [0.8, 3.5], [0.05, 0.2]
    grid = random_networks.phase_diagram("tanh", sw, sb, depth=20, width=300)
    assert grid.shape == (2, 2)
    assert np.all(grid[:, 0] > 0.95) and np.all(grid[:, 1] < 0.9)  # ordered, chaotic
    single = random_networks.phase_diagram("tanh", [3.5], [0.2], depth=20, width=300)
    # the same random numbers, scaled (up to the rounding of a larger matrix product)
    assert single[0, 0] == pytest.approx(grid[1, 1], abs=1e-12)


def test_jacobian_spectrum_of_an_orthogonal_linear_network_is_all_ones():
    s = random_networks.jacobian_spectrum("linear", 1.0, 0.0, 5, width=32)
    np.testing.assert_allclose(s, 1.0, atol=1e-12)
    # ReLU: the mean squared singular value grows by χ₁ = σ_w²/2 per layer
    s = random_networks.jacobian_spectrum("relu", 2.5, 0.0, 10, width=256, weights="gaussian")
    assert np.mean(s**2) ** (1 / 10) == pytest.approx(1.25, rel=0.08)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="weights"):
        random_networks.jacobian_spectrum("tanh", 1.0, 0.0, 2, weights="uniform")
    with pytest.raises(ValueError, match="activation"):
        random_networks.phase_diagram("softmax", [1.0], [0.0])
    with pytest.raises(ValueError, match="sigma_w2"):
        random_networks.correlation_map_simulated("tanh", [0.5], 0.0, 0.0)
