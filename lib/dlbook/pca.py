"""Principal components analysis from scratch (Deep Learning book, §2.12).

The encoder is ``f(x) = Dᵀ(x − μ)`` and the decoder ``g(c) = Dc + μ``, where the
columns of ``D`` are orthonormal. Minimising the total squared reconstruction
error over such ``D`` is the same as maximising ``Tr(Dᵀ XᵀX D)`` subject to
``DᵀD = I`` (eq. 2.84 is the case of one column), whose solution is the
eigenvectors of ``XᵀX`` with the largest eigenvalues. The book derives PCA for data whose mean is zero; we
subtract the mean first (as §5.8.1 does) so that the result holds for any data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_unit_vector
from dlbook.linalg import rotation


@dataclass(frozen=True)
class PCA:
    """A fitted PCA model.

    Attributes:
        mean: the data mean ``μ``, shape ``(n,)``.
        components: ``D``, shape ``(n, l)``; orthonormal columns, leading first.
        eigenvalues: every eigenvalue of the scatter matrix ``XᵀX`` of the
            centred data, shape ``(n,)``, in decreasing order.
    """

    mean: np.ndarray
    components: np.ndarray
    eigenvalues: np.ndarray

    @property
    def n_components(self) -> int:
        return self.components.shape[1]

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        """Fraction of the total scatter captured by each kept component."""
        total = self.eigenvalues.sum()
        kept = self.eigenvalues[: self.n_components]
        return kept / total if total > 0 else np.zeros_like(kept)


def fit_pca(X: np.ndarray, n_components: int) -> PCA:
    """Fit PCA with ``n_components`` components to the rows of ``X`` (§2.12, eq. 2.84 for l columns).

    Eigenvectors are defined only up to sign, so each component's sign is fixed to make its
    largest-magnitude entry positive. That pins the result down when the kept eigenvalues are distinct
    and no two entries of a component tie in magnitude; for a repeated eigenvalue any rotation of its
    eigenvectors is equally optimal and no sign rule can make the answer unique.
    """
    X = as_array(X, "X", ndim=2)
    m, n = X.shape
    if m < 2:
        raise ValueError(f"X must have at least 2 rows (examples); got shape {X.shape}")
    check_int(n_components, "n_components", low=1, high=n)
    mean = X.mean(axis=0)
    Xc = X - mean
    scatter = Xc.T @ Xc  # XᵀX of the centred data, symmetric positive semidefinite
    eigvals, eigvecs = np.linalg.eigh(scatter)  # ascending order
    order = np.argsort(eigvals)[::-1]
    eigvals = np.clip(eigvals[order], 0.0, None)  # round-off can make zeros slightly negative
    D = eigvecs[:, order[:n_components]]
    signs = np.sign(D[np.argmax(np.abs(D), axis=0), np.arange(n_components)])
    return PCA(mean=mean, components=D * signs, eigenvalues=eigvals)


def _check_dim(X: np.ndarray, name: str, width: int) -> np.ndarray:
    X = as_array(X, name, ndim=(1, 2))
    if X.shape[-1] != width:
        raise ValueError(f"{name} must have {width} columns; got shape {X.shape}")
    return X


def pca_encode(pca: PCA, X: np.ndarray) -> np.ndarray:
    """The code ``c = Dᵀ(x − μ)`` of each row of ``X`` (eq. 2.66, after centring)."""
    X = _check_dim(X, "X", pca.mean.shape[0])
    return (X - pca.mean) @ pca.components


def pca_decode(pca: PCA, C: np.ndarray) -> np.ndarray:
    """The reconstruction ``Dc + μ`` of each code row of ``C`` (eq. 2.67)."""
    C = _check_dim(C, "C", pca.n_components)
    return C @ pca.components.T + pca.mean


def reconstruction_error(pca: PCA, X: np.ndarray) -> float:
    """Total squared error ``Σᵢ ‖x⁽ⁱ⁾ − r(x⁽ⁱ⁾)‖²`` of reconstructing the rows of ``X``.

    On the data PCA was fitted to this equals the sum of the discarded
    eigenvalues of ``XᵀX``.
    """
    X = _check_dim(X, "X", pca.mean.shape[0])
    R = pca_decode(pca, pca_encode(pca, X))
    return float(np.sum((X - R) ** 2))


def direction_objective(X: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """For a single unit direction ``d``: (captured scatter ``dᵀXᵀXd``, reconstruction error).

    ``X`` is centred here. The two always add up to ``Tr(XᵀX)``, which is why
    maximising the first (eq. 2.84 with l = 1) minimises the second.
    """
    X = as_array(X, "X", ndim=2)
    d = check_unit_vector(d, X.shape[1], "d")
    Xc = X - X.mean(axis=0)
    captured = float(np.sum((Xc @ d) ** 2))
    error = float(np.sum((Xc - np.outer(Xc @ d, d)) ** 2))
    return captured, error


def _two_stds(std: Any) -> tuple[float, float]:
    arr = np.asarray(std, dtype=float) if np.size(std) == 2 else np.zeros(2)
    if not (np.all(np.isfinite(arr)) and np.all(arr > 0)):
        raise ValueError(f"std must be two positive numbers; got {std}")
    return float(arr[0]), float(arr[1])


def correlated_gaussian(m: int, angle_deg: float, std: tuple[float, float], seed: int = 0) -> np.ndarray:
    """``m`` samples of a 2-D Gaussian with standard deviations ``std`` along axes rotated by ``angle_deg``.

    The covariance is ``R diag(std²) Rᵀ`` with ``R`` the rotation by ``angle_deg``, so the first principal axis
    of the population is at ``angle_deg`` when ``std[0] > std[1]`` (the example data of §2.12's PCA).
    """
    m = check_int(m, "m", low=2)
    s1, s2 = _two_stds(std)
    R = rotation(angle_deg)
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((m, 2)) * [s1, s2]) @ R.T
