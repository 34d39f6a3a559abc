"""The deliberately unstable softmax (§4.1) against the stable one, scipy.special and the float limits of numpy."""

import warnings

import numpy as np
import pytest
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from dlbook.floating_point import float_limits, naive_log_softmax, naive_softmax


def test_naive_softmax_is_right_for_moderate_inputs() -> None:
    x = np.array([0.5, -1.0, 3.0, 2.0])
    np.testing.assert_allclose(naive_softmax(x), sp_softmax(x), rtol=1e-14)
    np.testing.assert_allclose(naive_log_softmax(x), sp_log_softmax(x), rtol=1e-13)


@pytest.mark.parametrize("c", [800.0, -800.0, 1000.0])
def test_naive_softmax_fails_silently_for_large_constants(c: float) -> None:
    x = np.full(4, c)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # deliberately unstable, but never noisy
        p = naive_softmax(x)
    assert np.all(np.isnan(p))  # inf/inf or 0/0
    np.testing.assert_allclose(sp_softmax(x), 0.25)  # what it should have been


def test_naive_log_softmax_underflows_to_minus_infinity() -> None:
    x = np.array([0.0, 0.0, -1000.0])
    out = naive_log_softmax(x)
    assert np.isneginf(out[2])
    assert sp_log_softmax(x)[2] == pytest.approx(-1000 - np.log(2), rel=1e-12)


def test_float_limits_match_numpy() -> None:
    for dtype in (np.float64, np.float32):
        lim = float_limits(dtype)
        assert lim["eps"] == np.finfo(dtype).eps
        with np.errstate(over="ignore", under="ignore"):
            assert np.isfinite(np.exp(dtype(lim["exp_overflow"] * (1 - 1e-6))))
            assert np.isinf(np.exp(dtype(lim["exp_overflow"] * (1 + 1e-6))))
            assert np.exp(dtype(lim["exp_underflow"] - 0.01)) == 0.0
            assert np.exp(dtype(lim["exp_underflow"] + 0.01)) > 0.0
    assert float_limits()["exp_overflow"] == pytest.approx(709.78, abs=0.01)
    assert float_limits()["exp_underflow"] == pytest.approx(-1075 * np.log(2.0), rel=1e-15)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="x must be 1-D"):
        naive_softmax(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="floating-point type"):
        float_limits(np.int32)


def test_naive_softmax_sum_overflows_before_the_terms() -> None:
    # four equal inputs just below the exp overflow threshold: every term is finite, the sum is not
    n, c = 4, 709.0
    lim = float_limits()
    assert lim["exp_overflow"] - np.log(n) < c < lim["exp_overflow"]
    x = np.full(n, c)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = naive_softmax(x)
    np.testing.assert_array_equal(p, 0.0)  # a silent, finite, wrong answer
    np.testing.assert_allclose(sp_softmax(x), 1 / n)  # what it should have been


def test_mean_shift_never_underflows_the_softmax_denominator_but_can_overflow() -> None:
    """Review E2: after subtracting the mean some shifted input is >= 0, so the denominator is >= 1."""
    rng = np.random.default_rng(4)
    with np.errstate(over="ignore", under="ignore"):
        for _ in range(200):
            x = rng.standard_normal(rng.integers(2, 9)) * 10.0 ** rng.uniform(0, 4) - rng.uniform(0, 1e4)
            z = x - x.mean()
            assert z.max() >= 0 and np.exp(z).sum() >= 1.0
        assert np.isinf(np.exp(np.array([0.0, 2000.0]) - 1000.0).sum())   # overflow stays possible
