"""The RBM core against brute-force enumeration of the joint and against torch.logsumexp."""

import numpy as np
import pytest
import torch

from dlbook.rbm import (all_binary_states, energy, free_energy, gibbs_step, log_partition, log_prob_visible,
                        p_h_given_v, p_v_given_h)


def tiny(d=4, k=3, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, (d, k)), rng.normal(0, scale, d), rng.normal(0, scale, k)


def joint(W, b, c):
    """The normalised table P(v, h) by enumeration: an oracle that does not use the factorised formulas."""
    V, H = all_binary_states(W.shape[0]), all_binary_states(W.shape[1])
    E = np.array([[-(b @ v) - (c @ h) - v @ W @ h for h in H] for v in V])
    P = np.exp(-E)
    return V, H, P / P.sum()


def test_log_partition_matches_torch_logsumexp_over_the_joint():
    for d, k in [(4, 3), (3, 5), (6, 6)]:
        W, b, c = tiny(d, k, seed=d + k)
        V, H = all_binary_states(d), all_binary_states(k)
        E = torch.tensor(np.array([energy(V, np.tile(h, (len(V), 1)), W, b, c) for h in H]))
        assert log_partition(W, b, c) == pytest.approx(torch.logsumexp(-E.flatten(), 0).item(), abs=1e-12)


def test_conditionals_factorise_like_the_enumerated_joint():
    W, b, c = tiny()
    V, H, P = joint(W, b, c)
    for i, v in enumerate(V):
        cond = P[i] / P[i].sum()  # P(h | v) as a table over the 2^k states
        product = np.prod(np.where(H == 1, p_h_given_v(v, W, c), 1 - p_h_given_v(v, W, c)), axis=1)
        np.testing.assert_allclose(product, cond, atol=1e-12)
    for j, h in enumerate(H):
        cond = P[:, j] / P[:, j].sum()
        product = np.prod(np.where(V == 1, p_v_given_h(h, W, b), 1 - p_v_given_h(h, W, b)), axis=1)
        np.testing.assert_allclose(product, cond, atol=1e-12)


def test_free_energy_gives_the_visible_marginal():
    W, b, c = tiny(5, 4, seed=3)
    V, _, P = joint(W, b, c)
    np.testing.assert_allclose(np.exp(log_prob_visible(V, W, b, c)), P.sum(axis=1), atol=1e-12)
    assert np.exp(log_prob_visible(V, W, b, c)).sum() == pytest.approx(1.0, abs=1e-12)


def test_exact_log_z_is_stable_for_large_weights():
    W, b, c = tiny(8, 6, seed=1, scale=60.0)
    z = log_partition(W, b, c)
    assert np.isfinite(z)
    V = all_binary_states(8)
    assert z == pytest.approx(float(torch.logsumexp(torch.tensor(-free_energy(V, W, b, c)), 0)), rel=1e-12)


def test_gibbs_chain_reaches_the_visible_marginal():
    W, b, c = tiny(3, 2, seed=5)
    V, _, P = joint(W, b, c)
    rng = np.random.default_rng(0)
    v = np.zeros((4000, 3))
    for _ in range(30):
        v, _ = gibbs_step(v, W, b, c, rng)
    index = (v @ (2 ** np.arange(2, -1, -1))).astype(int)
    freq = np.bincount(index, minlength=8) / len(v)
    assert np.max(np.abs(freq - P.sum(axis=1))) < 0.03


def test_bad_inputs_are_named():
    W, b, c = tiny()
    with pytest.raises(ValueError, match="b must have shape"):
        free_energy(np.zeros(4), W, b[:2], c)
    with pytest.raises(ValueError, match="v must have 4 units"):
        free_energy(np.zeros(3), W, b, c)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        p_h_given_v(np.full(4, 2.0), W, c)
    with pytest.raises(ValueError, match="same number of rows"):
        energy(np.zeros((2, 4)), np.zeros((3, 3)), W, b, c)
    with pytest.raises(ValueError, match="too many"):
        log_partition(np.zeros((30, 30)), np.zeros(30), np.zeros(30))
