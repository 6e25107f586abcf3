"""wtinit_lib.playground: the controls call ``show``, which computes what the experiments compute
and redraws one figure in place; ipywidgets is imported only when the controls are built.

The widgets are created without a browser (ipywidgets works without a kernel): a control's
``value`` is set as a reader's click would set it, and the observer must run ``show``.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from wtinit_lib import comparisons, datasets, experiments, initializers, playground

pytestmark = pytest.mark.usefixtures("no_show")


def test_ipywidgets_is_imported_only_when_the_controls_are_built():
    code = """
import sys
import wtinit_lib, wtinit_lib.plotting, wtinit_lib.playground
from wtinit_lib import playground
playground.SignalPlayground(depth=2).show()
print("ipywidgets" in sys.modules)
playground.SignalPlayground(depth=2).widget()
print("ipywidgets" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


# --- the list of initializers -----------------------------------------------------------------


def test_the_initializers_on_offer_are_distinct_rules_each_with_a_reason():
    shape, rng = (400, 400), 0
    stds = {}
    for label, (init, why) in playground.INITIALIZERS.items():
        assert why and len(label) + len(why) < 76  # one line of the book's table
        stds[label] = float(np.std(initializers.get(init)(shape, rng=np.random.default_rng(rng))))
    # Sampled stds against the formulas (n_in = n_out = 400): no two entries are one rule.
    expected = {
        "zeros": 0.0,
        "N(0, 0.05²)": 0.05,
        "LeCun normal": math.sqrt(1 / 400),
        "Glorot normal": math.sqrt(2 / 800),
        "He normal": math.sqrt(2 / 400),
        "orthogonal": math.sqrt(1 / 400),  # every singular value 1
        "He normal × 2": 2 * math.sqrt(2 / 400),
    }
    assert stds == pytest.approx(expected, rel=0.01, abs=1e-12)
    names = [init for init, _ in playground.INITIALIZERS.values() if isinstance(init, str)]
    assert len(set(names)) == len(names)
    assert not {"xavier_normal", "kaiming_normal", "ones"} & set(names)
    # LeCun and Glorot coincide for a square layer but not for the network's first layer.
    first = (2, 16)
    lecun, glorot = (initializers.get(n)(first, rng=0) for n in ("lecun_normal", "glorot_normal"))
    assert not np.allclose(lecun, glorot)
    he = initializers.get("he_normal")(shape, rng=np.random.default_rng(5))
    twice = playground.INITIALIZERS["He normal × 2"][0](shape, rng=np.random.default_rng(5))
    np.testing.assert_allclose(twice, 2 * he, rtol=1e-12)  # the same draws, twice as large
    assert "He normal × 2" not in playground.SIGNAL_INITIALIZERS  # it has a scale control


def test_the_data_sets_are_fixed_two_class_problems():
    for name, make in playground.DATASETS.items():
        X, y = make()
        assert X.shape == (200, 2) and set(np.unique(y)) == {0, 1}, name
        np.testing.assert_array_equal(make()[0], X)  # the seed control never moves the points


# --- the signal playground ----------------------------------------------------------------------


def test_signal_show_computes_what_signal_propagation_computes_and_redraws_in_place():
    pg = playground.SignalPlayground(depth=4, width=20)
    fig = pg.figure
    result = pg.show(activation="relu", initializer="He normal", scale=2.0, seed=3)
    expected = experiments.signal_propagation(4, 20, "relu", "he_normal", 2.0, seed=3)
    np.testing.assert_array_equal(result.act_stds, expected.act_stds)
    np.testing.assert_array_equal(result.grad_stds, expected.grad_stds)
    assert pg.figure is fig and pg.result is result
    np.testing.assert_allclose(fig.axes[2].lines[0].get_ydata(), expected.act_stds)
    assert pg.settings["initializer"] == "He normal" and pg.settings["depth"] == 4
    assert set(pg.timings) == {"compute", "update", "total", "cpu"}  # no controls: no PNG
    other = pg.compute(seed=4)
    assert pg.settings["seed"] == 3 and other.settings["seed"] == 4  # compute changes nothing
    assert repr(pg).startswith("SignalPlayground(depth=4, width=20, activation='relu'")


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"initializer": "He normal × 2"}, r"`initializer`"),
        ({"initializer": "xavier_normal"}, r"`initializer`"),
        ({"activation": "swish"}, r"`activation`"),
        ({"depth": 0}, r"`depth`"),
        ({"scale": -1.0}, r"`scale`"),
    ],
)
def test_signal_settings_are_checked(bad, match):
    with pytest.raises(ValueError, match=match):
        playground.SignalPlayground().show(**bad)


def test_a_control_change_calls_show_and_show_moves_the_controls():
    pg = playground.SignalPlayground(depth=3, width=10)
    box = pg.widget()
    assert pg.widget() is box  # built once
    first = pg._image.value
    assert first[:4] == b"\x89PNG" and "redrawn in" in pg._status.value
    calls = []
    compute = pg._compute
    pg._compute = lambda settings: calls.append(settings) or compute(settings)
    pg._controls["seed"].value = 5  # what a reader's click does
    assert len(calls) == 1 and pg.settings["seed"] == 5 and pg._image.value != first
    assert set(pg.timings) == {"compute", "update", "png", "total", "cpu"}
    pg.show(depth=6, initializer="zeros")  # a preset cell
    assert len(calls) == 2  # the controls followed without a second computation
    assert pg._controls["depth"].value == 6 and pg._controls["initializer"].value == "zeros"
    assert "every unit of a layer identical" in pg._status.value
    assert pg.view.message.get_visible()  # zero weights: the message, not an empty log plot


# --- the training playground --------------------------------------------------------------------


def test_train_show_trains_the_chosen_columns_on_the_chosen_data():
    pg = playground.TrainPlayground(depth=2, width=4, epochs=5)
    result = pg.show(
        dataset="moons", initializers=("He normal", playground.NONE, "He normal", "zeros")
    )
    assert list(result.runs) == ["He normal", "He normal (2)", "zeros"]  # duplicates kept apart
    assert result.settings["dataset"] == "moons"
    X, y = playground.DATASETS["moons"]()
    expected = comparisons.train_side_by_side(X, y, {"He": "he_normal"}, 2, 4, epochs=5)
    np.testing.assert_array_equal(result.runs["He normal"].loss, expected.runs["He"].loss)
    np.testing.assert_array_equal(result.runs["He normal (2)"].loss, expected.runs["He"].loss)
    assert [ax.get_visible() for ax in pg.view.boundary_axes] == [True, True, True, False]
    assert pg.figure.texts[0].get_text().startswith("moons, relu, depth 2")


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"initializers": ("He normal",)}, r"`initializers` must be 4 labels"),
        ({"initializers": (playground.NONE,) * 4}, r"not all"),
        ({"initializers": ("He normal", "kaiming", "zeros", "zeros")}, r"`initializers`"),
        ({"dataset": "xor"}, r"`dataset`"),
        ({"lr": 0.0}, r"`lr`"),
        ({"epochs": 0}, r"`epochs`"),
    ],
)
def test_train_settings_are_checked(bad, match):
    with pytest.raises(ValueError, match=match):
        playground.TrainPlayground().compute(**bad)


def test_the_train_controls_include_one_menu_per_column():
    pg = playground.TrainPlayground(depth=2, width=4, epochs=5)
    pg.widget()
    pg._columns[1].value = "zeros"
    assert pg.settings["initializers"][1] == "zeros"
    assert "zeros" in pg.result.runs
    pg.show(initializers=("orthogonal",) * 4)
    assert [menu.value for menu in pg._columns] == ["orthogonal"] * 4


# --- describe -----------------------------------------------------------------------------------


def test_describe_prints_the_numbers_behind_each_figure():
    signal = experiments.signal_propagation(3, 10, "relu", "he_normal")
    text = playground.describe(signal)
    first, last = signal.act_stds[0], signal.act_stds[-1]
    short = playground._short
    assert f"layer 1 {short(first)}, layer 3 {short(last)} (x {short(last / first)})" in text
    assert [short(v) for v in (0.00412, 7.06, 518.2, 2.4e-6)] == ["0.0041", "7.1", "518", "2.4e-06"]
    zeros = playground.describe(experiments.signal_propagation(3, 10, weight_init="zeros"))
    assert zeros.count("0 everywhere") == 2
    X, y = datasets.circles(n=40, seed=0)
    side = comparisons.train_side_by_side(X, y, {"He": "he_normal"}, 2, 4, epochs=3)
    table = playground.describe(side).splitlines()
    assert table[0].split() == [
        "initializer",
        "ℒ",
        "at",
        "start",
        "highest",
        "ℒ",
        "after",
        "training",
    ]
    assert table[1].startswith("He") and f"{side.runs['He'].loss[0]:#.3g}" in table[1]
    assert max(map(len, table)) <= 80
    with pytest.raises(TypeError, match="SignalPropagation or a SideBySide"):
        playground.describe([1])
