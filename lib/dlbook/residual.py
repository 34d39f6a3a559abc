"""Residual networks behave like ensembles of shallow paths (Veit et al., 2016; depth and skip connections: §6.4).

A residual block computes ``h + f(h)``; a plain block computes ``f(h)``. Deleting block ``k`` at test time means
replacing it by the identity. A residual net survives that (the other paths still carry the signal); a plain net,
whose only path runs through every block, does not.
"""

from __future__ import annotations

import torch
from torch import nn


class BlockMLP(nn.Module):
    """``input -> width``, then ``blocks`` blocks ``h -> h + relu(W h + b)`` (or ``relu(W h + b)`` if plain),
    then ``width -> classes``."""

    def __init__(self, n_in: int, width: int, blocks: int, classes: int, residual: bool = True) -> None:
        super().__init__()
        if blocks < 1 or width < 1:
            raise ValueError(f"blocks and width must be >= 1; got {blocks}, {width}")
        self.residual = residual
        self.stem = nn.Linear(n_in, width)
        self.blocks = nn.ModuleList(nn.Linear(width, width) for _ in range(blocks))
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor, drop: int | None = None) -> torch.Tensor:
        """Logits; ``drop=k`` deletes block ``k`` (it passes its input through unchanged)."""
        if drop is not None and not 0 <= drop < len(self.blocks):
            raise ValueError(f"drop must be a block index in [0, {len(self.blocks) - 1}] or None; got {drop}")
        h = torch.relu(self.stem(x))
        for k, block in enumerate(self.blocks):
            if k == drop:
                continue
            f = torch.relu(block(h))
            h = h + f if self.residual else f
        return self.head(h)
