"""dlbook.vae against torch.distributions: rsample with the same noise, kl_divergence, and the SGVB loss."""

import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

from dlbook.vae import VAE, decoder_arrays, gaussian_kl, reparameterize, train_vae, vae_loss


def _params(seed=0, shape=(5, 3)):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64), torch.randn(shape, generator=g, dtype=torch.float64)


def test_reparameterize_equals_rsample_with_the_same_noise_and_its_gradient():
    mu, log_var = _params()
    mu.requires_grad_(True)
    eps = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(7)
    ref = Normal(mu, torch.exp(0.5 * log_var)).rsample()
    torch.manual_seed(7)
    same_eps = torch.randn_like(mu)                     # rsample draws ε = standard normal of this shape
    z = reparameterize(mu, log_var, same_eps)
    torch.testing.assert_close(z, ref, rtol=0, atol=1e-12)
    reparameterize(mu, log_var, eps).sum().backward()   # dz/dμ = 1 for every entry
    torch.testing.assert_close(mu.grad, torch.ones_like(mu))


def test_gaussian_kl_equals_torch_kl_divergence_including_extreme_variances():
    mu, log_var = _params(2)
    log_var = log_var * 8                                 # variances from e^-20 to e^20
    ref = kl_divergence(Normal(mu, torch.exp(0.5 * log_var)), Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(gaussian_kl(mu, log_var), ref, rtol=1e-10, atol=1e-10)
    assert torch.all(gaussian_kl(mu, log_var) >= 0)
    assert gaussian_kl(torch.zeros(4), torch.zeros(4)).item() == 0.0


def test_vae_loss_is_bce_plus_kl_scaled_by_n_over_m():
    torch.manual_seed(0)
    x = torch.rand(6, 4, dtype=torch.float64)
    logits, mu, log_var = torch.randn(6, 4, dtype=torch.float64), *_params(3, (6, 2))
    bce = torch.nn.functional.binary_cross_entropy(torch.sigmoid(logits), x, reduction="sum")
    kl = kl_divergence(Normal(mu, torch.exp(0.5 * log_var)), Normal(0.0, 1.0)).sum()
    assert vae_loss(x, logits, mu, log_var, 60).item() == pytest.approx(10 * (bce + kl).item(), rel=1e-10)


def test_minibatch_estimates_average_to_the_full_batch_loss():
    """Over all disjoint minibatches of size M, the mean of the N/M-scaled estimates is the full-data loss."""
    torch.manual_seed(1)
    x, logits = torch.rand(12, 3, dtype=torch.float64), torch.randn(12, 3, dtype=torch.float64)
    mu, log_var = _params(4, (12, 2))
    full = vae_loss(x, logits, mu, log_var, 12)
    parts = [vae_loss(x[i:i + 4], logits[i:i + 4], mu[i:i + 4], log_var[i:i + 4], 12) for i in (0, 4, 8)]
    assert torch.stack(parts).mean().item() == pytest.approx(full.item(), rel=1e-12)


def test_tiny_training_lowers_the_loss_and_the_numpy_decoder_twin_matches():
    X = np.random.default_rng(0).random((50, 6)) < 0.3
    model, losses = train_vae(X.astype(float), steps=150, batch=25, hidden=8, seed=0)
    assert losses[-20:].mean() < losses[:20].mean()
    from dlbook.demos.generative import decode
    z = torch.randn(5, 2)
    with torch.no_grad():
        ref = torch.sigmoid(model.dec(z)).double().numpy()
    np.testing.assert_allclose(decode(z.double().numpy(), **decoder_arrays(model)), ref, atol=1e-6)
    assert torch.get_default_dtype() == torch.float32


def test_bad_inputs_are_refused():
    mu, log_var = _params()
    with pytest.raises(ValueError, match="one shape"):
        reparameterize(mu, log_var, torch.zeros(2))
    with pytest.raises(ValueError, match="one shape"):
        gaussian_kl(mu, log_var[:, :2])
    with pytest.raises(ValueError, match="n_total"):
        vae_loss(torch.zeros(2, 3), torch.zeros(2, 3), mu[:2], log_var[:2], 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        train_vae(np.full((4, 3), 2.0), steps=1)
    with pytest.raises(ValueError, match="latent"):
        VAE(latent=0)
