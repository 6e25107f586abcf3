"""The playground: controls that redraw one figure, for a fresh network and for training.

- :class:`SignalPlayground`: depth, width, activation, initializer, scale and seed of a fresh
  network (:func:`~wtinit_lib.experiments.signal_propagation`), drawn by
  :class:`~wtinit_lib.plotting.SignalFigure`;
- :class:`TrainPlayground`: a 2-D data set, activation, depth, width, epochs, learning rate,
  seed and one initializer per column, trained side by side
  (:func:`~wtinit_lib.comparisons.train_side_by_side`), drawn by
  :class:`~wtinit_lib.plotting.TrainFigure`.

``playground.show(**changes)`` is what every control calls: it recomputes, redraws the one figure
in place and, when the controls are on screen, replaces their image; it returns the result, so
a notebook cell can print and check the numbers behind the figure. End a cell with a playground
to get its controls; ipywidgets is imported only then (``import wtinit_lib.playground`` does not
load it). The initializers on offer are a short list, each there for a reason
(:data:`INITIALIZERS`): no aliases (Xavier is Glorot, Kaiming is He), no uniform twins.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from wtinit_lib import (
    activations,
    comparisons,
    datasets,
    experiments,
    initializers,
    plotting,
    tables,
)
from wtinit_lib._checks import check_choice, check_int, check_positive

__all__ = ["DATASETS", "INITIALIZERS", "SignalPlayground", "TrainPlayground", "describe"]

#: label -> (initializer, why it is on the list).
INITIALIZERS: dict[str, tuple[Any, str]] = {
    "zeros": ("zeros", "every unit of a layer identical: the symmetry of chapter 2"),
    "N(0, 0.05²)": ("random_normal", "a fixed scale that ignores the fans (Keras's RandomNormal)"),
    "LeCun normal": ("lecun_normal", "Var 1/n_in: keeps a linear or tanh signal (LeCun 1998)"),
    "Glorot normal": ("glorot_normal", "Var 2/(n_in+n_out): forward and backward averaged"),
    "He normal": ("he_normal", "Var 2/n_in: ReLU halves E[a²], the 2 restores it (He 2015)"),
    "orthogonal": ("orthogonal", "all singular values 1: keeps every direction's length (Saxe)"),
    "He normal × 2": (
        initializers.variance_scaling(8.0, "fan_in", "normal"),
        "twice He's std: too large, explodes or kills ReLUs",
    ),
}
#: The signal playground has a scale control, so it leaves out "He normal × 2".
SIGNAL_INITIALIZERS = tuple(label for label in INITIALIZERS if "×" not in label)
NONE = "—"

#: name -> the 2-D data set (always the same points: the seed control changes the weights only).
DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "circles": lambda: datasets.circles(n=200, noise=0.05, seed=0),
    "moons": lambda: datasets.moons(n=200, noise=0.1, seed=0),
    "spirals": lambda: datasets.spirals(n_per_class=100, classes=2, noise=0.05, seed=0),
}


class _Playground:
    """What both playgrounds share: settings, :meth:`show`, the widget and its timing.

    Each playground defines ``DEFAULTS``, ``_checked(settings)`` (the settings, validated),
    ``_compute(settings)``, ``_build_controls(widgets)``, ``_rows(widgets)`` (the controls laid
    out) and ``_explanation()`` (the first line of the status under the figure).
    """

    DEFAULTS: dict[str, Any] = {}

    def __init__(self, **settings: Any) -> None:
        self.settings = self._checked({**self.DEFAULTS, **settings})
        self.view: Any = None
        self.result: Any = None
        self.timings: dict[str, float] = {}
        self._controls: dict[str, Any] = {}
        self._image: Any = None
        self._status: Any = None
        self._syncing = False

    @property
    def figure(self) -> Any:
        """The figure every change redraws (end a notebook cell with it to show it)."""
        return self.view.figure

    def compute(self, **changes: Any) -> Any:
        """The result :meth:`show` would draw for the settings with ``changes``, without drawing
        it or changing the settings (for loops over seeds)."""
        return self._compute(self._checked({**self.settings, **changes}))

    def show(self, **changes: Any) -> Any:
        """Apply ``changes`` to the settings, recompute, redraw; returns the new result.

        The function every control calls. When the controls are on screen their values follow
        the settings and their image is replaced. ``timings`` records the seconds (wall clock)
        spent computing, updating the figure, drawing it to PNG (with controls only) and in all,
        and ``"cpu"``, the process's CPU seconds in all (on an idle machine close to
        ``"total"``; on a busy one the fairer measure of the work).
        """
        settings = self._checked({**self.settings, **changes})
        start, cpu = time.perf_counter(), time.process_time()
        result = self._compute(settings)
        computed = time.perf_counter()
        self.view.update(result)
        self.settings, self.result = settings, result
        self.timings = {"compute": computed - start, "update": time.perf_counter() - computed}
        if self._image is not None:
            self._syncing = True
            try:
                for name, control in self._controls.items():
                    control.value = settings[name]
            finally:
                self._syncing = False
            drawn = time.perf_counter()
            self._image.value = self.view.png()
            self.timings["png"] = time.perf_counter() - drawn
        self.timings["total"] = time.perf_counter() - start
        self.timings["cpu"] = time.process_time() - cpu
        if self._status is not None:
            self._status.value = self._status_text()
        return result

    def widget(self) -> Any:
        """The controls, the image and a status line (built once; needs ipywidgets)."""
        if self._image is None:
            import ipywidgets as widgets

            self._controls = self._build_controls(widgets)
            for control in self._controls.values():
                control.observe(self._on_change, names="value")
            self._image = widgets.Image(format="png", layout=widgets.Layout(width="650px"))
            self._status = widgets.HTML()
            self._box = widgets.VBox(
                [*self._rows(widgets), self._image, self._status],
                layout=widgets.Layout(max_width="700px"),
            )
            self.show()
        return self._box

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.settings.items())
        return f"{type(self).__name__}({args})"

    def _on_change(self, _change: object) -> None:
        if not self._syncing:
            self.show(**{name: control.value for name, control in self._controls.items()})

    def _status_text(self) -> str:
        t = self.timings
        return (
            f"<small>{self._explanation()}<br>redrawn in {t['total']:.2f} s (computing "
            f"{t['compute']:.2f} s, figure {t['update'] + t.get('png', 0.0):.2f} s)</small>"
        )


def _control(widgets: Any, kind: str, description: str, **kw: Any) -> Any:
    """A slider (redrawn when released, not while dragged) or a menu, 215 px wide."""
    if kind != "Dropdown":
        kw["continuous_update"] = False
    style, layout = {"description_width": "70px"}, widgets.Layout(width="215px")
    return getattr(widgets, kind)(description=description, style=style, layout=layout, **kw)


class SignalPlayground(_Playground):
    """A fresh network's activations and gradients, layer by layer, under the chosen settings.

    Settings (and controls): ``depth`` 2-40, ``width`` 10-400, ``activation``, ``initializer``
    (a label of :data:`SIGNAL_INITIALIZERS`), ``scale`` (the initializer's weights are
    multiplied by it: 2 means four times its variance), ``seed``.
    """

    DEFAULTS = {
        "depth": 10,
        "width": 100,
        "activation": "tanh",
        "initializer": "Glorot normal",
        "scale": 1.0,
        "seed": 0,
    }

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.view = plotting.SignalFigure()

    def _checked(self, settings: dict[str, Any]) -> dict[str, Any]:
        check_choice("activation", settings["activation"], activations.HIDDEN)
        check_choice("initializer", settings["initializer"], SIGNAL_INITIALIZERS)
        return {
            **settings,
            "depth": check_int("depth", settings["depth"], 1),
            "width": check_int("width", settings["width"], 1),
            "scale": check_positive("scale", settings["scale"]),
            "seed": check_int("seed", settings["seed"], 0),
        }

    def _compute(self, settings: dict[str, Any]) -> experiments.SignalPropagation:
        s = settings
        name = INITIALIZERS[s["initializer"]][0]
        return experiments.signal_propagation(
            s["depth"], s["width"], s["activation"], name, s["scale"], seed=s["seed"]
        )

    def _build_controls(self, widgets: Any) -> dict[str, Any]:
        return {
            "depth": _control(widgets, "IntSlider", "depth", min=2, max=40),
            "width": _control(widgets, "IntSlider", "width", min=10, max=400, step=10),
            "seed": _control(widgets, "IntSlider", "seed", min=0, max=9),
            "activation": _control(widgets, "Dropdown", "activation", options=activations.HIDDEN),
            "initializer": _control(
                widgets, "Dropdown", "initializer", options=SIGNAL_INITIALIZERS
            ),
            "scale": _control(widgets, "FloatLogSlider", "scale", base=2, min=-2, max=2, step=0.25),
        }

    def _rows(self, widgets: Any) -> list[Any]:
        c = self._controls
        return [
            widgets.HBox([c["depth"], c["width"], c["seed"]]),
            widgets.HBox([c["activation"], c["initializer"], c["scale"]]),
        ]

    def _explanation(self) -> str:
        label = self.settings["initializer"]
        return f"{label}: {INITIALIZERS[label][1]}"


class TrainPlayground(_Playground):
    """Up to four initializers trained side by side on a 2-D data set.

    Settings (and controls): ``dataset`` (a name of :data:`DATASETS`), ``activation``,
    ``depth`` 1-12, ``width`` 4-64, ``epochs`` 25-300, ``lr`` (the learning rate ``η``,
    0.01-1), ``seed``, and ``initializers``: four labels of :data:`INITIALIZERS` (or ``"—"``
    for an empty column), one per column.
    """

    DEFAULTS = {
        "dataset": "circles",
        "activation": "relu",
        "depth": 6,
        "width": 16,
        "epochs": 100,
        "lr": 0.1,
        "seed": 0,
        "initializers": ("N(0, 0.05²)", "Glorot normal", "He normal", "He normal × 2"),
    }
    COLUMNS = 4

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.view = plotting.TrainFigure(columns=self.COLUMNS)

    def _checked(self, settings: dict[str, Any]) -> dict[str, Any]:
        check_choice("dataset", settings["dataset"], tuple(DATASETS))
        check_choice("activation", settings["activation"], activations.HIDDEN)
        chosen = tuple(settings["initializers"])
        if len(chosen) != self.COLUMNS or all(label == NONE for label in chosen):
            raise ValueError(
                f"Argument `initializers` must be {self.COLUMNS} labels, not all {NONE!r}. "
                f"Received: initializers={chosen!r}"
            )
        for label in chosen:
            check_choice("initializers", label, (*INITIALIZERS, NONE))
        return {
            **settings,
            "depth": check_int("depth", settings["depth"], 1),
            "width": check_int("width", settings["width"], 1),
            "epochs": check_int("epochs", settings["epochs"], 1),
            "lr": check_positive("lr", settings["lr"]),
            "seed": check_int("seed", settings["seed"], 0),
            "initializers": chosen,
        }

    def _compute(self, settings: dict[str, Any]) -> comparisons.SideBySide:
        s = settings
        X, y = DATASETS[s["dataset"]]()
        inits = {}
        for label in s["initializers"]:
            if label != NONE:
                key = label if label not in inits else f"{label} ({len(inits) + 1})"
                inits[key] = INITIALIZERS[label][0]
        result = comparisons.train_side_by_side(
            X, y, inits, s["depth"], s["width"], s["activation"], s["epochs"], s["lr"], s["seed"]
        )
        return dataclasses.replace(result, settings={**result.settings, "dataset": s["dataset"]})

    def _build_controls(self, widgets: Any) -> dict[str, Any]:
        controls = {
            "dataset": _control(widgets, "Dropdown", "data", options=tuple(DATASETS)),
            "activation": _control(widgets, "Dropdown", "activation", options=activations.HIDDEN),
            "depth": _control(widgets, "IntSlider", "depth", min=1, max=12),
            "width": _control(widgets, "IntSlider", "width", min=4, max=64, step=4),
            "epochs": _control(widgets, "IntSlider", "epochs", min=25, max=300, step=25),
            "lr": _control(widgets, "FloatLogSlider", "η", base=10, min=-2, max=0, step=0.1),
            "seed": _control(widgets, "IntSlider", "seed", min=0, max=9),
        }
        self._columns = [
            _control(widgets, "Dropdown", f"column {k + 1}", options=(*INITIALIZERS, NONE))
            for k in range(self.COLUMNS)
        ]
        controls["initializers"] = _Columns(self._columns)
        return controls

    def _rows(self, widgets: Any) -> list[Any]:
        c = self._controls
        return [
            widgets.HBox([c["dataset"], c["activation"], c["depth"]]),
            widgets.HBox([c["width"], c["epochs"], c["lr"]]),
            widgets.HBox([c["seed"]]),
            widgets.GridBox(
                self._columns,
                layout=widgets.Layout(grid_template_columns="repeat(2, 215px)"),
            ),
        ]

    def _explanation(self) -> str:
        return "; ".join(
            f"{label}: {INITIALIZERS[label][1]}"
            for label in dict.fromkeys(self.settings["initializers"])
            if label != NONE
        )


def _short(value: float) -> str:
    """Two significant digits, without an exponent from 0.001 to 1000: 0.0041, 7.1, 518."""
    return f"{value:.0f}" if 100 <= abs(value) < 1000 else f"{value:.2g}"


def describe(result: Any) -> str:
    """The numbers behind a playground's figure, as text that fits the book's column.

    A :class:`~wtinit_lib.experiments.SignalPropagation`: the std of ``A^ℓ`` and ``dW^ℓ`` in
    the first and last layer and their ratio. A :class:`~wtinit_lib.comparisons.SideBySide`:
    one row per initializer with ``ℒ`` before training, its highest value, and what the run
    reached (:func:`~wtinit_lib.plotting.side_by_side.run_status`).
    """
    if isinstance(result, experiments.SignalPropagation):
        lines = []
        for name, stds in (("std(A)", result.act_stds), ("std(dW)", result.grad_stds)):
            first, last = float(stds[0]), float(stds[-1])
            ratio = f"x {_short(last / first)}" if first > 0 else "0 everywhere"
            depth = len(stds)
            lines.append(
                f"{name:7}  layer 1 {_short(first)}, layer {depth} {_short(last)} ({ratio})"
            )
        return "\n".join(lines)
    if isinstance(result, comparisons.SideBySide):
        rows = []
        for label, run in result.runs.items():
            finite = run.loss[np.isfinite(run.loss)]
            peak = float(finite.max()) if finite.size else float("nan")
            rows.append((label, float(run.loss[0]), peak, plotting.side_by_side.run_status(run)))
        return tables.format_table(
            ["initializer", "ℒ at start", "highest ℒ", "after training"],
            rows,
            ["", "#.3g", "#.3g", ""],
        )
    raise TypeError(
        "Argument `result` must be a SignalPropagation or a SideBySide. "
        f"Received: {type(result).__name__}"
    )


class _Columns:
    """The four column dropdowns seen as one control whose value is the tuple of labels."""

    def __init__(self, dropdowns: list[Any]) -> None:
        self.dropdowns = dropdowns

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(d.value for d in self.dropdowns)

    @value.setter
    def value(self, labels: tuple[str, ...]) -> None:
        for dropdown, label in zip(self.dropdowns, labels):
            dropdown.value = label

    def observe(self, handler: Callable[..., None], names: str) -> None:
        for dropdown in self.dropdowns:
            dropdown.observe(handler, names=names)
