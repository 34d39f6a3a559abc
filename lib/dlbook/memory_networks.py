"""End-to-end memory networks (Sukhbaatar et al., 2015), the soft-attention form of memory networks (Weston et al.,
2014): every sentence of a story is written to one memory slot, and the question reads the slots by attention.

For one hop, with story sentences xᵢ (bags of word indices) and question q:

    mᵢ = Σ_w A[w] + Tᴬᵢ,   cᵢ = Σ_w C[w] + Tᶜᵢ,   u = Σ_w B[w]            (embed; T encodes the slot's time)
    pᵢ = softmax(uᵀmᵢ),    o = Σᵢ pᵢ cᵢ,                                  (address by content, read)
    â = softmax(W (u + o))                                               (answer)

With several hops the next question vector is u + o. :class:`BagOfWords` is the same model without the
addressing step (every slot weighted equally), the baseline that shows what the read is worth.

:class:`CopyHeads` is a smaller relative of the neural Turing machine (Graves et al., 2014, §3): a write head and a
read head whose shift distributions at every step are free parameters (no controller), trained through the NTM's
erase/add write and shifted read to copy a sequence.
"""

from __future__ import annotations

import torch
from torch import nn


class MemoryNetwork(nn.Module):
    """An end-to-end memory network with ``hops`` reads and temporal encoding.

    Every hop reuses the same A and C: Sukhbaatar et al.'s *layer-wise* (RNN-like) tying, without their extra
    linear map H between hops. (Their other scheme, *adjacent* tying, sets A of hop k+1 to C of hop k.)
    """

    def __init__(self, vocab_size: int, slots: int, dim: int = 32, hops: int = 1) -> None:
        super().__init__()
        if min(vocab_size, slots, dim, hops) < 1:
            raise ValueError(f"vocab_size, slots, dim and hops must be >= 1; got {vocab_size}, {slots}, {dim}, {hops}")
        self.embed_memory = nn.Embedding(vocab_size, dim, padding_idx=0)   # A
        self.embed_output = nn.Embedding(vocab_size, dim, padding_idx=0)   # C
        self.embed_question = nn.Embedding(vocab_size, dim, padding_idx=0)  # B
        self.time_memory = nn.Parameter(0.1 * torch.randn(slots, dim))     # Tᴬ
        self.time_output = nn.Parameter(0.1 * torch.randn(slots, dim))     # Tᶜ
        self.answer = nn.Linear(dim, vocab_size, bias=False)               # W
        self.hops = hops

    def forward(self, stories: torch.Tensor, questions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Answer logits (batch, vocab) and the last hop's attention over the slots (batch, slots)."""
        m = self.embed_memory(stories).sum(dim=2) + self.time_memory
        c = self.embed_output(stories).sum(dim=2) + self.time_output
        u = self.embed_question(questions).sum(dim=1)
        for _ in range(self.hops):
            p = torch.softmax(torch.einsum("bsd,bd->bs", m, u), dim=-1)
            u = u + torch.einsum("bs,bsd->bd", p, c)
        return self.answer(u), p


class BagOfWords(MemoryNetwork):
    """The same embeddings with the addressing removed: the read is the plain average of every slot."""

    def forward(self, stories: torch.Tensor, questions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.embed_output(stories).sum(dim=2) + self.time_output
        u = self.embed_question(questions).sum(dim=1)
        p = torch.full(c.shape[:2], 1.0 / c.shape[1])
        return self.answer(u + c.mean(dim=1)), p


def train_reader(model: MemoryNetwork, stories: torch.Tensor, questions: torch.Tensor, answers: torch.Tensor,
                 epochs: int = 8, batch: int = 100, lr: float = 0.01, seed: int = 0) -> list[float]:
    """Minimise the answer's cross-entropy with Adam over shuffled minibatches; returns the loss per epoch."""
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(answers), generator=generator)
        total = 0.0
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            logits, _ = model(stories[idx], questions[idx])
            loss = nn.functional.cross_entropy(logits, answers[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(idx)
        losses.append(total / len(order))
    return losses


SHIFTS = (-1, 0, 1)


def shift_torch(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """w̃(i) = Σₖ s(k) w(i − k) over the shifts k in ``SHIFTS`` (Graves et al., eq. 8), batched over rows of ``w``."""
    return sum(s[..., n, None] * torch.roll(w, k, dims=-1) for n, k in enumerate(SHIFTS))


class CopyHeads(nn.Module):
    """A write head and a read head on an ``rows × width`` memory, for copying sequences of ``length`` vectors.

    The parameters are, for each step, logits of the write head's and the read head's distributions over the
    shifts −1, 0, +1, and the logits of the read head's starting weighting. The write head starts on the last row;
    at step t it shifts, then erases its rows fully and adds xₜ (eqs. 3–4). The read head then shifts once per step
    and reads rₜ = wₜᵀM (eq. 2). Nothing here is told to move by one row: gradient descent must find that.
    """

    def __init__(self, length: int, rows: int) -> None:
        super().__init__()
        if length < 1 or rows < length:
            raise ValueError(f"need 1 <= length <= rows; got length {length}, rows {rows}")
        self.rows = rows
        self.write_logits = nn.Parameter(0.1 * torch.randn(length, len(SHIFTS)))
        self.read_logits = nn.Parameter(0.1 * torch.randn(length, len(SHIFTS)))
        self.start_logits = nn.Parameter(0.1 * torch.randn(rows))

    def forward(self, sequence: torch.Tensor) -> dict[str, torch.Tensor]:
        """``sequence`` (batch, length, width) in [0, 1] -> reads (batch, length, width), both heads' weightings."""
        batch, length, width = sequence.shape
        memory = torch.zeros(batch, self.rows, width, dtype=sequence.dtype)
        w = torch.zeros(self.rows, dtype=sequence.dtype)
        w[-1] = 1.0
        writes, reads, outputs = [], [], []
        for t in range(length):
            w = shift_torch(w, torch.softmax(self.write_logits[t], -1))
            memory = memory * (1 - w[None, :, None]) + w[None, :, None] * sequence[:, t, None, :]
            writes.append(w)
        r = torch.softmax(self.start_logits, -1)
        for t in range(length):
            r = shift_torch(r, torch.softmax(self.read_logits[t], -1))
            outputs.append(torch.einsum("n,bnw->bw", r, memory))
            reads.append(r)
        return {"outputs": torch.stack(outputs, 1), "write_weights": torch.stack(writes),
                "read_weights": torch.stack(reads), "memory": memory}
