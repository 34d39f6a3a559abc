"""dlbook.prob (§3.9–3.10, §4.1) against scipy.special, scipy.stats, torch and quadrature."""

import numpy as np
import pytest
import scipy.special as sps
import scipy.stats as st
import torch
from scipy.integrate import quad

from dlbook.prob import (bernoulli_pmf, exponential_pdf, gaussian_logpdf, gaussian_pdf, laplace_pdf, log_softmax,
                         logsumexp, mixture_logpdf, mixture_moments, mixture_pdf, mixture_responsibilities,
                         multivariate_normal_logpdf, sample_mixture, sigmoid, softmax, softplus, uniform_pdf)

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 7)) * 5
EXTREME = np.array([-1e308, -1000.0, -745.0, -40.0, -1e-12, 0.0, 1e-12, 40.0, 745.0, 1000.0, 1e308])


def test_sigmoid_matches_scipy_expit_including_extremes() -> None:
    np.testing.assert_allclose(sigmoid(X), sps.expit(X), rtol=1e-14, atol=0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow warning anywhere
        s = sigmoid(EXTREME)
    np.testing.assert_allclose(s, sps.expit(EXTREME), rtol=1e-14, atol=1e-300)
    assert s[0] == 0.0 and s[-1] == 1.0
    assert isinstance(sigmoid(0.0), float) and sigmoid(0.0) == 0.5


def test_softplus_matches_torch_and_log1p_exp() -> None:
    ref = torch.nn.functional.softplus(torch.tensor(X), threshold=1e6).numpy()  # threshold off: exact formula
    np.testing.assert_allclose(softplus(X), ref, rtol=1e-12)
    np.testing.assert_allclose(softplus(X), np.logaddexp(0.0, X), rtol=1e-14)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        sp = softplus(EXTREME)
    np.testing.assert_allclose(sp, np.logaddexp(0.0, EXTREME), rtol=1e-14)
    assert sp[0] == 0.0 and sp[-1] == 1e308


def test_sigmoid_softplus_identities() -> None:
    """§3.10, eqs. 3.33–3.41, checked on a grid (closed-form relations, tolerance 1e-12)."""
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(1 - sigmoid(x), sigmoid(-x), atol=1e-15)
    np.testing.assert_allclose(np.log(sigmoid(x)), -softplus(-x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(softplus(x) - softplus(-x), x, atol=1e-12)
    h = 1e-6  # dζ/dx = σ(x) and dσ/dx = σ(1 − σ), by central differences
    np.testing.assert_allclose((softplus(x + h) - softplus(x - h)) / (2 * h), sigmoid(x), atol=1e-8)
    np.testing.assert_allclose((sigmoid(x + h) - sigmoid(x - h)) / (2 * h), sigmoid(x) * sigmoid(-x), atol=1e-8)
    p = np.linspace(0.01, 0.99, 99)  # σ⁻¹(p) = log(p / (1 − p)) and ζ⁻¹(x) = log(exp(x) − 1)
    np.testing.assert_allclose(sigmoid(np.log(p / (1 - p))), p, rtol=1e-12)
    y = np.linspace(0.1, 20, 50)
    np.testing.assert_allclose(softplus(np.log(np.expm1(y))), y, rtol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_logsumexp_matches_scipy(axis) -> None:
    np.testing.assert_allclose(logsumexp(X, axis=axis), sps.logsumexp(X, axis=axis), rtol=1e-13)
    np.testing.assert_allclose(logsumexp(X, axis=axis, keepdims=True),
                               sps.logsumexp(X, axis=axis, keepdims=True), rtol=1e-13)


def test_logsumexp_extremes_and_minus_infinity() -> None:
    big = np.array([1000.0, 1000.0, 1000.0])
    assert logsumexp(big) == pytest.approx(1000.0 + np.log(3), rel=1e-15)
    assert logsumexp(-big) == pytest.approx(-1000.0 + np.log(3), rel=1e-15)
    assert logsumexp(np.array([-np.inf, 0.0])) == 0.0
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    assert logsumexp(np.array([1e308, 1e308])) == pytest.approx(1e308, rel=1e-15)  # max + log 2: no overflow


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_and_log_softmax_match_torch(axis: int) -> None:
    t = torch.tensor(X)
    np.testing.assert_allclose(softmax(X, axis=axis), torch.softmax(t, dim=axis).numpy(), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(log_softmax(X, axis=axis), torch.log_softmax(t, dim=axis).numpy(), rtol=1e-13)
    np.testing.assert_allclose(softmax(X, axis=axis), sps.softmax(X, axis=axis), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("c", [-1e4, -1000.0, 0.0, 1000.0, 1e4])
def test_softmax_of_constant_vector_is_uniform(c: float) -> None:
    """§4.1: all inputs equal to c must give 1/n whatever c is."""
    x = np.full(5, c)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(softmax(x), np.full(5, 0.2), rtol=1e-15)
        np.testing.assert_allclose(log_softmax(x), np.full(5, -np.log(5)), rtol=1e-15)


def test_log_softmax_stays_finite_with_huge_gaps() -> None:
    x = np.array([0.0, 1000.0])
    ls = log_softmax(x)
    assert np.all(np.isfinite(ls)) and ls[0] == pytest.approx(-1000.0, rel=1e-15)
    sm = softmax(np.array([-np.inf, 0.0, 0.0]))
    np.testing.assert_allclose(sm, [0.0, 0.5, 0.5])


def test_gaussian_and_laplace_match_scipy_stats() -> None:
    x = np.linspace(-6, 6, 101)
    np.testing.assert_allclose(gaussian_pdf(x, 0.5, 1.7), st.norm.pdf(x, 0.5, 1.7), rtol=1e-13)
    np.testing.assert_allclose(gaussian_logpdf(x, -1, 0.01), st.norm.logpdf(x, -1, 0.01), rtol=1e-13)
    np.testing.assert_allclose(laplace_pdf(x, 0.3, 0.8), st.laplace.pdf(x, 0.3, 0.8), rtol=1e-13)
    assert quad(lambda t: laplace_pdf(t, 0.3, 0.8), -np.inf, np.inf)[0] == pytest.approx(1.0, abs=1e-8)


def test_mixture_density_matches_weighted_scipy_sum_and_integrates_to_one() -> None:
    w, mu, sd = np.array([0.2, 0.5, 0.3]), np.array([-2.0, 0.0, 3.0]), np.array([0.5, 1.0, 0.7])
    x = np.linspace(-6, 6, 201)
    ref = sum(wi * st.norm.pdf(x, m, s) for wi, m, s in zip(w, mu, sd))
    np.testing.assert_allclose(mixture_pdf(x, w, mu, sd), ref, rtol=1e-13)
    assert quad(lambda t: mixture_pdf(t, w, mu, sd), -np.inf, np.inf)[0] == pytest.approx(1.0, abs=1e-8)
    # far tails: the log density stays finite where the density underflows
    lp = mixture_logpdf(np.array([-200.0, 200.0]), w, mu, sd)
    assert np.all(np.isfinite(lp))
    ref_lp = sps.logsumexp(np.log(w) + st.norm.logpdf(200.0, mu, sd))
    assert lp[1] == pytest.approx(ref_lp, rel=1e-13)
    # a zero weight is allowed and simply drops the component
    np.testing.assert_allclose(mixture_pdf(x, [0.0, 1.0], [5.0, 0.0], [1.0, 1.0]), st.norm.pdf(x), rtol=1e-13)


def test_mixture_moments_against_quadrature_and_samples() -> None:
    w, mu, sd = [0.5, 0.5], [-2.0, 2.0], [0.5, 0.5]
    m, v = mixture_moments(w, mu, sd)
    assert m == pytest.approx(quad(lambda t: t * mixture_pdf(t, w, mu, sd), -np.inf, np.inf)[0], abs=1e-9)
    assert v == pytest.approx(quad(lambda t: (t - m) ** 2 * mixture_pdf(t, w, mu, sd), -np.inf, np.inf)[0], rel=1e-8)
    x, c = sample_mixture(200_000, w, mu, sd, np.random.default_rng(1))
    assert x.mean() == pytest.approx(m, abs=0.02) and x.var() == pytest.approx(v, rel=0.01)  # ~5 standard errors
    assert set(np.unique(c)) == {0, 1}


def test_mixture_variance_keeps_its_digits_far_from_the_origin() -> None:
    """Shifting every mean by 1e6 or 1e8 leaves the variance unchanged; E[x²] − E[x]² would lose it to cancellation."""
    w, mu, sd = np.array([0.3, 0.7]), np.array([-2.0, 1.5]), np.array([0.6, 1.0])
    v = mixture_moments(w, mu, sd)[1]
    assert v == pytest.approx(0.3 * 0.36 + 0.7 * 1.0 + 0.3 * 2.45**2 + 0.7 * 1.05**2, rel=1e-14)   # 3.3805
    for shift in (1e6, 1e8):
        m_s, v_s = mixture_moments(w, mu + shift, sd)
        assert m_s == pytest.approx(0.45 + shift, rel=1e-15) and v_s == pytest.approx(v, rel=1e-9)


def test_bernoulli_pmf_matches_scipy() -> None:
    np.testing.assert_allclose(bernoulli_pmf([0, 1, 1], 0.3), st.bernoulli.pmf([0, 1, 1], 0.3), rtol=1e-15)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        gaussian_pdf(0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        gaussian_logpdf(0.0, 0.0, -1.0)
    with pytest.raises(ValueError, match="scale must be finite and > 0"):
        laplace_pdf(0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="stds must all be > 0"):
        mixture_pdf(0.0, [0.5, 0.5], [0, 1], [1.0, 0.0])
    with pytest.raises(ValueError, match="weights must sum to 1"):
        mixture_pdf(0.0, [0.5, 0.6], [0, 1], [1.0, 1.0])
    with pytest.raises(ValueError, match="weights must contain probabilities"):
        mixture_pdf(0.0, [-0.5, 1.5], [0, 1], [1.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        mixture_pdf(0.0, [0.5, 0.5], [0, 1, 2], [1.0, 1.0])
    with pytest.raises(ValueError, match="must not contain NaN"):
        logsumexp([np.nan, 1.0])
    with pytest.raises(ValueError, match="must not contain NaN"):
        softmax([np.inf, 1.0])
    with pytest.raises(ValueError, match="at least one dimension"):
        softmax(3.0)
    with pytest.raises(ValueError, match="at least one entry > -inf"):
        log_softmax([-np.inf, -np.inf])
    with pytest.raises(ValueError, match="finite"):
        sigmoid([np.nan])
    with pytest.raises(ValueError, match="only 0 and 1"):
        bernoulli_pmf([0, 2], 0.5)
    with pytest.raises(ValueError, match="phi must contain probabilities"):
        bernoulli_pmf([0, 1], 1.5)
    with pytest.raises(ValueError, match="phi must be 0-D"):
        bernoulli_pmf([0, 1], [0.3, 0.7])
    with pytest.raises(ValueError, match="n must be"):
        sample_mixture(0, [1.0], [0.0], [1.0], np.random.default_rng(0))


def test_uniform_and_exponential_match_scipy() -> None:
    from scipy import stats

    x = np.linspace(-1.0, 4.0, 101)
    np.testing.assert_allclose(uniform_pdf(x, 0.5, 2.5), stats.uniform(0.5, 2.0).pdf(x), rtol=1e-14)
    np.testing.assert_allclose(exponential_pdf(x, 1.7), stats.expon(scale=1 / 1.7).pdf(x), rtol=1e-14)
    assert exponential_pdf(-1e300, 2.0) == 0.0 and np.isfinite(exponential_pdf(1e300, 2.0))
    with pytest.raises(ValueError, match="high must be > low"):
        uniform_pdf(0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="rate must be finite and > 0"):
        exponential_pdf(0.0, 0.0)


def test_multivariate_normal_matches_scipy_with_covariance_or_precision() -> None:
    from scipy import stats

    rng = np.random.default_rng(5)
    B = rng.standard_normal((3, 3))
    cov, mean = B @ B.T + 0.5 * np.eye(3), np.array([1.0, -2.0, 0.5])
    x = rng.standard_normal((20, 3))
    want = stats.multivariate_normal(mean, cov).logpdf(x)
    np.testing.assert_allclose(multivariate_normal_logpdf(x, mean, cov), want, rtol=1e-12)
    np.testing.assert_allclose(multivariate_normal_logpdf(x, mean, precision=np.linalg.inv(cov)), want, rtol=1e-10)
    assert multivariate_normal_logpdf(x[0], mean, cov) == pytest.approx(want[0], rel=1e-12)
    with pytest.raises(ValueError, match="exactly one of cov"):
        multivariate_normal_logpdf(x, mean)
    with pytest.raises(ValueError, match="cov must be symmetric positive definite"):
        multivariate_normal_logpdf(x, mean, -cov)
    with pytest.raises(ValueError, match="cov must be 3×3"):
        multivariate_normal_logpdf(x, mean, np.eye(2))


def test_mixture_responsibilities_are_bayes_rule_and_match_sampling() -> None:
    from scipy import stats

    w, mu, sd = [0.3, 0.7], [-1.0, 1.5], [0.8, 1.2]
    x = np.linspace(-4, 5, 31)
    joint = np.array(w) * stats.norm(mu, sd).pdf(x[:, None])
    np.testing.assert_allclose(mixture_responsibilities(x, w, mu, sd), joint / joint.sum(axis=1, keepdims=True),
                               rtol=1e-12)
    far = mixture_responsibilities(np.array([-1e6, 1e6]), w, mu, sd)   # far tails: finite, one-hot
    assert np.all(np.isfinite(far)) and np.allclose(far.sum(axis=1), 1.0)
    xs, c = sample_mixture(200_000, w, mu, sd, np.random.default_rng(0))
    near = np.abs(xs - 0.2) < 0.05                                     # samples that landed near x = 0.2
    assert np.mean(c[near] == 0) == pytest.approx(mixture_responsibilities(0.2, w, mu, sd)[0], abs=0.02)


def test_change_of_variables_demo_rejects_bad_scale_and_power() -> None:
    from dlbook.demos.probability import change_of_variables_compute

    with pytest.raises(ValueError, match="scale"):
        change_of_variables_compute(0.0, 1)
    with pytest.raises(ValueError, match="power"):
        change_of_variables_compute(1.0, 0)
    with pytest.raises(ValueError, match="power"):
        change_of_variables_compute(1.0, 1.5)
