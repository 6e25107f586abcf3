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

The weight layout is Keras's (``(fan_in, fan_out)``), so a trained ``MLP`` converts to a Keras model
with identical weights (``wtinit_lib.keras_bridge.to_keras``).
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from wtinit_lib import activations, clipping, initializers, losses
from wtinit_lib._checks import as_rng, check_choice, check_positive

__all__ = ["MLP", "Backprop", "DivergenceError", "History"]

CLIP_METHODS = ("global_norm", "norm", "value")


class DivergenceError(FloatingPointError):
    """Training produced a NaN or infinite loss. ``.history`` holds what was recorded until then."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


@dataclass
class Backprop:
    """Everything one forward and backward pass computes.

    ``Zs``, ``dZs``, ``dWs``, ``dbs`` have one entry per layer (index ``i`` is layer ``ℓ = i + 1``).
    ``As`` and ``dAs`` have ``L + 1`` entries: ``As[0]`` is the input ``X``, ``As[L]`` the output;
    ``dAs[i]`` is the gradient of the loss with respect to ``As[i]`` (``dAs[0]``: the input).
    """

    loss: float
    Zs: list[np.ndarray]
    As: list[np.ndarray]
    dZs: list[np.ndarray]
    dAs: list[np.ndarray]
    dWs: list[np.ndarray]
    dbs: list[np.ndarray]


@dataclass
class History:
    """What :meth:`MLP.fit` recorded, one entry per epoch.

    ``loss[k]`` is the mean training loss over the batches of epoch ``k + 1``, each measured just
    before its update (so ``loss[0]`` is the loss of the initial weights when training full-batch).
    ``val_loss[k]`` is the validation loss after epoch ``k + 1``. ``grad_norm[k]`` is the global
    gradient norm of the epoch's last batch, before clipping. ``stats`` holds per-layer statistics
    (``wtinit_lib.diagnostics.LayerStats``) when ``record_stats`` was set.
    When the loss became NaN or infinite, ``diverged`` is True, ``diverged_at`` is that (1-based)
    epoch and ``loss`` ends with the non-finite value.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    stats: list[list] = field(default_factory=list)
    stats_epochs: list[int] = field(default_factory=list)
    diverged: bool = False
    diverged_at: int | None = None

    @property
    def epochs_run(self) -> int:
        """Number of epochs recorded."""
        return len(self.loss)

    @property
    def final_loss(self) -> float:
        """The last recorded training loss."""
        return self.loss[-1] if self.loss else math.nan


def _check_layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    if not isinstance(layer_sizes, Sequence) or isinstance(layer_sizes, str):
        raise TypeError(
            "Argument `layer_sizes` must be a list of positive ints, e.g. [2, 10, 5, 1]. "
            f"Received: layer_sizes={layer_sizes!r}"
        )
    if len(layer_sizes) < 2:
        raise ValueError(
            "Argument `layer_sizes` must have at least two entries (inputs and outputs). "
            f"Received: layer_sizes={list(layer_sizes)!r}"
        )
    for size in layer_sizes:
        if not isinstance(size, numbers.Integral) or isinstance(size, bool):
            raise TypeError(
                "Argument `layer_sizes` must contain only ints. "
                f"Received: layer_sizes={list(layer_sizes)!r}"
            )
        if size <= 0:
            raise ValueError(
                "Argument `layer_sizes` must contain only positive sizes. "
                f"Received: layer_sizes={list(layer_sizes)!r}"
            )
    return tuple(int(s) for s in layer_sizes)


def _check_positive_int(name: str, value: object) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"Argument `{name}` must be a positive int. Received: {name}={value!r}")
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be a positive int. Received: {name}={value!r}")
    return int(value)


def _per_layer(name: str, spec: object, num_layers: int) -> list[Callable[..., np.ndarray]]:
    """One initializer per layer from a name, a callable or a list of them (one per layer)."""
    if isinstance(spec, (list, tuple)):
        if len(spec) != num_layers:
            raise ValueError(
                f"Argument `{name}` must have one entry per layer ({num_layers}). "
                f"Received: {len(spec)} entries"
            )
        return [_lookup(name, s) for s in spec]
    return [_lookup(name, spec)] * num_layers


def _lookup(name: str, spec: object) -> Callable[..., np.ndarray]:
    try:
        return initializers.get(spec)
    except ValueError:
        raise ValueError(
            f"Argument `{name}` must be a callable or one of "
            f"{', '.join(initializers.available())}. Received: {name}={spec!r}"
        ) from None


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
    ) -> None:
        self.layer_sizes = _check_layer_sizes(layer_sizes)
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
        weight_inits = _per_layer("weight_init", weight_init, L)
        bias_inits = _per_layer("bias_init", bias_init, L)
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
        """``[W1, b1, W2, b2, ...]``: the arrays themselves, not copies."""
        return [p for pair in zip(self._weights, self._biases) for p in pair]

    def copy(self) -> MLP:
        """A deep copy (same architecture, copied parameters)."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return (
            f"MLP(layer_sizes={list(self.layer_sizes)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, dtype={self.dtype.name})"
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

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        Zs, As = [], [X]
        A = X
        last = self.num_layers - 1
        for i, (W, b) in enumerate(zip(self._weights, self._biases)):
            Z = A @ W
            Z += b
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
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        return self._loss_from_logits(self._forward(X)[0][-1], Y)

    def backprop(self, X: np.ndarray, Y: np.ndarray) -> Backprop:
        """One forward and backward pass, keeping every intermediate (see :class:`Backprop`)."""
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        Zs, As = self._forward(X)
        loss = self._loss_from_logits(Zs[-1], Y)
        dZs, dAs_prev, dWs, dbs = self._backward(Zs, As, Y, need_input_grad=True)
        dAs = [*dAs_prev, self._output_grad(Zs[-1], As[-1], dZs[-1])]
        return Backprop(loss, Zs, As, dZs, dAs, dWs, dbs)

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
    ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """The backward pass. ``dW_out``: arrays shaped like the weights to write ``dW`` into."""
        L = self.num_layers
        dZs: list = [None] * L
        dAs: list = [None] * L
        dWs: list = [None] * L
        dbs: list = [None] * L
        dZ = self._dloss_dlogits(Zs[-1], As[-1], Y)
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
        return dZs, dAs, dWs, dbs

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(dW_list, db_list)``: the gradient of :meth:`loss` with respect to every parameter."""
        bp = self.backprop(X, Y)
        return bp.dWs, bp.dbs

    # --- predictions ---------------------------------------------------------------------------

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (sigmoid: output >= 0.5; softmax: argmax) or the values (linear output)."""
        out = self.forward(X)
        if self.output_activation == "sigmoid":
            labels = (out >= 0.5).astype(int)
            return labels[:, 0] if labels.shape[1] == 1 else labels
        if self.output_activation == "softmax":
            return out.argmax(axis=1)
        return out

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of examples classified correctly; ``y`` holds labels or one-hot rows."""
        check_choice("output_activation", self.output_activation, ("sigmoid", "softmax"))
        y = np.asarray(y)
        if self.output_activation == "softmax" and y.ndim == 2:
            y = y.argmax(axis=1)
        elif y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        pred = self.predict(X)
        if pred.shape != y.shape:
            raise ValueError(
                f"Argument `y` must hold one label per row of X, shape {pred.shape}. "
                f"Received: y.shape={y.shape}"
            )
        return float(np.mean(pred == y))

    # --- training ------------------------------------------------------------------------------

    def fit(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        epochs: int,
        lr: float,
        batch_size: int | None = None,
        clip: float | None = None,
        clip_method: str = "global_norm",
        shuffle: bool = True,
        seed: object = 0,
        record_stats: bool = False,
        stats_every: int = 1,
        X_val: np.ndarray | None = None,
        Y_val: np.ndarray | None = None,
        on_divergence: str = "raise",
        progress: bool = False,
    ) -> History:
        """Train with plain (mini-batch) gradient descent: ``W ← W - lr · dW``, ``b ← b - lr · db``.

        Args:
            X, Y: training inputs ``(n, layer_sizes[0])`` and targets ``(n, layer_sizes[-1])``.
            epochs: passes over the data; with ``batch_size=None`` (full batch) one step each.
            lr: learning rate, a positive number.
            batch_size: examples per step, or ``None`` for the whole data set.
            clip: ``None`` or a positive limit for the gradients, applied with ``clip_method``
                (``"global_norm"``, ``"norm"`` or ``"value"``; see ``wtinit_lib.clipping``).
            shuffle, seed: mini-batches are drawn from a permutation made with ``seed`` each epoch.
            record_stats: also record per-layer statistics every ``stats_every`` epochs (of the
                epoch's first batch, before its update) in ``history.stats``.
            X_val, Y_val: optional validation data; its loss is recorded after every epoch.
            on_divergence: when a loss is NaN or infinite, ``"raise"`` raises
                :class:`DivergenceError` naming the epoch; ``"stop"`` stops and returns the history
                with ``diverged=True`` so the divergence can be plotted.
            progress: show a tqdm progress bar (off by default: notebooks checked by nbval stay
                quiet).

        Returns:
            A :class:`History`.
        """
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        epochs = _check_positive_int("epochs", epochs)
        lr = check_positive("lr", lr)
        n = X.shape[0]
        if batch_size is not None:
            batch_size = min(_check_positive_int("batch_size", batch_size), n)
        if clip is not None:
            clip = check_positive("clip", clip)
        check_choice("clip_method", clip_method, CLIP_METHODS)
        check_choice("on_divergence", on_divergence, ("raise", "stop"))
        stats_every = _check_positive_int("stats_every", stats_every)
        if (X_val is None) != (Y_val is None):
            raise ValueError("Arguments `X_val` and `Y_val` must be given together.")
        if X_val is not None:
            X_val = self._check_X(X_val)
            Y_val = self._check_Y(Y_val, X_val.shape[0])
        rng = as_rng(seed, name="seed")

        history = History()
        # dW is written into these arrays on every step. Allocating a fresh, large dW on every
        # step cost more than the matmuls themselves for a 784-256-256-10 network (the memory
        # comes back from the operating system page by page while the previous one is alive).
        dW_out = [np.empty_like(W) for W in self._weights]
        epoch_range = range(1, epochs + 1)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(epoch_range, desc="training", unit="epoch")
            epoch_range = bar

        # A diverging run overflows before its loss turns inf/NaN; that is reported below
        # (DivergenceError or history.diverged), so numpy's RuntimeWarnings would only repeat it.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in epoch_range:
                batches = self._batches(X, Y, batch_size, shuffle, rng)
                total = 0.0
                count = 0
                norm = math.nan
                for k, (Xb, Yb) in enumerate(batches):
                    if record_stats and k == 0 and (epoch - 1) % stats_every == 0:
                        from wtinit_lib.diagnostics import stats_from_backprop

                        bp = self.backprop(Xb, Yb)
                        history.stats.append(
                            stats_from_backprop(
                                self.activation, self.output_activation, bp, self._weights, lr=lr
                            )
                        )
                        history.stats_epochs.append(epoch)
                        loss, dWs, dbs = bp.loss, bp.dWs, bp.dbs
                    else:
                        Zs, As = self._forward(Xb)
                        loss = self._loss_from_logits(Zs[-1], Yb)
                        _, _, dWs, dbs = self._backward(
                            Zs, As, Yb, need_input_grad=False, dW_out=dW_out
                        )
                    total += loss * Xb.shape[0]
                    count += Xb.shape[0]
                    if not math.isfinite(loss):
                        break
                    norm, dWs, dbs = self._clip(dWs, dbs, clip, clip_method)
                    for W, b, dW, db in zip(self._weights, self._biases, dWs, dbs):
                        dW *= lr
                        W -= dW
                        b -= lr * db
                epoch_loss = total / count
                history.loss.append(epoch_loss)
                history.grad_norm.append(norm)
                if not math.isfinite(epoch_loss):
                    history.diverged, history.diverged_at = True, epoch
                    if bar is not None:
                        bar.close()
                    if on_divergence == "raise":
                        raise DivergenceError(
                            f"Training diverged at epoch {epoch}: the loss became {epoch_loss}. "
                            "Try a smaller learning rate `lr`, a smaller initial weight scale, or "
                            "gradient clipping (`clip=`). Pass on_divergence='stop' to get the "
                            "history up to this point instead.",
                            history,
                        )
                    return history
                if X_val is not None:
                    history.val_loss.append(
                        self._loss_from_logits(self._forward(X_val)[0][-1], Y_val)
                    )
                if bar is not None and (epoch % max(1, epochs // 100) == 0 or epoch == epochs):
                    bar.set_postfix(loss=f"{epoch_loss:.4f}")
        return history

    @staticmethod
    def _batches(
        X: np.ndarray,
        Y: np.ndarray,
        batch_size: int | None,
        shuffle: bool,
        rng: np.random.Generator,
    ):
        n = X.shape[0]
        if batch_size is None or batch_size >= n:
            return ((X, Y),)
        order = rng.permutation(n) if shuffle else np.arange(n)
        return ((X[idx], Y[idx]) for idx in np.array_split(order, math.ceil(n / batch_size)))

    @staticmethod
    def _clip(
        dWs: list[np.ndarray], dbs: list[np.ndarray], clip: float | None, method: str
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The global gradient norm before clipping, and the (clipped) gradients."""
        grads = [g for pair in zip(dWs, dbs) for g in pair]
        # clipping.global_norm without its argument checks: this runs on every step.
        norm = math.sqrt(sum([float(np.vdot(g, g)) for g in grads]))
        if clip is None:
            return norm, dWs, dbs
        if method == "global_norm":
            grads, _ = clipping.clip_by_global_norm(grads, clip)
        elif method == "norm":
            grads = clipping.clip_by_norm(grads, clip)
        else:
            grads = clipping.clip_by_value(grads, clip)
        return norm, grads[0::2], grads[1::2]
