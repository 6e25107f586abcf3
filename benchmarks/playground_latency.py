"""Benchmark: how fast chapter 11's in-page playground answers, measured in Chromium.

Two measurements, printed (nothing is asserted: speed on a shared machine is not a property of the
page, so it is measured here and reported in benchmarks/README.md, never in a timed test):

- **update latency**: from a control change to the redrawn charts, at the default settings
  (depth 10 × width 100; target under 100 ms) and at depth 40 × width 400 (target under 1 s),
  seven new seeds each (a new seed draws every weight again, the slowest kind of update), and
  four slider steps at 40 × 400 (the weights already drawn are reused). The page measures from the
  event's timestamp (when the browser took the key press) to the animation frame after the charts
  were redrawn; the harness checks that its own clock, Playwright's round trip included, is at
  least as long.
- **frames while training**: the training tab runs 32-32-32 networks for 15,000 epochs in a
  worker; the gaps between animation frames show whether the page stays smooth.

It builds the book if needed and drives /usr/bin/chromium with the browser test's fixtures::

    .venv/bin/python benchmarks/playground_latency.py

Run it on an idle machine.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "book"))
import test_playground as tp  # noqa: E402

book, server, browser = tp.book, tp.server, tp.browser
TRIALS = 7


def latencies(page, seeds):
    """Milliseconds from typing a new seed (Enter) to the redrawn charts, one per seed."""
    seed_box = tp.signal_form(page).get_by_label("seed", exact=True)
    target = page.evaluate("() => window.wtinitPlayground.signal.settings")
    out = []
    for seed in seeds:
        seed_box.fill(str(seed))
        start = page.evaluate("() => performance.now()")
        seed_box.press("Enter")
        timing = tp.wait_for_signal(page, {**target, "seed": seed})["timing"]
        assert 0 < timing["latency"] <= timing["drawn_at"] - start + 1, (start, timing)
        out.append(timing["latency"])
    return out


def report(name: str, values: list[float], target: float | None = None) -> None:
    verdict = (
        ""
        if target is None
        else f"  (target {target:.0f}: best {'meets' if min(values) < target else 'misses'} it)"
    )
    print(
        f"  {name:20s} best {min(values):6.0f}  median {statistics.median(values):6.0f}  "
        f"all {[round(v) for v in values]}{verdict}"
    )


def test_update_latency(browser, server):
    with tp.playground(browser, server) as page:
        tp.set_signal(page, 10, 100, "tanh", "glorot_normal", 1.0, 0)
        latencies(page, [100])  # warm-up: the first run compiles
        small = latencies(page, range(1, 1 + TRIALS))
        tp.set_signal(page, 40, 400, "relu", "he_normal", 1.0, 0)
        latencies(page, [100])
        large = latencies(page, range(1, 1 + TRIALS))
        slider = tp.signal_form(page).get_by_label("scale")
        steps = []
        for key in ["ArrowRight", "ArrowLeft"] * 2:
            before = page.evaluate("() => window.wtinitPlayground.signal.update")
            slider.press(key)
            page.wait_for_function(
                f"(n) => window.wtinitPlayground.signal.update > n && {tp.ROOT_JS}.dataset."
                "signalBusy === 'false'",
                arg=before,
            )
            steps.append(page.evaluate("() => window.wtinitPlayground.signal.timing.latency"))
        backend = page.evaluate("() => window.wtinitPlayground.signal")
    print("\nplayground latency (ms), control change -> redrawn charts:")
    report("10x100 new seed", small, 100)
    report("40x400 new seed", large, 1000)
    report("40x400 slider step", steps)
    print(f"  ({backend['backend']}, {backend['workers']} workers)")


def test_frames_while_training(browser, server):
    with tp.playground(browser, server) as page:
        page.evaluate("() => window.wtinitPlayground.select('train')")
        form = page.get_by_role("form", name="Training")
        form.get_by_label("epochs").select_option("15000")
        form.get_by_label("layers").select_option("32,32,32")
        page.wait_for_function(f"() => {tp.ROOT_JS}.dataset.trainState === 'idle'")
        page.evaluate(
            """() => { window.frames_seen = [];
                const loop = (t) => { window.frames_seen.push(t);
                    if (window.frames_seen.length < 100000) requestAnimationFrame(loop); };
                requestAnimationFrame(loop); }"""
        )
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_timeout(4000)
        frames = page.evaluate("() => window.frames_seen")
        page.get_by_role("button", name="Pause").click()
    gaps = np.diff(frames)
    print(
        f"\ntraining: {len(frames)} frames in 4 s, {100 * np.mean(gaps <= 34):.0f}% within "
        f"34 ms (two frames), longest gap {gaps.max():.0f} ms"
    )


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-s", "-q", "-o", "addopts=", "-p", "no:cacheprovider"]))
