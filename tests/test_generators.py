"""Cholesky sampling against np.cov and the factor; the change of variables integrates to one."""

import numpy as np
import pytest
from scipy.stats import norm

from dlbook.generators import change_of_variables_density, cholesky_sample


def test_cholesky_samples_have_the_target_mean_and_covariance():
    S = np.array([[2.0, 0.8, -0.3], [0.8, 1.0, 0.2], [-0.3, 0.2, 0.5]])
    m = np.array([1.0, -2.0, 0.5])
    z = np.random.default_rng(0).standard_normal((200_000, 3))
    x = cholesky_sample(m, S, z)
    np.testing.assert_allclose(np.cov(x.T), S, atol=0.02)
    np.testing.assert_allclose(x.mean(0), m, atol=0.02)
    # exact: x − μ = z Lᵀ with L the numpy Cholesky factor, and L Lᵀ = Σ
    np.testing.assert_allclose(cholesky_sample(m, S, np.eye(3)) - m, np.linalg.cholesky(S).T, atol=1e-14)


def test_change_of_variables_integrates_to_one():
    # g(z) = exp(z): x is log-normal; density p_z(log x) / x
    x = np.linspace(1e-6, 200, 400_001)
    p = change_of_variables_density(x, norm.pdf, np.log, lambda t: 1 / t)
    assert np.trapezoid(p, x) == pytest.approx(1.0, abs=1e-4)
    np.testing.assert_allclose(p[1000:1010], norm.pdf(np.log(x[1000:1010])) / x[1000:1010])


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="positive definite"):
        cholesky_sample([0, 0], [[1, 2], [2, 1]], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="symmetric"):
        cholesky_sample([0, 0], [[1, 0.5], [0, 1]], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="columns"):
        cholesky_sample([0, 0], np.eye(2), np.zeros((1, 3)))
