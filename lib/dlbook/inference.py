"""Approximate inference (chapter 19): the evidence lower bound, EM, mean field and binary sparse coding.

Everything revolves around one identity (§19.1, eq. 19.1): for any distribution q over the latent h,

    log p(v) = L(v, q) + KL(q(h) ‖ p(h | v)),     L(v, q) = E_q[log p(v, h)] + H(q),

so L is a lower bound on the log evidence, tight exactly when q is the posterior. NumPy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_probabilities
from dlbook.information import entropy
from dlbook.prob import logsumexp, multivariate_normal_logpdf, sigmoid

__all__ = [
    "bsc_elbo",
    "bsc_log_joint",
    "bsc_mean_field",
    "elbo_discrete",
    "em_gmm",
    "gmm_log_likelihood",
    "linear_gaussian_posterior",
    "mean_field_gaussian",
]

Array = np.ndarray


# -- the ELBO for a discrete latent variable (§19.1) ------------------------------------------------------------

def elbo_discrete(log_joint: Any, q: Any) -> float:
    """L(v, q) = Σₕ q(h) log p(v, h) + H(q) for a latent h with finitely many values (§19.1, eq. 19.7).

    ``log_joint[h]`` is log p(v, h) for the observed v; ``q`` a probability vector over the same values.
    """
    lj = as_array(log_joint, "log_joint", ndim=1, finite=False)
    q = check_probabilities(q, "q")
    if q.shape != lj.shape:
        raise ValueError(f"q must have one probability per latent value ({lj.shape[0]}); got shape {q.shape}")
    if np.any((q > 0) & ~np.isfinite(lj)):
        raise ValueError("q puts mass on a latent value whose log p(v, h) is not finite")
    support = q > 0
    return float(np.sum(q[support] * lj[support]) + entropy(q))


# -- expectation maximisation for a Gaussian mixture (§19.2) ----------------------------------------------------

def _component_logpdf(X: Array, means: Array, covs: Array) -> Array:
    return np.stack([multivariate_normal_logpdf(X, m, S) for m, S in zip(means, covs)], axis=1)


def gmm_log_likelihood(X: Any, weights: Any, means: Any, covs: Any) -> float:
    """Mean log-likelihood (1/n) Σₙ log Σₖ πₖ N(xₙ; μₖ, Σₖ) of a Gaussian mixture (§3.9.6)."""
    X = as_array(X, "X", ndim=2)
    w = check_probabilities(weights, "weights")
    return float(np.mean(logsumexp(np.log(w) + _component_logpdf(X, np.asarray(means), np.asarray(covs)), axis=1)))


def em_gmm(X: Any, weights: Any, means: Any, covs: Any, n_iter: int = 50) -> dict[str, Any]:
    """EM for a Gaussian mixture, coordinate ascent on the ELBO (§19.2; Dempster et al., 1977).

    E-step: q(h = k | xₙ) = the posterior responsibility rₙₖ, which makes the bound tight. M-step: the weighted
    maximum-likelihood πₖ, μₖ and Σₖ under those responsibilities. Returns the final parameters, the
    responsibilities and the mean log-likelihood before each iteration and after the last (``log_likelihood``).
    """
    X = as_array(X, "X", ndim=2)
    w = check_probabilities(weights, "weights")
    mu, S = as_array(means, "means", ndim=2), as_array(covs, "covs", ndim=3)
    K, d = mu.shape
    if w.shape != (K,) or S.shape != (K, d, d) or X.shape[1] != d:
        raise ValueError(f"expected weights ({K},), means ({K}, {d}), covs ({K}, {d}, {d}) and X (n, {d}); got "
                         f"{w.shape}, {mu.shape}, {S.shape} and {X.shape}")
    n_iter = check_int(n_iter, "n_iter", low=0)
    history, params = [], []
    for _ in range(n_iter + 1):
        log_r = np.log(w) + _component_logpdf(X, mu, S)               # E-step: log πₖ N(xₙ; μₖ, Σₖ)
        log_px = logsumexp(log_r, axis=1)
        history.append(float(np.mean(log_px)))
        params.append((w, mu, S))
        r = np.exp(log_r - log_px[:, None])                           # responsibilities = p(h | x)
        if len(history) > n_iter:
            break
        nk = r.sum(axis=0)                                            # M-step
        w, mu = nk / len(X), (r.T @ X) / nk[:, None]
        S = np.stack([((X - mu[j]).T * r[:, j]) @ (X - mu[j]) / nk[j] for j in range(K)])
    return {"weights": w, "means": mu, "covs": S, "responsibilities": r, "log_likelihood": np.array(history),
            "path": params}


# -- mean field for a Gaussian posterior (§19.4.3) --------------------------------------------------------------

def linear_gaussian_posterior(w: Any, v: float) -> tuple[Array, Array]:
    """The exact posterior of h ~ N(0, I), v | h ~ N(wᵀh, 1) (§19.4.3): precision Λ = I + w wᵀ, mean Λ⁻¹ w v.

    Returns (mean, precision Λ).
    """
    w = as_array(w, "w", ndim=1)
    v = float(as_array(v, "v", ndim=0))
    precision = np.eye(w.size) + np.outer(w, w)
    return np.linalg.solve(precision, w * v), precision


def mean_field_gaussian(mean: Any, precision: Any, n_iter: int = 50, init: Any = None) -> tuple[Array, Array, Array]:
    """Fully factorised q(h) = Πᵢ N(hᵢ; mᵢ, sᵢ²) for a Gaussian target N(μ, Λ⁻¹), by coordinate ascent (§19.4.3).

    Each update q̃(hᵢ) ∝ exp E_{h₋ᵢ∼q}[log p(h)] is Gaussian with variance 1/Λᵢᵢ and mean
    mᵢ = μᵢ − Σ_{j≠i} Λᵢⱼ (mⱼ − μⱼ) / Λᵢᵢ. Returns (means, variances, the means after every sweep).
    """
    mu = as_array(mean, "mean", ndim=1)
    L = as_array(precision, "precision", ndim=2)
    if L.shape != (mu.size, mu.size) or not np.allclose(L, L.T) or np.linalg.eigvalsh(L).min() <= 0:
        raise ValueError(f"precision must be a symmetric positive definite {mu.size}×{mu.size} matrix")
    n_iter = check_int(n_iter, "n_iter", low=1)
    m = np.zeros_like(mu) if init is None else as_array(init, "init", ndim=1).copy()
    path = [m.copy()]
    for _ in range(n_iter):
        for i in range(mu.size):
            m[i] = mu[i] - (L[i] @ (m - mu) - L[i, i] * (m[i] - mu[i])) / L[i, i]
        path.append(m.copy())
    return m, 1.0 / np.diag(L), np.array(path)


# -- binary sparse coding (§19.4.1) -----------------------------------------------------------------------------

def _bsc_args(v: Any, W: Any, b: Any, beta: Any) -> tuple[Array, Array, Array, Array]:
    v, W, b = as_array(v, "v", ndim=1), as_array(W, "W", ndim=2), as_array(b, "b", ndim=1)
    beta = as_array(beta, "beta", ndim=1)
    if W.shape != (v.size, b.size) or beta.shape != v.shape:
        raise ValueError(f"expected W of shape (n_visible, n_latent) = ({v.size}, {b.size}) and beta ({v.size},); "
                         f"got W {W.shape} and beta {beta.shape}")
    if np.any(beta <= 0):
        raise ValueError("beta (the noise precisions) must be positive")
    return v, W, b, beta


def bsc_log_joint(v: Any, H: Any, W: Any, b: Any, beta: Any) -> Array:
    """log p(v, h) of binary sparse coding for each row h of ``H``: p(hᵢ=1) = σ(bᵢ), v | h ~ N(Wh, diag(β)⁻¹) (§19.4.1)."""
    v, W, b, beta = _bsc_args(v, W, b, beta)
    H = np.atleast_2d(as_array(H, "H", ndim=(1, 2)))
    if H.shape[1] != b.size or not np.all((H == 0) | (H == 1)):
        raise ValueError(f"H must hold binary codes (entries 0 or 1) with {b.size} latents per row; "
                         f"got shape {H.shape}")
    log_prior = H @ b - np.sum(np.logaddexp(0.0, b))
    r = v - H @ W.T
    return log_prior + 0.5 * np.sum(np.log(beta / (2 * np.pi))) - 0.5 * (r ** 2) @ beta


def bsc_elbo(v: Any, h_hat: Any, W: Any, b: Any, beta: Any) -> float:
    """The ELBO of binary sparse coding for the factorial q(hᵢ = 1) = ĥᵢ, in closed form (§19.4.1)."""
    v, W, b, beta = _bsc_args(v, W, b, beta)
    h = np.clip(as_array(h_hat, "h_hat", ndim=1), 1e-12, 1 - 1e-12)
    log_prior = h @ b - np.sum(np.logaddexp(0.0, b))
    r = v - W @ h
    expected_sq = r ** 2 @ beta + np.sum(h * (1 - h) * (beta @ W ** 2))   # E_q[(v − Wh)ᵀ diag(β) (v − Wh)]
    ent = -np.sum(h * np.log(h) + (1 - h) * np.log1p(-h))
    return float(log_prior + 0.5 * np.sum(np.log(beta / (2 * np.pi))) - 0.5 * expected_sq + ent)


def bsc_mean_field(v: Any, W: Any, b: Any, beta: Any, n_iter: int = 100, damping: float = 0.5,
                   init: Any = None) -> tuple[Array, Array]:
    """Damped parallel fixed-point updates for binary sparse coding's mean field (§19.4.1, eq. 19.44).

    ĥᵢ ← σ(bᵢ + vᵀβW:,ᵢ − ½ W:,ᵢᵀβW:,ᵢ − Σ_{j≠i} W:,ⱼᵀβW:,ᵢ ĥⱼ), all i at once, mixed with the old value:
    ĥ ← (1 − damping) · update + damping · ĥ. Returns (ĥ, the ELBO after every update).
    """
    v, W, b, beta = _bsc_args(v, W, b, beta)
    n_iter = check_int(n_iter, "n_iter", low=1)
    damping = float(damping)
    if not 0.0 <= damping < 1.0:
        raise ValueError(f"damping must be in [0, 1); got {damping}")
    G = W.T @ (beta[:, None] * W)                                       # Gᵢⱼ = W:,ᵢᵀ β W:,ⱼ
    h = np.full(b.size, 0.5) if init is None else as_array(init, "init", ndim=1).copy()
    elbos = []
    for _ in range(n_iter):
        field = b + W.T @ (beta * v) - 0.5 * np.diag(G) - (G @ h - np.diag(G) * h)
        h = (1 - damping) * sigmoid(field) + damping * h
        elbos.append(bsc_elbo(v, h, W, b, beta))
    return h, np.array(elbos)
