"""Adam (§8.5.3, Algorithm 8.7) for torch tensors, without ``torch.optim``.

The update is the one ``torch.optim.Adam`` makes with its defaults (bias-corrected moments, ``eps`` added outside
the square root; a test checks identical iterates). It exists because constructing the first ``torch.optim``
optimiser imports ``torch._dynamo``, which costs over a second of CPU: more than a whole miniature experiment of
the research-frontiers chapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from dlbook.checks import check_positive

if TYPE_CHECKING:  # torch is imported where it is used, so modules that only mention TensorAdam stay torch-free
    import torch


class TensorAdam:
    """``step()`` updates every parameter from its ``.grad``; ``zero_grad()`` clears the gradients."""

    def __init__(self, params: Iterable["torch.Tensor"], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("TensorAdam needs at least one parameter")
        self.lr, self.eps = check_positive(lr, "lr"), eps
        self.b1, self.b2 = betas
        self.t = 0
        import torch

        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        import torch

        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        with torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                if p.grad is None:
                    continue
                m.mul_(self.b1).add_(p.grad, alpha=1 - self.b1)
                v.mul_(self.b2).addcmul_(p.grad, p.grad, value=1 - self.b2)
                p.sub_(self.lr * (m / c1) / ((v / c2).sqrt() + self.eps))
