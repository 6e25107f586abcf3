"""Histograms: the distribution of each layer's values, or of one layer under several rules."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from wtinit_lib._checks import (
    check_int,
    check_mapping,
    check_optional_str,
    check_positive,
    check_range,
)
from wtinit_lib.plotting._style import PALETTE, colors, finite, new_figure, place_legend, styled
from wtinit_lib.plotting.curves import layer_labels

__all__ = ["histogram_compare", "layer_histograms", "singular_value_histograms"]


@styled
def layer_histograms(
    values_per_layer: Sequence[np.ndarray],
    title: str | None = None,
    bins: int = 50,
    labels: Sequence[str] | None = None,
    range: tuple[float, float] | None = None,  # numpy's name
    ncols: int | None = None,
) -> Figure:
    """One small histogram per layer (up to 5 per row), each titled with its mean and std.

    Args:
        values_per_layer: one array per layer (e.g. the activations ``As[1:]`` of a forward
            trace); each is flattened. Non-finite values are left out of the histogram.
        title: figure title.
        bins: number of bins per panel.
        labels: one panel label per layer; default ``"layer ℓ = 1"``, ``"layer ℓ = 2"``, ...
        range: common ``(low, high)`` for every panel, so layers compare at a glance.
        ncols: panels per row (default: up to 5); e.g. 2 to set two rules side by side, layer by
            layer, in a figure that fits the page's width.
    """
    if isinstance(values_per_layer, np.ndarray) and values_per_layer.ndim < 2:
        values_per_layer = [values_per_layer]
    if not isinstance(values_per_layer, (Sequence, np.ndarray)) or len(values_per_layer) == 0:
        raise TypeError(
            "Argument `values_per_layer` must be a non-empty list of arrays, one per layer. "
            f"Received: values_per_layer={values_per_layer!r:.80}"
        )
    count = len(values_per_layer)
    labels = layer_labels(labels, count)
    bins = check_int("bins", bins)
    hist_range = check_range("range", range)
    check_optional_str("title", title)

    ncols = min(count, 5 if ncols is None else check_int("ncols", ncols))
    nrows = math.ceil(count / ncols)
    fig, axes = new_figure(
        nrows, ncols, figsize=(2.6 * ncols, 2.3 * nrows + 0.4), squeeze=False, layout="constrained"
    )
    for i, ax in enumerate(axes.flat):
        if i >= count:
            ax.set_visible(False)
            continue
        values = finite(values_per_layer[i])
        ax.hist(values, bins=bins, range=hist_range, color=PALETTE[0], alpha=0.85)
        mean = values.mean() if values.size else math.nan
        std = values.std() if values.size else math.nan
        ax.set_title(f"{labels[i]}\nmean {mean:.3g}, std {std:.3g}", fontsize=10)
        ax.tick_params(labelsize=9)
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig


@styled
def histogram_compare(
    values: Mapping[str, np.ndarray],
    bins: int = 50,
    title: str | None = None,
    xlabel: str | None = None,
    range: tuple[float, float] | None = None,  # numpy's name
    density: bool = True,
    densities: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None,
    legend: str = "best",
) -> Figure:
    """Histograms of several samples in one panel, drawn as step outlines, one colour per label.

    Outlines (not filled bars) keep every histogram visible where they overlap, so a difference
    in shape (a lower peak, heavier shoulders) shows. ``densities`` maps some of the labels of
    ``values`` to a probability density ``p(x)``, drawn as a thin dashed line in that label's
    colour (e.g. the exact density each sample was drawn from; needs ``density=True``), with one
    legend entry for all of them.
    ``legend`` is ``"best"``, ``"outside"`` (right of the axes, off the data), ``"below"`` or
    ``"none"``.
    """
    check_mapping("values", values)
    bins = check_int("bins", bins)
    hist_range = check_range("range", range)
    check_optional_str("title", title)
    densities = dict(densities or {})
    unknown = [label for label in densities if label not in values]
    if unknown or (densities and not density):
        raise ValueError(
            "Argument `densities` must map labels of `values` to densities, with density=True. "
            f"Received: labels {unknown} not in `values`, density={density!r}"
        )
    fig, ax = new_figure(figsize=(6.4, 3.6), layout="constrained")
    density_label = "exact density (dashed)" if len(densities) == 1 else "exact densities (dashed)"
    handles, density_line = [], None  # the samples first, then one entry for the densities
    for (label, data), color in zip(values.items(), colors(len(values))):
        kept = finite(data)
        *_, patches = ax.hist(
            kept,
            bins=bins,
            range=hist_range,
            density=density,
            histtype="step",
            lw=1.4,
            color=color,
            label=f"{label}, std {kept.std():.3g}" if kept.size else str(label),
        )
        handles.append(patches[0])
        if label in densities and kept.size:
            low, high = hist_range or (kept.min(), kept.max())
            x = np.linspace(low, high, 400)
            (line,) = ax.plot(x, densities[label](x), color=color, lw=1.8, ls="--")
            if density_label:
                line.set_label(density_label)
                density_line, density_label = line, None  # one entry for all densities
    ax.set_xlabel(xlabel or "value")
    ax.set_ylabel("density" if density else "count")
    if density_line is not None:
        handles.append(density_line)
    place_legend(ax, legend, handles=handles)
    if title:
        ax.set_title(title)
    return fig


@styled
def singular_value_histograms(
    spectra: Mapping[str, np.ndarray],
    bins: int = 40,
    floor: float = 1e-4,
    title: str | None = None,
) -> Figure:
    """One panel per label (two per row) with the histogram of a Jacobian's singular values on
    a common logarithmic axis, the value 1 (isometry) marked; each panel's title gives
    ``s_max / s_mean``. Values below ``floor`` (directions a ReLU network has all but erased)
    are counted in the first bin, and their share is written in the panel."""
    check_mapping("spectra", spectra)
    bins = check_int("bins", bins)
    floor = check_positive("floor", floor)
    check_optional_str("title", title)
    arrays = {label: finite(s) for label, s in spectra.items()}
    top = max(float(s.max()) for s in arrays.values())
    edges = np.geomspace(floor, max(top * 1.2, 2 * floor), bins + 1)
    nrows = math.ceil(len(arrays) / 2)
    fig, axes = new_figure(
        nrows,
        2,
        figsize=(6.5, 2.1 * nrows + 0.5),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    for ax, (label, s), color in zip(axes.flat, arrays.items(), colors(len(arrays))):
        ax.hist(np.clip(s, edges[0], None), bins=edges, color=color, alpha=0.85)
        ax.axvline(1.0, color="0.3", ls="--", lw=1)
        ax.set_xscale("log")
        ax.set_yticks([])
        ax.set_title(f"{label}: $s_{{max}}/s_{{mean}}$ = {s.max() / s.mean():.3g}", fontsize=10)
        below = np.mean(s < floor)
        if below > 0:
            ax.text(0.03, 0.85, f"{below:.0%} below {floor:g}", transform=ax.transAxes, fontsize=9)
    for ax in axes.flat[len(arrays) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("singular value s")
    if title:
        fig.suptitle(title)
    return fig
