"""Recurrent networks from scratch in NumPy (§10): the vanilla RNN and back-propagation through time,
bidirectional RNNs, LSTM and GRU cells, leaky units, linear recurrences and gradient-norm clipping.

Shapes follow ``torch.nn.RNN``'s default layout: a sequence ``x`` is ``(τ, N, D)`` (time, batch, features)
and hidden states are ``(τ, N, H)``. Weight matrices act on column vectors as in the book (``W @ h``);
with a batch we write ``h @ W.T``. The helpers ``*_from_torch`` copy a torch module's weights into the
parameter records here, mapping torch's stacked gate order onto named gates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, class_labels
from dlbook.prob import log_softmax, sigmoid, softmax


# -- the vanilla RNN (§10.2, eqs. 10.8-10.11) ----------------------------------------------------------

@dataclass
class RNNParams:
    """Weights of the RNN of eqs. 10.8–10.11: input-to-hidden U (H×D), hidden-to-hidden W (H×H),
    hidden bias b (H), hidden-to-output V (K×H), output bias c (K)."""

    U: np.ndarray
    W: np.ndarray
    b: np.ndarray
    V: np.ndarray
    c: np.ndarray

    def __post_init__(self) -> None:
        self.U, self.W = as_array(self.U, "U", ndim=2), as_array(self.W, "W", ndim=2)
        self.b, self.V, self.c = as_array(self.b, "b", ndim=1), as_array(self.V, "V", ndim=2), as_array(self.c, "c", ndim=1)
        H = self.W.shape[0]
        if self.W.shape != (H, H) or self.U.shape[0] != H or self.b.shape != (H,) or self.V.shape[1] != H \
                or self.c.shape != (self.V.shape[0],):
            raise ValueError(f"RNNParams shapes must be U (H, D), W (H, H), b (H,), V (K, H), c (K,); got "
                             f"U {self.U.shape}, W {self.W.shape}, b {self.b.shape}, V {self.V.shape}, c {self.c.shape}")

    def names(self) -> tuple[str, ...]:
        return ("U", "W", "b", "V", "c")


def init_rnn(n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator, scale: float = 0.5) -> RNNParams:
    """Random RNN weights: entries N(0, scale²/fan-in), zero biases."""
    return RNNParams(U=rng.normal(0, scale / np.sqrt(n_in), (n_hidden, n_in)),
                     W=rng.normal(0, scale / np.sqrt(n_hidden), (n_hidden, n_hidden)), b=np.zeros(n_hidden),
                     V=rng.normal(0, scale / np.sqrt(n_hidden), (n_out, n_hidden)), c=np.zeros(n_out))


def _sequence(x: Any, n_in: int) -> np.ndarray:
    """``x`` as a float array of shape (τ, N, D) with D = ``n_in`` (a 2-D ``x`` is one sequence, N = 1)."""
    x = as_array(x, "x", ndim=(2, 3))
    x = x[:, None, :] if x.ndim == 2 else x
    if x.shape[-1] != n_in:
        raise ValueError(f"x must have {n_in} features in its last axis (the width of U); got shape {x.shape}")
    return x


def _initial_state(h0: Any, n: int, n_hidden: int) -> np.ndarray:
    if h0 is None:
        return np.zeros((n, n_hidden))
    h0 = as_array(h0, "h0", ndim=(1, 2))
    h0 = np.broadcast_to(h0, (n, h0.shape[-1])) if h0.ndim == 1 else h0
    if h0.shape != (n, n_hidden):
        raise ValueError(f"h0 must have shape ({n}, {n_hidden}) or ({n_hidden},); got {h0.shape}")
    return h0


def rnn_forward(p: RNNParams, x: Any, h0: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Unroll the RNN over time (§10.2, eqs. 10.8–10.10).

    a⁽ᵗ⁾ = b + W h⁽ᵗ⁻¹⁾ + U x⁽ᵗ⁾,  h⁽ᵗ⁾ = tanh(a⁽ᵗ⁾),  o⁽ᵗ⁾ = c + V h⁽ᵗ⁾.
    Returns the hidden states h⁽¹⁾…h⁽ᵗ⁾ (τ, N, H) and the outputs o⁽¹⁾…o⁽ᵗ⁾ (τ, N, K).
    The same U, W, b, V, c serve every step: parameter sharing across time.
    """
    x = _sequence(x, p.U.shape[1])
    h = _initial_state(h0, x.shape[1], p.W.shape[0])
    hs = []
    for x_t in x:                                   # one step after another: no parallelism over time
        h = np.tanh(p.b + h @ p.W.T + x_t @ p.U.T)
        hs.append(h)
    H = np.stack(hs)
    return H, p.c + H @ p.V.T


def rnn_loss(p: RNNParams, x: Any, y: Any, h0: Any = None) -> float:
    """The total negative log-likelihood L = −Σₜ Σₙ log ŷ⁽ᵗ⁾[y⁽ᵗ⁾] with ŷ = softmax(o) (eqs. 10.11–10.14)."""
    _, o = rnn_forward(p, x, h0)
    y = _labels(y, o.shape[:2], o.shape[2])
    logp = log_softmax(o, axis=-1)
    return float(-np.take_along_axis(logp, y[..., None], axis=-1).sum())


def _labels(y: Any, shape: tuple[int, int], n_classes: int) -> np.ndarray:
    y = np.asarray(y)
    y = y[:, None] if y.ndim == 1 and shape[1] == 1 else y
    return class_labels(y, n_classes, shape=shape, name="labels y")


def bptt(p: RNNParams, x: Any, y: Any, h0: Any = None) -> tuple[float, RNNParams]:
    """Back-propagation through time for the RNN of eqs. 10.8–10.11 (§10.2.2, eqs. 10.16–10.28).

    One forward sweep stores every h⁽ᵗ⁾; one backward sweep, from t = τ down to 1, carries
    ∇_h⁽ᵗ⁾L = Wᵀ diag(1 − (h⁽ᵗ⁺¹⁾)²) ∇_h⁽ᵗ⁺¹⁾L + Vᵀ ∇_o⁽ᵗ⁾L, with ∇_o⁽ᵗ⁾L = ŷ⁽ᵗ⁾ − 1_y⁽ᵗ⁾.
    Each shared weight's gradient is the sum over time of its per-step contributions.
    Returns the loss and the gradients, in an :class:`RNNParams` record.
    """
    x = _sequence(x, p.U.shape[1])
    h_prev0 = _initial_state(h0, x.shape[1], p.W.shape[0])
    H, o = rnn_forward(p, x, h_prev0)
    y = _labels(y, o.shape[:2], o.shape[2])
    logp = log_softmax(o, axis=-1)
    loss = float(-np.take_along_axis(logp, y[..., None], axis=-1).sum())
    d_o = softmax(o, axis=-1)
    np.put_along_axis(d_o, y[..., None], np.take_along_axis(d_o, y[..., None], axis=-1) - 1.0, axis=-1)  # eq. 10.18
    g = RNNParams(U=np.zeros_like(p.U), W=np.zeros_like(p.W), b=np.zeros_like(p.b), V=np.zeros_like(p.V),
                  c=np.zeros_like(p.c))
    d_a_next = np.zeros_like(h_prev0)               # diag(1 − h²) ∇_h L at step t + 1 (zero beyond τ)
    for t in reversed(range(len(x))):
        d_h = d_a_next @ p.W + d_o[t] @ p.V         # eqs. 10.19-10.21
        d_a = (1.0 - H[t] ** 2) * d_h               # through tanh
        h_prev = H[t - 1] if t > 0 else h_prev0
        g.c += d_o[t].sum(0); g.V += d_o[t].T @ H[t]            # eqs. 10.22, 10.24
        g.b += d_a.sum(0); g.W += d_a.T @ h_prev; g.U += d_a.T @ x[t]  # eqs. 10.23, 10.26, 10.28
        d_a_next = d_a
    return loss, g


def information_flow(p: RNNParams, x: Any, y: Any, h0: Any = None) -> tuple[float, np.ndarray]:
    """The information-flow regulariser of §10.11.2 (eq. 10.50; Pascanu et al. 2013) for the RNN of eqs. 10.8–10.11.

    With g⁽ᵗ⁾ = ∇_h⁽ᵗ⁾L (the full BPTT gradient, a row vector), each step's ratio
    rₜ = ‖g⁽ᵗ⁾ ∂h⁽ᵗ⁾/∂h⁽ᵗ⁻¹⁾‖ / ‖g⁽ᵗ⁾‖ says how much one step back shrinks (< 1) or grows (> 1) the gradient;
    Ω = Σₜ (rₜ − 1)². Here ∂h⁽ᵗ⁾/∂h⁽ᵗ⁻¹⁾ = diag(1 − (h⁽ᵗ⁾)²) W. Returns Ω and the ratios (τ, N), t = 1…τ.
    """
    x = _sequence(x, p.U.shape[1])
    h_prev0 = _initial_state(h0, x.shape[1], p.W.shape[0])
    H, o = rnn_forward(p, x, h_prev0)
    y = _labels(y, o.shape[:2], o.shape[2])
    d_o = softmax(o, axis=-1)
    np.put_along_axis(d_o, y[..., None], np.take_along_axis(d_o, y[..., None], axis=-1) - 1.0, axis=-1)
    ratios = np.empty(H.shape[:2])
    d_a_next = np.zeros_like(h_prev0)
    for t in reversed(range(len(x))):
        g = d_a_next @ p.W + d_o[t] @ p.V                   # ∇_h⁽ᵗ⁾L, as in bptt
        d_a_next = (1.0 - H[t] ** 2) * g
        back_one = d_a_next @ p.W                           # g⁽ᵗ⁾ ∂h⁽ᵗ⁾/∂h⁽ᵗ⁻¹⁾
        ratios[t] = np.linalg.norm(back_one, axis=-1) / np.maximum(np.linalg.norm(g, axis=-1), 1e-300)
    return float(np.sum((ratios - 1.0) ** 2)), ratios


def rnn_from_torch(rnn: Any, head: Any) -> RNNParams:
    """Copy a one-layer ``torch.nn.RNN`` (tanh) and a ``torch.nn.Linear`` output head into :class:`RNNParams`.

    torch computes tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh): U = W_ih, W = W_hh, b = b_ih + b_hh.
    """
    def arr(t: Any) -> np.ndarray:
        return t.detach().double().cpu().numpy()
    return RNNParams(U=arr(rnn.weight_ih_l0), W=arr(rnn.weight_hh_l0), b=arr(rnn.bias_ih_l0) + arr(rnn.bias_hh_l0),
                     V=arr(head.weight), c=arr(head.bias))


# -- bidirectional RNN (§10.3) -------------------------------------------------------------------------

def birnn_forward(forward: RNNParams, backward: RNNParams, x: Any) -> np.ndarray:
    """A bidirectional RNN (§10.3): h⁽ᵗ⁾ runs from the start, g⁽ᵗ⁾ from the end; returns [h⁽ᵗ⁾; g⁽ᵗ⁾], (τ, N, 2H).

    g⁽ᵗ⁾ = tanh(b' + W' g⁽ᵗ⁺¹⁾ + U' x⁽ᵗ⁾) is the same recurrence applied to the reversed sequence, so the
    state at t summarises the past through h and the future through g. (The output layers V, c are unused.)
    """
    x = _sequence(x, forward.U.shape[1])
    h, _ = rnn_forward(forward, x)
    g, _ = rnn_forward(backward, x[::-1])
    return np.concatenate([h, g[::-1]], axis=-1)


# -- gated cells (§10.10) ------------------------------------------------------------------------------

@dataclass
class Gate:
    """One affine map of a gated cell, b + U x + W h, with U (H×D), W (H×H), b (H).

    ``bh`` (H) is a second bias on the recurrent term that only torch's GRU candidate needs
    (it is multiplied by the reset gate there); elsewhere it is zero.
    """

    U: np.ndarray
    W: np.ndarray
    b: np.ndarray
    bh: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.U, self.W, self.b = as_array(self.U, "U", ndim=2), as_array(self.W, "W", ndim=2), as_array(self.b, "b", ndim=1)
        self.bh = np.zeros_like(self.b) if self.bh is None else as_array(self.bh, "bh", ndim=1)
        H = self.b.shape[0]
        if self.U.shape[0] != H or self.W.shape != (H, H) or self.bh.shape != (H,):
            raise ValueError(f"Gate shapes must be U (H, D), W (H, H), b (H,), bh (H,); got U {self.U.shape}, "
                             f"W {self.W.shape}, b {self.b.shape}, bh {self.bh.shape}")

    def input_part(self, x: np.ndarray) -> np.ndarray:
        return self.b + x @ self.U.T

    def recurrent_part(self, h: np.ndarray) -> np.ndarray:
        return self.bh + h @ self.W.T

    def __call__(self, x: np.ndarray, h: np.ndarray) -> np.ndarray:
        return self.input_part(x) + self.recurrent_part(h)


@dataclass
class LSTMParams:
    """The four affine maps of an LSTM cell (§10.10.1): forget f, input g, candidate, output q."""

    forget: Gate
    input: Gate
    candidate: Gate
    output: Gate


@dataclass
class GRUParams:
    """The three affine maps of a GRU cell (§10.10.2): update u, reset r, candidate."""

    update: Gate
    reset: Gate
    candidate: Gate


def _cell_inputs(x: Any, h: Any, n_in: int, n_hidden: int) -> tuple[np.ndarray, np.ndarray]:
    x = as_array(x, "x", ndim=(1, 2))
    h = as_array(h, "h", ndim=(1, 2))
    if x.shape[-1] != n_in or h.shape[-1] != n_hidden or x.shape[:-1] != h.shape[:-1]:
        raise ValueError(f"x must be (N, {n_in}) and h (N, {n_hidden}) with the same N; got {x.shape} and {h.shape}")
    return x, h


def lstm_cell(p: LSTMParams, x: Any, h: Any, s: Any) -> tuple[np.ndarray, np.ndarray]:
    """One step of an LSTM cell (§10.10.1, eqs. 10.40–10.44; Hochreiter & Schmidhuber 1997, Gers et al. 2000).

    f = σ(forget), g = σ(input), q = σ(output) are gates in (0, 1); the state is updated additively,
    s⁽ᵗ⁾ = f ⊙ s⁽ᵗ⁻¹⁾ + g ⊙ tanh(candidate), and the cell emits h⁽ᵗ⁾ = tanh(s⁽ᵗ⁾) ⊙ q.
    (Eq. 10.41 prints σ for the candidate's squashing; we use tanh, as torch and most implementations do.)
    Returns (h⁽ᵗ⁾, s⁽ᵗ⁾).
    """
    x, h = _cell_inputs(x, h, p.forget.U.shape[1], p.forget.W.shape[0])
    s = as_array(s, "s", ndim=h.ndim)
    if s.shape != h.shape:
        raise ValueError(f"s must have the shape of h {h.shape}; got {s.shape}")
    f = sigmoid(p.forget(x, h))
    g = sigmoid(p.input(x, h))
    q = sigmoid(p.output(x, h))
    s_new = f * s + g * np.tanh(p.candidate(x, h))
    return np.tanh(s_new) * q, s_new


def gru_cell(p: GRUParams, x: Any, h: Any, variant: str = "torch") -> np.ndarray:
    """One step of a gated recurrent unit (§10.10.2, eqs. 10.45–10.47; Cho et al. 2014).

    u = σ(update) and r = σ(reset); the new state mixes old and candidate, h⁽ᵗ⁾ = u ⊙ h⁽ᵗ⁻¹⁾ + (1 − u) ⊙ h̃.
    The two variants differ only in where r acts on the recurrent term of the candidate h̃:

    * ``"book"``: on the state before the matrix, h̃ = tanh(b + U x + W (r ⊙ h)) (eq. 10.45);
    * ``"torch"``: on the product, h̃ = tanh(b + U x + r ⊙ (W h + b_h)), as ``torch.nn.GRUCell`` and cuDNN
      do (Keras calls it ``reset_after``); one matrix product per step can then serve all three maps.
      Cho et al. (2014, eq. 8) use the ``"book"`` form.

    (Eq. 10.45 prints σ for the candidate's squashing; we use tanh, as torch does.)
    """
    if variant not in ("book", "torch"):
        raise ValueError(f"variant must be 'book' or 'torch'; got {variant!r}")
    x, h = _cell_inputs(x, h, p.update.U.shape[1], p.update.W.shape[0])
    u = sigmoid(p.update(x, h))
    r = sigmoid(p.reset(x, h))
    if variant == "book":
        candidate = np.tanh(p.candidate.input_part(x) + p.candidate.recurrent_part(r * h))
    else:
        candidate = np.tanh(p.candidate.input_part(x) + r * p.candidate.recurrent_part(h))
    return u * h + (1.0 - u) * candidate


def _torch_gates(cell: Any, n_gates: int) -> list[tuple[np.ndarray, ...]]:
    """Split a torch cell's stacked (n_gates·H, ·) weights into per-gate (U, W, b_ih, b_hh), in torch's order."""
    def arr(t: Any) -> np.ndarray:
        return t.detach().double().cpu().numpy()
    parts = [np.split(arr(t), n_gates, axis=0) for t in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
    return list(zip(*parts))


def lstm_from_torch(cell: Any) -> LSTMParams:
    """Copy a ``torch.nn.LSTMCell``: its rows are stacked in the gate order (i, f, g, o), i.e. our
    (input, forget, candidate, output); the two biases add."""
    i, f, g, o = (Gate(U, W, bi + bh) for U, W, bi, bh in _torch_gates(cell, 4))
    return LSTMParams(forget=f, input=i, candidate=g, output=o)


def gru_from_torch(cell: Any) -> GRUParams:
    """Copy a ``torch.nn.GRUCell``: rows stacked as (r, z, n) = our (reset, update, candidate).
    The candidate keeps b_hn apart, since torch multiplies it by the reset gate."""
    (Ur, Wr, br, cr), (Uz, Wz, bz, cz), (Un, Wn, bn, cn) = _torch_gates(cell, 3)
    return GRUParams(update=Gate(Uz, Wz, bz + cz), reset=Gate(Ur, Wr, br + cr), candidate=Gate(Un, Wn, bn, bh=cn))


# -- leaky units and linear recurrences (§10.7, §10.9.2) ---------------------------------------------

def leaky_unit(v: Any, alpha: float, mu0: float = 0.0) -> np.ndarray:
    """A leaky integrator μ⁽ᵗ⁾ = α μ⁽ᵗ⁻¹⁾ + (1 − α) v⁽ᵗ⁾ along axis 0 (§10.9.2).

    α near 1 remembers for about 1/(1 − α) steps; α = 0 forgets at once. ``alpha`` must be in [0, 1].
    """
    v = as_array(v, "v", ndim=(1, 2))
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1]; got {alpha}")
    mu = np.empty_like(v)
    m = np.full(v.shape[1:], float(mu0))
    for t, v_t in enumerate(v):
        m = alpha * m + (1.0 - alpha) * v_t
        mu[t] = m
    return mu


def linear_recurrence(W: Any, h0: Any, steps: int) -> np.ndarray:
    """Iterate h⁽ᵗ⁾ = Wᵀ h⁽ᵗ⁻¹⁾ (§10.7, eq. 10.36): returns h⁽⁰⁾…h⁽ˢᵗᵉᵖˢ⁾, shape (steps + 1, n)."""
    W = as_array(W, "W", ndim=2)
    h = as_array(h0, "h0", ndim=1)
    if W.shape != (h.size, h.size):
        raise ValueError(f"W must be square ({h.size}, {h.size}) to match h0; got {W.shape}")
    out = [h]
    for _ in range(int(steps)):
        h = W.T @ h
        out.append(h)
    return np.stack(out)


def symmetric_power_state(W: Any, h0: Any, t: int) -> np.ndarray:
    """h⁽ᵗ⁾ = Qᵀ Λᵗ Q h⁽⁰⁾ for a symmetric W (§10.7, eq. 10.39), where the rows of Q are orthonormal
    eigenvectors of W, so that W = Qᵀ Λ Q. (The book writes W = QΛQᵀ in eq. 10.38, with the eigenvectors
    as columns; with that Q the power is QΛᵗQᵀ. The two agree once Q is transposed.)"""
    W = as_array(W, "W", ndim=2)
    if W.shape[0] != W.shape[1] or not np.allclose(W, W.T, atol=1e-12):
        raise ValueError("W must be a symmetric square matrix (eq. 10.39 needs real orthogonal eigenvectors)")
    lam, vecs = np.linalg.eigh(W)
    Q = vecs.T                                       # rows are eigenvectors
    return Q.T @ (lam ** int(t) * (Q @ as_array(h0, "h0", ndim=1)))


def tanh_rnn_jacobians(W: Any, h0: Any, steps: int, x: Any = None, linear: bool = False
                       ) -> tuple[np.ndarray, np.ndarray]:
    """States and Jacobian norms of h⁽ᵗ⁾ = φ(W h⁽ᵗ⁻¹⁾ + x⁽ᵗ⁾), φ = tanh or the identity (§10.7).

    The Jacobian ∂h⁽ᵗ⁾/∂h⁽⁰⁾ = Πₖ diag(φ'(a⁽ᵏ⁾)) W is accumulated step by step; returns ‖h⁽ᵗ⁾‖ and its
    spectral norm for t = 0…steps (the t = 0 Jacobian is the identity).
    """
    W = as_array(W, "W", ndim=2)
    h = as_array(h0, "h0", ndim=1)
    n = h.size
    if W.shape != (n, n):
        raise ValueError(f"W must be ({n}, {n}) to match h0; got {W.shape}")
    x = np.zeros((int(steps), n)) if x is None else as_array(x, "x", ndim=2)
    if x.shape != (int(steps), n):
        raise ValueError(f"x must have shape (steps, n) = ({int(steps)}, {n}); got {x.shape}")
    J = np.eye(n)
    norms_h, norms_J = [np.linalg.norm(h)], [1.0]
    for t in range(int(steps)):
        a = W @ h + x[t]
        h = a if linear else np.tanh(a)
        d = np.ones(n) if linear else 1.0 - h ** 2
        J = d[:, None] * (W @ J)
        norms_h.append(np.linalg.norm(h))
        norms_J.append(np.linalg.norm(J, 2))
    return np.array(norms_h), np.array(norms_J)


# -- gradient clipping (§10.11.1) ----------------------------------------------------------------------

def clip_grad_norm(grads: Sequence[Any], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Clip the gradient by its norm (§10.11.1, eq. 10.48; Pascanu et al. 2013).

    With g the concatenation of all ``grads`` and v = ``max_norm``: if ‖g‖ > v then g ← g v / ‖g‖.
    The direction is kept, only the step length is bounded. Returns the clipped arrays and ‖g‖ before clipping.
    """
    v = check_positive(max_norm, "max_norm")
    gs = [as_array(g, f"grads[{i}]", ndim=None) for i, g in enumerate(grads)]
    if not gs:
        raise ValueError("grads must hold at least one array")
    m = max(float(np.max(np.abs(g), initial=0.0)) for g in gs)   # scale first: ‖g‖² may overflow
    norm = m * float(np.sqrt(sum(np.sum((g / m) ** 2) for g in gs))) if m > 0 else 0.0
    scale = v / norm if norm > v else 1.0
    return [g * scale for g in gs], norm


# -- echo state networks (§10.8) -----------------------------------------------------------------------

def scaled_reservoir(n: int, spectral_radius: float, seed: int = 0) -> np.ndarray:
    """A random recurrent matrix rescaled so that its spectral radius max|λᵢ| equals ``spectral_radius`` (§10.8)."""
    W = np.random.default_rng(seed).normal(size=(n, n))
    return W * (check_positive(spectral_radius, "spectral_radius", allow_zero=True) / np.max(np.abs(np.linalg.eigvals(W))))


def reservoir_states(W: Any, w_in: Any, u: Any) -> np.ndarray:
    """Drive a fixed reservoir h⁽ᵗ⁾ = tanh(W h⁽ᵗ⁻¹⁾ + w_in u⁽ᵗ⁾) from h⁽⁰⁾ = 0 (§10.8); returns (τ, n)."""
    W, w_in, u = as_array(W, "W", ndim=2), as_array(w_in, "w_in", ndim=1), as_array(u, "u", ndim=1)
    if W.shape != (w_in.size, w_in.size):
        raise ValueError(f"W must be ({w_in.size}, {w_in.size}) to match w_in; got {W.shape}")
    h, out = np.zeros(w_in.size), np.empty((u.size, w_in.size))
    for t, u_t in enumerate(u):
        h = np.tanh(W @ h + w_in * u_t)
        out[t] = h
    return out


def ridge_readout(states: Any, targets: Any, ridge: float = 1e-6) -> np.ndarray:
    """The only trained part of an echo state network: output weights V = argmin ‖S V − Y‖² + λ‖V‖²,
    solved in closed form, V = (SᵀS + λI)⁻¹ SᵀY (§10.8; a linear regression, §5.1.4)."""
    S, Y = as_array(states, "states", ndim=2), as_array(targets, "targets", ndim=(1, 2))
    if Y.shape[0] != S.shape[0]:
        raise ValueError(f"targets must have one row per state ({S.shape[0]}); got {Y.shape[0]}")
    lam = check_positive(ridge, "ridge", allow_zero=True)
    return np.linalg.solve(S.T @ S + lam * np.eye(S.shape[1]), S.T @ Y)


def memory_capacity(spectral_radius: float, n: int = 50, max_delay: int = 40, steps: int = 1200,
                    washout: int = 100, input_scale: float = 0.5, seed: int = 0) -> np.ndarray:
    """Jaeger's short-term memory curve of an echo state network (§10.8; Jaeger 2001).

    Feed i.i.d. uniform input u⁽ᵗ⁾ to a reservoir with the given spectral radius, fit one ridge readout per
    delay k to recall u⁽ᵗ⁻ᵏ⁾ from h⁽ᵗ⁾, and return the squared correlation r²ₖ of each recall, k = 1…max_delay,
    on held-out steps. The memory capacity is their sum (at most n for n units).
    """
    n, max_delay, steps, washout = (check_int(v, name, low=1) for v, name in
                                    ((n, "n"), (max_delay, "max_delay"), (steps, "steps"), (washout, "washout")))
    if max_delay > washout or steps - washout < 4:
        raise ValueError(f"need max_delay <= washout (the recall target u⁽ᵗ⁻ᵏ⁾ must exist) and at least 4 steps "
                         f"after the washout; got max_delay {max_delay}, washout {washout}, steps {steps}")
    rng = np.random.default_rng(seed + 1)
    u = rng.uniform(-1.0, 1.0, size=steps)
    w_in = rng.uniform(-input_scale, input_scale, size=n)
    S = reservoir_states(scaled_reservoir(n, spectral_radius, seed), w_in, u)
    ks = np.arange(1, max_delay + 1)
    rows = np.arange(washout, steps)
    Y = u[rows[:, None] - ks[None, :]]                       # column k: the input k steps back
    half = len(rows) // 2
    V = ridge_readout(S[rows[:half]], Y[:half])
    pred, true = S[rows[half:]] @ V, Y[half:]
    pc, tc = pred - pred.mean(0), true - true.mean(0)
    return (pc * tc).sum(0) ** 2 / ((pc ** 2).sum(0) * (tc ** 2).sum(0) + 1e-300)


# -- a cliff in the loss of a one-unit RNN (§10.11.1, fig. 10.17) -----------------------------------------

def cliff_loss(w: Any, b: Any, steps: int = 30, x0: float = 0.5, target: float = 0.7) -> tuple[Any, Any, Any]:
    """The loss (x⁽ᵗ⁾ − target)² of the one-unit recurrence x⁽ᵗ⁾ = w σ(x⁽ᵗ⁻¹⁾) + b after ``steps`` steps,
    and its gradient (∂L/∂w, ∂L/∂b) by forward-mode differentiation through time (after Pascanu et al. 2013).

    For some (w, b) the map has two stable fixed points; crossing the boundary of their basins moves x⁽ᵗ⁾
    from one to the other, so the loss jumps: a cliff whose gradient grows with ``steps``. Broadcasts w and b.
    """
    w, b = as_array(w, "w"), as_array(b, "b")
    x = np.full(np.broadcast(w, b).shape, float(x0))
    dw, db = np.zeros_like(x), np.zeros_like(x)
    for _ in range(int(steps)):
        s = 0.5 * (1.0 + np.tanh(0.5 * x))            # σ(x), with no overflow for any x
        ds = s * (1.0 - s)
        dw, db = s + w * ds * dw, 1.0 + w * ds * db     # chain rule applied step by step
        x = w * s + b
    r = x - target
    return r ** 2, 2 * r * dw, 2 * r * db


def _cliff_gradient(w: float, b: float, steps: int, x0: float = 0.5, target: float = 0.7) -> tuple[float, float]:
    """Scalar fast path of :func:`cliff_loss`'s gradient (plain floats: the descent loop calls it often)."""
    x, dw, db = x0, 0.0, 0.0
    for _ in range(steps):
        s = 0.5 * (1.0 + math.tanh(0.5 * x))
        ds = s * (1.0 - s)
        dw, db = s + w * ds * dw, 1.0 + w * ds * db
        x = w * s + b
    return 2 * (x - target) * dw, 2 * (x - target) * db


def descent_path(start: Sequence[float], lr: float, n_steps: int, clip: float | None = None,
                 steps: int = 30) -> np.ndarray:
    """Gradient descent on :func:`cliff_loss` from ``start`` = (w, b); with ``clip`` the gradient norm is first
    clipped at that threshold, g ← g v/‖g‖ if ‖g‖ > v (eq. 10.48). Returns the (n_steps + 1, 2) path."""
    w, b = (float(v) for v in as_array(start, "start", ndim=1))
    lr = check_positive(lr, "lr")
    v = None if clip is None else check_positive(clip, "clip")
    path = [(w, b)]
    for _ in range(int(n_steps)):
        gw, gb = _cliff_gradient(w, b, int(steps))
        norm = math.hypot(gw, gb)
        if v is not None and norm > v:
            gw, gb = gw * v / norm, gb * v / norm
        w, b = w - lr * gw, b - lr * gb
        path.append((w, b))
    return np.array(path)
