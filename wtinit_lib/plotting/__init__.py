"""The book's figures: per-layer curves and histograms, loss curves, decision boundaries.

Every function builds a new figure in the book's style (:mod:`wtinit_lib.plotting._style`) and
returns the ``Figure``; in a Jupyter kernel, inline figures are drawn at twice the pixel density
(sharp on HiDPI screens). Nothing here calls ``plt.show()``: in a notebook the figure is shown when
the cell ends, and in a script you save or show it. Write ``fig = plotting.loss_curves(...)`` so
Jupyter does not show the returned figure a second time.

- :mod:`~wtinit_lib.plotting.curves`: :func:`per_layer_curves`, :func:`predicted_vs_measured`,
  :func:`loss_curves`, :func:`epoch_curves`, :func:`gradient_norm_curves`, :func:`stat_curves`,
  :func:`xy_curves`;
- :mod:`~wtinit_lib.plotting.histograms`: :func:`layer_histograms`, :func:`histogram_compare`;
- :mod:`~wtinit_lib.plotting.boundaries`: :func:`decision_boundary`, :func:`decision_boundaries`;
- :mod:`~wtinit_lib.plotting.propagation`: :func:`signal_propagation_figure`.
"""

from wtinit_lib.plotting._style import PALETTE, sharp_inline_figures, style
from wtinit_lib.plotting.boundaries import decision_boundaries, decision_boundary
from wtinit_lib.plotting.curves import (
    epoch_curves,
    gradient_norm_curves,
    loss_curves,
    per_layer_curves,
    predicted_vs_measured,
    stat_curves,
    xy_curves,
)
from wtinit_lib.plotting.histograms import histogram_compare, layer_histograms
from wtinit_lib.plotting.propagation import signal_propagation_figure

sharp_inline_figures()

__all__ = [
    "PALETTE",
    "decision_boundaries",
    "decision_boundary",
    "epoch_curves",
    "gradient_norm_curves",
    "histogram_compare",
    "layer_histograms",
    "loss_curves",
    "per_layer_curves",
    "predicted_vs_measured",
    "signal_propagation_figure",
    "stat_curves",
    "style",
    "xy_curves",
]
