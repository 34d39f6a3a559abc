"""Probability distributions and the numerically stable functions around them (§3.3–3.10, §4.1).

The logistic sigmoid and softplus (§3.10, eqs. 3.30–3.31), log-sum-exp, softmax and
log-softmax (stable versions, §4.1, eq. 4.1), and the densities of §3.9: Bernoulli,
uniform (§3.3.2), Gaussian (eq. 3.21), multivariate Gaussian (eqs. 3.23–3.24), exponential (eq. 3.25),
Laplace (eq. 3.26) and Gaussian mixtures (eq. 3.29) with their responsibilities P(c | x).
Everything is NumPy, float64, and stays finite at extreme but valid inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, check_probabilities

__all__ = [
    "bernoulli_pmf",
    "exponential_pdf",
    "gaussian_logpdf",
    "gaussian_pdf",
    "laplace_pdf",
    "log_softmax",
    "logsumexp",
    "mixture_logpdf",
    "mixture_moments",
    "mixture_pdf",
    "mixture_responsibilities",
    "multivariate_normal_logpdf",
    "sample_mixture",
    "sigmoid",
    "softmax",
    "softplus",
    "uniform_pdf",
]


def _scalar_or_array(a: np.ndarray) -> Any:
    """Return a 0-d result as a NumPy float and anything else as an array."""
    return a[()] if a.ndim == 0 else a


def _logits(x: Any, name: str = "x") -> np.ndarray:
    """Return ``x`` as float64, allowing -inf (log of zero) but not NaN or +inf."""
    arr = as_array(x, name, finite=False)
    if np.any(np.isnan(arr)) or np.any(arr == np.inf):
        raise ValueError(f"{name} must not contain NaN or +inf (-inf, the log of zero, is allowed)")
    return arr


def sigmoid(x: Any) -> Any:
    """Logistic sigmoid σ(x) = 1 / (1 + exp(−x)) (§3.10, eq. 3.30).

    Stable for any finite ``x``: for x < 0 it uses the equal form exp(x) / (1 + exp(x)),
    so ``exp`` never sees a large positive argument.
    """
    x = as_array(x, "x")
    e = np.exp(-np.abs(x))  # in (0, 1], never overflows
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return _scalar_or_array(out)


def softplus(x: Any) -> Any:
    """Softplus ζ(x) = log(1 + exp(x)) (§3.10, eq. 3.31), computed as max(x, 0) + log1p(exp(−|x|))."""
    x = as_array(x, "x")
    out = np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
    return _scalar_or_array(out)


def logsumexp(x: Any, axis: int | None = -1, keepdims: bool = False) -> Any:
    """log Σᵢ exp(xᵢ) along ``axis`` (all entries if ``axis`` is None), without overflow (§4.1).

    Subtracts the maximum first. Entries may be −inf (log of a zero probability);
    a slice that is entirely −inf gives −inf.
    """
    x = _logits(x)
    m = np.max(x, axis=axis, keepdims=True)
    m_safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - m_safe), axis=axis, keepdims=True)) + m_safe
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return _scalar_or_array(np.asarray(out))


def _shifted(x: Any, axis: int) -> np.ndarray:
    """x − max(x) along ``axis`` (§4.1): the largest entry becomes 0, so exp never overflows."""
    x = _logits(x)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension (softmax normalises along an axis)")
    m = np.max(x, axis=axis, keepdims=True)
    if np.any(np.isneginf(m)):
        raise ValueError("x must have at least one entry > -inf along the softmax axis")
    return x - m


def log_softmax(x: Any, axis: int = -1) -> np.ndarray:
    """log softmax(x)ᵢ = zᵢ − log Σⱼ exp(zⱼ) with z = x − max(x) (§4.1), finite wherever xᵢ is finite."""
    z = _shifted(x, axis)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softmax(x: Any, axis: int = -1) -> np.ndarray:
    """softmax(x)ᵢ = exp(zᵢ) / Σⱼ exp(zⱼ) with z = x − max(x) (§4.1, eq. 4.1), stable for large |x|."""
    e = np.exp(_shifted(x, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def bernoulli_pmf(x: Any, phi: float) -> Any:
    """P(x = 1) = φ, P(x = 0) = 1 − φ (§3.9.1, eqs. 3.16–3.17); ``x`` must hold only 0s and 1s."""
    x = as_array(x, "x")
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("x must contain only 0 and 1 (a Bernoulli variable is binary)")
    phi = float(check_probabilities(as_array(phi, "phi", ndim=0), "phi"))
    return _scalar_or_array(np.where(x == 1, phi, 1.0 - phi))


def gaussian_logpdf(x: Any, mean: float = 0.0, std: float = 1.0) -> Any:
    """log N(x; μ, σ²) = −½ log(2πσ²) − (x − μ)² / (2σ²) (§3.9.3, eq. 3.21)."""
    x = as_array(x, "x")
    mean = float(as_array(mean, "mean", ndim=0))
    std = check_positive(std, "std")
    z = (x - mean) / std
    return _scalar_or_array(-0.5 * np.log(2.0 * np.pi) - np.log(std) - 0.5 * z**2)


def gaussian_pdf(x: Any, mean: float = 0.0, std: float = 1.0) -> Any:
    """Gaussian density N(x; μ, σ²) with standard deviation σ = ``std`` > 0 (§3.9.3, eq. 3.21)."""
    return _scalar_or_array(np.exp(np.asarray(gaussian_logpdf(x, mean, std))))


def uniform_pdf(x: Any, low: float = 0.0, high: float = 1.0) -> Any:
    """u(x; a, b) = 1 / (b − a) for a ≤ x ≤ b and 0 elsewhere (§3.3.2): every point of [a, b] equally likely."""
    x = as_array(x, "x")
    low, high = float(as_array(low, "low", ndim=0)), float(as_array(high, "high", ndim=0))
    if not high > low:
        raise ValueError(f"high must be > low for a uniform density; got low={low:g}, high={high:g}")
    return _scalar_or_array(np.where((x >= low) & (x <= high), 1.0 / (high - low), 0.0))


def multivariate_normal_logpdf(x: Any, mean: Any, cov: Any = None, *, precision: Any = None) -> Any:
    """log N(x; μ, Σ) = −½ (x − μ)ᵀ Σ⁻¹ (x − μ) − ½ log det(2πΣ) (§3.9.3, eq. 3.23).

    Pass either the covariance ``cov`` = Σ or the precision matrix ``precision`` = β = Σ⁻¹ (eq. 3.24,
    where the normaliser is ½ log det(β / 2π)). ``x`` is one point ``(n,)`` or a stack ``(..., n)``.
    """
    mu = as_array(mean, "mean", ndim=1)
    beta = _precision(cov, precision, mu.shape[0])
    x = as_array(x, "x", ndim=(1, 2))
    if x.shape[-1] != mu.shape[0]:
        raise ValueError(f"x must have {mu.shape[0]} entries per point to match mean; got shape {x.shape}")
    d = x - mu
    quad = np.einsum("...i,ij,...j->...", d, beta, d)
    _, logdet_beta = np.linalg.slogdet(beta / (2.0 * np.pi))
    return _scalar_or_array(np.asarray(-0.5 * quad + 0.5 * logdet_beta))


def _precision(cov: Any, precision: Any, n: int) -> np.ndarray:
    """The precision matrix from exactly one of ``cov`` and ``precision``, checked symmetric positive definite."""
    if (cov is None) == (precision is None):
        raise ValueError("pass exactly one of cov (Σ) and precision (β = Σ⁻¹)")
    name = "cov" if precision is None else "precision"
    M = as_array(cov if precision is None else precision, name, ndim=2)
    if M.shape != (n, n):
        raise ValueError(f"{name} must be {n}×{n} to match mean; got shape {M.shape}")
    if not np.allclose(M, M.T, atol=1e-12 * max(1.0, np.abs(M).max())) or np.linalg.eigvalsh(M).min() <= 0:
        raise ValueError(f"{name} must be symmetric positive definite")
    return np.linalg.inv(M) if precision is None else M


def exponential_pdf(x: Any, rate: float = 1.0) -> Any:
    """p(x; λ) = λ 1_{x ≥ 0} exp(−λx) (§3.9.4, eq. 3.25): a sharp edge at x = 0, nothing below it."""
    x = as_array(x, "x")
    rate = check_positive(rate, "rate")
    return _scalar_or_array(np.where(x >= 0, rate * np.exp(-rate * np.maximum(x, 0.0)), 0.0))


def laplace_pdf(x: Any, mean: float = 0.0, scale: float = 1.0) -> Any:
    """Laplace(x; μ, γ) = exp(−|x − μ| / γ) / (2γ) (§3.9.4, eq. 3.26), a sharp peak at μ."""
    x = as_array(x, "x")
    mean = float(as_array(mean, "mean", ndim=0))
    scale = check_positive(scale, "scale")
    return _scalar_or_array(np.exp(-np.abs(x - mean) / scale) / (2.0 * scale))


def _mixture_params(weights: Any, means: Any, stds: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = check_probabilities(as_array(weights, "weights", ndim=1), "weights")
    mu = as_array(means, "means", ndim=1)
    sd = as_array(stds, "stds", ndim=1)
    if not (len(w) == len(mu) == len(sd)):
        raise ValueError(f"weights, means and stds must have the same length; got {len(w)}, {len(mu)}, {len(sd)}")
    if np.any(sd <= 0):
        raise ValueError(f"stds must all be > 0 (a Gaussian needs a positive width); got {sd}")
    return w, mu, sd


def mixture_logpdf(x: Any, weights: Any, means: Any, stds: Any) -> Any:
    """log p(x) of a 1-D Gaussian mixture p(x) = Σᵢ P(c = i) N(x; μᵢ, σᵢ²) (§3.9.6, eq. 3.29).

    Computed with log-sum-exp over the components, so it stays finite far in the tails.
    """
    w, mu, sd = _mixture_params(weights, means, stds)
    return logsumexp(mixture_log_terms(as_array(x, "x"), w, mu, sd), axis=-1)


def mixture_log_terms(x: np.ndarray, w: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """log(P(c = i) N(x; μᵢ, σᵢ²)) of each component i, on a new last axis, for checked arrays (§3.9.6):
    their log-sum-exp is log p(x) and their softmax the responsibilities P(c = i | x)."""
    z = (x[..., None] - mu) / sd
    with np.errstate(divide="ignore"):  # a zero weight contributes log 0 = -inf, which logsumexp handles
        return np.log(w) - 0.5 * np.log(2.0 * np.pi) - np.log(sd) - 0.5 * z**2


def mixture_responsibilities(x: Any, weights: Any, means: Any, stds: Any) -> np.ndarray:
    """The posterior P(c = i | x) = P(c = i) N(x; μᵢ, σᵢ²) / p(x) of each component, by Bayes' rule (§3.9.6, §3.11).

    The prior P(c) is the weights; seeing x moves belief toward the components that explain it. Returns an
    array of shape ``x.shape + (k,)`` whose last axis sums to one, computed as a softmax of the log terms.
    """
    w, mu, sd = _mixture_params(weights, means, stds)
    return softmax(mixture_log_terms(as_array(x, "x"), w, mu, sd), axis=-1)


def mixture_pdf(x: Any, weights: Any, means: Any, stds: Any) -> Any:
    """Density of a 1-D Gaussian mixture (§3.9.6, eq. 3.29)."""
    return _scalar_or_array(np.exp(np.asarray(mixture_logpdf(x, weights, means, stds))))


def mixture_moments(weights: Any, means: Any, stds: Any) -> tuple[float, float]:
    """Mean and variance of a 1-D Gaussian mixture (§3.8, §3.9.6).

    E[x] = Σᵢ wᵢ μᵢ, and by the law of total variance Var[x] = Σᵢ wᵢ σᵢ² + Σᵢ wᵢ (μᵢ − E[x])²: the average
    within-component variance plus the variance of the means. (Equal to Σᵢ wᵢ (σᵢ² + μᵢ²) − E[x]², but that
    difference loses every digit when the means are large next to the spread.)
    """
    w, mu, sd = _mixture_params(weights, means, stds)
    mean = float(w @ mu)
    return mean, float(w @ sd**2 + w @ (mu - mean) ** 2)


def sample_mixture(
    n: int, weights: Any, means: Any, stds: Any, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` samples by ancestral sampling: first the component c, then x ~ N(μ_c, σ_c²) (§3.9.6).

    Returns the samples and the (latent) component of each.
    """
    w, mu, sd = _mixture_params(weights, means, stds)
    n = check_int(n, "n", low=1)
    c = rng.choice(len(w), size=n, p=w / w.sum())  # check_probabilities allows 1e-6 slack; choice wants 1e-8
    return mu[c] + sd[c] * rng.standard_normal(n), c
