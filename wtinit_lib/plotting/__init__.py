"""The book's figures: per-layer curves and histograms, loss curves, decision boundaries.

Every function builds a new figure in the book's style (:mod:`wtinit_lib.plotting._style`) and
returns the ``Figure``; in a Jupyter kernel, inline figures are drawn at twice the pixel density
(sharp on HiDPI screens). Nothing here calls ``plt.show()``: in a notebook the figure is shown when
the cell ends, and in a script you save or show it. Write ``fig = plotting.loss_curves(...)`` so
Jupyter does not show the returned figure a second time.

- :mod:`~wtinit_lib.plotting.curves`: :func:`per_layer_curves`, :func:`predicted_vs_measured`,
  :func:`stat_curves`, :func:`xy_curves`;
- :mod:`~wtinit_lib.plotting.training_curves`: :func:`loss_curves`, :func:`epoch_curves`,
  :func:`gradient_norm_curves`;
- :mod:`~wtinit_lib.plotting.histograms`: :func:`layer_histograms`, :func:`histogram_compare`,
  :func:`singular_value_histograms`;
- :mod:`~wtinit_lib.plotting.boundaries`: :func:`decision_boundary`, :func:`decision_boundaries`;
- :mod:`~wtinit_lib.plotting.propagation`: :func:`signal_propagation_figure` and
  :class:`SignalFigure`, the same figure redrawn in place (:mod:`~wtinit_lib.plotting._live`);
- :mod:`~wtinit_lib.plotting.side_by_side`: :func:`side_by_side_figure` and
  :class:`TrainFigure`: decision boundaries, loss curves and per-layer statistics of several
  initializers trained side by side;
- :mod:`~wtinit_lib.plotting.meanfield`: :func:`correlation_maps`, :func:`correlation_depth`,
  :func:`depth_scales`, :func:`phase_diagram`, :func:`trainability`;
- :mod:`~wtinit_lib.plotting.sweeps`: :func:`learning_times`, :func:`loss_vs_lr`,
  :func:`coordinate_check`;
- :func:`panels`: a figure of several axes for the functions that take ``ax=``.

The live figures (``SignalFigure``, ``TrainFigure``) are built once and redrawn by ``update``;
they are not managed by pyplot (end a cell with ``view.figure`` to show one).
"""

from wtinit_lib.plotting._style import PALETTE, panels, sharp_inline_figures, style
from wtinit_lib.plotting.boundaries import decision_boundaries, decision_boundary
from wtinit_lib.plotting.curves import (
    per_layer_curves,
    predicted_vs_measured,
    stat_curves,
    xy_curves,
)
from wtinit_lib.plotting.histograms import (
    histogram_compare,
    layer_histograms,
    singular_value_histograms,
)
from wtinit_lib.plotting.meanfield import (
    correlation_depth,
    correlation_maps,
    depth_scales,
    phase_diagram,
    trainability,
)
from wtinit_lib.plotting.propagation import SignalFigure, signal_propagation_figure
from wtinit_lib.plotting.side_by_side import TrainFigure, side_by_side_figure
from wtinit_lib.plotting.sweeps import coordinate_check, learning_times, loss_vs_lr
from wtinit_lib.plotting.training_curves import epoch_curves, gradient_norm_curves, loss_curves

sharp_inline_figures()

__all__ = [
    "PALETTE",
    "SignalFigure",
    "TrainFigure",
    "coordinate_check",
    "correlation_depth",
    "correlation_maps",
    "decision_boundaries",
    "decision_boundary",
    "depth_scales",
    "epoch_curves",
    "gradient_norm_curves",
    "histogram_compare",
    "layer_histograms",
    "learning_times",
    "loss_curves",
    "panels",
    "loss_vs_lr",
    "per_layer_curves",
    "phase_diagram",
    "predicted_vs_measured",
    "side_by_side_figure",
    "signal_propagation_figure",
    "singular_value_histograms",
    "stat_curves",
    "style",
    "trainability",
    "xy_curves",
]
