"""The deep Boltzmann machine with two hidden layers and its mean-field inference (§20.4).

Energy (§20.4, eq. 20.24 with biases): E(v, h¹, h²) = −bᵀv − c¹ᵀh¹ − c²ᵀh² − vᵀW¹h¹ − h¹ᵀW²h², all units binary.
The layers form a bipartite graph (v and h² on one side, h¹ on the other), so each layer is factorial given its
neighbours. Given v, the posterior over (h¹, h²) is not factorial; mean-field inference fits
q(h¹, h²) = Πⱼ q(h¹ⱼ) Πₖ q(h²ₖ) by the fixed-point updates (§20.4.2, eqs. 20.29–20.30)

    ĥ¹ = σ(c¹ + vᵀW¹ + W²ĥ²),      ĥ² = σ(c² + ĥ¹ᵀW²),

each of which maximises the evidence lower bound exactly in one layer, so the bound never decreases.
NumPy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int
from dlbook.prob import logsumexp, sigmoid
from dlbook.rbm import all_binary_states

__all__ = ["dbm_elbo", "dbm_log_unnormalized_marginal", "dbm_mean_field"]


def _shapes(v: Any, W1: Any, W2: Any, c1: Any, c2: Any) -> tuple[np.ndarray, ...]:
    v = as_array(v, "v", ndim=1)
    W1, W2 = as_array(W1, "W1", ndim=2), as_array(W2, "W2", ndim=2)
    c1, c2 = as_array(c1, "c1", ndim=1), as_array(c2, "c2", ndim=1)
    if W1.shape[0] != v.shape[0] or W2.shape[0] != W1.shape[1] or c1.shape != (W1.shape[1],) \
            or c2.shape != (W2.shape[1],):
        raise ValueError(f"shapes must chain as v ({v.shape[0]},) · W1 (d, k1) · W2 (k1, k2) with c1 (k1,), c2 (k2,); "
                         f"got W1 {W1.shape}, W2 {W2.shape}, c1 {c1.shape}, c2 {c2.shape}")
    if not np.all((v == 0) | (v == 1)):
        raise ValueError("v must be binary")
    return v, W1, W2, c1, c2


def dbm_mean_field(v: Any, W1: Any, W2: Any, c1: Any, c2: Any, iters: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Alternate the two mean-field updates ``iters`` times from ĥ² = ½; returns (ĥ¹, ĥ²) (§20.4.2)."""
    v, W1, W2, c1, c2 = _shapes(v, W1, W2, c1, c2)
    iters = check_int(iters, "iters", low=1)
    h2 = np.full(W2.shape[1], 0.5)
    for _ in range(iters):
        h1 = sigmoid(c1 + v @ W1 + W2 @ h2)
        h2 = sigmoid(c2 + h1 @ W2)
    return h1, h2


def _bernoulli_entropy(p: np.ndarray) -> float:
    q = np.clip(p, 1e-300, 1.0)
    r = np.clip(1 - p, 1e-300, 1.0)
    return float(-np.sum(p * np.log(q) + (1 - p) * np.log(r)))


def dbm_elbo(v: Any, h1: Any, h2: Any, W1: Any, W2: Any, c1: Any, c2: Any) -> float:
    """E_q[−E(v, h¹, h²)] + H(q) for the factorial q with means ĥ¹, ĥ², omitting the visible bias term bᵀv and
    −log Z (both constant in q): a lower bound on log Σ_h exp(c¹ᵀh¹ + c²ᵀh² + vᵀW¹h¹ + h¹ᵀW²h²) (§19.1)."""
    v, W1, W2, c1, c2 = _shapes(v, W1, W2, c1, c2)
    h1, h2 = as_array(h1, "h1", ndim=1), as_array(h2, "h2", ndim=1)
    expected = c1 @ h1 + c2 @ h2 + v @ W1 @ h1 + h1 @ W2 @ h2        # q factorises across layers
    return float(expected + _bernoulli_entropy(h1) + _bernoulli_entropy(h2))


def dbm_log_unnormalized_marginal(v: Any, W1: Any, W2: Any, c1: Any, c2: Any) -> float:
    """log Σ_{h¹, h²} exp(c¹ᵀh¹ + c²ᵀh² + vᵀW¹h¹ + h¹ᵀW²h²) by enumerating h¹ and summing h² out (≤ 20 units)."""
    v, W1, W2, c1, c2 = _shapes(v, W1, W2, c1, c2)
    H1 = all_binary_states(W1.shape[1])
    a = H1 @ c1 + H1 @ (W1.T @ v) + np.sum(np.logaddexp(0.0, c2 + H1 @ W2), axis=1)
    return float(logsumexp(a, axis=None))
