"""Batch normalisation (§8.7.1) against torch.nn.functional.batch_norm and torch.autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.init import glorot_uniform
from dlbook.normalization import batch_norm_backward, batch_norm_forward, deep_signal

RNG = np.random.default_rng(5)


@pytest.mark.parametrize("n, units, delta", [(2, 3, 1e-8), (16, 5, 1e-5), (64, 1, 1e-3)])
def test_forward_and_backward_match_torch(n: int, units: int, delta: float) -> None:
    H = 3.0 * RNG.standard_normal((n, units)) + 2.0
    gamma, beta, dout = RNG.standard_normal(units), RNG.standard_normal(units), RNG.standard_normal((n, units))
    out, cache = batch_norm_forward(H, gamma, beta, delta)
    dH, dg, db = batch_norm_backward(dout, cache)
    Ht, gt, bt = (torch.tensor(v, requires_grad=True) for v in (H, gamma, beta))
    outt = F.batch_norm(Ht, None, None, weight=gt, bias=bt, training=True, eps=delta)
    outt.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, outt.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(dH, Ht.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(dg, gt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(db, bt.grad.numpy(), atol=1e-10)


def test_output_is_standardised_and_invariant_to_shift_and_scale() -> None:
    H = RNG.standard_normal((50, 4))
    out, _ = batch_norm_forward(H, np.ones(4), np.zeros(4), 0.0)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-14)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-12)
    out2, _ = batch_norm_forward(7.0 * H - 3.0, np.ones(4), np.zeros(4), 0.0)
    np.testing.assert_allclose(out, out2, atol=1e-12)


@pytest.mark.parametrize("act, bn", [("tanh", False), ("relu", True), ("tanh", True)])
def test_deep_signal_gradients_match_autograd(act: str, bn: bool) -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((20, 6))
    Ws = [glorot_uniform(6, 8, rng), glorot_uniform(8, 8, rng), glorot_uniform(8, 5, rng)]
    acts, grads = deep_signal(X, Ws, act, bn, seed=3)
    top = np.random.default_rng(3).standard_normal(acts[-1].shape)
    hs = []
    h = torch.tensor(X, requires_grad=True)
    for W in Ws:
        z = h @ torch.tensor(W).T
        if bn:
            z = F.batch_norm(z, None, None, training=True, eps=1e-5)
        h = torch.tanh(z) if act == "tanh" else torch.relu(z)
        h.retain_grad()
        hs.append(h)
    (h * torch.tensor(top)).sum().backward()
    for a, g, ht in zip(acts, grads, hs):
        np.testing.assert_allclose(a, ht.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(g, ht.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("bad", [lambda: batch_norm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3)),
                                 lambda: batch_norm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3)),
                                 lambda: batch_norm_forward(np.ones(4), np.ones(4), np.zeros(4)),
                                 lambda: batch_norm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), -1.0)])
def test_bad_inputs_raise(bad) -> None:
    with pytest.raises(ValueError):
        bad()


def test_backward_shape_check() -> None:
    _, cache = batch_norm_forward(RNG.standard_normal((4, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError):
        batch_norm_backward(np.ones((4, 2)), cache)
