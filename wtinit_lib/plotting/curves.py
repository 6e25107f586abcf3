"""Line figures: a quantity per layer, per epoch, or per layer over training.

- :func:`per_layer_curves`, :func:`predicted_vs_measured`: one value per layer ``ℓ = 1..L``;
- :func:`loss_curves`, :func:`epoch_curves`, :func:`gradient_norm_curves`: one value per epoch,
  from a :class:`~wtinit_lib.training.History` or a plain sequence, with diverged runs marked;
- :func:`stat_curves`: a per-layer statistic over training, one line per layer;
- :func:`xy_curves`: measured values against any x (a block index, a depth), with reference
  lines (a theory) beside them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from wtinit_lib._checks import check_finite, check_mapping, check_optional_str, check_positive
from wtinit_lib.plotting._style import (
    MARKERS,
    colors,
    layer_axis,
    mark_divergence,
    mark_off_scale,
    new_figure,
    place_legend,
    series,
    styled,
    styled_axes,
)

__all__ = [
    "epoch_curves",
    "gradient_norm_curves",
    "loss_curves",
    "per_layer_curves",
    "predicted_vs_measured",
    "stat_curves",
    "xy_curves",
]


def layer_labels(labels: Sequence[str] | None, count: int) -> list[str]:
    """``labels`` checked to have one entry per layer, or "layer ℓ = 1", ... by default."""
    if labels is None:
        return [f"layer ℓ = {i + 1}" for i in range(count)]
    if len(labels) != count:
        raise ValueError(
            f"Argument `labels` must have one entry per layer ({count}). "
            f"Received: {len(labels)} labels"
        )
    return list(labels)


@styled
def per_layer_curves(
    curves: Mapping[str, Sequence[float]],
    ylabel: str,
    logy: bool = True,
    title: str | None = None,
    xlabel: str = "layer ℓ",
    legend: str = "best",
) -> Figure:
    """One line per label of a per-layer quantity (a std, a norm, a fraction) against ``ℓ``.

    The y axis is logarithmic by default: vanishing and exploding signals are geometric in depth,
    so they show as straight lines. Non-positive values are left out on a log axis. ``xlabel``
    names the x axis when the index is not a layer (e.g. "number of matrices multiplied");
    ``legend`` is ``"best"``, ``"outside"`` (off the data, right of the axes), ``"below"`` or
    ``"none"``.
    """
    check_mapping("curves", curves)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6, 3.8), layout="constrained")
    for k, (label, values) in enumerate(curves.items()):
        y = np.asarray(values, dtype=np.float64).ravel()
        if logy:
            y = np.where(y > 0, y, np.nan)
        ax.plot(np.arange(1, y.size + 1), y, marker=MARKERS[k % len(MARKERS)], label=str(label))
    layer_axis(ax, ylabel, logy=logy, xlabel=xlabel)
    place_legend(ax, legend)
    if title:
        ax.set_title(title)
    return fig


@styled
def predicted_vs_measured(
    predicted: Mapping[str, Sequence[float]],
    measured: Mapping[str, Sequence[float]],
    ylabel: str = "standard deviation",
    logy: bool = True,
    title: str | None = None,
    legend: str = "best",
) -> Figure:
    """Per-layer predictions as lines and measurements as markers, one colour per label.

    ``predicted`` and ``measured`` map the same labels (e.g. ``"He"``) to one value per layer
    ``ℓ = 1, 2, ...``; where the markers sit on their line, the theory holds.
    """
    check_mapping("predicted", predicted)
    check_mapping("measured", measured)
    if set(predicted) != set(measured):
        raise ValueError(
            "Arguments `predicted` and `measured` must have the same labels. Received: "
            f"{sorted(map(str, predicted))} and {sorted(map(str, measured))}"
        )
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6, 3.8), layout="constrained")
    for k, (label, color) in enumerate(zip(predicted, colors(len(predicted)))):
        pred = np.asarray(predicted[label], dtype=np.float64).ravel()
        meas = np.asarray(measured[label], dtype=np.float64).ravel()
        ax.plot(np.arange(1, pred.size + 1), pred, color=color, lw=1.5, label=f"{label}: predicted")
        ax.plot(
            np.arange(1, meas.size + 1),
            meas,
            linestyle="none",
            marker=MARKERS[k % len(MARKERS)],
            color=color,
            mfc="none",
            mew=1.5,
            ms=7,
            label=f"{label}: measured",
        )
    layer_axis(ax, ylabel, logy=logy)
    place_legend(ax, legend, ncols=2 if len(predicted) > 1 and legend == "best" else 1)
    if title:
        ax.set_title(title)
    return fig


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """A new figure of one axes, or the given ``ax`` (styled) and its figure."""
    if ax is None:
        return new_figure(figsize=figsize, layout="constrained")
    styled_axes(ax)
    return ax.figure, ax


def _references(ax: Axes, reference: Mapping[str, float] | None) -> None:
    """Dashed horizontal lines, one per label (e.g. ``{"least-squares optimum": 0.0117}``)."""
    if reference is None:
        return
    check_mapping("reference", reference)
    for k, (label, value) in enumerate(reference.items()):
        value = check_finite(f"reference[{label!r}]", value)
        ax.axhline(value, color="0.3", linestyle=("--", ":", "-.")[k % 3], lw=1.2, label=label)


def _cap(
    ax: Axes, ymax: float | None, x: np.ndarray, values: np.ndarray, color: str, diverged: bool
) -> bool:
    """With ``ymax``: mark where ``values`` first exceed it (at the top edge); True if they do."""
    if ymax is None:
        return False
    above = np.isfinite(values) & (values > ymax)
    if not above.any():
        return False
    mark_off_scale(ax, x[np.argmax(above)], float(np.max(values[above])), color, diverged)
    return True


def _set_top(ax: Axes, ymax: float | None, logy: bool) -> None:
    """End the y axis at ``ymax``, its bottom fitted to the values drawn below it (the values
    above, which may be astronomically large, would otherwise stretch the axis downwards too)."""
    if ymax is None:
        return
    shown = [
        np.asarray(line.get_ydata(), dtype=np.float64)
        for line in ax.get_lines()
        # data and reference lines (y in data units), not the marks placed in axes units
        if line.get_transform() in (ax.transData, ax.get_yaxis_transform())
    ]
    values = np.concatenate([v.ravel() for v in shown]) if shown else np.array([])
    values = values[np.isfinite(values) & (values <= ymax) & ((values > 0) if logy else True)]
    if values.size == 0:
        ax.set_ylim(top=ymax)
        return
    low = float(values.min())
    if logy:
        bottom = low / (ymax / low) ** 0.05 if low < ymax else low / 10
    else:
        bottom = low - 0.05 * (ymax - low) if low < ymax else low - 1
    ax.set_ylim(bottom, ymax)


def _diverged_at(run: Any, values: np.ndarray) -> int | None:
    """The 1-based epoch at which a run's values became NaN or infinite, or None.

    A History says so itself (``diverged``, ``diverged_at``): its NaN entries may also be values
    left out on purpose, which are skipped. For a plain sequence, the first non-finite value.
    """
    if getattr(run, "diverged", False) and getattr(run, "diverged_at", None) is not None:
        return run.diverged_at
    if hasattr(run, "diverged") and not run.diverged:
        return None
    bad = ~np.isfinite(values)
    return int(np.argmax(bad)) + 1 if bad.any() else None


def _is_stack(run: Any) -> bool:
    """Whether ``run`` holds several runs: a 2-D array-like of numbers, one row per run."""
    if hasattr(run, "loss") or isinstance(run, (str, bytes)):
        return False
    try:
        return np.ndim(np.asarray(run, dtype=np.float64)) == 2
    except (TypeError, ValueError):
        return False


def _draw_band(ax: Any, runs: np.ndarray, color: str, label: str, logy: bool) -> None:
    """The median of the runs per epoch as a line, their lowest-to-highest range as a band."""
    if logy:
        runs = np.where(runs > 0, runs, np.nan)
    epochs = np.arange(1, runs.shape[1] + 1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an epoch where every run is NaN
        median = np.nanmedian(runs, axis=0)
        low, high = np.nanmin(runs, axis=0), np.nanmax(runs, axis=0)
    ax.plot(epochs, median, color=color, label=label)
    ax.fill_between(epochs, low, high, color=color, alpha=0.2, lw=0)


@styled
def epoch_curves(
    histories: Mapping[str, Any],
    ylabel: str,
    field: str = "loss",
    logy: bool = False,
    title: str | None = None,
    legend: str = "best",
    xlabel: str = "epoch",
    reference: Mapping[str, float] | None = None,
    ymax: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """One value per epoch, one line per label: ``run.<field>`` of a History, or a sequence.

    E.g. a Keras ``History.history["accuracy"]`` list with ``ylabel="training accuracy"``. A run
    whose values became NaN or infinite is drawn up to its last finite value, marked with an ``x``
    and "diverged at epoch k". The x axis counts from 1, with integer ticks; ``xlabel`` names it
    when the values are per step or per batch. ``reference`` draws labelled dashed lines (e.g. the
    best loss possible); ``ymax`` ends the y axis there, and a run that goes above it is marked at
    the top edge with the largest value it reached. Draws into ``ax`` when given (see
    :func:`~wtinit_lib.plotting.panels`) and returns its figure.

    A label may also map to several runs at once, a 2-D array ``(runs, epochs)`` (e.g. the losses
    of eight seeds): its median per epoch is drawn as the line and the range from the lowest to
    the highest run as a shaded band, so one lucky or unlucky seed cannot speak for all.
    """
    check_mapping("histories", histories)
    check_optional_str("title", title)
    if ymax is not None:
        ymax = check_positive("ymax", ymax) if logy else check_finite("ymax", ymax)
    fig, ax = _axes(ax, (6.4, 3.8))
    for (label, run), color in zip(histories.items(), colors(len(histories))):
        if _is_stack(run):
            _draw_band(ax, np.asarray(run, dtype=np.float64), color, str(label), logy)
            continue
        values = series(label, run, field, "values")
        epochs = np.arange(1, values.size + 1)
        ok = np.isfinite(values)
        ax.plot(epochs[ok], values[ok], color=color, label=str(label))
        val = getattr(run, "val_loss", None) if field == "loss" else None
        if val:
            val = np.asarray(val, dtype=np.float64)
            good = np.isfinite(val)
            ax.plot(np.arange(1, val.size + 1)[good], val[good], color=color, ls="--", lw=1.3)
        diverged_at = _diverged_at(run, values)
        if not _cap(ax, ymax, epochs, values, color, diverged_at is not None):
            if diverged_at is not None:
                mark_divergence(ax, values, color, diverged_at)
    _references(ax, reference)
    layer_axis(ax, ylabel, logy=logy, xlabel=xlabel)
    _set_top(ax, ymax, logy)
    place_legend(ax, legend)
    if title:
        ax.set_title(title)
    return fig


def loss_curves(
    histories: Mapping[str, Any],
    logy: bool = False,
    title: str | None = None,
    legend: str = "best",
    xlabel: str = "epoch",
    reference: Mapping[str, float] | None = None,
    ymax: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Training loss per epoch, one line per label (validation loss dashed, when recorded).

    ``histories`` maps a label to a :class:`~wtinit_lib.training.History` or a sequence of
    losses; see :func:`epoch_curves` for how a diverged run is drawn and for ``xlabel``,
    ``reference``, ``ymax`` and ``ax``.
    """
    return epoch_curves(
        histories,
        "loss",
        field="loss",
        logy=logy,
        title=title,
        legend=legend,
        xlabel=xlabel,
        reference=reference,
        ymax=ymax,
        ax=ax,
    )


@styled
def gradient_norm_curves(
    histories: Mapping[str, Any],
    clip: float | None = None,
    title: str | None = None,
    legend: str = "best",
    xlabel: str = "epoch (one full-batch step)",
    ymax: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The global gradient norm per epoch on a log axis, one line per label.

    ``histories`` maps a label to a :class:`~wtinit_lib.training.History` (its ``grad_norm``,
    measured before any clipping) or a sequence of norms. A run whose norm became NaN or infinite
    (a diverged run) ends with an ``x`` at its last finite value. ``clip`` draws the clipping
    threshold as a dashed line: above it, a clipped run's steps were shortened. ``ymax`` ends the
    y axis there (a run that goes above is marked at the top edge with the largest norm it
    reached, so one exploding run does not flatten the others); ``ax`` as in
    :func:`epoch_curves`.
    """
    check_mapping("histories", histories)
    check_optional_str("title", title)
    if clip is not None:
        clip = check_positive("clip", clip)
    if ymax is not None:
        ymax = check_positive("ymax", ymax)
    fig, ax = _axes(ax, (6.4, 3.8))
    for (label, run), color in zip(histories.items(), colors(len(histories))):
        norms = series(label, run, "grad_norm", "norms")
        steps = np.arange(1, norms.size + 1)
        shown = np.isfinite(norms) & (norms > 0)
        ax.plot(steps[shown], norms[shown], color=color, label=str(label))
        diverged = not np.all(np.isfinite(norms)) or bool(getattr(run, "diverged", False))
        if not _cap(ax, ymax, steps, norms, color, diverged) and not np.all(np.isfinite(norms)):
            mark_divergence(ax, norms, color, note=False)
    if clip is not None:
        ax.axhline(clip, color="0.3", linestyle="--", lw=1.2, label=f"clip threshold {clip:g}")
    layer_axis(ax, "global gradient norm", logy=True, xlabel=xlabel)
    _set_top(ax, ymax, True)
    place_legend(ax, legend)
    if title:
        ax.set_title(title)
    return fig


@styled
def stat_curves(
    epochs: Sequence[float],
    values: np.ndarray,
    band: np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    ylabel: str = "value",
    title: str | None = None,
    legend: str = "best",
) -> Figure:
    """One line per layer of a statistic over training, with an optional ``± band`` shading.

    ``values`` and ``band`` have shape ``(len(epochs), number of layers)`` (as returned by
    ``wtinit_lib.layerstats.stat_series``); e.g. each layer's mean activation with its standard
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
    labels = layer_labels(labels, count)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 3.8), layout="constrained")
    for i, color in zip(range(count), colors(count)):
        ax.plot(x, y[:, i], color=color, label=str(labels[i]))
        if band is not None:
            ax.fill_between(x, y[:, i] - band[:, i], y[:, i] + band[:, i], color=color, alpha=0.15)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    place_legend(ax, legend)
    if title:
        ax.set_title(title)
    return fig


def _xy(name: str, label: str, pair: object) -> tuple[np.ndarray, np.ndarray]:
    try:
        x, y = (np.asarray(v, dtype=np.float64).ravel() for v in pair)
    except (TypeError, ValueError):
        x = y = None
    if x is None or x.size != y.size:
        raise ValueError(
            f"Argument `{name}[{label!r}]` must be a pair (x, y) of sequences of equal length. "
            f"Received: {pair!r:.80}"
        )
    return x, y


@styled
def xy_curves(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    xlabel: str,
    ylabel: str,
    references: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    logx: bool = False,
    logy: bool = False,
    title: str | None = None,
    legend: str = "best",
) -> Figure:
    """Measured curves ``label -> (x, y)`` as lines with markers, one colour each, and reference
    curves (a prediction, a rule) as dashed grey-toned lines without markers.

    On a log axis non-positive values are left out; a log x axis over a dozen values or fewer (a
    few depths) is labelled at exactly those values. ``legend`` is ``"best"``, ``"outside"``,
    ``"below"`` or ``"none"``.
    """
    check_mapping("curves", curves)
    if references is not None:
        check_mapping("references", references)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 3.8), layout="constrained")
    for k, ((label, pair), color) in enumerate(zip(curves.items(), colors(len(curves)))):
        x, y = _xy("curves", label, pair)
        y = np.where(y > 0, y, np.nan) if logy else y
        ax.plot(x, y, marker=MARKERS[k % len(MARKERS)], color=color, label=str(label))
    for k, (label, pair) in enumerate((references or {}).items()):
        x, y = _xy("references", label, pair)
        y = np.where(y > 0, y, np.nan) if logy else y
        ax.plot(x, y, ls=("--", ":", "-.")[k % 3], color="0.25", lw=1.3, label=str(label))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logx:
        ax.set_xscale("log")
        xs = np.unique(np.concatenate([_xy("curves", k, v)[0] for k, v in curves.items()]))
        if xs.size <= 12:  # a few depths: label exactly those
            ax.set_xticks(xs, [f"{x:g}" for x in xs])
            ax.xaxis.set_minor_formatter(NullFormatter())
    if logy:
        ax.set_yscale("log")
    place_legend(ax, legend)
    if title:
        ax.set_title(title)
    return fig
