"""Autoencoders in PyTorch (Deep Learning book, chapter 14).

An autoencoder is an encoder ``h = f(x)`` followed by a decoder ``r = g(h)``, trained so that ``g(f(x))`` is close
to ``x`` (§14.1, eq. 14.1). Something must stop it from learning the identity: a narrow code (undercomplete,
§14.1), a penalty on the code (sparse, §14.2.1, eq. 14.2), corrupted inputs (denoising, §14.2.2, eq. 14.9) or a
penalty on the encoder's derivatives (contractive, §14.2.3 and §14.7, eq. 14.18). The closed forms for the
denoising-as-score-estimation result (§14.5) live in NumPy in :mod:`dlbook.score`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from dlbook.checks import as_array, check_int, check_positive

_ACTIVATIONS = {"linear": nn.Identity, "tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def _stack(sizes: Sequence[int], activation: str, last: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if last or k < len(sizes) - 2:
            layers.append(_ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """Encoder ``f`` and decoder ``g`` as multilayer perceptrons (§14.1, §14.3).

    The encoder maps ``n_in → *hidden → n_code`` with ``activation`` after every layer (the code included); the
    decoder mirrors it, ``n_code → *reversed(hidden) → n_in``, with a linear output layer. With
    ``activation="linear"`` and no hidden layers both maps are affine: the linear autoencoder of §14.1.
    """

    def __init__(self, n_in: int, n_code: int, hidden: Sequence[int] = (), activation: str = "linear") -> None:
        super().__init__()
        check_int(n_in, "n_in", low=1)
        check_int(n_code, "n_code", low=1)
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}")
        sizes = [n_in, *[check_int(h, "hidden size", low=1) for h in hidden], n_code]
        self.activation = activation
        self.encoder = _stack(sizes, activation, last=True)
        self.decoder = _stack(sizes[::-1], activation, last=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def squared_error(x: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """The loss ``L(x, r) = ‖x − r‖²`` of eq. 14.1, averaged over the rows of a batch."""
    return ((x - r) ** 2).sum(dim=1).mean()


def contractive_penalty(model: Autoencoder, x: torch.Tensor) -> torch.Tensor:
    """``‖∂f/∂x‖²_F`` (§14.2.3, eq. 14.18) for a one-layer sigmoid encoder ``h = σ(Wx + b)``, batch mean.

    Row ``j`` of the Jacobian is ``hⱼ(1 − hⱼ) Wⱼ``, so its squared Frobenius norm is ``Σⱼ (hⱼ(1 − hⱼ))² ‖Wⱼ‖²``:
    no Jacobian needs to be formed.
    """
    layers = list(model.encoder)
    if len(layers) != 2 or not isinstance(layers[1], nn.Sigmoid):
        raise ValueError("contractive_penalty needs a one-layer sigmoid encoder: Autoencoder(n_in, n_code, "
                         "activation='sigmoid') with no hidden layers")
    W = layers[0].weight
    h = model.encoder(x)
    return ((h * (1 - h)) ** 2 @ (W**2).sum(dim=1)).mean()


def sparsity_penalty(h: torch.Tensor, lam: float) -> torch.Tensor:
    """``Ω(h) = λ Σᵢ |hᵢ|`` (§14.2.1), the negative log of a Laplace prior up to a constant, batch mean."""
    check_positive(lam, "lam", allow_zero=True)
    return lam * h.abs().sum(dim=1).mean()


def train_autoencoder(model: Autoencoder, X: np.ndarray, *, steps: int = 500, lr: float = 1e-2,
                      noise_std: float = 0.0, contractive: float = 0.0, sparsity: float = 0.0,
                      batch_size: int | None = None, seed: int = 0) -> list[float]:
    """Minimise ``L(x, g(f(x̃))) + Ω`` with Adam and return the loss of every step.

    ``noise_std > 0`` makes it a denoising autoencoder: each step draws ``x̃ = x + noise_std·ε``, ``ε ~ N(0, I)``,
    fresh (§14.2.2). ``contractive`` and ``sparsity`` weight the penalties above. Full batch unless
    ``batch_size`` is given; the model's dtype decides the arithmetic.
    """
    X = as_array(X, "X", ndim=2)
    check_int(steps, "steps", low=1)
    check_positive(lr, "lr")
    for value, name in ((noise_std, "noise_std"), (contractive, "contractive"), (sparsity, "sparsity")):
        check_positive(value, name, allow_zero=True)
    if batch_size is not None:
        check_int(batch_size, "batch_size", low=1)
    dtype = next(model.parameters()).dtype
    data = torch.as_tensor(X, dtype=dtype)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        x = data if batch_size is None else data[torch.randint(len(data), (batch_size,), generator=gen)]
        x_tilde = x + noise_std * torch.randn(x.shape, generator=gen, dtype=dtype) if noise_std > 0 else x
        h = model.encoder(x_tilde)
        loss = squared_error(x, model.decoder(h))
        if sparsity > 0:
            loss = loss + sparsity_penalty(h, sparsity)
        if contractive > 0:
            loss = loss + contractive * contractive_penalty(model, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def reconstruct(model: Autoencoder, X: np.ndarray) -> np.ndarray:
    """``r(x) = g(f(x))`` of each row of ``X``, as NumPy."""
    X = as_array(X, "X", ndim=2)
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=next(model.parameters()).dtype)).double().numpy()


def principal_angles(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Principal angles (radians, largest first) between the column spaces of ``A`` and ``B``.

    With orthonormal bases ``Q_A``, ``Q_B`` (QR), the cosines of the angles are the singular values of
    ``Q_Aᵀ Q_B``; all angles are zero exactly when the two spaces coincide. Used to compare an autoencoder's
    decoder with the principal subspace (§14.1, §2.12).
    """
    A = as_array(A, "A", ndim=2)
    B = as_array(B, "B", ndim=2)
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"A and B must have the same number of rows; got {A.shape[0]} and {B.shape[0]}")
    qa, qb = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.sort(np.arccos(np.clip(cosines, -1.0, 1.0)))[::-1]


def vector_field(model: Autoencoder, points: np.ndarray) -> np.ndarray:
    """The reconstruction field ``r(x) − x`` at each row of ``points`` (§14.5, fig. 14.4)."""
    return reconstruct(model, points) - as_array(points, "points", ndim=2)
