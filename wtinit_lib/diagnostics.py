"""What happens inside a network: per-layer statistics, and the theory that predicts them.

Measured (from a forward/backward pass of an :class:`~wtinit_lib.network.MLP`):
:func:`layer_stats` (one :class:`LayerStats` per layer), :func:`activation_stds`,
:func:`preactivation_stds`, :func:`gradient_stds`, :func:`dead_relu_fraction`,
:func:`max_pairwise_unit_difference` (symmetry), :func:`gradient_check`.

Predicted (variance propagation, LeCun et al. 1998; Glorot & Bengio 2010; He et al. 2015):
with weights drawn independently with zero mean and variance ``Var(w^ℓ)``, each pre-activation
of layer ``ℓ`` is a sum of ``n_{ℓ-1}`` independent terms, so

    Var(z^ℓ) = n_{ℓ-1} · Var(w^ℓ) · E[(a^{ℓ-1})²]  (+ Var(b^ℓ)),     a^0 = x,

and for a wide layer ``z^ℓ`` is close to Gaussian, ``z^ℓ ~ N(0, q_ℓ)``, which gives
``E[(a^ℓ)²] = E[g(z)²]`` for ``z ~ N(0, q_ℓ)`` (:func:`second_moment`). For ReLU that is
``q_ℓ / 2``, so ``Var(w) = 2 / n_in`` keeps ``q_ℓ`` constant (He et al. 2015); for a linear
(or tanh near 0) network ``Var(w) = 1 / n_in`` does (LeCun et al. 1998).

Layers are numbered ``ℓ = 1..L`` in :class:`LayerStats` and in parameter names (``"W1"``);
lists and arrays returned here are 0-based (index ``i`` is layer ``ℓ = i + 1``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from wtinit_lib import activations
from wtinit_lib._checks import check_choice

__all__ = [
    "LayerStats",
    "SignalPropagation",
    "activation_stds",
    "collapse_identical_units",
    "dead_relu_fraction",
    "effective_rank",
    "first_moment",
    "gradient_check",
    "gradient_cosine",
    "gradient_scales",
    "gradient_stds",
    "layer_stats",
    "lsuv",
    "max_pairwise_unit_difference",
    "measured_stds_over_networks",
    "per_tensor_cosines",
    "preactivation_stds",
    "predicted_activation_stds",
    "predicted_preactivation_stds",
    "random_matrix_product_norms",
    "relative_error",
    "relu_unit_regimes",
    "second_moment",
    "signal_propagation",
    "singular_value_ratios",
    "stat_series",
    "stats_from_backprop",
    "stats_table",
    "tensor_norms",
    "weight_variances",
    "zero_derivative_fractions",
]

#: |tanh(z)| above this, or sigmoid(z) outside [1 - this, this], counts as saturated.
SATURATION_THRESHOLD = 0.97

_NAN = float("nan")


# --- measured statistics ------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one layer ``ℓ`` over a batch (every field a Python float, except ``layer``).

    Attributes:
        layer: ``ℓ``, 1-based (the output layer is ``ℓ = L``).
        pre_mean, pre_std: mean and standard deviation of the pre-activations ``Z^ℓ``.
        act_mean, act_std: the same for the activations ``A^ℓ = g(Z^ℓ)``.
        saturated: fraction of activations in the flat tails: ``|tanh| > 0.97``, or a sigmoid
            outside ``[0.03, 0.97]``; ``nan`` for other activations.
        dead: fraction of ReLU units whose activation is 0 for every example; ``nan`` when the
            layer's activation is not ``relu``.
        grad_mean, grad_std, grad_norm: mean, standard deviation and Frobenius norm of ``dW^ℓ``
            (``nan`` without targets).
        act_grad_std: standard deviation of ``dA^ℓ``, the gradient with respect to the layer's
            output (``nan`` without targets).
        weight_std: standard deviation of ``W^ℓ``.
        update_ratio: ``lr · std(dW^ℓ) / std(W^ℓ)``, the relative size of one plain gradient
            step (``nan`` without ``lr`` or targets; ``inf`` when ``std(W^ℓ) = 0``).
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


def _saturated_fraction(name: str, A: np.ndarray) -> float:
    if name == "tanh":
        return float(np.mean(np.abs(A) > SATURATION_THRESHOLD))
    if name == "sigmoid":
        low = 1.0 - SATURATION_THRESHOLD
        return float(np.mean((A < low) | (A > SATURATION_THRESHOLD)))
    return _NAN


def _dead_fraction(name: str, A: np.ndarray) -> float:
    if name != "relu":
        return _NAN
    return float(np.mean(np.all(A == 0, axis=0)))


def _update_ratio(lr: float | None, grad_std: float, weight_std: float) -> float:
    if lr is None or math.isnan(grad_std):
        return _NAN
    if weight_std == 0:
        return math.inf if grad_std > 0 else _NAN
    return float(lr * grad_std / weight_std)


def _one_layer(
    layer: int,
    name: str,
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
            saturated=_saturated_fraction(name, A),
            dead=_dead_fraction(name, A),
            grad_mean=_NAN if dW is None else float(np.mean(dW)),
            grad_std=grad_std,
            grad_norm=_NAN if dW is None else float(np.linalg.norm(dW)),
            act_grad_std=_NAN if dA is None else float(np.std(dA)),
            weight_std=weight_std,
            update_ratio=_update_ratio(lr, grad_std, weight_std),
        )


def _check_lr(lr: object) -> float | None:
    if lr is None:
        return None
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"Argument `lr` must be a positive float or None. Received: lr={lr!r}")
    return float(lr)


def _stats(
    activation: str,
    output_activation: str,
    Zs: Sequence[np.ndarray],
    As: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
    dWs: Sequence[np.ndarray] | None = None,
    dAs: Sequence[np.ndarray] | None = None,
    lr: float | None = None,
) -> list[LayerStats]:
    L = len(Zs)
    if len(As) != L + 1 or len(weights) != L:
        raise ValueError(
            f"Expected len(As) == len(Zs) + 1 == len(weights) + 1; received len(Zs)={L}, "
            f"len(As)={len(As)}, len(weights)={len(weights)}"
        )
    lr = _check_lr(lr)
    return [
        _one_layer(
            layer=i + 1,
            name=output_activation if i == L - 1 else activation,
            Z=Zs[i],
            A=As[i + 1],
            W=weights[i],
            dW=None if dWs is None else dWs[i],
            dA=None if dAs is None else dAs[i + 1],
            lr=lr,
        )
        for i in range(L)
    ]


def stats_from_backprop(
    activation: str,
    output_activation: str,
    bp: Any,
    weights: Sequence[np.ndarray],
    lr: float | None = None,
) -> list[LayerStats]:
    """Per-layer statistics from the intermediates of one forward/backward pass.

    ``bp`` is a :class:`wtinit_lib.network.Backprop` (or anything with its fields ``Zs``,
    ``As``, ``dWs`` and ``dAs``). Layer ``ℓ < L`` uses the hidden ``activation`` for its
    saturation and dead-unit counts, layer ``L`` the ``output_activation``. ``MLP.fit`` calls
    this (importing it lazily, so ``network`` never imports ``diagnostics`` at module level).
    """
    return _stats(activation, output_activation, bp.Zs, bp.As, weights, bp.dWs, bp.dAs, lr)


def layer_stats(
    net: Any, X: np.ndarray, Y: np.ndarray | None = None, lr: float | None = None
) -> list[LayerStats]:
    """One :class:`LayerStats` per layer (hidden layers and the output layer) for the batch ``X``.

    Without ``Y`` only the forward statistics are measured (the gradient fields are ``nan``);
    with ``Y`` a backward pass fills them; with ``lr`` too, ``update_ratio`` is
    ``lr · std(dW) / std(W)`` (Karpathy's rule of thumb: around ``1e-3`` is healthy).
    """
    if Y is None:
        Zs, As = net.forward_trace(X)
        return _stats(net.activation, net.output_activation, Zs, As, net.weights, lr=None)
    bp = net.backprop(X, Y)
    return stats_from_backprop(net.activation, net.output_activation, bp, net.weights, lr)


_TABLE_COLUMNS = (
    # (field, header, width, format spec)
    ("layer", "layer", 5, "d"),
    ("pre_mean", "z mean", 9, ".4f"),
    ("pre_std", "z std", 9, ".4f"),
    ("act_mean", "a mean", 9, ".4f"),
    ("act_std", "a std", 9, ".4f"),
    ("saturated", "satur.", 7, ".1%"),
    ("dead", "dead", 7, ".1%"),
    ("grad_std", "dW std", 10, ".3e"),
    ("act_grad_std", "dA std", 10, ".3e"),
    ("weight_std", "W std", 9, ".4f"),
    ("update_ratio", "lr*dW/W", 10, ".3e"),
)


def _cell(value: float | int, width: int, spec: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return f"{'-':>{width}}"
    return f"{value:>{width}{spec}}"


def stats_table(stats: Sequence[LayerStats]) -> str:
    """A fixed-precision, fixed-width text table of :func:`layer_stats`' result (``-`` for nan)."""
    if isinstance(stats, LayerStats) or not all(isinstance(s, LayerStats) for s in stats):
        raise TypeError(
            "Argument `stats` must be a list of LayerStats (from layer_stats). "
            f"Received: stats={stats!r:.80}"
        )
    lines = [" ".join(f"{title:>{width}}" for _, title, width, _ in _TABLE_COLUMNS)]
    for row in stats:
        cells = (_cell(getattr(row, key), width, spec) for key, _, width, spec in _TABLE_COLUMNS)
        lines.append(" ".join(cells))
    return "\n".join(lines)


def preactivation_stds(net: Any, X: np.ndarray) -> np.ndarray:
    """``std(Z^ℓ)`` for ``ℓ = 1..L`` over the batch ``X`` (an array of length ``L``)."""
    Zs, _ = net.forward_trace(X)
    return np.array([np.std(Z) for Z in Zs])


def activation_stds(net: Any, X: np.ndarray) -> np.ndarray:
    """``std(A^ℓ)`` for ``ℓ = 1..L`` (hidden layers and the output) over ``X`` (length ``L``)."""
    _, As = net.forward_trace(X)
    return np.array([np.std(A) for A in As[1:]])


def gradient_stds(net: Any, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``std(dW^ℓ)`` for ``ℓ = 1..L``: how large each layer's weight gradient is (length ``L``)."""
    dWs, _ = net.gradients(X, Y)
    return np.array([np.std(dW) for dW in dWs])


def dead_relu_fraction(net: Any, X: np.ndarray) -> np.ndarray:
    """For each hidden layer, the fraction of units whose ReLU output is 0 for every row of ``X``.

    Such a unit also has zero gradient for every example, so gradient descent never revives it.
    Returns an array of length ``L - 1``; the network's activation must be ``relu``.
    """
    check_choice("net.activation", net.activation, ("relu",))
    _, As = net.forward_trace(X)
    return np.array([np.mean(np.all(A == 0, axis=0)) for A in As[1:-1]])


def max_pairwise_unit_difference(W: np.ndarray) -> float:
    """``max over j, k of max_i |W[i, j] - W[i, k]|``: 0 exactly when all units (columns) are equal.

    With Keras's layout a column ``W[:, j]`` holds unit ``j``'s incoming weights; a 1-D array
    (a bias vector) counts each entry as a unit. Zero initialization keeps this at 0 forever:
    all units of a layer get the same gradient, so the layer acts like a single unit.
    """
    array = np.asarray(W)
    if array.ndim not in (1, 2) or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(
            "Argument `W` must be a non-empty numeric 1-D or 2-D array. "
            f"Received: W with shape {array.shape} and dtype {array.dtype}"
        )
    rows = array.reshape(1, -1) if array.ndim == 1 else array
    return float(np.max(rows.max(axis=1) - rows.min(axis=1)))


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max|a - b| / max(max|a|, max|b|)``: the largest difference relative to the larger scale.

    Scaling by the largest entry (the infinity norm), not entry by entry, keeps the number
    meaningful when some entries are near 0 (where finite differences are all rounding noise).
    Returns 0 when both arrays are all zeros; shapes must be equal.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"Arguments `a` and `b` must have the same shape. Received: a.shape={a.shape}, "
            f"b.shape={b.shape}"
        )
    if a.size == 0:
        return 0.0
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)))
    diff = np.max(np.abs(a - b))
    if scale == 0:
        return 0.0
    return float(diff / scale)


def gradient_check(
    net: Any, X: np.ndarray, Y: np.ndarray, eps: float = 1e-6
) -> list[tuple[str, float]]:
    """Compare backpropagation with central finite differences on every weight and bias entry.

    For each parameter entry ``θ``: ``(loss(θ + eps) - loss(θ - eps)) / (2 eps)``, whose error is
    ``O(eps²)`` plus rounding ``O(1e-16 / eps)``: about ``1e-10`` relative in float64 for
    ``eps = 1e-6`` (use a float64 network). Returns ``[("W1", err), ("b1", err), ("W2", ...), ...]``
    with ``err = relative_error(backprop, finite differences)`` per parameter array.
    The network's parameters are restored exactly afterwards.
    """
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < 1:
        raise ValueError(f"Argument `eps` must be a float in (0, 1). Received: eps={eps!r}")
    dWs, dbs = net.gradients(X, Y)
    results = []
    for i in range(net.num_layers):
        for name, param, grad in (("W", net.weights[i], dWs[i]), ("b", net.biases[i], dbs[i])):
            numeric = _numeric_gradient(net, X, Y, param, float(eps))
            results.append((f"{name}{i + 1}", relative_error(grad, numeric)))
    return results


def _numeric_gradient(
    net: Any, X: np.ndarray, Y: np.ndarray, param: np.ndarray, eps: float
) -> np.ndarray:
    """Central differences of ``net.loss`` with respect to each entry of ``param`` (in place)."""
    numeric = np.zeros(param.shape, dtype=np.float64)
    for index in np.ndindex(param.shape):
        original = param[index]
        try:
            param[index] = original + eps
            plus = net.loss(X, Y)
            param[index] = original - eps
            minus = net.loss(X, Y)
        finally:
            param[index] = original
        numeric[index] = (plus - minus) / (2.0 * eps)
    return numeric


# --- theory: variance propagation ---------------------------------------------------------------

#: Gauss-Hermite nodes and weights for the weight function exp(-x²/2) ("probabilists'" form).
_GH_NODES, _GH_WEIGHTS = hermegauss(100)
_GH_WEIGHTS = _GH_WEIGHTS / math.sqrt(2.0 * math.pi)  # now sum(w · f(x)) = E[f(x)], x ~ N(0, 1)

_THEORY_ACTIVATIONS = activations.HIDDEN


def _check_variance(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Argument `{name}` must be a non-negative float. Received: {name}={value!r}"
        )
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f"Argument `{name}` must be a non-negative finite float. Received: {name}={value!r}"
        )
    return float(value)


def _gaussian_expectation(activation: str, q: float, power: int) -> float:
    """``E[g(z)^power]`` for ``z ~ N(0, q)`` by 100-point Gauss-Hermite quadrature."""
    g = activations.get(activation)
    return float(np.sum(_GH_WEIGHTS * g.forward(math.sqrt(q) * _GH_NODES) ** power))


def second_moment(activation: str, q: float) -> float:
    """``E[g(z)²]`` for ``z ~ N(0, q)``: how much signal a layer passes on.

    Closed forms: linear ``q``; relu ``q / 2`` (half the mass is zeroed, He et al. 2015);
    leaky_relu ``(1 + s²) q / 2`` with ``s = 0.01``. Sigmoid and tanh have none, so the
    expectation is computed by 100-point Gauss-Hermite quadrature,
    ``E[f(z)] ≈ Σ_k w_k f(√q · x_k)``, exact to ~1e-12 for these smooth bounded functions.
    """
    check_choice("activation", activation, _THEORY_ACTIVATIONS)
    q = _check_variance("q", q)
    if activation == "linear":
        return q
    if activation == "relu":
        return q / 2.0
    if activation == "leaky_relu":
        return (1.0 + activations.LEAKY_RELU_SLOPE**2) * q / 2.0
    return _gaussian_expectation(activation, q, power=2)


def first_moment(activation: str, q: float) -> float:
    """``E[g(z)]`` for ``z ~ N(0, q)``.

    Closed forms: linear and tanh 0 (odd functions); sigmoid 1/2 (``σ(z) + σ(-z) = 1``);
    relu ``sqrt(q / (2π))``; leaky_relu ``(1 - s) sqrt(q / (2π))``.
    """
    check_choice("activation", activation, _THEORY_ACTIVATIONS)
    q = _check_variance("q", q)
    half_normal_mean = math.sqrt(q / (2.0 * math.pi))
    return {
        "linear": 0.0,
        "tanh": 0.0,
        "sigmoid": 0.5,
        "relu": half_normal_mean,
        "leaky_relu": (1.0 - activations.LEAKY_RELU_SLOPE) * half_normal_mean,
    }[activation]


def _check_layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    ok = isinstance(layer_sizes, Sequence) and not isinstance(layer_sizes, str)
    ok = ok and len(layer_sizes) >= 2
    ok = ok and all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in layer_sizes
    )
    if not ok:
        raise ValueError(
            "Argument `layer_sizes` must be a list of at least two positive ints, e.g. "
            f"[2, 10, 5, 1]. Received: layer_sizes={layer_sizes!r}"
        )
    return tuple(int(s) for s in layer_sizes)


def _per_layer_values(name: str, value: object, num_layers: int) -> np.ndarray:
    """A scalar or a sequence of ``num_layers`` non-negative floats, as an array."""
    array = np.asarray(value, dtype=np.float64) if not isinstance(value, str) else None
    if array is None or array.ndim > 1 or (array.ndim == 1 and array.size != num_layers):
        raise ValueError(
            f"Argument `{name}` must be a non-negative float or a list of {num_layers} of them "
            f"(one per layer). Received: {name}={value!r}"
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(
            f"Argument `{name}` must contain only non-negative finite floats. "
            f"Received: {name}={value!r}"
        )
    return np.broadcast_to(array, (num_layers,)).copy()


def _propagate(
    layer_sizes: Sequence[int],
    weight_vars: object,
    activation: str,
    input_second_moment: float,
    bias_var: object,
) -> np.ndarray:
    """``q_ℓ = Var(z^ℓ)`` for ``ℓ = 1..L``."""
    sizes = _check_layer_sizes(layer_sizes)
    check_choice("activation", activation, _THEORY_ACTIVATIONS)
    L = len(sizes) - 1
    weight_vars = _per_layer_values("weight_vars", weight_vars, L)
    bias_vars = _per_layer_values("bias_var", bias_var, L)
    moment = _check_variance("input_second_moment", input_second_moment)
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


_RULES = {
    "lecun": lambda n_in, n_out: 1.0 / n_in,
    "glorot": lambda n_in, n_out: 2.0 / (n_in + n_out),
    "xavier": lambda n_in, n_out: 2.0 / (n_in + n_out),
    "he": lambda n_in, n_out: 2.0 / n_in,
    "kaiming": lambda n_in, n_out: 2.0 / n_in,
}


def weight_variances(layer_sizes: Sequence[int], rule: str) -> np.ndarray:
    """``Var(w^ℓ)`` for ``ℓ = 1..L`` under a named rule (length ``L``).

    - ``"lecun"``: ``1 / n_in`` (LeCun et al. 1998)
    - ``"glorot"`` (``"xavier"``): ``2 / (n_in + n_out)`` (Glorot & Bengio 2010)
    - ``"he"`` (``"kaiming"``): ``2 / n_in`` (He et al. 2015)
    """
    sizes = _check_layer_sizes(layer_sizes)
    check_choice("rule", rule, tuple(_RULES))
    return np.array([_RULES[rule](sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)])


# --- chapters 10-11: LSUV and a signal-propagation experiment -------------------------------------


def _check_int_at_least(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(
            f"Argument `{name}` must be an int >= {minimum}. Received: {name}={value!r}"
        )
    return int(value)


def lsuv(
    net: Any,
    X: np.ndarray,
    tol: float = 0.1,
    max_iter: int = 10,
    target_var: float = 1.0,
) -> np.ndarray:
    """Layer-sequential unit-variance initialization (Mishkin & Matas 2015), in place.

    Start from any random initialization (the paper uses orthogonal matrices, e.g.
    ``MLP(..., weight_init="orthogonal")``). Then, for ``ℓ = 1, ..., L`` in order, measure
    ``v = Var(Z^ℓ)`` of the layer's pre-activations on the batch ``X`` and rescale
    ``W^ℓ ← W^ℓ · sqrt(target_var / v)``, repeating until ``|v - target_var| < tol`` or
    ``max_iter`` rescalings were made. With zero biases ``Z^ℓ`` is linear in ``W^ℓ``, so one
    rescaling is exact; a non-zero bias needs a few. Earlier layers are final when a later layer
    is scaled, so each layer sees its real input distribution.

    Returns the final ``Var(Z^ℓ)`` for ``ℓ = 1..L`` (length ``L``). Raises ``ValueError`` when
    a layer's pre-activations have zero variance (e.g. zero weights): no scaling can fix that.
    """
    tol = _check_variance("tol", tol)
    if tol == 0:
        raise ValueError(f"Argument `tol` must be positive. Received: tol={tol!r}")
    target_var = _check_variance("target_var", target_var)
    if target_var == 0:
        raise ValueError(f"Argument `target_var` must be positive. Received: {target_var!r}")
    max_iter = _check_int_at_least("max_iter", max_iter, 1)
    variances = np.empty(net.num_layers)
    for i in range(net.num_layers):
        for _ in range(max_iter):
            variance = float(np.var(net.forward_trace(X)[0][i]))
            if not math.isfinite(variance) or variance == 0:
                raise ValueError(
                    f"Layer {i + 1} has pre-activation variance {variance} on X: LSUV needs a "
                    "random, finite starting point (e.g. weight_init='orthogonal')."
                )
            if abs(variance - target_var) < tol:
                break
            net.weights[i] *= math.sqrt(target_var / variance)
        variances[i] = float(np.var(net.forward_trace(X)[0][i]))
    return variances


@dataclass(frozen=True)
class SignalPropagation:
    """What :func:`signal_propagation` measured, hidden layers ``ℓ = 1..depth`` (0-based lists).

    Attributes:
        activations: ``A^ℓ`` of each hidden layer for the random input batch.
        gradients: ``dW^ℓ`` of each hidden layer's weights.
        act_stds, grad_stds: their standard deviations (arrays of length ``depth``).
        settings: the arguments of the call (for titles and printing).
    """

    activations: list[np.ndarray]
    gradients: list[np.ndarray]
    act_stds: np.ndarray
    grad_stds: np.ndarray
    settings: dict[str, Any]


def signal_propagation(
    depth: int = 10,
    width: int = 100,
    activation: str = "tanh",
    weight_init: str = "glorot_normal",
    scale: float = 1.0,
    n_samples: int = 256,
    seed: int = 0,
) -> SignalPropagation:
    """Forward and backward pass through a fresh deep network; per-layer activations and gradients.

    The network is ``MLP([width] * (depth + 1) + [1], activation, output_activation="sigmoid")``
    whose every weight matrix is drawn by ``weight_init`` and multiplied by ``scale`` (so
    ``scale = 2`` quadruples the variance of the rule), zero biases; the input is a batch of
    ``n_samples`` rows from ``N(0, 1)`` and the targets are random 0/1 labels, all from
    ``seed``. One backward pass gives each hidden layer's weight gradient ``dW^ℓ``.
    """
    from wtinit_lib import initializers
    from wtinit_lib.network import MLP

    depth = _check_int_at_least("depth", depth, 1)
    width = _check_int_at_least("width", width, 1)
    n_samples = _check_int_at_least("n_samples", n_samples, 2)
    seed = _check_int_at_least("seed", seed, 0)
    check_choice("activation", activation, activations.HIDDEN)
    base = initializers.get(weight_init)
    scale = _check_variance("scale", scale)
    if scale == 0:
        raise ValueError(f"Argument `scale` must be positive. Received: scale={scale!r}")

    def scaled(shape: Sequence[int], rng: object = None, dtype: object = np.float64) -> np.ndarray:
        return scale * base(shape, rng=rng, dtype=dtype)

    rng = np.random.default_rng(seed)
    net = MLP([width] * (depth + 1) + [1], activation, "sigmoid", weight_init=scaled, seed=rng)
    X = rng.standard_normal((n_samples, width))
    Y = rng.integers(0, 2, size=(n_samples, 1)).astype(np.float64)
    with np.errstate(all="ignore"):
        bp = net.backprop(X, Y)
        acts = [np.asarray(A) for A in bp.As[1:-1]]
        grads = [np.asarray(dW) for dW in bp.dWs[:-1]]
        act_stds = np.array([np.std(A) for A in acts])
        grad_stds = np.array([np.std(dW) for dW in grads])
    settings = {
        "depth": depth,
        "width": width,
        "activation": activation,
        "weight_init": weight_init if isinstance(weight_init, str) else repr(weight_init),
        "scale": scale,
        "n_samples": n_samples,
        "seed": seed,
    }
    return SignalPropagation(acts, grads, act_stds, grad_stds, settings)


# --- chapters 3-4: products of random matrices, and measured stds over many networks ------------


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
    from wtinit_lib.initializers import as_rng

    n = _check_int_at_least("n", n, 1)
    num_matrices = _check_int_at_least("num_matrices", num_matrices, 1)
    std = _check_variance("std", std)
    if std == 0:
        raise ValueError(f"Argument `std` must be positive. Received: std={std!r}")
    rng = as_rng(seed)
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


def measured_stds_over_networks(
    layer_sizes: Sequence[int],
    weight_vars: float | Sequence[float],
    activation: str,
    X: np.ndarray,
    num_networks: int = 16,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Measured ``std(Z^ℓ)`` (length ``L``) and ``std(A^ℓ)`` (hidden layers, length ``L - 1``),
    as the root of the variance averaged over ``num_networks`` independently drawn networks.

    Network ``k`` is ``MLP(layer_sizes, activation, output_activation="linear")`` with weights
    ``N(0, weight_vars[ℓ])`` and zero biases, seeded ``seed + k``; every network sees the same
    batch ``X``. This estimates ``sqrt(E_W[Var(Z^ℓ)])``, the expectation over random weights that
    :func:`predicted_preactivation_stds` computes. One network gives one draw of it: for ReLU its
    layer-to-layer gains fluctuate by about ``sqrt(2 / n)`` each and multiply (the activations
    are all positive, so every example shares a common direction and the fluctuation does not
    average out over the batch); averaging over networks removes that noise.
    """
    from wtinit_lib import initializers
    from wtinit_lib.network import MLP

    sizes = _check_layer_sizes(layer_sizes)
    check_choice("activation", activation, _THEORY_ACTIVATIONS)
    L = len(sizes) - 1
    variances = _per_layer_values("weight_vars", weight_vars, L)
    num_networks = _check_int_at_least("num_networks", num_networks, 1)
    seed = _check_int_at_least("seed", seed, 0)
    inits = [initializers.scaled_normal(math.sqrt(v)) if v > 0 else "zeros" for v in variances]
    z_vars = np.zeros(L)
    a_vars = np.zeros(L - 1)
    for k in range(num_networks):
        net = MLP(sizes, activation, "linear", weight_init=inits, seed=seed + k)
        Zs, As = net.forward_trace(X)
        z_vars += [np.var(Z) for Z in Zs]
        a_vars += [np.var(A) for A in As[1:-1]]
    return np.sqrt(z_vars / num_networks), np.sqrt(a_vars / num_networks)


# --- chapters 7 and 8: directions of gradients, bias vs weight gradients, rank of a layer -------


def _as_tensor_list(name: str, grads: object) -> list[np.ndarray]:
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence) or len(grads) == 0:
        raise TypeError(
            f"Argument `{name}` must be a non-empty list of arrays (e.g. [dW1, db1, ...]). "
            f"Received: {name} of type {type(grads).__name__}"
        )
    return [np.asarray(g, dtype=np.float64) for g in grads]


def _check_same_shapes(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    if len(a) != len(b) or any(x.shape != y.shape for x, y in zip(a, b)):
        raise ValueError(
            "Arguments `grads_a` and `grads_b` must hold arrays of the same shapes, in the same "
            f"order. Received: shapes {[x.shape for x in a]} and {[y.shape for y in b]}"
        )


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = math.sqrt(float(np.vdot(a, a))) * math.sqrt(float(np.vdot(b, b)))
    return float(np.vdot(a, b)) / norm if norm > 0 else _NAN


def gradient_cosine(grads_a: Sequence[np.ndarray], grads_b: Sequence[np.ndarray]) -> float:
    """Cosine of the angle between two gradients, each a list of arrays taken as one vector.

    ``cos = <g_a, g_b> / (||g_a|| ||g_b||)`` with every tensor flattened and concatenated, so
    it compares the direction of the whole update (1: same direction; ``nan`` if one is 0).
    Clipping by global norm leaves it at 1; clipping each tensor by its own norm or each entry
    by value generally does not (Pascanu, Mikolov & Bengio 2013).
    """
    a = _as_tensor_list("grads_a", grads_a)
    b = _as_tensor_list("grads_b", grads_b)
    _check_same_shapes(a, b)
    return _cosine(np.concatenate([x.ravel() for x in a]), np.concatenate([y.ravel() for y in b]))


def per_tensor_cosines(grads_a: Sequence[np.ndarray], grads_b: Sequence[np.ndarray]) -> np.ndarray:
    """``cos(g_a[t], g_b[t])`` for each tensor ``t`` on its own (array of ``len(grads_a)``).

    Clipping each tensor by its norm keeps every one of these at 1 while the cosine of the
    whole gradient (:func:`gradient_cosine`) drops: the tensors are shortened by different
    factors. ``nan`` where a tensor is all zeros.
    """
    a = _as_tensor_list("grads_a", grads_a)
    b = _as_tensor_list("grads_b", grads_b)
    _check_same_shapes(a, b)
    return np.array([_cosine(x.ravel(), y.ravel()) for x, y in zip(a, b)])


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values))))


def gradient_scales(net: Any, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    """Root-mean-square sizes, per layer ``ℓ = 1..L``, of what a layer's gradients are made of.

    With ``dW^ℓ = A^{ℓ-1}ᵀ dZ^ℓ`` and ``db^ℓ = Σ_rows dZ^ℓ``, the bias gradient is built from
    the back-propagated error ``dZ^ℓ`` alone, the weight gradient from ``dZ^ℓ`` times the layer's
    input ``A^{ℓ-1}``. Returns arrays of length ``L`` under the keys ``"input_rms"``
    (``rms(A^{ℓ-1})``, ``A^0 = X``), ``"dZ_rms"``, ``"db_rms"`` and ``"dW_rms"``, where
    ``rms(M) = sqrt(mean(M²))`` (unlike a std it is meaningful for a single output unit).
    """
    bp = net.backprop(X, Y)
    L = len(bp.dWs)
    return {
        "input_rms": np.array([_rms(bp.As[i]) for i in range(L)]),
        "dZ_rms": np.array([_rms(dZ) for dZ in bp.dZs]),
        "db_rms": np.array([_rms(db) for db in bp.dbs]),
        "dW_rms": np.array([_rms(dW) for dW in bp.dWs]),
    }


def singular_value_ratios(W: np.ndarray) -> np.ndarray:
    """``σ_k / σ_1`` for the singular values of ``W`` in decreasing order (``σ_1`` the largest).

    A layer whose units (columns) all point in one direction, each a multiple of the same
    vector, has rank 1: ``[1, 0, 0, ...]``. All zeros for an all-zero ``W``.
    """
    array = np.asarray(W, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"Argument `W` must be a non-empty 2-D array. Received: W with shape {array.shape}"
        )
    sigma = np.linalg.svd(array, compute_uv=False)
    return sigma / sigma[0] if sigma[0] > 0 else np.zeros_like(sigma)


def effective_rank(W: np.ndarray, rtol: float = 1e-6) -> int:
    """Number of singular values of ``W`` above ``rtol`` times the largest (0 for ``W = 0``).

    It counts the independent directions a layer's units look along: ``W`` of rank 1 means
    every unit computes a function of the same projection of its input.
    """
    if isinstance(rtol, bool) or not isinstance(rtol, numbers.Real) or not 0 < rtol < 1:
        raise ValueError(f"Argument `rtol` must be a float in (0, 1). Received: rtol={rtol!r}")
    ratios = singular_value_ratios(W)
    return int(np.sum(ratios > rtol))


def relu_unit_regimes(net: Any, X: np.ndarray) -> dict[str, np.ndarray]:
    """For each hidden ReLU layer, the fraction of units in each regime over the batch ``X``.

    ``"dead"``: ``Z ≤ 0`` for every example (output and gradient always 0); ``"linear"``:
    ``Z > 0`` for every example (the unit acts as the identity on this data, so it adds no
    non-linearity); ``"mixed"``: the rest, the only units that bend the function. Arrays of
    length ``L - 1``; the network's activation must be ``relu``.
    """
    check_choice("net.activation", net.activation, ("relu",))
    Zs, _ = net.forward_trace(X)
    hidden = Zs[:-1]
    dead = np.array([np.mean(np.all(Z <= 0, axis=0)) for Z in hidden])
    linear = np.array([np.mean(np.all(Z > 0, axis=0)) for Z in hidden])
    return {"dead": dead, "linear": linear, "mixed": 1.0 - dead - linear}


def tensor_norms(grads: Sequence[np.ndarray]) -> np.ndarray:
    """``||g_t||`` (Frobenius norm) of each array of a list such as ``[dW1, db1, dW2, ...]``.

    Their root sum of squares is the global norm (``wtinit_lib.clipping.global_norm``).
    """
    return np.array([math.sqrt(float(np.vdot(g, g))) for g in _as_tensor_list("grads", grads)])


def collapse_identical_units(net: Any, atol: float = 0.0) -> Any:
    """The one-unit-per-hidden-layer network that computes exactly what a symmetric ``net`` does.

    When every unit of hidden layer ``ℓ`` is identical (equal columns of ``W^ℓ``, equal entries
    of ``b^ℓ``) and so are the weights leaving it (equal rows of ``W^{ℓ+1}``), every column of
    ``A^ℓ`` equals one column ``a``, and

        A^ℓ W^{ℓ+1} = a · (Σ_j W^{ℓ+1}[j, :]),

    so the layer can be replaced by a single unit whose outgoing weights are the column sums of
    ``W^{ℓ+1}``. Applied to every hidden layer this gives an MLP with ``layer_sizes
    [n_0, 1, ..., 1, n_L]``, the same activations and, up to rounding, the same outputs.

    Args:
        net: a :class:`~wtinit_lib.network.MLP` whose hidden units are identical layer by layer.
        atol: the largest difference between units accepted as "identical" (``0.0``: exactly).

    Raises:
        ValueError: when a hidden layer has units that differ by more than ``atol``.
    """
    from wtinit_lib.network import MLP

    if not isinstance(net, MLP):
        raise TypeError(f"Argument `net` must be a wtinit_lib.MLP. Received: {type(net).__name__}")
    if isinstance(atol, bool) or not isinstance(atol, numbers.Real) or not atol >= 0:
        raise ValueError(f"Argument `atol` must be a non-negative float. Received: atol={atol!r}")
    L = net.num_layers
    for i in range(L - 1):
        spread = max(
            max_pairwise_unit_difference(net.weights[i]),
            max_pairwise_unit_difference(net.biases[i]),
            max_pairwise_unit_difference(net.weights[i + 1].T),
        )
        if spread > atol:
            raise ValueError(
                f"Argument `net` must have identical units in every hidden layer. Received: "
                f"layer {i + 1} units differ by up to {spread:.3g} (atol={atol!r})"
            )
    weights, biases = [], []
    for i in range(L):
        W = net.weights[i]
        if i > 0:  # the previous layer is now one unit: its outgoing weights add up
            W = W.sum(axis=0, keepdims=True)
        keep = W.shape[1] if i == L - 1 else 1
        weights.append(W[:, :keep])
        biases.append(net.biases[i][:keep])
    collapsed = MLP(
        [net.layer_sizes[0]] + [1] * (L - 1) + [net.layer_sizes[-1]],
        activation=net.activation,
        output_activation=net.output_activation,
        weight_init="zeros",
        dtype=net.dtype,
    )
    collapsed.weights = weights
    collapsed.biases = biases
    return collapsed


# --- chapters 5 and 6: derivatives that are exactly zero, statistics over training ---------------


def zero_derivative_fractions(net: Any, X: np.ndarray) -> dict[str, np.ndarray]:
    """How often each hidden layer's activation derivative ``g'(Z^ℓ)`` is exactly 0 on ``X``.

    Back-propagation multiplies by ``g'(Z^ℓ)`` (``dZ^ℓ = dA^ℓ ⊙ g'(Z^ℓ)``), so an entry with
    ``g'(z) = 0`` passes no gradient at all. Returns arrays of length ``L - 1`` (one per hidden
    layer) under the keys:

    - ``"entries"``: fraction of (example, unit) entries with ``g'(z) = 0`` (ReLU: the entries
      with ``z ≤ 0``, about half of them);
    - ``"units"``: fraction of units with ``g'(z) = 0`` for every example: dead units, whose
      incoming weights get no gradient from this batch (for ReLU this equals
      :func:`dead_relu_fraction`);
    - ``"min"``: the smallest ``g'(z)`` in the layer (leaky ReLU: its slope, never 0).

    Works for every hidden activation (a saturated sigmoid or tanh can round ``g'`` to 0 too).
    """
    Zs, As = net.forward_trace(X)
    g = activations.get(net.activation)
    entries, units, smallest = [], [], []
    for Z, A in zip(Zs[:-1], As[1:-1]):
        derivative = np.asarray(g.derivative(Z, A), dtype=np.float64)
        zero = derivative == 0.0
        entries.append(float(np.mean(zero)))
        units.append(float(np.mean(np.all(zero, axis=0))))
        smallest.append(float(np.min(derivative)))
    return {"entries": np.array(entries), "units": np.array(units), "min": np.array(smallest)}


def stat_series(history: Any, field: str) -> tuple[np.ndarray, np.ndarray]:
    """One :class:`LayerStats` field over training: ``(epochs, values)``.

    ``history`` is a :class:`~wtinit_lib.network.History` from ``MLP.fit(...,
    record_stats=True)``; ``epochs`` (length ``T``) are the epochs at which statistics were
    recorded and ``values[t, i]`` is ``field`` of layer ``ℓ = i + 1`` at ``epochs[t]`` (shape
    ``(T, L)``, the output layer last). E.g. ``field="act_mean"`` with ``"act_std"`` gives
    Glorot & Bengio's (2010) figure of each layer's mean activation (and spread) over training.
    """
    fields = tuple(LayerStats.__dataclass_fields__)
    check_choice("field", field, fields[1:])
    stats = getattr(history, "stats", None)
    if not stats:
        raise ValueError(
            "Argument `history` must hold per-layer statistics: train with "
            "`net.fit(..., record_stats=True)`. Received: a history without stats"
        )
    epochs = np.asarray(getattr(history, "stats_epochs", None) or np.arange(1, len(stats) + 1))
    values = np.array([[getattr(s, field) for s in row] for row in stats], dtype=np.float64)
    return epochs, values
