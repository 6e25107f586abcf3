"""Variance propagation: what the initialization rules predict, before any network is built.

With weights drawn independently with zero mean and variance ``Var(w^ℓ)`` (LeCun et al. 1998;
Glorot & Bengio 2010; He et al. 2015), each pre-activation of layer ``ℓ`` is a sum of
``n_{ℓ-1}`` independent terms, so

    Var(z^ℓ) = n_{ℓ-1} · Var(w^ℓ) · E[(a^{ℓ-1})²]  (+ Var(b^ℓ)),     a^0 = x,

and for a wide layer ``z^ℓ`` is close to Gaussian, ``z^ℓ ~ N(0, q_ℓ)``, which gives
``E[(a^ℓ)²] = E[g(z)²]`` for ``z ~ N(0, q_ℓ)`` (:func:`second_moment`). For ReLU that is
``q_ℓ / 2``, so ``Var(w) = 2 / n_in`` keeps ``q_ℓ`` constant (He et al. 2015); for a linear (or
tanh near 0) network ``Var(w) = 1 / n_in`` does (LeCun et al. 1998). Lengths are not angles:
:func:`relu_correlation_map` predicts how the correlation between two examples grows layer by
layer, whatever the variance.

Arrays returned here are 0-based: index ``i`` is layer ``ℓ = i + 1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import integrate

from wtinit_lib import activations, rules
from wtinit_lib._checks import (
    as_rng,
    check_choice,
    check_int,
    check_layer_sizes,
    check_per_layer,
    check_positive,
)

__all__ = [
    "derivative_second_moment",
    "first_moment",
    "gaussian_expectation",
    "predicted_activation_stds",
    "predicted_backward_ratios",
    "predicted_preactivation_stds",
    "random_matrix_product_norms",
    "relu_correlation_map",
    "residual_stream_variances",
    "second_moment",
    "weight_variances",
]

ACTIVATIONS = activations.HIDDEN


def gaussian_expectation(f: Callable[[float], float], q: float) -> float:
    """``E[f(z)]`` for ``z ~ N(0, q)``, by adaptive quadrature (``scipy.integrate.quad``).

    The integral runs over ``z`` itself, on ``[-12√q, 12√q]`` (the mass outside is below
    1e-32), split at ``0`` and ``±1``, where the activations of the library bend: a quadrature
    rule on a fixed set of nodes in units of ``√q`` misses a kink of width 1 once ``q`` is
    large (100-point Gauss-Hermite is off by 4% for ``E[tanh(z)²]`` at ``q = 100``). Accurate
    to about 1e-12 for the library's activations at any ``q``; ``q = 0`` gives ``f(0)``.
    """
    q = check_positive("q", q, allow_zero=True)
    if q == 0:
        return float(f(0.0))
    limit = 12.0 * math.sqrt(q)
    points = [p for p in (-1.0, 0.0, 1.0) if -limit < p < limit]
    norm = 1.0 / math.sqrt(2.0 * math.pi * q)

    def integrand(z: float) -> float:
        return float(f(z)) * norm * math.exp(-0.5 * z * z / q)

    value, _ = integrate.quad(
        integrand, -limit, limit, points=points, limit=400, epsabs=1e-14, epsrel=1e-12
    )
    return float(value)


def second_moment(activation: str, q: float) -> float:
    """``E[g(z)²]`` for ``z ~ N(0, q)``: how much signal a layer passes on.

    Closed forms: linear ``q``; relu ``q / 2`` (half the mass is zeroed, He et al. 2015);
    leaky_relu ``(1 + a²) q / 2`` with the slope ``a = 0.01``. Sigmoid and tanh have none, so
    :func:`gaussian_expectation` integrates them.
    """
    check_choice("activation", activation, ACTIVATIONS)
    q = check_positive("q", q, allow_zero=True)
    if activation == "linear":
        return q
    if activation == "relu":
        return q / 2.0
    if activation == "leaky_relu":
        return (1.0 + activations.LEAKY_RELU_SLOPE**2) * q / 2.0
    g = activations.get(activation).forward
    return gaussian_expectation(lambda z: g(z) ** 2, q)


def derivative_second_moment(activation: str, q: float) -> float:
    """``E[g'(z)²]`` for ``z ~ N(0, q)``: how much gradient a layer passes back.

    Back-propagation multiplies element-wise by ``g'`` (``dZ = dA ⊙ g'(Z)``), so when ``dA`` is
    independent of ``Z``, ``E[dZ²] = E[g'(z)²] E[dA²]``. Closed forms: linear 1; relu 1/2
    (``g'`` is 1 on the positive half and 0 on the other, He et al. 2015); leaky_relu
    ``(1 + a²) / 2`` with the slope ``a = 0.01``. Sigmoid and tanh (``g' = 1 - tanh²``, 1 at 0)
    by :func:`gaussian_expectation`.
    """
    check_choice("activation", activation, ACTIVATIONS)
    q = check_positive("q", q, allow_zero=True)
    if activation == "linear":
        return 1.0
    if activation == "relu":
        return 0.5
    if activation == "leaky_relu":
        return (1.0 + activations.LEAKY_RELU_SLOPE**2) / 2.0
    act = activations.get(activation)

    def squared_derivative(z: float) -> float:
        return float(act.derivative(z, act.forward(z))) ** 2

    return gaussian_expectation(squared_derivative, q)


def first_moment(activation: str, q: float) -> float:
    """``E[g(z)]`` for ``z ~ N(0, q)``.

    Closed forms: linear and tanh 0 (odd functions); sigmoid 1/2 (``sigmoid(z) + sigmoid(-z) =
    1``); relu ``sqrt(q / (2π))``; leaky_relu ``(1 - a) sqrt(q / (2π))``; gelu ``q / sqrt(2π
    (1 + q))`` (Stein's lemma: ``E[z Φ(z)] = q E[φ(z)]``, and ``E[φ(z)] = 1 / sqrt(2π (1 + q))``).
    """
    check_choice("activation", activation, ACTIVATIONS)
    q = check_positive("q", q, allow_zero=True)
    half_normal_mean = math.sqrt(q / (2.0 * math.pi))
    return {
        "linear": 0.0,
        "tanh": 0.0,
        "sigmoid": 0.5,
        "relu": half_normal_mean,
        "leaky_relu": (1.0 - activations.LEAKY_RELU_SLOPE) * half_normal_mean,
        "gelu": q / math.sqrt(2.0 * math.pi * (1.0 + q)),
    }[activation]


def relu_correlation_map(c: float | np.ndarray) -> float | np.ndarray:
    """The correlation after a ReLU layer, from the correlation ``c`` before it.

    For ``(u, v)`` jointly Gaussian with equal variances and correlation ``c``,

        E[relu(u) relu(v)] / E[relu(u)²] = (sqrt(1 - c²) + (π - arccos c) · c) / π,

    the arc-cosine kernel of degree 1 (Cho & Saul 2009). In a wide ReLU network with zero biases
    the correlation of two examples' pre-activations in layer ``ℓ + 1`` is the cosine between
    their activations ``a^ℓ`` and ``a'^ℓ``, so iterating this map from the inputs' cosine predicts
    the cosine layer by layer. It does not depend on the weights' variance (``relu(s z) = s
    relu(z)`` for ``s > 0``): a variance rule keeps lengths but cannot keep angles; every layer
    moves ``c`` toward 1 (Schoenholz et al. 2017). ``c`` must lie in ``[-1, 1]``.
    """
    values = np.asarray(c, dtype=np.float64)
    if not np.all((values >= -1.0) & (values <= 1.0)):
        raise ValueError(f"Argument `c` must lie in [-1, 1] (a correlation). Received: c={c!r}")
    mapped = (np.sqrt(1.0 - values**2) + (np.pi - np.arccos(values)) * values) / np.pi
    return float(mapped) if mapped.ndim == 0 else mapped


def _propagate(
    layer_sizes: Sequence[int],
    weight_vars: object,
    activation: str,
    input_second_moment: float,
    bias_var: object,
) -> np.ndarray:
    """``q_ℓ = Var(z^ℓ)`` for ``ℓ = 1..L``."""
    sizes = check_layer_sizes(layer_sizes)
    check_choice("activation", activation, ACTIVATIONS)
    L = len(sizes) - 1
    weight_vars = check_per_layer("weight_vars", weight_vars, L)
    bias_vars = check_per_layer("bias_var", bias_var, L)
    moment = check_positive("input_second_moment", input_second_moment, allow_zero=True)
    qs = np.empty(L)
    for i in range(L):
        qs[i] = sizes[i] * weight_vars[i] * moment + bias_vars[i]
        moment = second_moment(activation, float(qs[i]))
    return qs


def predicted_preactivation_stds(
    layer_sizes: Sequence[int],
    weight_vars: float | Sequence[float],
    activation: str,
    input_second_moment: float = 1.0,
    bias_var: float | Sequence[float] = 0.0,
) -> np.ndarray:
    """Predicted ``std(z^ℓ)`` for ``ℓ = 1..L`` (length ``L``), from variance propagation.

    ``Var(z^ℓ) = n_{ℓ-1} Var(w^ℓ) E[(a^{ℓ-1})²] + Var(b^ℓ)``, with ``E[(a^0)²]`` the input's
    mean squared entry (``input_second_moment``) and ``E[(a^ℓ)²] = second_moment(activation,
    Var(z^ℓ))`` (Gaussian pre-activations: accurate for wide layers). ``weight_vars`` and
    ``bias_var`` are one number for every layer or a list with one per layer; see
    :func:`weight_variances` for the LeCun, Glorot and He rules.
    """
    return np.sqrt(_propagate(layer_sizes, weight_vars, activation, input_second_moment, bias_var))


def predicted_activation_stds(
    layer_sizes: Sequence[int],
    weight_vars: float | Sequence[float],
    activation: str,
    input_second_moment: float = 1.0,
    bias_var: float | Sequence[float] = 0.0,
) -> np.ndarray:
    """Predicted ``std(a^ℓ)`` for the hidden layers ``ℓ = 1..L-1`` (length ``L - 1``).

    ``Var(a^ℓ) = E[g(z)²] - E[g(z)]²`` with ``z ~ N(0, Var(z^ℓ))`` from
    :func:`predicted_preactivation_stds`.
    """
    qs = _propagate(layer_sizes, weight_vars, activation, input_second_moment, bias_var)
    variances = [
        second_moment(activation, float(q)) - first_moment(activation, float(q)) ** 2
        for q in qs[:-1]
    ]
    return np.sqrt(np.maximum(variances, 0.0))


def predicted_backward_ratios(
    layer_sizes: Sequence[int],
    weight_vars: float | Sequence[float],
    activation: str,
    input_second_moment: float = 1.0,
    bias_var: float | Sequence[float] = 0.0,
) -> np.ndarray:
    """Predicted ``std(dA^ℓ) / std(dA^{L-1})`` for ``ℓ = 0..L-1`` (length ``L``).

    ``dA^ℓ`` is the gradient of the loss with respect to layer ``ℓ``'s output (``dA^0``: with
    respect to the input ``X``). Its size at the last hidden layer, ``ℓ = L - 1``, is set by the
    loss; below it, each layer multiplies its variance by the backward factor

        Var(dA^{ℓ-1}) = n_ℓ Var(w^ℓ) E[g'(z^ℓ)²] Var(dA^ℓ),    z^ℓ ~ N(0, q_ℓ),

    a sum over the ``n_ℓ`` units that an input feeds (``dA^{ℓ-1} = dZ^ℓ W^ℓᵀ``), with ``q_ℓ``
    from the forward pass (:func:`predicted_preactivation_stds`) and the weights treated as
    independent of the gradients (Glorot & Bengio 2010; He et al. 2015, Sec. 2.2). Index ``L - 1``
    is 1 by definition.
    """
    qs = _propagate(layer_sizes, weight_vars, activation, input_second_moment, bias_var)
    sizes = check_layer_sizes(layer_sizes)
    L = len(sizes) - 1
    weight_vars = check_per_layer("weight_vars", weight_vars, L)
    variances = np.ones(L)
    for i in range(L - 1, 0, -1):  # layer ℓ = i: from dA^ℓ to dA^{ℓ-1}
        factor = (
            sizes[i] * weight_vars[i - 1] * derivative_second_moment(activation, float(qs[i - 1]))
        )
        variances[i - 1] = variances[i] * factor
    return np.sqrt(variances)


def weight_variances(layer_sizes: Sequence[int], rule: str) -> np.ndarray:
    """``Var(w^ℓ)`` for ``ℓ = 1..L`` under a rule of ``rules.RULES`` (length ``L``).

    - ``"lecun"``: ``1 / n_in`` (LeCun et al. 1998)
    - ``"glorot"`` (``"xavier"``): ``2 / (n_in + n_out)`` (Glorot & Bengio 2010)
    - ``"he"`` (``"kaiming"``): ``2 / n_in`` (He et al. 2015)
    """
    sizes = check_layer_sizes(layer_sizes)
    return np.array(
        [rules.rule_variance(rule, sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
    )


def random_matrix_product_norms(
    n: int, num_matrices: int, std: float, seed: int | np.random.Generator | None = 0
) -> np.ndarray:
    """RMS gain ``||M_1 M_2 ... M_k||_F / sqrt(n)`` for ``k = 1..num_matrices`` (an array).

    Each ``M_k`` is an ``n x n`` matrix with independent ``N(0, std²)`` entries, the weights of a
    linear network of width ``n``. ``||P||_F² / n`` is the mean of ``||P^T u||²`` over unit
    vectors ``u``, and ``E[||P_k||_F² / n] = (n · std²)^k``: the product grows or shrinks
    geometrically unless ``std = 1 / sqrt(n)``. The running product is renormalized at every
    step (its log norm is accumulated), so the result is exact even far beyond float64's range;
    values beyond it are returned as ``inf`` or ``0``.
    """
    n = check_int("n", n, 1)
    num_matrices = check_int("num_matrices", num_matrices, 1)
    std = check_positive("std", std)
    rng = as_rng(seed, name="seed")
    product = np.eye(n)
    log_norm = 0.0  # log of the factor divided out of `product` so far
    log_gains = np.empty(num_matrices)
    for k in range(num_matrices):
        product = product @ rng.normal(0.0, std, size=(n, n))
        norm = float(np.linalg.norm(product)) / math.sqrt(n)
        log_norm += math.log(norm)
        product /= norm
        log_gains[k] = log_norm
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(log_gains)


def residual_stream_variances(
    num_blocks: int,
    width: int,
    branch_var: float,
    last_var: float,
    activation: str = "relu",
    hidden_width: int | None = None,
    input_variance: float = 1.0,
    pre_norm: bool = False,
) -> np.ndarray:
    """Predicted ``Var(x_ℓ)`` of a residual stream ``x_ℓ = x_{ℓ-1} + f(u_{ℓ-1})``, ``ℓ = 0..L``.

    The branch is ``f(u) = g(u W₁) W₂`` with independent zero-mean weights of variances
    ``branch_var`` (``W₁``, ``width × hidden_width``) and ``last_var`` (``W₂``, ``hidden_width
    × width``) and zero biases. ``W₂`` is independent of everything before it, so the branch's
    output is uncorrelated with the stream and the variances add::

        Var(x_ℓ) = Var(x_{ℓ-1}) + hidden_width · last_var · E[g(h)²],
        h ~ N(0, width · branch_var · q_u)

    with ``q_u = Var(x_{ℓ-1})`` (``u = x``) or, with ``pre_norm``, ``q_u = 1`` (``u`` is the
    output of a LayerNorm or BatchNorm with ``γ = 1``, ``β = 0``). ``Var(x_0) =
    input_variance``. Examples: He on both layers of a ReLU branch multiplies the variance by 3
    per block (``3^L``); pre-norm makes the growth linear in ``L``; GPT-2's ``1/√(2 n_layer)`` on
    ``W₂`` keeps the total added variance independent of depth (Radford et al. 2019).
    Returns an array of length ``L + 1``.
    """
    num_blocks = check_int("num_blocks", num_blocks, 0)
    width = check_int("width", width)
    hidden = width if hidden_width is None else check_int("hidden_width", hidden_width)
    v1 = check_positive("branch_var", branch_var, allow_zero=True)
    v2 = check_positive("last_var", last_var, allow_zero=True)
    check_choice("activation", activation, ACTIVATIONS)
    q = check_positive("input_variance", input_variance, allow_zero=True)
    variances = [q]
    for _ in range(num_blocks):
        q_u = 1.0 if pre_norm else q
        q = q + hidden * v2 * second_moment(activation, width * v1 * q_u)
        variances.append(q)
    return np.array(variances)
