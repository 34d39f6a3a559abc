"""Grid search and random search over hyperparameters (Deep Learning book, §11.4.3–11.4.4, fig. 11.2).

A **grid** tries every combination of a few values per hyperparameter; **random search** draws each
hyperparameter independently, a scale parameter such as the learning rate *log-uniformly* (the exponential of a
uniform draw of its logarithm). When only one hyperparameter matters, ``n`` random trials try ``n`` distinct values
of it while a grid of the same budget tries only ``n^(1/k)``.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Sequence

import numpy as np

from dlbook.checks import check_int, check_positive

__all__ = ["grid_points", "log_uniform", "random_points", "search"]


def grid_points(space: dict[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the listed values, the last hyperparameter varying fastest (§11.4.3)."""
    if not space or any(len(v) == 0 for v in space.values()):
        raise ValueError("space must map each hyperparameter name to a non-empty list of values")
    names = sorted(space)
    return [dict(zip(names, combo)) for combo in itertools.product(*(space[n] for n in names))]


def log_uniform(low: float, high: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """``exp(u)`` with ``u ~ Uniform(log low, log high)``: equal mass on each decade (§11.4.4)."""
    low, high = check_positive(low, "low"), check_positive(high, "high")
    if not low < high:
        raise ValueError(f"log_uniform needs 0 < low < high; got {low}, {high}")
    return np.exp(rng.uniform(np.log(low), np.log(high), size=check_int(size, "size", low=0)))


def random_points(space: dict[str, Any], n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """``n`` independent draws: a list is sampled uniformly; ``("log", low, high)`` or ``("uniform", low, high)`` is a
    continuous range (§11.4.4)."""
    n = check_int(n, "n", low=0)
    if not space:
        raise ValueError("space must map at least one hyperparameter name to values or a range")
    draws: dict[str, Any] = {}
    for name in sorted(space):
        spec = space[name]
        if isinstance(spec, tuple) and len(spec) == 3 and spec[0] in ("log", "uniform"):
            kind, low, high = spec
            draws[name] = (log_uniform(low, high, n, rng) if kind == "log" else rng.uniform(low, high, n)).tolist()
        elif isinstance(spec, (list, np.ndarray)) and len(spec) > 0:
            draws[name] = [spec[i] for i in rng.integers(0, len(spec), n)]
        else:
            raise ValueError(f"space[{name!r}] must be a non-empty list or ('log'|'uniform', low, high); got {spec!r}")
    return [{k: draws[k][i] for k in draws} for i in range(n)]


def search(objective: Callable[..., float], points: list[dict[str, Any]]) -> tuple[dict[str, Any], list[float]]:
    """Evaluate ``objective(**point)`` at each point; return the best (lowest) point and every value."""
    if not points:
        raise ValueError("search needs at least one point")
    values = [float(objective(**p)) for p in points]
    return points[int(np.argmin(values))], values
