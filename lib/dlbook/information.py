"""Information theory (§3.13): self-information, entropy, cross-entropy and the KL divergence.

Discrete quantities follow the convention 0·log 0 = 0 and give ``inf`` (never NaN) when P puts
mass where Q puts none. Continuous ones: the Gaussian closed forms, a grid rule for any pair of
1-D log-densities, and a fine quadrature rule for a Gaussian mixture p against a single Gaussian
q, in both directions, with the forward- and reverse-KL fits of q to p (the asymmetry of fig. 3.6).
All logarithms are natural, so every quantity is in nats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from dlbook.checks import as_array, check_positive, check_probabilities
from dlbook.prob import logsumexp, mixture_log_terms, mixture_logpdf, mixture_moments

__all__ = [
    "GaussianFit",
    "bernoulli_cross_entropy",
    "bernoulli_entropy",
    "bernoulli_kl",
    "cross_entropy",
    "entropy",
    "fit_forward_kl",
    "fit_reverse_kl",
    "forward_kl",
    "gaussian_expectation",
    "gaussian_entropy",
    "kl_discrete",
    "kl_gaussian",
    "kl_numeric_1d",
    "mixture_entropy",
    "reverse_kl",
    "reverse_kl_curve",
    "self_information",
]


# -- discrete distributions --------------------------------------------------------------------

def self_information(p: Any) -> Any:
    """I(x) = −log P(x) in nats (§3.13, eq. 3.48); an impossible event (P = 0) carries ``inf``."""
    p = as_array(p, "p")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"p must contain probabilities in [0, 1]; got min {p.min():g}, max {p.max():g}")
    out = np.where(p > 0, -np.log(np.where(p > 0, p, 1.0)), np.inf)
    return out[()] if out.ndim == 0 else out


def _pair(p: Any, q: Any, axis: int) -> tuple[np.ndarray, np.ndarray]:
    p = check_probabilities(p, "p", axis=axis)
    q = check_probabilities(q, "q", axis=axis)
    if p.ndim == 0 or q.ndim == 0:
        raise ValueError("p and q must be arrays of probabilities over outcomes (at least 1-D)")
    try:
        p, q = np.broadcast_arrays(p, q)
    except ValueError as err:
        raise ValueError(f"p and q must have the same (broadcastable) shape; got {p.shape} and {q.shape}") from err
    return p, q


def _safe_log(a: np.ndarray) -> np.ndarray:
    """log a where a > 0 and 0 elsewhere (the caller masks those entries): no warnings."""
    return np.log(np.where(a > 0, a, 1.0))


def entropy(p: Any, axis: int = -1) -> Any:
    """Shannon entropy H(P) = −Σₓ P(x) log P(x) in nats, with 0·log 0 = 0 (§3.13, eq. 3.49)."""
    p = check_probabilities(p, "p", axis=axis)
    if p.ndim == 0:
        raise ValueError("p must be an array of probabilities over outcomes (at least 1-D)")
    out = -np.sum(np.where(p > 0, p * _safe_log(p), 0.0), axis=axis)
    out = np.maximum(out, 0.0)  # rounding can give −1e-17 for a point mass
    return out[()] if np.ndim(out) == 0 else out


def cross_entropy(p: Any, q: Any, axis: int = -1) -> Any:
    """H(P, Q) = −Σₓ P(x) log Q(x) (§3.13, eq. 3.51); ``inf`` if Q(x) = 0 where P(x) > 0."""
    p, q = _pair(p, q, axis)
    terms = np.where(p > 0, np.where(q > 0, -p * _safe_log(q), np.inf), 0.0)
    out = np.sum(terms, axis=axis)
    return out[()] if np.ndim(out) == 0 else out


def kl_discrete(p: Any, q: Any, axis: int = -1) -> Any:
    """D_KL(P‖Q) = Σₓ P(x) (log P(x) − log Q(x)) (§3.13, eq. 3.50).

    Terms with P(x) = 0 contribute 0; a term with P(x) > 0 and Q(x) = 0 makes the divergence ``inf``.
    """
    p, q = _pair(p, q, axis)
    terms = np.where(p > 0, np.where(q > 0, p * (_safe_log(p) - _safe_log(q)), np.inf), 0.0)
    out = np.maximum(np.sum(terms, axis=axis), 0.0)  # ≥ 0 (Gibbs' inequality); clip rounding noise
    return out[()] if np.ndim(out) == 0 else out


def _bernoulli(p: Any, name: str) -> np.ndarray:
    p = as_array(p, name)
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"{name} must be a probability in [0, 1]; got min {p.min():g}, max {p.max():g}")
    return np.stack([p, 1.0 - p], axis=-1)


def bernoulli_entropy(p: Any) -> Any:
    """Entropy of a Bernoulli(p) variable, −p log p − (1 − p) log(1 − p) (§3.13, fig. 3.5)."""
    return entropy(_bernoulli(p, "p"))


def bernoulli_cross_entropy(p: Any, q: Any) -> Any:
    """Cross-entropy H(Bernoulli(p), Bernoulli(q)) in nats (§3.13, eq. 3.51)."""
    return cross_entropy(_bernoulli(p, "p"), _bernoulli(q, "q"))


def bernoulli_kl(p: Any, q: Any) -> Any:
    """D_KL(Bernoulli(p) ‖ Bernoulli(q)) in nats (§3.13, eq. 3.50)."""
    return kl_discrete(_bernoulli(p, "p"), _bernoulli(q, "q"))


# -- continuous distributions ------------------------------------------------------------------

def gaussian_entropy(std: float) -> float:
    """Differential entropy of N(μ, σ²): ½ log(2πeσ²) nats (§3.13); negative when σ is small."""
    std = check_positive(std, "std")
    return float(0.5 * np.log(2.0 * np.pi * np.e) + np.log(std))


def kl_gaussian(mean_p: float, std_p: float, mean_q: float, std_q: float) -> float:
    """Closed form of D_KL(N(μ_p, σ_p²) ‖ N(μ_q, σ_q²)) = log(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²)/(2σ_q²) − ½ (§3.13)."""
    sp, sq = check_positive(std_p, "std_p"), check_positive(std_q, "std_q")
    mp = float(as_array(mean_p, "mean_p", ndim=0))
    mq = float(as_array(mean_q, "mean_q", ndim=0))
    return float(np.log(sq / sp) + (sp**2 + (mp - mq) ** 2) / (2.0 * sq**2) - 0.5)


def _grid_and_log_densities(x: Any, log_p: Callable, log_q: Callable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the grid (increasing, >= 3 points) and evaluate both log-densities on it (no NaN, no +inf)."""
    x = as_array(x, "x", ndim=1, min_size=3)
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing (a grid to integrate over)")
    lp, lq = np.asarray(log_p(x), dtype=float), np.asarray(log_q(x), dtype=float)
    if lp.shape != x.shape or lq.shape != x.shape:
        raise ValueError(f"log_p(x) and log_q(x) must have the grid's shape {x.shape}; got {lp.shape}, {lq.shape}")
    if np.any(np.isnan(lp)) or np.any(np.isnan(lq)) or np.any(lp == np.inf) or np.any(lq == np.inf):
        raise ValueError("log-densities must not be NaN or +inf")
    return x, lp, lq


def kl_numeric_1d(log_p: Callable[[np.ndarray], np.ndarray], log_q: Callable[[np.ndarray], np.ndarray],
                  x: Any) -> float:
    """D_KL(p‖q) = ∫ p(x) (log p(x) − log q(x)) dx by the trapezoid rule on the increasing grid ``x`` (§3.13, eq. 3.50).

    ``log_p`` and ``log_q`` map an array of points to log-densities (−inf allowed where a density is 0).
    The grid must cover the mass of p; where p = 0 the integrand is 0, and where p > 0 but q = 0 the
    divergence is ``inf``.
    """
    x, lp, lq = _grid_and_log_densities(x, log_p, log_q)
    alive = np.isfinite(lp)
    if np.any(alive & ~np.isfinite(lq)):
        return float("inf")
    p = np.where(alive, np.exp(np.where(alive, lp, 0.0)), 0.0)
    f = np.where(alive, p * (np.where(alive, lp, 0.0) - np.where(alive, lq, 0.0)), 0.0)
    return float(max(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(x)), 0.0))


def _normal_weights(z: np.ndarray) -> np.ndarray:
    """Trapezoid weights times φ(z) on the evenly spaced grid ``z``."""
    w = (z[1] - z[0]) * np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi)
    w[[0, -1]] *= 0.5
    return w


#: A fixed grid over a standard normal z and trapezoid weights times φ(z): E[f(z)] ≈ Σ wᵢ f(zᵢ).
#: The rule is spectrally accurate for smooth f and, with spacing 0.005, still accurate to about 1e-6
#: for the near-kinks that log p of a well-separated mixture has between its modes (Gauss–Hermite is not).
_Z = np.linspace(-12.0, 12.0, 4801)
_ZW = _normal_weights(_Z)


def gaussian_expectation(f: Callable[[np.ndarray], np.ndarray], mean: float, std: float) -> float:
    """E_{x∼N(μ, σ²)}[f(x)] = E_z[f(μ + σz)] by the trapezoid rule on 4801 points z ∈ [−12, 12] (§3.8, eq. 3.10)."""
    std = check_positive(std, "std")
    mean = float(as_array(mean, "mean", ndim=0))
    return float(_ZW @ np.asarray(f(mean + std * _Z), dtype=float))


def _mixture(weights: Any, means: Any, stds: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mixture_moments(weights, means, stds)  # validates the three arrays
    return (np.asarray(weights, dtype=float), np.asarray(means, dtype=float), np.asarray(stds, dtype=float))


def mixture_entropy(weights: Any, means: Any, stds: Any) -> float:
    """Differential entropy of a 1-D Gaussian mixture, H(p) = −Σₖ wₖ E_{N(μₖ, σₖ²)}[log p] (§3.13)."""
    w, mu, sd = _mixture(weights, means, stds)
    logp = mixture_logpdf(mu[:, None] + sd[:, None] * _Z, w, mu, sd)
    return float(-(w @ (logp @ _ZW)))


def forward_kl(weights: Any, means: Any, stds: Any, mean: Any, std: float) -> Any:
    """D_KL(p‖q) for a Gaussian mixture p and q = N(μ, σ²) (§3.13, eq. 3.50, fig. 3.6 left).

    Equals −H(p) − E_p[log q], and E_p[log q] = −½ log(2πσ²) − (Var_p + (E_p[x] − μ)²)/(2σ²)
    depends on p only through its mean and variance. ``mean`` may be an array (one value per μ).
    """
    std = check_positive(std, "std")
    mean = as_array(mean, "mean")
    m, v = mixture_moments(weights, means, stds)
    e_logq = -0.5 * np.log(2.0 * np.pi * std**2) - (v + (m - mean) ** 2) / (2.0 * std**2)
    out = np.maximum(-mixture_entropy(weights, means, stds) - e_logq, 0.0)
    return out[()] if out.ndim == 0 else out


def reverse_kl(weights: Any, means: Any, stds: Any, mean: Any, std: float) -> Any:
    """D_KL(q‖p) for q = N(μ, σ²) and a Gaussian mixture p (§3.13, eq. 3.50, fig. 3.6 right).

    Equals −H(q) − E_q[log p], with E_q computed by :func:`gaussian_expectation`'s rule.
    ``mean`` may be an array (one value per μ).
    """
    std = check_positive(std, "std")
    mean = as_array(mean, "mean")
    w, mu, sd = _mixture(weights, means, stds)
    logp = mixture_logpdf(mean[..., None] + std * _Z, w, mu, sd)
    out = np.maximum(-gaussian_entropy(std) - logp @ _ZW, 0.0)
    return out[()] if out.ndim == 0 else out


def reverse_kl_curve(weights: Any, means: Any, stds: Any, mean_grid: Any, std: float) -> np.ndarray:
    """D_KL(q‖p) for q = N(μ, σ²) at every μ of an evenly spaced grid, with log p evaluated only once (§3.13).

    :func:`reverse_kl` needs E_q[log p] = Σᵢ wᵢ log p(μ + σzᵢ) at each μ. If the grid's step Δμ is k·σδ for the
    z-spacing δ, every point μⱼ + σzᵢ lies on one x-grid of spacing σδ: log p is evaluated there once, and the
    expectation at μⱼ is the same weighted sum over a window of it that starts k points further along (a
    correlation of log p with the Gaussian weights). δ is chosen at most :func:`reverse_kl`'s spacing, over the
    same range z ∈ [−12, 12], so the two agree to the rule's accuracy (about 1e-6).
    """
    std = check_positive(std, "std")
    grid = as_array(mean_grid, "mean_grid", ndim=1)
    if grid.size < 2:
        raise ValueError(f"mean_grid must hold at least 2 means; got {grid.size}")
    steps = np.diff(grid)
    rounding = 16 * np.finfo(float).eps * float(np.max(np.abs(grid)))  # linspace's rounding grows with |μ|
    if steps[0] <= 0 or not np.allclose(steps, steps[0], rtol=1e-9, atol=rounding):
        raise ValueError(f"mean_grid must be increasing and evenly spaced; got steps from {steps.min():.17g} "
                         f"to {steps.max():.17g}")
    w, mu, sd = _mixture(weights, means, stds)
    k = int(np.ceil(steps[0] / (std * (_Z[1] - _Z[0]))))  # points of the x-grid per step of the mean grid
    dz = steps[0] / (k * std)
    half = int(np.ceil(_Z[-1] / dz))
    z = dz * np.arange(-half, half + 1)
    log_p = mixture_logpdf(grid[0] + std * dz * np.arange(-half, k * (grid.size - 1) + half + 1), w, mu, sd)
    e_log_p = np.lib.stride_tricks.sliding_window_view(log_p, z.size)[::k] @ _normal_weights(z)
    return np.maximum(-gaussian_entropy(std) - e_log_p, 0.0)


def _reverse_kl_and_grad(w: np.ndarray, mu: np.ndarray, sd: np.ndarray, mean: float,
                         log_std: float) -> tuple[float, np.ndarray]:
    """D_KL(q‖p) from :func:`reverse_kl` and its gradient in (μ, log σ), on the same z-grid.

    With x = μ + σz, dD/dμ = −E_q[∂ log p/∂x] and dD/d log σ = −1 − σ E_q[z ∂ log p/∂x], and
    ∂ log p/∂x = Σᵢ P(c = i | x)(μᵢ − x)/σᵢ² weighs each component's pull by its responsibility.
    """
    std = float(np.exp(log_std))
    x = mean + std * _Z
    log_terms = mixture_log_terms(x, w, mu, sd)  # once for both: the fits call this a few hundred times
    log_p = logsumexp(log_terms, axis=-1)
    kl = max(-gaussian_entropy(std) - float(log_p @ _ZW), 0.0)  # reverse_kl, on the same grid
    responsibilities = np.exp(log_terms - log_p[:, None])
    dlogp = (responsibilities * (mu - x[:, None]) / sd**2).sum(axis=1)
    grad = np.array([-(_ZW @ dlogp), -1.0 - std * (_ZW @ (_Z * dlogp))])
    return kl, grad


def _minimize(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray) -> Any:
    """L-BFGS-B with an analytic gradient, run single-threaded: BLAS threads only slow it on 2-vectors."""
    from scipy.optimize import minimize  # imported here: the browser loads scipy only for the demos that fit
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return minimize(fun, x0, jac=True, method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 1e-14, "maxiter": 500})


@dataclass(frozen=True)
class GaussianFit:
    """A Gaussian q = N(mean, std²) fitted to p, and the divergence it reaches."""

    mean: float
    std: float
    kl: float


def fit_forward_kl(weights: Any, means: Any, stds: Any) -> GaussianFit:
    """argmin over Gaussians q of D_KL(p‖q): moment matching, μ = E_p[x] and σ² = Var_p[x] (§3.13, fig. 3.6).

    Setting the derivatives of −E_p[log q] to zero gives these in closed form; the optimum is unique.
    """
    m, v = mixture_moments(weights, means, stds)
    s = float(np.sqrt(v))
    return GaussianFit(m, s, forward_kl(weights, means, stds, m, s))


def _check_starts(starts: Any) -> np.ndarray:
    starts = as_array(starts, "starts", ndim=2)
    if starts.shape[1] != 2 or np.any(starts[:, 1] <= 0):
        raise ValueError("starts must be rows (mean, std) with std > 0")
    return starts


def fit_reverse_kl(weights: Any, means: Any, stds: Any, starts: Any = None, tol: float = 1e-4) -> list[GaussianFit]:
    """Every local minimum of D_KL(q‖p) over Gaussians q that L-BFGS finds from several starts (§3.13, fig. 3.6).

    By default it starts at each mixture component (μₖ, σₖ) and at the moment-matched Gaussian shifted
    slightly off-centre. Each run minimises over (μ, log σ) with the gradient of the same quadrature; runs that
    end at the same point (within ``tol`` of the scale of p) are merged, and stationary points that are not
    minima (a saddle between two modes) are dropped. Sorted by divergence: ``[0]`` is the best found.
    """
    w, mu, sd = _mixture(weights, means, stds)
    m, v = mixture_moments(w, mu, sd)
    scale = float(np.sqrt(v))
    if starts is None:
        starts = [(float(a), float(b)) for a, b in zip(mu, sd)] + [(m + 0.1 * scale, scale)]
    starts = _check_starts(starts)
    fun = lambda th: _reverse_kl_and_grad(w, mu, sd, th[0], th[1])  # noqa: E731
    found: list[GaussianFit] = []
    for mean0, std0 in starts:
        res = _minimize(fun, np.array([mean0, np.log(std0)]))
        th = res.x
        h = 1e-5  # second-order check: the Hessian (finite differences of the gradient) must be PD
        H = np.stack([(fun(th + h * e)[1] - fun(th - h * e)[1]) / (2 * h) for e in np.eye(2)])
        if np.min(np.linalg.eigvalsh(0.5 * (H + H.T))) <= 0:
            continue
        fit = GaussianFit(float(th[0]), float(np.exp(th[1])), max(float(res.fun), 0.0))
        if all(abs(fit.mean - g.mean) > tol * scale or abs(fit.std - g.std) > tol * scale for g in found):
            found.append(fit)
    return sorted(found, key=lambda g: g.kl)
