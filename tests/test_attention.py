"""dlbook.attention against torch.nn.functional and torch.nn (float64, tolerance 1e-10 unless stated)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.attention import (additive_score, attention_weights, causal_mask, concat_score, dot_score,
                              general_score, layer_norm, multi_head_attention, padding_mask,
                              scaled_dot_product_attention, sinusoidal_positions, transformer_block)

RNG = np.random.default_rng(0)


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64)


def test_scores_match_their_formulas_in_torch() -> None:
    q, K = RNG.standard_normal(4), RNG.standard_normal((6, 3))
    W = RNG.standard_normal((4, 3))
    Wq, Uk, v = RNG.standard_normal((5, 4)), RNG.standard_normal((5, 3)), RNG.standard_normal(5)
    assert np.allclose(dot_score(K[0], K), (_t(K) @ _t(K[0])).numpy())
    assert np.allclose(general_score(q, K, W), (_t(K) @ _t(W).T @ _t(q)).numpy())
    expected = torch.tanh(_t(q) @ _t(Wq).T + _t(K) @ _t(Uk).T) @ _t(v)
    assert np.allclose(additive_score(q, K, Wq, Uk, v), expected.numpy())
    # concat with W_a = [W U] is the additive score
    assert np.allclose(concat_score(q, K, np.hstack([Wq, Uk]), v), expected.numpy())
    # a stack of queries gives one row of scores per query
    Qs = RNG.standard_normal((2, 4))
    assert additive_score(Qs, K, Wq, Uk, v).shape == (2, 6)
    assert np.allclose(additive_score(Qs, K, Wq, Uk, v)[1], additive_score(Qs[1], K, Wq, Uk, v))


@pytest.mark.parametrize("tau", [0.1, 1.0, 7.0])
def test_weights_sum_to_one_and_match_torch_softmax(tau: float) -> None:
    s = RNG.standard_normal((3, 5)) * 10
    a = attention_weights(s, temperature=tau)
    assert np.allclose(a.sum(-1), 1.0)
    assert np.allclose(a, F.softmax(_t(s) / tau, dim=-1).numpy())
    assert np.all(np.isfinite(attention_weights(np.array([1e4, -1e4, 0.0]))))


def test_sdpa_matches_torch_with_and_without_masks() -> None:
    Q, K, V = RNG.standard_normal((2, 3, 4, 8)), RNG.standard_normal((2, 3, 6, 8)), RNG.standard_normal((2, 3, 6, 5))
    out, w = scaled_dot_product_attention(Q, K, V)
    assert np.allclose(out, F.scaled_dot_product_attention(_t(Q), _t(K), _t(V)).numpy(), atol=1e-12)
    assert np.allclose(w.sum(-1), 1.0)
    m = RNG.random((2, 1, 4, 6)) < 0.6
    m[..., 0] = True
    out_m, w_m = scaled_dot_product_attention(Q, K, V, m)
    ref = F.scaled_dot_product_attention(_t(Q), _t(K), _t(V), attn_mask=torch.tensor(m))
    assert np.allclose(out_m, ref.numpy(), atol=1e-12)
    assert np.all(w_m[~np.broadcast_to(m, w_m.shape)] == 0.0)


def test_causal_mask_matches_is_causal() -> None:
    X = RNG.standard_normal((2, 7, 4))
    out, w = scaled_dot_product_attention(X, X, X, causal_mask(7))
    ref = F.scaled_dot_product_attention(_t(X), _t(X), _t(X), is_causal=True)
    assert np.allclose(out, ref.numpy(), atol=1e-12)
    assert np.all(np.triu(w[0], 1) == 0)
    assert causal_mask(3, 5).shape == (3, 5) and causal_mask(3, 5)[0].sum() == 1


def test_padding_mask_hides_the_padded_keys() -> None:
    m = padding_mask(np.array([2, 4]), 4)
    assert m.shape == (2, 1, 4) and m[0, 0].tolist() == [True, True, False, False]
    X = RNG.standard_normal((2, 4, 3))
    out, _ = scaled_dot_product_attention(X, X, X, m)
    short, _ = scaled_dot_product_attention(X[:1], X[:1, :2], X[:1, :2])
    assert np.allclose(out[0], short[0])          # padding changes nothing for the real keys


def test_multi_head_attention_matches_torch_with_copied_weights() -> None:
    torch.manual_seed(0)
    d, h = 12, 3
    mha = torch.nn.MultiheadAttention(d, h, batch_first=True, dtype=torch.float64)
    Wi, bi = mha.in_proj_weight.detach().numpy(), mha.in_proj_bias.detach().numpy()
    bi = bi + RNG.standard_normal(bi.shape)              # nonzero biases, so they are tested too
    with torch.no_grad():
        mha.in_proj_bias.copy_(_t(bi))
        mha.out_proj.bias.copy_(_t(RNG.standard_normal(d)))
    p = {"Wq": Wi[:d].T, "Wk": Wi[d:2 * d].T, "Wv": Wi[2 * d:].T, "Wo": mha.out_proj.weight.detach().numpy().T,
         "bq": bi[:d], "bk": bi[d:2 * d], "bv": bi[2 * d:], "bo": mha.out_proj.bias.detach().numpy()}
    Xq, Xkv = RNG.standard_normal((2, 5, d)), RNG.standard_normal((2, 7, d))
    out, w = multi_head_attention(Xq, Xkv, p, h)
    ref, ref_w = mha(_t(Xq), _t(Xkv), _t(Xkv), average_attn_weights=False)
    assert np.allclose(out, ref.detach().numpy(), atol=1e-12)
    assert np.allclose(w, ref_w.detach().numpy(), atol=1e-12)
    Xs = Xq[:, :5]
    out_c, _ = multi_head_attention(Xs, Xs, p, h, causal_mask(5))
    ref_c, _ = mha(_t(Xs), _t(Xs), _t(Xs), attn_mask=~torch.tensor(causal_mask(5)))  # torch: True = blocked
    assert np.allclose(out_c, ref_c.detach().numpy(), atol=1e-12)


def test_layer_norm_and_positions() -> None:
    x = RNG.standard_normal((3, 6)) * 5 + 2
    g, b = RNG.standard_normal(6), RNG.standard_normal(6)
    assert np.allclose(layer_norm(x, g, b), F.layer_norm(_t(x), (6,), _t(g), _t(b)).numpy())
    pe = sinusoidal_positions(50, 16)
    assert np.allclose(pe[:, 0], np.sin(np.arange(50))) and np.allclose(pe[:, 1], np.cos(np.arange(50)))
    assert np.allclose(pe[:, 14], np.sin(np.arange(50) / 10000 ** (14 / 16)))


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_block_matches_torch_encoder_layer(norm_first: bool) -> None:
    torch.manual_seed(1)
    d, h, f = 8, 2, 16
    layer = torch.nn.TransformerEncoderLayer(d, h, f, dropout=0.0, batch_first=True, norm_first=norm_first,
                                             dtype=torch.float64).eval()
    sa = layer.self_attn
    Wi, bi = sa.in_proj_weight.detach().numpy(), sa.in_proj_bias.detach().numpy()
    p = {"Wq": Wi[:d].T, "Wk": Wi[d:2 * d].T, "Wv": Wi[2 * d:].T, "bq": bi[:d], "bk": bi[d:2 * d],
         "bv": bi[2 * d:], "Wo": sa.out_proj.weight.detach().numpy().T, "bo": sa.out_proj.bias.detach().numpy(),
         "W1": layer.linear1.weight.detach().numpy().T, "b1": layer.linear1.bias.detach().numpy(),
         "W2": layer.linear2.weight.detach().numpy().T, "b2": layer.linear2.bias.detach().numpy(),
         "g1": layer.norm1.weight.detach().numpy(), "be1": layer.norm1.bias.detach().numpy(),
         "g2": layer.norm2.weight.detach().numpy(), "be2": layer.norm2.bias.detach().numpy()}
    X = RNG.standard_normal((2, 6, d))
    with torch.no_grad():
        ref = layer(_t(X), src_mask=torch.nn.Transformer.generate_square_subsequent_mask(6, dtype=torch.float64),
                    is_causal=True).numpy()
    assert np.allclose(transformer_block(X, p, h, causal_mask(6), norm_first=norm_first), ref, atol=1e-10)


def test_bad_inputs_raise_clear_errors() -> None:
    K = np.ones((3, 2))
    with pytest.raises(ValueError, match="same last dimension"):
        dot_score(np.ones(3), K)
    with pytest.raises(ValueError, match="W must have shape"):
        general_score(np.ones(2), K, np.ones((3, 3)))
    with pytest.raises(ValueError, match="W must be"):
        additive_score(np.ones(2), K, np.ones((4, 2)), np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="temperature"):
        attention_weights(np.ones(3), temperature=0.0)
    with pytest.raises(ValueError, match="boolean"):
        attention_weights(np.ones(3), mask=np.ones(3))
    with pytest.raises(ValueError, match="at least one key"):
        attention_weights(np.ones((2, 3)), mask=np.array([[True, False, False], [False, False, False]]))
    with pytest.raises(ValueError, match="broadcast"):
        attention_weights(np.ones((2, 3)), mask=np.ones((2, 2), dtype=bool))
    with pytest.raises(ValueError, match="finite"):
        attention_weights(np.array([np.nan, 1.0]))
    with pytest.raises(ValueError, match="need Q"):
        scaled_dot_product_attention(np.ones((2, 3)), np.ones((4, 2)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="divisible"):
        multi_head_attention(np.ones((2, 6)), np.ones((2, 6)), {}, 4)
    with pytest.raises(ValueError, match="even"):
        sinusoidal_positions(4, 5)
    with pytest.raises(ValueError, match="lengths"):
        padding_mask(np.array([0, 2]), 3)
    with pytest.raises(ValueError, match="n"):
        causal_mask(0)


def test_extreme_but_valid_inputs_stay_finite() -> None:
    Q, K, V = RNG.standard_normal((4, 8)) * 1e3, RNG.standard_normal((5, 8)) * 1e3, RNG.standard_normal((5, 3))
    out, w = scaled_dot_product_attention(Q, K, V, causal_mask(4, 5))
    assert np.all(np.isfinite(out)) and np.allclose(w.sum(-1), 1.0)
    assert np.all(np.isfinite(attention_weights(np.array([1e300, -1e300, 0.0]), temperature=1e-3)))
    assert np.all(np.isfinite(layer_norm(np.full((2, 4), 1e8))))        # zero variance: eps keeps it finite
    with pytest.raises(ValueError, match="finite"):
        scaled_dot_product_attention(np.full((2, 2), np.inf), np.ones((2, 2)), np.ones((2, 2)))


def test_missing_or_misshapen_parameters_are_refused() -> None:
    d = 4
    p = {k: np.eye(d) for k in ("Wq", "Wk", "Wv", "Wo")}
    X = RNG.standard_normal((3, d))
    with pytest.raises(ValueError, match="missing"):
        multi_head_attention(X, X, {k: v for k, v in p.items() if k != "Wq"}, 2)
    with pytest.raises(ValueError, match="biases"):
        multi_head_attention(X, X, {**p, "bq": np.zeros(d + 1)}, 2)
    with pytest.raises(ValueError, match="missing"):
        transformer_block(X, p, 2)
    with pytest.raises(ValueError, match="gamma and beta"):
        layer_norm(X, np.ones(d + 1))


def test_diagonal_share() -> None:
    from dlbook.attention import diagonal_share
    assert diagonal_share(np.eye(5)[::-1]) == 1.0 and diagonal_share(np.eye(5), anti=False) == 1.0
    assert np.isclose(diagonal_share(np.full((3, 4, 4), 0.25)), 0.25)
    with pytest.raises(ValueError):
        diagonal_share(np.ones((3, 4)))
    with pytest.raises(ValueError):
        diagonal_share(-np.eye(3))
