"""Norm penalties, early stopping, label smoothing, bagging and dropout (§7) against independent oracles."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.ensemble import BaggingRegressor
from sklearn.linear_model import LinearRegression

from dlbook.mlp import init_mlp
from dlbook.prob import softmax
from dlbook.regularization import (all_masks, bagging_predict, bootstrap_indices, dropout_ensemble, dropout_mask,
                                   early_stopping, early_stopping_alpha, early_stopping_weights,
                                   ensemble_squared_error, inverted_dropout, l1_solution, l2_shrink,
                                   l2_shrink_factors, label_smoothed_cross_entropy, mask_probabilities,
                                   mlp_dropout_logits, noisy_copies, project_to_norm_ball, smooth_labels,
                                   shift_images, soft_threshold, softmax_regression_dropout_ensemble, weight_decay_step,
                                   weight_scaled_softmax)


def _spd(n: int, seed: int) -> np.ndarray:
    A = np.random.default_rng(seed).standard_normal((n, n))
    return A @ A.T + 0.1 * np.eye(n)


@pytest.mark.parametrize("seed", range(5))
def test_l2_shrink_matches_linear_solve(seed: int) -> None:
    rng = np.random.default_rng(seed)
    H, w_star, alpha = _spd(4, seed), rng.standard_normal(4), rng.uniform(0.01, 5)
    assert np.allclose(l2_shrink(H, w_star, alpha), np.linalg.solve(H + alpha * np.eye(4), H @ w_star), atol=1e-10)


def test_l2_shrink_is_ridge_regression() -> None:
    rng = np.random.default_rng(1)
    X, y, alpha = rng.standard_normal((30, 3)), rng.standard_normal(30), 2.0
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    ridge = np.linalg.solve(X.T @ X + alpha * np.eye(3), X.T @ y)            # eq. 7.17
    assert np.allclose(l2_shrink(X.T @ X, w_star, alpha), ridge, atol=1e-10)


def test_shrink_factors_and_weight_decay_step() -> None:
    assert np.allclose(l2_shrink_factors([1.0, 3.0, 0.0], 1.0), [0.5, 0.75, 0.0])
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    wt = torch.tensor(w, requires_grad=True)
    opt = torch.optim.SGD([wt], lr=0.1, weight_decay=0.3)   # torch adds weight_decay·w to the gradient
    wt.grad = torch.tensor(g)
    opt.step()
    assert np.allclose(weight_decay_step(w, g, 0.1, 0.3), wt.detach().numpy(), atol=1e-15)


def test_soft_threshold_matches_softshrink_and_l1_solution() -> None:
    w = np.linspace(-3, 3, 61)
    assert np.allclose(soft_threshold(w, 0.7), F.softshrink(torch.tensor(w), 0.7).numpy(), atol=1e-15)
    w_star, h, alpha = np.array([2.0, -0.3, 0.5, -1.5]), np.array([1.0, 2.0, 0.5, 4.0]), 1.0
    ours = l1_solution(w_star, h, alpha)
    grid = np.linspace(-3, 3, 600001)                   # brute force, one weight at a time
    for i in range(4):
        obj = 0.5 * h[i] * (grid - w_star[i]) ** 2 + alpha * np.abs(grid)
        assert abs(grid[np.argmin(obj)] - ours[i]) < 2e-5
    assert ours[1] == 0.0 and ours[2] == 0.0


def test_projection_and_noise_ridge() -> None:
    W = np.array([[3.0, 4.0], [0.3, 0.4]])
    P = project_to_norm_ball(W, 1.0, axis=1)
    assert np.allclose(P, [[0.6, 0.8], [0.3, 0.4]])
    assert np.allclose(project_to_norm_ball(W, 1.0), W / np.linalg.norm(W))
    rng = np.random.default_rng(0)
    X, y, s = rng.standard_normal((20, 2)), rng.standard_normal(20), 0.5
    Xn, yn = noisy_copies(X, y, s, 4000, rng)
    w_noise = np.linalg.lstsq(Xn, yn, rcond=None)[0]
    w_ridge = np.linalg.solve(X.T @ X / 20 + s ** 2 * np.eye(2), X.T @ y / 20)
    assert np.allclose(w_noise, w_ridge, atol=0.02)


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
def test_label_smoothing_matches_torch(eps: float) -> None:
    rng = np.random.default_rng(0)
    k = 5
    z, y = rng.standard_normal((8, k)) * 3, rng.integers(0, k, 8)
    T = smooth_labels(y, k, eps)
    assert np.allclose(T.sum(axis=1), 1) and np.allclose(T[np.arange(8), y], 1 - eps)
    # torch's label_smoothing s gives 1 − s + s/k and s/k, so the book's ε maps to s = ε k / (k − 1)
    loss = torch.nn.CrossEntropyLoss(label_smoothing=eps * k / (k - 1))(torch.tensor(z), torch.tensor(y))
    assert abs(label_smoothed_cross_entropy(z, y, eps) - loss.item()) < 1e-12


def test_early_stopping_matches_ridge_for_small_steps() -> None:
    H, w_star = np.diag([0.05, 0.01]), np.array([1.0, 1.0])   # ελτ ≪ 1: the regime of eq. 7.44
    lr, tau = 0.01, 100
    alpha = early_stopping_alpha(np.diag(H), lr, tau)
    w_es = early_stopping_weights(H, w_star, lr, tau)
    for i in range(2):   # per direction the exact α reproduces the iterate
        assert np.isclose(w_es[i], l2_shrink(H, w_star, alpha[i])[i], rtol=1e-12)
    path = [np.zeros(2)]
    for _ in range(tau):
        path.append(path[-1] - lr * H @ (path[-1] - w_star))
    assert np.allclose(path[-1], w_es, atol=1e-12)
    ridge = l2_shrink(H, w_star, 1 / (lr * tau))
    assert np.allclose(w_es, ridge, rtol=0.05)


def test_early_stopping_algorithm_keeps_the_best() -> None:
    curve = [5, 4, 3, 2.5, 2.6, 2.7, 2.8, 1.0]
    state = {"t": 0}
    out = early_stopping(lambda n: state.update(t=state["t"] + n), lambda: curve[state["t"]],
                         lambda: state["t"], n=1, patience=3, max_steps=7)
    assert out.best_steps == 3 and out.params == 3 and out.best_error == 2.5 and out.steps[-1] == 6


def test_bagging_matches_sklearn_with_its_indices() -> None:
    rng = np.random.default_rng(0)
    X, y, Xn = rng.standard_normal((40, 3)), rng.standard_normal(40), rng.standard_normal((5, 3))
    sk = BaggingRegressor(LinearRegression(), n_estimators=7, random_state=0).fit(X, y)
    idx = np.array(sk.estimators_samples_)

    def fit_predict(Xa: np.ndarray, ya: np.ndarray, Xb: np.ndarray) -> np.ndarray:
        return LinearRegression().fit(Xa, ya).predict(Xb)

    assert np.allclose(bagging_predict(fit_predict, X, y, Xn, idx), sk.predict(Xn), atol=1e-10)
    b = bootstrap_indices(40, 3, rng)
    assert b.shape == (3, 40) and b.min() >= 0 and b.max() < 40


def test_ensemble_error_by_monte_carlo() -> None:
    v, c, k = 2.0, 0.5, 4
    cov = np.full((k, k), c) + (v - c) * np.eye(k)
    e = np.random.default_rng(0).multivariate_normal(np.zeros(k), cov, size=200_000)
    sq = e.mean(axis=1) ** 2
    assert abs(sq.mean() - ensemble_squared_error(v, c, k)) < 3 * sq.std() / np.sqrt(len(sq))


def test_dropout_masks_match_torch_statistically() -> None:
    rng, p = np.random.default_rng(0), 0.8
    h = np.ones((400, 500))
    ours = inverted_dropout(h, p, rng)
    theirs = F.dropout(torch.ones(400, 500, dtype=torch.float64), p=1 - p, training=True,
                       generator=torch.Generator().manual_seed(0)).numpy() if "generator" in F.dropout.__code__.co_varnames \
        else F.dropout(torch.ones(400, 500, dtype=torch.float64), p=1 - p, training=True).numpy()
    n = h.size
    for out in (ours, theirs):
        assert set(np.unique(out)) <= {0.0, 1 / p}
        kept = np.mean(out > 0)
        assert abs(kept - p) < 4 * np.sqrt(p * (1 - p) / n)
        assert abs(out.mean() - 1.0) < 4 * np.sqrt((1 - p) / p / n)
    assert dropout_mask((3,), 1.0, rng).tolist() == [1.0, 1.0, 1.0]


def test_weight_scaling_is_exact_for_softmax_regression() -> None:
    rng = np.random.default_rng(0)
    W, b, X = rng.standard_normal((3, 6)), rng.standard_normal(3), rng.standard_normal((4, 6))
    for p in (0.5, 0.8):
        assert np.abs(softmax_regression_dropout_ensemble(W, b, X, p) - weight_scaled_softmax(W, b, X, p)).max() < 1e-12
    assert np.isclose(mask_probabilities(all_masks(6), 0.3).sum(), 1.0)


def test_weight_scaling_is_not_exact_for_relu_mlp() -> None:
    rng = np.random.default_rng(0)
    layers = init_mlp([4, 6, 3], rng)
    X = rng.standard_normal((5, 4)) * 2
    ens = dropout_ensemble(lambda mu: np.log(softmax(mlp_dropout_logits(layers, X, mu), axis=1)), 10, 0.5)
    scaled = softmax(mlp_dropout_logits(layers, X, np.ones(10), 0.5), axis=1)
    assert np.abs(ens - scaled).max() > 1e-4            # masks on the inputs pass through the ReLU
    hidden_only = lambda mu: np.log(softmax(mlp_dropout_logits(layers, X, np.r_[np.ones(4), mu]), axis=1))
    exact = dropout_ensemble(hidden_only, 6, 0.5)        # masks on the last hidden layer only: softmax regression on h
    assert np.abs(exact - scaled_hidden(layers, X)).max() < 1e-12


def scaled_hidden(layers: list, X: np.ndarray) -> np.ndarray:
    return softmax(mlp_dropout_logits(layers, X, np.r_[np.ones(4), 0.5 * np.ones(6)]), axis=1)


def test_bad_inputs_raise() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="symmetric"):
        l2_shrink([[1, 2], [0, 1]], [1, 1], 1.0)
    with pytest.raises(ValueError, match="alpha"):
        l2_shrink(np.eye(2), [1, 1], 0.0)
    with pytest.raises(ValueError, match="p_keep"):
        dropout_mask((2,), 1.5, rng)
    with pytest.raises(ValueError, match="eps"):
        smooth_labels([0, 1], 2, 1.2)
    with pytest.raises(ValueError, match="positive"):
        l1_solution([1.0], [0.0], 1.0)
    with pytest.raises(ValueError, match="covariance"):
        ensemble_squared_error(1.0, 2.0, 3)
    with pytest.raises(ValueError, match="covariance"):               # below −v/(k − 1): no such errors exist
        ensemble_squared_error(1.0, -1.0, 5)
    assert ensemble_squared_error(1.0, -0.25, 5) == pytest.approx(0.0)  # the extreme valid case
    with pytest.raises(ValueError, match="need X"):
        weight_scaled_softmax(np.ones((3, 4)), np.ones(3), np.ones((2, 5)), 0.5)
    with pytest.raises(ValueError, match="w_star"):
        early_stopping_weights(np.eye(2), [1.0, 2.0, 3.0], 0.1, 5)
    with pytest.raises(ValueError, match="ε λ"):
        early_stopping_alpha([1.0, 3.0], 0.5, 10)
    with pytest.raises(ValueError, match="threshold"):
        soft_threshold([1.0], -1.0)
    with pytest.raises(ValueError, match="indices"):
        bagging_predict(lambda a, b, c: c[:, 0], np.ones((3, 1)), np.ones(3), np.ones((2, 1)), [[0, 5]])
    with pytest.raises(ValueError, match="shape"):
        weight_decay_step([1.0, 2.0], [1.0], 0.1, 0.1)


def test_shift_images_matches_scipy_shift() -> None:
    from scipy.ndimage import shift
    img = np.random.default_rng(0).random((3, 16))
    for dx, dy in [(1, 0), (0, -1), (-2, 1), (3, 3)]:
        ref = np.stack([shift(i.reshape(4, 4), (dy, dx), order=0, cval=0.0) for i in img]).reshape(3, -1)
        assert np.allclose(shift_images(img, 4, dx, dy), ref)
    with pytest.raises(ValueError, match="side"):
        shift_images(img, 3, 1, 0)
