"""Several initializers trained side by side: decision boundaries, loss curves and the
per-layer statistics at initialization, in one figure."""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from wtinit_lib._checks import check_int
from wtinit_lib.plotting._live import (
    LiveFigure,
    fixed_labels,
    log_axis,
    log_limits,
    new_live_figure,
)
from wtinit_lib.plotting._style import PALETTE, style

__all__ = ["RUN_COLORS", "TrainFigure", "side_by_side_figure", "run_status"]

#: Class 0 and class 1, as in every decision boundary of the book.
CLASS_COLORS = (PALETTE[0], PALETTE[3])
#: One colour per initializer (column), apart from the class colours.
RUN_COLORS = ("#E69F00", "#009E73", "#CC79A7", "#333333")
_PROBABILITY = LinearSegmentedColormap.from_list("p", [CLASS_COLORS[0], "white", CLASS_COLORS[1]])
_FIELDS = ("runs", "X", "y", "extent", "settings")


def run_status(run: Any) -> str:
    """What a :class:`~wtinit_lib.comparisons.TrainingRun` reached, or why it reached nothing:
    ``"ℒ 0.077, acc 1.00"``, ``"stuck at ln 2"`` (the loss of ``p = 1/2`` everywhere, within
    0.001), ``"diverged at epoch 12"``, ``"units identical (ch. 2)"``."""
    if run.identical_units:
        return "units identical (ch. 2)"
    if run.diverged_at is not None:
        return f"diverged at epoch {run.diverged_at}"
    final = float(run.loss[-1])
    if abs(final - math.log(2)) < 1e-3:
        dead = run.dead_fraction
        return f"stuck at ln 2, {dead:.0%} dead" if dead > 0.5 else "stuck at ln 2"
    return f"ℒ {final:.3f}, acc {run.accuracy:.2f}"


class TrainFigure(LiveFigure):
    """A :class:`~wtinit_lib.comparisons.SideBySide` (up to ``columns`` runs), redrawn in place.

    Top row, one panel per initializer: ``p(x)`` after training as a colour from class 0 (blue)
    through white (1/2) to class 1 (vermillion), the training points on top, the initializer's
    name and :func:`run_status` in the title, the frame in the initializer's colour. Bottom row,
    in the same colours: the training loss ``ℒ`` per epoch (log axis; a dotted line at ``ln 2``,
    the loss of ``p = 1/2`` everywhere; ``×`` where a run diverged), and ``std(A^ℓ)`` and
    ``std(dW^ℓ)`` per hidden layer at initialization (a run whose stds are all 0 is named in the
    panel's title instead of drawn).
    """

    def __init__(self, figure: Figure | None = None, columns: int = 4):
        self.columns = check_int("columns", columns, 3)
        with style():
            self.figure = fig = new_live_figure(figure, (6.5, 4.7))
            grid = fig.add_gridspec(
                2, self.columns, left=0.09, right=0.98, top=0.86, bottom=0.09,
                hspace=0.5, wspace=0.32, height_ratios=(1, 1.25),
            )  # fmt: skip
            self.boundary_axes, self.images, self.points = [], [], []
            for k in range(self.columns):
                ax = fig.add_subplot(grid[0, k])
                ax.grid(False)
                ax.set_xticks([])
                ax.set_yticks([])
                self.images.append(
                    ax.imshow(
                        np.full((2, 2), 0.5),
                        origin="lower",
                        cmap=_PROBABILITY,
                        vmin=0,
                        vmax=1,
                        alpha=0.75,
                        aspect="auto",
                        interpolation="bilinear",
                    )  # fmt: skip
                )
                # One line of markers per class: Agg stamps a cached marker, far cheaper than a
                # scatter's path collection.
                self.points.append(
                    [
                        ax.plot([], [], "o", ms=2.6, mew=0.3, mec="white", color=color)[0]
                        for color in CLASS_COLORS
                    ]
                )
                for spine in ax.spines.values():
                    spine.set_visible(True)
                    spine.set_color(RUN_COLORS[k % len(RUN_COLORS)])
                    spine.set_linewidth(2.2)
                ax.set_xlabel("x₁", fontsize=9)
                ax.set_ylabel("x₂" if k == 0 else "", fontsize=9)
                fixed_labels(ax, below=8, left=8)
                self.boundary_axes.append(ax)
            self.loss_ax = fig.add_subplot(grid[1, : self.columns - 2])
            self.act_ax = fig.add_subplot(grid[1, -2])
            self.grad_ax = fig.add_subplot(grid[1, -1])
            self.loss_lines, self.marks, self.act_lines, self.grad_lines = [], [], [], []
            for k in range(self.columns):
                color = RUN_COLORS[k % len(RUN_COLORS)]
                self.loss_lines.append(self.loss_ax.plot([], [], color=color, lw=1.6)[0])
                self.marks.append(self.loss_ax.plot([], [], "x", color=color, ms=9, mew=2.2)[0])
                self.act_lines.append(self.act_ax.plot([], [], "o-", color=color, ms=3)[0])
                self.grad_lines.append(self.grad_ax.plot([], [], "s-", color=color, ms=3)[0])
            self.loss_ax.axhline(math.log(2), color="grey", lw=1, ls=":")
            self.loss_ax.set_xlabel("epoch (dotted: ln 2)", fontsize=9)
            self.loss_ax.set_ylabel("training loss ℒ", fontsize=9)
            for ax in (self.act_ax, self.grad_ax):
                ax.set_xlabel("layer ℓ", fontsize=9)
                ax.xaxis.get_major_locator().set_params(integer=True)
            for ax in (self.loss_ax, self.act_ax, self.grad_ax):
                log_axis(ax)
                ax.tick_params(labelsize=8, pad=1)
                fixed_labels(ax, below=18, left=30)
            self.title = fig.text(0.01, 0.985, "", fontsize=10, va="top")
            handles = [
                Line2D([], [], ls="none", marker="o", ms=5, mec="white", mew=0.4, color=color,
                       label=f"class {k}")
                for k, color in enumerate(CLASS_COLORS)
            ]  # fmt: skip
            fig.legend(
                handles=handles, loc="upper right", bbox_to_anchor=(0.995, 1.0), ncols=2,
                fontsize=9, handletextpad=0.1, columnspacing=0.8, borderaxespad=0.2,
            )  # fmt: skip

    def update(self, result: Any) -> Figure:
        """Show ``result`` (a SideBySide with at most ``columns`` runs); returns the figure."""
        if not all(hasattr(result, name) for name in _FIELDS):
            raise TypeError(
                "Argument `result` must be a SideBySide (from comparisons.train_side_by_side). "
                f"Received: {type(result).__name__}"
            )
        if not 1 <= len(result.runs) <= self.columns:
            raise ValueError(
                f"Argument `result` must hold 1 to {self.columns} runs (the figure's columns). "
                f"Received: {len(result.runs)} runs"
            )
        with style():
            self._update(result)
        return self.figure

    def _update(self, result: Any) -> None:
        s = result.settings
        dataset = f"{s['dataset']}, " if s.get("dataset") else ""
        self.title.set_text(
            f"{dataset}{s['activation']}, depth {s['depth']}, width {s['width']}, "
            f"η = {s['lr']:g}, {s['epochs']} epochs, seed {s['seed']}"
        )
        labels = np.asarray(result.y).astype(int)
        runs = list(result.runs.items())
        losses, stds, flat = [], {"A": [], "dW": []}, {"A": [], "dW": []}
        for k in range(self.columns):
            lines = (self.loss_lines[k], self.marks[k], self.act_lines[k], self.grad_lines[k])
            self.boundary_axes[k].set_visible(k < len(runs))
            if k >= len(runs):
                for line in lines:
                    line.set_data([], [])
                continue
            label, run = runs[k]
            self._boundary(k, label, run, result, labels)
            loss = np.asarray(run.loss, dtype=np.float64)
            ok = np.isfinite(loss)
            lines[0].set_data(np.flatnonzero(ok), loss[ok])
            losses.append(loss[ok])
            last = np.flatnonzero(ok)[-1:]
            diverged = run.diverged_at is not None and last.size
            lines[1].set_data(last if diverged else [], loss[last] if diverged else [])
            layers = np.arange(1, len(run.act_stds) + 1)
            for line, values, key in (
                (lines[2], run.act_stds, "A"),
                (lines[3], run.grad_stds, "dW"),
            ):
                values = np.asarray(values, dtype=np.float64)
                y = np.where(np.isfinite(values) & (values > 0), values, np.nan)
                line.set_data(layers, y)
                stds[key].append(y)
                if not np.isfinite(y).any():
                    flat[key].append(label)
        self.loss_ax.set_xlim(0, max(int(s["epochs"]) - 1, 1))
        log_limits(self.loss_ax, losses, include=1.0)
        for ax, key, name in ((self.act_ax, "A", "activations"), (self.grad_ax, "dW", "dW")):
            ax.set_xlim(0.5, int(s["depth"]) + 0.5)
            log_limits(ax, stds[key])
            missing = f"\n(std 0: {', '.join(flat[key])})" if flat[key] else ""
            ax.set_title(f"std of {name} at init{missing}", fontsize=9, y=1.0, pad=4)

    def _boundary(self, k: int, label: str, run: Any, result: Any, labels: np.ndarray) -> None:
        ax = self.boundary_axes[k]
        self.images[k].set_data(run.probabilities)
        self.images[k].set_extent(result.extent)
        for cls, line in enumerate(self.points[k]):
            inside = labels == cls
            line.set_data(result.X[inside, 0], result.X[inside, 1])
        ax.set_xlim(result.extent[0], result.extent[1])
        ax.set_ylim(result.extent[2], result.extent[3])
        color = RUN_COLORS[k % len(RUN_COLORS)]
        ax.set_title(f"{label}\n{run_status(run)}", fontsize=8.5, color=color, y=1.0, pad=4)


def side_by_side_figure(result: Any) -> Figure:
    """The :class:`TrainFigure` of ``result`` on a new pyplot figure (shown at the end of a
    notebook cell, like every other figure of the book)."""
    with style():
        figure = plt.figure(figsize=(6.5, 4.7))
    return TrainFigure(figure, columns=max(len(result.runs), 3)).update(result)
