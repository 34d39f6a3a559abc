"""dlbook.transformer: the torch LM's blocks against dlbook.attention.transformer_block, causality, training, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.attention import causal_mask, transformer_block
from dlbook.transformer import CausalTransformerLM, CharCorpus, block_params, train_lm


def test_corpus_round_trip() -> None:
    c = CharCorpus.from_text("abca\nb")
    assert c.chars == "\nabc" and c.decode(c.codes) == "abca\nb"
    with pytest.raises(ValueError, match="two characters"):
        CharCorpus.from_text("a")


def test_blocks_match_numpy_and_model_is_causal() -> None:
    torch.manual_seed(0)
    lm = CausalTransformerLM(6, d=16, heads=4, layers=2, ff=32, context=8).double()
    idx = torch.randint(0, 6, (3, 8))
    for layer in range(2):
        x = lm.inputs_to_block(idx, layer)
        with torch.no_grad():
            ref = lm.blocks[layer](x, src_mask=torch.nn.Transformer.generate_square_subsequent_mask(8,
                                   dtype=torch.float64), is_causal=True).numpy()
        ours = transformer_block(x.numpy(), block_params(lm.blocks[layer]), 4, causal_mask(8), norm_first=True)
        assert np.allclose(ours, ref, atol=1e-10)
    with torch.no_grad():
        a = lm(idx)
        idx2 = idx.clone()
        idx2[:, 5:] = (idx2[:, 5:] + 1) % 6
        b = lm(idx2)
    assert torch.allclose(a[:, :5], b[:, :5]) and not torch.allclose(a[:, 5:], b[:, 5:])


def test_training_and_sampling() -> None:
    torch.manual_seed(0)
    codes = np.tile(np.arange(5), 60)
    lm = CausalTransformerLM(5, d=16, heads=2, layers=1, ff=32, context=8)
    res = train_lm(lm, codes, steps=80, batch=16, lr=1e-2)
    assert res.losses[-10:].mean() < 0.5 * res.losses[:5].mean()
    out = lm.sample([0], 6, torch.Generator().manual_seed(0))
    assert len(out) == 7 and all(0 <= t < 5 for t in out)


def test_bad_inputs() -> None:
    lm = CausalTransformerLM(5, d=8, heads=2, layers=1, ff=8, context=4)
    with pytest.raises(ValueError, match="at most context"):
        lm(torch.zeros((1, 5), dtype=torch.long))
    with pytest.raises(ValueError, match="longer than context"):
        train_lm(lm, np.arange(5), steps=1)
