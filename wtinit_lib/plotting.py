"""The book's figures: per-layer histograms, std per layer, loss curves, decision boundaries.

Every function builds a new figure with ``fig, ax = plt.subplots(...)`` in the book's style
(white background, so figures stay readable in dark mode; a small colour-blind-safe palette;
light grid; readable font sizes) and returns the ``Figure``. Nothing here calls ``plt.show()``:
in a notebook the figure is shown when the cell ends, and in a script you save or show it.
Tip for notebooks: write ``fig = plotting.loss_curves(...)`` (or end the line with ``;``) so
Jupyter does not show the returned figure a second time.
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

__all__ = [
    "PALETTE",
    "apply_style",
    "decision_boundaries",
    "decision_boundary",
    "gradient_norm_curves",
    "histogram_compare",
    "layer_histograms",
    "loss_curves",
    "predicted_vs_measured",
    "signal_propagation_figure",
    "stat_curves",
    "std_per_layer",
    "style",
]

#: Okabe & Ito's colour-blind-safe palette (blue, orange, green, vermillion, purple, sky, yellow).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")

STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linestyle": "-",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": plt.cycler(color=list(PALETTE)),
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
}


def apply_style() -> None:
    """Use the book's style for every later matplotlib figure of this session."""
    plt.rcParams.update(STYLE)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """``with plotting.style(): ...``: the book's style inside the block only."""
    with plt.rc_context(STYLE):
        yield


def _styled(function: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a figure function inside :func:`style`, so every artist it creates gets the style."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with style():
            return function(*args, **kwargs)

    return wrapper


def _new_figure(nrows: int = 1, ncols: int = 1, **kw: Any) -> tuple[Figure, Any]:
    fig, axes = plt.subplots(nrows, ncols, **kw)
    fig.patch.set_facecolor("white")
    return fig, axes


def _styled_axes(ax: Axes) -> None:
    """Grid and spines as in STYLE, for axes created outside :func:`style`."""
    ax.set_facecolor("white")
    ax.grid(True, alpha=0.3)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def _check_title(title: object) -> str | None:
    if title is not None and not isinstance(title, str):
        raise TypeError(f"Argument `title` must be a str or None. Received: title={title!r}")
    return title


def _check_mapping(name: str, value: object) -> Mapping:
    if not isinstance(value, Mapping) or len(value) == 0:
        raise TypeError(
            f"Argument `{name}` must be a non-empty dict of label -> data. "
            f"Received: {name}={value!r:.80}"
        )
    return value


def _check_bins(bins: object) -> int:
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 1:
        raise ValueError(f"Argument `bins` must be a positive int. Received: bins={bins!r}")
    return int(bins)


def _check_range(value: object) -> tuple[float, float] | None:
    if value is None:
        return None
    ok = isinstance(value, Sequence) and len(value) == 2
    ok = ok and all(isinstance(v, numbers.Real) and math.isfinite(v) for v in value)
    if not ok or not value[0] < value[1]:
        raise ValueError(
            f"Argument `range` must be None or a pair (low, high) with low < high. "
            f"Received: range={value!r}"
        )
    return float(value[0]), float(value[1])


# --- per-layer distributions --------------------------------------------------------------------


def _layer_labels(labels: Sequence[str] | None, count: int) -> list[str]:
    """``labels`` checked to have one entry per layer, or "layer ℓ = 1", ... by default."""
    if labels is None:
        return [f"layer ℓ = {i + 1}" for i in range(count)]
    if len(labels) != count:
        raise ValueError(
            f"Argument `labels` must have one entry per layer ({count}). "
            f"Received: {len(labels)} labels"
        )
    return list(labels)


def _finite(values: object) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[np.isfinite(array)]


@_styled
def layer_histograms(
    values_per_layer: Sequence[np.ndarray],
    title: str | None = None,
    bins: int = 50,
    labels: Sequence[str] | None = None,
    range: tuple[float, float] | None = None,  # numpy's name
) -> Figure:
    """One small histogram per layer (up to 5 per row), each titled with its mean and std.

    Args:
        values_per_layer: one array per layer (e.g. the activations ``As[1:]`` of a forward
            trace); each is flattened. Non-finite values are left out of the histogram.
        title: figure title.
        bins: number of bins per panel.
        labels: one panel label per layer; default ``"layer ℓ = 1"``, ``"layer ℓ = 2"``, ...
        range: common ``(low, high)`` for every panel, so layers compare at a glance.
    """
    if isinstance(values_per_layer, np.ndarray) and values_per_layer.ndim < 2:
        values_per_layer = [values_per_layer]
    if not isinstance(values_per_layer, (Sequence, np.ndarray)) or len(values_per_layer) == 0:
        raise TypeError(
            "Argument `values_per_layer` must be a non-empty list of arrays, one per layer. "
            f"Received: values_per_layer={values_per_layer!r:.80}"
        )
    count = len(values_per_layer)
    labels = _layer_labels(labels, count)
    bins = _check_bins(bins)
    hist_range = _check_range(range)
    _check_title(title)

    ncols = min(count, 5)
    nrows = math.ceil(count / ncols)
    fig, axes = _new_figure(
        nrows, ncols, figsize=(2.6 * ncols, 2.3 * nrows + 0.4), squeeze=False, layout="constrained"
    )
    for i, ax in enumerate(axes.flat):
        if i >= count:
            ax.set_visible(False)
            continue
        values = _finite(values_per_layer[i])
        ax.hist(values, bins=bins, range=hist_range, color=PALETTE[0], alpha=0.85)
        mean = values.mean() if values.size else math.nan
        std = values.std() if values.size else math.nan
        ax.set_title(f"{labels[i]}\nmean {mean:.3g}, std {std:.3g}", fontsize=10)
        ax.tick_params(labelsize=9)
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig


@_styled
def histogram_compare(
    values: Mapping[str, np.ndarray],
    bins: int = 50,
    title: str | None = None,
    xlabel: str | None = None,
    range: tuple[float, float] | None = None,  # numpy's name
    density: bool = True,
) -> Figure:
    """Overlaid histograms in one panel, one per label (e.g. the same layer under two inits)."""
    _check_mapping("values", values)
    bins = _check_bins(bins)
    hist_range = _check_range(range)
    _check_title(title)
    fig, ax = _new_figure(figsize=(6, 3.6), layout="constrained")
    for (label, data), color in zip(values.items(), _colors(len(values))):
        finite = _finite(data)
        ax.hist(
            finite,
            bins=bins,
            range=hist_range,
            density=density,
            alpha=0.55,
            color=color,
            label=f"{label} (std {finite.std():.3g})" if finite.size else str(label),
        )
    ax.set_xlabel(xlabel or "value")
    ax.set_ylabel("density" if density else "count")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def _colors(count: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in np.arange(count)]


# --- curves ---------------------------------------------------------------------------------------


@_styled
def std_per_layer(
    curves: Mapping[str, Sequence[float]],
    ylabel: str = "standard deviation",
    logy: bool = True,
    title: str | None = None,
) -> Figure:
    """One line per label: a per-layer quantity (e.g. activation std) against layer ``ℓ = 1..L``.

    The y axis is logarithmic by default: vanishing and exploding signals are geometric in depth,
    so they show as straight lines. Non-positive values are left out on a log axis.
    """
    _check_mapping("curves", curves)
    _check_title(title)
    fig, ax = _new_figure(figsize=(6, 3.8), layout="constrained")
    markers = "osD^v<>"
    for k, (label, values) in enumerate(curves.items()):
        y = np.asarray(values, dtype=np.float64).ravel()
        if logy:
            y = np.where(y > 0, y, np.nan)
        x = np.arange(1, y.size + 1)
        ax.plot(x, y, marker=markers[k % len(markers)], label=str(label))
    ax.set_xlabel("layer ℓ")
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def _series(label: str, run: Any, field: str, what: str) -> np.ndarray:
    """``run.<field>`` of a History, or ``run`` itself when it is a plain sequence, as floats."""
    source = getattr(run, field) if hasattr(run, field) else run
    try:
        return np.asarray(source, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(
            f"Argument `histories[{label!r}]` must be a History or a sequence of {what}. "
            f"Received: {type(run).__name__}"
        ) from None


def _losses_of(label: str, run: Any) -> tuple[np.ndarray, np.ndarray | None, int | None]:
    """(train losses, validation losses or None, 1-based epoch of divergence or None)."""
    loss = _series(label, run, "loss", "losses")
    val = getattr(run, "val_loss", None)
    val = np.asarray(val, dtype=np.float64) if val else None
    diverged_at = getattr(run, "diverged_at", None) if getattr(run, "diverged", False) else None
    if diverged_at is None and not np.all(np.isfinite(loss)):
        diverged_at = int(np.argmax(~np.isfinite(loss))) + 1
    return loss, val, diverged_at


@_styled
def loss_curves(
    histories: Mapping[str, Any],
    logy: bool = False,
    title: str | None = None,
) -> Figure:
    """Training loss per epoch, one line per label (validation loss dashed, when recorded).

    ``histories`` maps a label to a :class:`~wtinit_lib.network.History` or a sequence of
    losses. A run whose loss became NaN or infinite is drawn up to its last finite value, with an
    ``x`` there and a note "diverged at epoch k" (the first epoch with a non-finite loss).
    """
    _check_mapping("histories", histories)
    _check_title(title)
    fig, ax = _new_figure(figsize=(6.4, 3.8), layout="constrained")
    for (label, run), color in zip(histories.items(), _colors(len(histories))):
        loss, val, diverged_at = _losses_of(label, run)
        epochs = np.arange(1, loss.size + 1)
        finite = np.isfinite(loss)
        ax.plot(epochs[finite], loss[finite], color=color, label=str(label))
        if val is not None:
            ok = np.isfinite(val)
            ax.plot(np.arange(1, val.size + 1)[ok], val[ok], color=color, linestyle="--", lw=1.3)
        if diverged_at is not None:
            _mark_divergence(ax, epochs, loss, diverged_at, color)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def _mark_divergence(
    ax: Axes, epochs: np.ndarray, loss: np.ndarray, diverged_at: int, color: str
) -> None:
    """An ``x`` at the last finite loss before ``diverged_at`` (or at epoch 1), with a note."""
    before = np.flatnonzero(np.isfinite(loss[: max(diverged_at - 1, 0)]))
    if before.size:
        x, y = epochs[before[-1]], loss[before[-1]]
    else:  # diverged at once: put the mark on the bottom axis at that epoch
        x, y = diverged_at, None
    if y is None:
        transform = ax.get_xaxis_transform()  # x in data units, y in axes units
        ax.plot([x], [0.05], marker="x", color=color, ms=10, mew=2.5, transform=transform)
        ax.annotate(
            f"diverged at epoch {diverged_at}",
            (x, 0.05),
            xycoords=transform,
            xytext=(8, 4),
            textcoords="offset points",
            color=color,
        )
        return
    ax.plot([x], [y], marker="x", color=color, ms=10, mew=2.5, linestyle="none")
    ax.annotate(
        f"diverged at epoch {diverged_at}",
        (x, y),
        xytext=(8, 4),
        textcoords="offset points",
        color=color,
    )


# --- decision boundaries --------------------------------------------------------------------------

_CLASS_COLORS = (PALETTE[0], PALETTE[3], PALETTE[2], PALETTE[1], PALETTE[4], PALETTE[5])


def _predict_fn(net_or_predict: Any) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(net_or_predict, "predict"):
        return net_or_predict.predict
    if callable(net_or_predict):
        return net_or_predict
    raise TypeError(
        "Argument `net_or_predict` must be a network (with .predict) or a function X -> labels. "
        f"Received: {type(net_or_predict).__name__}"
    )


def _check_points(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(
            f"Argument `X` must have shape (n, 2): decision boundaries are drawn for 2-D inputs. "
            f"Received: X.shape={X.shape}"
        )
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"Argument `y` must have one label per row of X ({X.shape[0]}). "
            f"Received: y.shape={np.shape(y)}"
        )
    return X, y.astype(np.int64)


def _draw_boundary(
    ax: Axes, predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray
) -> float:
    """Fill the plane with the predicted class, scatter the points; return the accuracy on X."""
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.1
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], 250), np.linspace(low[1], high[1], 250))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    pred_grid = _labels(predict(grid)).reshape(xx.shape)
    classes = max(int(y.max()), int(pred_grid.max())) + 1
    colors = [_CLASS_COLORS[k % len(_CLASS_COLORS)] for k in np.arange(classes)]
    levels = np.arange(classes + 1) - 0.5
    ax.contourf(xx, yy, pred_grid, levels=levels, cmap=ListedColormap(colors), alpha=0.25)
    point_colors = np.array(colors)[y]
    ax.scatter(X[:, 0], X[:, 1], c=point_colors, s=14, edgecolors="white", linewidths=0.4)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_aspect("equal", adjustable="box")
    ax.grid(False)
    return float(np.mean(_labels(predict(X)) == y))


def _labels(pred: object) -> np.ndarray:
    """Predictions as integer labels (one-hot/probability rows -> argmax; (n, 1) -> (n,))."""
    pred = np.asarray(pred)
    if pred.ndim == 2 and pred.shape[1] > 1:
        return pred.argmax(axis=1)
    pred = pred.reshape(-1)
    if np.issubdtype(pred.dtype, np.floating):
        return (pred >= 0.5).astype(np.int64)
    return pred.astype(np.int64)


@_styled
def decision_boundary(
    net_or_predict: Any,
    X: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The regions a classifier assigns to each class, with the data points on top.

    ``net_or_predict`` is a network (its ``.predict`` is used) or any function from an ``(n, 2)``
    array to labels (or to probabilities, thresholded at 0.5). The accuracy on ``(X, y)`` is
    added to the title. Draws into ``ax`` when given, and returns its figure.
    """
    predict = _predict_fn(net_or_predict)
    X, y = _check_points(X, y)
    _check_title(title)
    if ax is None:
        fig, ax = _new_figure(figsize=(4.2, 4.2), layout="constrained")
    else:
        fig = ax.figure
        _styled_axes(ax)
    accuracy = _draw_boundary(ax, predict, X, y)
    ax.set_title(f"{title + ': ' if title else ''}accuracy {accuracy:.3f}")
    return fig


@_styled
def decision_boundaries(
    nets: Mapping[str, Any], X: np.ndarray, y: np.ndarray, title: str | None = None
) -> Figure:
    """:func:`decision_boundary` for several networks side by side, one panel per label."""
    _check_mapping("nets", nets)
    X, y = _check_points(X, y)
    _check_title(title)
    count = len(nets)
    fig, axes = _new_figure(
        1, count, figsize=(3.6 * count, 3.9), squeeze=False, layout="constrained"
    )
    for ax, (label, net) in zip(axes.flat, nets.items()):
        accuracy = _draw_boundary(ax, _predict_fn(net), X, y)
        ax.set_title(f"{label}\naccuracy {accuracy:.3f}")
    if title:
        fig.suptitle(title)
    return fig


# --- the playground (chapter 11) ------------------------------------------------------------------


def _common_range(arrays: Sequence[np.ndarray]) -> tuple[float, float]:
    """A symmetric range holding 99.5% of every layer's finite values (default ``(-1, 1)``)."""
    bounds = [np.percentile(np.abs(f), 99.5) for f in map(_finite, arrays) if f.size]
    bound = max(bounds, default=0.0)
    if not math.isfinite(bound) or bound <= 0:
        bound = 1.0
    return -bound, bound


@_styled
def signal_propagation_figure(result: Any, max_panels: int = 6, bins: int = 40) -> Figure:
    """Histograms of activations and weight gradients per layer, and their std per layer.

    ``result`` is a :class:`wtinit_lib.diagnostics.SignalPropagation`. Row 1: the activations
    ``A^ℓ`` of up to ``max_panels`` evenly spaced hidden layers (first and last included); row 2:
    their weight gradients ``dW^ℓ``; each row shares one x range, so a shrinking or widening
    distribution is seen at a glance. Row 3: ``std(A^ℓ)`` and ``std(dW^ℓ)`` for every layer on a
    log axis (vanishing and exploding are geometric in depth, so they show as straight lines).
    """
    for field_name in ("activations", "gradients", "act_stds", "grad_stds", "settings"):
        if not hasattr(result, field_name):
            raise TypeError(
                "Argument `result` must be a SignalPropagation (from "
                f"diagnostics.signal_propagation). Received: {type(result).__name__}"
            )
    if isinstance(max_panels, bool) or not isinstance(max_panels, numbers.Integral):
        raise ValueError(f"Argument `max_panels` must be an int >= 2. Received: {max_panels!r}")
    if max_panels < 2:
        raise ValueError(f"Argument `max_panels` must be an int >= 2. Received: {max_panels!r}")
    bins = _check_bins(bins)
    depth = len(result.activations)
    shown = sorted({int(round(k)) for k in np.linspace(0, depth - 1, min(depth, max_panels))})
    ncols = len(shown)
    fig = plt.figure(figsize=(max(2.1 * ncols, 6.5), 7.2), layout="constrained")
    fig.patch.set_facecolor("white")
    grid = fig.add_gridspec(3, ncols, height_ratios=(1, 1, 1.25))
    rows = (("activations", result.activations, PALETTE[0]), ("dW", result.gradients, PALETTE[3]))
    for row, (name, arrays, color) in enumerate(rows):
        low_high = _common_range(arrays)
        for col, i in enumerate(shown):
            ax = fig.add_subplot(grid[row, col])
            values = _finite(arrays[i])
            ax.hist(values, bins=bins, range=low_high, color=color, alpha=0.85)
            std = values.std() if values.size else math.nan
            ax.set_title(f"{name}, ℓ = {i + 1}\nstd {std:.2g}", fontsize=9)
            ax.set_yticks([])
            ax.tick_params(labelsize=8)
    ax = fig.add_subplot(grid[2, :])
    layers = np.arange(1, depth + 1)
    for label, stds, color, marker in (
        ("std of activations A", result.act_stds, PALETTE[0], "o"),
        ("std of weight gradients dW", result.grad_stds, PALETTE[3], "s"),
    ):
        y = np.asarray(stds, dtype=np.float64)
        y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        ax.plot(layers, y, marker=marker, color=color, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer ℓ")
    ax.set_ylabel("standard deviation")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    s = result.settings
    fig.suptitle(
        f"{s['activation']}, {s['weight_init']} × {s['scale']:g}, "
        f"depth {s['depth']}, width {s['width']}"
    )
    return fig


# --- chapter 4: theory against measurement --------------------------------------------------------


@_styled
def predicted_vs_measured(
    predicted: Mapping[str, Sequence[float]],
    measured: Mapping[str, Sequence[float]],
    ylabel: str = "standard deviation",
    logy: bool = True,
    title: str | None = None,
) -> Figure:
    """Per-layer predictions as lines and measurements as markers, one colour per label.

    ``predicted`` and ``measured`` map the same labels (e.g. ``"He"``) to one value per layer
    ``ℓ = 1, 2, ...``; where the markers sit on their line, the theory holds.
    """
    _check_mapping("predicted", predicted)
    _check_mapping("measured", measured)
    if set(predicted) != set(measured):
        raise ValueError(
            "Arguments `predicted` and `measured` must have the same labels. Received: "
            f"{sorted(map(str, predicted))} and {sorted(map(str, measured))}"
        )
    _check_title(title)
    fig, ax = _new_figure(figsize=(6, 3.8), layout="constrained")
    markers = "osD^v<>"
    for k, (label, color) in enumerate(zip(predicted, _colors(len(predicted)))):
        pred = np.asarray(predicted[label], dtype=np.float64).ravel()
        meas = np.asarray(measured[label], dtype=np.float64).ravel()
        ax.plot(np.arange(1, pred.size + 1), pred, color=color, lw=1.5, label=f"{label}: predicted")
        ax.plot(
            np.arange(1, meas.size + 1),
            meas,
            linestyle="none",
            marker=markers[k % len(markers)],
            color=color,
            mfc="none",
            mew=1.5,
            ms=7,
            label=f"{label}: measured",
        )
    ax.set_xlabel("layer ℓ")
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(ncols=2 if len(predicted) > 1 else 1)
    if title:
        ax.set_title(title)
    return fig


# --- chapter 7: gradient norms during training ----------------------------------------------------


@_styled
def gradient_norm_curves(
    histories: Mapping[str, Any],
    clip: float | None = None,
    title: str | None = None,
) -> Figure:
    """The global gradient norm per epoch on a log axis, one line per label.

    ``histories`` maps a label to a :class:`~wtinit_lib.network.History` (its ``grad_norm``,
    measured before any clipping) or a sequence of norms. A run whose norm became NaN or
    infinite (a diverged run) ends with an ``x`` at its last finite value. ``clip`` draws the
    clipping threshold as a dashed line: above it, a clipped run's steps were shortened.
    """
    _check_mapping("histories", histories)
    _check_title(title)
    if clip is not None and (
        isinstance(clip, bool) or not isinstance(clip, numbers.Real) or not clip > 0
    ):
        raise ValueError(
            f"Argument `clip` must be a positive float or None. Received: clip={clip!r}"
        )
    fig, ax = _new_figure(figsize=(6.4, 3.8), layout="constrained")
    for (label, run), color in zip(histories.items(), _colors(len(histories))):
        norms = _series(label, run, "grad_norm", "norms")
        epochs = np.arange(1, norms.size + 1)
        finite = np.isfinite(norms) & (norms > 0)
        ax.plot(epochs[finite], norms[finite], color=color, label=str(label))
        if not np.all(finite) and np.any(finite):
            last = np.flatnonzero(finite)[-1]
            ax.plot([epochs[last]], [norms[last]], marker="x", color=color, ms=10, mew=2.5)
    if clip is not None:
        ax.axhline(clip, color="0.3", linestyle="--", lw=1.2, label=f"clip threshold {clip:g}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch (one full-batch step)")
    ax.set_ylabel("global gradient norm")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


# --- chapter 6: a per-layer statistic over training -----------------------------------------------


@_styled
def stat_curves(
    epochs: Sequence[float],
    values: np.ndarray,
    band: np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    ylabel: str = "value",
    title: str | None = None,
) -> Figure:
    """One line per layer of a statistic over training, with an optional ``± band`` shading.

    ``values`` and ``band`` have shape ``(len(epochs), number of layers)`` (as returned by
    ``wtinit_lib.diagnostics.stat_series``); e.g. each layer's mean activation with its standard
    deviation as the band, Glorot & Bengio's (2010) figure of a sigmoid network in training.
    """
    x = np.asarray(epochs, dtype=np.float64).ravel()
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 2 or y.shape[0] != x.size:
        raise ValueError(
            "Argument `values` must have shape (len(epochs), layers). "
            f"Received: values.shape={y.shape}, len(epochs)={x.size}"
        )
    if band is not None:
        band = np.asarray(band, dtype=np.float64)
        if band.shape != y.shape:
            raise ValueError(
                f"Argument `band` must have the shape of `values` {y.shape}. "
                f"Received: band.shape={band.shape}"
            )
    count = y.shape[1]
    labels = _layer_labels(labels, count)
    _check_title(title)
    fig, ax = _new_figure(figsize=(6.4, 3.8), layout="constrained")
    for i, color in zip(np.arange(count), _colors(count)):
        ax.plot(x, y[:, i], color=color, label=str(labels[i]))
        if band is not None:
            ax.fill_between(x, y[:, i] - band[:, i], y[:, i] + band[:, i], color=color, alpha=0.15)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig
