"""Performance metrics for a binary detector (Deep Learning book, §11.1).

Accuracy hides rare classes, so a detector is judged by **precision** (the fraction of its detections that are
right), **recall** (the fraction of true events it detects), their harmonic mean the **F-score** (eq. 11.1), the
**precision–recall curve** swept out by the decision threshold, and, for a system allowed to abstain,
**coverage** (the fraction of examples it answers) against the accuracy on the answered ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_positive

__all__ = ["binary_labels", "coverage_accuracy", "f_score", "pr_curve", "precision_recall_f1"]


def binary_labels(y: Any, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D integer array of 0s and 1s, or raise ``ValueError``."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of 0/1 labels; got shape {arr.shape}")
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} must contain only 0 and 1; got values {np.unique(arr)[:5]}")
    return arr.astype(int)


def f_score(p: float, r: float) -> float:
    """The F-score ``F = 2pr / (p + r)`` (§11.1, eq. 11.1), the harmonic mean of precision and recall; 0 if both are 0."""
    p, r = check_positive(p, "precision", allow_zero=True), check_positive(r, "recall", allow_zero=True)
    if p > 1 or r > 1:
        raise ValueError(f"precision and recall must lie in [0, 1]; got {p}, {r}")
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def precision_recall_f1(y_true: Any, y_pred: Any) -> tuple[float, float, float]:
    """Precision ``TP/(TP+FP)``, recall ``TP/(TP+FN)`` and F-score of 0/1 predictions (§11.1).

    A detector that never fires has precision 0 by convention (as in scikit-learn with ``zero_division=0``).
    """
    t, y = binary_labels(y_true, "y_true"), binary_labels(y_pred, "y_pred")
    if t.shape != y.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {t.size} and {y.size}")
    tp = int(np.sum((y == 1) & (t == 1)))
    p = tp / max(int(y.sum()), 1)
    r = tp / max(int(t.sum()), 1)
    return p, r, f_score(p, r)


def pr_curve(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The precision–recall curve: one point per distinct score used as threshold ``score >= τ`` (§11.1).

    Returns ``(precision, recall, thresholds)`` in scikit-learn's order: thresholds increasing, and a final point
    ``(precision 1, recall 0)`` with no threshold (the detector that never fires).
    """
    t = binary_labels(y_true, "y_true")
    s = as_array(scores, "scores", ndim=1)
    if s.shape != t.shape:
        raise ValueError(f"scores must have one entry per label; got {s.size} and {t.size}")
    if t.sum() == 0:
        raise ValueError("y_true has no positive example, so recall is undefined")
    order = np.argsort(-s, kind="mergesort")
    s, t = s[order], t[order]
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]     # last index of each run of equal scores
    tp = np.cumsum(t)[last]
    fp = (last + 1) - tp
    precision, recall = tp / (tp + fp), tp / t.sum()
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], s[last][::-1]


def coverage_accuracy(y_true: Any, proba: Any, confidence: float) -> tuple[float, float]:
    """Answer only when ``max(p, 1 − p) >= confidence``: returns (coverage, accuracy on the answered) (§11.1).

    The accuracy is 1.0 by convention when nothing is answered.
    """
    t = binary_labels(y_true, "y_true")
    p = as_array(proba, "proba", ndim=1)
    if p.shape != t.shape or np.any((p < 0) | (p > 1)):
        raise ValueError("proba must hold one probability in [0, 1] per label")
    c = check_positive(confidence, "confidence")
    if not 0.5 <= c <= 1:
        raise ValueError(f"confidence must lie in [0.5, 1]; got {c}")
    answered = np.maximum(p, 1 - p) >= c
    if not answered.any():
        return 0.0, 1.0
    return float(answered.mean()), float(np.mean((p[answered] >= 0.5) == t[answered]))
