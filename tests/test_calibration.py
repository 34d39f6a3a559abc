"""dlbook.calibration against scipy.optimize and hand-computed bins."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from dlbook.calibration import (calibrated_probabilities, expected_calibration_error, fit_temperature,
                                reliability_bins, temperature_nll)


def _logits(seed: int = 0, n: int = 400):
    r = np.random.default_rng(seed)
    y = r.integers(0, 5, n)
    z = r.standard_normal((n, 5))
    z[np.arange(n), y] += 2.0
    return 4 * z, y          # over-confident: the best temperature is well above 1


def test_ece_by_hand() -> None:
    p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]])
    y = np.array([0, 1, 1, 1])
    # bins: 0.9 -> [0.9,1): acc 1; 0.8 -> [0.8,0.9): acc 0; 0.7 -> acc 1; 0.55 -> acc 1
    expected = (abs(1 - 0.9) + abs(0 - 0.8) + abs(1 - 0.7) + abs(1 - 0.55)) / 4
    assert expected_calibration_error(p, y) == pytest.approx(expected)
    r = reliability_bins(p, y)
    assert r["count"].sum() == 4 and np.isnan(r["accuracy"][0])


def test_fit_temperature_matches_scipy() -> None:
    z, y = _logits()
    ours = fit_temperature(z, y)
    ref = minimize_scalar(lambda t: temperature_nll(z, y, np.exp(t)), bounds=(np.log(0.05), np.log(20.0)),
                          method="bounded", options={"xatol": 1e-10})
    assert ours == pytest.approx(np.exp(ref.x), rel=1e-6) and ours > 1.5
    assert temperature_nll(z, y, ours) < temperature_nll(z, y, 1.0)


def test_temperature_keeps_predictions_and_is_stable() -> None:
    z, y = _logits()
    assert np.array_equal(calibrated_probabilities(z, 3.0).argmax(1), z.argmax(1))
    assert np.isfinite(temperature_nll(1e4 * z, y, 1e-3))


def test_bad_inputs() -> None:
    z, y = _logits()
    with pytest.raises(ValueError, match="temperature"):
        temperature_nll(z, y, 0.0)
    with pytest.raises(ValueError, match="labels"):
        fit_temperature(z, y[:-1])
    with pytest.raises(ValueError, match="low < high"):
        fit_temperature(z, y, low=2.0, high=1.0)
