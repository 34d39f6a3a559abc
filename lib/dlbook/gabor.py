"""Gabor functions, the classic model of V1 simple cells, and the complex cells that pool them (§9.10).

NumPy only (the demos use it in the browser).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive


def gabor(x: Any, y: Any, alpha: float = 1.0, beta_x: float = 0.1, beta_y: float = 0.1, f: float = 1.0,
          phi: float = 0.0, x0: float = 0.0, y0: float = 0.0, tau: float = 0.0) -> np.ndarray:
    """The Gabor function of eqs. 9.16–9.18 evaluated at the points (x, y).

    w(x, y) = α exp(−β_x x′² − β_y y′²) cos(f x′ + φ), with (x′, y′) the point relative to the centre (x0, y0)
    rotated by −τ: x′ = (x − x0) cos τ + (y − y0) sin τ, y′ = −(x − x0) sin τ + (y − y0) cos τ.
    A Gaussian envelope (widths set by β) times a cosine grating of angular frequency f along x′.
    """
    x, y = as_array(x, "x"), as_array(y, "y")
    beta_x, beta_y = check_positive(beta_x, "beta_x"), check_positive(beta_y, "beta_y")
    xr = (x - x0) * np.cos(tau) + (y - y0) * np.sin(tau)
    yr = -(x - x0) * np.sin(tau) + (y - y0) * np.cos(tau)
    return alpha * np.exp(-beta_x * xr ** 2 - beta_y * yr ** 2) * np.cos(f * xr + phi)


def gabor_kernel(size: int, **params: float) -> np.ndarray:
    """A ``size × size`` Gabor kernel on the integer grid centred on the middle pixel (x to the right, y down).

    Keyword arguments are those of :func:`gabor` (alpha, beta_x, beta_y, f, phi, tau; x0 and y0 shift the centre).
    """
    size = check_int(size, "size", low=1)
    c = np.arange(size) - (size - 1) / 2
    X, Y = np.meshgrid(c, c)
    return gabor(X, Y, **params)


def grating(size: int, f: float, tau: float = 0.0, phase: float = 0.0) -> np.ndarray:
    """A ``size × size`` sinusoidal grating cos(f x′ + phase), with x′ the coordinate along direction τ."""
    size = check_int(size, "size", low=1)
    c = np.arange(size) - (size - 1) / 2
    X, Y = np.meshgrid(c, c)
    return np.cos(f * (X * np.cos(tau) + Y * np.sin(tau)) + phase)


def simple_cell(image: Any, kernel: Any) -> float:
    """A linear simple cell: the image weighted by its receptive field, s = Σ w(x, y) I(x, y) (§9.10)."""
    image, kernel = as_array(image, "image", ndim=2), as_array(kernel, "kernel", ndim=2)
    if image.shape != kernel.shape:
        raise ValueError(f"image {image.shape} and receptive field {kernel.shape} must have the same shape")
    return float(np.sum(image * kernel))


def complex_cell(image: Any, size: int, **params: float) -> float:
    """A complex cell: the L² norm of two simple cells whose Gabors differ in phase by π/2 (§9.10).

    c = √(s₀² + s₁²). For a grating at the preferred frequency the pair acts nearly like cosine and sine of the
    grating's phase, so c barely depends on it (exactly only in the limit of many periods under the envelope, where
    the envelope's leak at frequency 2f vanishes): L² pooling gives invariance to small shifts.
    """
    phi = params.pop("phi", 0.0)
    s0 = simple_cell(image, gabor_kernel(size, phi=phi, **params))
    s1 = simple_cell(image, gabor_kernel(size, phi=phi + np.pi / 2, **params))
    return float(np.hypot(s0, s1))
