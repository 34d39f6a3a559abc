"""The variational autoencoder (§20.10.3; Kingma & Welling 2014): reparameterised sampling, the analytic Gaussian KL,
the SGVB loss and a tiny MLP model.

The encoder outputs the mean μ(x) and log-variance log σ²(x) of a diagonal Gaussian q(z | x); the decoder outputs the
logits of a factorial Bernoulli p(x | z). With the prior p(z) = N(0, I) the evidence lower bound is

    L(x) = E_{q(z|x)} log p(x | z) − D_KL(q(z | x) ‖ p(z)) ≤ log p(x)        (§20.10.3, eq. 20.78)

and z = μ + σ ⊙ ε, ε ~ N(0, I) makes its Monte Carlo estimate differentiable in the encoder (§20.9).
PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from dlbook.checks import check_int, check_positive
from dlbook.tensor_adam import TensorAdam

__all__ = ["VAE", "decoder_arrays", "gaussian_kl", "reparameterize", "train_vae", "vae_loss"]


def reparameterize(mu: Tensor, log_var: Tensor, eps: Tensor) -> Tensor:
    """z = μ + σ ⊙ ε with σ = exp(½ log σ²): a sample of N(μ, σ²) that is differentiable in μ and σ (§20.9, eq. 20.55)."""
    if not (mu.shape == log_var.shape == eps.shape):
        raise ValueError(f"mu, log_var and eps must have one shape; got {tuple(mu.shape)}, {tuple(log_var.shape)}, "
                         f"{tuple(eps.shape)}")
    return mu + torch.exp(0.5 * log_var) * eps


def gaussian_kl(mu: Tensor, log_var: Tensor) -> Tensor:
    """D_KL(N(μ, diag σ²) ‖ N(0, I)) = −½ Σⱼ (1 + log σⱼ² − μⱼ² − σⱼ²), summed over the last axis (Kingma & Welling,
    appendix B)."""
    if mu.shape != log_var.shape:
        raise ValueError(f"mu and log_var must have one shape; got {tuple(mu.shape)} and {tuple(log_var.shape)}")
    return -0.5 * torch.sum(1 + log_var - mu**2 - torch.exp(log_var), dim=-1)


def vae_loss(x: Tensor, logits: Tensor, mu: Tensor, log_var: Tensor, n_total: int) -> Tensor:
    """The SGVB estimate of −Σ_{all N examples} L(x) from a minibatch of M: (N/M) Σ_{i≤M} [−log p(xᵢ | zᵢ) + KLᵢ].

    One z per example (the reparameterised sample that produced ``logits``); the reconstruction term is the Bernoulli
    negative log-likelihood of x ∈ [0, 1] under the decoder's logits. Scaling by N/M makes the minibatch estimate
    unbiased for the whole training set's negative ELBO (Kingma & Welling 2014, eq. 8).
    """
    n_total = check_int(n_total, "n_total", low=1)
    m = x.shape[0]
    if logits.shape != x.shape or mu.shape[0] != m:
        raise ValueError(f"x {tuple(x.shape)}, logits {tuple(logits.shape)} and mu {tuple(mu.shape)} must agree")
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=-1)
    return (n_total / m) * torch.sum(recon + gaussian_kl(mu, log_var))


class VAE(nn.Module):
    """Encoder d-H-(2·k) and decoder k-H-d MLPs with tanh hidden units; decoder outputs Bernoulli logits."""

    def __init__(self, d: int = 64, hidden: int = 256, latent: int = 2) -> None:
        super().__init__()
        d, hidden, latent = (check_int(v, n, low=1) for v, n in ((d, "d"), (hidden, "hidden"), (latent, "latent")))
        self.enc = nn.Sequential(nn.Linear(d, hidden), nn.Tanh(), nn.Linear(hidden, 2 * latent))
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.Tanh(), nn.Linear(hidden, d))
        self.latent = latent

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mu, log_var = self.enc(x).chunk(2, dim=-1)
        return mu, log_var

    def forward(self, x: Tensor, eps: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        mu, log_var = self.encode(x)
        z = reparameterize(mu, log_var, torch.randn_like(mu) if eps is None else eps)
        return self.dec(z), mu, log_var


def train_vae(X: Any, steps: int = 3000, batch: int = 128, lr: float = 2e-3, hidden: int = 256, latent: int = 2,
              seed: int = 0) -> tuple[VAE, np.ndarray]:
    """Adam on the SGVB loss divided by N (the negative ELBO per example); returns the model and that loss per step."""
    steps, batch = check_int(steps, "steps", low=1), check_int(batch, "batch", low=1)
    lr = check_positive(lr, "lr")
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    if X.ndim != 2 or X.min() < 0 or X.max() > 1:
        raise ValueError("X must be a 2-D array with values in [0, 1]")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    model = VAE(X.shape[1], hidden, latent)
    opt = TensorAdam(model.parameters(), lr=lr)      # = torch.optim.Adam's update, without its import cost
    losses = np.empty(steps)
    for t in range(steps):
        xb = X[torch.randint(0, n, (batch,), generator=gen)]
        logits, mu, log_var = model(xb, torch.randn(batch, latent, generator=gen))
        loss = vae_loss(xb, logits, mu, log_var, n) / n
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[t] = loss.item()
    return model, losses


def decoder_arrays(model: VAE) -> dict[str, np.ndarray]:
    """The decoder's weights as NumPy arrays (W1, b1, W2, b2), for a NumPy forward pass in a browser demo."""
    l1, l2 = model.dec[0], model.dec[2]
    return {k: v.detach().double().numpy().copy() for k, v in
            (("W1", l1.weight), ("b1", l1.bias), ("W2", l2.weight), ("b2", l2.bias))}
