"""Learning XOR (§6.1): the data, the best linear fit, the book's ReLU network and training it from a seed.

The network is f(x) = wᵀ max{0, Wᵀx + c} + b (§6.1, eq. 6.3) with two hidden ReLU units,
fitted by mean squared error on the four points of the XOR truth table (eq. 6.1).
Training reuses the MLP's forward and backward passes (``dlbook.mlp``) on a stack of networks,
one per seed, so a hundred random starts train together in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.mlp import Layer, backprop, mlp_forward
from dlbook.regression import fit_linear_regression

#: The four inputs of XOR, one per row (§6.1).
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
#: Their targets: 1 exactly when one input is 1.
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])
XOR_X.setflags(write=False)
XOR_Y.setflags(write=False)


@dataclass(frozen=True)
class XorNet:
    """Parameters of f(x) = wᵀ max{0, Wᵀx + c} + b: ``W`` (2×h), ``c`` (h), ``w`` (h) and ``b`` (§6.1, eq. 6.3)."""

    W: np.ndarray
    c: np.ndarray
    w: np.ndarray
    b: float


def book_solution() -> XorNet:
    """The book's exact solution: W = [[1, 1], [1, 1]], c = [0, −1], w = [1, −2], b = 0 (§6.1, eqs. 6.4–6.6)."""
    return XorNet(W=np.ones((2, 2)), c=np.array([0.0, -1.0]), w=np.array([1.0, -2.0]), b=0.0)


def xor_hidden(net: XorNet, X: Any = XOR_X) -> np.ndarray:
    """The learned representation h = max{0, Wᵀx + c} of each row x of ``X`` (§6.1, eq. 6.3)."""
    X = as_array(X, "X", ndim=2)
    W = as_array(net.W, "W", ndim=2)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X must have {W.shape[0]} columns (the rows of W); got {X.shape[1]}")
    return np.maximum(0.0, X @ W + as_array(net.c, "c", ndim=1))


def xor_forward(net: XorNet, X: Any = XOR_X) -> np.ndarray:
    """The network's output f(x) = wᵀh + b for each row of ``X`` (§6.1, eq. 6.3)."""
    return xor_hidden(net, X) @ as_array(net.w, "w", ndim=1) + float(net.b)


def xor_mse(net: XorNet) -> float:
    """Mean squared error J(θ) = ¼ Σₓ (f*(x) − f(x; θ))² over the four XOR points (§6.1, eq. 6.1)."""
    return float(np.mean((XOR_Y - xor_forward(net)) ** 2))


def linear_fit(X: Any = XOR_X, y: Any = XOR_Y) -> tuple[np.ndarray, float]:
    """Least-squares linear model f(x) = xᵀw + b, solved by the normal equations (§6.1, §5.1.4).

    On XOR the answer is w = 0 and b = ½: the model outputs ½ everywhere.
    """
    fit = fit_linear_regression(X, y, fit_intercept=True)
    return fit.weights, float(fit.bias)


@dataclass(frozen=True)
class XorRun:
    """The result of training from one seed: the final network, the loss after each step, and success."""

    seed: int
    net: XorNet
    losses: np.ndarray
    solved: bool


def _check_training(seeds: Any, steps: int, lr: float, hidden: int, tol: float) -> tuple[list[int], int, float, int, float]:
    seeds = [check_int(s, "seed", low=0) for s in np.atleast_1d(np.asarray(seeds)).tolist()]
    if not seeds:
        raise ValueError("seeds must contain at least one seed")
    return (seeds, check_int(steps, "steps", low=1), check_positive(lr, "lr"), check_int(hidden, "hidden", low=1),
            check_positive(tol, "tol"))


def train_xor_seeds(seeds: Any, steps: int = 2000, lr: float = 0.1, hidden: int = 2,
                    tol: float = 1e-3, bias_init: float = 0.0) -> list[XorRun]:
    """Full-batch gradient descent on the XOR MSE from a random start per seed, all seeds at once (§6.1, §6.5).

    Weights start as N(0, 1) draws from ``numpy.random.default_rng(seed)`` and the hidden biases at
    ``bias_init`` (the book suggests a small positive value such as 0.1 for ReLUs, §6.3.1). The network
    is an MLP (layer 1: Wᵀ, c; layer 2: wᵀ, b), one per seed stacked on a leading axis, and the gradient
    is :func:`dlbook.mlp.backprop` with the output error δ = ∂J/∂f = 2(f − y)/4. A run counts as solved
    when its final MSE is below ``tol``.
    """
    seeds, steps, lr, hidden, tol = _check_training(seeds, steps, lr, hidden, tol)
    starts = [np.random.default_rng(s) for s in seeds]
    W = np.stack([g.standard_normal((2, hidden)) for g in starts])          # drawn W first, then w, per seed
    w = np.stack([g.standard_normal(hidden) for g in starts])
    layers = [Layer(W=W.transpose(0, 2, 1).copy(), b=np.full((len(seeds), hidden), float(bias_init))),
              Layer(W=w[:, None, :], b=np.zeros((len(seeds), 1)))]
    losses = np.empty((len(seeds), steps))
    for t in range(steps):
        f, cache = mlp_forward(layers, XOR_X, "relu")                      # (seeds, 4, 1)
        r = f[..., 0] - XOR_Y
        losses[:, t] = np.mean(r**2, axis=1)
        delta = (2.0 * r / len(XOR_Y))[..., None]                           # ∂J/∂f for each point
        for layer, grad in zip(layers, backprop(layers, cache, delta, "relu")):
            layer.W -= lr * grad.W
            layer.b -= lr * grad.b
    return [_run(s, layers, i, losses[i], tol) for i, s in enumerate(seeds)]


def _run(seed: int, layers: list[Layer], i: int, losses: np.ndarray, tol: float) -> XorRun:
    """Unstack network ``i`` into the book's parameters and freeze it (the runs are cached)."""
    (hidden, out) = layers
    net = XorNet(W=hidden.W[i].T.copy(), c=hidden.b[i].copy(), w=out.W[i, 0].copy(), b=float(out.b[i, 0]))
    final = xor_mse(net)
    curve = np.append(losses, final)
    for a in (net.W, net.c, net.w, curve):
        a.setflags(write=False)
    return XorRun(seed=seed, net=net, losses=curve, solved=final < tol)


@lru_cache(maxsize=128)
def train_xor(seed: int, steps: int = 2000, lr: float = 0.1, hidden: int = 2, bias_init: float = 0.0) -> XorRun:
    """Train the ReLU network on XOR from ``seed`` (cached, read-only arrays; see :func:`train_xor_seeds`)."""
    return train_xor_seeds([seed], steps=steps, lr=lr, hidden=hidden, bias_init=bias_init)[0]


def failure_rate(seeds: Any, steps: int = 2000, lr: float = 0.1, hidden: int = 2, bias_init: float = 0.0) -> float:
    """Fraction of the seeds whose training run does not reach MSE < 10⁻³ (§6.1, §8.2)."""
    runs = train_xor_seeds(seeds, steps=steps, lr=lr, hidden=hidden, bias_init=bias_init)
    return float(np.mean([not r.solved for r in runs]))
