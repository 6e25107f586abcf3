"""wtinit_lib.rules: the numbers the initialization rules are made of.

Fans equal Keras's ``compute_fans``; ``RULES`` and ``rule_variance`` give the variances of the
papers (LeCun et al. 1998, Glorot & Bengio 2010, He et al. 2015); ``gain`` equals PyTorch's
``calculate_gain`` table; ``TRUNCATED_NORMAL_STD`` is the std of a standard normal cut at ±2.
``initializers`` re-exports these names: the same objects, not copies.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wtinit_lib import initializers, rules

# --- fans -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", [(7,), (5, 3), (300, 20), (3, 3, 16, 32), (5, 5, 3, 64), (3, 3, 3, 8, 4), (2, 7, 11)]
)
def test_fans_equal_keras(keras, shape):
    from keras.src.initializers.random_initializers import compute_fans as keras_fans

    assert rules.compute_fans(shape) == keras_fans(shape)
    assert rules.compute_fans(list(shape)) == keras_fans(shape)


def test_fans_written_out():
    assert rules.compute_fans((7,)) == (7, 7)
    assert rules.compute_fans((400, 100)) == (400, 100)
    assert rules.compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)  # receptive field 3 x 3


def test_fan_of_each_mode():
    assert rules.fan("fan_in", 400, 100) == 400
    assert rules.fan("fan_out", 400, 100) == 100
    assert rules.fan("fan_avg", 400, 100) == 250.0
    assert rules.MODES == ("fan_in", "fan_out", "fan_avg")


# --- the rules ----------------------------------------------------------------------------------


def test_rules_table_is_the_papers_scale_and_mode():
    assert rules.RULES == {
        "lecun": (1.0, "fan_in"),
        "glorot": (1.0, "fan_avg"),
        "he": (2.0, "fan_in"),
    }


@pytest.mark.parametrize("fan_in, fan_out", [(400, 100), (100, 400), (1, 1), (2304, 4608)])
def test_rule_variance_equals_the_papers_formulas(fan_in, fan_out):
    assert rules.rule_variance("lecun", fan_in, fan_out) == pytest.approx(1.0 / fan_in, rel=1e-15)
    assert rules.rule_variance("glorot", fan_in, fan_out) == pytest.approx(
        2.0 / (fan_in + fan_out), rel=1e-15
    )
    assert rules.rule_variance("he", fan_in, fan_out) == pytest.approx(2.0 / fan_in, rel=1e-15)


def test_rule_variance_accepts_the_aliases_xavier_and_kaiming():
    assert rules.rule_variance("xavier", 30, 10) == rules.rule_variance("glorot", 30, 10)
    assert rules.rule_variance("kaiming", 30, 10) == rules.rule_variance("he", 30, 10)


@pytest.mark.parametrize("rule", ["lecun", "glorot", "he"])
@pytest.mark.parametrize("distribution", ["normal", "uniform"])
def test_rule_variance_is_the_variance_the_preset_draws(rule, distribution):
    shape = (1000, 500)
    w = initializers.get(f"{rule}_{distribution}")(shape, rng=0)
    # 5e5 draws: the sample variance is within ~0.4% (two standard errors) of the true one.
    assert w.var() == pytest.approx(rules.rule_variance(rule, *shape), rel=0.02)


def test_rule_variance_rejects_an_unknown_rule():
    with pytest.raises(ValueError, match=r"`rule` must be one of 'lecun'.*'kaiming'.*rule='msra'"):
        rules.rule_variance("msra", 3, 3)


# --- truncated normal -------------------------------------------------------------------------


def test_truncated_normal_std_is_the_std_of_a_normal_cut_at_two():
    from scipy import stats

    assert rules.TRUNCATED_NORMAL_STD == pytest.approx(stats.truncnorm(-2, 2).std(), rel=1e-15)


# --- gain ---------------------------------------------------------------------------------------


def test_gain_equals_pytorch_table():
    # torch.nn.init.calculate_gain, as documented by PyTorch.
    assert rules.gain("linear") == 1.0
    assert rules.gain("sigmoid") == 1.0
    assert rules.gain("conv") == 1.0
    assert rules.gain("tanh") == pytest.approx(5.0 / 3.0, rel=1e-15)
    assert rules.gain("relu") == pytest.approx(math.sqrt(2.0), rel=1e-15)
    assert rules.gain("selu") == 0.75
    assert rules.gain("leaky_relu") == pytest.approx(math.sqrt(2.0 / (1 + 0.01**2)), rel=1e-15)
    assert rules.gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2.0 / 1.04), rel=1e-15)
    assert rules.gain("leaky_relu", 0) == pytest.approx(math.sqrt(2.0), rel=1e-15)


def test_bad_gain_arguments():
    with pytest.raises(
        ValueError, match=r"`activation` must be one of.*Received: activation='gelu'"
    ):
        rules.gain("gelu")
    with pytest.raises(ValueError, match=r"`negative_slope`.*negative_slope=-0.1"):
        rules.gain("leaky_relu", -0.1)
    with pytest.raises(TypeError, match=r"`negative_slope`.*'0.1'"):
        rules.gain("leaky_relu", "0.1")


# --- re-exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["RULES", "TRUNCATED_NORMAL_STD", "compute_fans", "gain", "rule_variance"]
)
def test_initializers_re_exports_the_same_object(name):
    assert getattr(initializers, name) is getattr(rules, name)
    assert name in initializers.__all__


def test_bad_shapes_are_rejected_by_compute_fans():
    with pytest.raises(ValueError, match=r"`shape` must contain only positive"):
        rules.compute_fans((3, 0))
    with pytest.raises(TypeError, match=r"`shape` must contain only ints"):
        rules.compute_fans((3, np.float64(2.0)))


# --- depth rules of residual networks ---------------------------------------------------------


def test_depth_rules_against_hand_values():
    assert rules.fixup_scale(64) == 0.125  # 64^(-1/2)
    assert rules.fixup_scale(8, m=3) == pytest.approx(8**-0.25, rel=1e-15)
    assert rules.fixup_scale(1) == 1.0
    assert rules.gpt2_residual_std(12) == pytest.approx(0.02 / math.sqrt(24), rel=1e-15)
    assert rules.gpt2_residual_std(48, std=0.01) == pytest.approx(0.01 / math.sqrt(96), rel=1e-15)
    alpha, beta = rules.deepnorm_constants(6)
    assert alpha == pytest.approx(12**0.25, rel=1e-15) and beta == pytest.approx(
        48**-0.25, rel=1e-15
    )
    # α grows as N^(1/4) and β shrinks as N^(-1/4): their product is (2/8)^(1/4) at any N
    for N in (1, 18, 200):
        a, b = rules.deepnorm_constants(N)
        assert a * b == pytest.approx((2 / 8) ** 0.25, rel=1e-14)


def test_bad_depth_rule_arguments():
    with pytest.raises(ValueError, match=r"`num_branches` must be an int >= 1.*num_branches=0"):
        rules.fixup_scale(0)
    with pytest.raises(ValueError, match=r"`m` must be an int >= 2. Received: m=1"):
        rules.fixup_scale(4, m=1)
    with pytest.raises(TypeError, match=r"`n_layer` must be an int >= 1.*n_layer=1.5"):
        rules.gpt2_residual_std(1.5)
    with pytest.raises(ValueError, match=r"`std` must be a positive number.*std=0"):
        rules.gpt2_residual_std(4, std=0)
    with pytest.raises(ValueError, match=r"`num_layers` must be an int >= 1.*num_layers=0"):
        rules.deepnorm_constants(0)
