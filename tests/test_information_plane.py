"""dlbook.information_plane: the binned information estimate, against scipy.stats.entropy and limiting cases."""

import numpy as np
import pytest
from scipy.stats import entropy

from dlbook.information_plane import binned_information


def test_matches_scipy_entropy_of_code_counts() -> None:
    T = np.tanh(np.random.default_rng(0).standard_normal((500, 3)))
    codes = np.floor((T + 1) / 2 * 4).clip(0, 3)
    _, counts = np.unique(codes, axis=0, return_counts=True)
    assert binned_information(T, 4) == pytest.approx(entropy(counts, base=2), abs=1e-12)


def test_limits() -> None:
    T = np.linspace(-0.999, 0.999, 256)[:, None]
    assert binned_information(T, 1) == 0.0                       # one bin: one code, no information
    assert binned_information(T, 256) == pytest.approx(8.0)      # every row its own code: log2(256) bits
    assert binned_information(np.full((10, 2), 5.0), 8) == 0.0   # out-of-range values land in the end bin


@pytest.mark.parametrize("bad", [dict(bins=0), dict(bins=2, low=1.0, high=1.0), dict(bins=2, high=np.inf)])
def test_bad_inputs(bad: dict) -> None:
    with pytest.raises(ValueError):
        binned_information(np.zeros((3, 2)), **bad)
    with pytest.raises(ValueError):
        binned_information(np.zeros(3), 2)
