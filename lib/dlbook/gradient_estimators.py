"""Back-propagation through random operations: gradient estimators for d/dμ E_{z~N(μ,σ²)}[f(z)] (§20.9).

Two ways to differentiate an expectation whose distribution depends on the parameter:

* **reparameterisation** (§20.9, eq. 20.55): write z = μ + σε with ε ~ N(0, 1), so the expectation is over ε alone and
  d/dμ E[f(z)] = E[f′(μ + σε)] (needs f differentiable);
* **REINFORCE**, the score-function estimator (§20.9.1, eqs. 20.59–20.60): d/dμ E[f(z)] = E[f(z) ∂/∂μ log p(z; μ)]
  = E[f(z)(z − μ)/σ²] (needs only values of f); subtracting a baseline b from f keeps it unbiased, because
  E[∂/∂μ log p] = 0, and can shrink its variance a lot (eqs. 20.63–20.68).

NumPy only (a demo uses it in the browser). Each function averages over the given standard-normal draws ``eps``,
so the estimators can be compared on the same noise.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive

__all__ = ["exact_gradient", "reinforce_gradient", "reparameterization_gradient"]

Fn = Callable[[np.ndarray], np.ndarray]


def _eps(eps: object, loo: bool = False) -> np.ndarray:
    e = as_array(eps, "eps", ndim=(1, 2), min_size=2 if loo else 1)
    if loo and e.shape[-1] < 2:
        raise ValueError(f"a leave-one-out baseline needs at least 2 draws per estimate; got {e.shape[-1]}")
    return e


def reparameterization_gradient(df: Fn, mu: float, sigma: float, eps: object) -> np.ndarray:
    """Mean of f′(μ + σε) over the last axis of ``eps``: the pathwise estimate of d/dμ E[f(z)] (§20.9, eq. 20.55)."""
    sigma = check_positive(sigma, "sigma")
    z = float(mu) + sigma * _eps(eps)
    return np.mean(df(z), axis=-1)


def reinforce_gradient(f: Fn, mu: float, sigma: float, eps: object, baseline: float | str | None = None) -> np.ndarray:
    """Mean of (f(z) − b)(z − μ)/σ² with z = μ + σε: the score-function estimate (§20.9.1, eqs. 20.60, 20.63).

    ``baseline`` is None (b = 0), a number, or ``"loo"``: for each draw, the mean of f over the *other* draws of the
    same estimate, which does not depend on that draw and so keeps the estimator exactly unbiased.
    """
    sigma = check_positive(sigma, "sigma")
    e = _eps(eps, loo=baseline == "loo")
    z = float(mu) + sigma * e
    fz = f(z)
    if baseline is None:
        b = 0.0
    elif isinstance(baseline, str):
        if baseline != "loo":
            raise ValueError(f"baseline must be None, a number or 'loo'; got {baseline!r}")
        n = e.shape[-1]
        b = (np.sum(fz, axis=-1, keepdims=True) - fz) / (n - 1)
    else:
        b = float(baseline)
    score = (z - float(mu)) / sigma**2            # ∂/∂μ log N(z; μ, σ²)
    return np.mean((fz - b) * score, axis=-1)


def exact_gradient(df: Fn, mu: float, sigma: float, nodes: int = 80) -> float:
    """d/dμ E[f(z)] = E[f′(z)] by Gauss–Hermite quadrature with ``nodes`` points (exact for polynomial f′ of degree
    < 2·nodes)."""
    sigma = check_positive(sigma, "sigma")
    nodes = check_int(nodes, "nodes", low=1, high=400)
    t, w = np.polynomial.hermite_e.hermegauss(nodes)   # weight exp(−t²/2)
    return float(np.sum(w * df(float(mu) + sigma * t)) / np.sqrt(2 * np.pi))
