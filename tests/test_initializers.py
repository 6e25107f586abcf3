"""wtinit_lib.initializers: formulas, Keras's truncated normal, orthogonality, seeds, names, the
``Initializer`` class, the families (factories of initializers), lookup and every bad input.

An initializer is called ``init(shape, rng=None, dtype=np.float64)``; a family is a function of
its parameters that returns one (``random_normal(std=10.0)``). Statistical bounds are chosen so
they cannot flake: with 10^6 draws the sample std of a normal is within about 0.07% of the true
std (one standard error), so a 2% bound is ~28 standard errors away. All draws use fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import initializers as init

# A dense shape and two conv shapes, each with about 10^6 entries.
DENSE = (1000, 1000)
DENSE_RECT = (2000, 500)
CONV = (3, 3, 256, 512)  # fan_in 2304, fan_out 4608, 1.18e6 entries
SHAPES = [DENSE, DENSE_RECT, CONV]


def fans(shape):
    """The fans computed by hand, independently of the library."""
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = math.prod(shape[:-2])
    return rf * shape[-2], rf * shape[-1]


def expected_variance(name, shape):
    fan_in, fan_out = fans(shape)
    return {
        "lecun": 1.0 / fan_in,
        "glorot": 2.0 / (fan_in + fan_out),
        "he": 2.0 / fan_in,
    }[name]


# --- the formulas -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rule", ["lecun", "glorot", "he"])
def test_normal_std_equals_formula(rule, shape):
    w = init.get(f"{rule}_normal")(shape, rng=0)
    assert w.shape == shape and w.dtype == np.float64
    std = math.sqrt(expected_variance(rule, shape))
    assert abs(w.std() / std - 1.0) < 0.02
    assert abs(w.mean()) < 0.02 * std


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rule", ["lecun", "glorot", "he"])
def test_uniform_limit_equals_formula(rule, shape):
    w = init.get(f"{rule}_uniform")(shape, rng=1)
    limit = math.sqrt(3.0 * expected_variance(rule, shape))
    assert np.abs(w).max() <= limit
    assert w.max() > 0.999 * limit and w.min() < -0.999 * limit
    assert abs(w.std() / (limit / math.sqrt(3.0)) - 1.0) < 0.02


def test_named_limits_written_out():
    # The closed forms of the papers, for one dense shape: (n_in, n_out) = (400, 100).
    shape = (400, 100)
    cases = {
        "glorot_uniform": math.sqrt(6.0 / 500),
        "he_uniform": math.sqrt(6.0 / 400),
        "lecun_uniform": math.sqrt(3.0 / 400),
    }
    for name, limit in cases.items():
        w = init.get(name)(shape, rng=2)
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.99 * limit


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["normal", "truncated_normal", "uniform"])
def test_variance_scaling_variance(mode, distribution):
    shape = CONV
    fan_in, fan_out = fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    w = init.variance_scaling(scale=3.0, mode=mode, distribution=distribution)(shape, rng=3)
    assert abs(w.std() / math.sqrt(3.0 / n) - 1.0) < 0.02


@pytest.mark.parametrize(
    "name, rule, distribution",
    [
        (f"{rule}_{dist}", rule, dist)
        for rule in ("lecun", "glorot", "he")
        for dist in ("normal", "uniform")
    ],
)
def test_each_preset_is_variance_scaling_with_its_rule(name, rule, distribution):
    scale, mode = init.RULES[rule]
    core = init.variance_scaling(scale, mode, distribution)
    np.testing.assert_array_equal(init.get(name)((30, 20), rng=5), core((30, 20), rng=5))


def test_random_normal_and_uniform_and_constants():
    w = init.random_normal(std=0.3, mean=1.0)((1000, 1000), rng=4)
    assert abs(w.std() / 0.3 - 1) < 0.02 and abs(w.mean() - 1.0) < 0.01
    u = init.random_uniform(limit=0.2)((1000, 1000), rng=4)
    assert np.abs(u).max() <= 0.2 and u.max() > 0.1998
    assert abs(init.random_normal()((1000, 1000), rng=5).std() / 0.05 - 1) < 0.02
    s = init.random_normal(10.0)((1000, 1000), rng=6)
    assert abs(s.std() / 10.0 - 1) < 0.02
    assert np.array_equal(init.zeros((3, 2)), np.zeros((3, 2)))
    assert np.array_equal(init.ones((3,)), np.ones(3))
    assert np.array_equal(init.constant(0.1)((2, 2), dtype=np.float32), np.full((2, 2), 0.1, "f4"))


@pytest.mark.parametrize("name", init.available())
def test_every_initializer_shape_dtype(name):
    f = init.get(name)
    for dtype in (np.float32, np.float64):
        w = f((7, 5), rng=0, dtype=dtype)
        assert w.shape == (7, 5) and w.dtype == dtype
        assert np.all(np.isfinite(w))


def test_float32_draws_are_the_float64_draws_rounded():
    for name in ("he_normal", "glorot_uniform", "orthogonal", "random_normal"):
        f = init.get(name)
        np.testing.assert_array_equal(
            f((9, 4), rng=1, dtype=np.float32), f((9, 4), rng=1).astype(np.float32)
        )


# --- Keras ----------------------------------------------------------------------------------------


def test_truncated_normal_matches_keras_he_normal(keras):
    from scipy import stats

    shape = (1000, 1000)
    ours = init.variance_scaling(2.0, "fan_in", "truncated_normal")(shape, rng=7)
    theirs = np.asarray(keras.initializers.HeNormal(seed=7)(shape, dtype="float64"))
    vs = keras.initializers.VarianceScaling(2.0, "fan_in", "truncated_normal", seed=8)
    theirs_vs = np.asarray(vs(shape, dtype="float64"))
    target_std = math.sqrt(2.0 / 1000)
    stddev = target_std / init.TRUNCATED_NORMAL_STD
    for sample in (ours, theirs, theirs_vs):
        # Same std (the variance after the cut is scale / fan) and the same cut at 2 stddev.
        assert abs(sample.std() / target_std - 1.0) < 0.02
        assert np.abs(sample).max() <= 2.0 * stddev * (1 + 1e-6)
        assert np.abs(sample).max() > 0.99 * 2.0 * stddev
    # Same distribution: quantiles within 2% of the std, and a small two-sample KS statistic
    # (the 1e-9-level critical value for 10^6 vs 10^6 draws is about 0.0045).
    qs = np.linspace(0.01, 0.99, 99)
    assert np.abs(np.quantile(ours, qs) - np.quantile(theirs, qs)).max() < 0.02 * target_std
    assert stats.ks_2samp(ours.ravel(), theirs.ravel()).statistic < 0.01
    assert stats.ks_2samp(ours.ravel(), theirs_vs.ravel()).statistic < 0.01


def test_plain_normal_is_not_truncated():
    w = init.he_normal((1000, 1000), rng=9)
    stddev_cut = 2.0 * math.sqrt(2.0 / 1000)
    # About 4.6% of a normal lies beyond 2 std: the plain normal keeps those draws.
    assert 0.04 < np.mean(np.abs(w) > stddev_cut) < 0.052


# --- orthogonal -------------------------------------------------------------------------------


@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0)])
@pytest.mark.parametrize(
    "shape", [(300, 100), (100, 300), (64, 64), (3, 3, 16, 32), (3, 3, 4, 64), (5, 2, 7)]
)
def test_orthogonal(shape, gain):
    w = init.orthogonal(gain=gain)(shape, rng=10)
    assert w.shape == shape
    flat = w.reshape(-1, shape[-1])
    rows, cols = flat.shape
    if rows >= cols:
        gram, k = flat.T @ flat, cols  # tall: orthonormal columns
    else:
        gram, k = flat @ flat.T, rows  # wide: orthonormal rows
    np.testing.assert_allclose(gram, gain**2 * np.eye(k), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(flat, compute_uv=False), gain, rtol=1e-12)


def test_orthogonal_is_uniformly_signed():
    # With the signs of R's diagonal folded in, the first entry of Q is symmetric about 0.
    orthogonal = init.orthogonal()
    firsts = np.array([orthogonal((20, 20), rng=s)[0, 0] for s in range(400)])
    assert 0.35 < np.mean(firsts > 0) < 0.65


# --- the Initializer class ------------------------------------------------------------------------


def test_presets_are_initializers_without_parameters():
    for name in ("zeros", "ones", "he_normal", "glorot_uniform", "lecun_normal"):
        preset = getattr(init, name)
        assert isinstance(preset, init.Initializer)
        assert preset.name == name and preset.config == {}
        assert repr(preset) == name
    assert "He" in init.he_normal.__doc__ and "2 / n_in" in init.he_normal.__doc__
    assert "Glorot" in init.glorot_uniform.__doc__


def test_a_family_returns_an_initializer_that_shows_its_parameters():
    normal = init.random_normal(std=10.0)
    assert isinstance(normal, init.Initializer) and normal.name == "random_normal"
    assert normal.config == {"std": 10.0, "mean": 0.0}
    assert repr(normal) == "random_normal(std=10.0, mean=0.0)"
    core = init.variance_scaling(1 / 4, "fan_avg", "uniform")
    assert core.config == {"scale": 0.25, "mode": "fan_avg", "distribution": "uniform"}
    assert repr(core) == "variance_scaling(scale=0.25, mode='fan_avg', distribution='uniform')"
    assert repr(init.random_uniform(0.2)) == "random_uniform(limit=0.2)"
    assert repr(init.orthogonal(gain=2)) == "orthogonal(gain=2.0)"  # checked values are floats
    assert repr(init.constant(1)) == "constant(value=1.0)"


def test_a_family_with_its_defaults_is_what_get_returns_for_its_name():
    for name, family in init.FAMILIES.items():
        if name == "constant":  # no default value: not reachable by name
            continue
        by_name = init.get(name)
        assert isinstance(by_name, init.Initializer)
        assert by_name.name == name and by_name.config == family().config
        np.testing.assert_array_equal(by_name((6, 4), rng=2), family()((6, 4), rng=2))
    assert set(init.FAMILIES) == {
        "constant",
        "orthogonal",
        "random_normal",
        "random_uniform",
        "variance_scaling",
    }


def _old_scaled_normal(std):
    """``initializers.scaled_normal`` before the restructure: one call ``normal(0.0, std)``."""

    def draw(shape, rng=None, dtype=np.float64):
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        return rng.normal(0.0, std, size=shape).astype(dtype, copy=False)

    return draw


@pytest.mark.parametrize("std", [1e-3, 0.5, 10.0])
def test_random_normal_with_a_std_draws_what_scaled_normal_drew(std):
    new, old = init.random_normal(std), _old_scaled_normal(std)
    for shape in ((5,), (7, 3), (2, 3, 4, 5)):
        np.testing.assert_array_equal(new(shape, rng=11), old(shape, rng=11))
        np.testing.assert_array_equal(
            new(shape, rng=11, dtype=np.float32), old(shape, rng=11, dtype=np.float32)
        )
    # Same calls on a shared Generator: the two advance it identically, layer after layer.
    g_new, g_old = np.random.default_rng(3), np.random.default_rng(3)
    for shape in ((4, 6), (6,), (6, 2)):
        np.testing.assert_array_equal(new(shape, rng=g_new), old(shape, rng=g_old))
    assert g_new.random() == g_old.random()


def test_a_family_checks_its_parameters_when_called_not_when_drawing():
    with pytest.raises(ValueError, match=r"`std`"):
        init.random_normal(std=-1.0)  # no shape yet: the factory itself refuses
    normal = init.random_normal(std=2.0)
    with pytest.raises(ValueError, match=r"`shape`"):
        normal((3, 0))  # the shape is checked by the initializer


# --- seeds, aliases, lookup -----------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in init.available() if n not in ("zeros", "ones")])
def test_seed_reproducibility(name):
    f = init.get(name)
    a = f((30, 20), rng=123)
    b = f((30, 20), rng=123)
    c = f((30, 20), rng=124)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    x1, y1 = f((30, 20), rng=g1), f((30, 20), rng=g1)
    x2, y2 = f((30, 20), rng=g2), f((30, 20), rng=g2)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, y1)  # a Generator advances between calls
    assert np.array_equal(f((30, 20), rng=7), f((30, 20), rng=np.random.default_rng(7)))


def test_none_seed_gives_fresh_draws():
    assert not np.array_equal(init.he_normal((50, 50)), init.he_normal((50, 50)))


def test_aliases():
    assert init.xavier_normal is init.glorot_normal
    assert init.xavier_uniform is init.glorot_uniform
    assert init.kaiming_normal is init.he_normal
    assert init.kaiming_uniform is init.he_uniform
    for alias, name in [
        ("xavier_normal", "glorot_normal"),
        ("xavier_uniform", "glorot_uniform"),
        ("kaiming_normal", "he_normal"),
        ("kaiming_uniform", "he_uniform"),
    ]:
        assert init.get(alias) is init.get(name)


def test_available_lists_presets_and_families_without_aliases():
    names = init.available()
    assert names == sorted(names)
    assert set(names) == {
        "zeros",
        "ones",
        "lecun_normal",
        "lecun_uniform",
        "glorot_normal",
        "glorot_uniform",
        "he_normal",
        "he_uniform",
        "orthogonal",
        "random_normal",
        "random_uniform",
        "variance_scaling",
    }
    assert not {n for n in names if n.startswith(("xavier", "kaiming"))}


def test_get_by_name_and_callable():
    assert init.get("he_normal") is init.he_normal
    orthogonal = init.get("orthogonal")
    assert orthogonal.name == "orthogonal" and orthogonal.config == {"gain": 1.0}

    def mine(shape, rng=None, dtype=np.float64):
        return np.zeros(shape, dtype)

    assert init.get(mine) is mine
    normal = init.random_normal(std=3.0)
    assert init.get(normal) is normal


def test_get_unknown_name_lists_names():
    with pytest.raises(ValueError, match="identifier") as excinfo:
        init.get("he_normall")
    msg = str(excinfo.value)
    assert "he_normall" in msg
    for name in init.available():
        assert name in msg
    with pytest.raises(ValueError, match="identifier"):
        init.get(3)
    with pytest.raises(ValueError, match="identifier='constant'"):
        init.get("constant")  # a family without defaults needs its value: constant(0.1)


# --- get_per_layer --------------------------------------------------------------------------------


def test_get_per_layer_repeats_one_spec_for_every_layer():
    inits = init.get_per_layer("he_normal", 3)
    assert inits == [init.he_normal] * 3
    normal = init.random_normal(std=0.5)
    assert init.get_per_layer(normal, 2) == [normal, normal]


def test_get_per_layer_takes_one_spec_per_layer_from_a_list_or_tuple():
    def mine(shape, rng=None, dtype=np.float64):
        return np.ones(shape, dtype)

    inits = init.get_per_layer(["zeros", mine, "xavier_uniform"], 3)
    assert inits[0] is init.zeros and inits[1] is mine and inits[2] is init.glorot_uniform
    assert init.get_per_layer(("ones", "zeros"), 2) == [init.ones, init.zeros]
    assert init.get_per_layer("orthogonal", 2)[1].config == {"gain": 1.0}


def test_get_per_layer_names_the_argument_in_its_errors():
    with pytest.raises(ValueError, match=r"`weight_init` must have one entry per layer \(3\)"):
        init.get_per_layer(["zeros", "ones"], 3, name="weight_init")
    with pytest.raises(
        ValueError, match=r"`bias_init` must be a callable or one of .*bias_init=\['zeros', 'he'\]"
    ):
        init.get_per_layer(["zeros", "he"], 2, name="bias_init")
    with pytest.raises(ValueError, match=r"`identifier` must be a callable.*identifier='nope'"):
        init.get_per_layer("nope", 2)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, exc, match",
    [
        ((3, -1), ValueError, r"`shape` must contain only positive.*\(3, -1\)"),
        ((3, 0), ValueError, r"`shape` must contain only positive"),
        ((3, 2.5), TypeError, r"`shape` must contain only ints.*2\.5"),
        ((3, True), TypeError, r"`shape` must contain only ints"),
        ((), TypeError, r"`shape` must be a non-empty tuple"),
        ("3x3", TypeError, r"`shape` must be a non-empty tuple.*3x3"),
        (-4, ValueError, r"`shape` must contain only positive"),
    ],
)
def test_bad_shapes(shape, exc, match):
    with pytest.raises(exc, match=match):
        init.he_normal(shape)
    with pytest.raises(exc, match=match):
        init.compute_fans(shape)
    with pytest.raises(exc, match=match):
        init.zeros(shape)
    with pytest.raises(exc, match=match):
        init.random_normal(1.0)(shape)


def test_bad_variance_scaling_arguments():
    with pytest.raises(ValueError, match=r"`scale` must be a positive number. Received: scale=-1"):
        init.variance_scaling(scale=-1)
    with pytest.raises(ValueError, match=r"`scale`.*scale=0"):
        init.variance_scaling(scale=0)
    with pytest.raises(ValueError, match=r"`scale`.*nan"):
        init.variance_scaling(scale=float("nan"))
    with pytest.raises(TypeError, match=r"`scale`.*'2'"):
        init.variance_scaling(scale="2")
    with pytest.raises(ValueError, match=r"`mode` must be one of 'fan_in'.*Received: mode='fan'"):
        init.variance_scaling(mode="fan")
    with pytest.raises(ValueError, match=r"`distribution` must be one of.*distribution='gauss'"):
        init.variance_scaling(distribution="gauss")
    with pytest.raises(TypeError, match=r"`dtype` must be a floating.*int32"):
        init.variance_scaling()((3, 3), dtype=np.int32)
    with pytest.raises(TypeError, match=r"`dtype` must be a floating"):
        init.he_normal((3, 3), dtype="not a dtype")
    with pytest.raises(TypeError, match=r"`dtype` must be a floating"):
        init.zeros((3, 3), dtype=int)


def test_bad_rng():
    with pytest.raises(TypeError, match=r"`rng` must be a numpy Generator.*RandomState"):
        init.he_normal((3, 3), rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match=r"`rng` must be a numpy Generator.*'7'"):
        init.he_normal((3, 3), rng="7")
    with pytest.raises(TypeError, match=r"`rng`"):
        init.he_normal((3, 3), rng=1.5)
    with pytest.raises(ValueError, match=r"`rng` must be a non-negative int or None.*rng=-1"):
        init.he_normal((3, 3), rng=-1)
    with pytest.raises(TypeError, match=r"`rng`"):
        init.random_normal(1.0)((3, 3), rng="7")


def test_bad_family_arguments():
    with pytest.raises(ValueError, match=r"`std` must be a positive number. Received: std=0"):
        init.random_normal(std=0)
    with pytest.raises(ValueError, match=r"`std`.*std=-2"):
        init.random_normal(-2)
    with pytest.raises(TypeError, match=r"`mean` must be a finite number.*'1'"):
        init.random_normal(1.0, mean="1")
    with pytest.raises(ValueError, match=r"`limit` must be a positive number.*limit=-0.1"):
        init.random_uniform(limit=-0.1)
    with pytest.raises(ValueError, match=r"`gain` must be a positive number.*gain=0"):
        init.orthogonal(gain=0)
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(5,\)"):
        init.orthogonal()((5,))
    with pytest.raises(TypeError, match=r"`value` must be a finite number.*'a'"):
        init.constant("a")
    with pytest.raises(ValueError, match=r"`value` must be a finite number.*inf"):
        init.constant(float("inf"))
