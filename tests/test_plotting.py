"""wtinit_lib.plotting, the whole package: every figure function returns a white Figure in the
book's style and never shows it; what is drawn (lines, markers, titles, axes) is checked.

- curves: ``per_layer_curves``, ``predicted_vs_measured``, ``epoch_curves``, ``loss_curves``,
  ``gradient_norm_curves``, ``stat_curves``;
- histograms: ``layer_histograms``, ``histogram_compare``;
- boundaries: ``decision_boundary``, ``decision_boundaries``;
- propagation: ``signal_propagation_figure``, ``SignalFigure``; side_by_side:
  ``side_by_side_figure``, ``TrainFigure``, ``run_status``; _live: the helpers of the live figures;
- _style: ``style``, ``PALETTE`` and the helpers the figure modules share.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from wtinit_lib import MLP, History, comparisons, datasets, experiments, initializers, plotting
from wtinit_lib.plotting import _style

WHITE = to_rgba("white")

pytestmark = pytest.mark.usefixtures("no_show")


@pytest.fixture(scope="module")
def circles_net():
    X, y = datasets.circles(n=120, seed=0)
    net = MLP([2, 8, 1], "relu", seed=0)
    net.fit(X, y, epochs=300, lr=0.5)
    return net, X, y


def _check_figure(fig):
    assert isinstance(fig, Figure)
    assert to_rgba(fig.get_facecolor()) == WHITE
    fig.canvas.draw()  # renders without error


def test_layer_histograms_one_panel_per_layer():
    rng = np.random.default_rng(0)
    values = [rng.standard_normal((50, 10)) * s for s in (1.0, 0.5, 0.25)]
    fig = plotting.layer_histograms(values, title="activations", bins=20)
    _check_figure(fig)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert "layer ℓ = 1" in visible[0].get_title()
    assert "std" in visible[0].get_title() and "mean" in visible[0].get_title()
    assert fig._suptitle.get_text() == "activations"


def test_layer_histograms_wraps_into_a_grid_and_uses_labels_and_range():
    values = [np.linspace(-1, 1, 100)] * 7
    labels = [f"L{i}" for i in range(7)]
    fig = plotting.layer_histograms(values, labels=labels, range=(-1, 1))
    assert isinstance(fig, Figure) and to_rgba(fig.get_facecolor()) == WHITE
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 7 and len(fig.axes) == 10  # a 2 x 5 grid
    assert visible[6].get_title().startswith("L6")


def test_layer_histograms_takes_the_number_of_columns():
    values = [np.linspace(-1, 1, 100)] * 6
    fig = plotting.layer_histograms(values, ncols=2)
    assert len(fig.axes) == 6
    rows = sorted({round(ax.get_position().y0, 3) for ax in fig.axes})
    assert len(rows) == 3  # 3 rows of 2
    assert fig.get_size_inches()[0] < 6.5  # fits the page's width
    with pytest.raises(ValueError, match="`ncols`"):
        plotting.layer_histograms(values, ncols=0)


def test_layer_histograms_ignores_non_finite_values():
    fig = plotting.layer_histograms([np.array([1.0, np.inf, np.nan, 2.0])])
    assert "mean 1.5" in fig.axes[0].get_title()


def test_per_layer_curves_is_log_scaled_with_layer_axis():
    fig = plotting.per_layer_curves({"He": [1, 1, 1], "small": [1, 0.1, 0.01]}, "activation std")
    _check_figure(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "layer ℓ"
    assert ax.get_ylabel() == "activation std"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["He", "small"]
    linear = plotting.per_layer_curves({"a": [1, 2]}, "std", logy=False, title="t")
    assert linear.axes[0].get_yscale() == "linear" and linear.axes[0].get_title() == "t"


def test_per_layer_curves_needs_a_ylabel_and_takes_an_xlabel():
    with pytest.raises(TypeError, match="ylabel"):
        plotting.per_layer_curves({"a": [1, 2]})
    fig = plotting.per_layer_curves({"a": [1, 2, 4]}, "gain", xlabel="number of matrices")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "number of matrices" and ax.get_ylabel() == "gain"


def test_per_layer_curves_leaves_out_non_positive_values_on_a_log_axis():
    fig = plotting.per_layer_curves({"a": [1.0, 0.0, -1.0, 2.0]}, "std")
    y = fig.axes[0].lines[0].get_ydata()
    assert np.isnan(y[1]) and np.isnan(y[2]) and y[3] == 2.0


def test_loss_curves_marks_a_diverged_history():
    ok = History(loss=[0.7, 0.5, 0.4])
    bad = History(loss=[0.7, 3.0, float("inf")], diverged=True, diverged_at=3)
    fig = plotting.loss_curves({"ok": ok, "bad": bad, "list": [1.0, 0.9]}, title="loss")
    _check_figure(fig)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["diverged at epoch 3"]
    markers = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(markers) == 1
    np.testing.assert_array_equal(markers[0].get_xdata(), [2])
    np.testing.assert_array_equal(markers[0].get_ydata(), [3.0])
    assert ax.get_xlabel() == "epoch" and ax.get_title() == "loss"


def test_loss_curves_finds_divergence_in_a_plain_sequence_and_at_epoch_one():
    fig = plotting.loss_curves({"a": [0.5, np.nan], "b": [np.inf]}, logy=True)
    _check_figure(fig)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["diverged at epoch 1", "diverged at epoch 2"]
    assert fig.axes[0].get_yscale() == "log"


def test_loss_curves_draws_validation_loss():
    history = History(loss=[1.0, 0.5], val_loss=[1.1, 0.6])
    fig = plotting.loss_curves({"run": history})
    assert [line.get_linestyle() for line in fig.axes[0].lines] == ["-", "--"]


def test_decision_boundary_from_net_and_from_function(circles_net):
    net, X, y = circles_net
    fig = plotting.decision_boundary(net, X, y, title="He")
    _check_figure(fig)
    title = fig.axes[0].get_title()
    assert title.startswith("He: accuracy ")
    assert float(title.split()[-1]) == pytest.approx(net.accuracy(X, y), abs=1e-3)

    fig2 = plotting.decision_boundary(lambda Z: np.full(len(Z), 0.2), X, y)  # probabilities
    assert fig2.axes[0].get_title() == "accuracy 0.500"


def test_decision_boundary_draws_into_given_axes(circles_net):
    net, X, y = circles_net
    fig, (left, right) = plt.subplots(1, 2)
    returned = plotting.decision_boundary(net, X, y, ax=right)
    assert returned is fig and right.get_title().startswith("accuracy")


def test_decision_boundaries_one_panel_per_net(circles_net):
    net, X, y = circles_net
    zeros = MLP([2, 8, 1], "relu", weight_init="zeros")
    fig = plotting.decision_boundaries({"He": net, "zeros": zeros}, X, y, title="circles")
    _check_figure(fig)
    assert len(fig.axes) == 2
    assert fig.axes[1].get_title() == "zeros\naccuracy 0.500"


def test_decision_boundaries_panels_follow_the_shape_of_the_data(circles_net):
    net, X, y = circles_net
    wide = X * np.array([1.0, 0.4])  # half as high as wide
    four = {str(k): net for k in range(4)}
    square = plotting.decision_boundaries(four, X, y, ncols=2).get_size_inches()
    flat = plotting.decision_boundaries(four, wide, y, ncols=2).get_size_inches()
    assert square[0] == flat[0] <= 6.5
    assert flat[1] < 0.8 * square[1]  # no empty band between the rows
    for ncols in (3, 4, 6):  # narrower panels rather than a figure wider than the page
        many = {str(k): net for k in range(ncols)}
        size = plotting.decision_boundaries(many, X, y, ncols=ncols).get_size_inches()
        assert size[0] == pytest.approx(6.5)


def test_decision_boundary_multiclass():
    X, y = datasets.spirals(n_per_class=20, classes=3)
    net = MLP([2, 6, 3], "tanh", output_activation="softmax", seed=0)
    fig = plotting.decision_boundary(net, X, datasets.one_hot(y))  # one-hot labels accepted
    _check_figure(fig)


def test_histogram_compare():
    rng = np.random.default_rng(0)
    fig = plotting.histogram_compare(
        {"a": rng.standard_normal(100), "b": 2 * rng.standard_normal(100)}, xlabel="z"
    )
    _check_figure(fig)
    assert fig.axes[0].get_xlabel() == "z"
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    # Step outlines, not filled bars: each histogram is one unfilled polygon.
    patches = fig.axes[0].patches
    assert len(patches) == 2 and not any(p.get_fill() for p in patches)


def test_histogram_compare_draws_densities_in_the_colour_of_their_sample_and_places_the_legend():
    rng = np.random.default_rng(0)
    samples = {"a": rng.standard_normal(500), "b": 2 * rng.standard_normal(500)}
    pdf = lambda x: np.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    fig = plotting.histogram_compare(samples, range=(-4, 4), densities={"a": pdf}, legend="outside")
    ax = fig.axes[0]
    (line,) = ax.lines
    x, y = line.get_data()
    assert x[0] == -4 and x[-1] == 4
    np.testing.assert_allclose(y, pdf(x))
    assert to_rgba(line.get_color()) == to_rgba(ax.patches[0].get_edgecolor())
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()][-1] == "exact density (dashed)"
    assert "a, std" in legend.get_texts()[0].get_text()
    fig.canvas.draw()
    # "outside": the legend starts right of the axes, off the data
    assert legend.get_window_extent().x0 > ax.get_window_extent().x1
    with pytest.raises(ValueError, match="`densities`"):
        plotting.histogram_compare(samples, densities={"c": pdf})
    with pytest.raises(ValueError, match="density=False"):
        plotting.histogram_compare(samples, densities={"a": pdf}, density=False)


def test_style_context_applies_the_book_style_inside_the_block_only():
    before = plt.rcParams["axes.grid"]
    with plotting.style():
        assert plt.rcParams["axes.grid"] is True
        assert plt.rcParams["figure.facecolor"] == "white"
    assert plt.rcParams["axes.grid"] == before
    assert not hasattr(plotting, "apply_style")  # removed: no global style change any more


def test_figures_use_the_style_without_changing_the_session():
    before = dict(plt.rcParams)
    fig = plotting.per_layer_curves({"a": [1, 2]}, "std")
    fig.canvas.draw()
    assert any(line.get_visible() for line in fig.axes[0].xaxis.get_gridlines())  # grid on
    assert fig.axes[0].lines[0].get_color() == plotting.PALETTE[0]
    assert dict(plt.rcParams) == before


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: plotting.layer_histograms([]), TypeError, r"`values_per_layer`.*non-empty"),
        (
            lambda: plotting.layer_histograms([np.zeros(3)], labels=["a", "b"]),
            ValueError,
            r"`labels`.*one entry per layer \(1\).*2 labels",
        ),
        (lambda: plotting.layer_histograms([np.zeros(3)], bins=0), ValueError, r"`bins`.*bins=0"),
        (
            lambda: plotting.layer_histograms([np.zeros(3)], range=(1, 0)),
            ValueError,
            r"`range`.*low < high.*range=\(1, 0\)",
        ),
        (lambda: plotting.layer_histograms([np.zeros(3)], title=3), TypeError, r"`title`.*3"),
        (lambda: plotting.per_layer_curves([1, 2], "std"), TypeError, r"`curves`.*dict"),
        (lambda: plotting.per_layer_curves({}, "std"), TypeError, r"`curves`.*non-empty"),
        (lambda: plotting.epoch_curves({}, "accuracy"), TypeError, r"`histories`.*non-empty"),
        (
            lambda: plotting.epoch_curves({"a": object()}, "accuracy"),
            TypeError,
            r"`histories\['a'\]` must be a History or a sequence of values",
        ),
        (lambda: plotting.loss_curves({"a": object()}), TypeError, r"`histories\['a'\]`"),
        (lambda: plotting.histogram_compare({}), TypeError, r"`values`.*non-empty"),
        (
            lambda: plotting.decision_boundary(3, np.zeros((2, 2)), [0, 1]),
            TypeError,
            r"`net_or_predict`.*int",
        ),
        (
            lambda: plotting.decision_boundary(len, np.zeros((2, 3)), [0, 1]),
            ValueError,
            r"`X`.*\(n, 2\).*\(2, 3\)",
        ),
        (
            lambda: plotting.decision_boundary(len, np.zeros((2, 2)), [0, 1, 1]),
            ValueError,
            r"`y`.*one label per row of X \(2\).*\(3,\)",
        ),
        (
            lambda: plotting.decision_boundaries({}, np.zeros((2, 2)), [0, 1]),
            TypeError,
            r"`nets`.*non-empty",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- epoch_curves -----------------------------------------------------------------------------


def test_epoch_curves_draws_any_per_epoch_values_one_line_per_label():
    fig = plotting.epoch_curves(
        {"He": [0.5, 0.7, 0.9], "zeros": [0.5, 0.5, 0.5]}, "training accuracy", title="acc"
    )
    _check_figure(fig)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "training accuracy" and ax.get_xlabel() == "epoch"
    assert ax.get_yscale() == "linear" and ax.get_title() == "acc"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.5, 0.7, 0.9])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["He", "zeros"]


def test_epoch_curves_reads_a_field_of_a_history():
    history = History(loss=[1.0, 0.5], val_loss=[1.2, 0.8], grad_norm=[3.0, 2.0])
    fig = plotting.epoch_curves({"run": history}, "validation loss", field="val_loss", logy=True)
    ax = fig.axes[0]
    assert len(ax.lines) == 1  # the dashed validation line belongs to field="loss" only
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.2, 0.8])
    assert ax.get_yscale() == "log"


def test_epoch_curves_marks_a_run_that_became_nan():
    fig = plotting.epoch_curves({"a": [0.9, 0.8, math.nan, math.nan]}, "accuracy")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["diverged at epoch 3"]
    (mark,) = [line for line in ax.lines if line.get_marker() == "x"]
    np.testing.assert_array_equal(mark.get_xdata(), [2])


def test_epoch_curves_draws_several_runs_as_median_and_range():
    runs = np.array([[1.0, 0.5, 0.2], [2.0, 0.4, 0.1], [4.0, 0.9, 0.3]])  # 3 seeds, 3 epochs
    fig = plotting.loss_curves({"He": runs, "one run": [1.0, 0.8, 0.6]}, logy=True)
    ax = fig.axes[0]
    assert len(ax.lines) == 2  # a median line, then the single run
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [2.0, 0.5, 0.2])
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    for epoch, low, high in ((1, 1.0, 4.0), (2, 0.4, 0.9), (3, 0.1, 0.3)):
        at = vertices[np.isclose(vertices[:, 0], epoch), 1]
        assert np.isclose(at.min(), low) and np.isclose(at.max(), high)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["He", "one run"]


def test_loss_curves_is_epoch_curves_of_the_loss():
    history = History(loss=[1.0, 0.5], val_loss=[1.1, 0.6])
    a = plotting.loss_curves({"run": history}).axes[0]
    b = plotting.epoch_curves({"run": history}, "loss").axes[0]
    assert a.get_ylabel() == b.get_ylabel() == "loss"
    for la, lb in zip(a.lines, b.lines):
        np.testing.assert_array_equal(la.get_ydata(), lb.get_ydata())


# --- theory against measurement (chapter 4) -------------------------------------------------------


def test_predicted_vs_measured_draws_line_and_markers_per_label():
    fig = plotting.predicted_vs_measured(
        {"He": [1, 1, 1], "LeCun": [1, 0.7, 0.5]}, {"He": [1, 1.1, 0.9], "LeCun": [1, 0.7, 0.5]}
    )
    _check_figure(fig)
    ax = fig.axes[0]
    assert len(ax.lines) == 4
    assert ax.get_yscale() == "log"
    assert [line.get_linestyle() for line in ax.lines] == ["-", "None", "-", "None"]


def test_predicted_vs_measured_rejects_mismatched_labels():
    with pytest.raises(ValueError):
        plotting.predicted_vs_measured({"a": [1]}, {"b": [1]})
    with pytest.raises(TypeError):
        plotting.predicted_vs_measured({}, {})


# --- statistics over training (chapter 6) ---------------------------------------------------------


def test_stat_curves_returns_figure_and_checks_shapes():
    epochs = np.arange(1, 6)
    values = np.linspace(0, 1, 10).reshape(5, 2)
    fig = plotting.stat_curves(epochs, values, band=0.1 * np.ones((5, 2)), ylabel="mean")
    _check_figure(fig)
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="values"):
        plotting.stat_curves(epochs, values[:3])
    with pytest.raises(ValueError, match="band"):
        plotting.stat_curves(epochs, values, band=np.ones((5, 3)))
    with pytest.raises(ValueError, match="labels"):
        plotting.stat_curves(epochs, values, labels=["a"])


# --- gradient norms (chapter 7) ---------------------------------------------------------------


def test_gradient_norm_curves_accepts_histories_and_sequences():
    run = History(loss=[1.0, 2.0, float("nan")], grad_norm=[1.0, 1e3, float("nan")])
    fig = plotting.gradient_norm_curves({"diverged": run, "list": [0.5, 0.4, 0.3]}, clip=1.0)
    _check_figure(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.get_legend().get_texts()) == 3  # two runs and the threshold
    (mark,) = [line for line in ax.lines if line.get_marker() == "x"]
    np.testing.assert_array_equal(mark.get_xdata(), [2])  # the last finite norm
    assert len(ax.texts) == 0  # marked, without a note
    with pytest.raises(ValueError, match="clip"):
        plotting.gradient_norm_curves({"a": [1.0]}, clip=-1)
    with pytest.raises(TypeError, match="histories"):
        plotting.gradient_norm_curves({})


def test_ymax_ends_the_axis_and_marks_a_run_that_leaves_it():
    exploding = History(
        loss=[1.0, 2.0, 4e30, float("nan")],
        grad_norm=[10.0, 30.0, 2e31, float("nan")],
        diverged=True,
        diverged_at=4,
    )
    calm = History(loss=[1.0, 0.5, 0.2, 0.1], grad_norm=[1.0, 1e-3, 1e-5, 1e-6])
    runs = {"exploding": exploding, "calm": calm}
    fig = plotting.gradient_norm_curves(runs, clip=1.0, ymax=1e5)
    _check_figure(fig)
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    assert high == 1e5 and 1e-7 < low < 1e-6  # fitted to what is drawn below ymax
    (up,) = [line for line in ax.lines if line.get_marker() == "^"]
    np.testing.assert_array_equal(up.get_xdata(), [3])  # the first step above ymax
    assert [t.get_text() for t in ax.texts] == ["up to 2e+31, then NaN"]
    assert not [line for line in ax.lines if line.get_marker() == "x"]  # off the axis
    fig = plotting.loss_curves(runs, logy=True, ymax=100.0)
    assert fig.axes[0].get_ylim()[1] == 100.0
    assert [t.get_text() for t in fig.axes[0].texts] == ["up to 4e+30, then NaN"]
    with pytest.raises(ValueError, match="`ymax`"):
        plotting.loss_curves(runs, logy=True, ymax=-1.0)


def test_reference_lines_and_labels_of_the_x_axis():
    fig = plotting.loss_curves(
        {"run": [1.0, 0.5, 0.3]},
        reference={"optimum": 0.25, "chance": 0.7},
        xlabel="step",
        legend="below",
    )
    ax = fig.axes[0]
    dashed = [line for line in ax.lines if line.get_linestyle() != "-"]
    assert [line.get_ydata()[0] for line in dashed] == [0.25, 0.7]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["run", "optimum", "chance"]
    assert ax.get_xlabel() == "step"
    with pytest.raises(TypeError, match="reference"):
        plotting.loss_curves({"run": [1.0]}, reference={"optimum": "low"})


def test_a_history_that_did_not_diverge_may_leave_values_out():
    masked = History(loss=[1.0, float("nan"), 0.5, 0.4])  # a step left out on purpose
    fig = plotting.loss_curves({"masked": masked})
    ax = fig.axes[0]
    assert not ax.texts and not [line for line in ax.lines if line.get_marker() == "x"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 3, 4])


def test_panels_and_ax_draw_several_figures_into_one():
    fig, (left, right) = plotting.panels(ncols=2)
    _check_figure(fig)
    assert fig.get_size_inches()[0] <= 6.5
    out = plotting.loss_curves({"a": [1.0, 0.5]}, ax=left, title="loss")
    assert out is fig and left.get_title() == "loss"
    plotting.gradient_norm_curves({"a": [1.0, 0.5]}, ax=right)
    plotting.epoch_curves({"a": [0.1, 0.9]}, "accuracy", ax=right)
    assert len(fig.axes) == 2 and len(right.lines) == 2 and right.get_ylabel() == "accuracy"
    assert any(line.get_visible() for line in right.xaxis.get_gridlines())


# --- the live figures: signal propagation and training side by side ----------------------------


def _texts(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in (ax.title, *ax.texts)) + " ".join(
        t.get_text() for t in fig.texts
    )


def test_signal_propagation_figure_draws_four_layers_and_the_stds():
    result = experiments.signal_propagation(depth=8, width=20, activation="relu", seed=1)
    fig = plotting.signal_propagation_figure(result)
    _check_figure(fig)
    assert fig in map(plt.figure, plt.get_fignums())  # a pyplot figure: shown at the cell's end
    hist_act, hist_grad, std_ax = fig.axes
    assert std_ax.get_yscale() == "log" and std_ax.get_xlabel() == "layer ℓ"
    assert "relu, glorot_normal × 1, depth 8, width 20, seed 1" in _texts(fig)
    assert "layers ℓ = 1, 3, 6, 8" in _texts(fig)
    act_line, grad_line = std_ax.lines
    np.testing.assert_array_equal(act_line.get_xdata(), np.arange(1, 9))
    np.testing.assert_allclose(act_line.get_ydata(), result.act_stds)
    np.testing.assert_allclose(grad_line.get_ydata(), result.grad_stds)
    # ReLU: half the activations are exact zeros, left out of the outlines and counted
    zeros = np.mean([np.mean(result.activations[i] == 0) for i in (0, 2, 5, 7)])
    assert f"exact zeros, {zeros:.0%}, left out" in hist_act.get_title()
    step = [p for p in hist_act.patches if p.get_visible()][0]  # layer 1's outline
    values, edges, _ = step.get_data()  # (values, edges, baseline)
    nonzero = result.activations[0][result.activations[0] != 0]
    assert values.sum() == pytest.approx(np.mean((nonzero >= edges[0]) & (nonzero <= edges[-1])))
    assert hist_grad.get_xlim()[0] == pytest.approx(-hist_grad.get_xlim()[1])  # signed: symmetric


def test_signal_figure_is_redrawn_in_place_and_explains_zero_weights():
    view = plotting.SignalFigure()
    assert not plt.get_fignums()  # not managed by pyplot
    fig = view.update(experiments.signal_propagation(depth=3, width=10))
    assert fig is view.figure and len(fig.axes) == 3
    lines = list(fig.axes[2].lines)
    view.update(experiments.signal_propagation(depth=12, width=10, activation="tanh"))
    assert list(fig.axes[2].lines) == lines and len(lines[0].get_xdata()) == 12
    zeros = experiments.signal_propagation(depth=4, width=10, weight_init="zeros")
    view.update(zeros)
    assert not any(ax.get_visible() for ax in fig.axes)
    assert "exactly 0" in view.message.get_text() and view.message.get_visible()
    view.update(experiments.signal_propagation(depth=4, width=10))  # back to normal
    assert all(ax.get_visible() for ax in fig.axes) and not view.message.get_visible()
    png = view.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = np.frombuffer(png[16:24], dtype=">u4")
    assert (width, height) == (1300, 960)  # 6.5 x 4.8 inches at twice 100 dpi
    assert view.figure.dpi == 100  # restored after drawing
    with pytest.raises(TypeError, match="SignalPropagation"):
        view.update([1, 2])
    with pytest.raises(ValueError, match="layers_shown"):
        plotting.SignalFigure(layers_shown=1)


@pytest.fixture(scope="module")
def side_by_side():
    X, y = datasets.moons(n=60, seed=0)
    inits = {"zeros": "zeros", "He normal": "he_normal", "Glorot": "glorot_normal"}
    return comparisons.train_side_by_side(X, y, inits, depth=3, width=8, epochs=20, seed=0)


def test_side_by_side_figure_draws_each_run_in_its_colour(side_by_side):
    fig = plotting.side_by_side_figure(side_by_side)
    _check_figure(fig)
    boundary_axes, (loss_ax, act_ax, grad_ax) = fig.axes[:3], fig.axes[3:]
    runs = list(side_by_side.runs.values())
    for k, (ax, (label, run)) in enumerate(zip(boundary_axes, side_by_side.runs.items())):
        color = plotting.side_by_side.RUN_COLORS[k]
        assert ax.get_title().splitlines() == [label, plotting.side_by_side.run_status(run)]
        assert to_rgba(ax.title.get_color()) == to_rgba(color)
        np.testing.assert_array_equal(ax.images[0].get_array(), run.probabilities)
        assert ax.images[0].get_extent() == list(side_by_side.extent)
        class_points = sum(len(line.get_xdata()) for line in ax.lines)
        assert class_points == len(side_by_side.X)
        assert to_rgba(loss_ax.lines[2 * k].get_color()) == to_rgba(color)  # loss, then mark
    assert boundary_axes[0].get_title().endswith("units identical (ch. 2)")
    np.testing.assert_allclose(loss_ax.lines[2].get_ydata(), runs[1].loss)
    np.testing.assert_allclose(act_ax.lines[1].get_ydata(), runs[1].act_stds)
    assert np.all(np.isnan(act_ax.lines[0].get_ydata()))  # zeros: std 0, not on a log axis
    assert "(std 0: zeros)" in act_ax.get_title() and "(std 0: zeros)" in grad_ax.get_title()
    assert loss_ax.get_yscale() == act_ax.get_yscale() == grad_ax.get_yscale() == "log"
    low, high = loss_ax.get_ylim()
    assert low < min(r.loss.min() for r in runs) and high > 1.0  # 1 always labelled
    assert loss_ax.lines[-1].get_ydata()[0] == pytest.approx(math.log(2))  # the dotted line


def test_train_figure_hides_empty_columns_marks_divergence_and_checks(side_by_side):
    view = plotting.TrainFigure(columns=4)
    assert not plt.get_fignums()
    view.update(side_by_side)
    assert [ax.get_visible() for ax in view.boundary_axes] == [True, True, True, False]
    X, y = datasets.moons(n=40, seed=0)
    huge = {"huge": initializers.random_normal(std=30.0)}
    diverged = comparisons.train_side_by_side(X, y, huge, depth=4, width=16, epochs=50, lr=5.0)
    view.update(diverged)
    run = diverged.runs["huge"]
    assert view.boundary_axes[0].get_title().endswith(f"diverged at epoch {run.diverged_at}")
    finite = np.flatnonzero(np.isfinite(run.loss))
    np.testing.assert_array_equal(view.marks[0].get_xdata(), finite[-1:])
    assert len(view.marks[1].get_xdata()) == 0 and not view.boundary_axes[1].get_visible()
    assert view.png()[:4] == b"\x89PNG"
    with pytest.raises(TypeError, match="SideBySide"):
        view.update(run)
    five = {f"r{k}": "he_normal" for k in range(5)}
    with pytest.raises(ValueError, match="1 to 4 runs"):
        view.update(comparisons.train_side_by_side(X, y, five, depth=1, width=2, epochs=1))


def test_run_status_names_what_happened():
    from types import SimpleNamespace as Run

    status = plotting.side_by_side.run_status
    base = {"identical_units": False, "diverged_at": None, "dead_fraction": 0.2, "accuracy": 0.9}
    assert status(Run(**base, loss=np.array([0.7, 0.0771]))) == "ℒ 0.077, acc 0.90"
    assert status(Run(**base, loss=np.array([0.7, math.log(2) + 5e-4]))) == "stuck at ln 2"
    dead = base | {"dead_fraction": 0.8}
    assert status(Run(**dead, loss=np.array([9.0, math.log(2)]))) == "stuck at ln 2, 80% dead"
    assert status(Run(**base | {"diverged_at": 3}, loss=np.array([1, 2, np.inf]))).startswith(
        "diverged at epoch 3"
    )
    assert status(Run(**base | {"identical_units": True}, loss=np.ones(2))).startswith("units")


def test_live_helpers_short_labels_and_log_limits():
    from wtinit_lib.plotting import _live

    labels = [_live.short_label(v) for v in (0, 0.5, 10, 0.001, 1e-4, 2e-6, 3e5)]
    assert labels == ["0", "0.5", "10", "0.001", "1e-4", "2e-6", "3e5"]
    fig, ax = plt.subplots()
    _live.log_axis(ax)
    assert _live.log_limits(ax, [np.array([np.nan, 0.0, -1.0])]) is False  # nothing positive
    assert _live.log_limits(ax, [np.array([0.5, 0.6])], include=1.0)
    low, high = ax.get_ylim()
    assert low < 0.5 and high > 1.0
    ticks = ax.yaxis.get_major_locator().tick_values(low, high)
    assert any(low <= t <= high for t in ticks)  # a short range still gets a labelled tick


# --- the shared helpers of _style -----------------------------------------------------------------


def test_palette_is_okabe_ito_and_colors_cycle_through_it():
    assert plotting.PALETTE is _style.PALETTE and len(plotting.PALETTE) == 7
    assert plotting.PALETTE[0] == "#0072B2"
    assert _style.colors(9) == [*plotting.PALETTE, *plotting.PALETTE[:2]]


def test_finite_flattens_and_drops_nan_and_inf():
    np.testing.assert_array_equal(_style.finite([[1, np.nan], [np.inf, 2]]), [1.0, 2.0])
    assert _style.finite([]).dtype == np.float64


def test_series_reads_a_history_field_or_a_plain_sequence():
    np.testing.assert_array_equal(_style.series("a", History(loss=[1, 2]), "loss", "x"), [1, 2])
    np.testing.assert_array_equal(_style.series("a", (3, 4), "loss", "x"), [3, 4])
    with pytest.raises(TypeError, match=r"`histories\['a'\]` must be a History or a sequence"):
        _style.series("a", {"x": 1}, "loss", "losses")


def test_new_figure_is_white_and_layer_axis_sets_integer_ticks():
    fig, ax = _style.new_figure()
    assert to_rgba(fig.get_facecolor()) == WHITE
    _style.layer_axis(ax, "std", logy=True)
    assert ax.get_xlabel() == "layer ℓ" and ax.get_yscale() == "log"
    ax.plot([1, 2, 3], [1, 2, 3])
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_every_name_of_the_package_is_importable_from_it():
    for name in plotting.__all__:
        assert callable(getattr(plotting, name)) or name == "PALETTE", name


# --- values against any x -------------------------------------------------------------------------


def test_xy_curves_draws_measured_lines_with_markers_and_dashed_references():
    fig = plotting.xy_curves(
        {"post-LN": ([4, 16, 64], [0.003, 0.03, 0.07]), "pre-LN": ([4, 16, 64], [0.003, 0.01, 0])},
        xlabel="layers N",
        ylabel="update size",
        references={"∝ N": ([4, 64], [0.003, 0.048])},
        logx=True,
        logy=True,
        title="updates",
        legend="outside",
    )
    _check_figure(fig)
    ax = fig.axes[0]
    assert [line.get_marker() for line in ax.lines] == ["o", "s", "None"]
    assert ax.lines[2].get_linestyle() == "--"
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert list(ax.get_xticks()) == [4, 16, 64]  # the depths, labelled as such
    assert [t.get_text() for t in ax.get_xticklabels()] == ["4", "16", "64"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        "layers N",
        "update size",
        "updates",
    )
    assert np.isnan(ax.lines[1].get_ydata()[-1])  # a 0 is left out on a log axis
    assert ax.get_legend() is not None


def test_xy_curves_rejects_pairs_of_different_lengths():
    with pytest.raises(ValueError, match=r"`curves\['a'\]` must be a pair \(x, y\)"):
        plotting.xy_curves({"a": ([1, 2], [1])}, "x", "y")
    with pytest.raises(ValueError, match=r"`references\['t'\]` must be a pair"):
        plotting.xy_curves({"a": ([1], [1])}, "x", "y", references={"t": [1, 2, 3]})
    with pytest.raises(TypeError, match=r"`curves`.*non-empty"):
        plotting.xy_curves({}, "x", "y")
