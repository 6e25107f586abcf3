"""The chapter 11 playground in a real browser (Chromium through Playwright, as test_book_html).

The playground (_static/playground/) computes in the page's JavaScript what
wtinit_lib.experiments.signal_propagation and MLP.fit compute in numpy. These tests drive its
controls, read what it computed (window.wtinitPlayground and the container's data attributes)
and check, against wtinit_lib:

1. The same arithmetic. Given the same weights, inputs and targets, the page's forward and
   backward pass (both back ends: float64 JavaScript and float32 WebAssembly) and its training
   loop give wtinit_lib's statistics and loss curves to rounding; its data sets are wtinit_lib's
   point for point without noise; its initializers use wtinit_lib's parameters exactly (read off
   the calls wtinit_lib makes to its random generator) and draw from the right distributions.

2. The same statistics from different random numbers. The page draws with its own generator, so
   for a seed it gets other weights than numpy. What must agree is the distribution of each
   statistic. For a configuration c, a layer ℓ and a statistic (std of A^ℓ or of dW^ℓ), let
   s = log(statistic). wtinit_lib gives N independent draws s_1..s_N (seeds 0..N-1), with mean m
   and sample standard deviation sd; the page gives one more draw x. If both sample the same
   distribution and it is close to normal (s is the log of a standard deviation over thousands
   of entries, and through depth a sum of log gains: both near normal), then
   (x - m) / (sd · sqrt(1 + 1/N)) follows Student's t with N - 1 degrees of freedom (the
   prediction interval for a new observation). Over all M comparisons of this module the test
   accepts |x - m| <= k · sd · sqrt(1 + 1/N) with k = t_{N-1}^{-1}(1 - α / (2M)) and α = 1e-3:
   by the union bound (Bonferroni, valid whatever the correlation between layers), a correct
   page fails this test with probability at most 1e-3. With N = 32 and M = 504, k = 5.92.
   That the band is not too wide to notice a mistake is checked too: weights √2 too large (He's
   factor applied to the wrong rule) fall outside it (test_band_rejects_a_wrong_rule).

3. Speed, keyboard, layout, offline and without JavaScript: see each test.

Run alone with the browser test's options (addopts hold --nbval and xdist's):
    .venv/bin/python -m pytest tests/book/test_playground.py -p no:xdist -p no:cacheprovider \
        -o addopts=''
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import sys

import numpy as np
import pytest
import test_book_html as book_html
from book_toc import ROOT
from scipy import stats as scipy_stats

from wtinit_lib import datasets, experiments, initializers
from wtinit_lib import playground as wtinit_playground
from wtinit_lib.network import MLP

sys.path.insert(0, str(ROOT / "tools"))
import vendor_js  # noqa: E402

# The book, its server and the browser: the fixtures of test_book_html, shared.
book = book_html.book
server = book_html.server
browser = book_html.browser

PAGE = "chapters/11_playground"
SHOTS = ROOT / "_build" / "playground-screenshots"
ROOT_JS = "document.getElementById('wtinit-playground')"

# --- the page ----------------------------------------------------------------------------------


@contextlib.contextmanager
def playground(browser, server, width=1280, height=900, javascript=True, workers=True):
    """The playground's page, loaded and computed once; on exit, the browser test's rules: no
    request left 127.0.0.1, none failed, no console error. `workers=False` makes the page
    compute itself, as where workers cannot start (it reads WTINIT_PLAYGROUND_WORKERS)."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, java_script_enabled=javascript
    )
    if not workers:
        context.add_init_script("window.WTINIT_PLAYGROUND_WORKERS = 0;")
    try:
        page, report = book_html.open_page(context, server, PAGE)
        if javascript:
            page.wait_for_function(f"() => {ROOT_JS}.dataset.signalUpdates >= 1", timeout=60_000)
        yield page
        failed = report.failed
        if not javascript:  # scripts are not fetched at all: Chromium reports them as failed
            failed = [f for f in failed if not f.split("?")[0].endswith(".js")]
        assert not report.external, f"requests left 127.0.0.1: {report.external}"
        assert not failed, f"failed requests: {failed}"
        assert not report.console_errors, f"console errors: {report.console_errors}"
    finally:
        context.close()


SLIDE = """(el, value) => {
    // A slider moves over the indices of its values (data-values); 'input' is what a drag sends.
    const index = JSON.parse(el.dataset.values).indexOf(value);
    if (index < 0) throw new Error(`${value} is not a value of this slider`);
    el.value = index;
    el.dispatchEvent(new Event('input', {bubbles: true}));
}"""


def signal_form(page):
    return page.get_by_role("form", name="Network at initialization")


def set_signal(page, depth, width, activation, weight_init, scale=1.0, seed=0):
    """Set the signal controls as a reader does (a slider's input event is what dragging
    sends; selects and the seed fire change) and return the statistics of that setting."""
    target = {
        "depth": depth,
        "width": width,
        "activation": activation,
        "weight_init": weight_init,
        "scale": scale,
        "seed": seed,
    }
    panel = signal_form(page)
    panel.get_by_label("activation", exact=True).select_option(activation)
    panel.get_by_label("initializer", exact=True).select_option(weight_init)
    seed_box = panel.get_by_label("seed", exact=True)
    seed_box.fill(str(seed))
    seed_box.dispatch_event("change")
    for name in ("depth", "width", "scale"):
        panel.get_by_label(name).evaluate(SLIDE, target[name])
    return wait_for_signal(page, target)


def wait_for_signal(page, target, timeout=120_000):
    page.wait_for_function(
        """(t) => {
            const s = window.wtinitPlayground.signal, r = %s;
            return s && r.dataset.signalBusy === 'false' &&
                Object.entries(t).every(([k, v]) => s.settings[k] === v);
        }"""
        % ROOT_JS,
        arg=target,
        timeout=timeout,
    )
    summary = json.loads(page.evaluate(f"() => {ROOT_JS}.dataset.signal"))
    assert summary == page.evaluate("() => window.wtinitPlayground.signal")
    return summary


# --- 1. the same arithmetic --------------------------------------------------------------------

ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "linear")


def numpy_signal(weights, X, Y, activation):
    """wtinit_lib's statistics for given arrays: signal_propagation's, without its draws."""
    width = X.shape[1]
    net = MLP([width] * len(weights) + [1], activation, "sigmoid", weight_init="zeros")
    net.weights = weights
    bp = net.backprop(X, Y)
    return {
        "act_stds": [float(np.std(A)) for A in bp.As[1:-1]],
        "grad_stds": [float(np.std(dW)) for dW in bp.dWs[:-1]],
        "loss": bp.loss,
    }


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_and_backward_are_wtinit_libs(browser, server, activation):
    """The same weights, X and Y through both back ends give wtinit_lib's numbers.

    float64 JavaScript: the same operations as numpy in another summation order, so rounding
    (~1e-16 per operation, amplified a little through 5 layers): rtol 1e-9.
    float32 WebAssembly: float32 rounding, 6e-8 per operation, sums of 20 to 256 terms and 5
    layers deep, observed ~1e-6 on the statistics: rtol 1e-4.
    """
    depth, width, m = 4, 20, 256  # width 20: not a multiple of the kernels' tile of 8
    rng = np.random.default_rng(7)
    weights = [initializers.he_normal((width, width), rng) for _ in range(depth)]
    weights.append(initializers.he_normal((width, 1), rng))
    X = rng.standard_normal((m, width))
    Y = rng.integers(0, 2, (m, 1)).astype(float)
    expected = numpy_signal(weights, X, Y, activation)
    with playground(browser, server) as page:
        results = page.evaluate(
            """async ([settings, given]) => {
                const E = window.WtinitEngine;
                const wasm = await E.createWasmBackend(window.WTINIT_KERNELS);
                return [E.jsBackend, wasm].map((backend) => {
                    const r = E.signalPropagation(settings, backend, given);
                    return {backend: r.backend, act_stds: r.act_stds, grad_stds: r.grad_stds,
                            loss: r.loss};
                });
            }""",
            [
                {"depth": depth, "width": width, "activation": activation, "n_samples": m},
                {
                    "weights": [w.ravel().tolist() for w in weights],
                    "X": X.ravel().tolist(),
                    "Y": Y.ravel().tolist(),
                },
            ],
        )
    for result, rtol in zip(results, (1e-9, 1e-4)):
        for key in ("act_stds", "grad_stds", "loss"):
            np.testing.assert_allclose(
                result[key], expected[key], rtol=rtol, err_msg=f"{result['backend']}: {key}"
            )


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_training_is_mlp_fit(browser, server, activation):
    """The page's training loop is MLP.fit (full batch, W ← W - η dW): the same loss at every
    epoch and the same final weights, from the same start on the same data (float64 in both;
    100 steps amplify the rounding of a different summation order: rtol 1e-8)."""
    X, y = datasets.circles(n=300, noise=0.05, seed=0)
    net = MLP([2, 10, 5, 1], activation, weight_init="he_normal", bias_init="zeros", seed=3)
    start = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    history = net.fit(X, y, epochs=100, lr=0.5)
    with playground(browser, server) as page:
        result = page.evaluate(
            "(problem) => window.WtinitEngine.trainGiven(problem)",
            {
                "layerSizes": [2, 10, 5, 1],
                "activation": activation,
                "weights": [w.ravel().tolist() for w in start[0]],
                "biases": [b.tolist() for b in start[1]],
                "X": X.ravel().tolist(),
                "Y": y.astype(float).tolist(),
                "lr": 0.5,
                "epochs": 100,
            },
        )
    np.testing.assert_allclose(result["loss"], history.loss, rtol=1e-8)
    for got, want in zip(result["weights"], net.weights):
        np.testing.assert_allclose(np.reshape(got, want.shape), want, rtol=1e-8, atol=1e-12)
    for got, want in zip(result["biases"], net.biases):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-12)


def test_data_sets_are_wtinit_libs(browser, server):
    """Without noise the page's circles, moons and spirals are wtinit_lib's, point for point
    (in another order: both shuffle with their own generator). With noise, X - X_clean for the
    same seed is N(0, noise²) noise: its std within 6 of its standard errors (noise / sqrt(2n))."""
    make = {
        "circles": lambda noise: datasets.circles(300, noise=noise, seed=0),
        "moons": lambda noise: datasets.moons(300, noise=noise, seed=0),
        "spirals": lambda noise: datasets.spirals(150, classes=2, noise=noise, seed=0),
    }
    default_noise = {"circles": 0.05, "moons": 0.1, "spirals": 0.05}
    with playground(browser, server) as page:
        pages = page.evaluate(
            """(names) => Object.fromEntries(names.map((name) => {
                const E = window.WtinitEngine;
                const clean = E.dataset(name, 0, 0).train, noisy = E.dataset(name, 0).train;
                return [name, {clean: {X: Array.from(clean.X), y: Array.from(clean.y)},
                               noisy: {X: Array.from(noisy.X), y: Array.from(noisy.y)}}];
            }))""",
            list(make),
        )
    for name, got in pages.items():
        X, y = make[name](0.0)
        js = sorted_rows(np.reshape(got["clean"]["X"], (-1, 2)), got["clean"]["y"])
        np.testing.assert_allclose(js, sorted_rows(X, y), atol=1e-12, err_msg=name)
        assert got["noisy"]["y"] == got["clean"]["y"], f"{name}: noise changed the labels"
        noise = np.array(got["noisy"]["X"]) - np.array(got["clean"]["X"])
        sigma = default_noise[name]
        assert abs(noise.std() - sigma) < 6 * sigma / math.sqrt(2 * noise.size), name
        assert abs(noise.mean()) < 6 * sigma / math.sqrt(noise.size), name


def sorted_rows(X, y):
    """Rows (x1, x2, label) in a canonical order: sorted on values rounded to 1e-9, so that
    points equal up to rounding (cos θ computed two ways) sort alike."""
    table = np.column_stack([X, y])
    order = np.lexsort(np.round(table, 9).T[::-1])
    return table[order]


class SpyGenerator(np.random.Generator):
    """A numpy Generator that records the parameters wtinit_lib draws with."""

    def __init__(self):
        super().__init__(np.random.PCG64(0))
        self.calls = []

    def normal(self, loc=0.0, scale=1.0, size=None):
        self.calls.append(("normal", scale))
        return super().normal(loc, scale, size)

    def uniform(self, low=0.0, high=1.0, size=None):
        self.calls.append(("uniform", high))
        return super().uniform(low, high, size)


def wtinit_rule(name, shape):
    """How wtinit_lib draws an initializer: ('normal', std), ('uniform', limit), or the array."""
    spy = SpyGenerator()
    values = initializers.get(name)(shape, rng=spy)
    return spy.calls[0] if len(spy.calls) == 1 else values


SHAPES = [(300, 200), (200, 300), (2, 10), (10, 1)]
#: The labels of the notebook playground's short list of initializers, which the page offers too.
SIGNAL_LIST = wtinit_playground.SIGNAL_INITIALIZERS


def test_initializers_are_wtinit_libs(browser, server):
    """Every initializer the page offers uses wtinit_lib's parameters (exactly), and its draws
    follow them: for n = 60,000 draws, mean within 6 standard errors (σ/√n), variance within 6 of
    its (sqrt((κ - 1)/n) σ², κ = 3 normal, 9/5 uniform), a uniform's extremes at ±limit, a
    normal's kurtosis 3 within 6 · sqrt(24/n); orthogonal kernels are orthogonal."""
    with playground(browser, server) as page:
        offered = page.evaluate("() => window.WtinitEngine.INITIALIZER_NAMES")
        labels = page.evaluate("() => window.WtinitEngine.INITIALIZERS.map((i) => i.label)")
        # The notebook playground's short list, in its order and with its labels.
        expected = {label: wtinit_playground.INITIALIZERS[label][0] for label in SIGNAL_LIST}
        assert dict(zip(labels, offered)) == expected
        # Every rule the engine knows (the list, plus `ones` and the uniform twins) is checked.
        names = page.evaluate("() => window.WtinitEngine.RULE_NAMES")
        assert set(offered) <= set(names) <= set(initializers.available())
        for name in names:
            for shape in SHAPES:
                rule = page.evaluate(
                    "([name, n_in, n_out]) => window.WtinitEngine.weightRule(name, n_in, n_out)",
                    [name, *shape],
                )
                expected = wtinit_rule(name, shape)
                if isinstance(expected, tuple):
                    assert rule["kind"] == expected[0], (name, shape)
                    got = rule["std"] if rule["kind"] == "normal" else rule["limit"]
                    assert got == pytest.approx(expected[1], rel=1e-14), (name, shape)
                elif name == "orthogonal":
                    assert rule["kind"] == "orthogonal"
                else:
                    assert rule == {"kind": "constant", "value": float(expected.flat[0])}
            draws = np.array(
                page.evaluate(
                    """(name) => {
                        const E = window.WtinitEngine, out = new Float64Array(300 * 200);
                        E.drawKernel(out, 300, 200, 200, name, 1, new E.Rng(5, 1));
                        return Array.from(out);
                    }""",
                    name,
                )
            ).reshape(300, 200)
            check_draws(name, draws, wtinit_rule(name, (300, 200)))


def check_draws(name, W, rule):
    n = W.size
    if name == "orthogonal":
        np.testing.assert_allclose(W.T @ W, np.eye(W.shape[1]), atol=1e-10)
        rule = ("normal", 1 / math.sqrt(W.shape[0]))  # a Haar matrix's entries: Var = 1/300
        # (not normal: only the mean and variance are checked below, kurtosis not)
    if not isinstance(rule, tuple):
        np.testing.assert_array_equal(W, rule, err_msg=name)
        return
    kind, spread = rule
    variance = spread**2 if kind == "normal" else spread**2 / 3
    kurtosis = 3.0 if kind == "normal" else 1.8
    assert abs(W.mean()) < 6 * math.sqrt(variance / n), name
    assert abs(W.var() - variance) < 6 * math.sqrt((kurtosis - 1) / n) * variance, name
    if kind == "uniform":
        assert np.abs(W).max() <= spread and np.abs(W).max() > spread * (1 - 10 / n), name
    elif name != "orthogonal":
        excess = ((W - W.mean()) ** 4).mean() / W.var() ** 2
        assert abs(excess - 3) < 6 * math.sqrt(24 / n), name


def test_orthogonal_is_wtinit_libs_shape_rule(browser, server):
    """Semi-orthogonal for every shape, as wtinit_lib's: orthonormal columns when tall, rows when
    wide, a unit vector for (n, 1)."""
    with playground(browser, server) as page:
        for rows, cols in [(40, 40), (30, 10), (10, 30), (10, 1), (2, 10)]:
            W = np.array(
                page.evaluate(
                    """([r, c]) => Array.from(window.WtinitEngine.orthogonal(r, c,
                        new window.WtinitEngine.Rng(1, 2)))""",
                    [rows, cols],
                )
            ).reshape(rows, cols)
            gram = W.T @ W if rows >= cols else W @ W.T
            np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)
            expected = initializers.orthogonal()((rows, cols), rng=0)
            assert W.shape == expected.shape


# --- 2. the same statistics from other random numbers ------------------------------------------

# (depth, width, activation, weight_init, scale): the chapter's settings that vanish, stay level,
# explode and saturate, and others that reach every activation, the orthogonal rule (the page offers
# no uniform rule: their draws are checked above), widths the kernels must pad (30, 50, 40, 10 are
# not multiples of 8), statistics below float32's range (the activations shrink by sqrt(10 · 0.05²)
# ≈ 0.16 per layer, to ~1e-32) and all-zero statistics.
CONFIGS = [
    (10, 100, "tanh", "random_normal", 1.0),  # vanishes
    (10, 100, "tanh", "glorot_normal", 1.0),  # level
    (10, 100, "relu", "he_normal", 1.0),  # level
    (10, 100, "relu", "he_normal", 2.0),  # explodes
    (10, 100, "tanh", "glorot_normal", 3.0),  # saturates
    (8, 30, "leaky_relu", "he_normal", 1.0),
    (12, 50, "sigmoid", "lecun_normal", 1.0),
    (6, 40, "linear", "orthogonal", 1.0),
    (40, 10, "tanh", "random_normal", 1.0),  # below float32's range: the page uses float64
    (10, 100, "relu", "zeros", 1.0),  # every std is exactly 0
]
CONFIG_IDS = [f"{a}-{i}-x{s:g}-{d}x{w}" for d, w, a, i, s in CONFIGS]
N_SEEDS = 32  # numpy draws per configuration
PAGE_SEEDS = (0, 1)  # the page's draws per configuration
FAMILY_ALPHA = 1e-3
COMPARISONS = sum(2 * d for d, *_ in CONFIGS) * len(PAGE_SEEDS)
K = scipy_stats.t.ppf(1 - FAMILY_ALPHA / (2 * COMPARISONS), df=N_SEEDS - 1) * math.sqrt(
    1 + 1 / N_SEEDS
)


@functools.lru_cache(maxsize=None)
def reference(depth, width, activation, weight_init, scale):
    """wtinit_lib's std of A^ℓ and dW^ℓ per layer, for seeds 0..N_SEEDS-1: (N_SEEDS, depth) each."""
    runs = [
        experiments.signal_propagation(depth, width, activation, weight_init, scale, seed=seed)
        for seed in range(N_SEEDS)
    ]
    return {
        "act_stds": np.array([r.act_stds for r in runs]),
        "grad_stds": np.array([r.grad_stds for r in runs]),
    }


def outside_band(config, key, values):
    """The layers where log(values) falls outside wtinit_lib's band, as (ℓ, |z| / k) pairs."""
    ref = reference(*config)[key]
    values = np.asarray(values, dtype=float)
    if np.all(ref == ref[0]):  # a constant statistic (all zero): must match exactly
        return [(i + 1, math.inf) for i in np.flatnonzero(values != ref[0])]
    logs = np.log(ref)
    mean, sd = logs.mean(axis=0), logs.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(np.log(values) - mean) / sd
    return [(i + 1, float(z[i] / K)) for i in np.flatnonzero(~(z <= K))]


@pytest.fixture(scope="module")
def signal_page(browser, server):
    with playground(browser, server) as page:
        yield page


@pytest.mark.parametrize("config", CONFIGS, ids=CONFIG_IDS)
def test_statistics_match_wtinit_lib(signal_page, config):
    """Set through the page's controls, each configuration's statistics lie in wtinit_lib's
    band (see the module's docstring: k standard deviations of N_SEEDS numpy draws)."""
    depth, width, activation, weight_init, scale = config
    assert 5 < K < 6.5, K  # N = 32 draws, M comparisons, α = 1e-3
    for seed in PAGE_SEEDS:
        got = set_signal(signal_page, depth, width, activation, weight_init, scale, seed)
        assert len(got["act_stds"]) == len(got["grad_stds"]) == depth
        for key in ("act_stds", "grad_stds"):
            bad = outside_band(config, key, got[key])
            assert not bad, (
                f"seed {seed}, {key}: layers (ℓ, |z|/k) outside the band: {bad}; page "
                f"{np.round(got[key], 6).tolist()}, numpy median "
                f"{np.round(np.median(reference(*config)[key], axis=0), 6).tolist()}"
            )
        tiny = width == 10  # std(A^40) ~ (10 · 0.05²)^20 ~ 1e-16 · ... far below 1e-30
        assert got["float32_out_of_range"] == tiny, got["backend"]
        assert got["precision"] == ("float64" if tiny else "float32")


@pytest.mark.parametrize("config", CONFIGS[:8], ids=CONFIG_IDS[:8])
def test_band_rejects_a_wrong_rule(config):
    """The band is narrow enough to catch a rule off by He's factor: wtinit_lib's own networks
    with weights √2 (or 1/√2) times too large fall outside it at some layer."""
    depth, width, activation, weight_init, scale = config
    for factor in (math.sqrt(2), 1 / math.sqrt(2)):
        wrong = experiments.signal_propagation(
            depth, width, activation, weight_init, scale * factor, seed=10_000
        )
        caught = outside_band(config, "act_stds", wrong.act_stds) or outside_band(
            config, "grad_stds", wrong.grad_stds
        )
        assert caught, f"weights ×{factor:.3f} pass unnoticed"


# --- 4. keyboard, labels, layout ---------------------------------------------------------------


def test_keyboard_moves_every_control(browser, server):
    """A slider, a select, the tabs and the Train button work from the keyboard alone."""
    with playground(browser, server) as page:
        form = signal_form(page)
        depth = form.get_by_label("depth")
        depth.focus()
        page.keyboard.press("ArrowRight")
        assert wait_for_signal(page, {"depth": 11})["settings"]["depth"] == 11
        assert depth.get_attribute("aria-valuetext") == "11"
        page.keyboard.press("ArrowLeft")
        wait_for_signal(page, {"depth": 10})
        activation = form.get_by_label("activation", exact=True)
        activation.focus()
        page.keyboard.press("ArrowDown")  # tanh -> relu, the next option
        assert wait_for_signal(page, {"activation": "relu"})["settings"]["activation"] == "relu"
        tab = page.get_by_role("tab", name="Signal at initialization")
        tab.focus()
        page.keyboard.press("ArrowRight")
        training = page.get_by_role("tab", name="Training")
        assert training.get_attribute("aria-selected") == "true"
        assert page.evaluate("() => document.activeElement.id") == "wtp-tab-train"
        assert page.locator("#wtp-panel-train").is_visible()
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'idle'")
        page.get_by_role("button", name="Train", exact=True).focus()
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => Number({ROOT_JS}.dataset.trainEpoch) > 0")
        page.keyboard.press("Space")  # the same button, now Pause
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'paused'")
        page.keyboard.press("ArrowLeft")  # nothing: focus is on the button, not the tabs
        page.get_by_role("tab", name="Training").focus()
        page.keyboard.press("ArrowLeft")
        assert page.locator("#wtp-panel-signal").is_visible()


def test_every_control_has_a_label(browser, server):
    """Every input, select and button has a name a screen reader reads; every chart a text."""
    with playground(browser, server) as page:
        page.evaluate("() => window.wtinitPlayground.select('train')")
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'idle'")
        page.evaluate("() => window.wtinitPlayground.select('signal')")
        unnamed = page.evaluate(
            """() => [...document.getElementById('wtinit-playground')
                    .querySelectorAll('input, select, button')]
                .filter((el) => {
                    const label = [...(el.labels || [])].map((l) => l.textContent).join(' ');
                    const name = (label || el.getAttribute('aria-label') ||
                                  (el.tagName === 'BUTTON' ? el.textContent : '')).trim();
                    return !name;
                })
                .map((el) => el.outerHTML.slice(0, 120))"""
        )
        assert not unnamed, unnamed
        charts = page.evaluate(
            """() => [...document.querySelectorAll('#wtinit-playground [role="img"]')]
                .filter((el) => el.offsetParent !== null || el.closest('[hidden]') === null)
                .map((el) => el.getAttribute('aria-label') || '')"""
        )
        assert charts and all(charts), charts


OVERFLOW = (
    """() => {
    // Anything wider than the page, or sticking out of the playground's box on the right.
    const root = %s, box = root.getBoundingClientRect();
    const out = [...root.querySelectorAll('*')]
        .filter((el) => el.getClientRects().length)
        .filter((el) => el.getBoundingClientRect().right > box.right + 1)
        .map((el) => `${el.tagName}.${el.className}`.slice(0, 80));
    return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            out: out.slice(0, 10)};
}"""
    % ROOT_JS
)


@pytest.mark.parametrize("width", [1280, 390])
def test_readable_at_page_and_phone_width(browser, server, width):
    """At the book's width and on a phone-sized screen nothing overflows sideways; screenshots
    of both modes go to _build/playground-screenshots/ for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playground(browser, server, width=width, height=900) as page:
        overflow = page.evaluate(OVERFLOW)
        assert overflow == {"page": 0, "out": []}, overflow
        # For the pictures only: the theme's sticky header would cover part of a tall element.
        page.add_style_tag(content=".bd-header, .skip-link { position: static !important; }")
        page.locator("#wtinit-playground").screenshot(path=str(SHOTS / f"signal-{width}px.png"))
        page.evaluate("() => window.wtinitPlayground.select('train')")
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'idle'")
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_function(f"() => Number({ROOT_JS}.dataset.trainEpoch) >= 100")
        overflow = page.evaluate(OVERFLOW)
        assert overflow == {"page": 0, "out": []}, overflow
        page.locator("#wtinit-playground").screenshot(path=str(SHOTS / f"train-{width}px.png"))
        page.get_by_role("button", name="Pause").click()
    for mode in ("signal", "train"):
        assert (SHOTS / f"{mode}-{width}px.png").stat().st_size > 10_000


# --- 5. training animates, the page stays responsive --------------------------------------------


def test_training_animates_and_the_page_responds(browser, server):
    """Training runs in a worker and sends a picture every chunk: the charts change many times,
    the page keeps drawing frames while it trains, and a control reacts meanwhile: the signal
    mode updates and Pause stops the epochs. (How smooth the frames are, and how fast an update
    is, is measured by benchmarks/playground_latency.py, not asserted: speed on a shared
    machine is not a property of the page.)"""
    with playground(browser, server) as page:
        page.evaluate("() => window.wtinitPlayground.select('train')")
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'idle'")
        form = page.get_by_role("form", name="Training")
        form.get_by_label("epochs").select_option("15000")
        form.get_by_label("layers").select_option("32,32,32")
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'idle'")
        page.evaluate(
            """() => {
                window.frames_seen = []; window.epochs_seen = new Set();
                const loop = (t) => {
                    window.frames_seen.push(t);
                    window.epochs_seen.add(%s.dataset.trainEpoch);
                    if (window.frames_seen.length < 100000) requestAnimationFrame(loop);
                };
                requestAnimationFrame(loop);
            }"""
            % ROOT_JS
        )
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_function(f"() => Number({ROOT_JS}.dataset.trainEpoch) > 0")
        page.wait_for_timeout(2000)
        # While it trains: the signal tab, a slider step, an update.
        page.evaluate("() => window.wtinitPlayground.select('signal')")
        start = page.evaluate("() => performance.now()")
        signal_form(page).get_by_label("depth").press("ArrowRight")
        wait_for_signal(page, {"depth": 11}, timeout=10_000)
        signal_ms = page.evaluate("() => performance.now()") - start
        page.evaluate("() => window.wtinitPlayground.select('train')")
        page.wait_for_timeout(1000)
        frames, epochs = page.evaluate("() => [window.frames_seen, [...window.epochs_seen]]")
        pause = page.get_by_role("button", name="Pause")
        pause.click()
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'paused'")
        stopped = page.evaluate(f"() => Number({ROOT_JS}.dataset.trainEpoch)")
        page.wait_for_timeout(800)
        assert page.evaluate(f"() => Number({ROOT_JS}.dataset.trainEpoch)") == stopped
    print(
        f"\ntraining: {len(frames)} frames, {len(epochs)} distinct epochs drawn, signal update "
        f"while training {signal_ms:.0f} ms (timings: benchmarks/playground_latency.py)"
    )
    # the page kept drawing (frames, epochs) and answered a control while it trained
    assert len(epochs) >= 10 and len(frames) >= 60, (len(epochs), len(frames))
    assert 0 < stopped < 15000


# --- 6. offline, without JavaScript, without workers, vendored files ------------------------------


def test_without_javascript_the_page_still_reads(browser, server):
    """JavaScript off: the playground's note shows, and the chapter's static figures stay."""
    with playground(browser, server, javascript=False) as page:
        note = page.locator("#wtinit-playground .wtp-fallback")
        assert note.is_visible()
        assert "JavaScript" in note.inner_text()
        assert page.locator("#wtinit-playground select, #wtinit-playground input").count() == 0
        figures = page.locator("article img")
        assert figures.count() >= 5
        for i in range(figures.count()):
            figures.nth(i).scroll_into_view_if_needed()
            assert figures.nth(i).evaluate("(img) => img.complete && img.naturalWidth > 0")


def test_without_workers_the_page_computes_itself(browser, server):
    """Where a worker cannot start (a page opened from file://), the page runs the same engine
    itself (?workers=0 forces that path by hand)."""
    with playground(browser, server, workers=False) as page:
        got = set_signal(page, 10, 100, "relu", "he_normal", 1.0, 3)
        assert got["workers"] == 1 and not outside_band(CONFIGS[2], "act_stds", got["act_stds"])
        page.evaluate("() => window.wtinitPlayground.select('train')")
        page.wait_for_function(f"() => {ROOT_JS}.dataset.trainState === 'idle'")
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_function(f"() => Number({ROOT_JS}.dataset.trainEpoch) >= 50")
        page.get_by_role("button", name="Pause").click()


def test_vendored_files_are_recorded():
    """uPlot's files, license and version, and the compiled kernels, match VENDOR.json (what
    tools/vendor_js.py wrote); the kernels were built from the kernels.wat in the repository."""
    assert vendor_js.check() == []
    manifest = json.loads(vendor_js.MANIFEST.read_text(encoding="utf-8"))
    version = manifest["uplot"]["version"]
    head = (vendor_js.VENDOR / "uplot" / "uPlot.iife.min.js").read_text(encoding="utf-8")[:80]
    assert f"(v{version})" in head
    assert "MIT License" in (vendor_js.VENDOR / "uplot" / "LICENSE").read_text(encoding="utf-8")
