"""Decision boundaries: the regions a classifier of 2-D points assigns to each class."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from wtinit_lib._checks import check_int, check_mapping, check_optional_str
from wtinit_lib.plotting._style import PAGE_WIDTH, PALETTE, new_figure, styled, styled_axes

__all__ = ["decision_boundaries", "decision_boundary"]

_CLASS_COLORS = (PALETTE[0], PALETTE[3], PALETTE[2], PALETTE[1], PALETTE[4], PALETTE[5])


def _predict_fn(net_or_predict: Any) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(net_or_predict, "predict"):
        return net_or_predict.predict
    if callable(net_or_predict):
        return net_or_predict
    raise TypeError(
        "Argument `net_or_predict` must be a network (with .predict) or a function X -> labels. "
        f"Received: {type(net_or_predict).__name__}"
    )


def _check_points(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(
            f"Argument `X` must have shape (n, 2): decision boundaries are drawn for 2-D inputs. "
            f"Received: X.shape={X.shape}"
        )
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"Argument `y` must have one label per row of X ({X.shape[0]}). "
            f"Received: y.shape={np.shape(y)}"
        )
    return X, y.astype(np.int64)


def _draw_boundary(
    ax: Axes, predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray
) -> float:
    """Fill the plane with the predicted class, scatter the points; return the accuracy on X."""
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.1
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], 250), np.linspace(low[1], high[1], 250))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    pred_grid = _labels(predict(grid)).reshape(xx.shape)
    classes = max(int(y.max()), int(pred_grid.max())) + 1
    colors = [_CLASS_COLORS[k % len(_CLASS_COLORS)] for k in np.arange(classes)]
    levels = np.arange(classes + 1) - 0.5
    ax.contourf(xx, yy, pred_grid, levels=levels, cmap=ListedColormap(colors), alpha=0.25)
    point_colors = np.array(colors)[y]
    ax.scatter(X[:, 0], X[:, 1], c=point_colors, s=14, edgecolors="white", linewidths=0.4)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    return float(np.mean(_labels(predict(X)) == y))


def _class_handles(y: np.ndarray) -> list[Line2D]:
    """Legend entries for the classes present in ``y``: a dot in the class's colour."""
    return [
        Line2D(
            [],
            [],
            ls="none",
            marker="o",
            ms=6,
            mec="white",
            mew=0.4,
            color=_CLASS_COLORS[k % len(_CLASS_COLORS)],
            label=f"class {k}",
        )
        for k in np.unique(y)
    ]


def _labels(pred: object) -> np.ndarray:
    """Predictions as integer labels (one-hot/probability rows -> argmax; (n, 1) -> (n,))."""
    pred = np.asarray(pred)
    if pred.ndim == 2 and pred.shape[1] > 1:
        return pred.argmax(axis=1)
    pred = pred.reshape(-1)
    if np.issubdtype(pred.dtype, np.floating):
        return (pred >= 0.5).astype(np.int64)
    return pred.astype(np.int64)


@styled
def decision_boundary(
    net_or_predict: Any,
    X: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The regions a classifier assigns to each class, with the data points on top.

    ``net_or_predict`` is a network (its ``.predict`` is used) or any function from an ``(n, 2)``
    array to labels (or to probabilities, thresholded at 0.5). The accuracy on ``(X, y)`` is
    added to the title. Draws into ``ax`` when given, and returns its figure.
    """
    predict = _predict_fn(net_or_predict)
    X, y = _check_points(X, y)
    check_optional_str("title", title)
    if ax is None:
        fig, ax = new_figure(figsize=(4.2, 4.2), layout="constrained")
    else:
        fig = ax.figure
        styled_axes(ax)
    accuracy = _draw_boundary(ax, predict, X, y)
    ax.set_title(f"{title + ': ' if title else ''}accuracy {accuracy:.3f}")
    ax.legend(handles=_class_handles(y), loc="upper right", fontsize=9, framealpha=0.8)
    return fig


@styled
def decision_boundaries(
    nets: Mapping[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    title: str | None = None,
    ncols: int = 3,
) -> Figure:
    """:func:`decision_boundary` for several networks, one panel per label, ``ncols`` per row.

    The panels share one class legend, below them; each panel's title gives its accuracy.
    """
    check_mapping("nets", nets)
    X, y = _check_points(X, y)
    check_optional_str("title", title)
    count = len(nets)
    ncols = min(check_int("ncols", ncols), count)
    nrows = math.ceil(count / ncols)
    # Each panel is 2.3 inches wide (1.9 for the axes), narrower when that would make the figure
    # wider than the page's 6.5 inches, and as high as the data ask (the axes are equal), plus
    # room for its two-line title and axis labels: no empty bands between rows.
    panel = min(2.3, (PAGE_WIDTH - 0.4) / ncols)
    span = 1.2 * (X.max(axis=0) - X.min(axis=0)) + 0.2  # the padded window of _draw_boundary
    height = min(max((panel - 0.4) * float(span[1] / span[0]), 1.0), 2.6) + 0.95
    fig, axes = new_figure(
        nrows,
        ncols,
        figsize=(panel * ncols + 0.4, height * nrows + 0.5),
        squeeze=False,
        layout="constrained",
    )
    for k, ax in enumerate(axes.flat):
        if k >= count:
            ax.set_visible(False)
    for k, (ax, (label, net)) in enumerate(zip(axes.flat, nets.items())):
        accuracy = _draw_boundary(ax, _predict_fn(net), X, y)
        ax.set_title(f"{label}\naccuracy {accuracy:.3f}", fontsize=10)
        if k % ncols:
            ax.set_ylabel("")
        if k < count - ncols:
            ax.set_xlabel("")
    fig.legend(handles=_class_handles(y), loc="outside lower center", ncols=len(np.unique(y)))
    if title:
        fig.suptitle(title)
    return fig
