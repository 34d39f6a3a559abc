"""dlbook.seq2seq: the torch encoder-decoder's attention against dlbook.attention (NumPy), shapes, training, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.attention import attention_weights, concat_score, dot_score, general_score
from dlbook.data import reversal_task
from dlbook.seq2seq import AttentionSeq2Seq, diagonal_share, teacher_inputs, train_seq2seq


@pytest.mark.parametrize("score", ["dot", "general", "concat"])
def test_model_attention_matches_numpy_scores(score: str) -> None:
    torch.manual_seed(0)
    model = AttentionSeq2Seq(7, hidden=8, score=score, input_feeding=True).double()
    src, tgt = reversal_task(3, 5, 7, seed=0)
    with torch.no_grad():
        logits, w = model(torch.as_tensor(src), teacher_inputs(torch.as_tensor(tgt), model.bos))
    assert logits.shape == (3, 5, 7) and w.shape == (3, 5, 5)
    H, hs = (t.numpy() for t in model.last_states)
    for b in range(3):
        for t in range(5):
            if score == "dot":
                s = dot_score(hs[b, t], H[b])
            elif score == "general":
                s = general_score(hs[b, t], H[b], model.W_a.weight.detach().numpy())   # h^T W h_bar
            else:
                s = concat_score(hs[b, t], H[b], model.W_a.weight.detach().numpy(), model.v_a.weight.detach().numpy()[0])
            assert np.allclose(attention_weights(s), w[b, t].numpy(), atol=1e-12)


def test_no_attention_model_and_greedy() -> None:
    model = AttentionSeq2Seq(5, hidden=6, score=None)
    src, _ = reversal_task(2, 4, 5)
    out, w = model.greedy(torch.as_tensor(src), 4)
    assert out.shape == (2, 4) and torch.all(w == 0) and model.bridge


def test_training_lowers_the_loss() -> None:
    torch.manual_seed(0)
    src, tgt = reversal_task(200, 4, 5)
    res = train_seq2seq(AttentionSeq2Seq(5, hidden=16), src, tgt, steps=60, batch=32, lr=1e-2)
    assert res.losses[-10:].mean() < res.losses[:5].mean() - 0.3 and res.seconds > 0


def test_diagonal_share() -> None:
    assert diagonal_share(np.eye(4)[::-1]) == 1.0 and diagonal_share(np.eye(4), anti=False) == 1.0
    assert np.isclose(diagonal_share(np.full((2, 4, 4), 0.25)), 0.25)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="score must be"):
        AttentionSeq2Seq(5, score="cosine")
    with pytest.raises(ValueError, match="even"):
        AttentionSeq2Seq(5, hidden=7)
    with pytest.raises(ValueError, match="same number of rows"):
        train_seq2seq(AttentionSeq2Seq(5, hidden=4), np.zeros((3, 2), dtype=np.int64), np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="square"):
        diagonal_share(np.ones((2, 3)))
