"""Representation learning: counting regions of distributed codes, few-label and transfer helpers (chapter 15).

NumPy and SciPy only, so the chapter's demos can use it in the browser. ``n`` linear threshold features
``1[wᵢᵀx + bᵢ > 0]`` on ``ℝᵈ`` split space into cells with distinct binary codes; for hyperplanes in general
position there are ``Σ_{j≤d} C(n, j)`` of them (§15.4, eq. 15.4; Zaslavsky 1975), against one region per
example for a nearest-neighbour partition.
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
from scipy.optimize import linprog

from dlbook.checks import as_array, check_int, check_positive


def zaslavsky_regions(n: int, d: int) -> int:
    """``Σ_{j=0}^{d} C(n, j)``: regions cut from ``ℝᵈ`` by ``n`` hyperplanes in general position (eq. 15.4)."""
    n = check_int(n, "n", low=0)
    d = check_int(d, "d", low=1)
    return sum(comb(n, j) for j in range(min(n, d) + 1))


def random_hyperplanes(n: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random hyperplanes ``wᵢᵀx + bᵢ = 0`` in ``ℝᵈ`` (Gaussian ``W``, ``b``): in general position with
    probability one."""
    n = check_int(n, "n", low=1)
    d = check_int(d, "d", low=1)
    return rng.standard_normal((n, d)), rng.standard_normal(n)


def _check_arrangement(W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=1)
    if W.shape[0] != b.shape[0]:
        raise ValueError(f"W and b must have one row/entry per hyperplane; got {W.shape[0]} and {b.shape[0]}")
    if np.any(np.linalg.norm(W, axis=1) == 0):
        raise ValueError("every row of W must be non-zero (a hyperplane needs a normal vector)")
    return W, b


def sign_codes(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The binary code ``1[Wx + b > 0]`` of each row of ``X``: the distributed representation of §15.4."""
    W, b = _check_arrangement(W, b)
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have {W.shape[1]} columns (the dimension of W); got {X.shape[1]}")
    return (X @ W.T + b > 0).astype(np.int8)


def count_codes(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> int:
    """How many distinct codes the points ``X`` receive: a lower bound on the number of regions."""
    return int(len(np.unique(sign_codes(W, b, X), axis=0)))


def probe_points(W: np.ndarray, b: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Points next to every vertex of the arrangement, one in each cell that meets it.

    For each set ``S`` of ``min(n, d)`` hyperplanes, ``x₀`` solves ``W_S x = −b_S`` and the probes are
    ``x₀ + ε W_S⁺ s`` for every ``s ∈ {±1}^|S|``. In general position every cell has such a vertex on its
    boundary, so the probes' distinct codes count the cells exactly (for small enough ``eps``).
    """
    W, b = _check_arrangement(W, b)
    check_positive(eps, "eps")
    n, d = W.shape
    k = min(n, d)
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=k)))
    points = []
    for S in itertools.combinations(range(n), k):
        Ws, bs = W[list(S)], b[list(S)]
        pinv = np.linalg.pinv(Ws)
        points.append(-pinv @ bs + eps * signs @ pinv.T)
    return np.concatenate(points)


def count_regions(W: np.ndarray, b: np.ndarray) -> int:
    """Regions of an arrangement in general position, counted as the distinct codes of :func:`probe_points`."""
    return count_codes(W, b, probe_points(W, b))


def count_regions_lp(W: np.ndarray, b: np.ndarray, max_planes: int = 12) -> int:
    """Brute force: try all ``2ⁿ`` codes ``s`` and keep those with a point strictly inside, i.e. a positive
    optimum of ``max t`` subject to ``sᵢ(wᵢᵀx + bᵢ) ≥ t``, ``t ≤ 1`` (one linear programme per code)."""
    W, b = _check_arrangement(W, b)
    n, d = W.shape
    check_int(n, "number of hyperplanes", low=1, high=max_planes)
    cost = np.zeros(d + 1)
    cost[-1] = -1.0  # maximise t
    bounds = [(None, None)] * d + [(None, 1.0)]
    count = 0
    for s in itertools.product((-1.0, 1.0), repeat=n):
        s = np.array(s)
        # -sᵢ wᵢᵀx + t ≤ sᵢ bᵢ
        A = np.hstack([-s[:, None] * W, np.ones((n, 1))])
        res = linprog(cost, A_ub=A, b_ub=s * b, bounds=bounds, method="highs")
        count += int(res.status == 0 and -res.fun > 1e-9)
    return count


def few_label_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` examples drawn at random from each class present in ``labels``."""
    labels = np.asarray(labels)
    per_class = check_int(per_class, "per_class", low=1)
    classes, counts = np.unique(labels, return_counts=True)
    if counts.min() < per_class:
        raise ValueError(f"per_class must be at most the smallest class size {counts.min()}; got {per_class}")
    return np.concatenate([rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in classes])


def nearest_mean_predict(F_train: np.ndarray, y_train: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Label each row of ``F`` with the class whose mean training feature vector is nearest (Euclidean)."""
    F_train = as_array(F_train, "F_train", ndim=2)
    F = as_array(F, "F", ndim=2)
    y_train = np.asarray(y_train)
    if F.shape[1] != F_train.shape[1] or len(y_train) != len(F_train):
        raise ValueError(f"shapes disagree: F_train {F_train.shape}, y_train {y_train.shape}, F {F.shape}")
    classes = np.unique(y_train)
    means = np.stack([F_train[y_train == c].mean(axis=0) for c in classes])
    d2 = (F**2).sum(1)[:, None] - 2 * F @ means.T + (means**2).sum(1)[None, :]
    return classes[np.argmin(d2, axis=1)]
