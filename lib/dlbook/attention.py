"""Attention, from scratch in NumPy: scores, soft lookup, masks, multi-head attention and a transformer block.

The alignment scores of Bahdanau et al. (2014) and Luong et al. (2015), the softmax that turns them into weights
(§12.4.5.1 of the source book), scaled dot-product attention and multi-head attention (Vaswani et al., 2017),
sinusoidal positional encodings, layer normalisation (Ba et al., 2016) and one transformer block with residual
paths (He et al., 2016). Shapes follow the convention "queries × keys": a query set ``Q`` of shape (..., n, d_k)
attends over keys ``K`` (..., m, d_k) and values ``V`` (..., m, d_v). Everything is float64; masks are boolean
arrays in which ``True`` means "this query may look at this key".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.prob import softmax

__all__ = [
    "additive_score",
    "attention_weights",
    "causal_mask",
    "concat_score",
    "diagonal_share",
    "dot_score",
    "general_score",
    "layer_norm",
    "multi_head_attention",
    "padding_mask",
    "scaled_dot_product_attention",
    "sinusoidal_positions",
    "transformer_block",
]


def _pair(q: Any, K: Any) -> tuple[np.ndarray, np.ndarray]:
    """A query (or queries) of shape (..., d) and keys (m, d) whose last dimensions agree."""
    q = as_array(q, "q", ndim=(1, 2))
    K = as_array(K, "K", ndim=2)
    if q.shape[-1] != K.shape[-1]:
        raise ValueError(f"q and K must have the same last dimension; got q {q.shape} and K {K.shape}")
    return q, K


def dot_score(q: Any, K: Any) -> np.ndarray:
    """Luong's dot score s_j = qᵀk_j for every key (row of ``K``); ``q`` may be one query (d,) or a stack (n, d)."""
    q, K = _pair(q, K)
    return q @ K.T


def general_score(q: Any, K: Any, W: Any) -> np.ndarray:
    """Luong's general (bilinear) score s_j = qᵀ W k_j, with W of shape (d_q, d_k)."""
    q = as_array(q, "q", ndim=(1, 2))
    K = as_array(K, "K", ndim=2)
    W = as_array(W, "W", ndim=2)
    if W.shape != (q.shape[-1], K.shape[-1]):
        raise ValueError(f"W must have shape (d_q, d_k) = {(q.shape[-1], K.shape[-1])}; got {W.shape}")
    return q @ W @ K.T


def additive_score(q: Any, K: Any, W: Any, U: Any, v: Any) -> np.ndarray:
    """Bahdanau's additive score s_j = vᵀ tanh(W q + U k_j), a one-hidden-layer network of query and key.

    ``W`` is (h, d_q), ``U`` is (h, d_k), ``v`` is (h,). Luong's concat score vᵀ tanh(W_a [q; k_j]) is the same
    function with W_a = [W U] (see :func:`concat_score`).
    """
    q = as_array(q, "q", ndim=(1, 2))
    K = as_array(K, "K", ndim=2)
    W, U, v = as_array(W, "W", ndim=2), as_array(U, "U", ndim=2), as_array(v, "v", ndim=1)
    h = v.shape[0]
    if W.shape != (h, q.shape[-1]) or U.shape != (h, K.shape[-1]):
        raise ValueError(f"W must be (h, d_q) = {(h, q.shape[-1])} and U (h, d_k) = {(h, K.shape[-1])}; "
                         f"got W {W.shape} and U {U.shape}")
    hidden = np.tanh((q @ W.T)[..., None, :] + K @ U.T)   # (..., m, h): one hidden layer per (query, key) pair
    return hidden @ v


def concat_score(q: Any, K: Any, Wa: Any, v: Any) -> np.ndarray:
    """Luong's concat score s_j = vᵀ tanh(W_a [q; k_j]) with W_a of shape (h, d_q + d_k)."""
    q = as_array(q, "q", ndim=(1, 2))
    Wa = as_array(Wa, "Wa", ndim=2)
    if Wa.shape[1] <= q.shape[-1]:
        raise ValueError(f"Wa must have more than d_q = {q.shape[-1]} columns; got shape {Wa.shape}")
    return additive_score(q, K, Wa[:, : q.shape[-1]], Wa[:, q.shape[-1]:], v)


def attention_weights(scores: Any, mask: Any = None, temperature: float = 1.0) -> np.ndarray:
    """Soft alignment a_j = exp(s_j / τ) / Σ_l exp(s_l / τ) over the last axis (§12.4.5.1).

    Keys where ``mask`` is False get weight exactly 0; every query must keep at least one key.
    """
    scores = as_array(scores, "scores")
    tau = check_positive(temperature, "temperature")
    if mask is not None:
        mask = _mask(mask, scores.shape)
        scores = np.where(mask, scores, -np.inf)
    return softmax(scores / tau, axis=-1)


def _mask(mask: Any, shape: tuple[int, ...]) -> np.ndarray:
    m = np.asarray(mask)
    if m.dtype != bool:
        raise ValueError(f"mask must be a boolean array (True = may attend); got dtype {m.dtype}")
    try:
        m = np.broadcast_to(m, shape)
    except ValueError as err:
        raise ValueError(f"mask of shape {m.shape} does not broadcast to the scores' shape {shape}") from err
    if not np.all(m.any(axis=-1)):
        raise ValueError("every query must be allowed to attend to at least one key (a mask row is all False)")
    return m


def scaled_dot_product_attention(Q: Any, K: Any, V: Any, mask: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """softmax(Q Kᵀ / √d_k) V (Vaswani et al., 2017, eq. 1); returns ``(output, weights)``.

    ``Q`` is (..., n, d_k), ``K`` (..., m, d_k), ``V`` (..., m, d_v); leading (batch, head) axes broadcast.
    Dividing by √d_k keeps the scores' variance at 1 when the entries of q and k are independent with unit variance.
    """
    Q, K, V = (as_array(a, name) for a, name in ((Q, "Q"), (K, "K"), (V, "V")))
    if min(Q.ndim, K.ndim, V.ndim) < 2:
        raise ValueError(f"Q, K and V must be at least 2-D; got shapes {Q.shape}, {K.shape}, {V.shape}")
    if Q.shape[-1] != K.shape[-1] or K.shape[-2] != V.shape[-2]:
        raise ValueError(f"need Q (..., n, d_k), K (..., m, d_k), V (..., m, d_v); got {Q.shape}, {K.shape}, "
                         f"{V.shape}")
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    weights = attention_weights(scores, mask)
    return weights @ V, weights


def causal_mask(n: int, m: int | None = None) -> np.ndarray:
    """Boolean (n, m) mask with True where key j ≤ query i: position i sees only itself and the past."""
    n = check_int(n, "n", low=1)
    m = n if m is None else check_int(m, "m", low=1)
    return np.tril(np.ones((n, m), dtype=bool))


def padding_mask(lengths: Any, m: int) -> np.ndarray:
    """Boolean (batch, 1, m) mask hiding the padded keys: sequence b has its first ``lengths[b]`` keys real."""
    m = check_int(m, "m", low=1)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or lengths.dtype.kind not in "iu" or np.any(lengths < 1) or np.any(lengths > m):
        raise ValueError(f"lengths must be a 1-D integer array with entries in [1, {m}]; got {lengths!r}")
    return (np.arange(m)[None, :] < lengths[:, None])[:, None, :]


def diagonal_share(weights: Any, anti: bool = True) -> float:
    """The share of attention mass on the (anti-)diagonal of square (…, T, T) weight maps: 1 for perfect reversal."""
    w = as_array(weights, "weights")
    if w.ndim < 2 or w.shape[-1] != w.shape[-2]:
        raise ValueError(f"weights must end in a square (T, T) map; got shape {w.shape}")
    if np.any(w < 0) or not w.sum() > 0:
        raise ValueError("weights must be non-negative with a positive total")
    T = w.shape[-1]
    cols = T - 1 - np.arange(T) if anti else np.arange(T)
    return float(w[..., np.arange(T), cols].sum() / w.sum())


def _split_heads(X: np.ndarray, h: int) -> np.ndarray:
    """(..., n, d) → (..., h, n, d/h)."""
    *lead, n, d = X.shape
    return np.swapaxes(X.reshape(*lead, n, h, d // h), -2, -3)


def multi_head_attention(Xq: Any, Xkv: Any, params: dict[str, Any], n_heads: int,
                         mask: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Multi-head attention (Vaswani et al., 2017, §3.2.2): h scaled dot-product attentions on learned projections.

    ``params`` holds ``Wq``, ``Wk``, ``Wv``, ``Wo`` (each d × d, applied as ``X @ W``) and optional biases ``bq``,
    ``bk``, ``bv``, ``bo``. Head i uses columns i·d/h … (i+1)·d/h of each projection. Returns the output
    (..., n, d) and the weights (..., h, n, m).
    """
    Xq, Xkv = as_array(Xq, "Xq"), as_array(Xkv, "Xkv")
    h = check_int(n_heads, "n_heads", low=1)
    d = Xq.shape[-1]
    if d % h or Xkv.shape[-1] != d:
        raise ValueError(f"the model width {d} must equal Xkv's ({Xkv.shape[-1]}) and be divisible by n_heads={h}")
    _require(params, ("Wq", "Wk", "Wv", "Wo"))
    p = {k: as_array(params[k], k) for k in ("Wq", "Wk", "Wv", "Wo")}
    b = {k: as_array(params.get(k, np.zeros(d)), k) for k in ("bq", "bk", "bv", "bo")}
    if any(W.shape != (d, d) for W in p.values()) or any(v.shape != (d,) for v in b.values()):
        raise ValueError(f"Wq, Wk, Wv and Wo must all be ({d}, {d}) and the biases ({d},)")
    Q = _split_heads(Xq @ p["Wq"] + b["bq"], h)
    K = _split_heads(Xkv @ p["Wk"] + b["bk"], h)
    V = _split_heads(Xkv @ p["Wv"] + b["bv"], h)
    heads, weights = scaled_dot_product_attention(Q, K, V, mask)          # (..., h, n, d/h)
    concat = np.swapaxes(heads, -2, -3).reshape(*Xq.shape)              # heads side by side: (..., n, d)
    return concat @ p["Wo"] + b["bo"], weights


def _require(params: dict[str, Any], keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected the keys {list(keys)}")


def sinusoidal_positions(n: int, d: int) -> np.ndarray:
    """The (n, d) sinusoidal encoding: PE[t, 2i] = sin(t / 10000^{2i/d}), PE[t, 2i+1] = cos(same)."""
    n = check_int(n, "n", low=1)
    d = check_int(d, "d", low=2)
    if d % 2:
        raise ValueError(f"d must be even (sine and cosine pairs); got {d}")
    t = np.arange(n)[:, None]
    freq = 10000.0 ** (-np.arange(0, d, 2) / d)
    pe = np.empty((n, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(t * freq), np.cos(t * freq)
    return pe


def layer_norm(x: Any, gamma: Any = None, beta: Any = None, eps: float = 1e-5) -> np.ndarray:
    """Layer normalisation (Ba et al., 2016): standardise each vector over its features, then scale and shift."""
    x = as_array(x, "x")
    eps = check_positive(eps, "eps")
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)          # the biased (1/d) variance, as in the paper and torch
    y = (x - mu) / np.sqrt(var + eps)
    gamma = np.ones(x.shape[-1]) if gamma is None else as_array(gamma, "gamma", ndim=1)
    beta = np.zeros(x.shape[-1]) if beta is None else as_array(beta, "beta", ndim=1)
    if gamma.shape != (x.shape[-1],) or beta.shape != (x.shape[-1],):
        raise ValueError(f"gamma and beta must have shape ({x.shape[-1]},); got {gamma.shape} and {beta.shape}")
    return y * gamma + beta


def transformer_block(X: Any, params: dict[str, Any], n_heads: int, mask: Any = None,
                      norm_first: bool = False) -> np.ndarray:
    """One transformer block: self-attention and a ReLU feed-forward net, each on a residual path with layer norm.

    Post-norm (Vaswani et al., 2017): X ← LN(X + MHA(X)), X ← LN(X + FFN(X)). Pre-norm (``norm_first``):
    X ← X + MHA(LN(X)), X ← X + FFN(LN(X)). ``params`` holds the attention weights of
    :func:`multi_head_attention`, ``W1`` (d, f), ``b1``, ``W2`` (f, d), ``b2`` and the norms' ``g1``, ``be1``,
    ``g2``, ``be2``.
    """
    X = as_array(X, "X")
    _require(params, ("W1", "b1", "W2", "b2", "g1", "be1", "g2", "be2"))

    def attend(Z: np.ndarray) -> np.ndarray:
        return multi_head_attention(Z, Z, params, n_heads, mask)[0]

    def ffn(Z: np.ndarray) -> np.ndarray:
        return np.maximum(Z @ params["W1"] + params["b1"], 0.0) @ params["W2"] + params["b2"]

    def ln1(Z: np.ndarray) -> np.ndarray:
        return layer_norm(Z, params["g1"], params["be1"])

    def ln2(Z: np.ndarray) -> np.ndarray:
        return layer_norm(Z, params["g2"], params["be2"])

    if norm_first:
        X = X + attend(ln1(X))
        return X + ffn(ln2(X))
    X = ln1(X + attend(X))
    return ln2(X + ffn(X))
