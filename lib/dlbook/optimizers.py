"""Optimisers for training deep models, from scratch in numpy (§8.3, §8.5, §8.6, §8.7).

Each first-order optimiser is a small object with a ``step(theta, grad)`` method: ``grad``
is a function returning the gradient at any point (Nesterov momentum needs it at a point
other than ``theta``), and the optimiser keeps its own state (velocity, accumulators, step
count). :func:`run` iterates one from a starting point. Second-order and quasi-Newton
methods (§8.6) are functions: linear conjugate gradients on a quadratic, BFGS and L-BFGS.
Newton's step itself lives in :mod:`dlbook.optimize` (§4.3) and is reused here.

The update rules are the book's algorithms, written with its symbols: learning rate ε,
momentum α, decay rates ρ, ρ₁, ρ₂ and the small constant δ.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive

__all__ = [
    "AdaGrad", "Adam", "Momentum", "Nesterov", "RMSProp", "SGD", "bfgs", "clip_gradient_norm", "conjugate_gradient", "coordinate_descent",
    "exponential_average", "lbfgs", "linear_decay", "polyak_average", "rosenbrock", "rosenbrock_gradient",
    "rosenbrock_hessian", "run", "terminal_speed", "wolfe_line_search",
]

Grad = Callable[[np.ndarray], np.ndarray]


def _rate(value: float, name: str) -> float:
    """A decay rate or momentum coefficient in [0, 1)."""
    v = check_positive(value, name, allow_zero=True)
    if v >= 1:
        raise ValueError(f"{name} must be in [0, 1); got {value!r}")
    return v


def clip_gradient_norm(g: Any, threshold: float) -> np.ndarray:
    """Rescale ``g`` to norm ``threshold`` if it is longer: ``g ← g v / ‖g‖`` when ``‖g‖ > v`` (§8.2.4, §10.11.1).

    The direction is kept, only the step near a cliff is shortened (Pascanu et al., 2013).
    """
    g = as_array(g, "g")
    v = check_positive(threshold, "threshold")
    norm = float(np.sqrt(np.sum(g * g)))
    return g * (v / norm) if norm > v else g


def linear_decay(k: int, eps0: float, eps_tau: float, tau: int) -> float:
    """The learning rate ``ε_k = (1 − α) ε₀ + α ε_τ`` with ``α = k/τ``, constant ``ε_τ`` after step τ (§8.3.1, eq. 8.14)."""
    k, tau = check_int(k, "k", low=0), check_int(tau, "tau", low=1)
    alpha = min(k / tau, 1.0)
    return (1 - alpha) * check_positive(eps0, "eps0") + alpha * check_positive(eps_tau, "eps_tau")


def terminal_speed(lr: float, grad_norm: float, alpha: float) -> float:
    """Size of the step momentum settles into when the gradient stays ``g``: ``ε‖g‖ / (1 − α)`` (§8.3.2, eq. 8.17)."""
    return check_positive(lr, "lr") * check_positive(grad_norm, "grad_norm", allow_zero=True) / (1 - _rate(alpha, "alpha"))


class SGD:
    """Stochastic gradient descent, Algorithm 8.1: ``θ ← θ − ε_k g``.

    ``lr`` is a number, or a function of the step index k = 0, 1, … (e.g. :func:`linear_decay`).
    """

    def __init__(self, lr: float | Callable[[int], float]) -> None:
        self.lr = lr if callable(lr) else check_positive(lr, "lr")
        self.k = 0

    def step(self, theta: np.ndarray, grad: Grad) -> np.ndarray:
        eps = self.lr(self.k) if callable(self.lr) else self.lr
        self.k += 1
        return theta - eps * grad(theta)


class Momentum:
    """SGD with momentum, Algorithm 8.2: ``v ← αv − εg``, ``θ ← θ + v`` (§8.3.2, eqs. 8.15–8.16; Polyak, 1964).

    ``torch.optim.SGD(momentum=α)`` keeps ``b ← αb + g`` and steps ``θ ← θ − εb``: the same iterates, with ``v = −εb``.
    """

    def __init__(self, lr: float, alpha: float = 0.9) -> None:
        self.lr, self.alpha, self.v = check_positive(lr, "lr"), _rate(alpha, "alpha"), 0.0

    def step(self, theta: np.ndarray, grad: Grad) -> np.ndarray:
        self.v = self.alpha * self.v - self.lr * grad(theta)
        return theta + self.v


class Nesterov:
    """SGD with Nesterov momentum, Algorithm 8.3: the gradient is taken at the look-ahead point θ + αv (§8.3.3, eqs. 8.21–8.22).

    ``torch.optim.SGD(momentum=α, nesterov=True)`` stores the look-ahead point ``φ = θ + αv`` as its parameter:
    its iterates are this class's ``θ + αv`` (and ``θ = φ + αεb`` from its momentum buffer b).
    """

    def __init__(self, lr: float, alpha: float = 0.9) -> None:
        self.lr, self.alpha, self.v = check_positive(lr, "lr"), _rate(alpha, "alpha"), 0.0

    def step(self, theta: np.ndarray, grad: Grad) -> np.ndarray:
        self.v = self.alpha * self.v - self.lr * grad(theta + self.alpha * self.v)
        return theta + self.v


class AdaGrad:
    """AdaGrad, Algorithm 8.4 (Duchi et al., 2011): ``r ← r + g⊙g``, ``θ ← θ − ε g / (δ + √r)`` (§8.5.1)."""

    def __init__(self, lr: float, delta: float = 1e-7) -> None:
        self.lr, self.delta, self.r = check_positive(lr, "lr"), check_positive(delta, "delta", allow_zero=True), 0.0

    def step(self, theta: np.ndarray, grad: Grad) -> np.ndarray:
        g = grad(theta)
        self.r = self.r + g * g
        return theta - self.lr * g / (self.delta + np.sqrt(self.r))


class RMSProp:
    """RMSProp, Algorithm 8.5 (Hinton, 2012): ``r ← ρr + (1 − ρ) g⊙g``, ``θ ← θ − ε g / √(δ + r)`` (§8.5.2).

    The book puts δ *inside* the square root (``torch.optim.RMSprop`` adds its ``eps`` outside,
    ``√r + eps``; the two agree when both are 0). With ``alpha > 0`` the step is fed through a
    velocity; ``nesterov=True`` takes the gradient at θ + αv, which is Algorithm 8.6 (written in the
    book without δ: pass ``delta=0.0`` for its exact form).
    """

    def __init__(self, lr: float, rho: float = 0.9, delta: float = 1e-6, alpha: float = 0.0,
                 nesterov: bool = False) -> None:
        self.lr, self.rho, self.alpha = check_positive(lr, "lr"), _rate(rho, "rho"), _rate(alpha, "alpha")
        self.delta = check_positive(delta, "delta", allow_zero=True)
        if nesterov and self.alpha == 0:
            raise ValueError("nesterov=True needs a momentum alpha > 0")
        self.nesterov, self.r, self.v = bool(nesterov), 0.0, 0.0

    def step(self, theta: np.ndarray, grad: Grad) -> np.ndarray:
        g = grad(theta + self.alpha * self.v) if self.nesterov else grad(theta)
        self.r = self.rho * self.r + (1 - self.rho) * (g * g)      # g⊙g first: the order torch rounds in
        self.v = self.alpha * self.v - self.lr * g / np.sqrt(self.delta + self.r)
        return theta + self.v


class Adam:
    """Adam, Algorithm 8.7 (Kingma and Ba, 2014), with bias-corrected first and second moments (§8.5.3)."""

    def __init__(self, lr: float = 1e-3, rho1: float = 0.9, rho2: float = 0.999, delta: float = 1e-8) -> None:
        self.lr, self.rho1, self.rho2 = check_positive(lr, "lr"), _rate(rho1, "rho1"), _rate(rho2, "rho2")
        self.delta = check_positive(delta, "delta", allow_zero=True)
        self.s, self.r, self.t = 0.0, 0.0, 0

    def step(self, theta: np.ndarray, grad: Grad) -> np.ndarray:
        g = grad(theta)
        self.t += 1
        self.s = self.rho1 * self.s + (1 - self.rho1) * g          # first moment
        self.r = self.rho2 * self.r + (1 - self.rho2) * (g * g)    # second moment
        s_hat = self.s / (1 - self.rho1**self.t)                   # bias corrections
        r_hat = self.r / (1 - self.rho2**self.t)
        return theta - self.lr * s_hat / (np.sqrt(r_hat) + self.delta)


def run(optimizer: Any, grad: Grad, theta0: Any, n_steps: int, limit: float = 1e8) -> np.ndarray:
    """Take ``n_steps`` steps of ``optimizer`` from ``theta0``; return the path, shape ``(k + 1, n)``.

    The path ends early if an iterate leaves the box ``|θᵢ| ≤ limit`` or stops being finite
    (a learning rate that is too large), so it may hold fewer than ``n_steps + 1`` points.
    """
    if not hasattr(optimizer, "step"):
        raise ValueError(f"optimizer must have a step(theta, grad) method; got {type(optimizer).__name__}")
    theta = as_array(theta0, "theta0", ndim=1).copy()
    n_steps = check_int(n_steps, "n_steps", low=0)
    path = [theta.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            theta = optimizer.step(theta, grad)
            if not (np.all(np.isfinite(theta)) and np.abs(theta).max() <= limit):
                break
            path.append(theta.copy())
    return np.array(path)


# -- averaging (§8.7.3) ---------------------------------------------------------------------------

def polyak_average(path: Any) -> np.ndarray:
    """Running means ``θ̂⁽ᵗ⁾ = (1/t) Σᵢ θ⁽ⁱ⁾`` of the iterates (§8.7.3, Polyak and Juditsky, 1992)."""
    path = as_array(path, "path", ndim=2)
    return np.cumsum(path, axis=0) / np.arange(1, len(path) + 1)[:, None]


def exponential_average(path: Any, alpha: float) -> np.ndarray:
    """The exponentially decaying average ``θ̂⁽ᵗ⁾ = α θ̂⁽ᵗ⁻¹⁾ + (1 − α) θ⁽ᵗ⁾`` (§8.7.3, eq. 8.39), started at θ⁽⁰⁾."""
    path, alpha = as_array(path, "path", ndim=2), _rate(alpha, "alpha")
    out = np.empty_like(path)
    out[0] = path[0]
    for t in range(1, len(path)):
        out[t] = alpha * out[t - 1] + (1 - alpha) * path[t]
    return out


# -- test functions ---------------------------------------------------------------------------------

def rosenbrock(x: Any, a: float = 1.0, b: float = 100.0) -> Any:
    """Rosenbrock's banana ``(a − x₁)² + b (x₂ − x₁²)²``: a curved, narrow valley with its minimum at (a, a²)."""
    x = np.asarray(x, dtype=float)
    return (a - x[..., 0]) ** 2 + b * (x[..., 1] - x[..., 0] ** 2) ** 2


def rosenbrock_gradient(x: Any, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    """The gradient of :func:`rosenbrock`."""
    x = np.asarray(x, dtype=float)
    u = x[..., 1] - x[..., 0] ** 2
    return np.stack([-2 * (a - x[..., 0]) - 4 * b * x[..., 0] * u, 2 * b * u], axis=-1)


def rosenbrock_hessian(x: Any, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    """The Hessian of :func:`rosenbrock` at one point ``x`` of shape (2,)."""
    x1, x2 = as_array(x, "x", ndim=1)
    return np.array([[2 - 4 * b * (x2 - 3 * x1**2), -4 * b * x1], [-4 * b * x1, 2 * b]])


# -- second-order and quasi-Newton methods (§8.6) --------------------------------------------------

def _spd(A: Any) -> np.ndarray:
    A = as_array(A, "A", ndim=2)
    if A.shape[0] != A.shape[1] or not np.allclose(A, A.T, atol=1e-12 * max(1.0, np.abs(A).max())):
        raise ValueError(f"A must be a symmetric square matrix; got shape {A.shape}")
    return A


def conjugate_gradient(A: Any, b: Any, x0: Any | None = None, tol: float = 1e-10,
                       max_iter: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``½xᵀAx − bᵀx`` for symmetric positive-definite A by conjugate gradients (§8.6.2).

    Each direction ``d_t = −g_t + β_t d_{t−1}`` is conjugate to the previous ones
    (``d_tᵀ A d_{t−1} = 0``, eq. 8.29) and the step along it is exact. β is Fletcher–Reeves
    (eq. 8.30), which on a quadratic with exact line searches equals Polak–Ribière (eq. 8.31), because
    successive gradients are then orthogonal (``g_tᵀ g_{t−1} = 0``). In exact arithmetic the
    minimum is reached in at most n steps. Stops when ``‖g‖ ≤ tol·‖b‖``. Returns ``(x, path)``.
    """
    A = _spd(A)
    n = A.shape[0]
    b = as_array(b, "b", ndim=1)
    if b.shape != (n,):
        raise ValueError(f"b must have {n} entries; got {b.shape[0]}")
    x = np.zeros(n) if x0 is None else as_array(x0, "x0", ndim=1).copy()
    max_iter = n if max_iter is None else check_int(max_iter, "max_iter", low=1)
    tol = check_positive(tol, "tol") * max(float(np.linalg.norm(b)), 1e-300)
    g = A @ x - b
    d = -g
    path = [x.copy()]
    for _ in range(max_iter):
        if np.linalg.norm(g) <= tol:
            break
        curvature = d @ A @ d
        if curvature <= 0:
            raise ValueError("A must be positive definite: found a direction of non-positive curvature")
        step = (g @ g) / curvature                 # the exact line search along d
        x = x + step * d
        g_new = g + step * (A @ d)
        beta = (g_new @ g_new) / (g @ g)           # Fletcher–Reeves (eq. 8.30)
        d, g = -g_new + beta * d, g_new
        path.append(x.copy())
    return x, np.array(path)


def wolfe_line_search(f: Callable[[np.ndarray], float], grad: Grad, x: np.ndarray, d: np.ndarray,
                      c1: float = 1e-4, c2: float = 0.9, max_iter: int = 60) -> float:
    """A step ``ε`` along the descent direction ``d`` meeting the weak Wolfe conditions (bisection/doubling).

    Sufficient decrease ``f(x + εd) ≤ f(x) + c₁ ε ∇fᵀd`` and curvature ``∇f(x + εd)ᵀd ≥ c₂ ∇fᵀd``
    (Nocedal and Wright, 2006, §3.1). The curvature condition keeps ``sᵀy > 0`` in BFGS.
    """
    f0, slope = float(f(x)), float(grad(x) @ d)
    if slope >= 0:
        raise ValueError(f"d must be a descent direction (∇fᵀd < 0); got {slope:g}")
    lo, hi, eps = 0.0, np.inf, 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            fx = float(f(x + eps * d))
            if not np.isfinite(fx) or fx > f0 + c1 * eps * slope:
                hi = eps
            elif float(grad(x + eps * d) @ d) < c2 * slope:
                lo = eps
            else:
                return eps
            eps = 2 * lo if hi == np.inf else 0.5 * (lo + hi)
    return eps


def bfgs(f: Callable[[np.ndarray], float], grad: Grad, x0: Any, tol: float = 1e-8,
         max_iter: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """BFGS (§8.6.3): keep an approximation M of the inverse Hessian, step along ``−M g``.

    After a step ``s`` that changes the gradient by ``y``, with ``ρ = 1/yᵀs``,
    ``M ← (I − ρ s yᵀ) M (I − ρ y sᵀ) + ρ s sᵀ`` (Nocedal and Wright, 2006, eq. 6.17),
    the update that makes ``M y = s``. Stops when ``‖g‖ ≤ tol``. Returns ``(x, path)``.
    """
    x = as_array(x0, "x0", ndim=1).copy()
    tol, max_iter = check_positive(tol, "tol"), check_int(max_iter, "max_iter", low=1)
    n = len(x)
    M, g, path = np.eye(n), grad(x), [x.copy()]
    for _ in range(max_iter):
        if np.linalg.norm(g) <= tol:
            break
        d = -M @ g
        eps = wolfe_line_search(f, grad, x, d)
        s = eps * d
        x = x + s
        g_new = grad(x)
        y = g_new - g
        if y @ s > 1e-300:                      # the Wolfe step guarantees yᵀs > 0 unless it failed
            rho = 1.0 / (y @ s)
            V = np.eye(n) - rho * np.outer(s, y)
            M = V @ M @ V.T + rho * np.outer(s, s)
        g = g_new
        path.append(x.copy())
    return x, np.array(path)


def lbfgs(f: Callable[[np.ndarray], float], grad: Grad, x0: Any, memory: int = 10, tol: float = 1e-8,
          max_iter: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Limited-memory BFGS (§8.6.3): the same direction ``−M g``, with M built from the last ``memory`` pairs (s, y).

    M is never stored: the two-loop recursion (Nocedal and Wright, 2006, Algorithm 7.4) applies
    it to g in O(memory · n) operations, starting from the scaled identity ``(sᵀy / yᵀy) I``.
    """
    x = as_array(x0, "x0", ndim=1).copy()
    memory = check_int(memory, "memory", low=1)
    tol, max_iter = check_positive(tol, "tol"), check_int(max_iter, "max_iter", low=1)
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    g, path = grad(x), [x.copy()]
    for _ in range(max_iter):
        if np.linalg.norm(g) <= tol:
            break
        q, coeffs = g.copy(), []
        for s, y in reversed(pairs):             # first loop: newest pair first
            a = (s @ q) / (y @ s)
            q -= a * y
            coeffs.append(a)
        if pairs:
            s, y = pairs[-1]
            q *= (s @ y) / (y @ y)
        for (s, y), a in zip(pairs, reversed(coeffs)):   # second loop: oldest pair first
            q += (a - (y @ q) / (y @ s)) * s
        d = -q
        eps = wolfe_line_search(f, grad, x, d)
        x_new = x + eps * d
        g_new = grad(x_new)
        s, y = x_new - x, g_new - g
        if y @ s > 1e-300:
            pairs = (pairs + [(s, y)])[-memory:]
        x, g = x_new, g_new
        path.append(x.copy())
    return x, np.array(path)


def coordinate_descent(A: Any, b: Any, x0: Any, sweeps: int) -> np.ndarray:
    """Minimise ``½xᵀAx − bᵀx`` exactly along one coordinate at a time (§8.7.2); return x after each sweep.

    Setting ∂f/∂xᵢ = 0 with the other coordinates fixed gives ``xᵢ ← (bᵢ − Σ_{j≠i} A_ij x_j) / A_ii``
    (the Gauss–Seidel iteration). Needs A symmetric with a positive diagonal.
    """
    A = _spd(A)
    if np.any(np.diag(A) <= 0):
        raise ValueError("A needs a positive diagonal for exact coordinate minimisation")
    x = as_array(x0, "x0", ndim=1).copy()
    b = as_array(b, "b", ndim=1)
    path = [x.copy()]
    for _ in range(check_int(sweeps, "sweeps", low=0)):
        for i in range(len(x)):
            x[i] = (b[i] - A[i] @ x + A[i, i] * x[i]) / A[i, i]
        path.append(x.copy())
    return np.array(path)
