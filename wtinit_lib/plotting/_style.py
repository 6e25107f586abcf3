"""The book's figure style and the helpers every figure module shares.

White background (figures stay readable in dark mode), a small colour-blind-safe palette, a light
grid, readable font sizes. Every figure function runs inside :func:`style` (through
:func:`styled`), builds its own ``Figure`` and returns it; nothing here calls ``plt.show()``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from wtinit_lib._checks import check_choice

__all__ = [
    "PALETTE",
    "STYLE",
    "colors",
    "finite",
    "layer_axis",
    "mark_divergence",
    "mark_off_scale",
    "new_figure",
    "panels",
    "place_legend",
    "series",
    "sharp_inline_figures",
    "style",
    "styled",
    "styled_axes",
]

#: Okabe & Ito's colour-blind-safe palette (blue, orange, green, vermillion, purple, sky, yellow).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
#: Marker shapes, one per line, so lines stay apart in grey print too.
MARKERS = "osD^v<>"

#: The widest figure, in inches, that the book's column shows at its natural size.
PAGE_WIDTH = 6.5

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


def sharp_inline_figures() -> None:
    """In a Jupyter kernel, show inline figures as PNGs of twice the pixel density ("retina").

    They stay the same size on the page and are sharp on HiDPI screens and in print. Nothing
    happens outside IPython or with a backend other than the inline one. Importing
    :mod:`wtinit_lib.plotting` calls this once, so every chapter gets it.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None or "inline" not in str(plt.get_backend()):
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")


@contextlib.contextmanager
def style() -> Iterator[None]:
    """``with plotting.style(): ...``: the book's style inside the block only."""
    with plt.rc_context(STYLE):
        yield


def styled(function: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a figure function inside :func:`style`, so every artist it creates gets the style."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with style():
            return function(*args, **kwargs)

    return wrapper


def new_figure(nrows: int = 1, ncols: int = 1, **kw: Any) -> tuple[Figure, Any]:
    """``plt.subplots`` with a white figure background."""
    fig, axes = plt.subplots(nrows, ncols, **kw)
    fig.patch.set_facecolor("white")
    return fig, axes


def panels(
    ncols: int = 2, nrows: int = 1, figsize: tuple[float, float] = (PAGE_WIDTH, 3.2)
) -> tuple:
    """A white figure of ``nrows × ncols`` axes in the book's style, ``(fig, axes)``.

    The figure functions that take ``ax=`` draw into one panel each, e.g.
    ``plotting.loss_curves(runs, ax=axes[0])``. The default size fits the page width.
    """
    with style():
        fig, axes = new_figure(nrows, ncols, figsize=figsize, layout="constrained")
    return fig, axes


def styled_axes(ax: Axes) -> None:
    """Grid and spines as in STYLE, for axes created outside :func:`style`."""
    ax.set_facecolor("white")
    ax.grid(True, alpha=0.3)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def colors(count: int) -> list[str]:
    """``count`` colours of the palette, cycling."""
    return [PALETTE[i % len(PALETTE)] for i in range(count)]


def finite(values: object) -> np.ndarray:
    """``values`` flattened to float64, without its NaN and infinite entries."""
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[np.isfinite(array)]


def layer_axis(ax: Axes, ylabel: str, *, logy: bool, xlabel: str = "layer ℓ") -> None:
    """The axes of a per-layer figure: integer ticks on x, a log y axis by default (vanishing and
    exploding signals are geometric in depth, so they show as straight lines)."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)


LEGEND_PLACES = ("best", "outside", "below", "none")


def place_legend(ax: Axes, where: str = "best", **kwargs: Any) -> None:
    """The legend of ``ax``: ``"best"`` (matplotlib picks a corner), ``"outside"`` (right of the
    axes, off the data), ``"below"`` (under the axes, in columns) or ``"none"``."""
    check_choice("legend", where, LEGEND_PLACES)
    if where == "none":
        return
    if where == "outside":
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), **kwargs)
    elif where == "below":
        count = len(ax.get_legend_handles_labels()[0])
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=min(count, 3), **kwargs)
    else:
        ax.legend(**kwargs)


def series(label: str, run: Any, field: str, what: str) -> np.ndarray:
    """``run.<field>`` of a History, or ``run`` itself when it is a plain sequence, as floats."""
    source = getattr(run, field) if hasattr(run, field) else run
    try:
        return np.asarray(source, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(
            f"Argument `histories[{label!r}]` must be a History or a sequence of {what}. "
            f"Received: {type(run).__name__}"
        ) from None


def mark_divergence(
    ax: Axes, values: np.ndarray, color: str, diverged_at: int | None = None, note: bool = True
) -> None:
    """An ``x`` at the last finite value of a per-epoch curve that became NaN or infinite.

    ``diverged_at`` is the first (1-based) epoch with a non-finite value (found from ``values``
    when not given). With ``note``, "diverged at epoch k" is written next to the mark. A run that
    diverged at once gets its mark on the bottom axis at that epoch.
    """
    if diverged_at is None:
        bad = ~np.isfinite(values)
        if not bad.any():
            return
        diverged_at = int(np.argmax(bad)) + 1
    before = np.flatnonzero(np.isfinite(values[: max(diverged_at - 1, 0)]))
    text = f"diverged at epoch {diverged_at}"
    if before.size:
        x, y = before[-1] + 1, values[before[-1]]
        ax.plot([x], [y], marker="x", color=color, ms=10, mew=2.5, linestyle="none")
        if note:
            ax.annotate(text, (x, y), xytext=(8, 4), textcoords="offset points", color=color)
        return
    transform = ax.get_xaxis_transform()  # x in data units, y in axes units
    ax.plot([diverged_at], [0.05], marker="x", color=color, ms=10, mew=2.5, transform=transform)
    if note:
        ax.annotate(
            text,
            (diverged_at, 0.05),
            xycoords=transform,
            xytext=(8, 4),
            textcoords="offset points",
            color=color,
        )


def mark_off_scale(ax: Axes, x: float, peak: float, color: str, diverged: bool) -> None:
    """A ``^`` at the top edge of ``ax`` at ``x`` where a curve leaves the axis (``ymax``),
    labelled with the largest value it reached (and "then NaN" when the run diverged)."""
    transform = ax.get_xaxis_transform()  # x in data units, y in axes units
    ax.plot([x], [0.97], marker="^", color=color, ms=8, linestyle="none", transform=transform)
    text = f"up to {peak:.2g}" + (", then NaN" if diverged else "")
    ax.annotate(
        text,
        (x, 0.97),
        xycoords=transform,
        xytext=(7, -4),
        textcoords="offset points",
        color=color,
        va="top",
        fontsize=9,
    )
