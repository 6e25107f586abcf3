"""A residual network with a hand-written forward and backward pass; its initialization is one
argument (``init=``: a preset of :mod:`wtinit_lib.schemes`, or a ``ResidualInit``).

Shapes as in :class:`~wtinit_lib.network.MLP` (rows are examples, ``Z = A W + b``)::

    X ─ input layer ─ x_0 ─ block 1 ─ ... ─ block L ─ x_L ─ [final norm] ─ output layer ─ logits
    branch  f(u) = g(u W₁ + b₁) W₂ + b₂
    norm=None            x_ℓ = s·x_{ℓ-1} + c_ℓ·f(x_{ℓ-1})
    norm_position="pre"  x_ℓ = s·x_{ℓ-1} + c_ℓ·f(N_ℓ(x_{ℓ-1}))     (pre-LN transformers, GPT-2)
    norm_position="post" x_ℓ = N_ℓ(s·x_{ℓ-1} + c_ℓ·f(x_{ℓ-1}))     (the original Transformer)

``c_ℓ`` is a learnable scalar when the initialization asks for one (``branch_scale``: ReZero and
SkipInit start it at 0, Fixup at 1), else the constant 1; ``s`` is a constant skip scale
(``skip_scale``: 1, or DeepNorm's α). The literature calls both "α"; the names here keep them apart.

Backward, per block, with ``dy = ∂ℒ/∂x_ℓ`` from above (``z`` the sum before a post-norm)::

    post-norm:  dz, dγ, dβ = N_ℓ backward(dy)          else dz = dy
    dc = Σ dz ⊙ r,   dr = c·dz,   dW₂ = aᵀ dr,   da = dr W₂ᵀ,   dh = da ⊙ g'(h)
    dW₁ = uᵀ dh,   du = dh W₁ᵀ;   pre-norm: du, dγ, dβ = N_ℓ backward(du)
    dx_{ℓ-1} = s·dz + du                               (the skip carries s·dz down untouched)

With ``W₂ = 0`` the branch adds nothing and ``dW₁ = 0`` at the first step, but ``dW₂ = aᵀ dr`` is
not zero: a layer that starts at zero still learns. Every tensor is drawn from its own seeded
stream (``np.random.default_rng([seed, block, slot])``), so two networks with the same seed share
every draw their initializations have in common, at any depth (``MLP`` draws sequentially).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wtinit_lib import (
    activations,
    initializers,
    layers,
    layerstats,
    losses,
    normalization,
    training,
)
from wtinit_lib._checks import (
    as_rng,
    check_bool,
    check_choice,
    check_int,
    check_positive,
    check_seed,
)
from wtinit_lib.layerstats import LayerStats
from wtinit_lib.schemes import ResidualInit, residual_init
from wtinit_lib.training import History

__all__ = ["ResidualMLP", "ResidualTrace"]


@dataclass(frozen=True)
class ResidualTrace:
    """One forward pass: ``stream`` = ``[x_0, ..., x_L]``, ``branches`` = ``[c_ℓ f_ℓ]`` as added
    to the stream, ``top`` = what the output layer reads (``x_L``, or the final norm's output),
    ``logits``."""

    stream: list[np.ndarray]
    branches: list[np.ndarray]
    top: np.ndarray
    logits: np.ndarray


class ResidualMLP:
    """``X → input layer → num_blocks residual blocks → [final norm] → output layer``.

    Args:
        input_size, width, num_blocks, output_size: ``X`` columns, stream width, ``L``, outputs.
        hidden_width: the branch's inner width (default ``width``; transformers: ``4 · width``).
        activation: the branch's ``g`` (``wtinit_lib.activations.HIDDEN``, ``"gelu"`` too).
        output_activation: ``softmax``, ``sigmoid`` or ``linear``, with its loss (as ``MLP``).
        norm, norm_position, eps: ``None``, ``"layer"`` or ``"batch"``, placed ``"pre"`` (on the
            branch's input) or ``"post"`` (after the sum); γ = 1, β = 0.
        final_norm: a norm before the output layer (default: with a pre-norm, as GPT-2's).
        init: a name of ``schemes.PRESETS`` or a :class:`~wtinit_lib.schemes.ResidualInit`;
            bias_init: the biases' initializer.
        seed: an int, a Generator or None (one int is drawn from it); dtype: float64 or float32.

    Parameters, in order (:meth:`parameter_names`): ``input.W, input.b``, per block
    ``block{k}.gamma, block{k}.beta`` (with a norm), ``.W1, .b1, .W2, .b2``, ``.scale`` (with a
    branch scalar, a 0-d array), then ``final_norm.gamma, final_norm.beta``, ``output.W, .b``.
    """

    def __init__(
        self,
        input_size: int,
        width: int,
        num_blocks: int,
        output_size: int,
        *,
        hidden_width: int | None = None,
        activation: str = "relu",
        output_activation: str = "softmax",
        norm: str | None = None,
        norm_position: str = "pre",
        final_norm: bool | None = None,
        init: str | ResidualInit = "he",
        bias_init: str | Callable = "zeros",
        seed: object = None,
        dtype: object = np.float64,
        eps: float = normalization.EPS,
    ) -> None:
        sizes = [check_int(n, v) for n, v in [("input_size", input_size), ("width", width)]]
        self.input_size, self.width = sizes
        self.num_blocks = check_int("num_blocks", num_blocks)
        self.output_size = check_int("output_size", output_size)
        h = width if hidden_width is None else check_int("hidden_width", hidden_width)
        self.hidden_width = h
        self.activation, self.output_activation = activation, output_activation
        self._g = activations.get(activation, role="hidden")
        self._g_out = activations.get(output_activation, role="output")
        self._loss_from_logits, self._dloss_dlogits = losses.output_loss(output_activation)
        self.norm = None if norm is None else check_choice("norm", norm, normalization.NORMS)
        self.norm_position = check_choice("norm_position", norm_position, ("pre", "post"))
        if final_norm is None:
            final_norm = norm is not None and norm_position == "pre"
        self.final_norm = check_bool("final_norm", final_norm)
        if self.final_norm and norm is None:
            raise ValueError(
                "A final norm needs a norm: pass norm='layer' or 'batch'. "
                f"Received: final_norm=True, norm={norm!r}"
            )
        if init == "deepnorm" and (norm != "layer" or norm_position != "post"):
            raise ValueError(
                "init='deepnorm' is a post-norm scheme: pass norm='layer', "
                f"norm_position='post'. Received: norm={norm!r}, norm_position={norm_position!r}"
            )
        if not isinstance(init, ResidualInit):
            init = residual_init(init, self.num_blocks)
        self.init, self.eps = init, check_positive("eps", eps)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"Argument `dtype` must be float32 or float64. Received: {dtype!r}")
        self.skip_scale = float(init.skip_scale)
        if seed is None or isinstance(seed, np.random.Generator):
            seed = int(as_rng(seed).integers(2**63))
        seed = check_seed("seed", seed)
        self._build(seed, initializers.get_per_layer(bias_init, 1, name="bias_init")[0])

    def _build(self, seed: int, bias_init: Callable) -> None:
        spec, d, h, dt = self.init, self.width, self.hidden_width, self.dtype

        def draw(rule: object, shape: tuple[int, ...], block: int, slot: int, gain: float = 1.0):
            rng = np.random.default_rng([seed, block, slot])  # one stream per tensor
            return np.asarray(initializers.get(rule)(shape, rng=rng) * gain, dtype=dt)

        def norm_params() -> dict[str, np.ndarray]:
            return {"gamma": np.ones(d, dt), "beta": np.zeros(d, dt)} if self.norm else {}

        self._input = {"W": draw(spec.input, (self.input_size, d), 0, 0)}
        self._input["b"] = draw(bias_init, (d,), 0, 1)
        self._blocks = []
        for k in range(1, self.num_blocks + 1):
            block = norm_params()
            block["W1"] = draw(spec.branch, (d, h), k, 0, spec.branch_gain)
            block["b1"] = draw(bias_init, (h,), k, 1)
            block["W2"] = draw(spec.last, (h, d), k, 2, spec.last_gain)
            block["b2"] = draw(bias_init, (d,), k, 3)
            if spec.branch_scale is not None:
                block["scale"] = np.array(spec.branch_scale, dtype=dt)
            self._blocks.append(block)
        self._final = norm_params() if self.final_norm else {}
        last = self.num_blocks + 1
        self._output = {"W": draw(spec.output, (d, self.output_size), last, 0)}
        self._output["b"] = draw(bias_init, (self.output_size,), last, 1)

    # --- parameters --------------------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, np.ndarray]]:
        """``[(name, array), ...]`` in the order of :meth:`parameters`."""
        named = [(f"input.{k}", v) for k, v in self._input.items()]
        for i, block in enumerate(self._blocks, 1):
            named += [(f"block{i}.{k}", v) for k, v in block.items()]
        named += [(f"final_norm.{k}", v) for k, v in self._final.items()]
        return named + [(f"output.{k}", v) for k, v in self._output.items()]

    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays themselves (changing one in place changes the network)."""
        return [p for _, p in self.named_parameters()]

    def parameter_names(self) -> list[str]:
        """``["input.W", "input.b", "block1.W1", ...]``, the order of :meth:`parameters`."""
        return [n for n, _ in self.named_parameters()]

    def copy(self) -> ResidualMLP:
        """A deep copy (same architecture, copied parameters)."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return (
            f"ResidualMLP({self.input_size}, {self.width}, {self.num_blocks}, "
            f"{self.output_size}, norm={self.norm!r}, norm_position={self.norm_position!r})"
        )

    # --- forward ---------------------------------------------------------------------------

    def _norm(self, X: np.ndarray, params: dict) -> tuple[np.ndarray, object]:
        return normalization.forward(self.norm, X, params["gamma"], params["beta"], self.eps)

    def _forward(self, X: np.ndarray) -> tuple[ResidualTrace, list[dict]]:
        x = layers.dense_forward(X, self._input["W"], self._input["b"])
        stream, branches, caches = [x], [], []
        pre = self.norm is not None and self.norm_position == "pre"
        post = self.norm is not None and not pre
        for block in self._blocks:
            c: dict = {}
            u, c["norm"] = self._norm(x, block) if pre else (x, None)
            c["u"], c["h"] = u, layers.dense_forward(u, block["W1"], block["b1"])
            c["a"] = self._g.forward(c["h"])
            c["r"] = r = layers.dense_forward(c["a"], block["W2"], block["b2"])
            branch = block["scale"] * r if "scale" in block else r
            x = self.skip_scale * x + branch
            if post:
                x, c["norm"] = self._norm(x, block)
            caches.append(c)
            stream.append(x)
            branches.append(branch)
        top, final_cache = self._norm(x, self._final) if self.final_norm else (x, None)
        logits = layers.dense_forward(top, self._output["W"], self._output["b"])
        caches.append({"norm": final_cache})
        return ResidualTrace(stream, branches, top, logits), caches

    def forward_trace(self, X: np.ndarray) -> ResidualTrace:
        """Every intermediate of one forward pass (:class:`ResidualTrace`)."""
        return self._forward(self._check_X(X))[0]

    def residual_stream(self, X: np.ndarray) -> list[np.ndarray]:
        """``[x_0, x_1, ..., x_L]``: the stream after the input layer and after every block."""
        return self.forward_trace(X).stream

    def logits(self, X: np.ndarray) -> np.ndarray:
        """The output layer's ``Z`` (before the output activation)."""
        return self.forward_trace(X).logits

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The output activation's values."""
        return self._g_out.forward(self.logits(X))

    # --- loss and gradients ------------------------------------------------------------------

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The mean loss that goes with the output activation (as ``MLP.loss``)."""
        return self.batch_loss(*self.check_data(X, Y))

    def parameter_gradients(self, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
        """The gradients of :meth:`loss` in the order of :meth:`parameters`."""
        return self.batch_gradients(*self.check_data(X, Y))[1]

    def _backward(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, list, dict]:
        trace, caches = self._forward(X)
        loss = self._loss_from_logits(trace.logits, Y)
        dZ = self._dloss_dlogits(trace.logits, self._g_out.forward(trace.logits), Y)
        dW_out, db_out, dx = layers.dense_backward(dZ, trace.top, self._output["W"])
        g_final: dict = {}
        if self.final_norm:
            dx, g_final["gamma"], g_final["beta"] = normalization.backward(dx, caches[-1]["norm"])
        grads, dstream = [], [dx]
        for block, c in zip(self._blocks[::-1], caches[-2::-1]):
            g: dict = {}
            if self.norm and self.norm_position == "post":
                dx, g["gamma"], g["beta"] = normalization.backward(dx, c["norm"])
            if "scale" in block:
                g["scale"] = np.array(np.vdot(dx, c["r"]), dtype=self.dtype)
            dr = block["scale"] * dx if "scale" in block else dx
            g["W2"], g["b2"], da = layers.dense_backward(dr, c["a"], block["W2"])
            dh = da * self._g.derivative(c["h"], c["a"])
            g["W1"], g["b1"], du = layers.dense_backward(dh, c["u"], block["W1"])
            if self.norm and self.norm_position == "pre":
                du, g["gamma"], g["beta"] = normalization.backward(du, c["norm"])
            dx = self.skip_scale * dx + du
            grads.append({k: g[k] for k in block})
            dstream.append(dx)
        dW_in, db_in, _ = layers.dense_backward(dx, X, self._input["W"], need_dA=False)
        flat = [dW_in, db_in] + [v for g in grads[::-1] for v in g.values()]
        flat += [g_final[k] for k in self._final] + [dW_out, db_out]
        return loss, flat, {"trace": trace, "caches": caches, "dstream": dstream[::-1]}

    # --- the interface of training.fit ------------------------------------------------------

    def _check_X(self, X: object) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.input_size:
            raise ValueError(
                f"Argument `X` must have shape (n, {self.input_size}) (one row per example, "
                f"input_size columns). Received: X.shape={X.shape}"
            )
        return X

    def check_data(self, X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
        """``(X, Y)`` as arrays of the network's dtype, after checking their shapes."""
        X = self._check_X(X)
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.ndim == 1 and self.output_size == 1:
            Y = Y.reshape(-1, 1)
        if Y.shape != (X.shape[0], self.output_size):
            raise ValueError(
                f"Argument `Y` must have shape ({X.shape[0]}, {self.output_size}) (one row per "
                "row of X, output_size columns; use wtinit_lib.datasets.one_hot for labels). "
                f"Received: Y.shape={Y.shape}"
            )
        return X, Y

    def batch_loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """:meth:`loss` on checked data."""
        return self._loss_from_logits(self._forward(X)[0].logits, Y)

    def batch_gradients(
        self, X: np.ndarray, Y: np.ndarray, out: list[np.ndarray] | None = None
    ) -> tuple[float, list[np.ndarray]]:
        """The loss and the gradients in the order of :meth:`parameters` (``out`` is unused)."""
        loss, grads, _ = self._backward(X, Y)
        return loss, grads

    def batch_stats(
        self, X: np.ndarray, Y: np.ndarray, lr: float | None = None
    ) -> tuple[float, list[np.ndarray], list[LayerStats]]:
        """The loss, the gradients and one :class:`LayerStats` per dense layer (input, ``W1``
        and ``W2`` of every block, output). For ``W1`` the pre-activation is ``h`` and the
        activation ``g(h)``; for ``W2`` they are the branch output and the stream after the
        block; for the input layer both are ``x_0``."""
        loss, grads, inner = self._backward(X, Y)
        trace, caches, dstream = inner["trace"], inner["caches"], inner["dstream"]
        named = dict(zip(self.parameter_names(), grads))
        rows = [("linear", trace.stream[0], X, trace.stream[0], "input.W", dstream[0])]
        for k, c in enumerate(caches[:-1], 1):
            rows.append((self.activation, c["h"], c["u"], c["a"], f"block{k}.W1", None))
            rows.append(("linear", c["r"], c["a"], trace.stream[k], f"block{k}.W2", dstream[k]))
        out = self._g_out.forward(trace.logits)
        rows.append((self.output_activation, trace.logits, trace.top, out, "output.W", None))
        params = dict(self.named_parameters())
        stats = [
            dataclasses.replace(
                layerstats.stats_from_pass(
                    "linear", act, [Z], [A_in, A], [params[w]], [named[w]], [None, dA], lr
                )[0],
                layer=i + 1,
            )
            for i, (act, Z, A_in, A, w, dA) in enumerate(rows)
        ]
        return loss, grads, stats

    def fit(self, X: np.ndarray, Y: np.ndarray, epochs: int, lr: float, **options) -> History:
        """``wtinit_lib.training.fit(self, X, Y, epochs, lr, **options)``."""
        return training.fit(self, X, Y, epochs, lr, **options)

    # --- predictions ----------------------------------------------------------------------

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (softmax: argmax; sigmoid: output >= 0.5) or the values (linear)."""
        return losses.predictions(self.output_activation, self.forward(X))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of examples classified correctly; ``y`` holds labels or one-hot rows."""
        return losses.accuracy(self.output_activation, self.forward(X), y)
