"""Autoregressive densities: MADE's masks (Germain et al., 2015) and a 2-D affine autoregressive flow
(Rezende & Mohamed, 2015; the change of variables of §3.12, eq. 3.47).

Both rest on one fact: if output ``i`` depends only on inputs ``< i``, the model factorises as
``p(x) = prod_i p(x_i | x_<i)``, so it is normalised, and a flow built that way has a triangular Jacobian whose
determinant is the product of its diagonal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.prob import gaussian_logpdf


def made_degrees(n_inputs: int, hidden: list[int], rng: np.random.Generator) -> list[np.ndarray]:
    """Degrees ``m(k)``: inputs get ``1..D``; each hidden unit a random integer in ``[min of previous, D-1]``."""
    D = check_int(n_inputs, "n_inputs", low=2)
    degrees = [np.arange(1, D + 1)]
    for h in hidden:
        check_int(h, "hidden width", low=1)
        degrees.append(rng.integers(min(degrees[-1].min(), D - 1), D, size=h))
    return degrees


def made_masks(degrees: list[np.ndarray]) -> list[np.ndarray]:
    """Masks ``(out, in)`` per layer: hidden ``M[k, j] = m_l(k) >= m_{l-1}(j)``; output ``M[d, k] = d > m_L(k)``."""
    if len(degrees) < 2:
        raise ValueError("degrees must list the inputs' and at least one hidden layer's degrees")
    masks = [(d_out[:, None] >= d_in[None, :]).astype(float) for d_in, d_out in zip(degrees[:-1], degrees[1:])]
    masks.append((degrees[0][:, None] > degrees[-1][None, :]).astype(float))
    return masks


def connectivity(masks: list[np.ndarray]) -> np.ndarray:
    """``C[i, j] > 0`` iff some path joins input ``j`` to output ``i`` (the product of the masks)."""
    C = masks[0]
    for M in masks[1:]:
        C = M @ C
    return C


def is_autoregressive(C: Any, atol: float = 0.0) -> bool:
    """True if output ``i`` never depends on input ``j >= i``: the matrix is strictly lower triangular."""
    C = as_array(C, "C", ndim=2)
    return bool(np.all(np.abs(np.triu(C)) <= atol))


def affine_flow_shift_scale(y1: Any, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """The conditioner of the 2-D flow: shift ``m(y1) = strength * sin(2 y1)``, log-scale ``s(y1) = 0.4 tanh(y1)``."""
    y1 = as_array(y1, "y1")
    return strength * np.sin(2 * y1), 0.4 * np.tanh(y1)


def affine_flow_logpdf(y: Any, strength: float, log_det: bool = True) -> np.ndarray:
    """log density of ``y = (z1, z2 e^{s(z1)} + m(z1))`` with ``z ~ N(0, I)``.

    Inverse: ``z1 = y1``, ``z2 = (y2 - m(y1)) e^{-s(y1)}``; the Jacobian of the inverse is triangular with
    diagonal ``(1, e^{-s(y1)})``, so ``log p(y) = log N(z1) + log N(z2) - s(y1)``. ``log_det=False`` drops the
    ``-s(y1)`` term (the mistake the change of variables warns against): the result is then not normalised.
    """
    y = as_array(y, "y")
    if y.shape[-1] != 2:
        raise ValueError(f"y must have 2 coordinates in its last axis; got shape {y.shape}")
    m, s = affine_flow_shift_scale(y[..., 0], strength)
    z2 = (y[..., 1] - m) * np.exp(-s)
    return gaussian_logpdf(y[..., 0]) + gaussian_logpdf(z2) - (s if log_det else 0.0)


def grid_integral(logpdf: Any, spacing: float) -> float:
    """Riemann sum of ``exp(logpdf)`` over a regular 2-D grid with the given spacing."""
    return float(np.exp(as_array(logpdf, "logpdf", ndim=2)).sum() * check_positive(spacing, "spacing") ** 2)
