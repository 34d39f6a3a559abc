"""Linear algebra from scratch: norms, the SVD, the pseudoinverse and friends (Deep Learning book, §2.5–2.11).

Everything here is written for reading: short functions built on NumPy's array
arithmetic, each one tested against ``numpy.linalg`` in ``tests/test_linalg.py``.
The SVD is computed with one-sided Jacobi rotations (Hestenes' method;
Golub & Van Loan, *Matrix Computations*, §8.6), which keeps small singular values accurate, so the
pseudoinverse and the rank built on it behave well on rank-deficient matrices.
"""

from __future__ import annotations

import warnings

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, check_square

_EPS = np.finfo(np.float64).eps


def lp_norm(x: np.ndarray, p: float = 2.0) -> float:
    """The :math:`L^p` norm ``(Σᵢ |xᵢ|ᵖ)^(1/p)`` of a vector, for ``p >= 1`` or ``p = inf`` (§2.5, eq. 2.30-2.32).

    ``p = inf`` gives the max norm ``maxᵢ |xᵢ|``. The vector is divided by its
    largest magnitude before raising to the power ``p``, so the result stays
    finite for entries as large as 1e300 or as small as 1e-300.
    """
    x = as_array(x, "x", ndim=1)
    p = float(p)
    if not (p >= 1.0):  # also rejects NaN
        raise ValueError(f"p must be >= 1 (or inf) for a norm; got {p}")
    a = np.abs(x)
    scale = a.max()
    if scale == 0.0:
        return 0.0
    if np.isinf(p):
        return float(scale)
    return float(scale * np.sum((a / scale) ** p) ** (1.0 / p))


def frobenius_norm(A: np.ndarray) -> float:
    """The Frobenius norm ``sqrt(Σᵢⱼ Aᵢⱼ²) = sqrt(Tr(AᵀA))`` of a matrix (§2.5, eq. 2.33; §2.10, eq. 2.49)."""
    A = as_array(A, "A", ndim=2)
    return lp_norm(A.ravel(), 2.0)


def svd(A: np.ndarray, max_sweeps: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin singular value decomposition ``A = U diag(s) Vᵀ`` by one-sided Jacobi rotations (§2.8, eq. 2.43).

    Returns ``(U, s, Vt)`` like ``numpy.linalg.svd(A, full_matrices=False)``:
    for ``A`` of shape ``(m, n)`` and ``k = min(m, n)``, ``U`` is ``(m, k)`` with
    orthonormal columns, ``s`` holds the ``k`` singular values in decreasing
    order and ``Vt`` is ``(k, n)`` with orthonormal rows.

    The method rotates pairs of columns of ``W = A V`` until every pair is
    orthogonal; then the column lengths are the singular values, the
    normalised columns are the left-singular vectors and the accumulated
    rotations ``V`` are the right-singular vectors. Columns with a zero
    singular value are completed to an orthonormal set with a QR step.
    Each singular vector is defined up to sign; the signs here may differ
    from NumPy's. Warns (``RuntimeWarning``) if ``max_sweeps`` pass before every pair is orthogonal.
    """
    A = as_array(A, "A", ndim=2)
    max_sweeps = check_int(max_sweeps, "max_sweeps", low=1)
    m, n = A.shape
    if m < n:  # work on the tall transpose: Aᵀ = V diag(s) Uᵀ
        U, s, Vt = svd(A.T, max_sweeps)
        return Vt.T, s, U.T
    scale = np.abs(A).max()
    if scale == 0.0:
        return np.eye(m, n), np.zeros(n), np.eye(n)
    W = A / scale  # unit scale: no overflow when squaring entries
    V = np.eye(n)
    for _ in range(max_sweeps):
        rotated = False
        for i in range(n - 1):
            for j in range(i + 1, n):
                alpha, beta = W[:, i] @ W[:, i], W[:, j] @ W[:, j]
                gamma = W[:, i] @ W[:, j]
                if abs(gamma) <= _EPS * np.sqrt(alpha * beta) or gamma == 0.0:
                    continue
                with np.errstate(over="ignore"):
                    zeta = (beta - alpha) / (2.0 * gamma)
                if not np.isfinite(zeta):  # γ is negligible next to β − α: the rotation is the identity
                    continue
                rotated = True
                t = (1.0 if zeta >= 0 else -1.0) / (abs(zeta) + np.hypot(1.0, zeta))  # hypot: no overflow
                c = 1.0 / np.sqrt(1.0 + t * t)
                sn = c * t
                for M in (W, V):
                    mi, mj = M[:, i].copy(), M[:, j]
                    M[:, i] = c * mi - sn * mj
                    M[:, j] = sn * mi + c * mj
        if not rotated:
            break
    else:
        warnings.warn(f"svd: the Jacobi sweeps did not converge within max_sweeps={max_sweeps}; the columns of U "
                      "may not be orthogonal (pass a larger max_sweeps)", RuntimeWarning, stacklevel=2)
    s = np.sqrt(np.einsum("ij,ij->j", W, W))
    order = np.argsort(-s, kind="stable")
    s, W, V = s[order], W[:, order], V[:, order]
    r = int(np.sum(s > s[0] * max(m, n) * _EPS)) if s[0] > 0 else 0
    U = np.empty((m, n))
    U[:, :r] = W[:, :r] / s[:r]
    if r < n:  # complete the left-singular vectors of the zero singular values
        Q, _ = np.linalg.qr(np.hstack([U[:, :r], np.eye(m)]))
        U[:, r:] = Q[:, r:n]
    return U, s * scale, V.T


def matrix_rank(A: np.ndarray, rtol: float | None = None) -> int:
    """The number of singular values above ``rtol · s_max`` (§2.4: the dimension of the column space).

    The default ``rtol`` is ``max(m, n) · ε``, as in ``numpy.linalg.matrix_rank``.
    """
    A = as_array(A, "A", ndim=2)
    rtol = max(A.shape) * _EPS if rtol is None else check_positive(rtol, "rtol")
    s = svd(A)[1]
    return int(np.sum(s > rtol * s[0])) if s[0] > 0 else 0


def pinv(A: np.ndarray, rtol: float | None = None) -> np.ndarray:
    """The Moore–Penrose pseudoinverse ``A⁺ = V D⁺ Uᵀ`` (§2.9, eq. 2.47).

    ``D⁺`` takes the reciprocal of each singular value above ``rtol · s_max``
    and zero for the rest (those are zero up to round-off); the default
    ``rtol`` is ``max(m, n) · ε``. For a tall ``A``, ``x = A⁺y`` minimises
    ``‖Ax − y‖₂``; for a wide ``A`` it is the solution of ``Ax = y`` with the
    smallest ``‖x‖₂``.
    """
    A = as_array(A, "A", ndim=2)
    rtol = max(A.shape) * _EPS if rtol is None else check_positive(rtol, "rtol")
    U, s, Vt = svd(A)
    keep = s > rtol * s[0] if s[0] > 0 else np.zeros_like(s, dtype=bool)
    s_plus = np.zeros_like(s)
    s_plus[keep] = 1.0 / s[keep]
    return (Vt.T * s_plus) @ U.T


def low_rank_approximation(A: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """The best rank-``k`` approximation of ``A`` and its Frobenius error (§2.8; Eckart–Young).

    Keeping the ``k`` largest singular values gives ``A_k = U_k diag(s_k) V_kᵀ``;
    no matrix of rank ``k`` is closer to ``A`` in Frobenius norm
    (Eckart & Young, 1936), and the error is ``sqrt(Σ_{i>k} sᵢ²)``.
    """
    A = as_array(A, "A", ndim=2)
    k = check_int(k, "k", low=0, high=min(A.shape))
    U, s, Vt = svd(A)
    A_k = (U[:, :k] * s[:k]) @ Vt[:k]
    return A_k, lp_norm(s[k:], 2.0) if k < s.size else 0.0


def determinant(A: np.ndarray) -> float:
    """The determinant as the product of the eigenvalues (§2.11).

    A real matrix's complex eigenvalues come in conjugate pairs, so the
    product is real up to round-off; its real part is returned. Its magnitude
    equals the product of the singular values, the factor by which ``A``
    scales volume. (LU, as in ``numpy.linalg.det``, is more accurate; this
    version is written to match the definition.)
    """
    A = check_square(A, "A")
    return float(np.real(np.prod(np.linalg.eigvals(A))))


def svd_condition_number(A: np.ndarray) -> float:
    """The 2-norm condition number ``s_max / s_min`` from the singular values (§4.2); ``inf`` if singular.

    This is the largest factor by which solving ``Ax = b`` can amplify a relative error in ``b``, for any
    square matrix. For a normal matrix (e.g. a symmetric one) it equals the eigenvalue ratio of eq. 4.2
    (:func:`dlbook.calculus.condition_number`); for others the two differ: the shear
    ``[[1, 1000], [0, 1]]`` has eigenvalue ratio 1 but condition number about 1e6.
    """
    A = as_array(A, "A", ndim=2)
    s = svd(A)[1]
    return float(s[0] / s[-1]) if s[-1] > 0 else float("inf")


def is_normal(A: np.ndarray, rtol: float = 1e-10) -> bool:
    """Whether ``AAᵀ = AᵀA`` (to ``rtol · ‖A‖²``): symmetric, skew-symmetric and orthogonal matrices are normal.

    A normal matrix has orthonormal (complex) eigenvectors, so its singular values are the magnitudes of its
    eigenvalues (§2.7–2.8).
    """
    A = check_square(A, "A")
    scale = max(float(np.abs(A).max()) ** 2, np.finfo(float).tiny)
    return bool(np.abs(A @ A.T - A.T @ A).max() <= check_positive(rtol, "rtol") * scale)


def rotation(angle_deg: float) -> np.ndarray:
    """The 2×2 rotation ``[[cos t, −sin t], [sin t, cos t]]`` by ``angle_deg`` degrees (§2.6: an orthogonal matrix)."""
    t = np.deg2rad(float(as_array(angle_deg, "angle_deg", ndim=0)))
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def definiteness(A: np.ndarray, atol: float = 1e-10) -> str:
    """Classify a symmetric matrix by the signs of its eigenvalues (§2.7).

    Returns one of ``"positive definite"``, ``"positive semidefinite"``,
    ``"negative definite"``, ``"negative semidefinite"`` or ``"indefinite"``.
    Eigenvalues within ``atol · max|λ|`` of zero count as zero.
    """
    A = check_square(A, "A")
    if not np.allclose(A, A.T, atol=1e-12 * max(1.0, np.abs(A).max())):
        raise ValueError("A must be symmetric (A == Aᵀ) to classify its definiteness")
    lam = np.linalg.eigvalsh(A)
    tol = check_positive(atol, "atol") * max(np.abs(lam).max(), np.finfo(float).tiny)
    pos, neg = np.any(lam > tol), np.any(lam < -tol)
    zero = np.any(np.abs(lam) <= tol)
    if pos and neg:
        return "indefinite"
    if pos:
        return "positive semidefinite" if zero else "positive definite"
    if neg:
        return "negative semidefinite" if zero else "negative definite"
    return "positive semidefinite"  # the zero matrix: every eigenvalue is 0

