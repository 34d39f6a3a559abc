"""Batch normalisation (§8.7.1): standardise each unit over the minibatch, then rescale.

For a minibatch of activations ``H`` (one row per example, one column per unit)
``μ = mean_i H_i``, ``σ = √(δ + mean_i (H_i − μ)²)`` and ``H' = (H − μ) / σ`` (eqs. 8.35–8.37);
the layer outputs ``γ H' + β``. Back-propagation runs *through* μ and σ, which is what stops
gradient descent from undoing the normalisation (Ioffe and Szegedy, 2015).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dlbook.checks import as_array, check_positive
from dlbook.mlp import activation

__all__ = ["BatchNormCache", "batch_norm_backward", "batch_norm_forward", "deep_signal"]


@dataclass
class BatchNormCache:
    """What the backward pass needs: the normalised activations H', the scale σ per unit and γ."""

    H_hat: np.ndarray
    sigma: np.ndarray
    gamma: np.ndarray


def batch_norm_forward(H: Any, gamma: Any, beta: Any, delta: float = 1e-8) -> tuple[np.ndarray, BatchNormCache]:
    """``γ (H − μ) / σ + β`` with the minibatch mean μ and standard deviation σ of each column (eqs. 8.35–8.37)."""
    H = as_array(H, "H", ndim=2)
    if H.shape[0] < 2:
        raise ValueError(f"batch normalisation needs a minibatch of at least 2 rows; got {H.shape[0]}")
    gamma, beta = as_array(gamma, "gamma", ndim=1), as_array(beta, "beta", ndim=1)
    if gamma.shape != (H.shape[1],) or beta.shape != (H.shape[1],):
        raise ValueError(f"gamma and beta need one entry per unit ({H.shape[1]}); got {gamma.shape}, {beta.shape}")
    delta = check_positive(delta, "delta", allow_zero=True)
    mu = H.mean(axis=0)
    sigma = np.sqrt(delta + ((H - mu) ** 2).mean(axis=0))
    H_hat = (H - mu) / sigma
    return gamma * H_hat + beta, BatchNormCache(H_hat, sigma, gamma)


def batch_norm_backward(dout: Any, cache: BatchNormCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the loss with respect to H, γ and β, given its gradient ``dout`` at the output.

    With ``Ĝ = γ ⊙ dout`` (the gradient at H'), differentiating through μ and σ gives, per unit,
    ``∂L/∂H = (Ĝ − mean(Ĝ) − H' · mean(Ĝ ⊙ H')) / σ``: the gradient at H' with its mean and its
    component along H' removed, because shifting or scaling a column of H leaves H' unchanged.
    """
    dout = as_array(dout, "dout", ndim=2)
    if dout.shape != cache.H_hat.shape:
        raise ValueError(f"dout must have the forward output's shape {cache.H_hat.shape}; got {dout.shape}")
    d_gamma = (dout * cache.H_hat).sum(axis=0)
    d_beta = dout.sum(axis=0)
    G = cache.gamma * dout
    dH = (G - G.mean(axis=0) - cache.H_hat * (G * cache.H_hat).mean(axis=0)) / cache.sigma
    return dH, d_gamma, d_beta


def deep_signal(X: Any, weights: list[np.ndarray], act: str = "tanh", batch_norm: bool = False,
                seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Propagate a minibatch through a deep stack ``h ← g(BN(h Wᵀ))`` and a random gradient back down (§8.4, §8.7.1).

    Returns the activations of every layer and the gradients with respect to them. The
    backward pass starts from a standard-normal gradient at the top layer (seeded with
    ``seed``), so it shows how each layer scales gradients, independently of any loss.
    Batch normalisation here uses γ = 1, β = 0 (its state at initialisation).
    """
    g, g_prime = activation(act)
    h = as_array(X, "X", ndim=2)
    acts, pres, caches = [], [], []
    for W in weights:
        z = h @ W.T
        cache = None
        if batch_norm:
            z, cache = batch_norm_forward(z, np.ones(z.shape[1]), np.zeros(z.shape[1]), delta=1e-5)
        h = g(z)
        pres.append(z)
        caches.append(cache)
        acts.append(h)
    grad = np.random.default_rng(seed).standard_normal(h.shape)
    grads = [grad]
    for i in range(len(weights) - 1, 0, -1):
        dz = grad * g_prime(pres[i])
        if batch_norm:
            dz = batch_norm_backward(dz, caches[i])[0]
        grad = dz @ weights[i]
        grads.append(grad)
    return acts, grads[::-1]
