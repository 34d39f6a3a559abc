"""Image preprocessing: global and local contrast normalisation and ZCA whitening (Deep Learning book, §12.2.1).

**Global contrast normalisation** (GCN, eq. 12.3) subtracts each image's mean and rescales it so its pixels have
standard deviation ``s``, regularised by ``λ`` and guarded by ``ε``. **Local contrast normalisation** (LCN) does the
same in every neighbourhood. **Whitening** (§12.2.1.1) rotates and rescales a data set so its covariance is the
identity; the ZCA version rotates back so the whitened data stay close to the originals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter

from dlbook.checks import as_array, check_positive

__all__ = ["global_contrast_normalize", "local_contrast_normalize", "zca_whiten"]


def global_contrast_normalize(X: Any, s: float = 1.0, lam: float = 0.0, eps: float = 1e-8) -> np.ndarray:
    """GCN of each row of ``X`` (§12.2.1.1, eq. 12.3):
    ``x' = s (x − x̄) / max(ε, sqrt(λ + mean((x − x̄)²)))``.

    With ``λ = 0`` every row that is not constant lands on the sphere of radius ``s·√D`` about the origin.
    """
    X = as_array(X, "X", ndim=2)
    s = check_positive(s, "s")
    lam = check_positive(lam, "lam", allow_zero=True)
    eps = check_positive(eps, "eps", allow_zero=True)
    centred = X - X.mean(axis=1, keepdims=True)
    contrast = np.sqrt(lam + np.mean(centred**2, axis=1, keepdims=True))
    return s * centred / np.maximum(eps, contrast)


def local_contrast_normalize(image: Any, sigma: float = 2.0, eps: float = 1e-2) -> np.ndarray:
    """LCN of a 2-D image (§12.2.1.1): subtract a Gaussian-weighted local mean and divide by the local standard
    deviation ``max(ε, sqrt(G * (x − m)²))``, so every neighbourhood gets comparable contrast."""
    img = as_array(image, "image", ndim=2)
    sigma, eps = check_positive(sigma, "sigma"), check_positive(eps, "eps")
    centred = img - gaussian_filter(img, sigma, mode="reflect")
    local_std = np.sqrt(gaussian_filter(centred**2, sigma, mode="reflect"))
    return centred / np.maximum(eps, local_std)


def zca_whiten(X: Any, eps: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """ZCA whitening (§12.2.1.1): ``W = U diag(1/sqrt(λ + ε)) Uᵀ`` from the covariance ``Σ = U diag(λ) Uᵀ``.

    Returns the whitened data ``(X − μ) W`` and ``W`` (symmetric). With ``ε = 0`` the whitened covariance is exactly
    the identity (when Σ is invertible); ``ε > 0`` damps the directions of tiny variance, which are mostly noise.
    """
    X = as_array(X, "X", ndim=2)
    eps = check_positive(eps, "eps", allow_zero=True)
    if X.shape[0] < 2:
        raise ValueError(f"zca_whiten needs at least 2 rows (examples); got {X.shape[0]}")
    centred = X - X.mean(axis=0)
    lam, U = np.linalg.eigh(centred.T @ centred / (X.shape[0] - 1))
    if eps == 0 and lam.min() <= 1e-12 * max(lam.max(), 1e-300):
        raise ValueError("the covariance is singular: pass eps > 0 to whiten it")
    W = (U / np.sqrt(np.maximum(lam, 0) + eps)) @ U.T
    return centred @ W, W
