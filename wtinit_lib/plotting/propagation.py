"""The signal-propagation figure: per-layer histograms of activations and gradients, and their
standard deviations per layer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from wtinit_lib._checks import check_int
from wtinit_lib.plotting._style import PALETTE, finite, layer_axis, styled

__all__ = ["signal_propagation_figure"]


def _common_range(arrays: Sequence[np.ndarray]) -> tuple[float, float]:
    """A symmetric range holding 99.5% of every layer's finite values (default ``(-1, 1)``)."""
    bounds = [np.percentile(np.abs(f), 99.5) for f in map(finite, arrays) if f.size]
    bound = max(bounds, default=0.0)
    if not math.isfinite(bound) or bound <= 0:
        bound = 1.0
    return -bound, bound


@styled
def signal_propagation_figure(result: Any, max_panels: int = 6, bins: int = 40) -> Figure:
    """Histograms of activations and weight gradients per layer, and their std per layer.

    ``result`` is a :class:`wtinit_lib.experiments.SignalPropagation`. Row 1: the activations
    ``A^ℓ`` of up to ``max_panels`` evenly spaced hidden layers (first and last included); row 2:
    their weight gradients ``dW^ℓ``; each row shares one x range, so a shrinking or widening
    distribution is seen at a glance. Row 3: ``std(A^ℓ)`` and ``std(dW^ℓ)`` for every layer on a
    log axis (vanishing and exploding are geometric in depth, so they show as straight lines).
    """
    for field_name in ("activations", "gradients", "act_stds", "grad_stds", "settings"):
        if not hasattr(result, field_name):
            raise TypeError(
                "Argument `result` must be a SignalPropagation (from "
                f"experiments.signal_propagation). Received: {type(result).__name__}"
            )
    max_panels = check_int("max_panels", max_panels, 2)
    bins = check_int("bins", bins)
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
            values = finite(arrays[i])
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
    layer_axis(ax, "standard deviation", logy=True)
    ax.legend()
    s = result.settings
    fig.suptitle(
        f"{s['activation']}, {s['weight_init']} × {s['scale']:g}, "
        f"depth {s['depth']}, width {s['width']}"
    )
    return fig
