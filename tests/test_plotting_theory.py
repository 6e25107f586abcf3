"""wtinit_lib.plotting.meanfield and plotting.sweeps (and histograms.singular_value_histograms):
each figure returns a white Figure and draws what it is given (lines, markers, scales, labels);
mismatched inputs are refused with a clear error."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from wtinit_lib import plotting

pytestmark = pytest.mark.usefixtures("no_show")


def _check(fig):
    assert isinstance(fig, Figure)
    assert to_rgba(fig.get_facecolor()) == to_rgba("white")
    fig.canvas.draw()


def _labels(ax):
    return [line.get_label() for line in ax.get_lines()]


def test_correlation_maps_draw_theory_lines_simulated_markers_and_the_diagonal():
    grid = np.linspace(0, 1, 11)
    c_in = np.array([0.0, 0.5])
    fig = plotting.correlation_maps(grid, {"a": grid, "b": grid**2}, c_in, {"a": c_in, "b": c_in})
    _check(fig)
    ax = fig.axes[0]
    assert _labels(ax)[1:] == ["a: theory", "a: simulated", "b: theory", "b: simulated"]
    assert ax.get_lines()[2].get_linestyle() == "None"  # markers only
    with pytest.raises(ValueError, match="same labels"):
        plotting.correlation_maps(grid, {"a": grid}, c_in, {"b": c_in})


def test_correlation_depth_draws_layers_from_0():
    fig = plotting.correlation_depth({"x": [0.2, 0.5, 0.9]}, {"x": [0.2, 0.4, 0.95]})
    _check(fig)
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_xdata(), [0, 1, 2])


def test_depth_scales_is_log_scaled_with_the_critical_line():
    fig = plotting.depth_scales([1.0, 2.0, 3.0], {"ξ": [3.0, np.inf, -5.0]}, critical=1.76)
    _check(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert any("1.76" in label for label in _labels(ax))
    y = ax.get_lines()[0].get_ydata()
    assert y[0] == 3.0 and np.isnan(y[1]) and y[2] == 5.0  # |ξ|, infinite left out


def test_phase_diagram_and_trainability_check_their_shapes():
    values = np.random.default_rng(0).random((2, 3))
    fig = plotting.phase_diagram(values, [1, 2, 3], [0.0, 0.1], ([1.0, 2.0], [0.0, 0.1]))
    _check(fig)
    assert len(fig.axes) == 2  # the map and its colour bar
    with pytest.raises(ValueError, match=r"shape \(len\(sigma_b2s\), len\(sigma_w2s\)\)"):
        plotting.phase_diagram(values.T, [1, 2, 3], [0.0, 0.1], ([1.0], [0.0]))
    fig = plotting.trainability(values, [5, 10], [1, 2, 3], ([1, 3], [7, 30]))
    _check(fig)
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="accuracy"):
        plotting.trainability(values.T, [5, 10], [1, 2, 3], ([1, 3], [7, 30]))


def test_learning_times_marks_runs_that_did_not_finish_at_the_cap():
    fig = plotting.learning_times([2, 4, 8], {"a": [10, 20, None]}, cap=600)
    _check(fig)
    ax = fig.axes[0]
    assert "a: not within 600 steps" in _labels(ax)
    capped = [line for line in ax.get_lines() if line.get_label().startswith("a: not")][0]
    np.testing.assert_array_equal(capped.get_xdata(), [8])
    assert capped.get_ydata()[0] == 600


def test_loss_vs_lr_stars_each_minimum_and_checks_shapes():
    losses = np.array([[0.5, 0.1, np.inf], [0.3, 0.4, 0.2]])
    fig = plotting.loss_vs_lr({"SP": losses, "μP": losses}, [0, 1, 2], [32, 128])
    _check(fig)
    ax = fig.axes[0]
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert [float(s.get_xdata()[0]) for s in stars] == [1.0, 2.0]
    assert ax.get_yscale() == "log" and [a.get_title() for a in fig.axes] == ["SP", "μP"]
    with pytest.raises(ValueError, match="panels"):
        plotting.loss_vs_lr({"SP": losses.T}, [0, 1, 2], [32, 128])


def test_coordinate_check_is_log_log():
    fig = plotting.coordinate_check([64, 128], {"SP": [0.1, 0.2], "μP": [0.1, 0.1]})
    _check(fig)
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log" and _labels(ax) == ["SP", "μP"]


def test_singular_value_histograms_one_panel_per_spectrum_and_the_floor():
    s = np.array([1e-9, 0.5, 1.0, 1.5])
    fig = plotting.singular_value_histograms({"a": s, "b": s, "c": s}, floor=1e-4)
    _check(fig)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3 and len(fig.axes) == 4
    assert "a" in visible[0].get_title() and visible[0].get_xscale() == "log"
    assert any("25% below 0.0001" in t.get_text() for t in visible[0].texts)
