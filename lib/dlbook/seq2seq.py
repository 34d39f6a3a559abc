"""A GRU encoder–decoder with Luong-style attention, in PyTorch (§10.4; Bahdanau et al., 2014; Luong et al., 2015).

The encoder reads the source with a GRU and keeps every hidden state h̄_1 … h̄_T (the "memory" the decoder can
consult). The decoder is a GRU language model over the target conditioned on the source. With ``score=None`` it sees
the source only through its initial state, the encoder's last hidden state (the fixed-vector bottleneck of Cho et al.,
2014 and Sutskever et al., 2014). Otherwise, at each step t it scores its state h_t against every h̄_s, turns the
scores into weights a_t with a softmax, forms the context c_t = Σ_s a_t(s) h̄_s and predicts from the attentional
state h̃_t = tanh(W_c [c_t; h_t]). With ``input_feeding`` h̃_{t−1} is also fed into the next step's input.
The from-scratch score functions live in :mod:`dlbook.attention`; the notebook checks this model against them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlbook.attention import diagonal_share
from dlbook.checks import check_int, check_positive

__all__ = ["AttentionSeq2Seq", "TrainResult", "train_seq2seq", "diagonal_share"]

SCORES = (None, "dot", "general", "concat")


class AttentionSeq2Seq(nn.Module):
    """Embedding → GRU encoder; GRU-cell decoder with optional attention over the encoder states."""

    def __init__(self, vocab: int, hidden: int = 64, score: str | None = "dot", input_feeding: bool = False,
                 bridge: bool | None = None) -> None:
        super().__init__()
        if score not in SCORES:
            raise ValueError(f"score must be one of {SCORES}; got {score!r}")
        self.vocab, self.hidden = check_int(vocab, "vocab", low=2), check_int(hidden, "hidden", low=1)
        self.score, self.input_feeding = score, bool(input_feeding and score is not None)
        # bridge: start the decoder from the encoder's last state (always, without attention)
        self.bridge = score is None or (bool(bridge) if bridge is not None else False)
        self.bos = vocab                                   # an extra token that starts every decoding
        self.src_embed = nn.Embedding(vocab, hidden)
        self.tgt_embed = nn.Embedding(vocab + 1, hidden)
        if hidden % 2:
            raise ValueError(f"hidden must be even (half for each direction of the encoder); got {hidden}")
        self.encoder = nn.GRU(hidden, hidden // 2, batch_first=True, bidirectional=True)
        self.decoder = nn.GRUCell(hidden * (2 if self.input_feeding else 1), hidden)
        if score == "general":
            self.W_a = nn.Linear(hidden, hidden, bias=False)
        if score == "concat":
            self.W_a = nn.Linear(2 * hidden, hidden, bias=False)
            self.v_a = nn.Linear(hidden, 1, bias=False)
        if score is not None:
            self.W_c = nn.Linear(2 * hidden, hidden, bias=False)
        self.out = nn.Linear(hidden, vocab)

    def scores(self, h: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
        """Luong's scores of the decoder state h (B, d) against the encoder states H (B, T, d): shape (B, T)."""
        if self.score == "dot":
            return torch.einsum("bd,btd->bt", h, H)
        if self.score == "general":
            return torch.einsum("bd,btd->bt", h, self.W_a(H))
        pair = torch.cat([h[:, None, :].expand_as(H), H], dim=-1)
        return self.v_a(torch.tanh(self.W_a(pair)))[..., 0]

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forced logits (B, T_out, vocab) and attention weights (B, T_out, T_in; zeros without attention)."""
        H, last = self.encoder(self.src_embed(src))         # H: (B, T, d), forward and backward halves side by side
        h = torch.cat([last[0], last[1]], dim=-1)             # each direction's final state: the whole source seen
        h = h if self.bridge else torch.zeros_like(h)
        B, T_out = tgt_in.shape
        feed = H.new_zeros(B, self.hidden)
        logits, weights, states = [], [], []
        for t in range(T_out):
            x = self.tgt_embed(tgt_in[:, t])
            h = self.decoder(torch.cat([x, feed], dim=-1) if self.input_feeding else x, h)
            states.append(h)
            if self.score is None:
                logits.append(self.out(h))
                weights.append(H.new_zeros(B, H.shape[1]))
                continue
            a = torch.softmax(self.scores(h, H), dim=-1)
            context = torch.einsum("bt,btd->bd", a, H)
            h_tilde = torch.tanh(self.W_c(torch.cat([context, h], dim=-1)))
            feed = h_tilde
            logits.append(self.out(h_tilde))
            weights.append(a)
        self.last_states = (H.detach(), torch.stack(states, 1).detach())   # for checks: encoder and decoder states
        return torch.stack(logits, 1), torch.stack(weights, 1)

    @torch.no_grad()
    def greedy(self, src: torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Decode ``length`` tokens, each the argmax given the model's own previous outputs."""
        tokens = torch.full((src.shape[0], 1), self.bos, dtype=torch.long, device=src.device)
        for _ in range(length):
            logits, weights = self.forward(src, tokens)
            tokens = torch.cat([tokens, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
        return tokens[:, 1:], weights


@dataclass
class TrainResult:
    """Losses per step and the wall-clock seconds the training took."""

    losses: np.ndarray
    seconds: float


def teacher_inputs(tgt: torch.Tensor, bos: int) -> torch.Tensor:
    """The decoder's teacher-forced inputs: BOS followed by the target shifted right by one."""
    return torch.cat([torch.full_like(tgt[:, :1], bos), tgt[:, :-1]], dim=1)


def train_seq2seq(model: AttentionSeq2Seq, src: np.ndarray, tgt: np.ndarray, steps: int = 1000,
                  batch: int = 64, lr: float = 3e-3, seed: int = 0) -> TrainResult:
    """Adam on the teacher-forced cross-entropy −Σ_t log p(y_t | y_<t, x) over random minibatches."""
    steps, batch = check_int(steps, "steps", low=1), check_int(batch, "batch", low=1)
    lr = check_positive(lr, "lr")
    if src.shape[0] != tgt.shape[0]:
        raise ValueError(f"src and tgt must have the same number of rows; got {src.shape[0]} and {tgt.shape[0]}")
    dev = next(model.parameters()).device
    S, Y = torch.as_tensor(src, device=dev), torch.as_tensor(tgt, device=dev)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = np.empty(steps)
    start = time.perf_counter()
    for i in range(steps):
        idx = torch.randint(0, S.shape[0], (batch,), generator=gen).to(dev)
        logits, _ = model(S[idx], teacher_inputs(Y[idx], model.bos))
        loss = nn.functional.cross_entropy(logits.reshape(-1, model.vocab), Y[idx].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
    return TrainResult(losses, time.perf_counter() - start)
