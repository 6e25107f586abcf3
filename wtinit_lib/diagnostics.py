"""Probes: run a forward (and backward) pass of a network and report what happens inside.

Every function takes a network and a batch and measures; none builds or changes a network
(:mod:`wtinit_lib.experiments` does that). A network here is anything with the interface of
:class:`~wtinit_lib.network.MLP`: ``forward_trace``, ``backprop``, ``loss``, ``weights``,
``parameters``, ``parameter_names``, ``parameter_gradients``, ``activation`` and
``output_activation``.

Layers are numbered ``ℓ = 1..L`` in :class:`~wtinit_lib.layerstats.LayerStats` and in parameter
names (``"W1"``); arrays returned here are 0-based (index ``i`` is layer ``ℓ = i + 1``). The
residual probes (:func:`residual_stream_stds`, :func:`branch_variance_ratios`,
:func:`update_sizes`) take a :class:`~wtinit_lib.residual.ResidualMLP`. Checking a model's
initial parameters against written rules is in :mod:`wtinit_lib.audit`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from wtinit_lib import activations, layerstats, measures, training
from wtinit_lib._checks import check_choice, check_in_interval, check_int, check_positive
from wtinit_lib.layerstats import LayerStats

__all__ = [
    "branch_variance_ratios",
    "dead_relu_fraction",
    "gradient_check",
    "gradient_scales",
    "input_output_jacobian",
    "jacobian_singular_values",
    "layer_stats",
    "relu_unit_regimes",
    "residual_stream_stds",
    "sharpness",
    "update_sizes",
    "zero_derivative_fractions",
]


def layer_stats(
    net: Any, X: np.ndarray, Y: np.ndarray | None = None, lr: float | None = None
) -> list[LayerStats]:
    """One :class:`~wtinit_lib.layerstats.LayerStats` per layer (hidden and output) on ``X``.

    Without ``Y`` only the forward statistics are measured (the gradient fields are ``nan``);
    with ``Y`` a backward pass fills them; with ``lr`` too, ``update_ratio`` is
    ``lr · std(dW) / std(W)``, the relative size of a plain SGD step. Read one field across
    layers with ``layerstats.per_layer(stats, "act_std")``.
    """
    if Y is None:
        Zs, As = net.forward_trace(X)
        return layerstats.stats_from_pass(
            net.activation, net.output_activation, Zs, As, net.weights, lr=None
        )
    bp = net.backprop(X, Y)
    return layerstats.stats_from_pass(
        net.activation, net.output_activation, bp.Zs, bp.As, net.weights, bp.dWs, bp.dAs, lr
    )


def dead_relu_fraction(net: Any, X: np.ndarray) -> np.ndarray:
    """For each hidden layer, the fraction of units whose ReLU output is 0 for every row of ``X``.

    Such a unit also has zero gradient for every example, so gradient descent never revives it
    through its own weights. Returns an array of length ``L - 1``; the network's activation must
    be ``relu``.
    """
    check_choice("net.activation", net.activation, ("relu",))
    _, As = net.forward_trace(X)
    return np.array([measures.silent_unit_fraction(A) for A in As[1:-1]])


def relu_unit_regimes(net: Any, X: np.ndarray) -> dict[str, np.ndarray]:
    """For each hidden ReLU layer, the fraction of units in each regime over the batch ``X``.

    ``"dead"``: ``Z ≤ 0`` for every example (output and gradient always 0); ``"linear"``:
    ``Z > 0`` for every example (the unit acts as the identity on this data, so it adds no
    non-linearity); ``"mixed"``: the rest, the only units that bend the function. Arrays of
    length ``L - 1``; the network's activation must be ``relu``.
    """
    check_choice("net.activation", net.activation, ("relu",))
    Zs, As = net.forward_trace(X)
    dead = np.array([measures.silent_unit_fraction(A) for A in As[1:-1]])
    linear = np.array([np.mean(np.all(Z > 0, axis=0)) for Z in Zs[:-1]])
    return {"dead": dead, "linear": linear, "mixed": 1.0 - dead - linear}


def zero_derivative_fractions(net: Any, X: np.ndarray) -> dict[str, np.ndarray]:
    """How often each hidden layer's activation derivative ``g'(Z^ℓ)`` is exactly 0 on ``X``.

    Back-propagation multiplies by ``g'(Z^ℓ)`` (``dZ^ℓ = dA^ℓ ⊙ g'(Z^ℓ)``), so an entry with
    ``g'(z) = 0`` passes no gradient at all. Returns arrays of length ``L - 1`` (one per hidden
    layer) under the keys:

    - ``"entries"``: fraction of (example, unit) entries with ``g'(z) = 0`` (ReLU: the entries
      with ``z ≤ 0``, about half of them);
    - ``"units"``: fraction of units with ``g'(z) = 0`` for every example, whose incoming weights
      get no gradient from this batch (for ReLU: the dead units of :func:`dead_relu_fraction`);
    - ``"min"``: the smallest ``g'(z)`` in the layer (leaky ReLU: its slope, never 0).

    Works for every hidden activation (a saturated sigmoid or tanh can round ``g'`` to 0 too).
    """
    Zs, As = net.forward_trace(X)
    g = activations.get(net.activation)
    entries, units, smallest = [], [], []
    for Z, A in zip(Zs[:-1], As[1:-1]):
        derivative = np.asarray(g.derivative(Z, A), dtype=np.float64)
        entries.append(float(np.mean(derivative == 0.0)))
        units.append(measures.silent_unit_fraction(derivative))
        smallest.append(float(np.min(derivative)))
    return {"entries": np.array(entries), "units": np.array(units), "min": np.array(smallest)}


def gradient_scales(net: Any, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    """Root-mean-square sizes, per layer ``ℓ = 1..L``, of what a layer's gradients are made of.

    With ``dW^ℓ = A^{ℓ-1}ᵀ dZ^ℓ`` and ``db^ℓ = Σ_rows dZ^ℓ``, the bias gradient is built from the
    back-propagated error ``dZ^ℓ`` alone, the weight gradient from ``dZ^ℓ`` times the layer's
    input ``A^{ℓ-1}``. Returns arrays of length ``L`` under the keys ``"input_rms"``
    (``rms(A^{ℓ-1})``, ``A^0 = X``), ``"dZ_rms"``, ``"db_rms"`` and ``"dW_rms"``
    (:func:`~wtinit_lib.measures.rms`).
    """
    bp = net.backprop(X, Y)
    L = len(bp.dWs)
    return {
        "input_rms": np.array([measures.rms(bp.As[i]) for i in range(L)]),
        "dZ_rms": np.array([measures.rms(dZ) for dZ in bp.dZs]),
        "db_rms": np.array([measures.rms(db) for db in bp.dbs]),
        "dW_rms": np.array([measures.rms(dW) for dW in bp.dWs]),
    }


def gradient_check(
    net: Any, X: np.ndarray, Y: np.ndarray, eps: float = 1e-6
) -> list[tuple[str, float]]:
    """Compare backpropagation with central finite differences on every parameter entry.

    For each parameter entry ``θ``: ``(loss(θ + eps) - loss(θ - eps)) / (2 eps)``, whose error is
    ``O(eps²)`` plus rounding ``O(1e-16 / eps)``: about ``1e-10`` relative in float64 for
    ``eps = 1e-6`` (use a float64 network). Returns ``[("W1", err), ("b1", err), ("W2", ...),
    ...]`` (the names of ``net.parameter_names()``) with ``err = relative_error(backprop, finite
    differences)`` per parameter array. Every parameter is restored exactly afterwards.
    """
    eps = check_in_interval("eps", eps, 0.0, 1.0)
    grads = net.parameter_gradients(X, Y)
    results = []
    for name, param, grad in zip(net.parameter_names(), net.parameters(), grads):
        numeric = _numeric_gradient(net, X, Y, param, eps)
        results.append((name, measures.relative_error(grad, numeric)))
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


def sharpness(net: Any, X: np.ndarray, Y: np.ndarray, eps: float = 1e-5, seed: int = 0) -> float:
    """The largest eigenvalue ``λ_max`` of the Hessian of ``net.loss(X, Y)`` in all parameters.

    ``λ_max`` is the loss's curvature along its most curved direction. On a quadratic, a
    gradient-descent step ``θ ← θ - η g`` multiplies the error along an eigenvector of curvature
    ``λ`` by ``1 - ηλ``, so the step is stable only while ``λ_max < 2 / η``; full-batch
    training of a network tends to push ``λ_max`` up to that limit and hover there (the "edge
    of stability", Cohen et al. 2021), and the loss bumps where it crosses.

    Computed by the Lanczos method (``scipy.sparse.linalg.eigsh``, largest algebraic
    eigenvalue) on Hessian-vector products by central differences of the backpropagated
    gradient, ``H v ≈ (g(θ + εv) - g(θ - εv)) / (2ε)`` for a unit vector ``v``: an error of
    ``O(ε²)`` plus rounding ``O(1e-16 / ε)``, about 1e-8 relative for ``eps = 1e-5`` in
    float64. The start vector is drawn from ``seed``. Every parameter is restored exactly.
    """
    eps = check_in_interval("eps", eps, 0.0, 1.0)
    seed = check_int("seed", seed, 0)
    params = net.parameters()
    saved = [p.copy() for p in params]
    sizes = [p.size for p in params]
    count = sum(sizes)

    def gradient_at(direction: np.ndarray, step: float) -> np.ndarray:
        start = 0
        for p, p0, size in zip(params, saved, sizes):
            p[...] = p0 + step * direction[start : start + size].reshape(p.shape)
            start += size
        return np.concatenate([g.ravel() for g in net.parameter_gradients(X, Y)])

    def hessian_times(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64).ravel()
        length = float(np.linalg.norm(v))
        if length == 0.0:
            return np.zeros(count)
        try:
            u = v / length
            return length * (gradient_at(u, eps) - gradient_at(u, -eps)) / (2.0 * eps)
        finally:
            for p, p0 in zip(params, saved):
                p[...] = p0

    if count == 1:
        return float(hessian_times(np.ones(1))[0])
    operator = LinearOperator((count, count), matvec=hessian_times, dtype=np.float64)
    start_vector = np.random.default_rng(seed).standard_normal(count)
    values = eigsh(operator, k=1, which="LA", v0=start_vector, tol=1e-10, return_eigenvectors=False)
    return float(values[0])


def input_output_jacobian(
    net: Any, x: np.ndarray, layer: int | None = None, upto: str = "activation"
) -> np.ndarray:
    """``J = ∂A^ℓ/∂x`` (or ``∂Z^ℓ/∂x`` with ``upto="preactivation"``) at one input ``x``.

    Shape ``(n_ℓ, n_0)``, ``J[j, i] = ∂out_j/∂x_i``; ``layer`` is ``ℓ = 1..L`` (default ``L``).
    In the column convention of Pennington, Schoenholz & Ganguli (2017), ``J = D^ℓ W^ℓᵀ ⋯ D^1
    W^1ᵀ`` with ``D^ℓ = diag(g'(z^ℓ))``; it is computed in forward mode in Keras's row layout,
    ``M ← (M W^ℓ) ⊙ g'(Z^ℓ)`` from ``M = I``, which costs ``n_0 Σ n_{ℓ-1} n_ℓ`` multiply-adds.
    Through a softmax output only ``upto="preactivation"`` is supported.
    """
    check_choice("upto", upto, ("activation", "preactivation"))
    L = net.num_layers
    layer = L if layer is None else check_int("layer", layer, 1)
    if layer > L:
        raise ValueError(f"Argument `layer` must be at most L = {L}. Received: layer={layer}")
    x = np.asarray(x, dtype=np.float64).reshape(1, -1)
    Zs, As = net.forward_trace(x)
    last = layer == L and upto == "activation"
    if last and net.output_activation == "softmax":
        raise ValueError(
            "The Jacobian through a softmax output is not supported: use upto='preactivation'."
        )
    M = np.eye(x.shape[1])
    for i in range(layer):
        M = M @ net.weights[i]
        if i == layer - 1 and upto == "preactivation":
            break
        output = i == L - 1
        name = net.output_activation if output else net.activation
        g = activations.get(name, role="output" if output else "hidden")
        M = M * np.asarray(g.derivative(Zs[i], As[i + 1]), dtype=np.float64)
    return M.T


def jacobian_singular_values(
    net: Any, x: np.ndarray, layer: int | None = None, upto: str = "activation"
) -> np.ndarray:
    """The singular values of :func:`input_output_jacobian`, largest first.

    Their mean square is ``‖J‖_F² / n``; mean-field theory predicts ``χ₁^ℓ`` for it at the
    fixed point (Pennington et al. 2017), and *dynamical isometry* is all of them near 1.
    """
    return np.linalg.svd(input_output_jacobian(net, x, layer, upto), compute_uv=False)


# --- residual networks ----------------------------------------------------------------------------


def residual_stream_stds(net: Any, X: np.ndarray) -> np.ndarray:
    """``std(x_ℓ)`` of the residual stream for ``ℓ = 0..L`` (length ``L + 1``; ``x_0`` is the
    input layer's output)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([float(np.std(x)) for x in net.residual_stream(X)])


def branch_variance_ratios(net: Any, X: np.ndarray) -> np.ndarray:
    """``Var(c_ℓ f_ℓ) / Var(x_{ℓ-1})`` for ``ℓ = 1..L``: the size of what block ``ℓ`` adds,
    relative to the stream it adds it to (De & Smith 2020: a normalized branch's share falls as
    ``1/ℓ``, so deep blocks start close to the identity)."""
    trace = net.forward_trace(X)
    return np.array([np.var(f) / np.var(x) for f, x in zip(trace.branches, trace.stream)])


def update_sizes(
    net: Any,
    X: np.ndarray,
    Y: np.ndarray,
    lr: float,
    steps: int = 1,
    optimizer: str = "sgd",
    where: str = "top",
) -> np.ndarray:
    """RMS change of a representation in each of the first ``steps`` full-batch updates.

    Trains copies of ``net`` (``net`` itself is left unchanged) with
    :func:`~wtinit_lib.training.fit` on the whole of ``(X, Y)`` for 1, 2, ... ``steps`` epochs
    and measures, on ``X``, ``rms(R_k - R_{k-1})`` with ``R_k`` the representation after ``k``
    steps: ``where="top"`` what the output layer reads, ``"stream"`` the last ``x_L``,
    ``"logits"``. With Adam the first step moves every parameter by about ``lr`` (its size is
    ``lr · m̂/√v̂``), the setting of Wang et al. (2022)'s update bound. ``nan`` or ``inf`` once
    the run diverges.
    """
    steps = check_int("steps", steps)
    lr = check_positive("lr", lr)
    check_choice("where", where, ("top", "stream", "logits"))

    def representation(model: Any) -> np.ndarray:
        trace = model.forward_trace(X)
        return {"top": trace.top, "stream": trace.stream[-1], "logits": trace.logits}[where]

    previous, sizes = representation(net), []
    for k in range(1, steps + 1):
        model = net.copy()
        with np.errstate(all="ignore"):
            training.fit(model, X, Y, k, lr, optimizer=optimizer, on_divergence="stop")
            current = representation(model)
            sizes.append(measures.rms(current - previous))
        previous = current
    return np.array(sizes)
