"""wtinit_lib.theory: what variance propagation predicts, checked against sampling and networks.

``gaussian_expectation`` (``E[f(z)]``, ``z ~ N(0, q)``, by adaptive quadrature) agrees with Monte
Carlo within a bound derived from the standard error, with the old 100-point Gauss-Hermite rule
where that rule was accurate (small ``q``), and with an independent quadrature at large ``q``,
where Gauss-Hermite was not. The moments, the recursion ``Var(z^ℓ) = n Var(w) E[a²] + Var(b)``,
the rules' variances and the products of random matrices follow.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy import integrate
from scipy.special import expit

from wtinit_lib import MLP, activations, diagnostics, layerstats, measures, theory

RULE_INIT = {"lecun": "lecun_normal", "he": "he_normal", "glorot": "glorot_normal"}

#: Functions to integrate against N(0, q): the squared activations of the theory, and a few
#: with a kink or no bound, where a fixed quadrature rule has the hardest time.
FUNCTIONS = {
    "tanh²": lambda z: np.tanh(z) ** 2,
    "sigmoid²": lambda z: expit(z) ** 2,
    "sigmoid": expit,
    "relu": lambda z: np.maximum(z, 0.0),
    "|z|": np.abs,
    "cos": np.cos,
}


def old_gauss_hermite(f, q):
    """``E[f(z)]`` as computed before the restructure: 100-point Gauss-Hermite quadrature."""
    nodes, weights = hermegauss(100)
    return float(np.sum(weights / math.sqrt(2.0 * math.pi) * f(math.sqrt(q) * nodes)))


def split_quad(f, q):
    """``E[f(z)]`` by scipy's quad on other pieces than the library's: infinite tails, and cuts
    at ±0.5, ±3 and ±20√q instead of 0, ±1 and ±12√q."""
    s = math.sqrt(q)
    cuts = [-math.inf, -20 * s, -3.0, -0.5, 0.5, 3.0, 20 * s, math.inf]
    cuts = sorted(set(cuts))
    total = 0.0
    for low, high in zip(cuts[:-1], cuts[1:]):
        value, _ = integrate.quad(
            lambda z: f(z) * math.exp(-0.5 * z * z / q) / math.sqrt(2 * math.pi * q),
            low,
            high,
            epsabs=1e-15,
            epsrel=1e-13,
            limit=200,
        )
        total += value
    return total


# --- gaussian_expectation -------------------------------------------------------------------------


@pytest.mark.parametrize("q", [0.01, 1.0, 6.0, 100.0])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_gaussian_expectation_agrees_with_monte_carlo_within_its_standard_error(name, q):
    f = FUNCTIONS[name]
    values = f(np.random.default_rng(11).standard_normal(1_000_000) * math.sqrt(q))
    standard_error = values.std() / math.sqrt(values.size)
    # Five standard errors: a correct integral lands outside with probability 6e-7.
    assert abs(theory.gaussian_expectation(f, q) - values.mean()) < 5 * standard_error + 1e-15


@pytest.mark.parametrize("q", [1e-3, 0.01, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("name", ["tanh²", "sigmoid²", "sigmoid", "cos"])
def test_gaussian_expectation_equals_the_old_gauss_hermite_where_it_was_accurate(name, q):
    f = FUNCTIONS[name]
    assert theory.gaussian_expectation(f, q) == pytest.approx(old_gauss_hermite(f, q), abs=1e-10)


@pytest.mark.parametrize("q", [1e-6, 0.3, 6.0, 100.0, 1e4])
@pytest.mark.parametrize("name", ["tanh²", "sigmoid²", "relu"])
def test_gaussian_expectation_equals_quad_on_a_different_split(name, q):
    f = FUNCTIONS[name]
    assert theory.gaussian_expectation(f, q) == pytest.approx(split_quad(f, q), abs=1e-9)


def test_tanh_squared_at_large_q_is_accurate_where_gauss_hermite_was_off_by_4_percent():
    f = FUNCTIONS["tanh²"]
    value = theory.gaussian_expectation(f, 100.0)
    assert value == pytest.approx(0.9205, abs=5e-5)
    assert abs(value - split_quad(f, 100.0)) < 1e-6
    # The fixed nodes of Gauss-Hermite sit ~√q = 10 apart in z near 0 and miss tanh's bend.
    assert old_gauss_hermite(f, 100.0) - value > 0.03
    assert theory.second_moment("tanh", 100.0) == value


def test_gaussian_expectation_at_q_zero_is_f_of_zero():
    assert theory.gaussian_expectation(np.cos, 0.0) == 1.0
    assert theory.gaussian_expectation(lambda z: z + 3.0, 0) == 3.0


def test_gaussian_expectation_of_a_polynomial_is_its_gaussian_moment():
    q = 2.5
    assert theory.gaussian_expectation(lambda z: z**2, q) == pytest.approx(q, rel=1e-12)
    assert theory.gaussian_expectation(lambda z: z**4, q) == pytest.approx(3 * q**2, rel=1e-12)
    assert theory.gaussian_expectation(lambda z: z**3, q) == pytest.approx(0.0, abs=1e-12)


def test_gaussian_expectation_checks_q():
    with pytest.raises(ValueError, match=r"`q` must be a non-negative number. Received: q=-1"):
        theory.gaussian_expectation(np.cos, -1)
    with pytest.raises(ValueError, match=r"`q`.*q=inf"):
        theory.gaussian_expectation(np.cos, math.inf)
    with pytest.raises(TypeError, match=r"`q`.*q='1'"):
        theory.gaussian_expectation(np.cos, "1")


# --- moments --------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", activations.HIDDEN)
@pytest.mark.parametrize("q", [0.01, 1.0, 6.0])
def test_moments_match_monte_carlo(activation, q):
    g = activations.get(activation).forward
    z = np.random.default_rng(7).standard_normal(1_000_000) * math.sqrt(q)
    a = g(z)
    # Monte Carlo standard error of E[a²] is std(a²)/1000 < 0.5 % of the mean here.
    assert theory.second_moment(activation, q) == pytest.approx(np.mean(a**2), rel=0.01)
    assert theory.first_moment(activation, q) == pytest.approx(
        np.mean(a), abs=0.005 * math.sqrt(q) + 1e-3
    )


def test_second_moment_closed_forms_and_quadrature_accuracy():
    assert theory.second_moment("relu", 3.0) == 1.5
    assert theory.second_moment("linear", 3.0) == 3.0
    assert theory.second_moment("leaky_relu", 2.0) == pytest.approx(1.0001)
    assert theory.second_moment("sigmoid", 0.0) == pytest.approx(0.25, abs=1e-15)
    assert theory.second_moment("tanh", 0.0) == 0.0
    # Small q: tanh(z)² ≈ z² - 2z⁴/3, so E ≈ q - 2q²; quadrature must see the correction.
    q = 1e-3
    assert theory.second_moment("tanh", q) == pytest.approx(q - 2 * q**2, rel=1e-5)
    # Large q: tanh(z)² -> 1 except near 0, where the density is 1/sqrt(2π q), so
    # 1 - E[tanh²] = E[sech²] ≈ ∫sech² / sqrt(2π q) = 2 / sqrt(2π q) (next term O(q^-3/2)).
    for q in (100.0, 400.0):
        expected = 1 - 2 / math.sqrt(2 * math.pi * q)
        assert theory.second_moment("tanh", q) == pytest.approx(expected, abs=1e-3)


def test_theory_covers_every_hidden_activation():
    assert theory.ACTIVATIONS == activations.HIDDEN


# --- the rules' variances and the recursion ---------------------------------------------------


def test_weight_variances():
    sizes = [4, 6, 2]
    np.testing.assert_allclose(theory.weight_variances(sizes, "lecun"), [1 / 4, 1 / 6])
    np.testing.assert_allclose(theory.weight_variances(sizes, "he"), [2 / 4, 2 / 6])
    np.testing.assert_allclose(theory.weight_variances(sizes, "glorot"), [2 / 10, 2 / 8])
    np.testing.assert_allclose(
        theory.weight_variances(sizes, "xavier"), theory.weight_variances(sizes, "glorot")
    )


def test_predictions_follow_the_recursion_by_hand():
    sizes = [10, 20, 30, 5]
    stds = theory.predicted_preactivation_stds(sizes, 0.1, "relu", input_second_moment=2.0)
    q1 = 10 * 0.1 * 2.0
    q2 = 20 * 0.1 * q1 / 2
    q3 = 30 * 0.1 * q2 / 2
    np.testing.assert_allclose(stds, np.sqrt([q1, q2, q3]))
    with_bias = theory.predicted_preactivation_stds(sizes, [0.1, 0.1, 0.1], "linear", 1.0, 0.5)
    np.testing.assert_allclose(with_bias**2, [1.5, 20 * 0.1 * 1.5 + 0.5, 30 * 0.1 * 3.5 + 0.5])
    act = theory.predicted_activation_stds(sizes, 0.1, "relu", 2.0)
    assert act.shape == (2,)
    np.testing.assert_allclose(act**2, np.array([q1, q2]) * (0.5 - 1 / (2 * math.pi)))


def test_he_keeps_relu_preactivations_constant():
    sizes = [100] * 11
    stds = theory.predicted_preactivation_stds(sizes, theory.weight_variances(sizes, "he"), "relu")
    np.testing.assert_allclose(stds, math.sqrt(2.0))  # q_1 = n · (2/n) · E[x²] = 2, then kept
    lecun = theory.predicted_preactivation_stds(
        sizes, theory.weight_variances(sizes, "lecun"), "relu"
    )
    np.testing.assert_allclose(lecun, 2.0 ** (-np.arange(10) / 2))  # halves each layer


@pytest.mark.parametrize(
    "activation, rule",
    [("tanh", "lecun"), ("relu", "he"), ("sigmoid", "glorot"), ("leaky_relu", "he")],
)
def test_predicted_stds_match_a_wide_network(activation, rule):
    sizes = [400, 800, 800, 800, 10]
    net = MLP(sizes, activation, "linear", weight_init=RULE_INIT[rule], seed=3)
    X = np.random.default_rng(4).standard_normal((500, 400))
    weight_vars = [np.var(W) for W in net.weights]  # the realised variance, not the nominal one
    predicted = theory.predicted_preactivation_stds(
        sizes, weight_vars, activation, input_second_moment=float(np.mean(X**2))
    )
    stats = diagnostics.layer_stats(net, X)
    measured = layerstats.per_layer(stats, "pre_std")
    # Hidden layers only: 10 output units are too few for a 5 % agreement.
    np.testing.assert_allclose(measured[:-1], predicted[:-1], rtol=0.05)
    predicted_act = theory.predicted_activation_stds(
        sizes, weight_vars, activation, input_second_moment=float(np.mean(X**2))
    )
    measured_act = layerstats.per_layer(stats, "act_std")[:-1]
    np.testing.assert_allclose(measured_act, predicted_act, rtol=0.05)


# --- the correlation map of ReLU ---------------------------------------------------------------


@pytest.mark.parametrize("c", [-0.6, 0.0, 0.3, 0.8])
def test_relu_correlation_map_agrees_with_sampling(c):
    rng = np.random.default_rng(11)
    u, e = rng.standard_normal((2, 2_000_000))
    v = c * u + math.sqrt(1 - c * c) * e  # corr(u, v) = c, equal variances
    products = np.maximum(u, 0) * np.maximum(v, 0)
    sampled = products.mean() / np.mean(np.maximum(u, 0) ** 2)
    error = 4 * products.std() / math.sqrt(u.size) / 0.5  # 4 standard errors, E[relu²] = 1/2
    assert abs(theory.relu_correlation_map(c) - sampled) < error


def test_relu_correlation_map_agrees_with_quadrature():
    # E[relu(u) relu(v)] = ∫ relu(u) E[relu(c u + s e) | u] φ(u) du, the inner expectation over
    # e in closed form: E[relu(m + s e)] = m Φ(m/s) + s φ(m/s).
    from scipy import stats

    c = 0.45
    s = math.sqrt(1 - c * c)

    def inner(u: float) -> float:
        m = c * u
        return m * stats.norm.cdf(m / s) + s * stats.norm.pdf(m / s)

    value = integrate.quad(lambda u: u * inner(u) * stats.norm.pdf(u), 0, 12)[0]
    assert theory.relu_correlation_map(c) == pytest.approx(value / 0.5, rel=1e-9)


def test_relu_correlation_map_fixed_points_shape_and_checks():
    assert theory.relu_correlation_map(1.0) == pytest.approx(1.0, abs=1e-15)
    assert theory.relu_correlation_map(0.0) == pytest.approx(1 / math.pi)
    assert theory.relu_correlation_map(-1.0) == pytest.approx(0.0, abs=1e-15)
    c = np.linspace(-1, 0.99, 50)
    mapped = theory.relu_correlation_map(c)
    assert mapped.shape == c.shape and np.all(mapped > c)  # every layer moves c toward 1
    assert isinstance(theory.relu_correlation_map(0.5), float)
    with pytest.raises(ValueError, match=r"`c` must lie in \[-1, 1\]"):
        theory.relu_correlation_map(1.5)


def test_relu_correlation_map_predicts_a_wide_networks_cosines():
    rng = np.random.default_rng(0)
    n, m = 1000, 40
    A = rng.standard_normal((m, n))
    c, measured, predicted = measures.mean_pairwise_cosine(A), [], []
    for _ in range(4):
        A = np.maximum(A @ rng.normal(0, math.sqrt(2 / n), (n, n)), 0)
        c = theory.relu_correlation_map(c)
        measured.append(measures.mean_pairwise_cosine(A))
        predicted.append(c)
    np.testing.assert_allclose(measured, predicted, atol=0.02)


# --- products of random matrices ------------------------------------------------------------------


def test_random_matrix_product_norms_first_step_and_shape():
    norms = theory.random_matrix_product_norms(4, 3, 1.0, seed=0)
    M = np.random.default_rng(0).normal(0.0, 1.0, size=(4, 4))
    assert norms.shape == (3,)
    assert math.isclose(norms[0], np.linalg.norm(M) / 2.0, rel_tol=1e-12)


def test_random_matrix_product_norms_matches_direct_product():
    rng = np.random.default_rng(5)
    product = np.eye(6)
    direct = []
    for _ in range(10):
        product = product @ rng.normal(0.0, 0.7, size=(6, 6))
        direct.append(np.linalg.norm(product) / math.sqrt(6))
    np.testing.assert_allclose(
        theory.random_matrix_product_norms(6, 10, 0.7, seed=5), direct, rtol=1e-10
    )


def test_random_matrix_product_norms_growth_rate_and_overflow():
    n = 100
    big = theory.random_matrix_product_norms(n, 50, 2.0 / math.sqrt(n), seed=1)
    assert 1e13 < big[-1] < 1e17  # about 2**50 = 1.1e15
    huge = theory.random_matrix_product_norms(n, 400, 10.0 / math.sqrt(n), seed=1)
    assert np.isinf(huge[-1])  # 10**400 is beyond float64, reported as inf


@pytest.mark.parametrize("bad", [{"n": 0}, {"num_matrices": 0}, {"std": 0.0}, {"std": -1.0}])
def test_random_matrix_product_norms_rejects_bad_arguments(bad):
    kwargs = {"n": 3, "num_matrices": 2, "std": 1.0} | bad
    with pytest.raises(ValueError):
        theory.random_matrix_product_norms(**kwargs)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: theory.second_moment("selu", 1.0), ValueError, r"`activation`.*'selu'"),
        (lambda: theory.second_moment("relu", -1.0), ValueError, r"`q`.*non-negative.*q=-1"),
        (lambda: theory.second_moment("relu", "1"), TypeError, r"`q`.*q='1'"),
        (lambda: theory.first_moment("tanh", math.inf), ValueError, r"`q`.*q=inf"),
        (lambda: theory.weight_variances([4, 2], "kaiming_he"), ValueError, r"`rule`.*he"),
        (lambda: theory.weight_variances([4], "he"), ValueError, r"`layer_sizes`.*\[4\]"),
        (lambda: theory.weight_variances([4, 0], "he"), ValueError, r"`layer_sizes`"),
        (lambda: theory.weight_variances([4, 2.5], "he"), TypeError, r"`layer_sizes`.*ints"),
        (
            lambda: theory.predicted_preactivation_stds([4, 3, 2], [0.1], "relu"),
            ValueError,
            r"`weight_vars`.*list of 2.*\[0.1\]",
        ),
        (
            lambda: theory.predicted_preactivation_stds([4, 3, 2], -0.1, "relu"),
            ValueError,
            r"`weight_vars`.*non-negative.*-0.1",
        ),
        (
            lambda: theory.predicted_preactivation_stds([4, 3, 2], 0.1, "relu", 1.0, [1, 2, 3]),
            ValueError,
            r"`bias_var`.*list of 2",
        ),
        (
            lambda: theory.predicted_activation_stds([4, 3, 2], 0.1, "relu", -1.0),
            ValueError,
            r"`input_second_moment`.*-1.0",
        ),
        (
            lambda: theory.predicted_activation_stds([4, 3, 2], 0.1, "softmax"),
            ValueError,
            r"`activation`.*'softmax'",
        ),
        (
            lambda: theory.random_matrix_product_norms(3, 2, 1.0, seed="s"),
            TypeError,
            r"`seed` must be a numpy Generator",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- the backward pass ----------------------------------------------------------------------------


@pytest.mark.parametrize("activation", activations.HIDDEN)
@pytest.mark.parametrize("q", [0.01, 1.0, 6.0, 100.0])
def test_derivative_second_moment_matches_monte_carlo_and_an_independent_quadrature(activation, q):
    act = activations.get(activation)
    z = np.random.default_rng(8).standard_normal(1_000_000) * math.sqrt(q)
    squared = np.asarray(act.derivative(z, act.forward(z)), dtype=np.float64) ** 2
    standard_error = squared.std() / math.sqrt(squared.size)
    value = theory.derivative_second_moment(activation, q)
    assert abs(value - squared.mean()) < 5 * standard_error + 1e-12
    if activation in ("tanh", "sigmoid"):
        derivative = {
            "tanh": lambda t: (1.0 - np.tanh(t) ** 2) ** 2,
            "sigmoid": lambda t: (expit(t) * (1.0 - expit(t))) ** 2,
        }[activation]
        assert value == pytest.approx(split_quad(derivative, q), abs=1e-9)


def test_derivative_second_moment_closed_forms_and_limits():
    assert theory.derivative_second_moment("linear", 3.0) == 1.0
    assert theory.derivative_second_moment("relu", 3.0) == 0.5
    assert theory.derivative_second_moment("leaky_relu", 3.0) == pytest.approx((1 + 1e-4) / 2)
    assert theory.derivative_second_moment("tanh", 0.0) == 1.0  # tanh'(0) = 1
    assert theory.derivative_second_moment("sigmoid", 0.0) == 1 / 16  # sigmoid'(0) = 1/4
    # Small q: tanh'(z)² = (1 - tanh²)² ≈ 1 - 2z², so E ≈ 1 - 2q.
    assert theory.derivative_second_moment("tanh", 1e-4) == pytest.approx(1 - 2e-4, rel=1e-7)


def test_predicted_backward_ratios_follow_the_recursion_by_hand():
    sizes = [10, 20, 30, 5]
    ratios = theory.predicted_backward_ratios(sizes, [0.1, 0.2, 0.3], "relu")
    # Var(dA^2) = 1; Var(dA^1) = n_2 Var(w^2) / 2; Var(dA^0) = n_1 Var(w^1) / 2 · Var(dA^1).
    var1 = 30 * 0.2 / 2
    var0 = 20 * 0.1 / 2 * var1
    np.testing.assert_allclose(ratios, np.sqrt([var0, var1, 1.0]), rtol=1e-12)
    linear = theory.predicted_backward_ratios([8, 8, 8, 8], 1 / 8, "linear")
    np.testing.assert_allclose(linear, 1.0, rtol=1e-12)
    # He's fan_in rule: the backward factors n_ℓ / n_{ℓ-1} telescope to n_{L-1} / n_0 (He et
    # al. 2015, Sec. 2.2), whatever the widths in between.
    funnel = [64, 256, 128, 32, 10]
    he = theory.predicted_backward_ratios(funnel, theory.weight_variances(funnel, "he"), "relu")
    np.testing.assert_allclose(he**2, [32 / 64, 32 / 256, 32 / 128, 1.0], rtol=1e-12)


@pytest.mark.parametrize("activation, rule", [("tanh", "lecun"), ("relu", "he"), ("tanh", "he")])
def test_predicted_backward_ratios_match_networks_with_an_error_independent_of_the_output(
    activation, rule
):
    sizes = [200, 400, 200, 400, 200]
    weight_vars = theory.weight_variances(sizes, rule)
    X = np.random.default_rng(0).standard_normal((100, 200))
    # Mean squared error to large random targets: dZ^L ≈ -Y / Y.size, whatever the network does.
    Y = 1e3 * np.random.default_rng(1).standard_normal((100, 200))
    variances = np.zeros(4)
    for k in range(8):
        init = [f"{rule}_normal"] * 4
        net = MLP(sizes, activation, "linear", weight_init=init, seed=k)
        variances += [np.var(dA) for dA in net.backprop(X, Y).dAs[:4]]
    measured = np.sqrt(variances / variances[-1])
    predicted = theory.predicted_backward_ratios(sizes, weight_vars, activation)
    np.testing.assert_allclose(measured, predicted, rtol=0.03)


# --- residual streams -----------------------------------------------------------------------------


def _sampled_stream_variances(L, width, hidden, v1, v2, activation, q0, pre_norm, nets=6):
    """Var(x_ℓ) averaged over a few random residual stacks, written out in numpy."""
    g = activations.get(activation).forward
    total = np.zeros(L + 1)
    for seed in range(nets):
        rng = np.random.default_rng(seed)
        x = rng.normal(0.0, math.sqrt(q0), size=(256, width))
        variances = [x.var()]
        for _ in range(L):
            u = x
            if pre_norm:
                u = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
            a = g(u @ rng.normal(0.0, math.sqrt(v1), size=(width, hidden)))
            x = x + a @ rng.normal(0.0, math.sqrt(v2), size=(hidden, width))
            variances.append(x.var())
        total += variances
    return total / nets


@pytest.mark.parametrize(
    "case",
    [
        dict(activation="relu", hidden=128, v1=2 / 128, v2=2 / 128, q0=1.0, pre_norm=False),
        dict(activation="relu", hidden=128, v1=2 / 128, v2=2 / 128 / 8, q0=2.0, pre_norm=False),
        dict(activation="relu", hidden=128, v1=2 / 128, v2=2 / 128, q0=2.0, pre_norm=True),
        dict(activation="gelu", hidden=512, v1=0.02**2, v2=0.02**2, q0=0.02**2, pre_norm=True),
    ],
)
def test_residual_stream_variances_match_sampled_stacks(case):
    L, width = 8, 128
    predicted = theory.residual_stream_variances(
        L,
        width,
        case["v1"],
        case["v2"],
        case["activation"],
        hidden_width=case["hidden"],
        input_variance=case["q0"],
        pre_norm=case["pre_norm"],
    )
    sampled = _sampled_stream_variances(
        L,
        width,
        case["hidden"],
        case["v1"],
        case["v2"],
        case["activation"],
        case["q0"],
        case["pre_norm"],
    )
    assert predicted.shape == (L + 1,) and predicted[0] == case["q0"]
    np.testing.assert_allclose(predicted[1:], sampled[1:], rtol=0.12)


def test_residual_stream_variances_closed_forms():
    # He/He ReLU: ×3 per block; W2 × 1/√L: (1 + 2/L)^L; pre-norm: q0 + 2ℓ
    np.testing.assert_allclose(
        theory.residual_stream_variances(5, 64, 2 / 64, 2 / 64), 3.0 ** np.arange(6), rtol=1e-12
    )
    q = theory.residual_stream_variances(16, 64, 2 / 64, 2 / 64 / 16)
    assert q[-1] == pytest.approx((1 + 2 / 16) ** 16, rel=1e-12)
    q = theory.residual_stream_variances(4, 64, 2 / 64, 2 / 64, input_variance=2.0, pre_norm=True)
    np.testing.assert_allclose(q, 2.0 + 2.0 * np.arange(5), rtol=1e-12)
    assert theory.residual_stream_variances(0, 8, 1.0, 1.0, input_variance=3.0).tolist() == [3.0]
    with pytest.raises(ValueError, match=r"`activation` must be one of.*activation='swish'"):
        theory.residual_stream_variances(2, 8, 1.0, 1.0, "swish")
    with pytest.raises(ValueError, match=r"`branch_var` must be a non-negative number"):
        theory.residual_stream_variances(2, 8, -1.0, 1.0)


def test_gelu_first_moment_closed_form_against_quadrature():
    g = activations.get("gelu").forward
    for q in (0.01, 1.0, 9.0):
        assert theory.first_moment("gelu", q) == pytest.approx(
            theory.gaussian_expectation(g, q), rel=1e-10
        )
