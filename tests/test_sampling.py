"""dlbook.sampling against scipy.integrate.quad, numpy.linalg.eig, analytic moments and scipy.stats.kstest."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from dlbook.sampling import (autocorrelation, gibbs_gaussian, importance_estimate, markov_evolve, mc_estimate,
                             ks_statistic, metropolis, optimal_proposal, parallel_tempering,
                             stationary_distribution)


def _log_normal(x, m=0.0, s=1.0):
    return -0.5 * ((x - m) / s) ** 2 - np.log(s * np.sqrt(2 * np.pi))


def test_mc_and_importance_estimates_match_quad() -> None:
    rng = np.random.default_rng(0)
    f = lambda x: np.sin(x) ** 2 + x           # noqa: E731
    exact, _ = integrate.quad(lambda x: f(x) * np.exp(_log_normal(x)), -np.inf, np.inf)
    x = rng.standard_normal(20000)
    est, se = mc_estimate(f(x))
    assert abs(est - exact) < 4 * se
    xq = rng.normal(0.5, 1.5, 20000)
    plain = importance_estimate(f(xq), _log_normal(xq), _log_normal(xq, 0.5, 1.5))
    selfn = importance_estimate(f(xq), _log_normal(xq) + 7.0, _log_normal(xq, 0.5, 1.5) - 3.0, self_normalised=True)
    assert abs(plain - exact) < 0.05 and abs(selfn - exact) < 0.05


def test_optimal_proposal_has_zero_variance() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(1.0, 1.0, 1000)             # q* ∝ N(0,1) e^x is N(1, 1)
    w = np.exp(_log_normal(x) - _log_normal(x, 1.0)) * np.exp(x)
    assert np.var(w) < 1e-20 and np.isclose(w.mean(), np.exp(0.5))
    grid = np.linspace(-8, 10, 4001)
    q = optimal_proposal(grid, np.exp(_log_normal(grid)), np.exp(grid))
    assert np.allclose(q, np.exp(_log_normal(grid, 1.0)), atol=1e-6)


def test_stationary_distribution_matches_eig() -> None:
    A = np.array([[0.9, 0.2, 0.1], [0.05, 0.7, 0.3], [0.05, 0.1, 0.6]])
    vals, vecs = np.linalg.eig(A)
    v = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
    assert np.allclose(stationary_distribution(A), v / v.sum(), atol=1e-12)
    traj = markov_evolve(A, [1.0, 0, 0], 200)
    assert np.allclose(traj[-1], v / v.sum(), atol=1e-10) and np.allclose(traj.sum(axis=1), 1)


def test_gibbs_reproduces_moments_and_lag_one_autocorrelation() -> None:
    rho = 0.8
    s = gibbs_gaussian(rho, 1000, 100, np.random.default_rng(2))[100:]
    flat = s.reshape(-1, 2)
    assert np.allclose(flat.mean(0), 0, atol=0.05) and np.allclose(flat.var(0), 1, atol=0.06)
    assert abs(np.corrcoef(flat.T)[0, 1] - rho) < 0.02
    assert abs(autocorrelation(s[:, :, 0], 1)[1] - rho ** 2) < 0.02


def test_metropolis_passes_kstest() -> None:
    out, acc = metropolis(_log_normal, np.zeros(200), 300, 2.0, np.random.default_rng(3))
    assert 0.3 < acc.mean() < 0.7
    assert stats.kstest(out[-1], stats.norm.cdf).pvalue > 0.01   # 200 independent chains, last state


def test_parallel_tempering_visits_both_modes() -> None:
    log_p = lambda x: np.logaddexp(_log_normal(x, -4, 0.5), _log_normal(x, 4, 0.5)) - np.log(2)   # noqa: E731
    rng = np.random.default_rng(4)
    cold, swap = parallel_tempering(log_p, [1.0, 0.3, 0.1, 0.03], 20000, [0.8, 1.5, 3.0, 6.0], rng, x0=-4.0)
    plain, _ = metropolis(log_p, np.array([-4.0]), 20000, 0.8, rng)
    assert 0.35 < np.mean(cold > 0) < 0.65 and swap > 0.2
    assert np.mean(plain > 0) < 0.01                              # the single chain is stuck in its mode
    cdf = lambda x: 0.5 * (stats.norm.cdf(x, -4, 0.5) + stats.norm.cdf(x, 4, 0.5))   # noqa: E731
    assert stats.kstest(cold[::20], cdf).statistic < 0.1


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="column-stochastic"):
        stationary_distribution([[0.5, 0.5], [0.6, 0.5]])
    with pytest.raises(ValueError, match="rho"):
        gibbs_gaussian(1.0, 10, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="one entry per sample"):
        importance_estimate([1.0, 2.0], [0.0], [0.0])
    with pytest.raises(ValueError, match="start at 1"):
        parallel_tempering(lambda x: -x ** 2, [0.5, 0.1], 10, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="step_size"):
        metropolis(lambda x: -x ** 2, np.zeros(2), 10, 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="beta"):
        metropolis(lambda x: -x ** 2, np.zeros(2), 10, 1.0, np.random.default_rng(0), beta=0.0)
    with pytest.raises(ValueError, match="constant chain"):
        autocorrelation(np.ones(10), 2)
    with pytest.raises(ValueError, match="non-decreasing"):
        ks_statistic([0.0, 1.0], lambda x: 1 - x)


def test_ks_statistic_matches_kstest() -> None:
    rng = np.random.default_rng(5)
    for x in (rng.standard_normal(7), rng.standard_normal(300) + 0.2, rng.standard_t(3, 1000)):
        assert np.isclose(ks_statistic(x, stats.norm.cdf), stats.kstest(x, stats.norm.cdf).statistic, rtol=1e-12)
