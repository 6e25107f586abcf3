"""A multilayer perceptron with a hand-written forward and backward pass.

Shapes, with ``n`` examples as rows and layer ``ℓ = 1..L`` (list index ``i = ℓ - 1``)::

    A[0] = X                              (n, layer_sizes[0])
    Z[ℓ] = A[ℓ-1] @ W[ℓ] + b[ℓ]           (n, layer_sizes[ℓ])
    W[ℓ]                                  (layer_sizes[ℓ-1], layer_sizes[ℓ])
    A[ℓ] = g(Z[ℓ])                        g = hidden activation, or the output activation at ℓ = L

Backpropagation runs the chain rule from the last layer to the first::

    dZ[L]   = dLoss/dZ[L]                 (e.g. (sigmoid(Z) - Y) / Y.size for binary cross-entropy)
    dW[ℓ]   = A[ℓ-1].T @ dZ[ℓ]
    db[ℓ]   = dZ[ℓ] summed over examples
    dA[ℓ-1] = dZ[ℓ] @ W[ℓ].T
    dZ[ℓ-1] = dA[ℓ-1] * g'(Z[ℓ-1])

With ``norm="layer"`` or ``"batch"`` every hidden layer normalizes its pre-activation before the
activation, ``A[ℓ] = g(N(Z[ℓ]))`` (:mod:`wtinit_lib.normalization`, ``γ = 1``, ``β = 0``); then
``Zs`` holds the normalized ``N(Z[ℓ])`` (what ``g`` sees) and ``dZs`` the gradient of the raw
``Z[ℓ]``. The weight layout is Keras's (``(fan_in, fan_out)``), so a trained ``MLP`` without a
norm converts to a Keras model with identical weights (``wtinit_lib.keras_bridge.to_keras``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from wtinit_lib import activations, initializers, layerstats, losses, normalization, training
from wtinit_lib._checks import as_rng, check_choice, check_layer_sizes, check_positive
from wtinit_lib.layerstats import LayerStats
from wtinit_lib.training import History

__all__ = ["MLP", "Backprop"]


@dataclass
class Backprop:
    """Everything one forward and backward pass computes.

    ``Zs``, ``dZs``, ``dWs``, ``dbs`` have one entry per layer (index ``i`` is layer ``ℓ = i + 1``).
    ``As`` and ``dAs`` have ``L + 1`` entries: ``As[0]`` is the input ``X``, ``As[L]`` the output;
    ``dAs[i]`` is the gradient of the loss with respect to ``As[i]`` (``dAs[0]``: the input).
    ``dnorms`` is ``(dgammas, dbetas)`` of the hidden layers' norms (empty lists without one).
    """

    loss: float
    Zs: list[np.ndarray]
    As: list[np.ndarray]
    dZs: list[np.ndarray]
    dAs: list[np.ndarray]
    dWs: list[np.ndarray]
    dbs: list[np.ndarray]
    dnorms: tuple[list[np.ndarray], list[np.ndarray]] = field(default_factory=lambda: ([], []))


class MLP:
    """A fully connected network: hidden layers with one activation, and an output layer.

    Args:
        layer_sizes: units per layer including inputs and outputs, e.g. ``[2, 10, 5, 1]``
            (so ``L = len(layer_sizes) - 1`` weight layers).
        activation: hidden activation: ``linear``, ``sigmoid``, ``tanh``, ``relu``,
            ``leaky_relu``.
        output_activation: ``sigmoid`` (binary cross-entropy), ``softmax`` (categorical
            cross-entropy, one-hot targets) or ``linear`` (mean squared error).
        weight_init, bias_init: a name from ``wtinit_lib.initializers.available()``, a callable
            ``f(shape, rng, dtype)``, or a list with one of those per layer.
        seed: an int, a ``np.random.Generator`` or ``None``; the weights are drawn layer by
            layer (``W[1], b[1], W[2], ...``) from it.
        dtype: ``np.float64`` (default, exact gradient checks) or ``np.float32``.
        norm, eps: ``None``, ``"layer"`` or ``"batch"``: a normalization (with ``ε = eps``)
            between every hidden layer's ``Z`` and its activation; BatchNorm always uses the
            statistics of the batch it is given (training mode), in ``predict`` too.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        output_activation: str = "sigmoid",
        weight_init: object = "he_normal",
        bias_init: object = "zeros",
        seed: object = None,
        dtype: object = np.float64,
        norm: str | None = None,
        eps: float = normalization.EPS,
    ) -> None:
        self.layer_sizes = check_layer_sizes(layer_sizes)
        self.norm = None if norm is None else check_choice("norm", norm, normalization.NORMS)
        self.eps = check_positive("eps", eps)
        self.activation = activation
        self.output_activation = output_activation
        self._g = activations.get(activation, role="hidden")
        self._g_out = activations.get(output_activation, role="output")
        self._loss_from_logits, self._dloss_dlogits = losses.output_loss(output_activation)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(
                f"Argument `dtype` must be float32 or float64. Received: dtype={dtype!r}"
            )
        L = self.num_layers
        weight_inits = initializers.get_per_layer(weight_init, L, name="weight_init")
        bias_inits = initializers.get_per_layer(bias_init, L, name="bias_init")
        rng = as_rng(seed, name="seed")
        self._weights: list[np.ndarray] = []
        self._biases: list[np.ndarray] = []
        for i, (w_init, b_init) in enumerate(zip(weight_inits, bias_inits)):
            n_in, n_out = self.layer_sizes[i], self.layer_sizes[i + 1]
            W = w_init((n_in, n_out), rng=rng, dtype=self.dtype)
            b = b_init((n_out,), rng=rng, dtype=self.dtype)
            # _checked_params copies: an initializer that hands every layer the same array
            # must not tie the layers' weights together.
            what = f"returned by `weight_init` for layer {i + 1}"
            self._weights.append(self._checked_param(f"The array {what}", W, (n_in, n_out)))
            what = f"returned by `bias_init` for layer {i + 1}"
            self._biases.append(self._checked_param(f"The array {what}", b, (n_out,)))
        hidden = self.layer_sizes[1:-1] if self.norm else ()  # γ = 1, β = 0 per hidden layer
        self._gammas = [np.ones(n, dtype=self.dtype) for n in hidden]
        self._betas = [np.zeros(n, dtype=self.dtype) for n in hidden]

    # --- parameters ----------------------------------------------------------------------------

    @property
    def num_layers(self) -> int:
        """``L``: the number of weight layers (hidden layers plus the output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def weights(self) -> list[np.ndarray]:
        """Kernels: ``weights[i]`` (layer ``ℓ = i+1``) is ``(layer_sizes[i], layer_sizes[i+1])``."""
        return self._weights

    @weights.setter
    def weights(self, values: Sequence[np.ndarray]) -> None:
        self._weights = self._checked_params("weights", values, weights=True)

    @property
    def biases(self) -> list[np.ndarray]:
        """Biases: ``biases[i]`` (layer ``ℓ = i + 1``) has shape ``(layer_sizes[i+1],)``."""
        return self._biases

    @biases.setter
    def biases(self, values: Sequence[np.ndarray]) -> None:
        self._biases = self._checked_params("biases", values, weights=False)

    def _checked_params(self, name: str, values: object, *, weights: bool) -> list[np.ndarray]:
        if not isinstance(values, (list, tuple)) or len(values) != self.num_layers:
            raise ValueError(
                f"Argument `{name}` must be a list of {self.num_layers} arrays. "
                f"Received: {type(values).__name__} of length "
                f"{len(values) if hasattr(values, '__len__') else '?'}"
            )
        checked = []
        for i, value in enumerate(values):
            n_in, n_out = self.layer_sizes[i], self.layer_sizes[i + 1]
            expected = (n_in, n_out) if weights else (n_out,)
            checked.append(self._checked_param(f"Argument `{name}[{i}]`", value, expected))
        return checked

    def _checked_param(self, what: str, value: object, expected: tuple[int, ...]) -> np.ndarray:
        """A copy of ``value`` in the network's dtype, after checking its shape."""
        array = np.array(value, dtype=self.dtype)
        if array.shape != expected:
            raise ValueError(f"{what} must have shape {expected}. Received: shape {array.shape}")
        return array

    def parameters(self) -> list[np.ndarray]:
        """``[W1, b1, W2, b2, ...]`` (with a norm: ``[W1, b1, gamma1, beta1, W2, ...]``): the
        arrays themselves, not copies."""
        return self._in_order(self._weights, self._biases, self._gammas, self._betas)

    def parameter_names(self) -> list[str]:
        """``["W1", "b1", "W2", "b2", ...]``, in the order of :meth:`parameters`."""
        L, H = self.num_layers, len(self._gammas)
        names = [[f"W{i}" for i in range(1, L + 1)], [f"b{i}" for i in range(1, L + 1)]]
        return self._in_order(
            *names, [f"gamma{i + 1}" for i in range(H)], [f"beta{i + 1}" for i in range(H)]
        )

    @staticmethod
    def _in_order(Ws: list, bs: list, gammas: list, betas: list) -> list:
        """Per layer ``W, b`` and, for a normalized hidden layer, ``gamma, beta``."""
        out = []
        for i, (W, b) in enumerate(zip(Ws, bs)):
            out += [W, b, gammas[i], betas[i]] if i < len(gammas) else [W, b]
        return out

    def copy(self) -> MLP:
        """A deep copy (same architecture, copied parameters)."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return (
            f"MLP(layer_sizes={list(self.layer_sizes)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, dtype={self.dtype.name}"
            + (f", norm={self.norm!r})" if self.norm else ")")
        )

    # --- input checks --------------------------------------------------------------------------

    def _check_X(self, X: object) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"Argument `X` must have shape (n, {self.layer_sizes[0]}) (one row per example, "
                f"layer_sizes[0] columns). Received: X.shape={X.shape}"
            )
        return X

    def _check_Y(self, Y: object, n: int) -> np.ndarray:
        Y = np.asarray(Y, dtype=self.dtype)
        n_out = self.layer_sizes[-1]
        if Y.ndim == 1 and n_out == 1:
            Y = Y.reshape(-1, 1)
        if Y.shape != (n, n_out):
            raise ValueError(
                f"Argument `Y` must have shape ({n}, {n_out}) (one row per row of X, "
                f"layer_sizes[-1] columns; use wtinit_lib.datasets.one_hot for labels). "
                f"Received: Y.shape={Y.shape}"
            )
        return Y

    # --- forward -------------------------------------------------------------------------------

    def forward_trace(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(Zs, As)``: every layer's pre-activation ``Z`` and activation ``A`` (``As[0] = X``)."""
        return self._forward(self._check_X(X))

    def _forward(
        self, X: np.ndarray, caches: list | None = None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(Zs, As)``; with a norm, each hidden layer's NormCache is appended to ``caches``."""
        Zs, As = [], [X]
        A = X
        last = self.num_layers - 1
        for i, (W, b) in enumerate(zip(self._weights, self._biases)):
            Z = A @ W
            Z += b
            if i < len(self._gammas):
                Z, cache = normalization.forward(
                    self.norm, Z, self._gammas[i], self._betas[i], self.eps
                )
                if caches is not None:
                    caches.append(cache)
            A = (self._g_out if i == last else self._g).forward(Z)
            Zs.append(Z)
            As.append(A)
        return Zs, As

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The output activation's values, shape ``(n, layer_sizes[-1])``."""
        return self._forward(self._check_X(X))[1][-1]

    def logits(self, X: np.ndarray) -> np.ndarray:
        """``Z`` of the output layer (before the output activation)."""
        return self._forward(self._check_X(X))[0][-1]

    # --- loss and gradients --------------------------------------------------------------------

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The mean loss that goes with the output activation, computed stably from the logits."""
        return self.batch_loss(*self.check_data(X, Y))

    def backprop(self, X: np.ndarray, Y: np.ndarray) -> Backprop:
        """One forward and backward pass, keeping every intermediate (see :class:`Backprop`)."""
        return self._backprop(*self.check_data(X, Y))

    def _backprop(self, X: np.ndarray, Y: np.ndarray) -> Backprop:
        caches: list = []
        Zs, As = self._forward(X, caches)
        loss = self._loss_from_logits(Zs[-1], Y)
        dZs, dAs_prev, dWs, dbs, dnorms = self._backward(
            Zs, As, Y, need_input_grad=True, caches=caches
        )
        dAs = [*dAs_prev, self._output_grad(Zs[-1], As[-1], dZs[-1])]
        return Backprop(loss, Zs, As, dZs, dAs, dWs, dbs, dnorms)

    def _output_grad(self, Z: np.ndarray, A: np.ndarray, dZ: np.ndarray) -> np.ndarray:
        """dLoss/dA at the output, from dLoss/dZ (inf where a sigmoid/softmax output saturated)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.output_activation == "sigmoid":
                return dZ / (A * (1.0 - A))
            if self.output_activation == "softmax":
                # dZ = J^T dA with J = diag(a) - a a^T; dA = dZ / a is one solution (the other
                # solutions differ by a constant per row, which softmax ignores).
                return dZ / A
            return dZ.copy()

    def _backward(
        self,
        Zs: list[np.ndarray],
        As: list[np.ndarray],
        Y: np.ndarray,
        *,
        need_input_grad: bool,
        dW_out: list[np.ndarray] | None = None,
        caches: list | None = None,
    ) -> tuple[list, list, list, list, tuple[list, list]]:
        """``(dZs, dAs, dWs, dbs, dnorms)``; ``dW_out``: arrays shaped like the weights to write
        ``dW`` into. With a norm, ``caches`` come from :meth:`_forward`; ``dnorms`` is
        ``(dgammas, dbetas)``."""
        L = self.num_layers
        dZs: list = [None] * L
        dAs: list = [None] * L
        dWs: list = [None] * L
        dbs: list = [None] * L
        dZ = self._dloss_dlogits(Zs[-1], As[-1], Y)
        H = len(self._gammas)
        dnorms: tuple[list, list] = ([None] * H, [None] * H)
        for i in range(L - 1, -1, -1):
            dZs[i] = dZ
            dWs[i] = np.matmul(As[i].T, dZ, out=None if dW_out is None else dW_out[i])
            dbs[i] = np.add.reduce(dZ, axis=0)  # dZ.sum(axis=0), minus a Python-level wrapper
            if i == 0 and not need_input_grad:
                break
            dA = dZ @ self._weights[i].T
            dAs[i] = dA
            if i > 0:
                g_prime = self._g.derivative(Zs[i - 1], As[i])
                if need_input_grad:
                    dZ = dA * g_prime  # keep dA intact: it is reported in dAs
                else:
                    dA *= g_prime  # fast path: nobody looks at dA, update in place
                    dZ = dA
                if H:  # back through the norm: dZ of the raw Z = A W + b
                    dZ, *grads = normalization.backward(dZ, caches[i - 1])
                    dnorms[0][i - 1], dnorms[1][i - 1] = grads
        return dZs, dAs, dWs, dbs, dnorms

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(dW_list, db_list)``: the gradient of :meth:`loss` with respect to every parameter."""
        bp = self.backprop(X, Y)
        return bp.dWs, bp.dbs

    def parameter_gradients(self, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
        """The gradients of :meth:`loss` in the order of :meth:`parameters` (new arrays)."""
        return self.batch_gradients(*self.check_data(X, Y))[1]

    # --- predictions ---------------------------------------------------------------------------

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (sigmoid: output >= 0.5; softmax: argmax) or the values (linear output)."""
        return losses.predictions(self.output_activation, self.forward(X))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of examples classified correctly; ``y`` holds labels or one-hot rows."""
        return losses.accuracy(self.output_activation, self.forward(X), y)

    # --- the interface of training.fit ------------------------------------------------------------

    def check_data(self, X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
        """``(X, Y)`` as arrays of the network's dtype, after checking their shapes."""
        X = self._check_X(X)
        return X, self._check_Y(Y, X.shape[0])

    def batch_loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """:meth:`loss` on data that has passed :meth:`check_data`."""
        return self._loss_from_logits(self._forward(X)[0][-1], Y)

    def batch_gradients(
        self, X: np.ndarray, Y: np.ndarray, out: list[np.ndarray] | None = None
    ) -> tuple[float, list[np.ndarray]]:
        """The loss and ``[dW1, db1, dW2, db2, ...]`` on checked data; each ``dW`` is written into
        the array at its position in ``out`` when given (no ``dA`` is kept: the fast path)."""
        caches: list = []
        Zs, As = self._forward(X, caches)
        loss = self._loss_from_logits(Zs[-1], Y)
        dW_out = None if out is None or self.norm else out[0::2]
        _, _, dWs, dbs, dnorms = self._backward(
            Zs, As, Y, need_input_grad=False, dW_out=dW_out, caches=caches
        )
        return loss, self._in_order(dWs, dbs, *dnorms)

    def batch_stats(
        self, X: np.ndarray, Y: np.ndarray, lr: float | None = None
    ) -> tuple[float, list[np.ndarray], list[LayerStats]]:
        """The loss, ``[dW1, db1, ...]`` and one :class:`~wtinit_lib.layerstats.LayerStats` per
        layer, from one full pass on checked data."""
        bp = self._backprop(X, Y)
        stats = layerstats.stats_from_pass(
            self.activation, self.output_activation, bp.Zs, bp.As, self._weights, bp.dWs, bp.dAs, lr
        )
        return bp.loss, self._in_order(bp.dWs, bp.dbs, *bp.dnorms), stats

    def fit(
        self, X: np.ndarray, Y: np.ndarray, epochs: int, lr: float, **options: object
    ) -> History:
        """Train with plain (mini-batch) gradient descent, ``W ← W - lr · dW``, ``b ← b - lr · db``.

        ``wtinit_lib.training.fit(self, X, Y, epochs, lr, **options)``: see there for the
        options (``batch_size``, ``clip``, ``clip_method``, ``shuffle``, ``seed``,
        ``record_stats``, ``stats_every``, ``X_val``, ``Y_val``, ``on_divergence``,
        ``progress``). Returns a :class:`~wtinit_lib.training.History`.
        """
        return training.fit(self, X, Y, epochs, lr, **options)
