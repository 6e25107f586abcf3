"""wtinit_lib.datasets: shapes, labels, geometry, seeding and bad input.

The toy problems (circles, moons, spirals) are generated with numpy and seeded; digits is the
8x8 set bundled with scikit-learn; one_hot and train_test_split are the two helpers.
"""

import numpy as np
import pytest

from wtinit_lib import datasets


@pytest.mark.parametrize(
    "make, n",
    [
        (lambda: datasets.circles(300), 300),
        (lambda: datasets.circles(301), 301),
        (lambda: datasets.moons(200), 200),
        (lambda: datasets.spirals(50, 4), 200),
    ],
)
def test_shapes_and_dtypes(make, n):
    X, y = make()
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))


def test_circles_geometry_without_noise():
    X, y = datasets.circles(n=200, noise=0.0, factor=0.3, seed=1)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    assert np.sum(y == 0) == 100 and np.sum(y == 1) == 100


def test_circles_noise_has_the_requested_std():
    X, y = datasets.circles(n=20_000, noise=0.05, seed=0)
    clean, _ = datasets.circles(n=20_000, noise=0.0, seed=0)
    # Same seed, same shuffle: the difference is the noise alone.
    np.testing.assert_allclose(np.std(X - clean), 0.05, rtol=0.03)


def test_moons_geometry_without_noise():
    X, y = datasets.moons(n=100, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_spirals_labels_and_balance():
    X, y = datasets.spirals(n_per_class=30, classes=5, noise=0.0)
    assert set(y.tolist()) == set(range(5))
    assert np.all(np.bincount(y) == 30)
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + 1e-12


@pytest.mark.parametrize("make", [datasets.circles, datasets.moons, datasets.spirals])
def test_seeded_generators_are_reproducible(make):
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    X4, y4 = make(seed=np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X4)


def test_rows_are_shuffled():
    _, y = datasets.circles(n=300)
    assert 0 < np.mean(y[:150]) < 1


def test_digits():
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and set(y.tolist()) == set(range(10))
    assert X.min() == 0.0 and X.max() == 1.0
    X_raw, _ = datasets.digits(scale=False)
    assert X_raw.max() == 16.0


def test_one_hot():
    Y = datasets.one_hot(np.array([2, 0, 1, 2]))
    np.testing.assert_array_equal(Y, np.eye(3)[[2, 0, 1, 2]])
    assert Y.dtype == np.float64
    assert datasets.one_hot([0, 1], num_classes=4).shape == (2, 4)
    np.testing.assert_array_equal(datasets.one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


def test_train_test_split():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_fraction=0.25, seed=0)
    assert X_train.shape == (15, 2) and X_test.shape == (5, 2)
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay paired
    np.testing.assert_array_equal(X_test[:, 0] // 2, y_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    again = datasets.train_test_split(X, y, test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(again[3], y_test)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: datasets.circles(n=1), ValueError, r"`n`.*>= 2.*n=1"),
        (lambda: datasets.circles(n=10.5), TypeError, r"`n` must be an int >= 2.*n=10.5"),
        (lambda: datasets.circles(n=True), TypeError, r"`n`.*n=True"),
        (lambda: datasets.circles(noise=-0.1), ValueError, r"`noise`.*non-negative.*noise=-0.1"),
        (lambda: datasets.circles(noise="a"), TypeError, r"`noise`.*noise='a'"),
        (lambda: datasets.circles(factor=1.0), ValueError, r"`factor`.*\(0, 1\).*factor=1.0"),
        (lambda: datasets.circles(factor=None), TypeError, r"`factor`.*factor=None"),
        (lambda: datasets.circles(seed=-1), ValueError, r"`seed`.*seed=-1"),
        (lambda: datasets.circles(seed="x"), TypeError, r"`seed`.*seed='x'"),
        (lambda: datasets.moons(n=0), ValueError, r"`n`.*n=0"),
        (lambda: datasets.moons(noise=float("nan")), ValueError, r"`noise`.*noise=nan"),
        (lambda: datasets.spirals(n_per_class=0), ValueError, r"`n_per_class`.*n_per_class=0"),
        (lambda: datasets.spirals(classes=1), ValueError, r"`classes`.*>= 2.*classes=1"),
        (
            lambda: datasets.digits(scale="yes"),
            TypeError,
            r"`scale` must be True or False.*scale='yes'",
        ),
        (lambda: datasets.one_hot([[0, 1]]), ValueError, r"`y`.*1-D.*\(1, 2\)"),
        (lambda: datasets.one_hot([-1, 0]), ValueError, r"`y`.*non-negative.*-1"),
        (lambda: datasets.one_hot([0.5, 1.0]), ValueError, r"`y`.*integer labels.*float64"),
        (lambda: datasets.one_hot([0, 3], num_classes=3), ValueError, r"`num_classes`.*3"),
        (lambda: datasets.one_hot([0], num_classes=0), ValueError, r"`num_classes`.*0"),
        (
            lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(5)),
            ValueError,
            r"`X` and `y`.*same number of rows.*\(4, 2\).*\(5,\)",
        ),
        (
            lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(4), test_fraction=1.0),
            ValueError,
            r"`test_fraction`.*\(0, 1\).*test_fraction=1.0",
        ),
        (
            lambda: datasets.train_test_split(np.zeros((4, 2)), np.zeros(4), test_fraction="0.2"),
            TypeError,
            r"`test_fraction`.*test_fraction='0.2'",
        ),
        (
            lambda: datasets.train_test_split(np.zeros((1, 2)), np.zeros(1), test_fraction=0.5),
            ValueError,
            r"1 rows.*test_fraction=0.5.*at least one row",
        ),
        (
            lambda: datasets.train_test_split(np.float64(1.0), np.zeros(1)),
            ValueError,
            r"`X` and `y`.*one row per example",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- rare_large_inputs ---------------------------------------------------------------------------


def _plane(x):
    return x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3


def test_rare_large_inputs_add_one_loud_example_every_few_steps():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    Y = _plane(X)
    batches = datasets.rare_large_inputs(X, Y, every=5, scale=100.0, target=_plane, seed=0)
    for epoch in [1, 2, 4, 6, 9]:
        ((Xb, Yb),) = batches(epoch)
        assert Xb is X and Yb is Y
    ((Xb, Yb),) = batches(10)
    assert Xb.shape == (21, 3) and Yb.shape == (21, 1)
    np.testing.assert_array_equal(Xb[:20], X)
    np.testing.assert_allclose(Yb[20], _plane(Xb[20:])[0])  # the target at the loud x


def test_rare_large_inputs_are_fresh_of_the_requested_scale_and_seeded():
    X, Y = np.zeros((4, 2)), np.zeros((4, 1))
    batches = datasets.rare_large_inputs(X, Y, every=1, scale=50.0, target=lambda x: x[:, :1])
    loud = np.array([batches(k)[0][0][-1] for k in range(1, 4001)])
    # 8000 draws of 50 N(0, 1): std 50 within 3 standard errors (50 / sqrt(2 * 8000))
    assert abs(loud.std() - 50.0) < 3 * 50.0 / np.sqrt(2 * loud.size)
    assert abs(loud.mean()) < 3 * 50.0 / np.sqrt(loud.size)
    # a step's draw depends on (seed, step) only, not on the steps asked before
    again = datasets.rare_large_inputs(X, Y, every=1, scale=50.0, target=lambda x: x[:, :1])
    np.testing.assert_array_equal(again(17)[0][0][-1], loud[16])
    other = datasets.rare_large_inputs(X, Y, every=1, scale=50.0, target=lambda x: x[:, :1], seed=1)
    assert not np.array_equal(other(17)[0][0][-1], loud[16])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"every": 0}, ValueError, "`every`"),
        ({"scale": -1.0}, ValueError, "`scale`"),
        ({"target": 3}, TypeError, "`target` must be a function"),
        ({"seed": -1}, ValueError, "`seed`"),
        ({"Y": np.zeros((5, 1))}, ValueError, r"same number of rows.*Y.shape=\(5, 1\)"),
    ],
)
def test_rare_large_inputs_bad_arguments(kwargs, error, match):
    arguments = {
        "X": np.zeros((4, 2)),
        "Y": np.zeros((4, 1)),
        "every": 2,
        "scale": 1.0,
        "target": lambda x: x[:, :1],
    }
    with pytest.raises(error, match=match):
        datasets.rare_large_inputs(**{**arguments, **kwargs})
