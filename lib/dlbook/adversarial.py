"""Adversarial examples and tangent directions (Deep Learning book, §7.13–7.14).

The fast gradient sign method (Goodfellow et al., 2014b) moves an input by ε in the max-norm
direction that increases the loss most to first order, ``x + ε sign(∇ₓJ)``. For a linear score
``wᵀx`` that step changes the score by exactly ``ε‖w‖₁``, which grows with the dimension even when
ε is below the input's resolution. Tangent propagation (§7.14) instead asks the output to be flat
along known directions of invariance; :func:`shift_tangent` builds the direction of a one-pixel
translation of an image and :func:`directional_derivatives` measures the output's change along it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, class_labels
from dlbook.mlp import Layer, activation, mlp_backward, mlp_forward
from dlbook.prob import softmax

Array = np.ndarray


def input_gradient(layers: list[Layer], X: Any, labels: Any, act: str = "relu") -> Array:
    """``∇ₓ`` of each example's own cross-entropy ``−log softmax(f(x))_y`` for an MLP of :mod:`dlbook.mlp`.

    Back-propagation (§6.5) carried one step further than the weights, down to the input.
    """
    logits, cache = mlp_forward(layers, X, act)
    _, g_prime = activation(act)
    n, k = logits.shape
    y = class_labels(labels, k, shape=n)
    delta = softmax(logits, axis=1)
    delta[np.arange(n), y] -= 1.0                       # ∂J/∂z = softmax(z) − 1_y
    for i in range(len(layers) - 1, -1, -1):
        delta = delta @ layers[i].W                     # through the affine map
        if i > 0:
            delta = delta * g_prime(cache.pre[i - 1])   # through the hidden units
    return delta


def fgsm(X: Any, grad: Any, eps: float, clip: tuple[float, float] | None = None) -> Array:
    """The fast gradient sign method: ``x + ε sign(∇ₓJ)`` (§7.13; Goodfellow et al., 2014b).

    ``clip=(low, high)`` keeps the result inside the valid input range (pixel intensities).
    """
    X = as_array(X, "X")
    grad = as_array(grad, "grad")
    if grad.shape != X.shape:
        raise ValueError(f"grad must have the shape of X {X.shape}; got {grad.shape}")
    x_adv = X + check_positive(eps, "eps", allow_zero=True) * np.sign(grad)
    return x_adv if clip is None else np.clip(x_adv, *clip)


def train_adversarial(layers: list[Layer], X: Any, labels: Any, batches: list[Array], lr: float, eps: float,
                      mix: float = 0.5, act: str = "relu") -> list[Layer]:
    """SGD on ``mix·J(x) + (1 − mix)·J(x + ε sign ∇ₓJ)``: adversarial training (§7.13; Goodfellow et al., 2014b).

    Each step builds FGSM examples of the mini-batch against the current weights (clipped to [0, 1]) and
    descends the mixed loss. Returns new layers; ``mix = 1`` is ordinary training.
    """
    X = as_array(X, "X", ndim=2)
    labels = np.asarray(labels)
    lr = check_positive(lr, "lr")
    if not 0.0 <= mix <= 1.0:
        raise ValueError(f"mix must be in [0, 1]; got {mix}")
    layers = [Layer(l.W.copy(), l.b.copy()) for l in layers]
    for idx in batches:
        xb, yb = X[idx], labels[idx]
        x_adv = fgsm(xb, input_gradient(layers, xb, yb, act), eps, clip=(0.0, 1.0))
        g_clean = mlp_backward(layers, mlp_forward(layers, xb, act)[1], yb, act)
        g_adv = mlp_backward(layers, mlp_forward(layers, x_adv, act)[1], yb, act)
        for layer, gc, ga in zip(layers, g_clean, g_adv):
            layer.W -= lr * (mix * gc.W + (1 - mix) * ga.W)
            layer.b -= lr * (mix * gc.b + (1 - mix) * ga.b)
    return layers


def shift_tangent(images: Any, side: int) -> Array:
    """The tangent vector of a horizontal translation of square images (§7.14, fig. 7.9).

    Central difference ``(x shifted right − x shifted left)/2`` with zero padding; rows are flattened
    ``side × side`` images. It approximates ``∂/∂s x(shifted by s)`` at s = 0.
    """
    side = check_int(side, "side", low=2)
    X = as_array(images, "images", ndim=2)
    if X.shape[1] != side * side:
        raise ValueError(f"images must have side² = {side * side} columns; got {X.shape[1]}")
    img = X.reshape(-1, side, side)
    padded = np.pad(img, ((0, 0), (0, 0), (1, 1)))
    return ((padded[:, :, :-2] - padded[:, :, 2:]) / 2).reshape(len(X), -1)


def directional_derivatives(layers: list[Layer], X: Any, directions: Any, act: str = "relu",
                            h: float = 1e-5) -> Array:
    """``∇ₓf(x)ᵀv`` for every output of the network, by central differences: the quantity tangent prop penalises."""
    X, V = as_array(X, "X", ndim=2), as_array(directions, "directions", ndim=2)
    if V.shape != X.shape:
        raise ValueError(f"directions must have the shape of X {X.shape}; got {V.shape}")
    h = check_positive(h, "h")
    return (mlp_forward(layers, X + h * V, act)[0] - mlp_forward(layers, X - h * V, act)[0]) / (2 * h)
