"""Reparameterisation and REINFORCE estimators against the exact gradient and torch autograd."""

import numpy as np
import pytest
import torch

from dlbook.gradient_estimators import exact_gradient, reinforce_gradient, reparameterization_gradient


def f(z):
    return np.sin(z) + 0.3 * z**2


def df(z):
    return np.cos(z) + 0.6 * z


def test_reparameterisation_equals_autograd_through_the_sample():
    eps = np.random.default_rng(0).standard_normal(100)
    mu = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    z = mu + 1.5 * torch.tensor(eps)
    (torch.sin(z) + 0.3 * z**2).mean().backward()
    assert reparameterization_gradient(df, 0.4, 1.5, eps) == pytest.approx(mu.grad.item(), abs=1e-12)


def test_exact_gradient_closed_forms():
    # E[z²] = μ² + σ², so d/dμ = 2μ; E[sin z] = sin μ · exp(−σ²/2), so d/dμ = cos μ · exp(−σ²/2)
    assert exact_gradient(lambda z: 2 * z, 1.3, 0.7) == pytest.approx(2.6, abs=1e-12)
    assert exact_gradient(np.cos, 0.4, 1.5) == pytest.approx(np.cos(0.4) * np.exp(-1.125), abs=1e-12)


@pytest.mark.parametrize("baseline", [None, 3.0, "loo"])
def test_estimators_are_unbiased_within_five_standard_errors(baseline):
    eps = np.random.default_rng(1).standard_normal((4000, 8))
    truth = exact_gradient(df, 0.4, 1.5)
    for est in (reinforce_gradient(f, 0.4, 1.5, eps, baseline), reparameterization_gradient(df, 0.4, 1.5, eps)):
        assert abs(est.mean() - truth) < 5 * est.std() / np.sqrt(len(est))


def test_baseline_lowers_the_variance_when_f_has_a_large_offset():
    eps = np.random.default_rng(2).standard_normal((2000, 16))
    g = lambda z: (z - 2) ** 2 + 5   # noqa: E731
    plain, loo = reinforce_gradient(g, 0.5, 1.0, eps), reinforce_gradient(g, 0.5, 1.0, eps, "loo")
    repar = reparameterization_gradient(lambda z: 2 * (z - 2), 0.5, 1.0, eps)
    assert repar.var() < loo.var() < plain.var()


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="sigma"):
        reinforce_gradient(f, 0.0, -1.0, np.zeros(3))
    with pytest.raises(ValueError, match="baseline"):
        reinforce_gradient(f, 0.0, 1.0, np.zeros(3), baseline="mean")
    with pytest.raises(ValueError, match="at least 2"):
        reinforce_gradient(f, 0.0, 1.0, np.zeros((3, 1)), baseline="loo")
    with pytest.raises(ValueError, match="finite"):
        reparameterization_gradient(df, 0.0, 1.0, [np.nan])
