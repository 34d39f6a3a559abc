"""Autoregressive networks for binary vectors: the logistic FVBN and NADE (§20.10.7–20.10.10).

Both factor p(x) = Πᵢ p(xᵢ | x₁, …, x_{i−1}) in a fixed order, so log p(x) is a sum of d Bernoulli log-likelihoods
and normalisation is automatic: summed over all 2ᵈ vectors the probabilities give exactly one.

* logistic fully visible belief network: p(xᵢ = 1 | x_<i) = σ(bᵢ + Σ_{j<i} Wᵢⱼ xⱼ), with W strictly lower
  triangular (§20.10.8; d(d − 1)/2 weights);
* NADE (Larochelle & Murray 2011; §20.10.10): hᵢ = σ(c + W_{:,<i} x_<i) and p(xᵢ = 1 | x_<i) = σ(bᵢ + Vᵢ · hᵢ).
  Every hidden vector hᵢ uses the *same* matrix W (weight sharing), so all d of them cost O(dH) by a running sum.

NumPy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array
from dlbook.prob import sigmoid, softplus

__all__ = ["fvbn_log_prob", "fvbn_conditionals", "nade_conditionals", "nade_log_prob"]


def _binary(x: Any, d: int) -> np.ndarray:
    x = np.atleast_2d(as_array(x, "x", ndim=(1, 2)))
    if x.shape[1] != d:
        raise ValueError(f"x must have {d} columns to match the parameters; got {x.shape[1]}")
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("x must be binary (entries 0 or 1)")
    return x


def _bernoulli_log_prob(x: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """Σᵢ log Bernoulli(xᵢ; σ(aᵢ)) = Σᵢ [xᵢ aᵢ − softplus(aᵢ)], stable for any logits."""
    return np.sum(x * logits - softplus(logits), axis=1)


def fvbn_conditionals(x: Any, W: Any, b: Any) -> np.ndarray:
    """Logits aᵢ = bᵢ + Σ_{j<i} Wᵢⱼ xⱼ of p(xᵢ = 1 | x_<i) (§20.10.8); entries of W on or above the diagonal are
    ignored."""
    W, b = as_array(W, "W", ndim=2), as_array(b, "b", ndim=1)
    d = b.shape[0]
    if W.shape != (d, d):
        raise ValueError(f"W must be ({d}, {d}) to match b; got {W.shape}")
    return b + _binary(x, d) @ np.tril(W, -1).T


def fvbn_log_prob(x: Any, W: Any, b: Any) -> np.ndarray:
    """log p(x) of the logistic FVBN for each row of ``x`` (§20.10.8)."""
    return _bernoulli_log_prob(_binary(x, len(np.atleast_1d(b))), fvbn_conditionals(x, W, b))


def nade_conditionals(x: Any, W: Any, V: Any, b: Any, c: Any) -> np.ndarray:
    """Logits aᵢ = bᵢ + Vᵢ · σ(c + Σ_{j<i} W_{:,j} xⱼ) of NADE, shape (n, d) (§20.10.10).

    W is (H, d) (input to hidden, shared by all positions), V is (d, H), b has d entries and c has H.
    """
    W, V = as_array(W, "W", ndim=2), as_array(V, "V", ndim=2)
    b, c = as_array(b, "b", ndim=1), as_array(c, "c", ndim=1)
    H, d = W.shape
    if V.shape != (d, H) or b.shape != (d,) or c.shape != (H,):
        raise ValueError(f"W is {W.shape}, so V must be ({d}, {H}), b ({d},) and c ({H},); "
                         f"got V {V.shape}, b {b.shape}, c {c.shape}")
    x = _binary(x, d)
    contrib = x[:, None, :] * W[None, :, :]                        # (n, H, d): W_{:,j} xⱼ
    before = np.cumsum(contrib, axis=2) - contrib                  # Σ_{j<i}: the running sum, shifted by one
    h = sigmoid(c[None, :, None] + before)                         # (n, H, d): hᵢ in column i
    return b + np.einsum("ih,nhi->ni", V, h)


def nade_log_prob(x: Any, W: Any, V: Any, b: Any, c: Any) -> np.ndarray:
    """log p(x) under NADE for each row of ``x`` (§20.10.10)."""
    return _bernoulli_log_prob(_binary(x, len(np.atleast_1d(b))), nade_conditionals(x, W, V, b, c))
