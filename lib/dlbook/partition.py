"""Living with an intractable partition function (chapter 18): estimate log Z, or train without it.

Two families of tools. *Estimators of Z* (§18.7): annealed importance sampling for a binary RBM (plain importance
sampling is its one-step special case) and bridge sampling for the ratio of two normalising constants. *Objectives
that never need Z*: pseudolikelihood (§18.3), score matching (§18.4), denoising score matching (§18.5) and
noise-contrastive estimation (§18.6). Also a tiny tabular energy model on a 1-D grid whose exact gradient, CD-k and
persistent CD can be compared side by side (§18.2, figure 18.2's spurious modes).

NumPy only, so demos built on it also run in the browser.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.prob import logsumexp, sigmoid, softmax, softplus
from dlbook.rbm import free_energy

__all__ = [
    "ais_log_partition",
    "bridge_log_ratio",
    "denoising_score_matching_loss",
    "grid_energy_fit",
    "nce_loss",
    "pseudolikelihood",
    "ratio_matching",
    "score_matching_loss",
]

Array = np.ndarray


def _log_mean_exp(a: Array) -> float:
    return float(logsumexp(a, axis=None) - np.log(a.size))


# -- estimating the partition function (§18.7) ------------------------------------------------------------------

def ais_log_partition(W: Any, b: Any, c: Any, n_steps: int, n_chains: int, rng: np.random.Generator,
                      base_bias: Any = None) -> tuple[float, Array]:
    """Annealed importance sampling estimate of log Z for a binary RBM (§18.7.1; Salakhutdinov & Murray, 2008).

    The path runs from a base RBM with no weights, visible biases ``base_bias`` (default 0) and zero hidden
    biases, whose log Z_0 = Σᵢ softplus(b_Aᵢ) + k log 2 is exact, through the RBMs with weights βW, hidden biases
    βc and visible biases (1 − β) b_A + β b, for ``n_steps`` equally spaced β from 0 to 1. Each chain starts from an
    exact base sample, accumulates the log weight −F_β(v) + F_β′(v) at each step and moves by one Gibbs sweep at the
    new β. Returns (the estimate log Z_0 + log mean wₘ, the log weights). With ``n_steps = 1`` it is plain
    importance sampling with the base as proposal (§18.7).
    """
    W, b, c = as_array(W, "W", ndim=2), as_array(b, "b", ndim=1), as_array(c, "c", ndim=1)
    d, k = W.shape
    if b.shape != (d,) or c.shape != (k,):
        raise ValueError(f"W has shape {W.shape}, so b must have shape ({d},) and c shape ({k},); "
                         f"got {b.shape}, {c.shape}")
    n_steps, n_chains = check_int(n_steps, "n_steps", low=1), check_int(n_chains, "n_chains", low=1)
    bA = np.zeros(d) if base_bias is None else as_array(base_bias, "base_bias", ndim=1)
    if bA.shape != (d,):
        raise ValueError(f"base_bias must have shape ({d},) to match W {W.shape}; got {bA.shape}")

    log_z0 = float(np.sum(softplus(bA)) + k * np.log(2.0))
    v = (rng.random((n_chains, d)) < sigmoid(bA)).astype(float)         # exact samples of the base
    log_w = np.zeros(n_chains)
    betas = np.linspace(0.0, 1.0, n_steps + 1)
    for prev, beta in zip(betas[:-1], betas[1:]):
        # −F_β(v) = ((1 − β) b_A + β b)ᵀv + Σⱼ softplus(β (cⱼ + vᵀW:,ⱼ)), so the weight factor p̃_β / p̃_β′ is
        act = c + v @ W
        log_w += (beta - prev) * (v @ (b - bA)) + np.sum(softplus(beta * act) - softplus(prev * act), axis=1)
        if beta < 1.0:                                                 # one block Gibbs sweep of the RBM at β
            h = (rng.random((n_chains, k)) < sigmoid(beta * act)).astype(float)
            v = (rng.random((n_chains, d)) < sigmoid(beta * h @ W.T + (1 - beta) * bA + beta * b)).astype(float)
    return log_z0 + _log_mean_exp(log_w), log_w


def bridge_log_ratio(log_ratio_a: Any, log_ratio_b: Any, n_iter: int = 100) -> float:
    """Bridge sampling estimate of log(Z_a / Z_b) with the optimal bridge (§18.7.2; Meng & Wong, 1996; Bennett, 1976).

    ``log_ratio_a`` holds log p̃_a(x) − log p̃_b(x) at samples x ~ p_a, ``log_ratio_b`` the same at samples x ~ p_b.
    The optimal bridge depends on the unknown ratio r itself, so r is found by fixed-point iteration of
    r = mean_b[l / (s_a l + s_b r)] / mean_a[1 / (s_a l + s_b r)] with l = p̃_a/p̃_b and s the sample shares.
    """
    la, lb = as_array(log_ratio_a, "log_ratio_a", ndim=1), as_array(log_ratio_b, "log_ratio_b", ndim=1)
    n_iter = check_int(n_iter, "n_iter", low=1)
    log_sa, log_sb = np.log(la.size / (la.size + lb.size)), np.log(lb.size / (la.size + lb.size))
    log_r = 0.0
    for _ in range(n_iter):
        num = _log_mean_exp(lb - np.logaddexp(log_sa + lb, log_sb + log_r))
        den = _log_mean_exp(-np.logaddexp(log_sa + la, log_sb + log_r))
        log_r = num - den
    return float(log_r)


# -- objectives that do not need Z (§18.3–18.6) -----------------------------------------------------------------

def pseudolikelihood(v: Any, W: Any, b: Any, c: Any) -> Array:
    """Σᵢ log P(vᵢ | v₋ᵢ) for each row of ``v`` under a binary RBM (§18.3).

    Each conditional is a ratio of two unnormalised probabilities, so Z cancels:
    log P(vᵢ | v₋ᵢ) = −F(v) − log(exp(−F(v)) + exp(−F(v with bit i flipped))).
    """
    v = np.atleast_2d(as_array(v, "v", ndim=(1, 2)))
    if not np.all((v == 0) | (v == 1)):
        raise ValueError("pseudolikelihood needs binary visible states (every entry 0 or 1)")
    f = -free_energy(v, W, b, c)
    total = np.zeros(len(v))
    for i in range(v.shape[1]):
        flipped = v.copy()
        flipped[:, i] = 1.0 - flipped[:, i]
        total += f - np.logaddexp(f, -free_energy(flipped, W, b, c))
    return total


def ratio_matching(v: Any, W: Any, b: Any, c: Any) -> Array:
    """Ratio matching's objective Σⱼ (1 / (1 + p̃(v) / p̃(f(v, j))))² for each row of ``v`` under a binary RBM.

    f(v, j) is v with bit j flipped (§18.4.1, eq. 18.26; Hyvärinen, 2007). With p̃ = exp(−F), each term is
    σ(F(v) − F(f(v, j)))², a function of a free-energy difference, so Z cancels. Average it over the data and
    minimise.
    """
    v = np.atleast_2d(as_array(v, "v", ndim=(1, 2)))
    if not np.all((v == 0) | (v == 1)):
        raise ValueError("ratio matching needs binary visible states (every entry 0 or 1)")
    f = free_energy(v, W, b, c)
    total = np.zeros(len(v))
    for j in range(v.shape[1]):
        flipped = v.copy()
        flipped[:, j] = 1.0 - flipped[:, j]
        total += sigmoid(f - free_energy(flipped, W, b, c)) ** 2
    return total


def score_matching_loss(x: Any, score: Callable[[Array], Array], score_grad: Callable[[Array], Array]) -> float:
    """Hyvärinen's score-matching objective for 1-D data: mean of ∂ₓψ(x) + ½ ψ(x)², ψ = ∂ₓ log p̃ (§18.4, eq. 18.25).

    ``score`` returns ψ(x) = ∂ log p̃ / ∂x and ``score_grad`` its derivative ∂²log p̃ / ∂x²; neither involves Z.
    Equal, up to a constant independent of the model, to ½ E‖ψ_model − ψ_data‖² (eq. 18.22).
    """
    x = as_array(x, "x", ndim=1)
    return float(np.mean(score_grad(x) + 0.5 * score(x) ** 2))


def denoising_score_matching_loss(x: Any, noisy: Any, score: Callable[[Array], Array], sigma: float) -> float:
    """Denoising score matching (§18.5; Vincent, 2011): mean of ½ (ψ(x̃) + (x̃ − x)/σ²)² for x̃ = x + N(0, σ²).

    The target −(x̃ − x)/σ² is the score of the Gaussian corruption kernel, so the model's score is fitted to the
    score of the *smoothed* data density; no second derivative is needed.
    """
    x, noisy = as_array(x, "x", ndim=1), as_array(noisy, "noisy", ndim=1)
    if x.shape != noisy.shape:
        raise ValueError(f"x and noisy must have the same shape; got {x.shape} and {noisy.shape}")
    s2 = check_positive(sigma, "sigma") ** 2
    return float(np.mean(0.5 * (score(noisy) + (noisy - x) / s2) ** 2))


def nce_loss(log_model_data: Any, log_noise_data: Any, log_model_noise: Any, log_noise_noise: Any) -> float:
    """Noise-contrastive estimation's logistic loss (§18.6; Gutmann & Hyvärinen, 2010), per data point.

    With ν = (noise samples)/(data samples) and G(x) = log p_model(x) − log p_noise(x) − log ν, where log p_model
    includes a learned constant c standing for −log Z (eq. 18.28), the loss is
    −mean_data log σ(G) − ν mean_noise log σ(−G): a classifier telling data from noise.
    """
    lmd, lnd = as_array(log_model_data, "log_model_data", ndim=1), as_array(log_noise_data, "log_noise_data", ndim=1)
    lmn, lnn = as_array(log_model_noise, "log_model_noise", ndim=1), as_array(log_noise_noise, "log_noise_noise",
                                                                               ndim=1)
    if lmd.shape != lnd.shape or lmn.shape != lnn.shape:
        raise ValueError("the model and noise log densities must come in pairs of the same shape")
    log_nu = np.log(lmn.size / lmd.size)
    g_data, g_noise = lmd - lnd - log_nu, lmn - lnn - log_nu
    return float(np.mean(softplus(-g_data)) + np.exp(log_nu) * np.mean(softplus(g_noise)))


# -- a tabular energy model on a 1-D grid: exact gradient, CD-k and PCD (§18.1–18.2) -----------------------------

def grid_energy_fit(data: Any, theta0: Any, method: str, rng: np.random.Generator, *, k: int = 1, steps: int = 200,
                    lr: float = 0.5, n_chains: int = 200) -> Array:
    """Fit p(x) ∝ exp(θₓ) on the states 0…m−1 by gradient ascent on the log-likelihood (§18.1–18.2).

    ``data`` holds state indices. The positive phase is the data histogram; the negative phase is the model
    distribution softmax(θ) (``method="exact"``), or the histogram of ``n_chains`` chains of ``k`` Metropolis moves
    to a neighbouring state, started at data points (``"cd"``) or continued from the previous step (``"pcd"``).
    A local sampler cannot reach states far from the data in k moves, so CD leaves spurious modes there.
    Returns θ after each step, shape (steps + 1, m).
    """
    theta = as_array(theta0, "theta0", ndim=1).copy()
    m = theta.size
    x = np.asarray(as_array(data, "data", ndim=1), dtype=int)
    if x.min() < 0 or x.max() >= m:
        raise ValueError(f"data must hold state indices in 0…{m - 1}")
    if method not in ("exact", "cd", "pcd"):
        raise ValueError(f"method must be 'exact', 'cd' or 'pcd'; got {method!r}")
    k, steps = check_int(k, "k", low=1), check_int(steps, "steps", low=0)
    n_chains, lr = check_int(n_chains, "n_chains", low=1), check_positive(lr, "lr")
    positive = np.bincount(x.astype(np.intp), minlength=m) / x.size
    chains = rng.choice(x, n_chains)
    out = [theta.copy()]
    for _ in range(steps):
        if method == "exact":
            negative = softmax(theta)
        else:
            if method == "cd":
                chains = rng.choice(x, n_chains)
            moves = 2 * rng.integers(0, 2, (k, n_chains)) - 1                  # k steps left or right
            log_u = np.log(rng.random((k, n_chains)))
            for move, lu in zip(moves, log_u):
                prop = np.clip(chains + move, 0, m - 1)
                chains = np.where(lu < theta[prop] - theta[chains], prop, chains)   # Metropolis acceptance
            negative = np.bincount(chains.astype(np.intp), minlength=m) / n_chains  # intp: 32-bit in the browser
        theta = theta + lr * (positive - negative)
        out.append(theta.copy())
    return np.array(out)
