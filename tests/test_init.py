"""Initialisers of §8.4 against torch.nn.init and closed forms."""

import numpy as np
import pytest
import torch
from scipy.stats import ks_2samp

from dlbook.init import glorot_bound, glorot_uniform, normal_init, orthogonal_init, orthogonalise
from dlbook.mlp import init_mlp


@pytest.mark.parametrize("fan_in, fan_out, gain", [(64, 100, 1.0), (300, 20, 5 / 3), (1, 1, 0.5)])
def test_glorot_uniform_matches_xavier_uniform(fan_in: int, fan_out: int, gain: float) -> None:
    W = glorot_uniform(fan_in, fan_out, np.random.default_rng(0), gain=gain)
    torch.manual_seed(0)
    Wt = torch.nn.init.xavier_uniform_(torch.empty(fan_out, fan_in, dtype=torch.float64), gain=gain).numpy()
    assert W.shape == Wt.shape
    # torch's bound: gain · √(2/(fan_in + fan_out)) · √3
    assert glorot_bound(fan_in, fan_out, gain) == pytest.approx(gain * np.sqrt(2 / (fan_in + fan_out)) * np.sqrt(3))
    a = glorot_bound(fan_in, fan_out, gain)
    assert np.abs(W).max() <= a and np.abs(Wt).max() <= a
    if W.size > 1000:
        assert ks_2samp(W.ravel(), Wt.ravel()).pvalue > 0.001
        assert W.var() == pytest.approx(gain**2 * 2 / (fan_in + fan_out), rel=0.1)


def test_init_mlp_uses_glorot_uniform() -> None:
    layers = init_mlp([5, 7, 3], np.random.default_rng(4))
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(layers[0].W, glorot_uniform(5, 7, rng))
    np.testing.assert_array_equal(layers[1].W, glorot_uniform(7, 3, rng))


@pytest.mark.parametrize("rows, cols", [(6, 6), (8, 3), (3, 8)])
def test_orthogonalise_matches_torch_orthogonal(rows: int, cols: int) -> None:
    """torch.nn.init.orthogonal_ draws a normal matrix and keeps QR's Q with the signs of diag(R); so do we."""
    torch.manual_seed(7)
    A = torch.empty(rows, cols, dtype=torch.float64).normal_(0, 1).numpy()
    torch.manual_seed(7)
    Wt = torch.nn.init.orthogonal_(torch.empty(rows, cols, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(orthogonalise(A), Wt, atol=1e-12)


@pytest.mark.parametrize("fan_in, fan_out", [(10, 10), (10, 4), (4, 10)])
def test_orthogonal_init_has_all_singular_values_equal_to_gain(fan_in: int, fan_out: int) -> None:
    W = orthogonal_init(fan_in, fan_out, np.random.default_rng(1), gain=1.5)
    assert W.shape == (fan_out, fan_in)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.5, atol=1e-12)


def test_normal_init_scale() -> None:
    W = normal_init(200, 300, np.random.default_rng(0), std=2.0)
    assert W.shape == (300, 200) and W.std() == pytest.approx(2.0, rel=0.02)


@pytest.mark.parametrize("bad", [lambda: glorot_bound(0, 3), lambda: glorot_uniform(3, 3, np.random.default_rng(), -1),
                                 lambda: orthogonal_init(3, 3.5, np.random.default_rng()),
                                 lambda: orthogonalise(np.ones(3)), lambda: normal_init(2, 2, None, std=0)])
def test_bad_inputs_raise(bad) -> None:
    with pytest.raises(ValueError):
        bad()
