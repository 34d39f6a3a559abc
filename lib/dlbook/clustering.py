"""k-means clustering from scratch (Deep Learning book, §5.8.2).

k-means alternates two steps until the assignments stop changing (Lloyd's algorithm):
assign each example to its nearest centroid, then move each centroid to the mean of the
examples assigned to it. Neither step can increase the within-cluster sum of squared
distances, so the algorithm always stops, though possibly at a local optimum that
depends on the initial centroids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook.checks import as_array, check_int
from dlbook.classifiers import squared_distances


@dataclass(frozen=True)
class KMeansResult:
    """Centroids ``(k, n)``, the cluster of each example, the objective after each iteration, and the iteration count."""

    centers: np.ndarray
    labels: np.ndarray
    inertia_history: np.ndarray
    n_iter: int

    @property
    def inertia(self) -> float:
        """The final within-cluster sum of squared distances ``Σᵢ ‖x⁽ⁱ⁾ − μ_{c(i)}‖²``."""
        return float(self.inertia_history[-1])


def _nearest(X: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, float]:
    d2 = squared_distances(X, centers)
    labels = np.argmin(d2, axis=1)
    return labels, float(d2[np.arange(len(X)), labels].sum())


def kmeans(X: np.ndarray, k: int, *, init: np.ndarray | None = None, max_iter: int = 100,
           seed: int = 0) -> KMeansResult:
    """Lloyd's k-means on the rows of ``X`` (§5.8.2).

    ``init`` gives the starting centroids (shape ``(k, n)``); without it ``k`` distinct
    examples are picked at random with ``seed``. A cluster that loses all its examples
    keeps its previous centroid.
    """
    X = as_array(X, "X", ndim=2)
    k = check_int(k, "k", low=1, high=X.shape[0])
    max_iter = check_int(max_iter, "max_iter", low=1)
    if init is None:
        centers = X[np.random.default_rng(seed).choice(X.shape[0], size=k, replace=False)].copy()
    else:
        centers = as_array(init, "init", ndim=2).copy()
        if centers.shape != (k, X.shape[1]):
            raise ValueError(f"init must have shape {(k, X.shape[1])}; got {centers.shape}")
    labels, _ = _nearest(X, centers)
    history = []
    for it in range(1, max_iter + 1):
        for j in range(k):  # update step: each centroid moves to the mean of its cluster
            members = labels == j
            if members.any():
                centers[j] = X[members].mean(axis=0)
        new_labels, inertia = _nearest(X, centers)  # assignment step
        history.append(inertia)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return KMeansResult(centers=centers, labels=labels, inertia_history=np.array(history), n_iter=it)
