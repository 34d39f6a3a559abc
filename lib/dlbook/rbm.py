"""The binary restricted Boltzmann machine: energy, conditionals, block Gibbs and the exact partition function.

One home for the RBM, which three chapters use: §16.7.1 introduces it (energy eq. 16.10, factorial conditionals
eqs. 16.11–16.14, block Gibbs sampling), chapter 18 trains it (contrastive divergence, persistent CD, annealed
importance sampling) and §20.2 recaps it before deep belief networks and deep Boltzmann machines.

Conventions: visible units ``v`` are rows of a ``(n, d)`` array in {0, 1}, hidden units ``h`` rows of an ``(n, k)``
array, ``W`` is ``(d, k)``, ``b`` the visible and ``c`` the hidden biases. The energy is

    E(v, h) = −bᵀv − cᵀh − vᵀWh,     P(v, h) = exp(−E(v, h)) / Z.

NumPy only, so demos built on it also run in the browser.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int
from dlbook.prob import logsumexp, sigmoid, softplus

__all__ = [
    "all_binary_states",
    "energy",
    "free_energy",
    "gibbs_step",
    "log_partition",
    "log_prob_visible",
    "p_h_given_v",
    "p_v_given_h",
]

Array = np.ndarray


def _params(W: Any, b: Any, c: Any) -> tuple[Array, Array, Array]:
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=1)
    c = as_array(c, "c", ndim=1)
    d, k = W.shape
    if b.shape != (d,) or c.shape != (k,):
        raise ValueError(f"W has shape {W.shape}, so b must have shape ({d},) and c shape ({k},); "
                         f"got b {b.shape} and c {c.shape}")
    return W, b, c


def _units(x: Any, name: str, width: int) -> Array:
    x = as_array(x, name, ndim=(1, 2))
    x = np.atleast_2d(x)
    if x.shape[1] != width:
        raise ValueError(f"{name} must have {width} units per row; got {x.shape[1]}")
    if np.any((x < 0) | (x > 1)):
        raise ValueError(f"{name} must hold values in [0, 1] (binary states or their probabilities)")
    return x


def energy(v: Any, h: Any, W: Any, b: Any, c: Any) -> Array:
    """E(v, h) = −bᵀv − cᵀh − vᵀWh for each row pair (§16.7.1, eq. 16.10)."""
    W, b, c = _params(W, b, c)
    v, h = _units(v, "v", W.shape[0]), _units(h, "h", W.shape[1])
    if len(v) != len(h):
        raise ValueError(f"v and h must have the same number of rows; got {len(v)} and {len(h)}")
    return -v @ b - h @ c - np.einsum("ni,ij,nj->n", v, W, h)


def free_energy(v: Any, W: Any, b: Any, c: Any) -> Array:
    """F(v) = −log Σ_h exp(−E(v, h)) = −bᵀv − Σⱼ softplus(cⱼ + vᵀW:,ⱼ), so P(v) = exp(−F(v)) / Z (§18.2)."""
    W, b, c = _params(W, b, c)
    v = _units(v, "v", W.shape[0])
    return -v @ b - np.sum(softplus(c + v @ W), axis=1)


def p_h_given_v(v: Any, W: Any, c: Any) -> Array:
    """P(hⱼ = 1 | v) = σ(cⱼ + vᵀW:,ⱼ): the hidden units are independent given v (§16.7.1, eq. 16.14)."""
    W = as_array(W, "W", ndim=2)
    c = as_array(c, "c", ndim=1)
    if c.shape != (W.shape[1],):
        raise ValueError(f"c must have shape ({W.shape[1]},) to match W {W.shape}; got {c.shape}")
    return sigmoid(_units(v, "v", W.shape[0]) @ W + c)


def p_v_given_h(h: Any, W: Any, b: Any) -> Array:
    """P(vᵢ = 1 | h) = σ(bᵢ + Wᵢ,: h): the visible units are independent given h (§16.7.1)."""
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=1)
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},) to match W {W.shape}; got {b.shape}")
    return sigmoid(_units(h, "h", W.shape[1]) @ W.T + b)


def gibbs_step(v: Any, W: Any, b: Any, c: Any, rng: np.random.Generator) -> tuple[Array, Array]:
    """One block Gibbs sweep: sample h ~ P(h | v), then v' ~ P(v | h); returns (v', h) (§16.7.1, §17.4)."""
    W, b, c = _params(W, b, c)
    ph = p_h_given_v(v, W, c)
    h = (rng.random(ph.shape) < ph).astype(float)
    pv = p_v_given_h(h, W, b)
    return (rng.random(pv.shape) < pv).astype(float), h


def all_binary_states(n: int) -> Array:
    """Every vector of {0, 1}ⁿ as the rows of a (2ⁿ, n) array, in binary counting order."""
    n = check_int(n, "n", low=1, high=24)
    return np.array(list(itertools.product((0.0, 1.0), repeat=n)))


def log_partition(W: Any, b: Any, c: Any) -> float:
    """Exact log Z by enumerating the smaller layer and summing the other out analytically (§18.7).

    With k ≤ d hidden units, log Z = logsumexp over h of [cᵀh + Σᵢ softplus(bᵢ + Wᵢ,: h)]; the cost is 2^min(d, k).
    """
    W, b, c = _params(W, b, c)
    d, k = W.shape
    if min(d, k) > 24:
        raise ValueError(f"enumerating 2^{min(d, k)} states is too many; exact log Z needs a layer of ≤ 24 units")
    if k <= d:
        h = all_binary_states(k)
        return float(logsumexp(h @ c + np.sum(softplus(h @ W.T + b), axis=1), axis=None))
    v = all_binary_states(d)
    return float(logsumexp(-free_energy(v, W, b, c), axis=None))


def log_prob_visible(v: Any, W: Any, b: Any, c: Any, log_z: float | None = None) -> Array:
    """log P(v) = −F(v) − log Z, with log Z computed exactly unless given (§18.1)."""
    log_z = log_partition(W, b, c) if log_z is None else float(log_z)
    return -free_energy(v, W, b, c) - log_z
