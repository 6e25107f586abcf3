"""wtinit_lib.schemes: each preset of residual_init sets what its paper prescribes (checked
against the formulas written here, not against the depth rules it calls), a ResidualInit is a
plain frozen record, and bad names or depths get clear errors."""

from __future__ import annotations

import dataclasses
import math

import pytest

from wtinit_lib import schemes


def test_presets():
    L = 16
    assert schemes.residual_init("he", L) == schemes.ResidualInit()
    assert schemes.residual_init("zero_last", L).last == "zeros"
    fixup = schemes.residual_init("fixup", L)
    assert fixup.branch_gain == pytest.approx(1 / math.sqrt(16), rel=1e-15)  # L^(-1/(2m-2))
    assert (fixup.last, fixup.output, fixup.branch_scale) == ("zeros", "zeros", 1.0)
    assert schemes.residual_init("fixup", L, m=3).branch_gain == pytest.approx(16**-0.25)
    for name in ("rezero", "skipinit"):
        assert schemes.residual_init(name, L).branch_scale == 0.0
    gpt2 = schemes.residual_init("gpt2", L)
    assert gpt2.last_gain == 1 / math.sqrt(L)  # N = 2 n_layer = L residual layers
    assert all(getattr(gpt2, f).config == {"std": 0.02, "mean": 0.0} for f in ("input", "output"))
    xavier = schemes.residual_init("xavier", L)
    assert {xavier.input, xavier.branch, xavier.last, xavier.output} == {"glorot_normal"}
    deep = schemes.residual_init("deepnorm", L)  # N = 8 transformer layers
    assert deep.skip_scale == pytest.approx((2 * 8) ** 0.25, rel=1e-15)
    assert deep.branch_gain == deep.last_gain == pytest.approx((8 * 8) ** -0.25, rel=1e-15)


def test_a_residual_init_is_a_frozen_record():
    spec = schemes.ResidualInit(last_gain=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.last_gain = 1.0
    assert dataclasses.replace(spec, last_gain=1.0) == schemes.ResidualInit()
    assert schemes.PRESETS[:3] == ("he", "zero_last", "fixup")


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`init` must be one of 'he'.*init='t-fixup'"):
        schemes.residual_init("t-fixup", 4)
    with pytest.raises(ValueError, match=r"`num_blocks` must be an int >= 1.*num_blocks=0"):
        schemes.residual_init("he", 0)
    with pytest.raises(ValueError, match=r"`num_blocks` must be even. Received: num_blocks=5"):
        schemes.residual_init("deepnorm", 5)
