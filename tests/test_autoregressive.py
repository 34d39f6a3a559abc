"""FVBN and NADE: probabilities sum to one over {0,1}ᵈ, and NADE's running sum equals a direct loop."""

import numpy as np
import pytest
import torch

from dlbook.autoregressive import fvbn_conditionals, fvbn_log_prob, nade_conditionals, nade_log_prob
from dlbook.rbm import all_binary_states

RNG = np.random.default_rng(0)
D, H = 6, 4
W_F, B_F = RNG.normal(0, 2, (D, D)), RNG.normal(0, 1, D)
W, V, B, C = RNG.normal(0, 2, (H, D)), RNG.normal(0, 2, (D, H)), RNG.normal(0, 1, D), RNG.normal(0, 1, H)
ALL = all_binary_states(D)


def test_both_models_sum_to_one():
    assert np.exp(fvbn_log_prob(ALL, W_F, B_F)).sum() == pytest.approx(1.0, abs=1e-12)
    assert np.exp(nade_log_prob(ALL, W, V, B, C)).sum() == pytest.approx(1.0, abs=1e-12)


def test_fvbn_ignores_the_upper_triangle_and_matches_torch_bernoulli():
    upper = W_F + np.triu(RNG.normal(0, 5, (D, D)))
    np.testing.assert_array_equal(fvbn_log_prob(ALL, upper, B_F), fvbn_log_prob(ALL, W_F, B_F))
    logits = torch.tensor(fvbn_conditionals(ALL, W_F, B_F))
    ref = torch.distributions.Bernoulli(logits=logits).log_prob(torch.tensor(ALL)).sum(1).numpy()
    np.testing.assert_allclose(fvbn_log_prob(ALL, W_F, B_F), ref, atol=1e-12)


def test_nade_running_sum_equals_a_direct_loop():
    sig = lambda a: 1 / (1 + np.exp(-a))   # noqa: E731
    for x in ALL[::7]:
        direct = [B[i] + V[i] @ sig(C + W[:, :i] @ x[:i]) for i in range(D)]
        np.testing.assert_allclose(nade_conditionals(x, W, V, B, C)[0], direct, atol=1e-12)


def test_extreme_logits_stay_finite_and_bad_inputs_are_refused():
    assert np.all(np.isfinite(fvbn_log_prob(ALL, 1e3 * W_F, 1e3 * B_F)))
    with pytest.raises(ValueError, match="binary"):
        nade_log_prob(np.full(D, 0.5), W, V, B, C)
    with pytest.raises(ValueError, match="columns"):
        fvbn_log_prob(np.zeros(D + 1), W_F, B_F)
    with pytest.raises(ValueError, match="V must be"):
        nade_log_prob(ALL, W, V.T, B, C)
