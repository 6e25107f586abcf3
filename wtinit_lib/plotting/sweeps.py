"""Figures of training sweeps: learning time against depth, loss against learning rate per width,
the coordinate check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from wtinit_lib._checks import check_int, check_mapping, check_optional_str
from wtinit_lib.plotting._style import MARKERS, colors, new_figure, place_legend, styled

__all__ = ["coordinate_check", "learning_times", "loss_vs_lr"]


def _log_axes(ax: Axes, x: np.ndarray) -> None:
    """Log-log axes: the x ticks at the values of ``x`` (base 2), y ticks at 1, 2, 5 × 10^k."""
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(x, [f"{int(v)}" for v in x])
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_locator(ticker.NullLocator())


@styled
def learning_times(
    depths: Sequence[int],
    times: Mapping[str, Sequence[int | None]],
    cap: int,
    title: str | None = None,
) -> Figure:
    """Steps to reach the loss criterion against depth (log-log), one line per label; a run
    that did not reach it within ``cap`` steps (``None``) is an open triangle at ``cap``."""
    check_mapping("times", times)
    cap = check_int("cap", cap)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 3.8), layout="constrained")
    x = np.asarray(depths, dtype=np.float64)
    for k, ((label, values), color) in enumerate(zip(times.items(), colors(len(times)))):
        y = np.array([np.nan if t is None else t for t in values], dtype=np.float64)
        ax.plot(x, y, marker=MARKERS[k % len(MARKERS)], color=color, label=label)
        missing = np.isnan(y)
        if missing.any():
            ax.plot(
                x[missing],
                np.full(missing.sum(), cap),
                ls="none",
                marker="^",
                ms=9,
                mfc="none",
                mew=1.5,
                color=color,
                label=f"{label}: not within {cap} steps",
            )
    ax.axhline(cap, color="0.5", ls=":", lw=1)
    _log_axes(ax, x)
    ax.set_xlabel("depth L (weight layers)")
    ax.set_ylabel("steps to 1% of the initial loss")
    place_legend(ax, "best")
    if title:
        ax.set_title(title)
    return fig


@styled
def loss_vs_lr(
    panels: Mapping[str, np.ndarray],
    log2_lrs: Sequence[float],
    widths: Sequence[int],
    ylabel: str = "training loss after training",
    title: str | None = None,
) -> Figure:
    """One panel per label (e.g. "standard", "μP"), loss against ``log₂ η``, one line per width;
    each line's minimum is starred. ``panels[label]`` has shape ``(widths, lrs)``; non-finite
    losses (diverged runs) are left out. The panels share a logarithmic y axis."""
    check_mapping("panels", panels)
    check_optional_str("title", title)
    x = np.asarray(log2_lrs, dtype=np.float64)
    fig, axes = new_figure(
        1, len(panels), figsize=(6.5, 3.6), sharey=True, squeeze=False, layout="constrained"
    )
    for ax, (label, losses) in zip(axes[0], panels.items()):
        losses = np.asarray(losses, dtype=np.float64)
        if losses.shape != (len(widths), x.size):
            raise ValueError(
                f"Argument `panels[{label!r}]` must have shape (len(widths), len(log2_lrs)) = "
                f"{(len(widths), x.size)}. Received: shape {losses.shape}"
            )
        for k, (n, row, color) in enumerate(zip(widths, losses, colors(len(widths)))):
            y = np.where(np.isfinite(row), row, np.nan)
            ax.plot(x, y, marker=MARKERS[k % len(MARKERS)], color=color, label=f"width {n}")
            if np.isfinite(y).any():
                best = int(np.nanargmin(y))
                ax.plot(x[best], y[best], marker="*", ms=15, color=color, mec="black", mew=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("$\\log_2 \\eta$")
        ax.set_title(label)
    axes[0, 0].set_ylabel(ylabel)
    place_legend(axes[0, -1], "best")
    if title:
        fig.suptitle(title)
    return fig


@styled
def coordinate_check(
    widths: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    ylabel: str = "mean |Δ logits| after 3 steps",
    title: str | None = None,
) -> Figure:
    """A quantity against width on log-log axes, one line per label: flat lines are what a
    correct μP implementation shows (Yang et al. 2022)."""
    check_mapping("curves", curves)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 3.8), layout="constrained")
    x = np.asarray(widths, dtype=np.float64)
    for k, (label, values) in enumerate(curves.items()):
        ax.plot(
            x, np.asarray(values, dtype=np.float64), marker=MARKERS[k % len(MARKERS)], label=label
        )
    _log_axes(ax, x)
    ax.set_xlabel("width n")
    ax.set_ylabel(ylabel)
    place_legend(ax, "best")
    if title:
        ax.set_title(title)
    return fig
