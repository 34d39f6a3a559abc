"""Estimators, bias, variance, standard error and confidence intervals (§5.4) against numpy, scipy.stats and the
closed forms of the section, checked by simulation with stated Monte-Carlo tolerances."""

import numpy as np
import pytest
from scipy import stats

from dlbook.estimators import (bernoulli_mean_variance, bias_variance, expected_sample_variance,
                               mean_confidence_interval, normal_quantile, sample_mean, sample_variance,
                               sample_variance_std, simulate_estimates, standard_error_of_mean)

RNG = np.random.default_rng(1)
DATA = RNG.normal(2.0, 1.5, size=(8, 25))


def test_mean_and_variance_match_numpy() -> None:
    np.testing.assert_allclose(sample_mean(DATA), DATA.mean(axis=1), rtol=1e-14)
    np.testing.assert_allclose(sample_variance(DATA), DATA.var(axis=1), rtol=1e-12)
    np.testing.assert_allclose(sample_variance(DATA, unbiased=True), DATA.var(axis=1, ddof=1), rtol=1e-12)
    assert isinstance(sample_mean(DATA[0]), float) and isinstance(sample_variance(DATA[0]), float)


def test_standard_error_and_interval_match_scipy() -> None:
    np.testing.assert_allclose(standard_error_of_mean(DATA), stats.sem(DATA, axis=1), rtol=1e-12)
    assert normal_quantile(0.95) == pytest.approx(stats.norm.ppf(0.975), rel=1e-12)
    assert normal_quantile(0.95) == pytest.approx(1.96, abs=0.001)
    lo, hi = mean_confidence_interval(DATA[0], 0.9)
    lo2, hi2 = stats.norm.interval(0.9, loc=DATA[0].mean(), scale=stats.sem(DATA[0]))
    assert (lo, hi) == pytest.approx((lo2, hi2), rel=1e-12)


@pytest.mark.parametrize("m", [2, 5, 30])
@pytest.mark.parametrize("unbiased", [False, True])
def test_variance_closed_forms_match_chi_square(m: int, unbiased: bool) -> None:
    # (m−1)σ̃²/σ² ~ χ²(m−1): its mean and variance give E and SD of either estimator
    s2 = 2.5
    mean, var = stats.chi2(m - 1).stats(moments="mv")
    scale = s2 / (m - 1 if unbiased else m)
    assert expected_sample_variance(s2, m, unbiased=unbiased) == pytest.approx(scale * mean, rel=1e-12)
    assert sample_variance_std(s2, m, unbiased=unbiased) == pytest.approx(scale * np.sqrt(var), rel=1e-12)


@pytest.mark.parametrize("m", [3, 10])
def test_simulated_variance_bias_matches_the_formula(m: int) -> None:
    # 200,000 data sets: the Monte-Carlo SD of the mean estimate is sd/√n; we allow 5 of those
    n, s2 = 200_000, 4.0
    for unbiased in (False, True):
        est = simulate_estimates(lambda d: sample_variance(d, unbiased=unbiased),
                                 lambda rng, size: rng.normal(1.0, np.sqrt(s2), size), m, n, seed=3)
        sd = sample_variance_std(s2, m, unbiased=unbiased)
        assert abs(est.mean() - expected_sample_variance(s2, m, unbiased=unbiased)) < 5 * sd / np.sqrt(n)
        assert est.std() == pytest.approx(sd, rel=0.02)


def test_bernoulli_mean_is_unbiased_with_the_stated_variance() -> None:
    theta, m, n = 0.3, 20, 200_000
    est = simulate_estimates(sample_mean, lambda rng, size: rng.random(size) < theta, m, n, seed=4)
    var = bernoulli_mean_variance(theta, m)
    assert var == pytest.approx(stats.binom(m, theta).var() / m**2, rel=1e-12)
    report = bias_variance(est, theta)
    assert abs(report.bias) < 5 * np.sqrt(var / n)
    assert report.variance == pytest.approx(var, rel=0.02)


def test_mse_is_bias_squared_plus_variance_exactly() -> None:
    est = RNG.normal(0.3, 2.0, size=1000)
    r = bias_variance(est, 0.0)
    assert r.mse == pytest.approx(r.bias**2 + r.variance, rel=1e-12)
    assert r.mse == pytest.approx(np.mean(est**2), rel=1e-12)
    assert r.std == pytest.approx(np.std(est), rel=1e-12)


def test_confidence_interval_coverage_is_near_95_percent() -> None:
    # 20,000 data sets of m = 200 Gaussian samples: the normal-approximation 95% interval covers μ in ~95% of them;
    # the binomial SD of the coverage is ~0.0015, and the t-vs-normal gap at m = 200 is ~0.0005
    data = np.random.default_rng(5).normal(3.0, 2.0, size=(20_000, 200))
    lo, hi = mean_confidence_interval(data)
    assert abs(np.mean((lo < 3.0) & (3.0 < hi)) - 0.95) < 0.006


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="at least 2 samples"):
        sample_variance(np.ones(1), unbiased=True)
    with pytest.raises(ValueError, match="x must be 1-D or 2-D"):
        sample_mean(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="level must be in \\(0, 1\\)"):
        normal_quantile(1.0)
    with pytest.raises(ValueError, match="theta must be a probability"):
        bernoulli_mean_variance(1.5, 3)
    with pytest.raises(ValueError, match="m must be in \\[2"):
        expected_sample_variance(1.0, 1)
    with pytest.raises(ValueError, match="draw must return"):
        simulate_estimates(sample_mean, lambda rng, size: np.zeros(3), 4, 2)
    with pytest.raises(ValueError, match="one estimate per data set"):
        simulate_estimates(lambda d: d, lambda rng, size: np.zeros(size), 4, 2)
    with pytest.raises(ValueError, match="true_value must be finite"):
        bias_variance(np.ones(3), np.nan)


def test_bernoulli_variance_rejects_non_probabilities() -> None:
    from dlbook.estimators import bernoulli_mean_variance

    assert bernoulli_mean_variance(0.5, 4) == 0.0625
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="probability"):
            bernoulli_mean_variance(bad, 4)
