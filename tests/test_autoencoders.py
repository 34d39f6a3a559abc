"""dlbook.autoencoders against torch.autograd, scipy.linalg.subspace_angles, dlbook.pca and closed forms."""

import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles
from scipy.stats import multivariate_normal

from dlbook.autoencoders import (Autoencoder, contractive_penalty, principal_angles, reconstruct, sparsity_penalty,
                                 train_autoencoder, vector_field)
from dlbook.pca import fit_pca
from dlbook.score import mixture_score, optimal_denoiser, sample_mixture_nd


def test_principal_angles_match_scipy():
    rng = np.random.default_rng(0)
    for n, p, q in [(6, 2, 3), (10, 4, 4), (5, 1, 2)]:
        A, B = rng.standard_normal((n, p)), rng.standard_normal((n, q))
        np.testing.assert_allclose(principal_angles(A, B), subspace_angles(A, B), atol=1e-8)
    A = rng.standard_normal((7, 3))
    assert principal_angles(A, A @ rng.standard_normal((3, 3))).max() < 1e-6  # same span


def test_linear_autoencoder_spans_the_pca_subspace():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((100, 6)) * np.array([3.0, 2.0, 1.5, 0.5, 0.3, 0.1])
    X = X @ np.linalg.qr(rng.standard_normal((6, 6)))[0]
    X -= X.mean(axis=0)
    torch.manual_seed(0)
    ae = Autoencoder(6, 2).double()
    train_autoencoder(ae, X, steps=300, lr=0.05)
    pca = fit_pca(X, 2)
    decoder = ae.decoder[0].weight.detach().numpy()
    assert subspace_angles(decoder, pca.components).max() < 1e-3
    mse = np.sum((X - reconstruct(ae, X)) ** 2) / len(X)
    assert mse == pytest.approx(pca.eigenvalues[2:].sum() / len(X), rel=5e-4)


def test_contractive_penalty_is_the_squared_frobenius_norm_of_the_jacobian():
    torch.manual_seed(0)
    ae = Autoencoder(5, 3, activation="sigmoid").double()
    x = torch.randn(4, 5, dtype=torch.float64)
    norms = [torch.autograd.functional.jacobian(ae.encoder, x[i]).pow(2).sum() for i in range(4)]
    assert contractive_penalty(ae, x).item() == pytest.approx(torch.stack(norms).mean().item(), rel=1e-12)
    with pytest.raises(ValueError, match="one-layer sigmoid"):
        contractive_penalty(Autoencoder(5, 3, hidden=(4,), activation="sigmoid"), x)


def test_sparsity_penalty_and_training_penalties_run():
    h = torch.tensor([[1.0, -2.0], [0.0, 3.0]])
    assert sparsity_penalty(h, 0.5).item() == pytest.approx(0.5 * 3.0)
    torch.manual_seed(0)
    X = np.random.default_rng(0).random((20, 4))
    losses = train_autoencoder(Autoencoder(4, 3, activation="sigmoid"), X, steps=30, lr=0.01, contractive=0.1,
                               sparsity=0.01, noise_std=0.1)
    assert len(losses) == 30 and np.all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_mixture_score_matches_autograd_of_the_log_density():
    rng = np.random.default_rng(2)
    means, std = rng.standard_normal((3, 2)), 0.7
    x = rng.standard_normal((5, 2)) * 2
    xt = torch.tensor(x, requires_grad=True)
    comps = torch.distributions.MultivariateNormal(torch.tensor(means), std**2 * torch.eye(2, dtype=torch.float64))
    logp = torch.logsumexp(comps.log_prob(xt[:, None, :]), dim=1).sum()
    logp.backward()
    np.testing.assert_allclose(mixture_score(x, means, std), xt.grad.numpy(), atol=1e-10)
    # far in the tails the responsibilities saturate but stay finite
    assert np.all(np.isfinite(mixture_score(np.array([[1e3, -1e3]]), means, 0.01)))


def test_optimal_denoiser_is_the_posterior_mean():
    """Tweedie's formula against E[x | x̃] by Monte Carlo-free quadrature: Bayes on a fine 1-D grid."""
    means, s, sigma = np.array([[-1.0], [2.0]]), 0.4, 0.6
    grid = np.linspace(-5, 6, 20001)
    prior = sum(multivariate_normal(m, s**2).pdf(grid) for m in means[:, 0])
    for xt in (-2.0, 0.3, 1.5):
        post = prior * np.exp(-0.5 * ((xt - grid) / sigma) ** 2)
        mean = np.sum(grid * post) / np.sum(post)
        assert optimal_denoiser(np.array([[xt]]), means, s, sigma)[0, 0] == pytest.approx(mean, abs=1e-6)


def test_vector_field_and_sampler_shapes():
    rng = np.random.default_rng(3)
    X = sample_mixture_nd(50, np.zeros((1, 2)), 0.0, rng)
    assert X.shape == (50, 2) and np.all(X == 0)
    ae = Autoencoder(2, 4, hidden=(8,), activation="tanh")
    assert vector_field(ae, rng.standard_normal((7, 2))).shape == (7, 2)


@pytest.mark.parametrize("call, message", [
    (lambda: Autoencoder(3, 2, activation="swish"), "activation"),
    (lambda: Autoencoder(0, 2), "n_in"),
    (lambda: principal_angles(np.ones((3, 1)), np.ones((4, 1))), "same number of rows"),
    (lambda: mixture_score(np.zeros((2, 3)), np.zeros((1, 2)), 1.0), "columns"),
    (lambda: mixture_score(np.zeros((2, 2)), np.zeros((1, 2)), 0.0), "std"),
    (lambda: optimal_denoiser(np.zeros((2, 2)), np.zeros((1, 2)), 0.1, -1.0), "noise_std"),
    (lambda: train_autoencoder(Autoencoder(2, 1), np.zeros((3, 2)), steps=0), "steps"),
    (lambda: train_autoencoder(Autoencoder(2, 1), np.zeros((3, 2)), noise_std=-0.1), "noise_std"),
    (lambda: sparsity_penalty(torch.ones(2, 2), -1.0), "lam"),
    (lambda: train_autoencoder(Autoencoder(2, 1), np.zeros((3, 2)), batch_size=0), "batch_size"),
])
def test_bad_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
