"""dlbook.metrics against sklearn.metrics (exact up to float rounding, 1e-12)."""

import numpy as np
import pytest
from sklearn.metrics import precision_recall_curve, precision_recall_fscore_support

from dlbook.metrics import coverage_accuracy, f_score, pr_curve, precision_recall_f1

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("rate", [0.05, 0.5, 0.9])
def test_precision_recall_f1_match_sklearn(rate: float) -> None:
    t = (RNG.random(300) < rate).astype(int)
    y = np.where(RNG.random(300) < 0.8, t, 1 - t)
    p, r, f, _ = precision_recall_fscore_support(t, y, average="binary", zero_division=0)
    assert np.allclose(precision_recall_f1(t, y), (p, r, f), atol=1e-12)


def test_f_score_is_the_harmonic_mean_and_handles_zero() -> None:
    assert f_score(0.5, 1.0) == pytest.approx(2 / (1 / 0.5 + 1))
    assert f_score(0.0, 0.0) == 0.0
    assert precision_recall_f1([1, 0, 1], [0, 0, 0]) == (0.0, 0.0, 0.0)   # never fires


@pytest.mark.parametrize("ties", [False, True])
def test_pr_curve_matches_sklearn(ties: bool) -> None:
    t = (RNG.random(200) < 0.3).astype(int)
    s = RNG.standard_normal(200) + t
    if ties:
        s = np.round(s, 1)
    p, r, th = pr_curve(t, s)
    P, R, TH = precision_recall_curve(t, s)
    assert np.allclose(p, P, atol=1e-12) and np.allclose(r, R, atol=1e-12) and np.allclose(th, TH)


def test_coverage_accuracy_trade_off() -> None:
    t = np.array([1, 0, 1, 0])
    p = np.array([0.95, 0.1, 0.6, 0.55])
    assert coverage_accuracy(t, p, 0.5) == (1.0, 0.75)
    assert coverage_accuracy(t, p, 0.9) == (0.5, 1.0)
    assert coverage_accuracy(t, p, 1.0) == (0.0, 1.0)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="0 and 1"):
        precision_recall_f1([0, 2], [0, 1])
    with pytest.raises(ValueError, match="same length"):
        precision_recall_f1([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="no positive"):
        pr_curve([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="0.5, 1"):
        coverage_accuracy([0, 1], [0.2, 0.7], 0.3)
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        f_score(1.5, 0.2)
