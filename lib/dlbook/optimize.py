"""Gradient-based optimisation, Newton's method and constrained least squares (§4.3–4.5).

Everything here is small and exact enough to be checked against closed forms: gradient
descent (eq. 4.5), the second-order Taylor model of one step (eq. 4.9), the optimal step
(eq. 4.10), a line search, Newton's step (eq. 4.12), least squares by gradient descent
(Algorithm 4.1) and least squares under the constraint ``xᵀx ≤ r²`` solved through the
Lagrangian (eqs. 4.23–4.27), with the multiplier found by gradient ascent or bisection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, check_square
from dlbook.linalg import rotation

__all__ = [
    "ConstrainedSolution",
    "Quadratic",
    "constrained_lstsq",
    "gradient_descent",
    "kkt_residuals",
    "line_search",
    "lstsq_gradient_descent",
    "max_stable_learning_rate",
    "newton_step",
    "optimal_step",
    "quadratic_with_condition",
    "regularised_lstsq",
    "steepest_descent_exact",
    "taylor_step_prediction",
]


def _vector(v: Any, name: str, n: int) -> np.ndarray:
    v = as_array(v, name, ndim=1)
    if v.shape[0] != n:
        raise ValueError(f"{name} must have {n} entries; got {v.shape[0]}")
    return v


@dataclass(frozen=True)
class Quadratic:
    """The quadratic ``f(x) = ½ xᵀHx − bᵀx`` with symmetric Hessian ``H`` and gradient ``Hx − b``.

    Every function is locally like one of these (the Taylor model of eq. 4.8), which is
    why §4.3 studies gradient descent and Newton's method on them.
    """

    H: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        H = check_square(self.H, "H")
        if not np.allclose(H, H.T, atol=1e-12 * max(1.0, np.abs(H).max())):
            raise ValueError("H must be symmetric (a Hessian is, eq. 4.7)")
        object.__setattr__(self, "H", (H + H.T) / 2)
        object.__setattr__(self, "b", _vector(self.b, "b", H.shape[0]))

    def value(self, x: Any) -> Any:
        """``f(x)``; ``x`` may be one point ``(n,)`` or a stack of points ``(..., n)``."""
        x = np.asarray(x, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.H, x) - x @ self.b

    def gradient(self, x: Any) -> np.ndarray:
        """``∇f(x) = Hx − b``."""
        return np.asarray(x, dtype=float) @ self.H - self.b

    def minimizer(self) -> np.ndarray:
        """The unique minimum ``x* = H⁻¹b``; ``H`` must be positive definite."""
        if np.linalg.eigvalsh(self.H).min() <= 0:
            raise ValueError("H must be positive definite for a unique minimum")
        return np.linalg.solve(self.H, self.b)


def quadratic_with_condition(condition: float, angle_deg: float = 45.0, lambda_max: float = 1.0) -> Quadratic:
    """A 2-D quadratic bowl ``½ xᵀHx`` whose Hessian has the given condition number (§4.2, §4.3.1).

    ``H = Q diag(λ_max, λ_max / condition) Qᵀ`` where the first column of the rotation
    ``Q`` points at ``angle_deg`` degrees: that is the direction of most curvature
    (45° is the book's [1, 1] of fig. 4.6). The minimum is at the origin.
    """
    condition = check_positive(condition, "condition")
    if condition < 1:
        raise ValueError(f"condition must be >= 1 (it is |λ_max / λ_min|); got {condition}")
    lambda_max = check_positive(lambda_max, "lambda_max")
    Q = rotation(angle_deg)
    H = Q @ np.diag([lambda_max, lambda_max / condition]) @ Q.T
    return Quadratic(H, np.zeros(2))


def gradient_descent(grad: Callable[[np.ndarray], np.ndarray], x0: Any, learning_rate: float,
                     n_steps: int) -> np.ndarray:
    """Iterate ``x ← x − ε∇f(x)`` (§4.3, eq. 4.5) and return the path, shape ``(k + 1, n)``.

    The path stops early (so it holds fewer than ``n_steps + 1`` points) if the iterate
    stops being finite, which is what a learning rate above the stability limit leads to.
    """
    x = as_array(x0, "x0", ndim=1).copy()
    eps = check_positive(learning_rate, "learning_rate")
    n_steps = check_int(n_steps, "n_steps", low=0)
    path = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            x = x - eps * np.asarray(grad(x), dtype=float)
            if not np.all(np.isfinite(x)):
                break
            path.append(x.copy())
    return np.array(path)


def taylor_step_prediction(f0: float, g: Any, H: Any, learning_rate: float) -> float:
    """Second-order prediction of ``f(x − εg)``: ``f₀ − ε gᵀg + ½ ε² gᵀHg`` (§4.3.1, eq. 4.9).

    Exact when f is quadratic.
    """
    H = check_square(H, "H")
    g = _vector(g, "g", H.shape[0])
    eps = float(learning_rate)
    return float(f0) - eps * float(g @ g) + 0.5 * eps**2 * float(g @ H @ g)


def optimal_step(g: Any, H: Any) -> float:
    """The step ``ε* = gᵀg / gᵀHg`` that minimises the Taylor model of eq. 4.9 (§4.3.1, eq. 4.10).

    Raises ``ValueError`` if ``gᵀHg ≤ 0``: then the model has no minimum along −g.
    """
    H = check_square(H, "H")
    g = _vector(g, "g", H.shape[0])
    curvature = float(g @ H @ g)
    if not curvature > 0:
        raise ValueError(f"gᵀHg must be > 0 for an optimal step (positive curvature along g); got {curvature:g}")
    return float(g @ g) / curvature


def max_stable_learning_rate(H: Any) -> float:
    """``2 / λ_max``: gradient descent on a quadratic with Hessian H converges iff ε < this.

    Along each eigenvector the error is multiplied by ``1 − ελᵢ`` per step, which
    shrinks only if ``|1 − ελᵢ| < 1``. (An extension of §4.3.1, which gives ε* of eq. 4.10 and
    the step 1/λ_max; the stability limit itself is not in the book.)
    """
    lam = np.linalg.eigvalsh(check_square(H, "H"))
    if lam.max() <= 0:
        raise ValueError(f"H needs a positive eigenvalue for a stability limit; got λ_max = {lam.max():g}")
    return 2.0 / float(lam.max())


def steepest_descent_exact(q: Quadratic, x0: Any, n_steps: int) -> np.ndarray:
    """Gradient descent on a quadratic taking the optimal step ε* of eq. 4.10 each time (§4.3.1).

    On a quadratic the Taylor model is exact, so this is an exact line search. Stops
    early at the minimum (zero gradient). Returns the path, shape ``(k + 1, n)``.
    """
    x = _vector(x0, "x0", q.H.shape[0]).copy()
    n_steps = check_int(n_steps, "n_steps", low=0)
    path = [x.copy()]
    for _ in range(n_steps):
        g = q.gradient(x)
        if g @ g <= 1e-30:
            break
        x = x - optimal_step(g, q.H) * g
        path.append(x.copy())
    return np.array(path)


def line_search(f: Callable[[np.ndarray], float], x: Any, direction: Any, steps: Any) -> float:
    """Try ``f(x + ε·direction)`` for each candidate ``ε`` and return the best one (§4.3).

    For gradient descent pass ``direction = −∇f(x)``.
    """
    x = as_array(x, "x", ndim=1)
    d = _vector(direction, "direction", x.shape[0])
    steps = as_array(steps, "steps", ndim=1)
    values = np.array([float(f(x + s * d)) for s in steps])
    return float(steps[int(np.nanargmin(values))])


def newton_step(x: Any, g: Any, H: Any) -> np.ndarray:
    """One Newton step ``x − H⁻¹∇f(x)`` (§4.3.1, eq. 4.12): the critical point of the Taylor model 4.11.

    On a positive-definite quadratic it lands on the minimum in one step. Raises
    ``ValueError`` if H is singular.
    """
    H = check_square(H, "H")
    x = _vector(x, "x", H.shape[0])
    g = _vector(g, "g", H.shape[0])
    try:
        return x - np.linalg.solve(H, g)
    except np.linalg.LinAlgError as err:
        raise ValueError("H must be invertible for a Newton step") from err


def _design(A: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    A = as_array(A, "A", ndim=2)
    b = _vector(b, "b", A.shape[0])
    return A, b


def lstsq_gradient_descent(A: Any, b: Any, learning_rate: float | None = None, tol: float = 1e-8,
                           max_steps: int = 100_000) -> tuple[np.ndarray, int]:
    """Minimise ``½‖Ax − b‖²`` by gradient descent from x = 0 (§4.5, Algorithm 4.1).

    The gradient is ``AᵀAx − Aᵀb`` (eq. 4.22); we stop when its norm is at most ``tol``.
    The default step is ``1 / λ_max(AᵀA)``, half the stability limit. Returns ``(x, steps)``;
    raises ``ValueError`` if ``max_steps`` pass without reaching the tolerance.
    """
    A, b = _design(A, b)
    AtA, Atb = A.T @ A, A.T @ b
    eps = 1.0 / np.linalg.eigvalsh(AtA).max() if learning_rate is None else check_positive(learning_rate,
                                                                                        "learning_rate")
    tol = check_positive(tol, "tol")
    max_steps = check_int(max_steps, "max_steps", low=1)
    x = np.zeros(A.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(max_steps + 1):
            g = AtA @ x - Atb
            if np.linalg.norm(g) <= tol:
                return x, step
            if not np.all(np.isfinite(g)):
                break
            x = x - eps * g
    raise ValueError(f"gradient descent did not reach tol={tol:g} within {max_steps} steps "
                     f"(learning_rate={eps:g}; it must be below 2/λ_max(AᵀA))")


def regularised_lstsq(A: Any, b: Any, lam: float) -> np.ndarray:
    """The minimiser ``x(λ) = (AᵀA + 2λI)⁻¹Aᵀb`` of the Lagrangian 4.23 for a fixed λ ≥ 0 (§4.5, eq. 4.26).

    The Lagrangian is ``½‖Ax − b‖² + λ(xᵀx − r²)``, so the penalty on ``xᵀx`` has coefficient λ and its
    gradient is ``2λx``: this is ridge regression with scikit-learn's ``Ridge(alpha=2·lam, fit_intercept=False)``
    (which minimises ``‖Ax − b‖² + α‖x‖²`` up to the factor ½), or the book's weight decay ``(α/2)wᵀw`` of §7.1
    with α = 2λ. At λ = 0 it returns the smallest-norm least-squares solution ``A⁺b``.
    """
    A, b = _design(A, b)
    lam = check_positive(lam, "lam", allow_zero=True)
    if lam == 0:
        return np.linalg.pinv(A) @ b
    # Same minimiser as solving (AᵀA + 2λI)x = Aᵀb, but as the least-squares problem
    # ‖[A; √(2λ) I] x − [b; 0]‖², which stays accurate when AᵀA is (nearly) singular and λ is tiny.
    n = A.shape[1]
    stacked = np.vstack([A, np.sqrt(2 * lam) * np.eye(n)])
    return np.linalg.lstsq(stacked, np.concatenate([b, np.zeros(n)]), rcond=None)[0]


@dataclass(frozen=True)
class ConstrainedSolution:
    """Result of :func:`constrained_lstsq`: the point, its KKT multiplier and the iterations used."""

    x: np.ndarray
    lam: float
    iterations: int


def constrained_lstsq(A: Any, b: Any, radius: float = 1.0, method: str = "bisection",
                      learning_rate: float = 0.5, tol: float = 1e-10, max_iter: int = 100_000
                      ) -> ConstrainedSolution:
    """Minimise ``½‖Ax − b‖²`` subject to ``xᵀx ≤ radius²`` (§4.5, eqs. 4.23–4.27).

    If ``A⁺b`` is feasible it is the answer, with λ = 0. Otherwise the constraint is
    active and λ > 0 solves ``x(λ)ᵀx(λ) = radius²`` with ``x(λ)`` from eq. 4.26. The
    norm of ``x(λ)`` falls as λ grows, so λ can be found by

    * ``"ascent"``: gradient ascent on the Lagrangian, ``λ ← max(0, λ + α(xᵀx − r²))``
      (eq. 4.27), as the book describes, or
    * ``"bisection"``: bracket the root and halve the bracket (faster and always safe).
    """
    A, b = _design(A, b)
    radius = check_positive(radius, "radius")
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", low=1)
    if method not in ("bisection", "ascent"):
        raise ValueError(f"method must be 'bisection' or 'ascent'; got {method!r}")
    r2 = radius**2
    x0 = regularised_lstsq(A, b, 0.0)
    if x0 @ x0 <= r2:
        return ConstrainedSolution(x0, 0.0, 0)

    def excess(lam: float) -> float:  # ∂L/∂λ = xᵀx − r² (eq. 4.27, with radius r)
        x = regularised_lstsq(A, b, lam)
        return float(x @ x) - r2

    if method == "ascent":
        alpha = check_positive(learning_rate, "learning_rate")
        lam = 0.0
        for it in range(1, max_iter + 1):
            step = excess(lam)
            lam = max(0.0, lam + alpha * step)
            if abs(step) <= tol:
                return ConstrainedSolution(regularised_lstsq(A, b, lam), lam, it)
        raise ValueError(f"gradient ascent on λ did not converge within {max_iter} iterations "
                         f"(learning_rate={alpha:g}; try a smaller or larger one, or method='bisection')")
    lo, hi, it = 0.0, 1.0, 0
    while excess(hi) > 0:  # ‖x(λ)‖ ≤ ‖Aᵀb‖ / 2λ, so doubling soon brackets the root
        lo, hi, it = hi, 2 * hi, it + 1
    while hi - lo > tol * hi and it < max_iter:  # relative width: λ may be as small as 1e-9
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
        it += 1
    # excess(hi) <= 0 throughout, so x(hi) is always feasible; it is within tol of the exact λ.
    return ConstrainedSolution(regularised_lstsq(A, b, hi), hi, it)


def kkt_residuals(A: Any, b: Any, x: Any, lam: float, radius: float = 1.0) -> dict[str, float]:
    """How far ``(x, λ)`` is from the KKT conditions of ``min ½‖Ax − b‖²`` s.t. ``xᵀx ≤ r²`` (§4.4).

    Returns (all zero at a KKT point): ``stationarity`` ‖AᵀAx − Aᵀb + 2λx‖ (the
    Lagrangian's gradient, eq. 4.25), ``primal`` max(0, xᵀx − r²) (feasibility),
    ``dual`` max(0, −λ) and ``complementary`` |λ (xᵀx − r²)| (complementary slackness).
    """
    A, b = _design(A, b)
    x = _vector(x, "x", A.shape[1])
    lam = float(lam)
    h = float(x @ x) - check_positive(radius, "radius") ** 2
    return {"stationarity": float(np.linalg.norm(A.T @ (A @ x - b) + 2 * lam * x)),
            "primal": max(0.0, h), "dual": max(0.0, -lam), "complementary": abs(lam * h)}
