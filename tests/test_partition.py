"""CD-k, PCD, AIS, bridge sampling and the Z-free objectives, against enumeration, torch autograd and sklearn."""

import numpy as np
import pytest
import torch
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from dlbook.partition import (ais_log_partition, bridge_log_ratio, denoising_score_matching_loss, grid_energy_fit,
                              nce_loss, pseudolikelihood, ratio_matching, score_matching_loss)
from dlbook.rbm import (all_binary_states, cd_gradient, exact_gradient, free_energy, gibbs_step, log_partition,
                        log_prob_visible, train_rbm)


def tiny(d=5, k=3, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, (d, k)), rng.normal(0, scale, d), rng.normal(0, scale, k)


def test_exact_gradient_matches_autograd_of_mean_log_likelihood():
    W, b, c = tiny()
    V = (np.random.default_rng(1).random((7, 5)) < 0.5).astype(float)
    Wt, bt, ct = (torch.tensor(a, requires_grad=True) for a in (W, b, c))
    Vt, H = torch.tensor(V), torch.tensor(all_binary_states(5))
    F = lambda X: -X @ bt - torch.nn.functional.softplus(ct + X @ Wt).sum(1)   # noqa: E731
    ll = (-F(Vt)).mean() - torch.logsumexp(-F(H), 0)
    ll.backward()
    for ours, ref in zip(exact_gradient(V, W, b, c), (Wt.grad, bt.grad, ct.grad)):
        np.testing.assert_allclose(ours, ref.numpy(), atol=1e-12)


def test_cd_k_approaches_the_exact_gradient_as_k_grows():
    W, b, c = tiny(4, 3, seed=2)
    V = np.tile(all_binary_states(4)[[3, 9, 12]], (2000, 1))
    exact = np.concatenate([g.ravel() for g in exact_gradient(V, W, b, c)])
    errors = []
    for k in (1, 3, 30):
        g, _ = cd_gradient(V, W, b, c, k, np.random.default_rng(0))
        errors.append(np.abs(np.concatenate([x.ravel() for x in g]) - exact).max())
    assert errors[0] > errors[1] > errors[2] and errors[2] < 0.03, errors


def test_pcd_keeps_its_chain_and_training_raises_the_likelihood():
    W, b, c = tiny(6, 4, seed=3)
    V = np.random.default_rng(0).random((40, 6)) < 0.3
    chain = np.zeros((10, 6))
    _, chain2 = cd_gradient(V.astype(float), W, b, c, 2, np.random.default_rng(0), chain)
    assert chain2.shape == (10, 6)
    rng = np.random.default_rng(0)
    V = np.tile([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], (50, 1)).astype(float)
    for persistent in (False, True):
        W1, b1, c1 = train_rbm(V, 4, np.random.default_rng(0), epochs=40, lr=0.5, persistent=persistent,
                               batch_size=20)
        assert log_prob_visible(V, W1, b1, c1).mean() > np.log(0.5) - 0.25   # the best is log ½; at the start −6 log 2


def test_ais_lands_near_the_exact_log_partition():
    W, b, c = tiny(10, 6, seed=4)
    exact = log_partition(W, b, c)
    est, log_w = ais_log_partition(W, b, c, 300, 200, np.random.default_rng(0))
    assert abs(est - exact) < 0.05 and log_w.shape == (200,)
    is_est, _ = ais_log_partition(W, b, c, 1, 200, np.random.default_rng(0))   # plain importance sampling
    assert abs(is_est - exact) > abs(est - exact)


def test_ais_equals_the_textbook_loop_with_free_energies_and_gibbs_step():
    """The vectorised weight update and Gibbs sweep reproduce, draw for draw, the loop written with the RBM API."""
    W, b, c = tiny(7, 4, seed=5)
    bA = np.random.default_rng(1).normal(0, 1, 7)
    est, log_w = ais_log_partition(W, b, c, 25, 40, np.random.default_rng(3), base_bias=bA)
    rng = np.random.default_rng(3)
    v = (rng.random((40, 7)) < 1 / (1 + np.exp(-bA))).astype(float)
    ref = np.zeros(40)
    betas = np.linspace(0, 1, 26)
    for prev, beta in zip(betas[:-1], betas[1:]):
        ref += free_energy(v, prev * W, (1 - prev) * bA + prev * b, prev * c)
        ref -= free_energy(v, beta * W, (1 - beta) * bA + beta * b, beta * c)
        if beta < 1:
            v, _ = gibbs_step(v, beta * W, (1 - beta) * bA + beta * b, beta * c, rng)
    np.testing.assert_allclose(log_w, ref, atol=1e-10)


def test_ratio_matching_matches_enumerated_probability_ratios():
    W, b, c = tiny(5, 3, seed=2)
    V = all_binary_states(5)
    p = np.exp(log_prob_visible(V, W, b, c))
    ref = np.zeros(len(V))
    for i, v in enumerate(V):
        for j in range(5):
            w = v.copy()
            w[j] = 1 - w[j]
            ref[i] += (1 / (1 + p[i] / p[int(w @ 2 ** np.arange(4, -1, -1))])) ** 2
    np.testing.assert_allclose(ratio_matching(V, W, b, c), ref, atol=1e-12)


def test_nce_demo_gradient_matches_finite_differences():
    from scipy.optimize import approx_fprime

    from dlbook.demos.partition_function import _nce_problem

    rng = np.random.default_rng(0)
    objective, gradient = _nce_problem(rng.normal(1, 0.8, 50), rng.normal(0, 2, 80))
    for p in (np.array([0.3, -0.2, 0.1]), np.array([1.0, 0.5, -0.7])):
        np.testing.assert_allclose(gradient(p), approx_fprime(p, objective, 1e-7), atol=1e-5)


def test_bridge_sampling_recovers_the_ratio_of_two_rbms():
    rng = np.random.default_rng(0)
    A, B = tiny(6, 3, seed=5), tiny(6, 3, seed=6, scale=0.7)
    V = all_binary_states(6)
    pa, pb = (np.exp(log_prob_visible(V, *p)) for p in (A, B))
    xa, xb = V[rng.choice(64, 4000, p=pa / pa.sum())], V[rng.choice(64, 4000, p=pb / pb.sum())]
    ratio = lambda X: free_energy(X, *B) - free_energy(X, *A)   # noqa: E731  log p̃_a − log p̃_b
    est = bridge_log_ratio(ratio(xa), ratio(xb))
    assert est == pytest.approx(log_partition(*A) - log_partition(*B), abs=0.05)


def test_pseudolikelihood_matches_enumerated_conditionals():
    W, b, c = tiny(4, 3, seed=7)
    V = all_binary_states(4)
    logp = log_prob_visible(V, W, b, c)
    v = V[5]
    ref = 0.0
    for i in range(4):
        j = np.flatnonzero(np.all(np.delete(V, i, 1) == np.delete(v, i), 1))  # v and v with bit i flipped
        ref += logp[5] - np.logaddexp(*logp[j])
    assert pseudolikelihood(v, W, b, c)[0] == pytest.approx(ref, abs=1e-12)


def test_score_matching_of_a_gaussian_gives_the_sample_mean_and_variance():
    x = np.random.default_rng(0).normal(1.5, 2.0, 500)

    def loss(p):
        mu, s2 = p[0], np.exp(p[1])
        return score_matching_loss(x, lambda t: -(t - mu) / s2, lambda t: np.full_like(t, -1 / s2))
    res = minimize(loss, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14})
    assert res.x[0] == pytest.approx(x.mean(), abs=1e-5) and np.exp(res.x[1]) == pytest.approx(x.var(), rel=1e-5)
    # against torch autograd's second derivative of a non-Gaussian log p̃ = −x⁴/4 + x
    xt = torch.tensor(x[:20], requires_grad=True)
    psi = torch.autograd.grad((-xt ** 4 / 4 + xt).sum(), xt, create_graph=True)[0]
    dpsi = torch.autograd.grad(psi.sum(), xt)[0]
    ref = (dpsi + 0.5 * psi ** 2).mean().item()
    assert score_matching_loss(x[:20], lambda t: -t ** 3 + 1, lambda t: -3 * t ** 2) == pytest.approx(ref, rel=1e-12)


def test_denoising_score_matching_fits_the_smoothed_gaussian():
    rng = np.random.default_rng(0)
    x = np.tile(rng.normal(0.0, 1.0, 2000), 5)
    sigma = 0.5
    noisy = x + rng.normal(0, sigma, x.size)

    def loss(p):
        return denoising_score_matching_loss(x, noisy, lambda t: -(t - p[0]) / np.exp(p[1]), sigma)
    res = minimize(loss, [0.3, 0.0], method="Nelder-Mead")
    assert abs(np.exp(res.x[1]) - (x.var() + sigma ** 2)) < 0.05


def test_nce_matches_logistic_regression_and_c_approaches_minus_log_z():
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.0, 0.8, 4000), rng.normal(0.0, 2.0, 4000)
    log_noise = lambda t: -t ** 2 / 8 - np.log(np.sqrt(2 * np.pi) * 2)   # noqa: E731

    def loss(p):
        mu, s2, c = p[0], np.exp(p[1]), p[2]
        lm = lambda t: -(t - mu) ** 2 / (2 * s2) + c                     # noqa: E731
        return nce_loss(lm(x), log_noise(x), lm(y), log_noise(y))
    res = minimize(loss, [0.0, 0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    mu, s2, c = res.x[0], np.exp(res.x[1]), res.x[2]
    # the log-odds is quadratic in x, so logistic regression on (x, x²) finds the same classifier
    clf = LogisticRegression(C=1e10, tol=1e-12, max_iter=10_000).fit(
        np.c_[np.r_[x, y], np.r_[x, y] ** 2], np.r_[np.ones_like(x), np.zeros_like(y)])
    a2 = clf.coef_[0, 1]
    assert -1 / (2 * s2) + 1 / 8 == pytest.approx(a2, abs=1e-3)
    assert c == pytest.approx(-np.log(np.sqrt(2 * np.pi * s2)), abs=0.05)


def test_grid_energy_exact_fit_reaches_the_data_histogram_and_cd_keeps_far_modes():
    data = np.r_[np.full(30, 5), np.full(70, 8)]
    theta0 = np.zeros(30)
    theta0[25] = 4.0                                  # a spurious mode far from the data
    rng = np.random.default_rng(0)
    ex = grid_energy_fit(data, theta0, "exact", rng, steps=400, lr=2.0)
    p = np.exp(ex[-1] - ex[-1].max())
    p /= p.sum()
    assert p[8] > 0.6 and p[25] < 0.01
    cd = grid_energy_fit(data, theta0, "cd", rng, k=1, steps=400, lr=2.0)
    assert cd[-1, 25] == theta0[25]                   # never visited by a chain started at the data


def test_bad_inputs_are_named():
    W, b, c = tiny()
    with pytest.raises(ValueError, match="k must be"):
        cd_gradient(np.zeros((2, 5)), W, b, c, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="too many"):
        exact_gradient(np.zeros((2, 3)), np.zeros((3, 21)), np.zeros(3), np.zeros(21))
    with pytest.raises(ValueError, match="base_bias"):
        ais_log_partition(W, b, c, 5, 5, np.random.default_rng(0), base_bias=np.zeros(2))
    with pytest.raises(ValueError, match="method"):
        grid_energy_fit([1], np.zeros(3), "gibbs", np.random.default_rng(0))
    with pytest.raises(ValueError, match="same shape"):
        denoising_score_matching_loss(np.zeros(3), np.zeros(4), lambda t: t, 1.0)
    with pytest.raises(ValueError, match="pairs"):
        nce_loss(np.zeros(3), np.zeros(2), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="n_chains"):
        grid_energy_fit([1], np.zeros(3), "cd", np.random.default_rng(0), n_chains=0)
    with pytest.raises(ValueError, match="binary"):
        pseudolikelihood(np.full((1, 5), 0.3), W, b, c)
    with pytest.raises(ValueError, match="binary"):
        ratio_matching(np.full((1, 5), 0.3), W, b, c)
    with pytest.raises(ValueError, match="b must have shape"):
        ais_log_partition(W, b[:2], c, 5, 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="k must be"):
        train_rbm(np.zeros((4, 5)), 2, np.random.default_rng(0), k=0)
