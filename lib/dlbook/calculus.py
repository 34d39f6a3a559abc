"""Derivatives by finite differences, curvature and conditioning (Deep Learning book, §4.2–4.3).

Finite differences need nothing but function values, so they are the independent check
we hold automatic differentiation against: the gradient (§4.3), the Jacobian and the
Hessian (§4.3.1, eq. 4.6), the directional first and second derivatives, the
second-derivative test, and the condition number of a matrix (§4.2, eq. 4.2).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.checks import as_array, check_positive, check_square, check_unit_vector
from dlbook.linalg import is_normal

__all__ = [
    "condition_number",
    "directional_derivative",
    "directional_second_derivative",
    "finite_difference",
    "gradient_check",
    "numerical_gradient",
    "numerical_hessian",
    "numerical_jacobian",
    "second_derivative_test",
]


def _check_callable(f: Any, name: str) -> None:
    if not callable(f):
        raise ValueError(f"{name} must be a callable function of a vector; got {type(f).__name__}")


def numerical_jacobian(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-6) -> np.ndarray:
    """Jacobian ``J[i, j] = ∂fᵢ/∂xⱼ`` of ``f: ℝⁿ → ℝᵐ`` at ``x`` by central differences (§4.3.1).

    Column ``j`` is ``(f(x + h eⱼ) − f(x − h eⱼ)) / 2h``, whose error is O(h²) plus
    rounding of order ε·|f|/h. A scalar-valued ``f`` gives a ``(1, n)`` matrix.
    """
    _check_callable(f, "f")
    x = as_array(x, "x", ndim=1)
    h = check_positive(h, "h")
    cols = []
    for j in range(x.shape[0]):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.atleast_1d(np.asarray(f(x + e), dtype=float))
                     - np.atleast_1d(np.asarray(f(x - e), dtype=float))) / (2 * h))
    return np.stack(cols, axis=1)


def numerical_gradient(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-6) -> np.ndarray:
    """Gradient ``∇ₓf(x)`` of a scalar function by central differences (§4.3).

    Raises ``ValueError`` if ``f`` does not return a single number.
    """
    J = numerical_jacobian(f, x, h)
    if J.shape[0] != 1:
        raise ValueError(f"f must return a scalar for a gradient; it returned {J.shape[0]} values "
                         "(use numerical_jacobian for vector-valued functions)")
    return J[0]


def numerical_hessian(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-4) -> np.ndarray:
    """Hessian ``H[i, j] = ∂²f/∂xᵢ∂xⱼ`` of a scalar function at ``x`` (§4.3.1, eq. 4.6).

    Uses the four-point central formula
    ``[f(x+hᵢ+hⱼ) − f(x+hᵢ−hⱼ) − f(x−hᵢ+hⱼ) + f(x−hᵢ−hⱼ)] / 4h²``, which is
    symmetric in i and j by construction (eq. 4.7), so the result is exactly symmetric.
    """
    _check_callable(f, "f")
    x = as_array(x, "x", ndim=1)
    h = check_positive(h, "h")
    n = x.shape[0]
    E = np.eye(n) * h

    def fx(v: np.ndarray) -> float:
        out = np.asarray(f(v), dtype=float)
        if out.size != 1:
            raise ValueError(f"f must return a scalar for a Hessian; it returned {out.size} values")
        return float(out.reshape(()))

    H = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (fx(x + E[i] + E[j]) - fx(x + E[i] - E[j])
                                 - fx(x - E[i] + E[j]) + fx(x - E[i] - E[j])) / (4 * h * h)
    return H


def directional_derivative(gradient: Any, u: Any) -> float:
    """Slope ``uᵀ∇ₓf(x)`` of f along the unit vector ``u``: the derivative of ``f(x + αu)`` at α = 0 (§4.3).

    It equals ``‖∇f‖ cos θ`` (eq. 4.4), so its minimum over unit vectors (eq. 4.3) is at ``u = −∇f / ‖∇f‖``.
    """
    g = as_array(gradient, "gradient", ndim=1)
    u = check_unit_vector(u, g.shape[0], "u")
    return float(u @ g)


def directional_second_derivative(H: Any, d: Any) -> float:
    """Curvature ``dᵀHd`` of f along the unit vector ``d`` (§4.3.1).

    For symmetric H it is a weighted average of the eigenvalues, with weights
    ``(vᵢᵀd)²`` that add up to one.
    """
    H = check_square(H, "H")
    d = check_unit_vector(d, H.shape[0], "d")
    return float(d @ H @ d)


def condition_number(A: Any) -> float:
    """``max_{i,j} |λᵢ / λⱼ|`` over the eigenvalues of a normal matrix ``A`` (§4.2, eq. 4.2).

    The ratio of the largest to the smallest eigenvalue magnitude; ``inf`` when the computed smallest
    magnitude is zero (or below the smallest normal float). It measures how much solving ``Ax = b`` can
    amplify a relative error only when ``A`` is normal (``AAᵀ = AᵀA``, e.g. symmetric), where it equals
    ``numpy.linalg.cond``. For any other matrix the ratio can be wildly optimistic (the shear
    ``[[1, 1000], [0, 1]]`` has ratio 1 and amplifies errors a million times), so a ``ValueError`` points to
    :func:`dlbook.linalg.svd_condition_number`, the singular-value ratio that is right for every matrix.
    """
    A = check_square(A, "A")
    if not is_normal(A):
        raise ValueError("A must be normal (AAᵀ = AᵀA, e.g. symmetric) for the eigenvalue ratio of eq. 4.2 to "
                         "measure conditioning; use dlbook.linalg.svd_condition_number(A), σ_max / σ_min")
    mags = np.abs(np.linalg.eigvals(A))
    smallest, largest = mags.min(), mags.max()
    if smallest <= np.finfo(float).tiny * max(largest, 1.0):
        return float("inf")
    return float(largest / smallest)


def second_derivative_test(H: Any, tol: float = 1e-10) -> str:
    """Classify a critical point from the Hessian's eigenvalues (§4.3.1).

    Returns ``"minimum"`` (all eigenvalues > tol), ``"maximum"`` (all < −tol),
    ``"saddle"`` (both signs present) or ``"inconclusive"`` (all non-zero ones share
    a sign but at least one is within ``tol`` of zero).
    """
    H = check_square(H, "H")
    if not np.allclose(H, H.T, atol=1e-8 * max(1.0, np.abs(H).max())):
        raise ValueError("H must be symmetric (a Hessian with continuous second derivatives is, eq. 4.7)")
    tol = check_positive(tol, "tol", allow_zero=True)
    lam = np.linalg.eigvalsh(H)
    pos, neg = np.any(lam > tol), np.any(lam < -tol)
    if pos and neg:
        return "saddle"
    if np.all(lam > tol):
        return "minimum"
    if np.all(lam < -tol):
        return "maximum"
    return "inconclusive"


def finite_difference(f: Callable[[np.ndarray], Any], x: Any, eps: float, kind: str = "centred",
                      dtype: Any = np.float64) -> np.ndarray:
    """Gradient of a scalar ``f`` by finite differences with step ``eps``, computed in ``dtype`` (§11.5).

    ``kind="forward"`` is eq. 11.6, ``(f(x + ε eᵢ) − f(x)) / ε``, with truncation error O(ε);
    ``kind="centred"`` is eq. 11.7, ``(f(x + ½ε eᵢ) − f(x − ½ε eᵢ)) / ε``, with truncation error O(ε²). Both also
    suffer rounding of order u·|f|/ε (u the unit roundoff of ``dtype``), so the total error is V-shaped in ε.
    """
    _check_callable(f, "f")
    if kind not in ("forward", "centred"):
        raise ValueError(f"kind must be 'forward' or 'centred'; got {kind!r}")
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    dtype = np.dtype(dtype).type
    x = as_array(x, "x", ndim=1).astype(dtype)
    eps = check_positive(eps, "eps")
    e_all = np.eye(x.size, dtype=dtype) * dtype(eps)
    step = dtype(eps)                   # the step actually representable in this precision
    if kind == "forward":
        f0 = dtype(f(x))
        return np.array([(dtype(f(x + e)) - f0) / step for e in e_all], dtype=dtype)
    return np.array([(dtype(f(x + e / 2)) - dtype(f(x - e / 2))) / step for e in e_all], dtype=dtype)


def gradient_check(f: Callable[[np.ndarray], Any], grad: Callable[[np.ndarray], Any], x: Any,
                   eps: float = 1e-6, seed: int = 0) -> float:
    """Relative error between an analytic gradient and a centred difference along a random direction (§11.5).

    With a random unit vector ``v``, the directional derivative ``vᵀ grad(x)`` is compared with
    ``(f(x + ½εv) − f(x − ½εv)) / ε``: one pair of function evaluations checks every coordinate at once, since a
    wrong coordinate would have to be cancelled exactly by the others. Returns
    ``|a − b| / max(|a|, |b|, 1e-300)``; in float64 a correct gradient typically gives 1e-6 or less, a wrong one
    a value of order 1e-2 or more.
    """
    _check_callable(f, "f")
    _check_callable(grad, "grad")
    x = as_array(x, "x", ndim=1)
    g = as_array(grad(x), "grad(x)", ndim=1)
    if g.shape != x.shape:
        raise ValueError(f"grad(x) must have the shape of x, {x.shape}; got {g.shape}")
    v = np.random.default_rng(seed).standard_normal(x.size)
    v /= np.linalg.norm(v)
    eps = check_positive(eps, "eps")
    numeric = (float(f(x + eps / 2 * v)) - float(f(x - eps / 2 * v))) / eps
    analytic = float(v @ g)
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-300)
