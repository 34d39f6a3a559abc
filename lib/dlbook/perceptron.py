"""The first learning machines: Rosenblatt's perceptron and Widrow and Hoff's ADALINE (Deep Learning book, §1.2.1).

Both compute a linear score ``z = wᵀx + b``. The perceptron predicts ``sign(z)`` and changes its weights only
when it makes a mistake, ``w ← w + ε y x`` for labels ``y ∈ {−1, +1}``. ADALINE (the LMS or Widrow–Hoff rule)
changes them after every example in proportion to the error of the score itself, ``w ← w + ε (y − z) x``, which is
stochastic gradient descent on the squared error. Novikoff's theorem bounds the perceptron's mistakes on separable
data by ``(R/γ)²``. Whether data are separable at all is a linear program:
:func:`dlbook.classifiers.linearly_separable`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, check_xy


def signed_labels(y: np.ndarray) -> np.ndarray:
    """Labels as ``±1``: ``{0, 1}`` becomes ``{−1, +1}``; ``{−1, +1}`` is returned unchanged (as float)."""
    y = as_array(y, "y", ndim=1)
    values = set(np.unique(y).tolist())
    if values <= {0.0, 1.0}:
        return 2.0 * y - 1.0
    if values <= {-1.0, 1.0}:
        return y
    raise ValueError(f"y must hold two classes coded 0/1 or -1/+1; got values {sorted(values)[:5]}")


@dataclass(frozen=True)
class LinearUnit:
    """A trained linear threshold unit ``sign(wᵀx + b)`` and how it got there.

    ``history`` holds ``(w, b)`` after each update (row 0 is the start, all zeros), ``updated`` the index of the
    example that caused each update, and ``epoch_mistakes`` the number of updates in each pass over the data.
    """

    weights: np.ndarray
    bias: float
    history: np.ndarray
    updated: np.ndarray
    epoch_mistakes: np.ndarray

    @property
    def mistakes(self) -> int:
        """Total number of updates (for the perceptron, the number of mistakes made during training)."""
        return int(self.epoch_mistakes.sum())

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``+1`` where ``wᵀx + b > 0``, ``−1`` elsewhere."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.weights.shape[0]:
            raise ValueError(f"X must have {self.weights.shape[0]} columns; got shape {X.shape}")
        return np.where(X @ self.weights + self.bias > 0, 1.0, -1.0)


def perceptron_fit(X: np.ndarray, y: np.ndarray, lr: float = 1.0, epochs: int = 100) -> LinearUnit:
    """Rosenblatt's perceptron rule (§1.2.1): visit the examples in order; on a mistake, ``y(wᵀx + b) ≤ 0``,
    move the weights towards the example, ``w ← w + ε y x`` and ``b ← b + ε y``.

    Training stops after a pass with no mistake (the data are then separated) or after ``epochs`` passes.
    ``y`` may be coded 0/1 or −1/+1.
    """
    X, y = check_xy(X, y)
    s = signed_labels(y)
    lr = check_positive(lr, "lr")
    epochs = check_int(epochs, "epochs", low=1)
    w, b = np.zeros(X.shape[1]), 0.0
    history, updated, per_epoch = [np.append(w, b)], [], []
    for _ in range(epochs):
        mistakes = 0
        for i in range(len(s)):
            if s[i] * (X[i] @ w + b) <= 0:          # wrong side of the boundary, or on it
                w, b = w + lr * s[i] * X[i], b + lr * s[i]
                history.append(np.append(w, b))
                updated.append(i)
                mistakes += 1
        per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return LinearUnit(w, float(b), np.array(history), np.array(updated, dtype=int), np.array(per_epoch, dtype=int))


def adaline_fit(X: np.ndarray, y: np.ndarray, lr: float = 0.01, epochs: int = 50) -> LinearUnit:
    """Widrow and Hoff's ADALINE, the LMS rule (§1.2.1): after every example, in order,
    ``w ← w + ε (y − wᵀx − b) x`` and ``b ← b + ε (y − wᵀx − b)``.

    Each step is a stochastic gradient step on ``½ (y − wᵀx − b)²``; with a small ``ε`` the weights settle near
    the least-squares solution. Targets ``y`` are real numbers (for classification, ``±1``).
    """
    X, y = check_xy(X, y)
    lr = check_positive(lr, "lr")
    epochs = check_int(epochs, "epochs", low=1)
    w, b = np.zeros(X.shape[1]), 0.0
    history = [np.append(w, b)]
    for _ in range(epochs):
        for i in range(len(y)):
            err = y[i] - (X[i] @ w + b)
            w, b = w + lr * err * X[i], b + lr * err
        history.append(np.append(w, b))
        if not np.all(np.abs(history[-1]) < 1e100):     # stop before the numbers overflow
            raise ValueError(f"ADALINE diverged with lr={lr}; use a step below 2 / max ||x||²")
    m = len(y)
    return LinearUnit(w, float(b), np.array(history), np.tile(np.arange(m), epochs), np.full(epochs, m))


def geometric_margin(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """``γ = minᵢ yᵢ (wᵀxᵢ + b) / ‖(w, b)‖``: the margin of the separator ``(w, b)`` in the space of the
    augmented inputs ``(x, 1)`` (negative if some example is misclassified)."""
    X, y = check_xy(X, y)
    s = signed_labels(y)
    w = as_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have {X.shape[1]} entries; got {w.shape[0]}")
    norm = np.sqrt(w @ w + float(b) ** 2)
    if norm == 0:
        raise ValueError("(w, b) must not be all zeros")
    return float(np.min(s * (X @ w + b)) / norm)


def novikoff_bound(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """Novikoff's bound ``(R/γ)²`` on the perceptron's mistakes (with a zero start), where ``R = maxᵢ ‖(xᵢ, 1)‖``
    and ``γ`` is the margin of any separator ``(w, b)`` (:func:`geometric_margin`). Any separator gives a valid
    bound; the one with the largest margin gives the tightest."""
    gamma = geometric_margin(X, y, w, b)
    if gamma <= 0:
        raise ValueError(f"(w, b) must separate the data (margin > 0); its margin is {gamma:.3g}")
    X = as_array(X, "X", ndim=2)
    R2 = float(np.max(np.sum(X**2, axis=1) + 1.0))
    return R2 / gamma**2
