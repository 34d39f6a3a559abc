"""Learning XOR (§6.1): the data, the best linear fit, the book's ReLU network and training it from a seed.

The network is f(x) = wᵀ max{0, Wᵀx + c} + b (§6.1, eq. 6.3) with two hidden ReLU units,
fitted by mean squared error on the four points of the XOR truth table (eq. 6.1).
Training is vectorised over seeds, so a hundred random starts train in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive

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
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows; got {len(X)} and {len(y)}")
    A = np.hstack([X, np.ones((len(X), 1))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[:-1], float(theta[-1])


@dataclass(frozen=True)
class XorRun:
    """The result of training from one seed: the final network, the loss after each step, and success."""

    seed: int
    net: XorNet
    losses: np.ndarray
    solved: bool


def train_xor_seeds(seeds: Any, steps: int = 2000, lr: float = 0.1, hidden: int = 2,
                    tol: float = 1e-3) -> list[XorRun]:
    """Full-batch gradient descent on the XOR MSE from a random start per seed, all seeds at once (§6.1, §6.5).

    Weights start as N(0, 1) draws from ``numpy.random.default_rng(seed)`` and biases at zero.
    A run counts as solved when its final MSE is below ``tol``; backpropagation here is the
    two-layer chain rule written out: ∂J/∂w = hᵀr, ∂J/∂z = (r wᵀ) ∘ 1[z > 0], with r = 2(f − y)/4.
    """
    seeds = [check_int(s, "seed", low=0) for s in np.atleast_1d(np.asarray(seeds)).tolist()]
    if not seeds:
        raise ValueError("seeds must contain at least one seed")
    steps = check_int(steps, "steps", low=1)
    hidden = check_int(hidden, "hidden", low=1)
    lr = check_positive(lr, "lr")
    tol = check_positive(tol, "tol")
    S, X, y = len(seeds), XOR_X, XOR_Y
    W = np.empty((S, 2, hidden))
    w = np.empty((S, hidden))
    for i, s in enumerate(seeds):
        g = np.random.default_rng(s)
        W[i] = g.standard_normal((2, hidden))
        w[i] = g.standard_normal(hidden)
    c = np.zeros((S, hidden))
    b = np.zeros(S)
    losses = np.empty((S, steps))
    for t in range(steps):
        z = np.einsum("nd,sdh->snh", X, W) + c[:, None, :]          # (S, 4, h)
        h = np.maximum(z, 0.0)
        f = np.einsum("snh,sh->sn", h, w) + b[:, None]             # (S, 4)
        r = f - y
        losses[:, t] = np.mean(r**2, axis=1)
        r = 2.0 * r / len(y)                                        # ∂J/∂f
        gw = np.einsum("snh,sn->sh", h, r)
        gb = r.sum(axis=1)
        gz = r[:, :, None] * w[:, None, :] * (z > 0)                # δ at the hidden layer
        gW = np.einsum("nd,snh->sdh", X, gz)
        gc = gz.sum(axis=1)
        W -= lr * gW
        c -= lr * gc
        w -= lr * gw
        b -= lr * gb
    runs = []
    for i, s in enumerate(seeds):
        net = XorNet(W=W[i].copy(), c=c[i].copy(), w=w[i].copy(), b=float(b[i]))
        final = xor_mse(net)
        runs.append(XorRun(seed=s, net=net, losses=np.append(losses[i], final), solved=final < tol))
    return runs


@lru_cache(maxsize=128)
def train_xor(seed: int, steps: int = 2000, lr: float = 0.1, hidden: int = 2) -> XorRun:
    """Train the ReLU network on XOR from ``seed`` (cached; see :func:`train_xor_seeds`)."""
    return train_xor_seeds([seed], steps=steps, lr=lr, hidden=hidden)[0]


def failure_rate(seeds: Any, steps: int = 2000, lr: float = 0.1, hidden: int = 2) -> float:
    """Fraction of the seeds whose training run does not reach MSE < 10⁻³ (§6.1, §8.2)."""
    runs = train_xor_seeds(seeds, steps=steps, lr=lr, hidden=hidden)
    return float(np.mean([not r.solved for r in runs]))
