"""Line figures: a quantity per layer, or per layer over training, or against any x.

- :func:`per_layer_curves`, :func:`predicted_vs_measured`: one value per layer ``ℓ = 1..L``;
- :func:`stat_curves`: a per-layer statistic over training, one line per layer;
- :func:`xy_curves`: measured values against any x (a block index, a depth), with reference
  lines (a theory) beside them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from wtinit_lib._checks import check_mapping, check_optional_str
from wtinit_lib.plotting._style import (
    MARKERS,
    colors,
    layer_axis,
    new_figure,
    place_legend,
    styled,
)

__all__ = [
    "layer_labels",
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
