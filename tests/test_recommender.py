"""dlbook.recommender: truncated SVD against Eckart–Young, ALS against the SVD and a numpy least-squares step,
and the bandit against its closed-form expected regret."""

import numpy as np
import pytest

from dlbook.recommender import als_factorize, epsilon_greedy, truncated_svd_approximation

RNG = np.random.default_rng(0)


def test_truncated_svd_error_is_the_tail_singular_values() -> None:
    R = RNG.standard_normal((12, 9))
    s = np.linalg.svd(R, compute_uv=False)
    for k in (1, 3, 9):
        err = np.linalg.norm(R - truncated_svd_approximation(R, k))
        assert err == pytest.approx(np.sqrt(np.sum(s[k:] ** 2)), abs=1e-10)
        assert np.linalg.matrix_rank(truncated_svd_approximation(R, k)) == k


def test_als_on_a_complete_matrix_reaches_the_svd_optimum() -> None:
    R = RNG.standard_normal((15, 10))
    A, B = als_factorize(R, np.ones_like(R, bool), k=2, lam=0.0, iters=300)
    best = np.linalg.norm(R - truncated_svd_approximation(R, 2))
    assert np.linalg.norm(R - A @ B.T) == pytest.approx(best, rel=1e-6)


def test_als_recovers_a_low_rank_matrix_from_some_entries() -> None:
    truth = RNG.standard_normal((30, 2)) @ RNG.standard_normal((2, 20))
    mask = RNG.random(truth.shape) < 0.5
    A, B = als_factorize(np.where(mask, truth, np.nan), mask, k=2, lam=1e-6, iters=100)
    assert np.abs(A @ B.T - truth)[~mask].max() < 1e-3            # the unseen half is predicted


def test_als_half_step_is_a_ridge_regression() -> None:
    """The last half-step fits each item's factors to the fixed user factors: numpy's lstsq on the ridge system."""
    R = RNG.standard_normal((6, 5))
    mask = RNG.random(R.shape) < 0.7
    mask[0] = True
    A, B = als_factorize(R, mask, k=2, lam=0.3, iters=3)
    for j in range(5):
        Aj = A[mask[:, j]]
        lhs = np.vstack([Aj, np.sqrt(0.3) * np.eye(2)])
        b_j = np.linalg.lstsq(lhs, np.r_[R[mask[:, j], j], 0, 0], rcond=None)[0]
        assert np.allclose(B[j], b_j, atol=1e-9)


def test_bandit_regret_matches_pure_exploration_in_expectation() -> None:
    mu = np.array([0.1, 0.5, 0.9])
    runs = [epsilon_greedy(mu, 200, 1.0, np.random.default_rng(s))["regret"][-1] for s in range(200)]
    # epsilon = 1 pulls uniformly after the first 3 pulls: expected regret (0.8 + 0.4 + 0) + 197 · 0.4
    assert np.mean(runs) == pytest.approx(1.2 + 197 * 0.4, rel=0.03)
    greedy = np.mean([epsilon_greedy(mu, 200, 0.1, np.random.default_rng(s))["regret"][-1] for s in range(50)])
    assert greedy < 0.5 * np.mean(runs)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="k must be"):
        truncated_svd_approximation(np.ones((3, 2)), 3)
    with pytest.raises(ValueError, match="shape of R"):
        als_factorize(np.ones((3, 2)), np.ones((2, 3), bool), 1)
    with pytest.raises(ValueError, match="observed"):
        als_factorize(np.full((2, 2), np.nan), np.ones((2, 2), bool), 1)
    with pytest.raises(ValueError, match="epsilon"):
        epsilon_greedy([0.0, 1.0], 5, 1.5, np.random.default_rng(0))
