"""Multilayer perceptrons by hand: hidden units, output losses, forward and backward passes (§6.2–6.5).

Hidden units of §6.3 with their derivatives (ReLU and its generalisations, sigmoid, tanh,
hard tanh, softplus, maxout), the losses of §6.2.2 (Bernoulli NLL as softplus((1 − 2y)z),
eq. 6.26; softmax cross-entropy, §6.2.2.3), and an MLP whose backward pass is written once,
in the error-signal notation δ = ∂J/∂z (the gradient of the cost with respect to a layer's
pre-activation): at a softmax output δ = ỹ − 1_y, at a hidden layer δʰ = g′(z) ∘ Uᵀδ, and the
weight gradient of a layer is δ·(its input)ᵀ (§6.5.4, §6.5.7). :func:`backprop` takes the output δ of
any loss, so the XOR network (``dlbook.xor``) is trained by the same code.
Rows of ``X`` are examples; a layer computes z = h Wᵀ + b with ``W`` of shape (out, in). The same code
runs a stack of independent networks when ``W`` and ``b`` carry extra leading axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, class_labels
from dlbook.init import glorot_uniform
from dlbook.prob import log_softmax, sigmoid, softmax, softplus

Array = np.ndarray


# -- hidden units and their derivatives (§6.3) ------------------------------------------------------

def relu(z: Any) -> Array:
    """Rectified linear unit g(z) = max{0, z} (§6.1, fig. 6.3; §6.3.1)."""
    return np.maximum(as_array(z, "z"), 0.0)


def leaky_relu(z: Any, alpha: float = 0.01) -> Array:
    """g(z) = max{0, z} + α min{0, z} (§6.3.1): leaky ReLU for small fixed α, PReLU when α is learned."""
    z = as_array(z, "z")
    return np.maximum(z, 0.0) + float(alpha) * np.minimum(z, 0.0)


def leaky_relu_grad(z: Any, alpha: float = 0.01) -> Array:
    """The derivative of :func:`leaky_relu` with the same slope α: 1 for z > 0 and α otherwise (§6.3.1)."""
    return np.where(as_array(z, "z") > 0, 1.0, float(alpha))


def abs_rectify(z: Any) -> Array:
    """Absolute value rectification g(z) = |z|, the case α = −1 of :func:`leaky_relu`'s formula (§6.3.1)."""
    return np.abs(as_array(z, "z"))


def hard_tanh(z: Any) -> Array:
    """Hard tanh g(z) = max{−1, min{1, z}} (§6.3.3)."""
    return np.clip(as_array(z, "z"), -1.0, 1.0)


def maxout(z: Any, k: int) -> Array:
    """Maxout (§6.3.1, eq. 6.37): split the last axis of ``z`` into groups of ``k`` and keep each group's max."""
    z = as_array(z, "z", ndim=(1, 2))
    k = check_int(k, "k", low=1)
    if z.shape[-1] % k:
        raise ValueError(f"the last axis of z (size {z.shape[-1]}) must be a multiple of k = {k}")
    return z.reshape(*z.shape[:-1], z.shape[-1] // k, k).max(axis=-1)


def _tanh(z: Any) -> Array:
    return np.tanh(as_array(z, "z"))


def _sigmoid(z: Any) -> Array:
    return np.asarray(sigmoid(z))


def _softplus(z: Any) -> Array:
    return np.asarray(softplus(z))


#: Element-wise hidden units g and their derivatives g′. At a kink we return one value, as software commonly does
#: (§6.3.1 notes this is harmless): for ReLU and leaky ReLU at 0 the left-hand slope (0 and α), for hard tanh at ±1
#: the outer one (0), and for |z| at 0 the value 0, a subgradient but neither one-sided slope. Maxout, which acts on
#: groups, is separate.
ACTIVATIONS: dict[str, tuple[Callable[[Any], Array], Callable[[Array], Array]]] = {
    "relu": (relu, lambda z: (z > 0).astype(float)),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "abs": (abs_rectify, np.sign),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (_tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "hard_tanh": (hard_tanh, lambda z: ((z > -1) & (z < 1)).astype(float)),
    "softplus": (_softplus, _sigmoid),
    "linear": (lambda z: as_array(z, "z"), np.ones_like),
}


def activation(name: str, alpha: float | None = None) -> tuple[Callable[[Any], Array], Callable[[Array], Array]]:
    """The pair (g, g′) of the hidden unit called ``name`` (one of :data:`ACTIVATIONS`).

    ``alpha`` sets the negative-side slope of ``"leaky_relu"`` (default 0.01) in both g and g′.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {name!r}")
    if alpha is None:
        return ACTIVATIONS[name]
    if name != "leaky_relu":
        raise ValueError(f"alpha only applies to 'leaky_relu'; got activation {name!r}")
    a = float(alpha)
    return (lambda z: leaky_relu(z, a)), (lambda z: leaky_relu_grad(z, a))


# -- output units and their losses (§6.2.2) -------------------------------------------------------------

def bce_with_logits(z: Any, y: Any) -> float:
    """Mean negative log-likelihood of a sigmoid output unit: J = ζ((1 − 2y) z) (§6.2.2.2, eq. 6.26).

    ``z`` holds logits and ``y`` labels in {0, 1}. Written with softplus it never takes the log of 0,
    and it saturates (flat in z) only when (1 − 2y) z ≪ 0, i.e. when the answer is already right.
    """
    z = as_array(z, "z", ndim=1)
    y = as_array(y, "y", ndim=1)
    if z.shape != y.shape:
        raise ValueError(f"z and y must have the same shape; got {z.shape} and {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must contain only labels 0 and 1")
    return float(np.mean(softplus((1.0 - 2.0 * y) * z)))


def softmax_cross_entropy(logits: Any, labels: Any) -> float:
    """Mean of −log softmax(z)_y over examples, y the label: the softmax output unit's NLL (§6.2.2.3, eq. 6.30)."""
    logits = as_array(logits, "logits", ndim=2)
    y = class_labels(labels, logits.shape[1], shape=len(logits))
    return float(-np.mean(log_softmax(logits, axis=1)[np.arange(len(y)), y]))


# -- an MLP, forward and backward by hand (§6.5.4, Algorithms 6.3–6.4) --------------------------------

@dataclass
class Layer:
    """One affine layer z = h Wᵀ + b; ``W`` has shape (outputs, inputs)."""

    W: Array
    b: Array


def init_mlp(sizes: list[int], rng: np.random.Generator) -> list[Layer]:
    """Layers for widths ``sizes`` = [inputs, hidden…, outputs], Glorot-uniform weights and zero biases (§8.4).

    Weights are U(−a, a) with a = √(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010).
    """
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width; got {sizes}")
    sizes = [check_int(s, "each width", low=1) for s in sizes]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers.append(Layer(W=glorot_uniform(n_in, n_out, rng), b=np.zeros(n_out)))
    return layers


@dataclass
class Cache:
    """What the forward pass keeps for the backward pass: each layer's input h and pre-activation z."""

    inputs: list[Array]
    pre: list[Array]


def _check_network(layers: list[Layer], X: Any) -> Array:
    if not layers:
        raise ValueError("layers must contain at least one Layer")
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != layers[0].W.shape[-1]:
        raise ValueError(f"X must have {layers[0].W.shape[-1]} columns (the network's inputs); got {X.shape[1]}")
    return X


def mlp_forward(layers: list[Layer], X: Any, act: str = "relu") -> tuple[Array, Cache]:
    """Forward propagation (§6.5.4, Algorithm 6.3): h⁽⁰⁾ = x, z⁽ˡ⁾ = h⁽ˡ⁻¹⁾Wᵀ + b, h⁽ˡ⁾ = g(z⁽ˡ⁾).

    The last layer is linear: its output z are the logits. Returns them and the cache.
    """
    g, _ = activation(act)
    h = _check_network(layers, X)
    inputs, pre = [], []
    for i, layer in enumerate(layers):
        inputs.append(h)
        z = h @ layer.W.mT + layer.b[..., None, :]      # .mT, [..., None, :]: also works for a stack of networks
        pre.append(z)
        h = g(z) if i < len(layers) - 1 else z
    return h, Cache(inputs, pre)


def backprop(layers: list[Layer], cache: Cache, delta: Array, act: str = "relu") -> list[Layer]:
    """Back-propagation through the layers (§6.5.4, Algorithm 6.4), given the output error signal.

    ``delta`` holds δ = ∂J/∂z for the output pre-activations, one row per example (any loss: the
    caller differentiates it). Each layer's gradient is ∂J/∂W = δᵀh (summed over examples) and
    ∂J/∂b = Σ δ; the layer below gets δʰ = g′(z) ∘ δU. Returns the gradients as Layers.
    """
    _, g_prime = activation(act)
    if len(cache.pre) != len(layers):
        raise ValueError(f"the cache holds {len(cache.pre)} layers but the network has {len(layers)}; "
                         "pass the cache that mlp_forward returned for these layers")
    delta = as_array(delta, "delta")
    if delta.shape != cache.pre[-1].shape:
        raise ValueError(f"delta must have the shape of the output pre-activations {cache.pre[-1].shape} "
                         f"(one row per example); got {delta.shape}")
    grads: list[Layer] = []
    for i in range(len(layers) - 1, -1, -1):
        grads.append(Layer(W=delta.mT @ cache.inputs[i], b=delta.sum(axis=-2)))
        if i > 0:
            delta = g_prime(cache.pre[i - 1]) * (delta @ layers[i].W)   # δʰ = g′(z) ∘ Uᵀδ
    return grads[::-1]


def mlp_backward(layers: list[Layer], cache: Cache, labels: Any, act: str = "relu",
                 weight_decay: float = 0.0) -> list[Layer]:
    """Gradients of the mean softmax cross-entropy plus λ Σ‖W‖² (§6.5.4, §6.5.7).

    The output error signal is δ = (ỹ − 1_y) / n with ỹ = softmax(z) (eq. 6.30 differentiated,
    averaged over the n examples); :func:`backprop` carries it down. The penalty adds 2λW to each
    weight gradient and leaves the biases alone.
    """
    logits = cache.pre[-1]
    n, k = logits.shape
    delta = (softmax(logits, axis=1) - np.eye(k)[class_labels(labels, k, shape=n)]) / n
    grads = backprop(layers, cache, delta, act)
    decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
    return [Layer(W=g.W + 2 * decay * l.W, b=g.b) for g, l in zip(grads, layers)]


def mlp_predict(layers: list[Layer], X: Any, act: str = "relu") -> Array:
    """The class with the largest logit for each row of ``X``."""
    return mlp_forward(layers, X, act)[0].argmax(axis=1)


def minibatch_order(n: int, batch_size: int, epochs: int, seed: int) -> list[Array]:
    """The index sets of every mini-batch: a fresh permutation of the ``n`` examples each epoch (§8.1.3)."""
    n = check_int(n, "n", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    epochs = check_int(epochs, "epochs", low=1)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    batches = []
    for _ in range(epochs):
        perm = rng.permutation(n)
        batches.extend(perm[i:i + batch_size] for i in range(0, n, batch_size))
    return batches


def train_mlp(layers: list[Layer], X: Any, labels: Any, batches: list[Array], lr: float,
              act: str = "relu") -> tuple[list[Layer], Array]:
    """Mini-batch SGD with the hand-written backward pass; returns new layers and the loss of each step."""
    X = as_array(X, "X", ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (len(X),):
        raise ValueError(f"labels must be a 1-D array with one label per row of X ({len(X)}); got shape {labels.shape}")
    lr = check_positive(lr, "lr")
    layers = [Layer(l.W.copy(), l.b.copy()) for l in layers]
    losses = []
    for idx in batches:
        logits, cache = mlp_forward(layers, X[idx], act)
        losses.append(softmax_cross_entropy(logits, labels[idx]))
        for layer, grad in zip(layers, mlp_backward(layers, cache, labels[idx], act)):
            layer.W -= lr * grad.W
            layer.b -= lr * grad.b
    return layers, np.array(losses)


# -- architecture: width and depth (§6.4) ---------------------------------------------------------------

def relu_features(x: Any, knots: Any) -> Array:
    """One hidden layer of ReLUs on a 1-D input: column j is max{0, x − kⱼ} (a unit with weight 1, bias −kⱼ)."""
    x = as_array(x, "x", ndim=1)
    knots = as_array(knots, "knots", ndim=1)
    return np.maximum(0.0, x[:, None] - knots[None, :])


def fit_relu_units(x: Any, y: Any, n_units: int) -> tuple[Array, Array, float]:
    """Fit y ≈ Σⱼ vⱼ max{0, x − kⱼ} + a with ``n_units`` ReLUs (§6.4.1, universal approximation).

    The knots kⱼ are spread evenly over the range of ``x`` (the first at its left end), and the output
    weights v and bias a are the least-squares solution. Returns (knots, v, a).
    """
    x = as_array(x, "x", ndim=1)
    y = as_array(y, "y", ndim=1)
    n_units = check_int(n_units, "n_units", low=1)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)}")
    knots = np.linspace(x.min(), x.max(), n_units + 1)[:-1]
    A = np.hstack([relu_features(x, knots), np.ones((len(x), 1))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return knots, theta[:-1], float(theta[-1])


def tent(x: Any) -> Array:
    """The fold t(x) = 2 max{0, x} − 4 max{0, x − ½}: two ReLU units that map [0, 1] onto itself twice (§6.4.1)."""
    x = as_array(x, "x")
    return 2.0 * np.maximum(0.0, x) - 4.0 * np.maximum(0.0, x - 0.5)


def folded(x: Any, depth: int) -> Array:
    """``depth`` tent layers composed, t(t(…t(x))): a ReLU net of width 2 with 2^depth linear pieces on [0, 1]."""
    depth = check_int(depth, "depth", low=0)
    h = as_array(x, "x")
    for _ in range(depth):
        h = tent(h)
    return h


def count_linear_pieces(x: Any, y: Any, tol: float = 1e-8) -> int:
    """Number of linear pieces of a piecewise linear function sampled at sorted ``x`` (kinks on the grid)."""
    x = as_array(x, "x", ndim=1, min_size=2)
    y = as_array(y, "y", ndim=1, min_size=2)
    if len(x) != len(y) or np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing and have the same length as y")
    slopes = np.diff(y) / np.diff(x)
    return int(1 + np.sum(np.abs(np.diff(slopes)) > tol * max(1.0, np.abs(slopes).max())))
