"""Monte Carlo methods (chapter 17): plain and importance-sampling estimates, Markov chains, Gibbs, Metropolis and
parallel tempering, in NumPy and vectorised over independent chains.

Conventions: a target is given by its log density ``log_p(x)`` (unnormalised is fine for the MCMC samplers and for
self-normalised importance sampling), evaluated on an array of points at once. A Markov chain's transition matrix
``A`` is column-stochastic, ``A[i, j] = T(x' = i | x = j)``, so a distribution evolves as v ← A v (§17.3, eq. 17.20).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.prob import logsumexp

__all__ = ["mc_estimate", "importance_estimate", "optimal_proposal", "markov_evolve", "stationary_distribution",
           "gibbs_gaussian", "metropolis", "parallel_tempering", "autocorrelation", "ks_statistic"]

Array = np.ndarray
LogDensity = Callable[[Array], Array]


def mc_estimate(f_values: Any) -> tuple[float, float]:
    """ŝₙ = (1/n) Σ f(x⁽ⁱ⁾) and its standard error √(Var[f]/n), from f at n samples of p (§17.1.2, eqs. 17.3, 17.7)."""
    f = as_array(f_values, "f_values", ndim=1, min_size=2)
    return float(f.mean()), float(f.std(ddof=1) / np.sqrt(len(f)))


def importance_estimate(f_values: Any, log_p: Any, log_q: Any, self_normalised: bool = False) -> Any:
    """Estimate E_p[f] from samples of q (§17.2); 2-D inputs give one estimate per row.

    Plain: ŝ_q = (1/n) Σ p(x⁽ⁱ⁾) f(x⁽ⁱ⁾) / q(x⁽ⁱ⁾) (eq. 17.10), unbiased, needs normalised p and q.
    Self-normalised: Σ wᵢ fᵢ / Σ wᵢ with wᵢ = p̃/q̃ (eq. 17.16), biased but consistent, and p, q may be unnormalised.
    """
    f = as_array(f_values, "f_values", ndim=(1, 2))
    log_w = as_array(log_p, "log_p", ndim=(1, 2), finite=False) - as_array(log_q, "log_q", ndim=(1, 2))
    if f.shape != log_w.shape:
        raise ValueError(f"f_values, log_p and log_q must have one entry per sample; got shapes {f.shape} and "
                         f"{log_w.shape}")
    if np.any(np.isnan(log_w)) or np.any(log_w == np.inf):
        raise ValueError("log_p must be finite or -inf at every sample (q must cover the samples)")
    if self_normalised:
        est = np.sum(np.exp(log_w - logsumexp(log_w, axis=-1, keepdims=True)) * f, axis=-1)
    else:
        est = np.mean(np.exp(log_w) * f, axis=-1)
    return float(est) if est.ndim == 0 else est


def optimal_proposal(x: Any, p: Any, f: Any) -> Array:
    """q*(x) = p(x)|f(x)| / Z on a sorted grid x, normalised by the trapezoid rule (§17.2, eq. 17.13)."""
    x = as_array(x, "x", ndim=1, min_size=2)
    q = as_array(p, "p", ndim=1) * np.abs(as_array(f, "f", ndim=1))
    if not (len(x) == len(q)) or np.any(np.diff(x) <= 0):
        raise ValueError("x must be an increasing grid with one value of p and f per point")
    z = np.trapezoid(q, x) if hasattr(np, "trapezoid") else np.trapz(q, x)
    if z <= 0:
        raise ValueError("p|f| integrates to zero on the grid; there is nothing to estimate")
    return q / z


def _stochastic(A: Any) -> Array:
    A = as_array(A, "A", ndim=2)
    if A.shape[0] != A.shape[1] or np.any(A < 0) or not np.allclose(A.sum(axis=0), 1, atol=1e-9):
        raise ValueError(f"A must be a square column-stochastic matrix (non-negative columns that sum to 1); "
                         f"got shape {A.shape}")
    return A


def markov_evolve(A: Any, v0: Any, steps: int) -> Array:
    """The distributions v⁽ᵗ⁾ = Aᵗ v⁽⁰⁾ for t = 0..steps, as rows (§17.3, eqs. 17.21–17.22)."""
    A = _stochastic(A)
    v = as_array(v0, "v0", ndim=1)
    if v.shape != (len(A),) or np.any(v < 0) or not np.isclose(v.sum(), 1):
        raise ValueError(f"v0 must be a probability vector of length {len(A)}")
    out = [v]
    for _ in range(check_int(steps, "steps", low=0)):
        out.append(A @ out[-1])
    return np.array(out)


def stationary_distribution(A: Any) -> Array:
    """The v with A v = v and Σ v = 1 (§17.3, eq. 17.23), solved as a linear system (unique if A is irreducible)."""
    A = _stochastic(A)
    n = len(A)
    M = np.vstack([A - np.eye(n), np.ones(n)])
    v, *_ = np.linalg.lstsq(M, np.r_[np.zeros(n), 1.0], rcond=None)
    return np.clip(v, 0, None) / np.clip(v, 0, None).sum()


def gibbs_gaussian(rho: float, steps: int, chains: int, rng: np.random.Generator, start: Any = (0.0, 0.0)) -> Array:
    """Gibbs sampling of a standard bivariate Gaussian with correlation ρ: x₁ | x₂ ~ N(ρx₂, 1 − ρ²), then
    x₂ | x₁ likewise (§17.4). Returns the states after each full sweep, shape (steps, chains, 2)."""
    rho = float(rho)
    if not -1 < rho < 1:
        raise ValueError(f"rho must be in (-1, 1); got {rho}")
    steps, chains = check_int(steps, "steps", low=1), check_int(chains, "chains", low=1)
    x = np.broadcast_to(as_array(start, "start", ndim=1), (chains, 2)).copy()
    sd = np.sqrt(1 - rho ** 2)
    out = np.empty((steps, chains, 2))
    for t in range(steps):
        x[:, 0] = rho * x[:, 1] + sd * rng.standard_normal(chains)
        x[:, 1] = rho * x[:, 0] + sd * rng.standard_normal(chains)
        out[t] = x
    return out


def metropolis(log_p: LogDensity, x0: Any, steps: int, step_size: float, rng: np.random.Generator,
               beta: Any = 1.0) -> tuple[Array, Array]:
    """Random-walk Metropolis on p^β for independent chains started at x0 (one scalar state per chain; §17.3).

    Proposes x' = x + step_size · N(0, 1) and accepts with probability min(1, exp(β(log p(x') − log p(x)))).
    Returns the states (steps, chains) and each chain's acceptance rate.
    """
    x = as_array(x0, "x0", ndim=1).copy()
    step_size = check_positive(step_size, "step_size")
    beta = np.broadcast_to(as_array(beta, "beta", ndim=(0, 1)), x.shape)
    if np.any(beta <= 0):
        raise ValueError(f"beta (an inverse temperature) must be positive; got {beta}")
    lp = log_p(x)
    out, accepted = np.empty((check_int(steps, "steps", low=1), len(x))), np.zeros(len(x))
    for t in range(len(out)):
        proposal = x + step_size * rng.standard_normal(len(x))
        lp_new = log_p(proposal)
        ok = np.log(rng.random(len(x))) < beta * (lp_new - lp)
        x, lp = np.where(ok, proposal, x), np.where(ok, lp_new, lp)
        accepted += ok
        out[t] = x
    return out, accepted / len(out)


def parallel_tempering(log_p: LogDensity, betas: Any, steps: int, step_size: Any, rng: np.random.Generator,
                       x0: float = 0.0) -> tuple[Array, float]:
    """Parallel tempering (replica exchange; §17.5.1): one Metropolis chain per inverse temperature β (betas[0] = 1),
    and after every step a proposed swap of states between one random pair of neighbouring temperatures, accepted
    with probability min(1, exp((βᵢ − βⱼ)(log p(xⱼ) − log p(xᵢ)))). Returns the β = 1 chain and the swap rate."""
    betas = as_array(betas, "betas", ndim=1, min_size=2)
    if betas[0] != 1 or np.any(np.diff(betas) >= 0) or betas[-1] <= 0:
        raise ValueError(f"betas must start at 1 and decrease strictly to a positive value; got {betas}")
    k = len(betas)
    sizes = np.broadcast_to(as_array(step_size, "step_size", ndim=(0, 1)), (k,))
    if np.any(sizes <= 0):
        raise ValueError("step_size must be positive")
    x = np.full(k, float(x0))
    lp = log_p(x)
    cold, swaps = np.empty(check_int(steps, "steps", low=1)), 0
    for t in range(steps):
        proposal = x + sizes * rng.standard_normal(k)
        lp_new = log_p(proposal)
        ok = np.log(rng.random(k)) < betas * (lp_new - lp)
        x, lp = np.where(ok, proposal, x), np.where(ok, lp_new, lp)
        i = rng.integers(k - 1)
        if np.log(rng.random()) < (betas[i] - betas[i + 1]) * (lp[i + 1] - lp[i]):
            x[[i, i + 1]], lp[[i, i + 1]] = x[[i + 1, i]], lp[[i + 1, i]]
            swaps += 1
        cold[t] = x[0]
    return cold, swaps / steps


def autocorrelation(x: Any, max_lag: int) -> Array:
    """The sample autocorrelation of a chain (or of each column of several chains, averaged) at lags 0..max_lag."""
    x = as_array(x, "x", ndim=(1, 2), min_size=2)
    x = x[:, None] if x.ndim == 1 else x
    max_lag = check_int(max_lag, "max_lag", low=0, high=len(x) - 1)
    x = x - x.mean(axis=0)
    var = np.sum(x * x, axis=0)
    if np.any(var == 0):
        raise ValueError("a constant chain has no autocorrelation (its variance is zero)")
    return np.array([np.mean(np.sum(x[lag:] * x[:len(x) - lag], axis=0) / var) for lag in range(max_lag + 1)])


def ks_statistic(samples: Any, cdf: Callable[[Array], Array]) -> float:
    """The Kolmogorov–Smirnov distance sup_x |F_n(x) − F(x)| between the samples' empirical CDF and a target CDF.

    F_n jumps at each sorted sample, so the supremum is reached just before or at a jump: max over i of
    i/n − F(x₍ᵢ₎) and F(x₍ᵢ₎) − (i − 1)/n. √n times it has Kolmogorov's limit law (scipy.special.kolmogorov).
    """
    x = np.sort(as_array(samples, "samples", ndim=1, min_size=1))
    F = np.asarray(cdf(x), float)
    if F.shape != x.shape or np.any((F < 0) | (F > 1)) or np.any(np.diff(F) < 0):
        raise ValueError("cdf must map the samples to non-decreasing values in [0, 1]")
    i = np.arange(1, len(x) + 1)
    return float(np.max(np.maximum(i / len(x) - F, F - (i - 1) / len(x))))
