"""dlbook.neural_lm against torch.nn.functional written out, and a learnable toy sequence."""

import numpy as np
import pytest
import torch

from dlbook.neural_lm import MLPLanguageModel, context_windows, nearest_embeddings, train_mlp_lm


def test_forward_is_the_formula() -> None:
    torch.manual_seed(0)
    m = MLPLanguageModel(7, context=2, embed=3, hidden=5)
    ctx = torch.tensor([[1, 2], [6, 0]])
    e = torch.cat([m.embedding.weight[ctx[:, 0]], m.embedding.weight[ctx[:, 1]]], dim=1)
    expected = torch.tanh(e @ m.hidden.weight.T + m.hidden.bias) @ m.out.weight.T + m.out.bias
    assert torch.allclose(m(ctx), expected, atol=1e-6)


def test_windows_and_a_deterministic_sequence_is_learned() -> None:
    X, y = context_windows([0, 1, 2, 3, 4], 2)
    assert X.tolist() == [[0, 1], [1, 2], [2, 3]] and y.tolist() == [2, 3, 4]
    codes = np.tile([0, 1, 2, 3], 50)                      # next token is a function of the previous one
    torch.manual_seed(0)
    m = MLPLanguageModel(4, context=1, embed=4, hidden=16)
    losses = train_mlp_lm(m, codes, steps=300, batch=32, lr=1e-2)
    assert losses[-1] < 0.05 < losses[0]
    assert len(nearest_embeddings(m, 0, k=2)) == 2 and 0 not in nearest_embeddings(m, 0, k=3)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="longer than context"):
        context_windows([1, 2], 3)
    with pytest.raises(ValueError, match="vocab"):
        MLPLanguageModel(1)
