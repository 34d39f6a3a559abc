"""Feedback alignment: learning with a fixed random matrix in place of the transposed weights (Lillicrap et al.,
2014), for a one-hidden-layer tanh network with a softmax output (back-propagation itself: §6.5).

Back-propagation sends the output error ``e`` back as ``W2^T e``; feedback alignment sends ``B e`` with a fixed
random ``B``. The forward weights then come to *align* with ``B^T``, so ``B e`` points within 90° of ``W2^T e``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, class_labels
from dlbook.prob import softmax


def hidden_error(e: Any, W2: Any, B: Any | None = None) -> np.ndarray:
    """The signal each hidden unit receives: ``e W2`` (back-propagation) or ``e B^T`` (feedback alignment).

    Rows of ``e`` are examples; ``W2`` is ``(classes, hidden)`` and ``B`` has the shape of ``W2^T``.
    """
    e = as_array(e, "e", ndim=2)
    return e @ as_array(W2, "W2", ndim=2) if B is None else e @ as_array(B, "B", ndim=2).T


def gradients(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray,
              B: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Updates for the mean cross-entropy; with ``B=None`` they are its exact gradients."""
    h = np.tanh(X @ params["W1"].T + params["b1"])
    e = softmax(h @ params["W2"].T + params["b2"], axis=1)
    e[np.arange(len(y)), y] -= 1.0
    e /= len(y)
    d = hidden_error(e, params["W2"], B) * (1 - h ** 2)
    return {"W1": d.T @ X, "b1": d.sum(0), "W2": e.T @ h, "b2": e.sum(0)}


def angle_degrees(a: Any, b: Any) -> float:
    """The angle between two arrays seen as vectors, in degrees."""
    a, b = as_array(a, "a").ravel(), as_array(b, "b").ravel()
    cos = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def train_feedback_alignment(X: Any, labels: Any, hidden: int, steps: int, lr: float, feedback: bool, seed: int = 0,
          X_test: Any = None, y_test: Any = None) -> dict[str, Any]:
    """Full-batch gradient steps with back-propagation (``feedback=False``) or a fixed random ``B``.

    Returns the weights and, per step, the test accuracy and the angle between ``W2^T`` and ``B`` (for
    back-propagation the angle to the same random ``B``, which stays near 90°).
    """
    X = as_array(X, "X", ndim=2)
    k = int(np.max(labels)) + 1
    y = class_labels(labels, k, shape=len(X))
    rng = np.random.default_rng(seed)
    steps, hidden, lr = check_int(steps, "steps", low=1), check_int(hidden, "hidden", low=1), check_positive(lr, "lr")
    p = {"W1": rng.normal(0, 1 / np.sqrt(X.shape[1]), (hidden, X.shape[1])), "b1": np.zeros(hidden),
         "W2": rng.normal(0, 1 / np.sqrt(hidden), (k, hidden)), "b2": np.zeros(k)}
    B = rng.normal(0, 1 / np.sqrt(k), (hidden, k))
    Xt, yt = (X, y) if X_test is None else (as_array(X_test, "X_test", ndim=2), np.asarray(y_test))
    accuracy, angle = [], []
    for _ in range(steps):
        g = gradients(p, X, y, B if feedback else None)
        for name in p:
            p[name] -= lr * g[name]
        accuracy.append(float(np.mean(predict(p, Xt) == yt)))
        angle.append(angle_degrees(p["W2"].T, B))
    return {"params": p, "B": B, "accuracy": np.array(accuracy), "angle": np.array(angle)}


def predict(params: dict[str, np.ndarray], X: Any) -> np.ndarray:
    """Class predictions of the network."""
    h = np.tanh(as_array(X, "X", ndim=2) @ params["W1"].T + params["b1"])
    return np.argmax(h @ params["W2"].T + params["b2"], axis=1)
