"""Sharpness is not invariant to reparametrisation (Dinh et al., 2017; curvature and the Hessian: §4.3.1, §8.2).

A ReLU is positively homogeneous, ``relu(α z) = α relu(z)`` for ``α > 0``, so multiplying a layer's weights and
biases by ``α`` and the next layer's weights by ``1/α`` changes no output and no loss. The parameters move,
``θ' = D θ`` with a diagonal ``D``, and the Hessian at the new point is ``D^{-1} H D^{-1}``: its largest eigenvalue,
a common measure of how "sharp" a minimum is, can be made as large as we like for the very same function.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_positive, class_labels
from dlbook.prob import log_softmax


def unflatten(theta: Any, sizes: tuple[int, int, int]) -> tuple[np.ndarray, ...]:
    """``(W1, b1, W2, b2)`` of a ``d-h-k`` network from the flat vector ``[W1, b1, W2, b2]``."""
    d, h, k = sizes
    theta = as_array(theta, "theta", ndim=1)
    if theta.size != h * d + h + k * h + k:
        raise ValueError(f"theta must have {h * d + h + k * h + k} entries for sizes {sizes}; got {theta.size}")
    cut = np.cumsum([h * d, h, k * h])
    W1, b1, W2, b2 = np.split(theta, cut)
    return W1.reshape(h, d), b1, W2.reshape(k, h), b2


def two_layer_loss(theta: Any, sizes: tuple[int, int, int], X: Any, labels: Any) -> float:
    """Mean cross-entropy of the ReLU network ``W2 relu(W1 x + b1) + b2``."""
    W1, b1, W2, b2 = unflatten(theta, sizes)
    X = as_array(X, "X", ndim=2)
    y = class_labels(labels, sizes[2], shape=len(X))
    z = np.maximum(X @ W1.T + b1, 0.0) @ W2.T + b2
    return float(-np.mean(log_softmax(z, axis=1)[np.arange(len(y)), y]))


def rescaling(sizes: tuple[int, int, int], alpha: float) -> np.ndarray:
    """The diagonal of ``D``: ``α`` on the first layer's weights and biases, ``1/α`` on the second's weights."""
    d, h, k = sizes
    a = check_positive(alpha, "alpha")
    return np.concatenate([np.full(h * d + h, a), np.full(k * h, 1 / a), np.ones(k)])


def rescaled_hessian(H: Any, scale: Any) -> np.ndarray:
    """The Hessian at ``θ' = D θ`` of ``L'(θ') = L(D^{-1} θ')``: ``D^{-1} H D^{-1}`` (chain rule, D constant)."""
    H, s = as_array(H, "H", ndim=2), as_array(scale, "scale", ndim=1)
    if H.shape != (s.size, s.size):
        raise ValueError(f"H must be {s.size}×{s.size} to match scale; got {H.shape}")
    return H / np.outer(s, s)


def top_eigenvalue(H: Any) -> float:
    """The largest eigenvalue of a symmetric matrix (``numpy.linalg.eigvalsh``)."""
    H = as_array(H, "H", ndim=2)
    return float(np.linalg.eigvalsh((H + H.T) / 2)[-1])
