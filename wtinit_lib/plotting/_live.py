"""What the figures that are redrawn in place share (:class:`LiveFigure`, log axes, tick labels).

A control of the playground must show its new figure quickly (its aim: under half a second from
the change to the new image). Building a matplotlib figure, laying it out and drawing it costs
far more than the numbers behind a small network, so a live figure is built once and each
``update`` only changes the data of its artists (``set_data``, ``set_text``). It is also cheaper
to draw than the other figures of the book: fixed margins instead of constrained layout (which
measures every text on every draw), one artist per histogram (``stairs``), no minor ticks on log
axes (they cost about half a redraw) and plain tick labels (``0.01``, ``1e-5``: no mathtext).
:meth:`LiveFigure.png` renders it to PNG bytes for an image widget.

A live figure is not managed by pyplot, since a pyplot figure created in a widget's callback
would be shown, and closed, by the next cell the reader runs. End a cell with ``view.figure`` to
show it in a notebook, or pass a pyplot figure to the constructor.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from wtinit_lib._checks import check_positive

__all__ = [
    "LiveFigure",
    "fixed_labels",
    "log_axis",
    "log_limits",
    "new_live_figure",
    "short_label",
]


class LiveFigure:
    """A figure built once and redrawn in place: ``figure`` and :meth:`png`."""

    figure: Figure

    def png(self, scale: float = 2.0) -> bytes:
        """The figure drawn at ``scale`` times its dpi (2: sharp on HiDPI screens, shown at half
        its pixel width), as PNG bytes with zlib level 1 (a third of the default level's time
        for a slightly larger file)."""
        from PIL import Image  # Pillow comes with matplotlib

        scale = check_positive("scale", scale)
        figure, dpi = self.figure, self.figure.dpi
        canvas = figure.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(figure)
        figure.set_dpi(dpi * scale)
        try:
            canvas.draw()
            pixels = np.asarray(canvas.buffer_rgba())
            buffer = io.BytesIO()
            Image.fromarray(pixels).convert("RGB").save(buffer, format="png", compress_level=1)
        finally:
            figure.set_dpi(dpi)
        return buffer.getvalue()


def new_live_figure(figure: Figure | None, size: tuple[float, float]) -> Figure:
    """``figure``, or a new ``size`` figure at 100 dpi on an Agg canvas (not managed by pyplot)."""
    if figure is None:
        figure = Figure(figsize=size, dpi=100)
        FigureCanvasAgg(figure)
    figure.patch.set_facecolor("white")
    return figure


def short_label(value: float, _: object = None) -> str:
    """``0.5``, ``10``, ``1e-4``: short tick labels without mathtext (cheaper to draw)."""
    if value == 0 or 0.001 <= abs(value) < 1e4:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def fixed_labels(ax: Axes, below: float = 22.0, left: float = 30.0) -> None:
    """Put the axis labels ``below`` points under and ``left`` points left of the axes, once.

    By default matplotlib places them on every draw past the tick labels, measuring each tick
    label (a large part of a redraw); the live figures keep short tick labels and fixed places.
    """
    width, height = ax.get_position().size * ax.figure.get_size_inches()
    ax.xaxis.set_label_coords(0.5, -below / 72 / height)
    ax.yaxis.set_label_coords(-left / 72 / width, 0.5)


def log_axis(ax: Axes) -> None:
    """A log y axis without minor ticks, with :func:`short_label` labels."""
    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(short_label))


def log_limits(ax: Axes, values: list[np.ndarray], include: float | None = None) -> bool:
    """Set a log y axis's limits and ticks to the positive finite ``values`` (and ``include``).

    Major ticks at 1, 2 and 5 times the powers of ten when the range is short (so some tick is
    always labelled), at powers of ten otherwise. Returns False when there is nothing to show.
    """
    positive = [v[np.isfinite(v) & (v > 0)] for v in map(np.asarray, values)]
    positive = np.concatenate(positive) if positive else np.zeros(0)
    if positive.size == 0:
        return False
    low, high = float(positive.min()) / 1.6, float(positive.max()) * 1.6
    if include is not None:
        low, high = min(low, include / 1.3), max(high, include * 1.3)
    ax.set_ylim(low, high)
    subs = (1.0, 2.0, 5.0) if math.log10(high / low) < 1.5 else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(subs=subs, numticks=6))
    return True
