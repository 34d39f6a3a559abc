"""Calibration of a classifier's confidence and temperature scaling (Guo et al., 2017; §5.5 for the likelihood).

A classifier is *calibrated* when, among the inputs it labels with confidence about ``c``, a share about ``c`` is
right. :func:`expected_calibration_error` measures the gap by binning the confidences; :func:`fit_temperature`
finds the single temperature ``T`` that minimises the validation negative log-likelihood of ``softmax(z / T)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, class_labels
from dlbook.prob import log_softmax, softmax


def _logits_and_labels(logits: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    z = as_array(logits, "logits", ndim=2)
    return z, class_labels(labels, z.shape[1], shape=z.shape[0])


def reliability_bins(probs: Any, labels: Any, bins: int = 10) -> dict[str, np.ndarray]:
    """Per confidence bin ``[k/bins, (k+1)/bins)``: the count, the mean confidence and the accuracy (NaN if empty)."""
    p = as_array(probs, "probs", ndim=2)
    y = class_labels(labels, p.shape[1], shape=p.shape[0])
    bins = check_int(bins, "bins", low=1)
    confidence, correct = p.max(axis=1), (p.argmax(axis=1) == y).astype(float)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, confidence, minlength=bins) / count
        accuracy = np.bincount(which, correct, minlength=bins) / count
    return {"count": count, "confidence": mean_conf, "accuracy": accuracy}


def expected_calibration_error(probs: Any, labels: Any, bins: int = 10) -> float:
    """ECE = sum over bins of (n_b / n) |accuracy_b - confidence_b| (Guo et al., 2017, eq. 3)."""
    r = reliability_bins(probs, labels, bins)
    full = r["count"] > 0
    return float(np.sum(r["count"][full] * np.abs(r["accuracy"][full] - r["confidence"][full])) / r["count"].sum())


def temperature_nll(logits: Any, labels: Any, temperature: float) -> float:
    """Mean negative log-likelihood of the labels under ``softmax(logits / T)``."""
    z, y = _logits_and_labels(logits, labels)
    T = check_positive(temperature, "temperature")
    return float(-np.mean(log_softmax(z / T, axis=1)[np.arange(len(y)), y]))


def fit_temperature(logits: Any, labels: Any, low: float = 0.05, high: float = 20.0, iters: int = 80) -> float:
    """The temperature minimising :func:`temperature_nll`, by golden-section search on ``log T``.

    The NLL is convex in ``β = 1/T`` (a log-sum-exp of linear functions minus a linear one), hence unimodal in
    ``log T``, which is what golden-section search needs.
    """
    z, y = _logits_and_labels(logits, labels)
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high; got low={low}, high={high}")
    f = lambda t: temperature_nll(z, y, float(np.exp(t)))  # noqa: E731
    a, b, g = np.log(low), np.log(high), (np.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(check_int(iters, "iters", low=1)):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return float(np.exp((a + b) / 2))


def calibrated_probabilities(logits: Any, temperature: float) -> np.ndarray:
    """``softmax(logits / T)``: the same ranking, hence the same accuracy, with rescaled confidence."""
    return softmax(as_array(logits, "logits", ndim=2) / check_positive(temperature, "temperature"), axis=1)
