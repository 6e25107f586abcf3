"""The playground's latency: from a control change to the new image, in the kernel.

Run from the repository root (one BLAS thread, as in the notebooks):

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/notebook_playground_latency.py

For each playground at its default settings, the controls are built (ipywidgets works without a
browser) and one control is moved ``REPS`` times (the seed, 1, 2, 1, 2, ...; for the signal
playground the seed as well, so the figure changes every time). Moving it runs exactly what a
reader's change runs: the control's observer calls ``show``, which computes, updates the one
figure in place, draws it to PNG at twice its dpi and puts the bytes into the image widget. Each
row gives medians over the repetitions of the time of that observer call, wall clock
(``time.perf_counter``) and CPU (``time.process_time``), with the parts ``show`` records:
computing, updating the artists, drawing and encoding the PNG.

Two more rows per playground, for comparison:

- ``minor ticks``: the same, with the default minor ticks put back on the log axes;
- ``rebuild + savefig``: what the notebook did before: a new pyplot figure for every change
  (``plotting.signal_propagation_figure`` / ``side_by_side_figure``), saved the way the inline
  backend does (``savefig(dpi=200, bbox_inches="tight")``, which draws the figure twice; the
  number of draws is counted), then closed.

The part the browser adds (the comm message to the page, decoding and painting a PNG of about
300 kB) is not measured here.
"""

from __future__ import annotations

import io
import platform
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import LogLocator  # noqa: E402

from wtinit_lib import playground, plotting  # noqa: E402

REPS = 9


def _observer_times(pg: playground._Playground, reps: int = REPS) -> dict[str, float]:
    """Median seconds of one control change (the seed slider), and of each part of it."""
    pg.widget()
    seed = pg._controls["seed"]
    rows = []
    for k in range(reps):
        wall, cpu = time.perf_counter(), time.process_time()
        seed.value = 1 + k % 2  # the observer runs show(...) before this returns
        rows.append(
            {
                "wall": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                **pg.timings,
            }
        )
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def _with_minor_ticks(pg: playground._Playground) -> None:
    for ax in pg.figure.axes:
        if ax.get_yscale() == "log":
            ax.yaxis.set_minor_locator(LogLocator(subs="auto"))


def _rebuild_times(pg: playground._Playground, make_figure, reps: int = REPS) -> dict[str, float]:
    """Median seconds to build a new pyplot figure and save it as the inline backend does."""
    draws = {"count": 0}
    original = Figure.draw

    def counting_draw(self, renderer):
        draws["count"] += 1
        return original(self, renderer)

    rows = []
    Figure.draw = counting_draw
    try:
        for k in range(reps):
            wall, cpu = time.perf_counter(), time.process_time()
            result = pg.compute(seed=1 + k % 2)
            computed = time.perf_counter()
            draws["count"] = 0
            fig = make_figure(result)
            fig.savefig(io.BytesIO(), format="png", dpi=200, bbox_inches="tight")
            plt.close(fig)
            rows.append(
                {
                    "wall": time.perf_counter() - wall,
                    "cpu": time.process_time() - cpu,
                    "compute": computed - wall,
                    "draws": draws["count"],
                }
            )
    finally:
        Figure.draw = original
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def _row(name: str, t: dict[str, float]) -> str:
    parts = f"{t['compute'] * 1e3:8.0f}"
    if "update" in t:
        parts += f"{t['update'] * 1e3:8.0f}{t['png'] * 1e3:8.0f}"
    else:
        parts += f"{'':>8}{'':>8}"
    draws = f"{t['draws']:6.0f}" if "draws" in t else f"{1:6d}"
    return f"{name:32}{t['wall'] * 1e3:8.0f}{t['cpu'] * 1e3:8.0f}{parts}{draws}"


def main() -> None:
    print(f"Python {platform.python_version()}, numpy {np.__version__}, ", end="")
    print(f"matplotlib {matplotlib.__version__}, {platform.machine()}; {REPS} changes each")
    print(f"{'':32}{'wall':>8}{'cpu':>8}{'compute':>8}{'update':>8}{'png':>8}{'draws':>6}")
    print(f"{'':32}{'ms':>8}{'ms':>8}{'ms':>8}{'ms':>8}{'ms':>8}")
    cases = [
        ("signal", playground.SignalPlayground, plotting.signal_propagation_figure),
        ("train", playground.TrainPlayground, plotting.side_by_side_figure),
    ]
    for name, kind, make_figure in cases:
        print(_row(f"{name}: control change", _observer_times(kind())))
        minor = kind()
        minor.widget()
        _with_minor_ticks(minor)
        print(_row(f"{name}: ... with minor ticks", _observer_times(minor)))
        print(_row(f"{name}: rebuild + savefig", _rebuild_times(kind(), make_figure)))


if __name__ == "__main__":
    main()
