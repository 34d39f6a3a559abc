"""FGSM and tangent directions (§7.13–7.14) against torch autograd in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.adversarial import directional_derivatives, fgsm, input_gradient, shift_tangent, train_adversarial
from dlbook.mlp import init_mlp, minibatch_order, mlp_forward, train_mlp


@pytest.mark.parametrize("act", ["relu", "tanh"])
def test_input_gradient_and_fgsm_match_autograd(act: str) -> None:
    rng = np.random.default_rng(0)
    layers = init_mlp([5, 7, 3], rng)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    Xt = torch.tensor(X, requires_grad=True)
    h = Xt
    for i, l in enumerate(layers):
        h = h @ torch.tensor(l.W).T + torch.tensor(l.b)
        if i < len(layers) - 1:
            h = torch.relu(h) if act == "relu" else torch.tanh(h)
    torch.nn.functional.cross_entropy(h, torch.tensor(y), reduction="sum").backward()
    g = input_gradient(layers, X, y, act)
    assert np.allclose(g, Xt.grad.numpy(), atol=1e-12)
    assert np.array_equal(fgsm(X, g, 0.1), X + 0.1 * torch.sign(Xt.grad).numpy())


def test_fgsm_moves_a_linear_score_by_eps_l1() -> None:
    rng = np.random.default_rng(1)
    w, x, eps = rng.standard_normal(64), rng.standard_normal(64), 0.01
    assert np.isclose(w @ fgsm(x, w, eps) - w @ x, eps * np.abs(w).sum(), rtol=1e-12)
    assert fgsm(np.zeros(3), np.array([1.0, -1.0, 0.0]), 2.0, clip=(0, 1)).tolist() == [1.0, 0.0, 0.0]


def test_shift_tangent_and_directional_derivatives() -> None:
    img = np.zeros((1, 9))
    img[0, 4] = 1.0                                  # a single pixel in the middle of a 3×3 image
    t = shift_tangent(img, 3).reshape(3, 3)
    assert t[1].tolist() == [-0.5, 0.0, 0.5]     # shifting right: the left loses ink, the right gains it
    layers = init_mlp([4, 3, 2], np.random.default_rng(0))
    X, V = np.random.default_rng(1).standard_normal((2, 4)), np.random.default_rng(2).standard_normal((2, 4))
    Xt = torch.tensor(X, requires_grad=True)
    out = torch.relu(Xt @ torch.tensor(layers[0].W).T + torch.tensor(layers[0].b)) @ torch.tensor(layers[1].W).T
    jvp = torch.autograd.functional.jvp(
        lambda x: torch.relu(x @ torch.tensor(layers[0].W).T + torch.tensor(layers[0].b)) @ torch.tensor(layers[1].W).T,
        Xt, torch.tensor(V))[1]
    assert out.shape == (2, 2)
    assert np.allclose(directional_derivatives(layers, X, V), jvp.numpy(), atol=1e-6)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="shape"):
        fgsm(np.zeros(3), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="eps"):
        fgsm(np.zeros(3), np.zeros(3), -0.1)
    with pytest.raises(ValueError, match="side"):
        shift_tangent(np.zeros((1, 8)), 3)
    with pytest.raises(ValueError, match="labels"):
        input_gradient(init_mlp([2, 2], np.random.default_rng(0)), np.zeros((1, 2)), [5])
    assert mlp_forward(init_mlp([2, 2], np.random.default_rng(0)), np.zeros((1, 2)))[0].shape == (1, 2)


def test_adversarial_training_with_mix_one_is_plain_training() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 4)), rng.integers(0, 3, 30)
    layers = init_mlp([4, 5, 3], rng)
    batches = minibatch_order(30, 10, 3, seed=0)
    plain, _ = train_mlp(layers, X, y, batches, lr=0.1)
    adv = train_adversarial(layers, X, y, batches, lr=0.1, eps=0.1, mix=1.0)
    assert all(np.allclose(a.W, p.W) and np.allclose(a.b, p.b) for a, p in zip(adv, plain))
    moved = train_adversarial(layers, X, y, batches, lr=0.1, eps=0.1, mix=0.5)
    assert not np.allclose(moved[0].W, plain[0].W)
    with pytest.raises(ValueError, match="mix"):
        train_adversarial(layers, X, y, batches, lr=0.1, eps=0.1, mix=1.5)
