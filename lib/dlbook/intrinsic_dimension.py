"""Intrinsic dimension: training in a random low-dimensional subspace of parameter space (Li et al., 2018).

Instead of all ``D`` parameters, train ``d`` coordinates ``z`` and set ``θ = θ_0 + P z`` with a fixed random
``D × d`` matrix ``P`` whose columns have unit length. The smallest ``d`` that reaches 90 % of the full network's
accuracy, ``d_90``, measures how many directions the problem really needs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from dlbook.checks import as_array, check_int
from dlbook.tensor_adam import TensorAdam


def random_subspace(D: int, d: int, seed: int = 0) -> torch.Tensor:
    """A ``D × d`` Gaussian matrix with unit-norm columns."""
    D, d = check_int(D, "D", low=1), check_int(d, "d", low=1)
    P = torch.randn(D, d, generator=torch.Generator().manual_seed(seed))
    return P / P.norm(dim=0, keepdim=True)


def mlp_logits(theta: torch.Tensor, sizes: list[int], X: torch.Tensor) -> torch.Tensor:
    """A ReLU MLP with layer ``sizes`` whose weights and biases are read, in order, from the flat ``theta``."""
    if theta.numel() != n_parameters(sizes):
        raise ValueError(f"theta has {theta.numel()} entries; sizes {sizes} need {n_parameters(sizes)}")
    h, i = X, 0
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        W, c = theta[i:i + a * b].view(b, a), theta[i + a * b:i + a * b + b]
        i += a * b + b
        h = h @ W.T + c
        if k < len(sizes) - 2:
            h = torch.relu(h)
    return h


def n_parameters(sizes: list[int]) -> int:
    """``D``, the number of weights and biases of the MLP."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def train_in_subspace(X: Any, labels: Any, X_test: Any, y_test: Any, sizes: list[int], d: int | None,
                      steps: int = 150, lr: float = 0.05, seed: int = 0) -> float:
    """Test accuracy after full-batch Adam on ``z`` (``d`` coordinates), or on all of ``θ`` if ``d`` is None."""
    X, Xt = (torch.as_tensor(as_array(a, n, ndim=2), dtype=torch.float32) for a, n in ((X, "X"), (X_test, "X_test")))
    y, yt = torch.as_tensor(np.asarray(labels)), torch.as_tensor(np.asarray(y_test))
    torch.manual_seed(seed)
    D = n_parameters(sizes)
    theta0 = torch.cat([torch.cat([layer.weight.detach().ravel(), layer.bias.detach()])
                        for layer in (nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))])
    P = None if d is None else random_subspace(D, d, seed)
    z = torch.zeros(D if P is None else d, requires_grad=True)
    opt = TensorAdam([z], lr=lr)
    theta = lambda: theta0 + (z if P is None else P @ z)  # noqa: E731
    for _ in range(check_int(steps, "steps", low=1)):
        loss = nn.functional.cross_entropy(mlp_logits(theta(), sizes, X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return float((mlp_logits(theta(), sizes, Xt).argmax(1) == yt).float().mean())
