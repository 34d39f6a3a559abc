"""Trainable recurrent models in PyTorch (§10.2, §10.10): a sequence regressor with an RNN or LSTM
body for long-range tasks, a from-scratch GRU layer, and a character-level language model with sampling.

The from-scratch :class:`GRUCell` uses torch's parametrisation (reset gate applied to W h + b_h), so it
is interchangeable with ``torch.nn.GRUCell`` weight for weight; ``variant="book"`` applies the reset gate
to the state before the matrix, as eq. 10.45 does. Encoder–decoders (chapter 21) can reuse :class:`GRU`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import nn

from dlbook.checks import check_int, check_positive


class SequenceRegressor(nn.Module):
    """Read a sequence (N, τ, D) with a one-layer ``rnn`` (tanh) or ``lstm`` and predict one number from
    the last hidden state: the single-output design of §10.2 (fig. 10.5)."""

    def __init__(self, cell: str, n_in: int, n_hidden: int, forget_bias: float = 1.0) -> None:
        super().__init__()
        if cell not in ("rnn", "lstm"):
            raise ValueError(f"cell must be 'rnn' or 'lstm'; got {cell!r}")
        self.cell = cell
        self.body = (nn.RNN if cell == "rnn" else nn.LSTM)(n_in, n_hidden, batch_first=True)
        if cell == "lstm":                         # a positive forget-gate bias starts the cell remembering
            with torch.no_grad():                  # (Gers et al. 2000; Jozefowicz et al. 2015)
                self.body.bias_ih_l0[n_hidden:2 * n_hidden].fill_(forget_bias)
                self.body.bias_hh_l0[n_hidden:2 * n_hidden].zero_()
        self.head = nn.Linear(n_hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.body(x)
        return self.head(states[:, -1]).squeeze(-1)


@dataclass
class RegressionRun:
    """The result of :func:`train_sequence_regressor`: the model, its training curve and test error."""

    model: SequenceRegressor
    losses: np.ndarray
    test_mse: float


def train_sequence_regressor(cell: str, x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                             n_hidden: int = 32, steps: int = 400, batch: int = 64, lr: float = 1e-2,
                             clip: float = 1.0, seed: int = 0, forget_bias: float = 1.0) -> RegressionRun:
    """Train a :class:`SequenceRegressor` with Adam on the squared error, clipping the gradient norm at ``clip``.

    ``x`` is (N, τ, D) and ``y`` (N,), likewise the test pair; ``forget_bias`` initialises an LSTM's forget gates."""
    check_int(steps, "steps", low=1)
    check_int(batch, "batch", low=1)
    check_positive(lr, "lr")
    for xs, ys, name in ((x, y, "training"), (x_test, y_test, "test")):
        if np.ndim(xs) != 3 or np.shape(ys) != (np.shape(xs)[0],):
            raise ValueError(f"the {name} inputs must be (N, τ, D) with targets (N,); got {np.shape(xs)} and "
                             f"{np.shape(ys)}")
    torch.manual_seed(seed)
    model = SequenceRegressor(cell, x.shape[-1], n_hidden, forget_bias=forget_bias)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    X, Y = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    order = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        idx = torch.from_numpy(order.integers(0, len(X), batch))
        loss = torch.mean((model(X[idx]) - Y[idx]) ** 2)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        test = torch.mean((model(torch.tensor(x_test, dtype=torch.float32))
                           - torch.tensor(y_test, dtype=torch.float32)) ** 2).item()
    return RegressionRun(model=model, losses=np.array(losses), test_mse=float(test))


# -- a from-scratch GRU (§10.10.2) -----------------------------------------------------------------------

class GRUCell(nn.Module):
    """A GRU cell written out (§10.10.2, eqs. 10.45–10.47): u = σ(·), r = σ(·),
    h⁽ᵗ⁾ = u ⊙ h⁽ᵗ⁻¹⁾ + (1 − u) ⊙ tanh(candidate).

    Weights are stacked in torch's order (reset, update, candidate) so ``load_state_dict`` from an
    ``nn.GRUCell`` works. ``variant="torch"`` applies r to (W h + b_h); ``"book"`` to h before W.
    """

    def __init__(self, n_in: int, n_hidden: int, variant: str = "torch") -> None:
        super().__init__()
        if variant not in ("book", "torch"):
            raise ValueError(f"variant must be 'book' or 'torch'; got {variant!r}")
        self.n_hidden, self.variant = n_hidden, variant
        k = 1.0 / np.sqrt(n_hidden)
        self.weight_ih = nn.Parameter(torch.empty(3 * n_hidden, n_in).uniform_(-k, k))
        self.weight_hh = nn.Parameter(torch.empty(3 * n_hidden, n_hidden).uniform_(-k, k))
        self.bias_ih = nn.Parameter(torch.empty(3 * n_hidden).uniform_(-k, k))
        self.bias_hh = nn.Parameter(torch.empty(3 * n_hidden).uniform_(-k, k))

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        xr, xu, xn = (x @ self.weight_ih.T + self.bias_ih).chunk(3, dim=-1)
        Wr, Wu, Wn = self.weight_hh.chunk(3, dim=0)
        br, bu, bn = self.bias_hh.chunk(3)
        r = torch.sigmoid(xr + h @ Wr.T + br)
        u = torch.sigmoid(xu + h @ Wu.T + bu)
        if self.variant == "torch":
            candidate = torch.tanh(xn + r * (h @ Wn.T + bn))
        else:
            candidate = torch.tanh(xn + (r * h) @ Wn.T + bn)
        return u * h + (1.0 - u) * candidate


class GRU(nn.Module):
    """A one-layer GRU over a batch-first sequence (N, τ, D); returns all states (N, τ, H) and the last (N, H)."""

    def __init__(self, n_in: int, n_hidden: int, variant: str = "torch") -> None:
        super().__init__()
        self.cell = GRUCell(n_in, n_hidden, variant)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        h = x.new_zeros(x.shape[0], self.cell.n_hidden) if h is None else h
        states = []
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)
            states.append(h)
        return torch.stack(states, dim=1), h


# -- a character-level language model (§10.2.3) ----------------------------------------------------------

class CharLM(nn.Module):
    """p(next character | characters so far): embedding → GRU → softmax over the vocabulary.

    Symbol 0 is the boundary "." that starts and ends every word, so the model learns where names end.
    """

    def __init__(self, vocab: int, n_embed: int = 16, n_hidden: int = 64) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, n_embed)
        self.gru = nn.GRU(n_embed, n_hidden, batch_first=True)   # torch's fused kernel: same maths as GRU, faster
        self.out = nn.Linear(n_hidden, vocab)

    def forward(self, tokens: torch.Tensor, h: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        states, h = self.gru(self.embed(tokens), h)
        return self.out(states), h


def encode_words(words: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Pad words into an int array (n, L + 2): "." + word + "." then padding with -1; returns it and the alphabet."""
    alphabet = ["."] + sorted(set("".join(words)))
    index = {ch: i for i, ch in enumerate(alphabet)}
    L = max(len(w) for w in words) + 2
    out = np.full((len(words), L), -1, dtype=np.int64)
    for row, w in enumerate(words):
        seq = [0] + [index[ch] for ch in w] + [0]
        out[row, :len(seq)] = seq
    return out, alphabet


def char_lm_nll(model: CharLM, tokens: np.ndarray) -> float:
    """Mean negative log-likelihood (nats per predicted character) of padded words under teacher forcing."""
    T = torch.from_numpy(tokens)
    inputs, targets = T[:, :-1].clamp(min=0), T[:, 1:]
    with torch.no_grad():
        logits, _ = model(inputs)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                           ignore_index=-1).item()


def train_char_lm(tokens: np.ndarray, vocab: int, steps: int = 300, batch: int = 128, lr: float = 1e-2,
                  n_hidden: int = 64, seed: int = 0) -> tuple[CharLM, np.ndarray]:
    """Train :class:`CharLM` with teacher forcing (§10.2.1): at each step the *true* previous character is the
    input, and the loss is the cross-entropy of the next one. Returns the model and the loss curve."""
    check_int(steps, "steps", low=1)
    torch.manual_seed(seed)
    model = CharLM(vocab, n_hidden=n_hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        rows = tokens[rng.integers(0, len(tokens), batch)]
        rows = rows[:, : int((rows >= 0).sum(1).max())]           # trim shared padding
        T = torch.from_numpy(rows)
        logits, _ = model(T[:, :-1].clamp(min=0))
        loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), T[:, 1:].reshape(-1), ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return model, np.array(losses)


def sample_words(model: CharLM, alphabet: Sequence[str], n: int, max_len: int = 20, temperature: float = 1.0,
                 seed: int = 0) -> list[str]:
    """Sample ``n`` words by ancestral sampling (§10.2.3): feed each sampled character back as the next input
    and stop at the boundary symbol. Lower ``temperature`` sharpens the distribution."""
    check_positive(temperature, "temperature")
    gen = torch.Generator().manual_seed(seed)
    tok = torch.zeros(n, 1, dtype=torch.long)
    h, out, done = None, [[] for _ in range(n)], torch.zeros(n, dtype=torch.bool)
    with torch.no_grad():
        for _ in range(max_len):
            logits, h = model(tok, h)
            probs = torch.softmax(logits[:, -1] / temperature, dim=-1)
            tok = torch.multinomial(probs, 1, generator=gen)
            for i, k in enumerate(tok[:, 0].tolist()):
                if not done[i] and k != 0:
                    out[i].append(alphabet[k])
            done |= tok[:, 0] == 0
            if bool(done.all()):
                break
    return ["".join(w) for w in out]
