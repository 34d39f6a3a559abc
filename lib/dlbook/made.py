"""MADE, a masked autoencoder for binary vectors whose outputs are autoregressive (Germain et al., 2015).

The masks come from :mod:`dlbook.flows`; here they multiply the weights of ordinary linear layers, so output ``i``
is the logit of ``p(x_i = 1 | x_<i)`` and ``log p(x)`` is a sum of Bernoulli log-likelihoods.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
from torch import nn

from dlbook.flows import made_degrees, made_masks


class MADE(nn.Module):
    """A MADE for ``D`` binary inputs with ReLU hidden layers; ``masked=False`` gives the same net unmasked."""

    def __init__(self, n_inputs: int, hidden: list[int], seed: int = 0, masked: bool = True) -> None:
        super().__init__()
        masks = made_masks(made_degrees(n_inputs, hidden, np.random.default_rng(seed)))
        sizes = [n_inputs, *hidden, n_inputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        for k, M in enumerate(masks):
            self.register_buffer(f"mask{k}", torch.tensor(M if masked else np.ones_like(M), dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of ``p(x_i = 1 | x_<i)``, one per input."""
        h = x
        for k, layer in enumerate(self.layers):
            h = nn.functional.linear(h, layer.weight * getattr(self, f"mask{k}"), layer.bias)
            if k < len(self.layers) - 1:
                h = torch.relu(h)
        return h

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """``log p(x) = sum_i log p(x_i | x_<i)``, the Bernoulli log-likelihood of every coordinate."""
        return -nn.functional.binary_cross_entropy_with_logits(self(x), x, reduction="none").sum(-1)


def all_binary_vectors(n: int) -> torch.Tensor:
    """Every vector of ``{0, 1}^n`` as the rows of a ``2^n × n`` tensor (for exact normalisation checks)."""
    if not 1 <= n <= 20:
        raise ValueError(f"n must be between 1 and 20 (2^n rows); got {n}")
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)))
