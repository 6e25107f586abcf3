"""Tests for wtinit_lib.plotting: every function returns a white Figure and never shows it."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from wtinit_lib import MLP, History, datasets, plotting  # noqa: E402

WHITE = to_rgba("white")


@pytest.fixture(autouse=True)
def close_figures(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("plotting must never call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")


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


def test_layer_histograms_ignores_non_finite_values():
    fig = plotting.layer_histograms([np.array([1.0, np.inf, np.nan, 2.0])])
    assert "mean 1.5" in fig.axes[0].get_title()


def test_std_per_layer_is_log_scaled_with_layer_axis():
    fig = plotting.std_per_layer({"He": [1, 1, 1], "small": [1, 0.1, 0.01]}, "activation std")
    _check_figure(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "layer ℓ"
    assert ax.get_ylabel() == "activation std"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["He", "small"]
    linear = plotting.std_per_layer({"a": [1, 2]}, "std", logy=False, title="t")
    assert linear.axes[0].get_yscale() == "linear" and linear.axes[0].get_title() == "t"


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


def test_style_context_and_apply_style():
    before = plt.rcParams["axes.grid"]
    with plotting.style():
        assert plt.rcParams["axes.grid"] is True
        assert plt.rcParams["figure.facecolor"] == "white"
    assert plt.rcParams["axes.grid"] == before
    with plt.rc_context():
        plotting.apply_style()
        assert plt.rcParams["axes.grid"] is True


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
        (lambda: plotting.std_per_layer([1, 2], "std"), TypeError, r"`curves`.*dict"),
        (lambda: plotting.std_per_layer({}, "std"), TypeError, r"`curves`.*non-empty"),
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
