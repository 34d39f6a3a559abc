"""A tiny causal transformer language model in PyTorch (Vaswani et al., 2017), and its weights as NumPy arrays.

Characters are embedded, the sinusoidal positions of :func:`dlbook.attention.sinusoidal_positions` are added, and
pre-norm transformer blocks (``torch.nn.TransformerEncoderLayer`` with a causal mask) predict each next character.
:func:`block_params` copies one block's weights into the dictionary that :func:`dlbook.attention.transformer_block`
reads, so the notebook can run the trained block from scratch and compare.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlbook.attention import sinusoidal_positions
from dlbook.checks import check_int, check_positive

__all__ = ["CausalTransformerLM", "CharCorpus", "LMResult", "block_params", "train_lm"]


@dataclass
class CharCorpus:
    """A text as integer codes over its sorted character set."""

    chars: str
    codes: np.ndarray

    @classmethod
    def from_text(cls, text: str) -> "CharCorpus":
        if len(text) < 2:
            raise ValueError(f"the text must have at least two characters; got {len(text)}")
        chars = "".join(sorted(set(text)))
        lookup = {c: i for i, c in enumerate(chars)}
        return cls(chars, np.array([lookup[c] for c in text], dtype=np.int64))

    def decode(self, codes: np.ndarray) -> str:
        return "".join(self.chars[int(i)] for i in codes)


class CausalTransformerLM(nn.Module):
    """Embedding + sinusoidal positions → ``layers`` pre-norm causal blocks → layer norm → next-character logits."""

    def __init__(self, vocab: int, d: int = 64, heads: int = 4, layers: int = 2, ff: int = 128,
                 context: int = 32) -> None:
        super().__init__()
        self.vocab, self.context = check_int(vocab, "vocab", low=2), check_int(context, "context", low=1)
        self.embed = nn.Embedding(vocab, d)
        self.register_buffer("pos", torch.tensor(sinusoidal_positions(context, d), dtype=torch.float32))
        self.blocks = nn.ModuleList(nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, batch_first=True,
                                                               norm_first=True) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.shape[1]
        if T > self.context:
            raise ValueError(f"sequences may have at most context={self.context} tokens; got {T}")
        x = self.embed(idx) * self.embed.embedding_dim ** 0.5 + self.pos[:T]
        mask = nn.Transformer.generate_square_subsequent_mask(T, device=idx.device)
        for block in self.blocks:
            x = block(x, src_mask=mask, is_causal=True)
        return self.head(self.norm(x))

    def inputs_to_block(self, idx: torch.Tensor, layer: int = 0) -> torch.Tensor:
        """The activations entering block ``layer`` (for checking a block against the NumPy forward pass)."""
        with torch.no_grad():
            T = idx.shape[1]
            x = self.embed(idx) * self.embed.embedding_dim ** 0.5 + self.pos[:T]
            mask = nn.Transformer.generate_square_subsequent_mask(T, device=idx.device)
            for block in self.blocks[:layer]:
                x = block(x, src_mask=mask, is_causal=True)
        return x

    @torch.no_grad()
    def sample(self, start: list[int], n: int, generator: torch.Generator, temperature: float = 1.0) -> list[int]:
        """Extend ``start`` by ``n`` tokens, each drawn from softmax(logits / temperature) of the last position."""
        out = list(start)
        dev = self.head.weight.device
        for _ in range(n):
            ctx = torch.tensor([out[-self.context:]], device=dev)
            p = torch.softmax(self(ctx)[0, -1] / temperature, dim=-1).cpu()
            out.append(int(torch.multinomial(p, 1, generator=generator)))
        return out


@dataclass
class LMResult:
    """Training losses per step and the wall-clock seconds taken."""

    losses: np.ndarray
    seconds: float


def windows(codes: np.ndarray, starts: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Input windows codes[s : s+length] and their next-token targets codes[s+1 : s+length+1]."""
    idx = starts[:, None] + np.arange(length)[None, :]
    return codes[idx], codes[idx + 1]


def train_lm(model: CausalTransformerLM, codes: np.ndarray, steps: int = 800, batch: int = 32,
             lr: float = 3e-3, seed: int = 0) -> LMResult:
    """AdamW on the next-character cross-entropy of random windows of ``model.context`` characters."""
    steps, batch = check_int(steps, "steps", low=1), check_int(batch, "batch", low=1)
    lr = check_positive(lr, "lr")
    T = model.context
    if len(codes) <= T + 1:
        raise ValueError(f"the corpus must be longer than context + 1 = {T + 1} tokens; got {len(codes)}")
    dev = model.head.weight.device
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    losses = np.empty(steps)
    start = time.perf_counter()
    for i in range(steps):
        x, y = windows(codes, rng.integers(0, len(codes) - T - 1, size=batch), T)
        logits = model(torch.as_tensor(x, device=dev))
        loss = nn.functional.cross_entropy(logits.reshape(-1, model.vocab), torch.as_tensor(y, device=dev).reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
    return LMResult(losses, time.perf_counter() - start)


def block_params(layer: nn.TransformerEncoderLayer) -> dict[str, np.ndarray]:
    """One torch encoder layer's weights as the float64 dictionary of :func:`dlbook.attention.transformer_block`.

    torch stores ``y = x Wᵀ + b``; the NumPy code multiplies ``x @ W``, so every matrix is transposed.
    """
    sa = layer.self_attn
    d = sa.embed_dim

    def a(t: torch.Tensor) -> np.ndarray:
        return t.detach().cpu().double().numpy()

    Wi, bi = a(sa.in_proj_weight), a(sa.in_proj_bias)
    return {"Wq": Wi[:d].T, "Wk": Wi[d:2 * d].T, "Wv": Wi[2 * d:].T, "bq": bi[:d], "bk": bi[d:2 * d],
            "bv": bi[2 * d:], "Wo": a(sa.out_proj.weight).T, "bo": a(sa.out_proj.bias),
            "W1": a(layer.linear1.weight).T, "b1": a(layer.linear1.bias),
            "W2": a(layer.linear2.weight).T, "b2": a(layer.linear2.bias),
            "g1": a(layer.norm1.weight), "be1": a(layer.norm1.bias),
            "g2": a(layer.norm2.weight), "be2": a(layer.norm2.bias)}
