"""The training loop: mini-batches, gradient descent or Adam, clipping, recording, divergence.

:func:`fit` trains any network that offers the small interface :class:`Trainable` describes
(``MLP.fit`` is a thin call into it). The default is plain (mini-batch) gradient descent,
``θ ← θ - η · g`` for every parameter array ``θ`` with gradient ``g``; ``optimizer="adam"`` uses
Adam (Kingma & Ba 2014) instead, and ``lr_scales`` gives each parameter array its own learning
rate ``η · s_θ`` (what μP needs). Gradients are optionally clipped first
(:mod:`wtinit_lib.clipping`). It records the loss of every epoch, the gradient norm, optional
per-layer statistics (:mod:`wtinit_lib.layerstats`) and a validation loss, and stops with a
clear report when the loss becomes NaN or infinite (:class:`DivergenceError`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from wtinit_lib import clipping
from wtinit_lib._checks import (
    as_rng,
    check_choice,
    check_in_interval,
    check_int,
    check_per_layer,
    check_positive,
)
from wtinit_lib.layerstats import LayerStats

__all__ = ["DivergenceError", "History", "Trainable", "fit", "minibatches"]


@dataclass
class History:
    """What :func:`fit` recorded, one entry per epoch.

    ``loss[k]`` is the mean training loss over the batches of epoch ``k + 1``, each measured just
    before its update (so ``loss[0]`` is the loss of the initial weights when training full-batch).
    ``val_loss[k]`` is the validation loss after epoch ``k + 1``. ``grad_norm[k]`` is the global
    gradient norm of the epoch's last batch, before clipping. ``stats`` holds per-layer statistics
    (:class:`~wtinit_lib.layerstats.LayerStats`) when ``record_stats`` was set, taken at the epochs
    listed in ``stats_epochs``. When the loss became NaN or infinite, ``diverged`` is True,
    ``diverged_at`` is that (1-based) epoch and ``loss`` ends with the non-finite value.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    stats: list[list[LayerStats]] = field(default_factory=list)
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


class DivergenceError(FloatingPointError):
    """Training produced a NaN or infinite loss. ``.history`` holds what was recorded until then."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


class Trainable(Protocol):
    """What :func:`fit` needs from a network. ``X``, ``Y`` below have passed ``check_data``."""

    def check_data(self, X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
        """``(X, Y)`` as arrays of the network's dtype and shapes, or a clear error."""

    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays themselves; ``fit`` updates them in place."""

    def batch_loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The mean loss on a batch."""

    def batch_gradients(
        self, X: np.ndarray, Y: np.ndarray, out: list[np.ndarray]
    ) -> tuple[float, list[np.ndarray]]:
        """The loss and the gradients, in the order of ``parameters()``; a gradient may be
        written into (and returned as) the array of ``out`` at its position."""

    def batch_stats(
        self, X: np.ndarray, Y: np.ndarray, lr: float
    ) -> tuple[float, list[np.ndarray], list[LayerStats]]:
        """The loss, the gradients and one :class:`LayerStats` per layer, from one pass."""


def minibatches(
    X: np.ndarray, Y: np.ndarray, batch_size: int | None, shuffle: bool, rng: np.random.Generator
) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """The batches of one epoch: the whole data set, or ``ceil(n / batch_size)`` nearly equal
    batches of a permutation drawn from ``rng`` (in order when ``shuffle`` is False)."""
    n = X.shape[0]
    if batch_size is None or batch_size >= n:
        return ((X, Y),)
    order = rng.permutation(n) if shuffle else np.arange(n)
    return ((X[idx], Y[idx]) for idx in np.array_split(order, math.ceil(n / batch_size)))


@contextlib.contextmanager
def _progress_bar(epochs: int, show: bool) -> Iterator[object]:
    """A tqdm bar over the epochs (``None`` when not shown), closed however the loop ends."""
    if not show:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=epochs, desc="training", unit="epoch")
    try:
        yield bar
    finally:
        bar.close()


OPTIMIZERS = ("sgd", "adam")


class _SGD:
    """``θ ← θ - η s_θ g``: plain gradient descent (``s_θ`` = 1 without ``lr_scales``)."""

    def __init__(self, lr: float, scales: Sequence[float] | None) -> None:
        self.lr = lr
        self.scales = scales

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.scales is None:
            for p, g in zip(params, grads):
                g *= self.lr
                p -= g
            return
        for p, g, s in zip(params, grads, self.scales):
            g *= self.lr * s
            p -= g


class _Adam:
    """Adam (Kingma & Ba 2014, Algorithm 1), one state per parameter array:

        m ← β₁ m + (1 - β₁) g,   v ← β₂ v + (1 - β₂) g²,
        θ ← θ - η s_θ · m̂ / (√v̂ + ε),   m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ)

    at step ``t = 1, 2, ...``. PyTorch's ``torch.optim.Adam`` has the same form; Keras folds the
    bias corrections into the step size and adds ``ε`` to ``√v`` (the same step up to ``ε``).
    """

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float,
        scales: Sequence[float] | None,
        betas: tuple[float, float],
        eps: float,
    ) -> None:
        self.lr, self.betas, self.eps, self.t = lr, betas, eps, 0
        self.scales = [1.0] * len(params) if scales is None else list(scales)
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        correction1, correction2 = 1.0 - beta1**self.t, 1.0 - beta2**self.t
        for p, g, m, v, s in zip(params, grads, self.m, self.v, self.scales):
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * (g * g)
            p -= (self.lr * s / correction1) * m / (np.sqrt(v / correction2) + self.eps)


def _step(
    optimizer: _SGD | _Adam,
    params: list[np.ndarray],
    grads: list[np.ndarray],
    clip: float | None,
    method: str,
) -> float:
    """Clip (optionally), then let the optimizer update; returns the global norm before clipping."""
    norm = clipping.global_norm(grads)
    if clip is not None:
        grads = clipping.clip(grads, clip, method)
    optimizer.apply(params, grads)
    return norm


def _check_lr_scales(lr_scales: object, count: int) -> list[float] | None:
    """One non-negative multiplier per parameter array (``lr_scales`` may also be an object with
    an ``lr_scales`` attribute, such as a parametrization)."""
    if lr_scales is None:
        return None
    lr_scales = getattr(lr_scales, "lr_scales", lr_scales)
    if isinstance(lr_scales, (int, float)) or not isinstance(lr_scales, Sequence):
        raise TypeError(
            f"Argument `lr_scales` must be a list of {count} numbers, one per parameter array "
            f"of `net.parameters()`. Received: lr_scales={lr_scales!r}"
        )
    return [float(s) for s in check_per_layer("lr_scales", list(lr_scales), count)]


def _divergence_message(epoch: int, loss: float) -> str:
    return (
        f"Training diverged at epoch {epoch}: the loss became {loss}. Try a smaller learning "
        "rate `lr`, a smaller initial weight scale, or gradient clipping (`clip=`). Pass "
        "on_divergence='stop' to get the history up to this point instead."
    )


def fit(
    net: Trainable,
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
    optimizer: str = "sgd",
    betas: tuple[float, float] = (0.9, 0.999),
    adam_eps: float = 1e-8,
    lr_scales: Sequence[float] | None = None,
    target_loss: float | None = None,
) -> History:
    """Train ``net`` with (mini-batch) gradient descent, ``θ ← θ - lr · g``, or Adam.

    Args:
        X, Y: training inputs and targets (checked by ``net.check_data``).
        epochs: passes over the data; with ``batch_size=None`` (full batch) one step each.
        lr: learning rate ``η``, a positive number.
        batch_size: examples per step, or ``None`` for the whole data set.
        clip: ``None`` or a positive limit for the gradients, applied with ``clip_method``
            (``"global_norm"``, ``"norm"`` or ``"value"``; see :mod:`wtinit_lib.clipping`).
        shuffle, seed: mini-batches are drawn from a permutation made with ``seed`` each epoch.
        record_stats: also record per-layer statistics every ``stats_every`` epochs (of the
            epoch's first batch, before its update) in ``history.stats``.
        X_val, Y_val: optional validation data; its loss is recorded after every epoch.
        on_divergence: when a loss is NaN or infinite, ``"raise"`` raises
            :class:`DivergenceError` naming the epoch; ``"stop"`` stops and returns the history
            with ``diverged=True`` so the divergence can be plotted.
        progress: show a tqdm progress bar (off by default: notebooks checked by nbval stay
            quiet).
        optimizer: ``"sgd"`` (plain gradient descent) or ``"adam"`` (with ``betas`` and
            ``adam_eps``; see :class:`_Adam`). Clipping acts on the gradients before either.
        lr_scales: one multiplier per array of ``net.parameters()``; array ``θ`` then learns at
            ``lr · s_θ`` (μP's per-layer learning rates). Default: all 1.
        target_loss: stop after the first epoch whose loss is at most this. The loss of epoch
            ``k`` is measured before that epoch's updates, so with full batches the number of
            steps that reached it is ``history.epochs_run - 1``.
    """
    X, Y = net.check_data(X, Y)
    epochs = check_int("epochs", epochs)
    lr = check_positive("lr", lr)
    if batch_size is not None:
        batch_size = min(check_int("batch_size", batch_size), X.shape[0])
    if clip is not None:
        clip = check_positive("clip", clip)
    check_choice("clip_method", clip_method, clipping.METHODS)
    check_choice("on_divergence", on_divergence, ("raise", "stop"))
    stats_every = check_int("stats_every", stats_every)
    if (X_val is None) != (Y_val is None):
        raise ValueError("Arguments `X_val` and `Y_val` must be given together.")
    validation = None if X_val is None else net.check_data(X_val, Y_val)
    rng = as_rng(seed, name="seed")
    check_choice("optimizer", optimizer, OPTIMIZERS)
    if target_loss is not None:
        target_loss = check_positive("target_loss", target_loss, allow_zero=True)

    params = net.parameters()
    scales = _check_lr_scales(lr_scales, len(params))
    if optimizer == "sgd":
        update: _SGD | _Adam = _SGD(lr, scales)
    else:
        beta1, beta2 = betas
        betas = (
            check_in_interval("betas[0]", beta1, 0.0, 1.0),
            check_in_interval("betas[1]", beta2, 0.0, 1.0),
        )
        update = _Adam(params, lr, scales, betas, check_positive("adam_eps", adam_eps))
    # Gradients are written into these arrays on every step: allocating a fresh, large dW on
    # every step cost more than the matmuls themselves for a 784-256-256-10 network (the memory
    # comes back from the operating system page by page while the previous one is alive).
    out = [np.empty_like(p) for p in params]
    history = History()
    # A diverging run overflows before its loss turns inf/NaN; that is reported below
    # (DivergenceError or history.diverged), so numpy's RuntimeWarnings would only repeat it.
    with (
        _progress_bar(epochs, progress) as bar,
        np.errstate(over="ignore", invalid="ignore", divide="ignore"),
    ):
        for epoch in range(1, epochs + 1):
            record = record_stats and (epoch - 1) % stats_every == 0
            total, count, norm = 0.0, 0, math.nan
            for k, (Xb, Yb) in enumerate(minibatches(X, Y, batch_size, shuffle, rng)):
                if record and k == 0:
                    loss, grads, stats = net.batch_stats(Xb, Yb, lr)
                    history.stats.append(stats)
                    history.stats_epochs.append(epoch)
                else:
                    loss, grads = net.batch_gradients(Xb, Yb, out)
                total += loss * Xb.shape[0]
                count += Xb.shape[0]
                if not math.isfinite(loss):
                    break
                norm = _step(update, params, grads, clip, clip_method)
            epoch_loss = total / count
            history.loss.append(epoch_loss)
            history.grad_norm.append(norm)
            if not math.isfinite(epoch_loss):
                history.diverged, history.diverged_at = True, epoch
                if on_divergence == "raise":
                    raise DivergenceError(_divergence_message(epoch, epoch_loss), history)
                return history
            if validation is not None:
                history.val_loss.append(net.batch_loss(*validation))
            if bar is not None:
                bar.update(1)
                if epoch % max(1, epochs // 100) == 0 or epoch == epochs:
                    bar.set_postfix(loss=f"{epoch_loss:.4f}")
            if target_loss is not None and epoch_loss <= target_loss:
                break
    return history
