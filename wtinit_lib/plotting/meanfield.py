"""Mean-field figures: correlation maps, depth scales, the phase diagram, the trainability map.

Theory is drawn as lines and simulations as markers in the same colour, so a prediction and its
measurement are read off the same axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from wtinit_lib._checks import check_mapping, check_optional_str, check_positive
from wtinit_lib.plotting._style import MARKERS, colors, new_figure, place_legend, styled

__all__ = ["correlation_depth", "correlation_maps", "depth_scales", "phase_diagram", "trainability"]


def _same_labels(predicted: Mapping, measured: Mapping) -> None:
    check_mapping("predicted", predicted)
    check_mapping("measured", measured)
    if set(predicted) != set(measured):
        raise ValueError(
            "Arguments `predicted` and `measured` must have the same labels. Received: "
            f"{sorted(map(str, predicted))} and {sorted(map(str, measured))}"
        )


def _lines_and_markers(ax, x_line, predicted, x_points, measured) -> None:
    for k, (label, color) in enumerate(zip(predicted, colors(len(predicted)))):
        ax.plot(x_line, np.asarray(predicted[label], float), color=color, label=f"{label}: theory")
        ax.plot(
            x_points,
            np.asarray(measured[label], float),
            ls="none",
            marker=MARKERS[k % len(MARKERS)],
            color=color,
            mfc="none",
            mew=1.5,
            label=f"{label}: simulated",
        )


@styled
def correlation_maps(
    c_grid: Sequence[float],
    predicted: Mapping[str, Sequence[float]],
    c_in: Sequence[float],
    measured: Mapping[str, Sequence[float]],
    title: str | None = None,
) -> Figure:
    """The correlation map ``c_{ℓ-1} ↦ c_ℓ``: theory on ``c_grid`` (lines), one simulated layer
    at ``c_in`` (markers), the diagonal ``c_ℓ = c_{ℓ-1}`` dashed (fixed points sit on it)."""
    _same_labels(predicted, measured)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 4.0), layout="constrained")
    ax.plot([0, 1], [0, 1], color="0.5", ls="--", lw=1, label="$c_\\ell = c_{\\ell-1}$")
    _lines_and_markers(ax, c_grid, predicted, c_in, measured)
    ax.set_xlabel("input correlation $c_{\\ell-1}$")
    ax.set_ylabel("output correlation $c_\\ell$")
    place_legend(ax, "outside")
    if title:
        ax.set_title(title)
    return fig


@styled
def correlation_depth(
    predicted: Mapping[str, Sequence[float]],
    measured: Mapping[str, Sequence[float]],
    title: str | None = None,
) -> Figure:
    """``c_ℓ`` against the layer ``ℓ = 0, 1, ...``: the iterated map (lines) and a simulated
    network (markers)."""
    _same_labels(predicted, measured)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 3.8), layout="constrained")
    depth = len(next(iter(predicted.values())))
    layers = np.arange(depth)
    _lines_and_markers(ax, layers, predicted, layers, measured)
    ax.set_xlabel("layer ℓ")
    ax.set_ylabel("correlation $c_\\ell$")
    place_legend(ax, "outside")
    if title:
        ax.set_title(title)
    return fig


@styled
def depth_scales(
    sigma_w2s: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    critical: float,
    title: str | None = None,
) -> Figure:
    """Depth scales against ``σ_w²`` on a log axis, one line per label, and the critical
    ``σ_w²`` as a vertical line (where ``ξ_c`` diverges)."""
    check_mapping("curves", curves)
    critical = check_positive("critical", critical)
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 3.8), layout="constrained")
    x = np.asarray(sigma_w2s, dtype=np.float64)
    for k, (label, values) in enumerate(curves.items()):
        y = np.abs(np.asarray(values, dtype=np.float64))
        ax.plot(
            x,
            np.where(np.isfinite(y) & (y > 0), y, np.nan),
            ls=("-", "--", ":")[k % 3],
            label=label,
        )
    ax.axvline(
        critical, color="0.3", lw=1.2, ls="-.", label=f"critical $\\sigma_w^2$ = {critical:.2f}"
    )
    ax.set_yscale("log")
    ax.set_xlabel("$\\sigma_w^2$")
    ax.set_ylabel("depth scale (layers)")
    place_legend(ax, "best")
    if title:
        ax.set_title(title)
    return fig


@styled
def phase_diagram(
    values: np.ndarray,
    sigma_w2s: Sequence[float],
    sigma_b2s: Sequence[float],
    critical: tuple[Sequence[float], Sequence[float]],
    label: str = "correlation after L layers",
    title: str | None = None,
) -> Figure:
    """A heat map of ``values[i, j]`` at ``(σ_w² = sigma_w2s[j], σ_b² = sigma_b2s[i])`` with the
    critical line ``critical = (σ_w² values, σ_b² values)`` drawn on top."""
    values = np.asarray(values, dtype=np.float64)
    sw, sb = np.asarray(sigma_w2s, float), np.asarray(sigma_b2s, float)
    if values.shape != (sb.size, sw.size):
        raise ValueError(
            "Argument `values` must have shape (len(sigma_b2s), len(sigma_w2s)) = "
            f"{(sb.size, sw.size)}. Received: values.shape={values.shape}"
        )
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 3.8), layout="constrained")
    mesh = ax.pcolormesh(
        sw, np.arange(sb.size), values, shading="nearest", cmap="viridis", vmin=0, vmax=1
    )
    line_sw, line_sb = (np.asarray(v, float) for v in critical)
    ax.plot(
        line_sw,
        np.interp(line_sb, sb, np.arange(sb.size)),
        color="white",
        lw=2.5,
        label="critical line $\\chi_1 = 1$",
    )
    ax.set_yticks(np.arange(sb.size), [f"{v:g}" for v in sb])
    ax.set_xlabel("$\\sigma_w^2$")
    ax.set_ylabel("$\\sigma_b^2$")
    ax.grid(False)
    fig.colorbar(mesh, ax=ax, label=label)
    ax.legend(loc="lower right", labelcolor="white")
    if title:
        ax.set_title(title)
    return fig


@styled
def trainability(
    accuracy: np.ndarray,
    depths: Sequence[int],
    sigma_w2s: Sequence[float],
    bound: tuple[Sequence[float], Sequence[float]],
    title: str | None = None,
) -> Figure:
    """Accuracy after training as coloured squares at ``(σ_w², L)`` (log depth axis), with a
    depth bound ``bound = (σ_w² values, depths)`` (e.g. ``6 ξ_c``) as a line."""
    accuracy = np.asarray(accuracy, dtype=np.float64)
    L, sw = np.asarray(depths, float), np.asarray(sigma_w2s, float)
    if accuracy.shape != (L.size, sw.size):
        raise ValueError(
            "Argument `accuracy` must have shape (len(depths), len(sigma_w2s)) = "
            f"{(L.size, sw.size)}. Received: accuracy.shape={accuracy.shape}"
        )
    check_optional_str("title", title)
    fig, ax = new_figure(figsize=(6.4, 4.0), layout="constrained")
    grid_sw, grid_L = np.meshgrid(sw, L)
    dots = ax.scatter(
        grid_sw.ravel(),
        grid_L.ravel(),
        c=accuracy.ravel(),
        cmap="viridis",
        vmin=0,
        vmax=1,
        marker="s",
        s=260,
        edgecolors="0.3",
    )
    bound_sw, bound_L = (np.asarray(v, float) for v in bound)
    ax.plot(bound_sw, bound_L, color="0.15", lw=1.8, label="$6\\,\\xi_c$")
    ax.set_yscale("log")
    ax.set_ylim(L.min() / 1.6, L.max() * 2.5)
    ax.set_yticks(L, [f"{int(v)}" for v in L])
    ax.minorticks_off()
    ax.set_xlabel("$\\sigma_w^2$")
    ax.set_ylabel("depth L")
    fig.colorbar(dots, ax=ax, label="training accuracy")
    ax.legend(loc="upper right")
    if title:
        ax.set_title(title)
    return fig
