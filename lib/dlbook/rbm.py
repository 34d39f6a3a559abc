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
    "cd_gradient",
    "energy",
    "exact_gradient",
    "free_energy",
    "gibbs_step",
    "log_partition",
    "log_prob_visible",
    "p_h_given_v",
    "p_v_given_h",
    "train_rbm",
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


# -- learning: the positive and negative phases (chapter 18) -------------------------------------------------------

def _phase(v: Array, ph: Array) -> tuple[Array, Array, Array]:
    """Average sufficient statistics ⟨v hᵀ⟩, ⟨v⟩, ⟨h⟩ over rows, with h replaced by its conditional mean."""
    return v.T @ ph / len(v), v.mean(axis=0), ph.mean(axis=0)


def _model_phase(W: Array, b: Array, c: Array) -> tuple[Array, Array, Array]:
    """E_model[v hᵀ], E[v], E[h] exactly, by enumerating the hidden layer and using E[v | h] = σ(b + W h)."""
    h = all_binary_states(W.shape[1])
    log_w = h @ c + np.sum(softplus(h @ W.T + b), axis=1)       # log Σ_v exp(−E(v, h)) for each h
    p = np.exp(log_w - logsumexp(log_w, axis=None))              # P(h)
    ev = sigmoid(h @ W.T + b)                                    # E[v | h], one row per h
    return (ev * p[:, None]).T @ h, p @ ev, p @ h


def exact_gradient(v: Any, W: Any, b: Any, c: Any) -> tuple[Array, Array, Array]:
    """∇ of the mean log-likelihood: positive phase minus E_model[∇ log p̃] = ∇ log Z, by enumeration (§18.1, eq. 18.15).

    Returns (∂/∂W, ∂/∂b, ∂/∂c). Enumerates the 2^k hidden states, so it is for small hidden layers (k ≤ 20).
    """
    W, b, c = _params(W, b, c)
    if W.shape[1] > 20:
        raise ValueError(f"the exact gradient enumerates 2^k hidden states; k = {W.shape[1]} is too many (k ≤ 20)")
    v = _units(v, "v", W.shape[0])
    pos, neg = _phase(v, p_h_given_v(v, W, c)), _model_phase(W, b, c)
    return tuple(p - n for p, n in zip(pos, neg))  # type: ignore[return-value]


def cd_gradient(v: Any, W: Any, b: Any, c: Any, k: int, rng: np.random.Generator,
                chain: Any = None) -> tuple[tuple[Array, Array, Array], Array]:
    """The CD-k estimate of the log-likelihood gradient (§18.2, Algorithm 18.2), or PCD's (Algorithm 18.3).

    The negative phase runs ``k`` block Gibbs sweeps from the data (contrastive divergence) or, if ``chain``
    is given, from the persistent chain's current states (stochastic maximum likelihood / persistent CD).
    Returns the gradient (∂/∂W, ∂/∂b, ∂/∂c) and the chain's final visible states (pass them back for PCD).
    """
    W, b, c = _params(W, b, c)
    v = _units(v, "v", W.shape[0])
    k = check_int(k, "k", low=1)
    neg = v if chain is None else _units(chain, "chain", W.shape[0])
    for _ in range(k):
        neg, _ = gibbs_step(neg, W, b, c, rng)
    pos, negs = _phase(v, p_h_given_v(v, W, c)), _phase(neg, p_h_given_v(neg, W, c))
    return tuple(p - n for p, n in zip(pos, negs)), neg  # type: ignore[return-value]


def train_rbm(v: Any, n_hidden: int, rng: np.random.Generator, *, epochs: int = 50, lr: float = 0.05,
              k: int = 1, persistent: bool = False, batch_size: int = 100,
              callback: Any = None) -> tuple[Array, Array, Array]:
    """Fit a binary RBM by gradient ascent with CD-k (or PCD-k if ``persistent``) on mini-batches (§18.2).

    Weights start at N(0, 0.01²), hidden biases at 0 and visible biases at the data's log-odds (Hinton's
    practical guide). ``callback(epoch, W, b, c)``, if given, is called after every epoch.
    """
    v = as_array(v, "v", ndim=2)
    n_hidden = check_int(n_hidden, "n_hidden", low=1)
    epochs, batch_size = check_int(epochs, "epochs", low=1), check_int(batch_size, "batch_size", low=1)
    k = check_int(k, "k", low=1)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number; got {lr}")
    n, d = v.shape
    p = np.clip(v.mean(axis=0), 1e-3, 1 - 1e-3)
    W, b, c = rng.normal(0.0, 0.01, (d, n_hidden)), np.log(p / (1 - p)), np.zeros(n_hidden)
    chain = v[rng.choice(n, size=min(batch_size, n), replace=False)] if persistent else None
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            (gW, gb, gc), last = cd_gradient(v[order[start:start + batch_size]], W, b, c, k, rng, chain)
            W, b, c = W + lr * gW, b + lr * gb, c + lr * gc
            chain = last if persistent else None
        if callback is not None:
            callback(epoch, W, b, c)
    return W, b, c
