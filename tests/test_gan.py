"""dlbook.gan: D* is optimal, C(G) = −log 4 + 2·JSD, the bilinear game's exact growth factor, and bad inputs."""

import numpy as np
import pytest
import torch
from scipy.spatial.distance import jensenshannon
from scipy.stats import norm

from dlbook.gan import (bilinear_game, gan_value, generator_loss_gradients, jensen_shannon, optimal_discriminator,
                        train_gan_1d, virtual_training_criterion)

X = np.linspace(-20, 20, 8001)
P = 0.4 * norm.pdf(X, -1, 0.7) + 0.6 * norm.pdf(X, 2, 1.0)


@pytest.mark.parametrize("m, s", [(0.0, 1.0), (3.0, 0.3), (-4.0, 2.0), (6.0, 0.2)])
def test_criterion_is_minus_log4_plus_twice_jsd(m, s):
    Q = norm.pdf(X, m, s)
    c = virtual_training_criterion(P, Q, X)
    assert c == pytest.approx(-np.log(4) + 2 * jensen_shannon(P, Q, X), abs=1e-6)
    # an independent JSD: scipy's distance on the grid's probability masses (its square is the divergence)
    w = np.gradient(X)
    assert jensen_shannon(P, Q, X) == pytest.approx(jensenshannon(P * w, Q * w) ** 2, abs=1e-4)
    with np.errstate(all="ignore"):
        direct = gan_value(optimal_discriminator(P, Q), P, Q, X)   # may lose to rounding where d* is 0 or 1
    assert c == pytest.approx(direct, abs=1e-6) or not np.isfinite(direct)


def test_optimal_discriminator_beats_every_perturbation_and_the_match_gives_minus_log4():
    Q = norm.pdf(X, 0.5, 1.2)
    d = optimal_discriminator(P, Q)
    best = gan_value(d, P, Q, X)
    rng = np.random.default_rng(0)
    for _ in range(20):
        bump = 0.05 * rng.standard_normal() * np.exp(-((X - rng.uniform(-3, 4)) ** 2))
        assert gan_value(np.clip(d + bump, 1e-12, 1 - 1e-12), P, Q, X) < best
    assert virtual_training_criterion(P, P, X) == pytest.approx(-np.log(4), abs=1e-9)
    assert np.allclose(optimal_discriminator(P, P), 0.5)


def test_simultaneous_play_grows_by_sqrt_one_plus_lr_squared_and_alternating_stays_bounded():
    for lr in (0.05, 0.3, 1.0):
        r = np.hypot(*bilinear_game(0.7, -0.2, lr, 30).T)
        np.testing.assert_allclose(r[1:] / r[:-1], np.sqrt(1 + lr**2), rtol=1e-12)
        alt = np.hypot(*bilinear_game(0.7, -0.2, lr, 2000, alternating=True).T)
        assert alt.max() < 3 * alt[0]


def test_generator_gradients_match_torch_autograd():
    logit = torch.tensor([-8.0, -1.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    mm, ns = generator_loss_gradients(logit.detach().numpy())
    torch.log1p(-torch.sigmoid(logit)).sum().backward()
    np.testing.assert_allclose(mm, logit.grad.numpy(), atol=1e-12)
    logit.grad = None
    (-torch.nn.functional.logsigmoid(logit)).sum().backward()
    np.testing.assert_allclose(ns, logit.grad.numpy(), atol=1e-12)


def test_tiny_gan_run_is_seeded():
    a, b = train_gan_1d(steps=20, batch=16, seed=3), train_gan_1d(steps=20, batch=16, seed=3)
    assert a["w"] == b["w"] and np.isfinite(a["d_losses"]).all()


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="increasing"):
        jensen_shannon(P, P, X[::-1])
    with pytest.raises(ValueError, match="non-negative"):
        optimal_discriminator(P, -P)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        gan_value(P + 2, P, P, X)
    with pytest.raises(ValueError, match="lr"):
        bilinear_game(1, 0, 0.0, 3)
