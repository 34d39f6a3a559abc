"""Recommender systems: low-rank matrix factorisation and an explore/exploit bandit (Deep Learning book, §12.5.1).

Collaborative filtering models a users × items rating matrix as ``R ≈ A Bᵀ`` with ``k`` factors per user and
item. On a complete matrix the best rank-``k`` fit in squared error is the truncated SVD (Eckart–Young); with
missing ratings, alternating least squares (ALS) fits only the observed entries. A recommender also chooses what
to show, which is a bandit problem: it must **explore** items whose value it does not know and **exploit** the best
one it has found (§12.5.1.1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive

__all__ = ["als_factorize", "epsilon_greedy", "truncated_svd_approximation"]


def truncated_svd_approximation(R: Any, k: int) -> np.ndarray:
    """The best rank-``k`` approximation of a complete matrix in Frobenius norm: ``U_k Σ_k V_kᵀ`` (Eckart–Young)."""
    R = as_array(R, "R", ndim=2)
    k = check_int(k, "k", low=1, high=min(R.shape))
    U, s, Vt = np.linalg.svd(R, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:k]


def als_factorize(R: Any, mask: Any, k: int, lam: float = 0.1, iters: int = 30,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``R ≈ A Bᵀ`` on the observed entries (``mask`` True) by alternating ridge regressions (§12.5.1).

    Minimises ``Σ_observed (R_ij − a_iᵀb_j)² + λ(‖A‖² + ‖B‖²)``; each half-step solves, for every user (item), a
    ``k × k`` linear system, so the objective never increases. The start is spectral: the top ``k`` singular
    vectors of the zero-filled matrix rescaled by the observed fraction (from a random start ALS can stall).
    """
    R = as_array(R, "R", ndim=2, finite=False)
    M = np.asarray(mask, dtype=bool)
    if M.shape != R.shape:
        raise ValueError(f"mask must have the shape of R, {R.shape}; got {M.shape}")
    if not np.all(np.isfinite(R[M])):
        raise ValueError("R must be finite on the observed entries")
    k = check_int(k, "k", low=1, high=min(R.shape))
    lam = check_positive(lam, "lam", allow_zero=True)
    Rz = np.where(M, R, 0.0)
    U, s, Vt = np.linalg.svd(Rz / max(M.mean(), 1e-12), full_matrices=False)
    jitter = np.random.default_rng(seed).normal(0, 1e-3, (R.shape[1], k))
    A = U[:, :k] * np.sqrt(s[:k])
    B = Vt[:k].T * np.sqrt(s[:k]) + jitter              # jitter keeps B full rank if R has rank < k
    for _ in range(check_int(iters, "iters", low=0)):
        A = _ridge_rows(Rz, M, B, lam)
        B = _ridge_rows(Rz.T, M.T, A, lam)
    return A, B


def _ridge_rows(Rz: np.ndarray, M: np.ndarray, F: np.ndarray, lam: float) -> np.ndarray:
    """For each row i: argmin_a Σ_{j observed} (R_ij − aᵀF_j)² + λ‖a‖²."""
    k = F.shape[1]
    out = np.empty((Rz.shape[0], k))
    for i in range(Rz.shape[0]):
        Fi = F[M[i]]
        out[i] = np.linalg.solve(Fi.T @ Fi + (lam + 1e-12) * np.eye(k), Fi.T @ Rz[i, M[i]])
    return out


def epsilon_greedy(means: Any, steps: int, epsilon: float, rng: np.random.Generator,
                   noise: float = 1.0) -> dict[str, np.ndarray]:
    """A Gaussian multi-armed bandit played ε-greedily: explore a random arm with probability ε, else exploit
    the arm with the best running average (§12.5.1.1). Returns the arms pulled, the rewards and the cumulative
    regret ``Σₜ (max μ − μ_{aₜ})``."""
    mu = as_array(means, "means", ndim=1, min_size=2)
    steps = check_int(steps, "steps", low=1)
    epsilon = check_positive(epsilon, "epsilon", allow_zero=True)
    if epsilon > 1:
        raise ValueError(f"epsilon must lie in [0, 1]; got {epsilon}")
    counts, sums = np.zeros(mu.size), np.zeros(mu.size)
    arms, rewards = np.empty(steps, dtype=int), np.empty(steps)
    for t in range(steps):
        if t < mu.size:
            a = t                                   # try each arm once
        elif rng.random() < epsilon:
            a = int(rng.integers(mu.size))
        else:
            a = int(np.argmax(sums / counts))
        r = mu[a] + noise * rng.standard_normal()
        counts[a] += 1
        sums[a] += r
        arms[t], rewards[t] = a, r
    return {"arms": arms, "rewards": rewards, "regret": np.cumsum(mu.max() - mu[arms])}
