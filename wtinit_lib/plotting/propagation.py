"""The signal-propagation figure: how the activations and weight gradients of a fresh network
are distributed layer by layer, and their standard deviations per layer."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from wtinit_lib._checks import check_int
from wtinit_lib.plotting._live import (
    LiveFigure,
    fixed_labels,
    log_axis,
    log_limits,
    new_live_figure,
)
from wtinit_lib.plotting._style import PALETTE, finite, style

__all__ = ["SignalFigure", "signal_propagation_figure"]

_FIELDS = ("activations", "gradients", "act_stds", "grad_stds", "settings")
_ZERO_WEIGHTS = (
    "Every activation and every weight gradient is exactly 0:\n"
    "with all weights zero every unit outputs 0 and receives no gradient\n"
    "(chapter 2), so there is no distribution to draw and nothing on a log axis."
)


class SignalFigure(LiveFigure):
    """A :class:`~wtinit_lib.experiments.SignalPropagation` in three panels, redrawn in place.

    Top: the distributions of the activations ``A^ℓ`` and of the weight gradients ``dW^ℓ`` of up
    to ``layers_shown`` evenly spaced layers (first and last included), as outlines on one x
    range per panel, lighter for earlier layers. Exact zeros (half of every ReLU layer) are left
    out of the activations and their share is given. Bottom: ``std(A^ℓ)`` and ``std(dW^ℓ)`` of
    every layer on a log axis, where vanishing or growth is a straight line. When every
    activation and gradient is 0 (zero weights), a message replaces the panels.
    """

    def __init__(self, figure: Figure | None = None, layers_shown: int = 4, bins: int = 40):
        self.layers_shown = check_int("layers_shown", layers_shown, 2)
        self.bins = check_int("bins", bins, 2)
        with style():
            self.figure = fig = new_live_figure(figure, (6.5, 4.8))
            grid = fig.add_gridspec(
                2, 2, left=0.11, right=0.97, top=0.83, bottom=0.1, hspace=0.48, wspace=0.12
            )
            self.hist_axes = (fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]))
            self.std_ax = ax = fig.add_subplot(grid[1, :])
            alphas = [0.35 + 0.65 * k / (self.layers_shown - 1) for k in range(self.layers_shown)]
            edges = np.linspace(-1, 1, self.bins + 1)
            self.steps = []
            for hist_ax, color in zip(self.hist_axes, (PALETTE[0], PALETTE[3])):
                hist_ax.set_yticks([])
                hist_ax.tick_params(labelsize=9)
                hist_ax.grid(False)
                self.steps.append(
                    [
                        hist_ax.stairs(np.zeros(self.bins), edges, color=color, alpha=a, lw=1.6)
                        for a in alphas
                    ]
                )
            log_axis(ax)
            (self.act_line,) = ax.plot([], [], "o-", color=PALETTE[0], label="std of activations A")
            (self.grad_line,) = ax.plot(
                [], [], "s-", color=PALETTE[3], label="std of weight gradients dW"
            )
            ax.set_xlabel("layer ℓ")
            ax.set_ylabel("standard deviation")
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
            ax.xaxis.get_major_locator().set_params(integer=True)
            fixed_labels(ax, below=24, left=40)
            self.title = fig.text(0.01, 0.98, "", fontsize=11, va="top")
            self.layer_note = fig.text(0.01, 0.93, "", fontsize=10, va="top", color="#444444")
            self.message = fig.text(0.5, 0.5, "", ha="center", va="center", visible=False)

    def update(self, result: Any) -> Figure:
        """Show ``result`` (a SignalPropagation); returns the figure."""
        if not all(hasattr(result, name) for name in _FIELDS):
            raise TypeError(
                "Argument `result` must be a SignalPropagation (from "
                f"experiments.signal_propagation). Received: {type(result).__name__}"
            )
        with style():
            self._update(result)
        return self.figure

    def _update(self, result: Any) -> None:
        s = result.settings
        self.title.set_text(
            f"{s['activation']}, {s['weight_init']} × {s['scale']:g}, depth {s['depth']}, "
            f"width {s['width']}, seed {s['seed']}"
        )
        act_stds = np.asarray(result.act_stds, dtype=np.float64)
        grad_stds = np.asarray(result.grad_stds, dtype=np.float64)
        silent = not (np.any(act_stds > 0) or np.any(grad_stds > 0))
        for ax in (*self.hist_axes, self.std_ax):
            ax.set_visible(not silent)
        self.message.set_visible(silent)
        self.message.set_text(_ZERO_WEIGHTS if silent else "")
        if silent:
            self.layer_note.set_text("")
            return
        depth = len(result.activations)
        count = min(depth, self.layers_shown)
        shown = sorted({int(round(k)) for k in np.linspace(0, depth - 1, count)})
        self.layer_note.set_text(
            "distributions of layers ℓ = "
            + ", ".join(str(i + 1) for i in shown)
            + " (lighter: earlier)"
        )
        zeros = self._histograms(0, [result.activations[i] for i in shown], drop_zeros=True)
        note = f" (exact zeros, {zeros:.0%}, left out)" if zeros > 0.05 else ""
        self.hist_axes[0].set_title("activations A" + note, fontsize=10, y=1.0, pad=4)
        self._histograms(1, [result.gradients[i] for i in shown], drop_zeros=False)
        self.hist_axes[1].set_title("weight gradients dW", fontsize=10, y=1.0, pad=4)
        layers = np.arange(1, depth + 1)
        drawn = []
        for line, stds in ((self.act_line, act_stds), (self.grad_line, grad_stds)):
            y = np.where(np.isfinite(stds) & (stds > 0), stds, np.nan)
            line.set_data(layers, y)
            drawn.append(y)
        self.std_ax.set_xlim(0.5, depth + 0.5)
        log_limits(self.std_ax, drawn)

    def _histograms(self, panel: int, arrays: list[np.ndarray], drop_zeros: bool) -> float:
        """Fill one panel's outlines (each normalized to sum 1); return the share of exact
        zeros left out (when it is above 5%)."""
        ax, steps = self.hist_axes[panel], self.steps[panel]
        values = [finite(a) for a in arrays]
        share = 0.0
        if drop_zeros:
            share = float(np.mean([np.mean(v == 0) if v.size else 0.0 for v in values]))
            if share > 0.05:
                values = [v[v != 0] for v in values]
        nonempty = [v for v in values if v.size]
        low = min((float(np.percentile(v, 0.25)) for v in nonempty), default=-1.0)
        high = max((float(np.percentile(v, 99.75)) for v in nonempty), default=1.0)
        if low < 0 < high or not nonempty:  # a signed quantity: a symmetric range
            high = max(-low, high)
            largest = max((float(np.max(np.abs(v))) for v in nonempty), default=1.0)
            if largest <= 1.0 and high > 0.5:  # tanh: all of [-1, 1], the saturated tails too
                high = 1.0
            low = -high
        if not high > low:
            low, high = low - 1.0, high + 1.0
        edges = np.linspace(low, high, self.bins + 1)
        top = 0.0
        for k, step in enumerate(steps):
            step.set_visible(k < len(values))
            if k < len(values):
                counts = np.histogram(values[k], bins=edges)[0] / max(values[k].size, 1)
                step.set_data(counts, edges)
                top = max(top, float(counts.max(initial=0.0)))
        ax.set_xlim(low, high)
        ax.set_ylim(0, 1.08 * top if top > 0 else 1.0)
        return share


def signal_propagation_figure(result: Any, layers_shown: int = 4, bins: int = 40) -> Figure:
    """The :class:`SignalFigure` of ``result`` on a new pyplot figure (shown at the end of a
    notebook cell, like every other figure of the book)."""
    with style():
        figure = plt.figure(figsize=(6.5, 4.8))
    return SignalFigure(figure, layers_shown=layers_shown, bins=bins).update(result)
