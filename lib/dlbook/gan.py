"""Generative adversarial networks: the minimax value, the optimal discriminator and the game's dynamics (§20.10.4).

A generator g maps noise to samples with density p_g; a discriminator d(x) ∈ (0, 1) guesses whether x is real.
The value of the game (§20.10.4, eq. 20.81; Goodfellow et al. 2014) is

    v(g, d) = E_{x~p_data} log d(x) + E_{x~p_g} log(1 − d(x)),

which d maximises and g minimises. For a fixed g the best discriminator is d*(x) = p_data(x) / (p_data(x) + p_g(x)),
and the generator's criterion C(G) = max_d v(g, d) equals −log 4 + 2·JSD(p_data ‖ p_g).

The theory functions work on densities tabulated on a grid and integrate by the trapezoid rule (NumPy only, so the
demos run in the browser). :func:`train_gan_1d` imports torch when it is called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.prob import sigmoid

__all__ = ["bilinear_game", "gan_value", "generator_loss_gradients", "jensen_shannon", "optimal_discriminator",
           "train_gan_1d", "virtual_training_criterion"]


def _grid(x: Any, *densities: Any) -> tuple[np.ndarray, ...]:
    x = as_array(x, "x", ndim=1, min_size=2)
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing (a quadrature grid)")
    out = []
    for k, p in enumerate(densities):
        p = as_array(p, f"density {k}", ndim=1)
        if p.shape != x.shape or np.any(p < 0):
            raise ValueError(f"each density must be non-negative with the shape of x {x.shape}; got {p.shape}")
        out.append(p)
    return (x, *out)


def _integrate(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def _xlogy(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """p·log q with the convention 0·log 0 = 0."""
    with np.errstate(divide="ignore"):
        return np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)


def optimal_discriminator(p_data: Any, p_g: Any) -> np.ndarray:
    """d*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al. 2014, Prop. 1); ½ where both densities vanish."""
    p_data, p_g = as_array(p_data, "p_data"), as_array(p_g, "p_g")
    if p_data.shape != p_g.shape or np.any(p_data < 0) or np.any(p_g < 0):
        raise ValueError("p_data and p_g must be non-negative arrays of the same shape")
    s = p_data + p_g
    return np.where(s > 0, p_data / np.where(s > 0, s, 1.0), 0.5)


def gan_value(d: Any, p_data: Any, p_g: Any, x: Any) -> float:
    """v = ∫ p_data log d + p_g log(1 − d) dx on the grid ``x`` (§20.10.4, eq. 20.81)."""
    x, p_data, p_g, d = _grid(x, p_data, p_g, d)
    if np.any(d > 1):
        raise ValueError("the discriminator d(x) must lie in [0, 1]")
    return _integrate(_xlogy(p_data, d) + _xlogy(p_g, 1.0 - d), x)


def virtual_training_criterion(p_data: Any, p_g: Any, x: Any) -> float:
    """C(G) = max_d v(g, d) = v(g, d*) (Goodfellow et al. 2014, eq. 4).

    Evaluated as ∫ p_data log(p_data/s) + p_g log(p_g/s) with s = p_data + p_g, the same integrand as
    v(g, d*) written with logarithms of densities, so it stays finite where d* rounds to 0 or 1.
    """
    x, p_data, p_g = _grid(x, p_data, p_g)
    s = p_data + p_g
    return _integrate(_xlogy(p_data, p_data) - _xlogy(p_data, s) + _xlogy(p_g, p_g) - _xlogy(p_g, s), x)


def jensen_shannon(p: Any, q: Any, x: Any) -> float:
    """JSD(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = (p + q)/2, in nats, by quadrature on ``x`` (§3.13)."""
    x, p, q = _grid(x, p, q)
    m = (p + q) / 2
    kl_pm = _integrate(_xlogy(p, p) - _xlogy(p, m), x)
    kl_qm = _integrate(_xlogy(q, q) - _xlogy(q, m), x)
    return 0.5 * kl_pm + 0.5 * kl_qm


def generator_loss_gradients(logit: Any) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives with respect to the discriminator's logit ℓ on a generated sample, d = σ(ℓ) (§20.10.4):

    minimax loss log(1 − σ(ℓ)) has derivative −σ(ℓ), which vanishes when d ≈ 0 (the discriminator wins);
    the non-saturating loss −log σ(ℓ) has derivative −(1 − σ(ℓ)), which is ≈ −1 there.
    """
    s = sigmoid(as_array(logit, "logit"))
    return -s, -(1.0 - s)


def bilinear_game(a0: float, b0: float, lr: float, steps: int, alternating: bool = False) -> np.ndarray:
    """Gradient play on v(a, b) = ab: a descends, b ascends (§20.10.4). Returns the (steps + 1, 2) trajectory.

    Simultaneous: a ← a − ε b, b ← b + ε a, a linear map whose matrix has determinant 1 + ε², so the radius grows
    by exactly √(1 + ε²) per step. Alternating (b uses the new a): the map has determinant 1 and, for ε < 2,
    the iterates stay on a closed curve around the equilibrium (0, 0).
    """
    lr = check_positive(lr, "lr")
    steps = check_int(steps, "steps", low=0)
    out = np.empty((steps + 1, 2))
    a, b = float(a0), float(b0)
    out[0] = a, b
    for t in range(steps):
        if alternating:
            a = a - lr * b
            b = b + lr * a
        else:
            a, b = a - lr * b, b + lr * a
        out[t + 1] = a, b
    return out


def train_gan_1d(data_mean: float = 4.0, data_std: float = 1.25, steps: int = 2000, batch: int = 128,
                 hidden: int = 32, lr: float = 5e-3, seed: int = 0) -> dict[str, Any]:
    """A 1-D GAN: affine generator x = w z + c, discriminator MLP 1-``hidden``-1, non-saturating loss, Adam, k = 1.

    Returns the generator's parameters, its samples and the discriminator loss, −mean log d(x) − mean log(1 − d(g(z))),
    along training (it approaches 2 log 2 when d ≈ ½ everywhere). Uses torch (imported here).
    """
    import torch
    from torch import nn

    data_std = check_positive(data_std, "data_std")
    steps, batch = check_int(steps, "steps", low=1), check_int(batch, "batch", low=1)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    G = nn.Linear(1, 1)
    D = nn.Sequential(nn.Linear(1, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))
    from dlbook.tensor_adam import TensorAdam       # torch.optim.Adam's update without its import cost

    opt_g = TensorAdam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = TensorAdam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    bce = nn.functional.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    d_losses = np.empty(steps)
    for t in range(steps):
        real = data_mean + data_std * torch.randn(batch, 1, generator=gen)
        fake = G(torch.randn(batch, 1, generator=gen))
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)     # ascend v in d
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = bce(D(fake), ones)                                    # non-saturating: −log d(g(z))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        d_losses[t] = d_loss.item()
    with torch.no_grad():
        samples = G(torch.randn(20_000, 1, generator=gen)).numpy().ravel()
        xs = torch.linspace(data_mean - 5 * data_std, data_mean + 5 * data_std, 401)[:, None]
        d_curve = torch.sigmoid(D(xs)).numpy().ravel()
    return {"w": float(G.weight.item()), "c": float(G.bias.item()), "samples": samples, "d_losses": d_losses,
            "x": xs.numpy().ravel(), "d_curve": d_curve}
