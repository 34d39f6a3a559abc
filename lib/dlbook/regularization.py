"""Regularisation: norm penalties, early stopping, label smoothing, bagging and dropout (Deep Learning book, §7).

Everything is numpy and small enough to check against a closed form or a library twin:
weight decay as a rescaled gradient step (§7.1.1, eq. 7.5) and as a shrinkage of the
unregularised optimum along the Hessian's eigenvectors (eq. 7.13); the L1 solution of a
quadratic with a diagonal Hessian, the soft threshold (§7.1.2, eq. 7.23); reprojection onto a
norm ball (§7.2); training on noisy inputs (§7.5); label smoothing (§7.5.1); early stopping
(Algorithm 7.1) and its equivalence with L2 on a quadratic (§7.8, eq. 7.40–7.45); bagging and the
error of an average of k models (§7.11, eq. 7.50); dropout masks and the exact dropout ensemble of
softmax regression, which is what the weight scaling inference rule computes (§7.12, eq. 7.56–7.66).
Conventions follow :mod:`dlbook.mlp`: rows of ``X`` are examples and a layer computes ``h Wᵀ + b``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from dlbook.checks import check_square
from dlbook.checks import as_array, check_int, check_positive, class_labels
from dlbook.mlp import Layer, activation
from dlbook.prob import log_softmax, softmax

Array = np.ndarray


def _symmetric(H: Any) -> Array:
    H = check_square(H, "H")
    if not np.allclose(H, H.T, atol=1e-12 * max(1.0, float(np.abs(H).max()))):
        raise ValueError("H must be symmetric (a Hessian is)")
    return (H + H.T) / 2


def _keep_probability(p_keep: float) -> float:
    p = check_positive(p_keep, "p_keep")
    if p > 1:
        raise ValueError(f"p_keep is the probability of keeping a unit and must be in (0, 1]; got {p_keep!r}")
    return p


# -- parameter norm penalties (§7.1) ------------------------------------------------------------------

def weight_decay_step(w: Any, grad: Any, lr: float, alpha: float) -> Array:
    """One gradient step on ``J + (α/2) wᵀw``: ``w ← (1 − εα) w − ε ∇J(w)`` (§7.1.1, eq. 7.5)."""
    w = as_array(w, "w")
    grad = as_array(grad, "grad")
    if grad.shape != w.shape:
        raise ValueError(f"grad must have the shape of w {w.shape}; got {grad.shape}")
    eps, alpha = check_positive(lr, "lr"), check_positive(alpha, "alpha", allow_zero=True)
    return (1.0 - eps * alpha) * w - eps * grad


def l2_shrink(H: Any, w_star: Any, alpha: float) -> Array:
    """Minimiser of ``½(w − w*)ᵀH(w − w*) + (α/2) wᵀw``: ``Q Λ(Λ + αI)⁻¹ Qᵀ w*`` (§7.1.1, eq. 7.13).

    With ``H = QΛQᵀ`` (symmetric, positive semi-definite, ``α > 0``), the component of ``w*`` along the
    i-th eigenvector is multiplied by ``λᵢ / (λᵢ + α)``.
    """
    H = _symmetric(H)
    w_star = as_array(w_star, "w_star", ndim=1)
    if w_star.shape[0] != H.shape[0]:
        raise ValueError(f"w_star must have {H.shape[0]} entries to match H; got {w_star.shape[0]}")
    lam, Q = np.linalg.eigh(H)
    return Q @ (l2_shrink_factors(lam, alpha) * (Q.T @ w_star))


def l2_shrink_factors(eigenvalues: Any, alpha: float) -> Array:
    """The factors ``λᵢ / (λᵢ + α)`` by which weight decay scales each eigen-component of ``w*`` (eq. 7.13)."""
    lam = as_array(eigenvalues, "eigenvalues", ndim=1)
    if np.any(lam < -1e-12 * max(1.0, float(np.abs(lam).max()))):
        raise ValueError(f"eigenvalues must be >= 0 (H positive semi-definite at a minimum); got min {lam.min():g}")
    alpha = check_positive(alpha, "alpha")
    lam = np.maximum(lam, 0.0)
    return lam / (lam + alpha)


def soft_threshold(w: Any, threshold: Any) -> Array:
    """``sign(w) max{|w| − t, 0}``: move each entry ``t`` towards zero and stop at zero (§7.1.2)."""
    w = as_array(w, "w")
    t = as_array(threshold, "threshold")
    if np.any(t < 0):
        raise ValueError("threshold must be >= 0")
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def l1_solution(w_star: Any, hessian_diagonal: Any, alpha: float) -> Array:
    """Minimiser of ``Σᵢ ½Hᵢᵢ(wᵢ − wᵢ*)² + α|wᵢ|``: ``sign(wᵢ*) max{|wᵢ*| − α/Hᵢᵢ, 0}`` (§7.1.2, eq. 7.23).

    Assumes a diagonal Hessian with ``Hᵢᵢ > 0`` (decorrelated inputs); the problem then splits per weight.
    """
    w_star = as_array(w_star, "w_star", ndim=1)
    h = as_array(hessian_diagonal, "hessian_diagonal", ndim=1)
    if h.shape != w_star.shape or np.any(h <= 0):
        raise ValueError(f"hessian_diagonal must be {w_star.shape[0]} positive numbers; got {h}")
    return soft_threshold(w_star, check_positive(alpha, "alpha", allow_zero=True) / h)


def project_to_norm_ball(W: Any, radius: float, axis: int | None = None) -> Array:
    """Reproject onto ``{‖w‖₂ ≤ r}`` after a step (§7.2): rescale anything outside, leave the rest.

    With ``axis`` the constraint applies to each slice separately (axis=1 bounds each unit's incoming
    weight vector, the max-norm constraint of Srebro and Shraibman used with dropout).
    """
    W = as_array(W, "W")
    r = check_positive(radius, "radius")
    norms = np.sqrt(np.sum(W ** 2, axis=axis, keepdims=axis is not None))
    return W * np.minimum(1.0, r / np.maximum(norms, np.finfo(float).tiny))


# -- dataset augmentation (§7.4) and noise injection (§7.5) -----------------------------------------------

def shift_images(images: Any, side: int, dx: int, dy: int) -> Array:
    """Translate flattened ``side × side`` images by ``dx`` columns right and ``dy`` rows down, filling with zeros (§7.4)."""
    side = check_int(side, "side", low=1)
    X = as_array(images, "images", ndim=2)
    if X.shape[1] != side * side:
        raise ValueError(f"images must have side² = {side * side} columns; got {X.shape[1]}")
    dx, dy = check_int(dx, "dx", low=1 - side, high=side - 1), check_int(dy, "dy", low=1 - side, high=side - 1)
    img = X.reshape(-1, side, side)
    out = np.zeros_like(img)
    out[:, max(dy, 0):side + min(dy, 0), max(dx, 0):side + min(dx, 0)] = \
        img[:, max(-dy, 0):side - max(dy, 0), max(-dx, 0):side - max(dx, 0)]
    return out.reshape(len(X), -1)


# -- noise injection (§7.5) ----------------------------------------------------------------------------

def noisy_copies(X: Any, y: Any, sigma: float, copies: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """``copies`` versions of the training set with N(0, σ²) noise added to every input (§7.5).

    Least squares on the result approaches ridge regression with penalty ``σ² wᵀw`` as copies → ∞
    (Bishop 1995): E[(wᵀ(x + ξ) − y)²] = (wᵀx − y)² + σ²‖w‖².
    """
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    if len(y) != len(X):
        raise ValueError(f"X and y need one row per example; got {len(X)} and {len(y)}")
    sigma = check_positive(sigma, "sigma", allow_zero=True)
    copies = check_int(copies, "copies", low=1)
    Xn = np.tile(X, (copies, 1)) + sigma * rng.standard_normal((copies * len(X), X.shape[1]))
    return Xn, np.tile(y, copies)


# -- label smoothing (§7.5.1) ----------------------------------------------------------------------------

def smooth_labels(labels: Any, k: int, eps: float) -> Array:
    """Soft targets: ``1 − ε`` for the labelled class and ``ε/(k − 1)`` for each other class (§7.5.1)."""
    k = check_int(k, "k", low=2)
    eps = check_positive(eps, "eps", allow_zero=True)
    if eps > 1:
        raise ValueError(f"eps must be in [0, 1]; got {eps}")
    y = class_labels(labels, k, shape=len(np.asarray(labels)))
    T = np.full((len(y), k), eps / (k - 1))
    T[np.arange(len(y)), y] = 1.0 - eps
    return T


def label_smoothed_cross_entropy(logits: Any, labels: Any, eps: float) -> float:
    """Mean cross-entropy ``−Σⱼ tⱼ log softmax(z)ⱼ`` against the smoothed targets of :func:`smooth_labels`."""
    logits = as_array(logits, "logits", ndim=2)
    T = smooth_labels(labels, logits.shape[1], eps)
    if len(T) != len(logits):
        raise ValueError(f"labels must have one entry per row of logits ({len(logits)}); got {len(T)}")
    return float(-np.mean(np.sum(T * log_softmax(logits, axis=1), axis=1)))


# -- early stopping (§7.8) -------------------------------------------------------------------------------

@dataclass(frozen=True)
class EarlyStopping:
    """What Algorithm 7.1 returns: the best parameters, the step count that gave them, and every validation error."""

    params: Any
    best_steps: int
    best_error: float
    steps: Array
    errors: Array


def early_stopping(train_steps: Callable[[int], None], validation_error: Callable[[], float],
                   snapshot: Callable[[], Any], n: int, patience: int, max_steps: int) -> EarlyStopping:
    """The early stopping meta-algorithm (§7.8, Algorithm 7.1).

    Train ``n`` steps at a time (``train_steps(n)``); after each block measure ``validation_error()``.
    Keep a ``snapshot()`` of the parameters whenever the error improves; stop after ``patience``
    blocks in a row without improvement, or after ``max_steps`` steps.
    """
    n = check_int(n, "n", low=1)
    patience = check_int(patience, "patience", low=1)
    max_steps = check_int(max_steps, "max_steps", low=n)
    i, j = 0, 0
    best_error, best_steps, best = float(validation_error()), 0, snapshot()
    steps, errors = [0], [best_error]
    while j < patience and i + n <= max_steps:
        train_steps(n)
        i += n
        v = float(validation_error())
        steps.append(i)
        errors.append(v)
        if v < best_error:
            j, best_error, best_steps, best = 0, v, i, snapshot()
        else:
            j += 1
    return EarlyStopping(best, best_steps, best_error, np.array(steps), np.array(errors))


def early_stopping_weights(H: Any, w_star: Any, lr: float, steps: int) -> Array:
    """Gradient descent from ``w = 0`` for ``τ`` steps on ``½(w − w*)ᵀH(w − w*)``: ``Q[I − (I − εΛ)^τ]Qᵀw*`` (eq. 7.40)."""
    H = _symmetric(H)
    w_star = as_array(w_star, "w_star", ndim=1)
    if w_star.shape[0] != H.shape[0]:
        raise ValueError(f"w_star must have {H.shape[0]} entries to match H; got {w_star.shape[0]}")
    lam, Q = np.linalg.eigh(H)
    tau = check_int(steps, "steps", low=0)
    return Q @ ((1.0 - (1.0 - check_positive(lr, "lr") * lam) ** tau) * (Q.T @ w_star))


def early_stopping_alpha(eigenvalues: Any, lr: float, steps: int) -> Array:
    """The weight decay α that matches τ steps of size ε along each eigenvector: (I − εΛ)^τ = α(Λ + αI)⁻¹ (eq. 7.43).

    Solving per direction gives ``αᵢ = λᵢ rᵢ / (1 − rᵢ)`` with ``rᵢ = (1 − ελᵢ)^τ``; for ``ελᵢ ≪ 1`` and
    ``ελᵢτ ≪ 1`` this is close to ``1/(ετ)`` (eq. 7.44–7.45). Needs ``0 < ελᵢ < 1`` and ``τ ≥ 1``.
    """
    lam = as_array(eigenvalues, "eigenvalues", ndim=1)
    eps = check_positive(lr, "lr")
    tau = check_int(steps, "steps", low=1)
    if np.any(lam <= 0) or np.any(eps * lam >= 1):
        raise ValueError(f"need 0 < ε λᵢ < 1 for every eigenvalue; got ε λ in [{eps * lam.min():g}, {eps * lam.max():g}]")
    r = (1.0 - eps * lam) ** tau
    return lam * r / (1.0 - r)


# -- bagging and ensembles (§7.11) -------------------------------------------------------------------

def bootstrap_indices(m: int, k: int, rng: np.random.Generator) -> Array:
    """``k`` bootstrap samples of ``m`` indices each, drawn with replacement (§7.11); shape ``(k, m)``."""
    return rng.integers(0, check_int(m, "m", low=1), size=(check_int(k, "k", low=1), m))


def bagging_predict(fit_predict: Callable[[Array, Array, Array], Array], X: Any, y: Any, X_new: Any,
                    indices: Any) -> Array:
    """Bagging (Breiman 1996): fit one model per bootstrap sample ``indices[i]`` and average their predictions."""
    X, X_new = as_array(X, "X", ndim=2), as_array(X_new, "X_new", ndim=2)
    y = as_array(y, "y", ndim=1)
    idx = np.asarray(indices)
    if idx.ndim != 2 or not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= len(X):
        raise ValueError(f"indices must be a 2-D integer array (models × sample) of rows of X (0..{len(X) - 1})")
    return np.mean([np.asarray(fit_predict(X[i], y[i], X_new), dtype=float) for i in idx], axis=0)


def ensemble_squared_error(variance: float, covariance: float, k: int) -> float:
    """Expected squared error of the average of k models' errors: ``v/k + (k − 1)c/k`` (§7.11, eq. 7.50)."""
    v = check_positive(variance, "variance", allow_zero=True)
    c = float(covariance)
    k = check_int(k, "k", low=1)
    low = -v / (k - 1) if k > 1 else -v           # k equicorrelated errors: the covariance matrix must be PSD
    if not low - 1e-12 <= c <= v + 1e-12:
        raise ValueError(f"the covariance of {k} equicorrelated errors must lie in [−v/(k − 1), v] = [{low:g}, {v:g}]; "
                         f"got c = {c:g}")
    return v / k + (k - 1) * c / k


# -- dropout (§7.12) -----------------------------------------------------------------------------------

def dropout_mask(shape: tuple[int, ...], p_keep: float, rng: np.random.Generator) -> Array:
    """A mask μ of independent Bernoulli(p_keep) entries: 1 keeps a unit, 0 drops it (§7.12)."""
    return (rng.random(shape) < _keep_probability(p_keep)).astype(float)


def inverted_dropout(h: Any, p_keep: float, rng: np.random.Generator) -> Array:
    """Training-time dropout that divides by p_keep, so that E[output] = h and inference needs no rescaling."""
    h = as_array(h, "h")
    p = _keep_probability(p_keep)
    return h * dropout_mask(h.shape, p, rng) / p


def all_masks(n: int) -> Array:
    """Every one of the 2ⁿ binary masks over n units, one per row (the whole dropout ensemble)."""
    n = check_int(n, "n", low=1, high=20)
    return ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(float)


def mask_probabilities(masks: Any, p_keep: float) -> Array:
    """``p(μ) = Πᵢ p^μᵢ (1 − p)^(1 − μᵢ)`` for each row of ``masks``."""
    masks = as_array(masks, "masks", ndim=2)
    p = _keep_probability(p_keep)
    kept = masks.sum(axis=1)
    return p ** kept * (1.0 - p) ** (masks.shape[1] - kept)


def dropout_ensemble(member_log_probs: Callable[[Array], Array], n_units: int, p_keep: float) -> Array:
    """The dropout ensemble's prediction as a renormalised weighted geometric mean (§7.12, eq. 7.54–7.55).

    ``member_log_probs(mask)`` returns the log-probabilities (rows: examples, columns: classes) of the
    sub-network with ``mask`` applied. All 2ⁿ masks are enumerated, weighted by p(μ), and the weighted
    mean of the log-probabilities is renormalised with a softmax.
    """
    masks = all_masks(n_units)
    weights = mask_probabilities(masks, p_keep)
    mean_log = sum(w * np.asarray(member_log_probs(mu)) for w, mu in zip(weights, masks) if w > 0)
    return softmax(mean_log, axis=-1)


def _softmax_regression_arrays(W: Any, b: Any, X: Any) -> tuple[Array, Array, Array]:
    W, b, X = as_array(W, "W", ndim=2), as_array(b, "b", ndim=1), as_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[1] or b.shape[0] != W.shape[0]:
        raise ValueError(f"need X (m, n), W (k, n), b (k,); got {X.shape}, {W.shape}, {b.shape}")
    return W, b, X


def softmax_regression_dropout_ensemble(W: Any, b: Any, X: Any, p_keep: float) -> Array:
    """The exact dropout ensemble of ``softmax((μ ∘ x) Wᵀ + b)`` over masks on the inputs (eq. 7.56–7.66)."""
    W, b, X = _softmax_regression_arrays(W, b, X)
    return dropout_ensemble(lambda mu: log_softmax((X * mu) @ W.T + b, axis=1), W.shape[1], p_keep)


def weight_scaled_softmax(W: Any, b: Any, X: Any, p_keep: float) -> Array:
    """The weight scaling inference rule for softmax regression: ``softmax(p x Wᵀ + b)`` (§7.12)."""
    W, b, X = _softmax_regression_arrays(W, b, X)
    return softmax(_keep_probability(p_keep) * X @ W.T + b, axis=1)


def mlp_dropout_logits(layers: list[Layer], X: Any, mask: Any, scale: float = 1.0, act: str = "relu") -> Array:
    """Logits of a one-hidden-layer MLP with dropout ``mask`` on its inputs and hidden units (§7.12).

    ``mask`` has one entry per input followed by one per hidden unit; kept units are multiplied by
    ``scale`` (1 for a sub-network of the ensemble, p_keep for the weight scaling rule).
    """
    if len(layers) != 2:
        raise ValueError(f"expects one hidden layer (two Layers); got {len(layers)}")
    n_in, n_hid = layers[0].W.shape[1], layers[0].W.shape[0]
    mask = as_array(mask, "mask", ndim=1)
    if mask.shape[0] != n_in + n_hid:
        raise ValueError(f"mask needs {n_in} input entries and {n_hid} hidden entries; got {mask.shape[0]}")
    g, _ = activation(act)
    h = g((as_array(X, "X", ndim=2) * mask[:n_in] * scale) @ layers[0].W.T + layers[0].b)
    return (h * mask[n_in:] * scale) @ layers[1].W.T + layers[1].b
