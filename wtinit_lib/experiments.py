"""Experiments that build networks: signal propagation, averages over networks, LSUV, collapsing.

Each function here creates (or rescales, or rebuilds) networks and measures them, so that a
chapter can run a whole experiment in one call: :func:`signal_propagation` (a fresh deep network,
one forward and backward pass), :func:`measured_stds_over_networks` and
:func:`measured_backward_stds_over_networks` (the per-layer variance of the signal and of the
gradient averaged over many random networks, what variance propagation predicts),
:func:`propagation_checks` (those measurements beside the predictions, for several rules),
:func:`lsuv` (Mishkin & Matas 2015) and :func:`collapse_identical_units` (the one-unit network
a symmetric network is). Training several initializers side by side is in
:mod:`~wtinit_lib.comparisons`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wtinit_lib import activations, initializers, measures, theory
from wtinit_lib._checks import (
    check_choice,
    check_int,
    check_layer_sizes,
    check_mapping,
    check_per_layer,
    check_positive,
)
from wtinit_lib.network import MLP

__all__ = [
    "PropagationCheck",
    "SignalPropagation",
    "collapse_identical_units",
    "lsuv",
    "measured_backward_stds_over_networks",
    "measured_stds_over_networks",
    "propagation_checks",
    "signal_propagation",
]


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
    weight_init: str | initializers.Initializer = "glorot_normal",
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
    depth = check_int("depth", depth, 1)
    width = check_int("width", width, 1)
    n_samples = check_int("n_samples", n_samples, 2)
    seed = check_int("seed", seed, 0)
    check_choice("activation", activation, activations.HIDDEN)
    base = initializers.get(weight_init)
    scale = check_positive("scale", scale)

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


def _random_networks(
    layer_sizes: Sequence[int],
    weight_vars: float | Sequence[float],
    activation: str,
    num_networks: int,
    seed: int,
) -> tuple[list[int], int, list[object], int, int]:
    """The checked arguments of the averages over random networks: the layer sizes, ``L``, one
    ``N(0, v)`` initializer per layer (zeros for ``v = 0``), the number of networks and the seed."""
    sizes = check_layer_sizes(layer_sizes)
    check_choice("activation", activation, theory.ACTIVATIONS)
    L = len(sizes) - 1
    variances = check_per_layer("weight_vars", weight_vars, L)
    inits = [initializers.random_normal(std=math.sqrt(v)) if v > 0 else "zeros" for v in variances]
    return sizes, L, inits, check_int("num_networks", num_networks, 1), check_int("seed", seed, 0)


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
    :func:`~wtinit_lib.theory.predicted_preactivation_stds` computes. One network gives one draw
    of it: for ReLU its layer-to-layer gains fluctuate by about ``sqrt(2 / n)`` each and multiply
    (the activations are all positive, so every example shares a common direction and the
    fluctuation does not average out over the batch); averaging over networks removes that noise.
    """
    sizes, L, inits, num_networks, seed = _random_networks(
        layer_sizes, weight_vars, activation, num_networks, seed
    )
    z_vars = np.zeros(L)
    a_vars = np.zeros(L - 1)
    for k in range(num_networks):
        net = MLP(sizes, activation, "linear", weight_init=inits, seed=seed + k)
        Zs, As = net.forward_trace(X)
        z_vars += [np.var(Z) for Z in Zs]
        a_vars += [np.var(A) for A in As[1:-1]]
    return np.sqrt(z_vars / num_networks), np.sqrt(a_vars / num_networks)


def measured_backward_stds_over_networks(
    layer_sizes: Sequence[int],
    weight_vars: float | Sequence[float],
    activation: str,
    X: np.ndarray,
    Y: np.ndarray,
    output_activation: str = "softmax",
    num_networks: int = 16,
    seed: int = 0,
) -> np.ndarray:
    """Measured ``std(dA^ℓ)`` for ``ℓ = 0..L-1`` (length ``L``), the root of the variance
    averaged over ``num_networks`` independently drawn networks.

    ``dA^ℓ`` is the gradient of the loss with respect to layer ``ℓ``'s output (``dA^0``: the
    input). The networks are those of :func:`measured_stds_over_networks` (weights
    ``N(0, weight_vars[ℓ])``, zero biases, network ``k`` seeded ``seed + k``) with the output
    activation ``output_activation`` and its loss; every network sees the same ``X`` and ``Y``.
    Compare the ratios ``std(dA^ℓ) / std(dA^{L-1})`` with
    :func:`~wtinit_lib.theory.predicted_backward_ratios`.
    """
    sizes, L, inits, num_networks, seed = _random_networks(
        layer_sizes, weight_vars, activation, num_networks, seed
    )
    dA_vars = np.zeros(L)
    for k in range(num_networks):
        net = MLP(sizes, activation, output_activation, weight_init=inits, seed=seed + k)
        dAs = net.backprop(X, Y).dAs
        dA_vars += [np.var(dA) for dA in dAs[:L]]
    return np.sqrt(dA_vars / num_networks)


@dataclass(frozen=True)
class PropagationCheck:
    """Predicted and measured per-layer stds of one network shape, activation and rule.

    Attributes (0-based arrays, index ``i`` is layer ``ℓ = i + 1``):
        predicted_z, measured_z: ``std(Z^ℓ)`` for ``ℓ = 1..L``, from variance propagation and
            as the mean over networks of :func:`measured_stds_over_networks`;
        single_z: ``std(Z^ℓ)`` of the first of those networks alone;
        predicted_a, measured_a: ``std(A^ℓ)`` of the hidden layers ``ℓ = 1..L-1``.
    """

    predicted_z: np.ndarray
    measured_z: np.ndarray
    single_z: np.ndarray
    predicted_a: np.ndarray
    measured_a: np.ndarray

    @staticmethod
    def _max_error(measured: np.ndarray, predicted: np.ndarray) -> float:
        return float(np.max(np.abs(measured / predicted - 1.0)))

    @property
    def error_z(self) -> float:
        """Largest relative error ``|measured / predicted - 1|`` of ``std(Z^ℓ)`` over layers."""
        return self._max_error(self.measured_z, self.predicted_z)

    @property
    def error_a(self) -> float:
        """Largest relative error of ``std(A^ℓ)`` over the hidden layers."""
        return self._max_error(self.measured_a, self.predicted_a)

    @property
    def error_single(self) -> float:
        """Largest relative error of one network's ``std(Z^ℓ)`` over layers."""
        return self._max_error(self.single_z, self.predicted_z)


def propagation_checks(
    layer_sizes: Sequence[int],
    rules: Mapping[str, str | Sequence[float]],
    hidden_activations: Sequence[str],
    X: np.ndarray,
    num_networks: int = 16,
    seed: int = 0,
) -> dict[tuple[str, str], PropagationCheck]:
    """Variance propagation against networks, for every activation and rule (label).

    ``rules`` maps a label to a rule name of :func:`~wtinit_lib.theory.weight_variances`
    (``"lecun"``, ``"glorot"``, ``"he"``) or to one weight variance per layer. For each
    ``(activation, label)`` the result holds the prediction
    (:func:`~wtinit_lib.theory.predicted_preactivation_stds` and ``predicted_activation_stds``,
    with the input's second moment ``mean(X²)``) and the measurement over ``num_networks``
    networks seeded ``seed, seed + 1, ...`` (:func:`measured_stds_over_networks`). The same seeds
    serve every rule, so two rules draw the same standard-normal matrices, scaled differently.
    """
    check_mapping("rules", rules)
    sizes = check_layer_sizes(layer_sizes)
    moment = float(np.mean(np.asarray(X, dtype=np.float64) ** 2))
    checks = {}
    for activation in hidden_activations:
        for label, rule in rules.items():
            if isinstance(rule, str):
                variances = theory.weight_variances(sizes, rule)
            else:
                variances = check_per_layer(f"rules[{label!r}]", rule, len(sizes) - 1)
            args = (sizes, variances, activation)
            measured_z, measured_a = measured_stds_over_networks(
                *args, X, num_networks=num_networks, seed=seed
            )
            single_z = measured_stds_over_networks(*args, X, num_networks=1, seed=seed)[0]
            checks[activation, label] = PropagationCheck(
                predicted_z=theory.predicted_preactivation_stds(*args, moment),
                measured_z=measured_z,
                single_z=single_z,
                predicted_a=theory.predicted_activation_stds(*args, moment),
                measured_a=measured_a,
            )
    return checks


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
    tol = check_positive("tol", tol)
    target_var = check_positive("target_var", target_var)
    max_iter = check_int("max_iter", max_iter, 1)
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


def collapse_identical_units(net: MLP, atol: float = 0.0) -> MLP:
    """The one-unit-per-hidden-layer network that computes exactly what a symmetric ``net`` does.

    When every unit of hidden layer ``ℓ`` is identical (equal columns of ``W^ℓ``, equal entries
    of ``b^ℓ``) and so are the weights leaving it (equal rows of ``W^{ℓ+1}``), every column of
    ``A^ℓ`` equals one column ``a``, and

        A^ℓ W^{ℓ+1} = a · (Σ_j W^{ℓ+1}[j, :]),

    so the layer can be replaced by a single unit whose outgoing weights are the column sums of
    ``W^{ℓ+1}``. Applied to every hidden layer this gives an MLP with ``layer_sizes
    [n_0, 1, ..., 1, n_L]``, the same activations and, up to rounding, the same outputs.

    Args:
        net: an :class:`~wtinit_lib.network.MLP` whose hidden units are identical layer by layer.
        atol: the largest difference between units accepted as "identical" (``0.0``: exactly).

    Raises:
        ValueError: when a hidden layer has units that differ by more than ``atol``.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"Argument `net` must be a wtinit_lib.MLP. Received: {type(net).__name__}")
    atol = check_positive("atol", atol, allow_zero=True)
    L = net.num_layers
    spreads = measures.unit_spreads(net.weights, net.biases) if L > 1 else []
    for i, spread in enumerate(spreads):
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
