"""Comparing a model's samples with data: maximum mean discrepancy (§20.10.5) and Parzen-window log-likelihood (§20.14).

* MMD² with a Gaussian kernel k(x, y) = exp(−‖x − y‖² / (2h²)) is the squared distance between the mean kernel
  embeddings of two samples; it is zero only when the distributions agree (for this characteristic kernel), which is
  what generative moment matching networks minimise (Li et al. 2015; Dziugaite et al. 2015).
* The Parzen-window (kernel density) estimate fits an isotropic Gaussian of width σ on each model sample and scores
  test points under it; §20.14 and Theis et al. (2016) explain why the number can mislead.

NumPy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_positive
from dlbook.prob import logsumexp

__all__ = ["gaussian_kernel", "mmd2", "parzen_log_likelihood"]


def _pair(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    X, Y = as_array(X, "X", ndim=2), as_array(Y, "Y", ndim=2)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same number of columns; got {X.shape[1]} and {Y.shape[1]}")
    return X, Y


def _sq_dists(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.maximum(np.sum(X**2, 1)[:, None] + np.sum(Y**2, 1)[None, :] - 2 * X @ Y.T, 0.0)


def gaussian_kernel(X: Any, Y: Any, bandwidth: float) -> np.ndarray:
    """The Gram matrix exp(−‖xᵢ − yⱼ‖² / (2h²))."""
    X, Y = _pair(X, Y)
    h = check_positive(bandwidth, "bandwidth")
    return np.exp(-_sq_dists(X, Y) / (2 * h * h))


def mmd2(X: Any, Y: Any, bandwidth: float, unbiased: bool = True) -> float:
    """MMD²(P, Q) = E k(x, x′) + E k(y, y′) − 2 E k(x, y) estimated from samples X ~ P, Y ~ Q.

    ``unbiased`` drops the diagonal terms k(xᵢ, xᵢ) = 1 from the within-sample means (the U-statistic, which can be
    slightly negative); otherwise all pairs are averaged (the V-statistic, always ≥ 0).
    """
    X, Y = _pair(X, Y)
    if unbiased and (len(X) < 2 or len(Y) < 2):
        raise ValueError("the unbiased estimate needs at least 2 rows in X and in Y")
    Kxx, Kyy, Kxy = (gaussian_kernel(A, B, bandwidth) for A, B in ((X, X), (Y, Y), (X, Y)))
    if unbiased:
        m, n = len(X), len(Y)
        xx = (Kxx.sum() - np.trace(Kxx)) / (m * (m - 1))
        yy = (Kyy.sum() - np.trace(Kyy)) / (n * (n - 1))
    else:
        xx, yy = Kxx.mean(), Kyy.mean()
    return float(xx + yy - 2 * Kxy.mean())


def parzen_log_likelihood(X_test: Any, samples: Any, sigma: float) -> np.ndarray:
    """log p̂(x) = log (1/n) Σᵢ N(x; sᵢ, σ²I) for each test row x, from n model samples sᵢ (§20.14)."""
    X, S = _pair(X_test, samples)
    sigma = check_positive(sigma, "sigma")
    d = X.shape[1]
    log_k = -_sq_dists(X, S) / (2 * sigma**2)
    return logsumexp(log_k, axis=1) - np.log(len(S)) - 0.5 * d * np.log(2 * np.pi * sigma**2)
