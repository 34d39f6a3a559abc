"""Differentiable generator networks in their simplest form: samples as transformations of noise (§20.10.2).

A generator maps noise z with a fixed, easy distribution to x = g(z). Two exact special cases:

* the affine map x = μ + Lz with z ~ N(0, I) and L the lower-triangular Cholesky factor of Σ = LLᵀ gives
  x ~ N(μ, Σ) (§20.10.2, eq. 20.71);
* an invertible, differentiable g in one dimension has the density p_x(x) = p_z(g⁻¹(x)) |d g⁻¹(x)/dx|
  (§20.10.2, eq. 20.73, the change of variables of §3.12).

NumPy only.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from dlbook.checks import as_array, check_square

__all__ = ["change_of_variables_density", "cholesky_sample"]


def cholesky_sample(mean: object, cov: object, z: object) -> np.ndarray:
    """Rows x = μ + L z for the rows z of ``z`` (standard-normal draws), with Σ = LLᵀ (§20.10.2, eq. 20.71)."""
    mean = as_array(mean, "mean", ndim=1)
    cov = check_square(cov, "cov")
    z = np.atleast_2d(as_array(z, "z", ndim=(1, 2)))
    d = mean.shape[0]
    if cov.shape != (d, d) or z.shape[1] != d:
        raise ValueError(f"mean has {d} entries, so cov must be ({d}, {d}) and z must have {d} columns; "
                         f"got cov {cov.shape} and z {z.shape}")
    if not np.allclose(cov, cov.T):
        raise ValueError("cov must be symmetric")
    try:
        L = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as err:
        raise ValueError("cov must be positive definite (its Cholesky factorisation failed)") from err
    return mean + z @ L.T


def change_of_variables_density(x: object, p_z: Callable[[np.ndarray], np.ndarray],
                                g_inv: Callable[[np.ndarray], np.ndarray],
                                dg_inv: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """p_x(x) = p_z(g⁻¹(x)) |d g⁻¹(x)/dx| for an invertible differentiable g in 1-D (§20.10.2, eq. 20.73)."""
    x = as_array(x, "x", ndim=1)
    return p_z(g_inv(x)) * np.abs(dg_inv(x))
