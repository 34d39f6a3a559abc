"""A neural probabilistic language model in the style of Bengio et al. (2003) (Deep Learning book, §12.4.2).

Each of the previous ``context`` tokens is looked up in a shared embedding table; the concatenated embeddings feed a
tanh hidden layer and a softmax over the vocabulary. Tokens that are used alike get nearby embeddings, which is how
the model generalises to contexts it never saw, where a count-based n-gram can only back off or smooth.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from dlbook.checks import check_int, check_positive

__all__ = ["MLPLanguageModel", "context_windows", "nearest_embeddings", "train_mlp_lm"]


class MLPLanguageModel(nn.Module):
    """``P(xₜ | xₜ₋ₖ … xₜ₋₁) = softmax(V tanh(W [e(xₜ₋ₖ); …; e(xₜ₋₁)] + b) + c)`` (§12.4.2)."""

    def __init__(self, vocab: int, context: int = 3, embed: int = 10, hidden: int = 64) -> None:
        super().__init__()
        self.context = check_int(context, "context", low=1)
        self.embedding = nn.Embedding(check_int(vocab, "vocab", low=2), check_int(embed, "embed", low=1))
        self.hidden = nn.Linear(context * embed, check_int(hidden, "hidden", low=1))
        self.out = nn.Linear(hidden, vocab)

    def forward(self, ctx: torch.Tensor) -> torch.Tensor:
        """Logits of the next token for each row of ``ctx`` (shape ``(batch, context)`` of token ids)."""
        return self.out(torch.tanh(self.hidden(self.embedding(ctx).flatten(1))))


def context_windows(codes: Any, context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (previous ``context`` tokens, next token) pair of a sequence of token ids."""
    c = torch.as_tensor(np.asarray(codes), dtype=torch.long)
    context = check_int(context, "context", low=1)
    if c.ndim != 1 or c.numel() <= context:
        raise ValueError(f"codes must be a 1-D sequence longer than context = {context}; got shape {tuple(c.shape)}")
    idx = torch.arange(context)[None, :] + torch.arange(c.numel() - context)[:, None]
    return c[idx], c[context:]


def train_mlp_lm(model: MLPLanguageModel, codes: Any, steps: int = 1500, batch: int = 64, lr: float = 3e-3,
                 seed: int = 0) -> list[float]:
    """Minibatch Adam on the next-token cross-entropy; returns the training loss of every step (nats)."""
    X, y = context_windows(codes, model.context)
    gen = torch.Generator().manual_seed(check_int(seed, "seed", low=0))
    opt = torch.optim.Adam(model.parameters(), lr=check_positive(lr, "lr"))
    losses = []
    for _ in range(check_int(steps, "steps", low=1)):
        i = torch.randint(0, len(y), (check_int(batch, "batch", low=1),), generator=gen)
        loss = nn.functional.cross_entropy(model(X[i]), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


def nearest_embeddings(model: MLPLanguageModel, token: int, k: int = 5) -> list[int]:
    """The ``k`` tokens whose embeddings have the highest cosine similarity to ``token``'s (the token excluded)."""
    E = model.embedding.weight.detach()
    E = E / E.norm(dim=1, keepdim=True).clamp_min(1e-12)
    sims = E @ E[check_int(token, "token", low=0, high=E.shape[0] - 1)]
    sims[token] = -np.inf
    return sims.topk(check_int(k, "k", low=1, high=E.shape[0] - 1)).indices.tolist()
