"""Learning XOR (§6.1): the linear fit, the book's network, and gradient descent from seeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.xor import (XOR_X, XOR_Y, XorNet, book_solution, failure_rate, linear_fit, train_xor, train_xor_seeds,
                        xor_forward, xor_hidden, xor_mse)


def test_book_solution_is_exact() -> None:
    net = book_solution()
    np.testing.assert_array_equal(xor_hidden(net), [[0, 0], [1, 0], [1, 0], [2, 1]])  # eq. 6.10
    np.testing.assert_array_equal(xor_forward(net), XOR_Y)                            # eq. 6.11
    assert xor_mse(net) == 0.0


def test_linear_fit_is_w0_b_half_and_matches_sklearn() -> None:
    from sklearn.linear_model import LinearRegression

    w, b = linear_fit()
    np.testing.assert_allclose(w, 0.0, atol=1e-12)
    assert b == pytest.approx(0.5, abs=1e-12)
    sk = LinearRegression().fit(XOR_X, XOR_Y)
    np.testing.assert_allclose(w, sk.coef_, atol=1e-12)
    assert b == pytest.approx(sk.intercept_, abs=1e-12)


def test_training_gradient_matches_autograd() -> None:
    """One step of train_xor_seeds equals one step of torch SGD on the same MSE from the same start."""
    seed, lr = 3, 0.1
    g = np.random.default_rng(seed)
    W0, w0 = g.standard_normal((2, 2)), g.standard_normal(2)
    run = train_xor_seeds([seed], steps=1, lr=lr)[0]
    W, c, w, b = (torch.tensor(a, dtype=torch.float64, requires_grad=True)
                  for a in (W0, np.zeros(2), w0, np.zeros(())))
    f = torch.relu(torch.tensor(XOR_X) @ W + c) @ w + b
    loss = ((f - torch.tensor(XOR_Y)) ** 2).mean()
    loss.backward()
    assert run.losses[0] == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(run.net.W, (W - lr * W.grad).detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(run.net.c, (c - lr * c.grad).detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(run.net.w, (w - lr * w.grad).detach().numpy(), atol=1e-12)
    assert run.net.b == pytest.approx((b - lr * b.grad).item(), abs=1e-12)


def test_training_is_deterministic_and_batched_equals_single() -> None:
    runs = train_xor_seeds([0, 1, 2], steps=300)
    for r in runs:
        single = train_xor_seeds([r.seed], steps=300)[0]
        np.testing.assert_allclose(r.losses, single.losses, rtol=1e-13)
    assert train_xor(1) is train_xor(1)  # cached


def test_a_solved_run_fits_xor_and_failure_rate_is_a_fraction() -> None:
    runs = train_xor_seeds(range(20))
    solved = [r for r in runs if r.solved]
    assert solved, "no seed of 20 solved XOR with two units"
    for r in solved:
        np.testing.assert_allclose(xor_forward(r.net), XOR_Y, atol=0.05)
    rate = failure_rate(range(20))
    assert rate == pytest.approx(1 - len(solved) / 20)
    assert failure_rate(range(20), hidden=8) <= rate  # wider networks fail less often on these seeds


def test_perturbed_solution_changes_exactly_one_parameter() -> None:
    from dlbook.demos.feedforward import XOR_PARAMS, perturbed_solution

    base = book_solution()
    flat = np.concatenate([base.W.ravel(), base.c, base.w, [base.b]])  # W11, W12, W21, W22, c1, c2, w1, w2, b
    for i, name in enumerate(XOR_PARAMS):
        net = perturbed_solution(name, 0.3)
        moved = np.concatenate([net.W.ravel(), net.c, net.w, [net.b]])
        np.testing.assert_allclose(moved - flat, 0.3 * np.eye(9)[i], atol=1e-15)
    # raising c2 by 1/2 makes the second unit fire at (0, 1) and (1, 0): closed form h2 = 1/2 there
    np.testing.assert_allclose(xor_hidden(perturbed_solution("c2", 0.5))[1:3, 1], 0.5)
    with pytest.raises(ValueError, match="param must be one of"):
        perturbed_solution("W33", 0.1)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="seed must be an integer"):
        train_xor_seeds([1.5])
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        train_xor_seeds([0], lr=-1)
    with pytest.raises(ValueError, match="at least one seed"):
        train_xor_seeds([])
    with pytest.raises(ValueError, match="X must have 2 columns"):
        xor_forward(book_solution(), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="same number of rows"):
        linear_fit(XOR_X, XOR_Y[:3])
    assert isinstance(book_solution(), XorNet)


def test_bias_init_reduces_failures_and_cached_runs_are_read_only() -> None:
    """§6.3.1: hidden ReLU biases started at 0.1 fail less often than at 0 (0.64 vs 0.78 over 100 seeds)."""
    assert failure_rate(range(100), bias_init=0.1) < failure_rate(range(100))
    run = train_xor_seeds([0], steps=1, bias_init=0.1)[0]
    g = np.random.default_rng(0)
    W0, w0 = g.standard_normal((2, 2)), g.standard_normal(2)
    r = 2 * (np.maximum(XOR_X @ W0 + 0.1, 0) @ w0 - XOR_Y) / 4
    gc = ((r[:, None] * w0) * (XOR_X @ W0 + 0.1 > 0)).sum(axis=0)
    np.testing.assert_allclose(run.net.c, 0.1 - 0.1 * gc, atol=1e-12)
    cached = train_xor(2)
    with pytest.raises(ValueError):
        cached.net.W[0, 0] = 5.0          # a caller cannot corrupt the cache
