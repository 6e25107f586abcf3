"""Training curves: one value per epoch (or step), one line per run, diverged runs marked.

:func:`loss_curves`, :func:`epoch_curves` and :func:`gradient_norm_curves` read a
:class:`~wtinit_lib.training.History` or a plain sequence (or a 2-D array of several seeds, drawn
as a median with its range). A run whose values became NaN or infinite is drawn up to its last
finite value and marked; ``ymax`` ends the axis and marks a run that leaves it; ``reference``
draws labelled dashed lines (the best loss possible, ln C).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from wtinit_lib._checks import check_finite, check_mapping, check_optional_str, check_positive
from wtinit_lib.plotting._style import (
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

__all__ = ["epoch_curves", "gradient_norm_curves", "loss_curves"]


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
