"""Tests for the helpers chapter 3 added to diagnostics and plotting."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from wtinit_lib import diagnostics  # noqa: E402


def test_random_matrix_product_norms_first_step_and_shape():
    norms = diagnostics.random_matrix_product_norms(4, 3, 1.0, seed=0)
    M = np.random.default_rng(0).normal(0.0, 1.0, size=(4, 4))
    assert norms.shape == (3,)
    assert math.isclose(norms[0], np.linalg.norm(M) / 2.0, rel_tol=1e-12)


def test_random_matrix_product_norms_matches_direct_product():
    rng = np.random.default_rng(5)
    product = np.eye(6)
    direct = []
    for _ in range(10):
        product = product @ rng.normal(0.0, 0.7, size=(6, 6))
        direct.append(np.linalg.norm(product) / math.sqrt(6))
    np.testing.assert_allclose(
        diagnostics.random_matrix_product_norms(6, 10, 0.7, seed=5), direct, rtol=1e-10
    )


def test_random_matrix_product_norms_growth_rate_and_overflow():
    n = 100
    big = diagnostics.random_matrix_product_norms(n, 50, 2.0 / math.sqrt(n), seed=1)
    assert 1e13 < big[-1] < 1e17  # about 2**50 = 1.1e15
    huge = diagnostics.random_matrix_product_norms(n, 400, 10.0 / math.sqrt(n), seed=1)
    assert np.isinf(huge[-1])  # 10**400 is beyond float64, reported as inf


@pytest.mark.parametrize("bad", [{"n": 0}, {"num_matrices": 0}, {"std": 0.0}, {"std": -1.0}])
def test_random_matrix_product_norms_rejects_bad_arguments(bad):
    kwargs = {"n": 3, "num_matrices": 2, "std": 1.0} | bad
    with pytest.raises(ValueError):
        diagnostics.random_matrix_product_norms(**kwargs)
