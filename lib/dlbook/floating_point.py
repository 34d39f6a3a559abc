"""Floating-point pitfalls, kept as teaching objects (Deep Learning book, §4.1).

The functions here are DELIBERATELY UNSTABLE: they evaluate the textbook formulas
literally so that a chapter can show overflow and underflow happening. Never use them
for real work; the stable versions are :func:`dlbook.prob.softmax`,
:func:`dlbook.prob.log_softmax` and :func:`dlbook.prob.logsumexp`.
They never emit NumPy warnings: they return the honest ``nan``/``inf``/``0`` instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array

__all__ = ["float_limits", "naive_log_softmax", "naive_softmax"]


def naive_softmax(x: Any) -> np.ndarray:
    """``exp(xᵢ) / Σⱼ exp(xⱼ)`` evaluated literally (eq. 4.1). Deliberately unstable.

    For float64, ``exp`` overflows to ``inf`` once an entry exceeds about 709.8 (the
    result is then ``nan``), and every ``exp`` underflows to 0 once all entries are
    below about −745 (the result is ``0/0 = nan``). The sum can overflow first: for
    ``n`` entries all equal to ``c`` with ``log(max/n) < c < 709.8`` every ``exp`` is
    finite but their sum is ``inf``, and the result is a silent vector of zeros.
    """
    x = as_array(x, "x", ndim=1)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(x)
        return e / e.sum()


def naive_log_softmax(x: Any) -> np.ndarray:
    """``log(naive_softmax(x))``: the log of a softmax entry that underflowed is ``−inf`` (§4.1).

    Deliberately unstable: the stable form is ``x − logsumexp(x)``.
    """
    p = naive_softmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(p)


def float_limits(dtype: Any = np.float64) -> dict[str, float]:
    """The numbers that decide rounding, underflow and overflow for a float type (§4.1).

    ``eps`` (the gap between 1 and the next float), ``tiny`` (smallest normal
    positive number), ``max``, and the thresholds ``exp_overflow = log(max)`` above
    which ``exp`` overflows and ``exp_underflow = log(smallest subnormal / 2)`` below
    which it underflows to exactly zero (smaller results round to 0, not up to the
    smallest subnormal number).
    """
    try:
        info = np.finfo(dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"dtype must be a floating-point type such as np.float32; got {dtype!r}") from err
    smallest = float(info.smallest_subnormal)
    return {"eps": float(info.eps), "tiny": float(info.tiny), "max": float(info.max),
            "exp_overflow": float(np.log(np.float64(info.max))), "exp_underflow": float(np.log(smallest) - np.log(2.0))}
