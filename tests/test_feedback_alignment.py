"""dlbook.feedback_alignment: the back-propagation mode equals torch.autograd; feedback alignment learns."""

import numpy as np
import pytest
import torch

from dlbook.feedback_alignment import angle_degrees, gradients, hidden_error, train_feedback_alignment as train


def _problem():
    r = np.random.default_rng(0)
    X = r.standard_normal((200, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    return X, y


def test_backprop_mode_is_the_gradient() -> None:
    X, y = _problem()
    r = np.random.default_rng(1)
    p = {"W1": r.standard_normal((7, 5)), "b1": r.standard_normal(7), "W2": r.standard_normal((3, 7)),
         "b2": r.standard_normal(3)}
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    logits = torch.tanh(torch.tensor(X) @ t["W1"].T + t["b1"]) @ t["W2"].T + t["b2"]
    torch.nn.functional.cross_entropy(logits, torch.tensor(y)).backward()
    ours = gradients(p, X, y)
    for k in p:
        assert np.allclose(ours[k], t[k].grad.numpy(), atol=1e-12)


def test_feedback_alignment_learns_and_aligns() -> None:
    X, y = _problem()
    fa = train(X, y, hidden=16, steps=300, lr=0.5, feedback=True)
    assert fa["accuracy"][-1] > 0.85 and fa["angle"][-1] < 80


def test_helpers_and_bad_inputs() -> None:
    assert angle_degrees([1, 0], [0, 2]) == pytest.approx(90.0)
    e, W2 = np.ones((2, 3)), np.arange(12.0).reshape(3, 4)
    assert np.allclose(hidden_error(e, W2), hidden_error(e, W2, W2.T))
    with pytest.raises(ValueError, match="steps"):
        train(*_problem(), hidden=4, steps=0, lr=0.1, feedback=True)
