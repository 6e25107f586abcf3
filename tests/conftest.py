"""Shared settings and fixtures of the unit tests (tests/ and tests/book/).

- matplotlib draws with the Agg backend: no window, no inline display, the same pixels on every
  machine. It is selected here, once, before any test module imports pyplot.
- TensorFlow is asked to stay quiet when a test imports it (the tests that compare with
  TensorFlow skip when it is not installed).
- Fixtures: ``tf`` and ``keras`` (the modules, or a skip), ``make_net`` (a small network with
  clearly non-zero biases and data for it), ``rel_err`` (an independent relative error),
  ``binary_data`` (a small two-class data set) and ``no_show`` (fails on ``plt.show()`` and
  closes every figure afterwards).
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

#: The layer sizes of ``make_net``'s default network, and its number of examples.
SIZES = (4, 6, 5, 3)
N = 16


@pytest.fixture(scope="session")
def tf():
    """TensorFlow, or a skip when it is not installed."""
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="session")
def keras():
    """Keras, or a skip when it is not installed."""
    return pytest.importorskip("keras")


def _targets(output: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    if output == "sigmoid":
        return (rng.random((n, k)) < 0.5).astype(np.float64)
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    return rng.standard_normal((n, k))


def _make_net(activation, output, sizes=SIZES, seed=0, dtype=np.float64):
    from wtinit_lib import MLP

    rng = np.random.default_rng(seed)
    net = MLP(list(sizes), activation, output, weight_init="glorot_normal", seed=seed, dtype=dtype)
    net.biases = [rng.normal(0.0, 0.5, size=b.shape) for b in net.biases]
    X = rng.standard_normal((N, sizes[0]))
    Y = _targets(output, N, sizes[-1], rng)
    return net, X, Y


@pytest.fixture
def make_net():
    """``make_net(activation, output, sizes=SIZES, seed=0, dtype=float64) -> (net, X, Y)``.

    Glorot weights and biases drawn from ``N(0, 0.25)`` (so a bug that ignores the biases shows),
    ``N = 16`` examples and targets that suit the output activation (0/1, one-hot or real).
    """
    return _make_net


def _rel_err(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


@pytest.fixture
def rel_err():
    """``rel_err(a, b) = max|a - b| / max|b|`` (a tiny floor keeps an all-zero ``b`` usable).

    Written here and not taken from ``wtinit_lib.measures``, so a test does not check the
    library with itself.
    """
    return _rel_err


@pytest.fixture
def binary_data():
    """``(X, y)``: 64 rows of 3 standard normal features, ``y = 1`` where ``x0 · x1 > 0``."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X, y


@pytest.fixture
def no_show(monkeypatch):
    """Fail on any ``plt.show()`` (the library returns figures, never shows them) and close
    every figure when the test ends."""

    def refuse(*args, **kwargs):
        raise AssertionError("wtinit_lib.plotting must never call plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")
