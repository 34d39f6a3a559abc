"""The small torch experiments of the research-frontiers chapter: residual lesions, random labels, random
subspaces and batched ensembles, each checked against torch.nn or a property that must hold."""

import numpy as np
import pytest
import torch

from dlbook.intrinsic_dimension import mlp_logits, n_parameters, random_subspace, train_in_subspace
from dlbook.memorisation import fit_until_memorised, randomize_labels
from dlbook.residual import BlockMLP
from dlbook.uncertainty import BatchedMLP, fit_members, predictive_band


def test_block_mlp_and_deletion() -> None:
    torch.manual_seed(0)
    m = BlockMLP(4, 8, 3, 2, residual=True)
    x = torch.randn(5, 4)
    h = torch.relu(m.stem(x))
    h = h + torch.relu(m.blocks[0](h))
    h = h + torch.relu(m.blocks[2](h))
    assert torch.allclose(m(x, drop=1), m.head(h))
    with pytest.raises(ValueError, match="drop"):
        m(x, drop=3)


def test_mlp_logits_equals_torch_nn() -> None:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.ReLU(), torch.nn.Linear(7, 3))
    theta = torch.cat([torch.cat([l.weight.ravel(), l.bias]) for l in (net[0], net[2])]).detach()
    x = torch.randn(4, 5)
    assert theta.numel() == n_parameters([5, 7, 3])
    assert torch.allclose(mlp_logits(theta, [5, 7, 3], x), net(x), atol=1e-6)
    P = random_subspace(50, 4)
    assert torch.allclose(P.norm(dim=0), torch.ones(4))
    with pytest.raises(ValueError, match="entries"):
        mlp_logits(theta[:-1], [5, 7, 3], x)


def test_subspace_training_and_memorisation_run() -> None:
    r = np.random.default_rng(0)
    X = r.standard_normal((60, 4))
    y = (X[:, 0] > 0).astype(int)
    assert train_in_subspace(X, y, X, y, [4, 8, 2], d=None, steps=60) > 0.9
    yr = randomize_labels(y, 1.0, 2, r)
    assert randomize_labels(y, 0.0, 2, r).tolist() == y.tolist()
    _, curve = fit_until_memorised(X, yr, hidden=64, max_steps=500)
    assert curve[-1] == 1.0
    with pytest.raises(ValueError, match="share"):
        randomize_labels(y, 1.5, 2, r)


def test_batched_members_are_independent() -> None:
    torch.manual_seed(0)
    m = BatchedMLP(3, 8)
    x = torch.linspace(-1, 1, 5)
    W1, b1, W2, b2, W3, b3 = (p[1] for p in (m.W1, m.b1, m.W2, m.b2, m.W3, m.b3))
    one = torch.relu(torch.relu(x[:, None] @ W1 + b1) @ W2 + b2) @ W3 + b3
    assert torch.allclose(m(x)[1], one[:, 0], atol=1e-6)
    losses = fit_members(m, np.linspace(-1, 1, 20), np.linspace(-1, 1, 20) ** 2, steps=50)
    assert losses[-1] < losses[0]
    mean, std = predictive_band(np.array([[1.0, 2.0], [3.0, 2.0]]))
    assert np.allclose(mean, [2, 2]) and np.allclose(std, [1, 0])
    with pytest.raises(ValueError, match="p_drop"):
        BatchedMLP(2, p_drop=1.0)
