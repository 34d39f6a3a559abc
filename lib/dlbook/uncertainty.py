"""Predictive uncertainty from several networks: deep ensembles (Lakshminarayanan et al., 2017) and Monte Carlo
dropout (Gal & Ghahramani, 2016); bagging and dropout as ensembles: §7.11–7.12.

``M`` small regression networks are trained at once as one batched module (each member has its own weights, its
own initialisation and its own dropout masks). The spread of their predictions is the uncertainty estimate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from dlbook.checks import as_array, check_int
from dlbook.tensor_adam import TensorAdam


class BatchedMLP(nn.Module):
    """``members`` independent 1-``width``-``width``-1 tanh networks evaluated together; optional dropout."""

    def __init__(self, members: int, width: int = 32, p_drop: float = 0.0) -> None:
        super().__init__()
        check_int(members, "members", low=1)
        if not 0.0 <= p_drop < 1.0:
            raise ValueError(f"p_drop must be in [0, 1); got {p_drop}")
        self.p_drop = p_drop
        init = lambda *shape: nn.Parameter(torch.randn(members, *shape) / np.sqrt(shape[0]))  # noqa: E731
        self.W1, self.W2, self.W3 = init(1, width), init(width, width), init(width, 1)
        self.b1, self.b2 = nn.Parameter(torch.randn(members, 1, width)), nn.Parameter(torch.zeros(members, 1, width))
        self.b3 = nn.Parameter(torch.zeros(members, 1, 1))

    def forward(self, x: torch.Tensor, dropout: bool = False) -> torch.Tensor:
        """Predictions ``(members, n)`` for inputs ``x`` of shape ``(n,)``; ``dropout=True`` samples masks."""
        h = torch.relu(x[None, :, None] @ self.W1 + self.b1)
        h = torch.relu(nn.functional.dropout(h, self.p_drop, dropout) @ self.W2 + self.b2)
        return (nn.functional.dropout(h, self.p_drop, dropout) @ self.W3 + self.b3)[..., 0]


def fit_members(model: BatchedMLP, x: Any, y: Any, steps: int = 300, lr: float = 0.02) -> list[float]:
    """Full-batch Adam on every member's mean squared error (their sum, so members do not interact)."""
    x = torch.as_tensor(as_array(x, "x", ndim=1), dtype=torch.float32)
    y = torch.as_tensor(as_array(y, "y", ndim=1), dtype=torch.float32)
    opt = TensorAdam(model.parameters(), lr=lr)
    losses = []
    for _ in range(check_int(steps, "steps", low=1)):
        loss = ((model(x, dropout=model.p_drop > 0) - y) ** 2).mean(1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def predictive_band(samples: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation over the first axis (members or dropout samples)."""
    s = as_array(samples, "samples", ndim=2)
    return s.mean(0), s.std(0)
