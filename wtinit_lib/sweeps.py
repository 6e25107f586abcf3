"""Training sweeps: many small networks trained on a grid of settings, one number per run.

- :func:`trainability_map`: accuracy after a short budget over depth × ``σ_w²`` (Schoenholz et
  al. 2017 compare it with ``6 ξ_c``);
- :func:`deep_linear_learning_times`: steps a deep linear network needs to fit a linear map,
  against depth (Saxe, McClelland & Ganguli 2013);
- :func:`lr_sweep`, :func:`best_log2_lr`, :func:`transfer_regret`: the final loss over learning
  rate × width under a parametrization (Yang et al. 2022, Figure 1);
- :func:`coordinate_check`: how much the logits and the last hidden layer move in a few steps,
  against width: the test of a μP implementation (Yang et al. 2022; the ``mup`` package).

Every run goes through :func:`wtinit_lib.training.fit` (plain SGD, per-array learning rates from
the parametrization); a run whose loss became non-finite counts as diverged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from wtinit_lib import datasets, initializers, training
from wtinit_lib._checks import check_choice, check_int, check_positive
from wtinit_lib.network import MLP
from wtinit_lib.parametrization import Parametrization, parametrization

__all__ = [
    "best_log2_lr",
    "coordinate_check",
    "deep_linear_learning_times",
    "deep_linear_task",
    "lr_sweep",
    "trainability_map",
    "transfer_regret",
]


def trainability_map(
    X: np.ndarray,
    y: np.ndarray,
    depths: Sequence[int],
    sigma_w2s: Sequence[float],
    sigma_b2: float,
    width: int = 64,
    lr: float = 0.03,
    epochs: int = 3,
    batch_size: int = 32,
    seeds: Sequence[int] = (0, 1),
    activation: str = "tanh",
) -> np.ndarray:
    """Training accuracy on ``(X, y)`` after training, an array ``(seeds, depths, sigma_w2s)``.

    Network: ``[n_0] + [width] * L + [classes]``, ``activation`` and a softmax output, every
    weight ``N(0, σ_w²/fan_in)`` and every bias ``N(0, σ_b²)``; ``fit`` with SGD at ``lr`` for
    ``epochs`` epochs of ``batch_size`` (batches and weights drawn with the seed). A diverged run
    scores 0.
    """
    check_positive("sigma_b2", sigma_b2, allow_zero=True)
    Y = datasets.one_hot(y)
    bias = initializers.random_normal(math.sqrt(sigma_b2)) if sigma_b2 > 0 else "zeros"
    acc = np.zeros((len(seeds), len(depths), len(sigma_w2s)))
    for i, seed in enumerate(seeds):
        for j, L in enumerate(depths):
            sizes = [X.shape[1]] + [width] * check_int("depth", L) + [Y.shape[1]]
            for k, sigma_w2 in enumerate(sigma_w2s):
                weights = initializers.variance_scaling(sigma_w2)
                net = MLP(sizes, activation, "softmax", weights, bias, seed=seed)
                history = training.fit(
                    net, X, Y, epochs, lr, batch_size, seed=seed, on_divergence="stop"
                )
                acc[i, j, k] = 0.0 if history.diverged else net.accuracy(X, y)
    return acc


def deep_linear_task(
    d_in: int = 16, d_out: int = 8, n: int = 256, seed: int = 12345
) -> tuple[np.ndarray, np.ndarray]:
    """``(X, Y)`` with ``X ~ N(0, I)`` of shape ``(n, d_in)`` and ``Y = X A``, ``A = U S Vᵀ``:
    ``U`` (``d_in × d_out``) and ``V`` random orthonormal, ``S`` evenly spaced in ``[0.5, 2]``."""
    rng = np.random.default_rng(check_int("seed", seed, 0))
    X = rng.standard_normal((check_int("n", n), check_int("d_in", d_in)))
    U, _ = np.linalg.qr(rng.standard_normal((d_in, check_int("d_out", d_out))))
    V, _ = np.linalg.qr(rng.standard_normal((d_out, d_out)))
    return X, X @ (U @ np.diag(np.linspace(0.5, 2.0, d_out)) @ V.T)


def deep_linear_learning_times(
    depths: Sequence[int],
    weights: str = "orthogonal",
    task: tuple[np.ndarray, np.ndarray] | None = None,
    lr0: float = 1.0,
    max_steps: int = 600,
    criterion: float = 0.01,
    seed: int = 0,
) -> list[int | None]:
    """Full-batch gradient-descent steps until the loss is ``criterion`` times its initial
    value, for a linear network of ``L`` weight layers per depth (``None``: not within
    ``max_steps``, or diverged).

    Network ``MLP([d_in] * L + [d_out], "linear", "linear")``, mean squared error, learning rate
    ``lr0 / L`` (the product of ``L`` layers moves about ``L`` times faster than one layer; Saxe et
    al. 2013), weights ``"orthogonal"`` (every product of layers an isometry) or ``"gaussian"``
    (``N(0, 1/fan_in)``, Saxe et al.'s scaled Gaussian), zero biases. ``task``: ``(X, Y)``,
    default :func:`deep_linear_task`.
    """
    check_choice("weights", weights, ("orthogonal", "gaussian"))
    X, Y = deep_linear_task() if task is None else task
    init = initializers.orthogonal() if weights == "orthogonal" else initializers.variance_scaling()
    max_steps = check_int("max_steps", max_steps)
    times: list[int | None] = []
    for L in depths:
        sizes = [X.shape[1]] * check_int("depth", L) + [Y.shape[1]]
        net = MLP(sizes, "linear", "linear", init, seed=seed)
        target = check_positive("criterion", criterion) * net.loss(X, Y)
        history = training.fit(
            net, X, Y, max_steps + 1, lr0 / L, target_loss=target, on_divergence="stop"
        )
        reached = not history.diverged and history.final_loss <= target
        times.append(history.epochs_run - 1 if reached else None)
    return times


def lr_sweep(
    X: np.ndarray,
    Y: np.ndarray,
    widths: Sequence[int],
    base_width: int,
    log2_lrs: Sequence[float],
    kinds: Sequence[str] = ("standard", "mup"),
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int = 6,
    batch_size: int = 128,
    activation: str = "tanh",
    scale: float = 1.0,
    hidden_layers: int = 2,
    readout: str = "scaled",
) -> np.ndarray:
    """Final training loss on all of ``(X, Y)``, an array ``(kinds, seeds, widths, log2_lrs)``.

    Network ``[n_0] + [n] * hidden_layers + [classes]`` with a softmax output, built and trained
    under ``parametrization(sizes, base sizes, kind, readout)``: weights drawn with
    ``p.initializers(scale)``, zero biases, ``fit(..., lr=2**k, lr_scales=p)`` for ``epochs``
    epochs of ``batch_size``, the batches and weights drawn with the seed. A diverged run gives
    ``inf``. A run that is bit for bit another one (μP at the base width is SP) is run once.
    """
    hidden_layers = check_int("hidden_layers", hidden_layers)
    losses = np.full((len(kinds), len(seeds), len(widths), len(log2_lrs)), np.inf)
    done: dict[tuple, float] = {}
    for a, kind in enumerate(kinds):
        for b, seed in enumerate(seeds):
            for c, n in enumerate(widths):
                sizes = [X.shape[1]] + [n] * hidden_layers + [Y.shape[1]]
                base = [X.shape[1]] + [base_width] * hidden_layers + [Y.shape[1]]
                p = parametrization(sizes, base, kind, readout)
                for d, k in enumerate(log2_lrs):
                    key = (tuple(sizes), p.weight_var_scales, p.lr_scales, seed, float(k))
                    if key not in done:
                        net = MLP(sizes, activation, "softmax", p.initializers(scale), seed=seed)
                        history = training.fit(
                            net,
                            X,
                            Y,
                            epochs,
                            2.0**k,
                            batch_size,
                            seed=seed,
                            on_divergence="stop",
                            lr_scales=p,
                        )
                        with np.errstate(all="ignore"):
                            final = math.inf if history.diverged else net.loss(X, Y)
                        done[key] = final if math.isfinite(final) else math.inf
                    losses[a, b, c, d] = done[key]
    return losses


def best_log2_lr(losses: np.ndarray, log2_lrs: Sequence[float]) -> np.ndarray:
    """The ``log₂ η`` of the smallest loss along the last axis (the learning rates)."""
    return np.asarray(log2_lrs, dtype=np.float64)[np.argmin(losses, axis=-1)]


def transfer_regret(losses: np.ndarray, tuned: int, target: int) -> np.ndarray:
    """``loss(target width, η tuned at the other width) / best loss at the target width``.

    ``losses[..., width, lr]``; ``tuned`` and ``target`` index the width axis. 1 when the best
    learning rate transfers exactly; the factor lost by reusing it otherwise.
    """
    best = np.argmin(losses[..., tuned, :], axis=-1)[..., None]
    at_target = np.take_along_axis(losses[..., target, :], best, axis=-1)[..., 0]
    return at_target / np.min(losses[..., target, :], axis=-1)


def coordinate_check(
    X: np.ndarray,
    Y: np.ndarray,
    widths: Sequence[int],
    base_width: int,
    kind: str = "mup",
    lr: float = 0.1,
    steps: int = 3,
    batch_size: int = 128,
    seeds: Sequence[int] = (0, 1, 2),
    activation: str = "tanh",
    scale: float = 1.0,
    readout: str = "scaled",
    lr_scales: Callable[[Parametrization], Sequence[float]] | None = None,
) -> dict[str, np.ndarray | float]:
    """How far the coordinates move in ``steps`` SGD steps, against width (median over seeds).

    For each width ``n``, a ``[n_0, n, n, classes]`` network under ``parametrization(...,
    kind, readout)`` is trained for ``steps`` batches of ``batch_size`` (the first examples of a
    permutation drawn with the seed); on a fixed probe batch of 256 examples, ``d_logits`` is
    the mean ``|ΔZ^L|`` of the logits and ``d_hidden`` the mean ``|ΔA^{L-1}|`` of the last hidden
    layer, from initialization. Under μP both stay of the same size at every width; under SP the
    logits move more the wider the network. ``slope_logits``, ``slope_hidden``: the log-log
    slopes against width. ``lr_scales``: a function of each width's parametrization returning
    the multipliers to train with instead (to test a broken implementation).
    """
    probe = X[np.random.default_rng(7).permutation(X.shape[0])[:256]]
    d_logits = np.empty((len(seeds), len(widths)))
    d_hidden = np.empty_like(d_logits)
    for i, seed in enumerate(seeds):
        order = np.random.default_rng(seed).permutation(X.shape[0])[: steps * batch_size]
        for j, n in enumerate(widths):
            sizes = [X.shape[1], n, n, Y.shape[1]]
            base = [X.shape[1], base_width, base_width, Y.shape[1]]
            p = parametrization(sizes, base, kind, readout)
            net = MLP(sizes, activation, "softmax", p.initializers(scale), seed=seed)
            Z0, A0 = net.forward_trace(probe)
            scales = p if lr_scales is None else lr_scales(p)
            training.fit(
                net, X[order], Y[order], 1, lr, batch_size, shuffle=False, lr_scales=scales
            )
            Z, A = net.forward_trace(probe)
            d_logits[i, j] = np.mean(np.abs(Z[-1] - Z0[-1]))
            d_hidden[i, j] = np.mean(np.abs(A[-2] - A0[-2]))
    logits, hidden = np.median(d_logits, 0), np.median(d_hidden, 0)
    x = np.log2(np.asarray(widths, dtype=np.float64))
    return {
        "d_logits": logits,
        "d_hidden": hidden,
        "slope_logits": float(np.polyfit(x, np.log2(logits), 1)[0]),
        "slope_hidden": float(np.polyfit(x, np.log2(hidden), 1)[0]),
    }
