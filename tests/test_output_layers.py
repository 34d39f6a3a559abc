"""dlbook.output_layers: the hierarchical softmax against torch.sigmoid path products and exact normalisation."""

import math

import numpy as np
import pytest
import torch

from dlbook.output_layers import hierarchical_softmax, hierarchical_softmax_logits, tree_paths

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("V", [2, 3, 5, 8, 13, 100])
def test_exactly_normalised_with_ceil_log2_decisions(V: int) -> None:
    paths = tree_paths(V)
    assert max(len(p) for p in paths) == math.ceil(math.log2(V))
    assert len({n for p in paths for n, _ in p}) == V - 1
    p = hierarchical_softmax(RNG.standard_normal(V - 1) * 3)
    assert abs(p.sum() - 1) < 1e-12 and np.all(p > 0)


def test_leaf_probabilities_are_torch_sigmoid_path_products() -> None:
    a = RNG.standard_normal(7)
    expected = []
    for path in tree_paths(8):
        prob = torch.tensor(1.0, dtype=torch.float64)
        for node, left in path:
            s = torch.sigmoid(torch.tensor(a[node]))
            prob = prob * (s if left else 1 - s)
        expected.append(float(prob))
    assert np.allclose(hierarchical_softmax(a), expected, atol=1e-14)


def test_two_words_is_logistic_regression_and_zero_logits_uniform() -> None:
    assert np.allclose(hierarchical_softmax([0.3]), [1 / (1 + np.exp(-0.3)), 1 / (1 + np.exp(0.3))])
    assert np.allclose(hierarchical_softmax(np.zeros(7)), 1 / 8)


def test_extreme_logits_stay_finite_and_normalised() -> None:
    p = hierarchical_softmax(np.array([800.0, -800.0, 50.0, -3.0, 700.0, 0.0, -900.0]))
    assert np.all(np.isfinite(p)) and abs(p.sum() - 1) < 1e-12


def test_node_logits_from_a_hidden_state() -> None:
    h, U, b = RNG.standard_normal(4), RNG.standard_normal((7, 4)), RNG.standard_normal(7)
    assert np.allclose(hierarchical_softmax_logits(h, U, b), (torch.tensor(U) @ torch.tensor(h) + torch.tensor(b)).numpy())
    with pytest.raises(ValueError, match="node_weights"):
        hierarchical_softmax_logits(h, U[:, :3], b)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="n_words"):
        tree_paths(1)
    with pytest.raises(ValueError, match="finite"):
        hierarchical_softmax([np.nan])
