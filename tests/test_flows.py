"""dlbook.flows and dlbook.made: masks give an autoregressive model (torch.autograd Jacobian), normalised exactly."""

import numpy as np
import pytest
import torch
from scipy import integrate

from dlbook.flows import (affine_flow_logpdf, connectivity, grid_integral, is_autoregressive, made_degrees,
                          made_masks)
from dlbook.made import MADE, all_binary_vectors


def test_masks_are_autoregressive() -> None:
    masks = made_masks(made_degrees(6, [16, 16], np.random.default_rng(0)))
    assert [m.shape for m in masks] == [(16, 6), (16, 16), (6, 16)]
    C = connectivity(masks)
    assert is_autoregressive(C) and not is_autoregressive(np.ones((6, 6)))


@pytest.mark.parametrize("masked", [True, False])
def test_made_jacobian_and_normalisation(masked: bool) -> None:
    torch.manual_seed(0)
    made = MADE(6, [16, 16], seed=1, masked=masked)
    J = torch.autograd.functional.jacobian(made, torch.rand(6)).numpy()
    with torch.no_grad():
        total = made.log_prob(all_binary_vectors(6)).exp().sum().item()
    if masked:
        assert is_autoregressive(J) and total == pytest.approx(1.0, abs=1e-5)
    else:
        assert not is_autoregressive(J) and abs(total - 1.0) > 1e-3


def test_affine_flow_integrates_to_one() -> None:
    f = lambda y2, y1: np.exp(affine_flow_logpdf(np.array([y1, y2]), 1.5))  # noqa: E731
    total, _ = integrate.dblquad(f, -8, 8, -12, 12, epsabs=1e-9)
    assert total == pytest.approx(1.0, abs=1e-6)
    t = np.linspace(-8, 8, 161)
    Y = np.stack(np.meshgrid(t, t), -1)
    assert grid_integral(affine_flow_logpdf(Y, 1.5), t[1] - t[0]) == pytest.approx(1.0, abs=1e-3)
    assert abs(grid_integral(affine_flow_logpdf(Y, 1.5, log_det=False), t[1] - t[0]) - 1.0) > 0.02


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="2 coordinates"):
        affine_flow_logpdf(np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match="degrees"):
        made_masks([np.arange(1, 4)])
    with pytest.raises(ValueError, match="n must be"):
        all_binary_vectors(30)
