"""dlbook.factor_models against scikit-learn (PCA, FactorAnalysis, FastICA, Lasso), scipy.linalg.eigh and scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from scipy.stats import multivariate_normal
from sklearn.decomposition import PCA, FactorAnalysis, FastICA
from sklearn.linear_model import Lasso

from dlbook.factor_models import (factor_analysis, fastica, ppca_fit, sfa, sparse_code_ista, sparse_code_path,
                                 spatial_spread,
                                   spectral_peak_share, whiten)


def _factor_data(m: int = 400, d: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((d, 2))
    noise = np.sqrt(rng.uniform(0.1, 1.0, d))
    return rng.standard_normal((m, 2)) @ W.T + rng.standard_normal((m, d)) * noise + 3.0


def test_ppca_closed_form_matches_sklearn_noise_variance() -> None:
    X = _factor_data()
    m = len(X)
    ours = ppca_fit(X, 2)
    sk = PCA(2).fit(X)                                   # sklearn divides by m − 1, the ML estimate by m
    assert np.isclose(ours.psi[0], sk.noise_variance_ * (m - 1) / m, rtol=1e-10)
    assert np.allclose(ours.covariance, sk.get_covariance() * (m - 1) / m, atol=1e-10)
    dens = multivariate_normal(ours.mean, ours.covariance).logpdf(X).mean()
    assert np.isclose(ours.log_likelihood(X), dens, rtol=1e-10)


def test_factor_analysis_matches_sklearn() -> None:
    X = _factor_data()
    ours = factor_analysis(X, 2, iters=3000, tol=1e-13)
    sk = FactorAnalysis(2, tol=1e-12, max_iter=5000).fit(X)
    assert np.allclose(ours.covariance, sk.get_covariance(), atol=1e-3)
    assert np.isclose(ours.log_likelihood(X), sk.score(X), atol=1e-6)
    assert np.allclose(ours.posterior_mean(X) @ ours.posterior_mean(X).T, sk.transform(X) @ sk.transform(X).T,
                       atol=1e-2)                        # the same factors up to a rotation


def test_fastica_matches_sklearn_up_to_permutation_and_sign() -> None:
    rng = np.random.default_rng(0)
    S = np.c_[rng.laplace(size=2000), rng.uniform(-1, 1, 2000)]
    X = S @ np.array([[1.0, 0.6], [0.3, 1.0]]).T
    ours = fastica(X, 2).transform(X)
    sk = FastICA(2, whiten="unit-variance", random_state=0).fit_transform(X)
    C = np.abs(np.corrcoef(ours.T, sk.T)[:2, 2:])
    assert np.allclose(np.sort(C, axis=1), [[0, 1], [0, 1]], atol=1e-3)
    assert np.allclose(np.sort(np.abs(np.corrcoef(ours.T, S.T)[:2, 2:]), axis=1)[:, 1], 1, atol=1e-2)
    Z, K, _ = whiten(X, 2)
    assert np.allclose(np.cov(Z.T, bias=True), np.eye(2), atol=1e-10)


def test_sfa_is_the_generalised_eigenproblem() -> None:
    rng = np.random.default_rng(1)
    t = np.linspace(0, 20 * np.pi, 2000)
    S = np.c_[np.sin(t / 10), np.sin(3 * t), np.cos(7 * t)]
    X = S @ rng.standard_normal((3, 3))
    ours = sfa(X, 3)
    dX = np.diff(X, axis=0)
    lam, V = scipy.linalg.eigh(dX.T @ dX / len(dX), np.cov(X.T, bias=True))
    assert np.allclose(ours.slowness, lam, rtol=1e-8)
    assert np.allclose(np.abs(ours.W), np.abs(V), atol=1e-8)
    F = ours.transform(X)
    assert np.allclose(F.mean(0), 0, atol=1e-10) and np.allclose(np.cov(F.T, bias=True), np.eye(3), atol=1e-10)
    assert abs(np.corrcoef(F[:, 0], S[:, 0])[0, 1]) > 0.999


def test_ista_has_the_lasso_support() -> None:
    rng = np.random.default_rng(2)
    D = rng.standard_normal((30, 60))
    D /= np.linalg.norm(D, axis=0)
    h_true = np.zeros(60)
    h_true[rng.choice(60, 5, replace=False)] = rng.standard_normal(5) * 3
    x = D @ h_true + 0.01 * rng.standard_normal(30)
    lam, beta = 0.5, 2.0
    ours = sparse_code_ista(x, D, lam, beta, iters=3000)
    sk = Lasso(alpha=lam / (2 * beta * 30), fit_intercept=False, tol=1e-14, max_iter=100_000).fit(D, x)
    assert np.array_equal(ours != 0, sk.coef_ != 0) and np.allclose(ours, sk.coef_, atol=1e-6)
    assert np.allclose(sparse_code_ista(np.stack([x, x]), D, lam, beta, iters=3000), [ours, ours])
    assert np.all(sparse_code_ista(x, D, 1e6, beta) == 0)          # a huge λ switches every atom off


def _correlated_dictionary(rng: np.random.Generator, d: int = 40, k: int = 80) -> np.ndarray:
    """Atoms that share a common component (like digits do): a badly conditioned sparse-coding problem."""
    D = rng.standard_normal((d, k)) + 2.0 * rng.standard_normal((d, 1))
    return D / np.linalg.norm(D, axis=0)


def _lasso(D: np.ndarray, x: np.ndarray, lam: float, beta: float) -> np.ndarray:
    return Lasso(alpha=lam / (2 * beta * len(x)), fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(D, x).coef_


def test_fista_reaches_the_lasso_solution_where_ista_is_still_far() -> None:
    rng = np.random.default_rng(3)
    D = _correlated_dictionary(rng)
    x = D[:, :6] @ rng.standard_normal(6) + 0.05 * rng.standard_normal(40)
    lam, beta = 0.02, 1.0
    sk = _lasso(D, x, lam, beta)
    fast = sparse_code_ista(x, D, lam, beta, iters=10_000, accelerate=True, tol=1e-12)
    slow = sparse_code_ista(x, D, lam, beta, iters=10_000)
    assert np.array_equal(fast != 0, sk != 0) and np.allclose(fast, sk, atol=1e-6)
    obj = lambda h: lam * np.abs(h).sum() + beta * np.sum((x - D @ h) ** 2)  # noqa: E731
    assert obj(slow) - obj(sk) > 100 * max(obj(fast) - obj(sk), 1e-12), "plain ISTA converged as fast"
    # tol stops early: a loose tolerance takes fewer steps and lands farther away than a tight one
    loose = sparse_code_ista(x, D, lam, beta, iters=10_000, accelerate=True, tol=1e-3)
    assert obj(loose) - obj(sk) > obj(fast) - obj(sk)


def test_sparse_code_path_solves_every_penalty() -> None:
    rng = np.random.default_rng(4)
    D = _correlated_dictionary(rng)
    x = D[:, :5] @ rng.standard_normal(5)
    lams = np.array([0.5, 0.01, 2.0, 0.1, 1e3])  # any order; the path runs from the largest down
    codes = sparse_code_path(x, D, lams, beta=2.0)
    for lam, h in zip(lams, codes):
        sk = _lasso(D, x, lam, 2.0)
        assert np.array_equal(h != 0, sk != 0) and np.allclose(h, sk, atol=1e-6), lam
    assert np.all(codes[-1] == 0)
    # warm starts: on a short budget the path lands closer than solving each penalty from zero
    sk = [_lasso(D, x, lam, 2.0) for lam in lams]
    warm = sparse_code_path(x, D, lams, beta=2.0, iters=30, tol=0.0)
    cold = [sparse_code_ista(x, D, lam, 2.0, iters=30, accelerate=True) for lam in lams]
    assert sum(np.abs(w - s).sum() for w, s in zip(warm, sk)) < 0.75 * sum(np.abs(c - s).sum() for c, s in zip(cold, sk))
    with pytest.raises(ValueError, match="lams must be a non-empty"):
        sparse_code_path(x, D, np.array([0.1, -1.0]))
    with pytest.raises(ValueError, match="tol"):
        sparse_code_ista(x, D, 0.1, tol=-1.0)


def test_sparse_code_demo_looks_up_its_codes_and_solves_off_the_slider() -> None:
    from dlbook.demos.factor_models import SPARSE_LOG10_LAM, sparse_code_compute, sparse_code_demo

    data = sparse_code_demo().data
    grid = SPARSE_LOG10_LAM.sweep()
    assert data["codes"].shape == (len(grid), data["D"].shape[1])
    for v, h in zip(grid, data["codes"]):  # the shipped codes are the minimisers
        sk = _lasso(data["D"], data["x"], 10.0**v, 1.0)
        assert np.array_equal(h != 0, sk != 0) and np.allclose(h, sk, atol=1e-5), v
    sentinel = {**data, "codes": np.arange(data["codes"].size, dtype=float).reshape(data["codes"].shape)}
    for i in (0, grid.index(SPARSE_LOG10_LAM.value), len(grid) - 1):  # on the slider: looked up, not solved
        assert np.array_equal(sparse_code_compute(grid[i], **sentinel)["h"], sentinel["codes"][i])
    for v in (-1.93, -0.3):  # off the slider: solved (warm from the next larger value), equal to Lasso's
        h = sparse_code_compute(v, **data)["h"]
        sk = _lasso(data["D"], data["x"], 10.0**v, 1.0)
        assert np.array_equal(h != 0, sk != 0) and np.allclose(h, sk, atol=1e-5), v
        off = sparse_code_compute(v, **sentinel)["h"]  # (started from a sentinel row, it still leaves it)
        assert not any(np.array_equal(off, row) for row in sentinel["codes"])


def test_bad_inputs() -> None:
    X = _factor_data(m=50)
    with pytest.raises(ValueError, match="q must be in"):
        ppca_fit(X, 6)
    with pytest.raises(ValueError, match="at least 2 rows"):
        factor_analysis(X[:1], 1)
    with pytest.raises(ValueError, match="non-zero variance"):
        fastica(np.c_[X[:, :2], X[:, :2]], 3)
    with pytest.raises(ValueError, match="singular"):
        sfa(np.c_[X[:, :2], X[:, :1]], 2)
    with pytest.raises(ValueError, match="one row per input"):
        sparse_code_ista(np.ones(5), np.ones((4, 3)), 0.1)
    with pytest.raises(ValueError, match="lam"):
        sparse_code_ista(np.ones(4), np.ones((4, 3)), -1.0)


def test_filter_measures_on_known_filters() -> None:
    i, j = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    grating = np.cos(2 * np.pi * (2 * i + j) / 8).ravel()          # one spatial frequency pair (±(2, 1))
    delta = np.zeros(64)
    delta[27] = 1.0
    flat = np.ones(64)
    noise = np.random.default_rng(0).standard_normal((200, 64))
    assert np.isclose(spectral_peak_share(grating[None])[0], 1.0)
    assert np.median(spectral_peak_share(noise)) < 0.3
    assert spatial_spread(delta[None])[0] == 1 and spatial_spread(flat[None])[0] == 52   # ceil(0.8 · 64)
    assert spatial_spread(flat[None], mass=1.0)[0] == 64


def test_filter_measures_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="square"):
        spectral_peak_share(np.ones((2, 10)))
    with pytest.raises(ValueError, match="all-zero"):
        spatial_spread(np.zeros((1, 64)))
    with pytest.raises(ValueError, match="mass"):
        spatial_spread(np.ones((1, 64)), mass=1.5)
