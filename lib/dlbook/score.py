"""Scores of Gaussian mixtures and the optimal denoiser, in NumPy (Deep Learning book, §14.5; also §18.5).

The score of a density is ``∇ₓ log p(x)``. For a mixture of isotropic Gaussians it has a closed form, and so has the
density of mixture data after Gaussian noise is added (another mixture, with wider components). That makes it the
test bed for the claim of §14.5 that a denoising autoencoder estimates the score. NumPy only, so demos can use it.
"""

from __future__ import annotations

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.prob import softmax


def _check_mixture(x: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = as_array(x, "x", ndim=2)
    means = as_array(means, "means", ndim=2)
    if x.shape[1] != means.shape[1]:
        raise ValueError(f"x and means must have the same number of columns; got {x.shape[1]} and "
                         f"{means.shape[1]}")
    return x, means


def mixture_score(x: np.ndarray, means: np.ndarray, std: float) -> np.ndarray:
    """``∇ₓ log p(x)`` for ``p = (1/K) Σₖ N(μₖ, std² I)``, at each row of ``x``.

    Each component pulls ``x`` toward its mean, weighted by its responsibility ``P(k | x)``:
    ``∇ log p(x) = Σₖ P(k | x) (μₖ − x) / std²``.
    """
    x, means = _check_mixture(x, means)
    check_positive(std, "std")
    d2 = ((x[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
    resp = softmax(-d2 / (2 * std**2), axis=1)
    return (resp @ means - x) / std**2


def sample_mixture_nd(n: int, means: np.ndarray, std: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws from ``(1/K) Σₖ N(μₖ, std² I)`` (ancestral sampling, §3.9.6)."""
    means = as_array(means, "means", ndim=2)
    n = check_int(n, "n", low=1)
    check_positive(std, "std", allow_zero=True)
    return means[rng.integers(len(means), size=n)] + std * rng.standard_normal((n, means.shape[1]))


def optimal_denoiser(x_tilde: np.ndarray, means: np.ndarray, data_std: float, noise_std: float) -> np.ndarray:
    """``E[x | x̃] = x̃ + σ² ∇ log p_σ(x̃)`` for mixture data with Gaussian noise of std ``σ`` (§14.5).

    Adding ``N(0, σ² I)`` noise to ``(1/K) Σₖ N(μₖ, s² I)`` gives ``p_σ = (1/K) Σₖ N(μₖ, (s² + σ²) I)``, so the
    score is :func:`mixture_score` with the wider std (Tweedie's formula; Miyasawa 1961). This is the function a
    squared-error denoising autoencoder of unlimited capacity learns.
    """
    check_positive(noise_std, "noise_std")
    check_positive(data_std, "data_std", allow_zero=True)
    return as_array(x_tilde, "x_tilde", ndim=2) + noise_std**2 * mixture_score(
        x_tilde, means, float(np.hypot(data_std, noise_std)))
