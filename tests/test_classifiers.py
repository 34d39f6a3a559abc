"""Logistic regression, kernels, kernel machines and k-NN (§5.7) against torch.autograd and scikit-learn."""

import numpy as np
import pytest
import torch

from dlbook.classifiers import (fit_kernel_ridge, fit_logistic_regression, kernel_machine_predict, knn_predict,
                                linear_kernel, linearly_separable, logistic_gradient, logistic_loss, rbf_kernel,
                                squared_distances)

RNG = np.random.default_rng(2)
X = RNG.standard_normal((80, 3))
Y = (X @ np.array([1.5, -1.0, 0.5]) + 0.8 * RNG.standard_normal(80) > 0).astype(float)  # overlapping classes


def test_loss_and_gradient_match_torch() -> None:
    w, b = np.array([0.3, -0.2, 1.1]), 0.4
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    z = torch.tensor(X) @ wt + bt
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(Y))
    loss.backward()
    assert logistic_loss(w, b, X, Y) == pytest.approx(loss.item(), rel=1e-12)
    gw, gb = logistic_gradient(w, b, X, Y)
    np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-10)
    assert gb == pytest.approx(bt.grad.item(), rel=1e-10)


def test_loss_is_finite_for_huge_scores() -> None:
    w = np.array([1e4, 0.0, 0.0])
    value = logistic_loss(w, 0.0, X, Y)
    assert np.isfinite(value) and value > 0


def test_gradient_descent_matches_sklearn_unpenalised() -> None:
    from sklearn.linear_model import LogisticRegression

    sk = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, Y)
    model = fit_logistic_regression(X, Y, learning_rate=1.0, epochs=3000)
    np.testing.assert_allclose(model.weights, sk.coef_[0], atol=1e-4)  # GD stopped after 3000 steps
    assert model.bias == pytest.approx(sk.intercept_[0], abs=1e-4)
    np.testing.assert_array_equal(model.predict(X), sk.predict(X))
    assert np.all(np.diff(model.losses) <= 1e-12)  # full-batch GD with a small enough step never goes up


def test_weight_decay_matches_sklearn_l2() -> None:
    # mean NLL + λ‖w‖² is sklearn's C·Σ NLL + ½‖w‖² divided by C·m, with C = 1/(2λm)
    from sklearn.linear_model import LogisticRegression

    lam = 0.05
    sk = LogisticRegression(C=1 / (2 * lam * len(Y)), tol=1e-12, max_iter=10_000).fit(X, Y)
    model = fit_logistic_regression(X, Y, learning_rate=1.0, epochs=2000, weight_decay=lam)
    np.testing.assert_allclose(model.weights, sk.coef_[0], atol=1e-6)
    assert model.bias == pytest.approx(sk.intercept_[0], abs=1e-6)


def test_minibatch_sgd_reaches_the_same_loss_region() -> None:
    full = fit_logistic_regression(X, Y, learning_rate=1.0, epochs=3000)
    sgd = fit_logistic_regression(X, Y, learning_rate=0.05, epochs=300, batch_size=8, seed=1)
    assert sgd.losses[-1] < full.losses[-1] + 0.01
    again = fit_logistic_regression(X, Y, learning_rate=0.05, epochs=300, batch_size=8, seed=1)
    np.testing.assert_array_equal(sgd.weights, again.weights)


def test_kernels_match_sklearn() -> None:
    from sklearn.metrics.pairwise import euclidean_distances, linear_kernel as sk_linear, rbf_kernel as sk_rbf

    Z = RNG.standard_normal((7, 3))
    np.testing.assert_allclose(rbf_kernel(X, Z, gamma=0.7), sk_rbf(X, Z, gamma=0.7), rtol=1e-12)
    np.testing.assert_allclose(linear_kernel(X, Z), sk_linear(X, Z), rtol=1e-12)
    np.testing.assert_allclose(squared_distances(X, Z), euclidean_distances(X, Z, squared=True), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.diag(rbf_kernel(X, X)), 1.0, atol=1e-12)  # k(x, x) = 1 up to round-off


@pytest.mark.parametrize("kernel", ["rbf", "linear"])
def test_kernel_machine_reproduces_svc_decision_function(kernel: str) -> None:
    # an SVM is a kernel machine: f(x) = b + Σᵢ αᵢ k(x, x⁽ⁱ⁾) with αᵢ ≠ 0 only for the support vectors
    from sklearn.svm import SVC

    svc = SVC(kernel=kernel, gamma=0.5, C=1.0).fit(X, Y)
    Q = RNG.standard_normal((20, 3))
    K = rbf_kernel(Q, svc.support_vectors_, 0.5) if kernel == "rbf" else linear_kernel(Q, svc.support_vectors_)
    np.testing.assert_allclose(kernel_machine_predict(svc.dual_coef_[0], svc.intercept_[0], K),
                               svc.decision_function(Q), rtol=1e-9, atol=1e-9)


def test_kernel_ridge_matches_sklearn_and_linear_ridge() -> None:
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.linear_model import Ridge

    y = X @ np.array([1.0, 2.0, -1.0]) + np.sin(3 * X[:, 0])
    Q = RNG.standard_normal((10, 3))
    alpha = fit_kernel_ridge(rbf_kernel(X, X, 0.3), y, 0.1)
    kr = KernelRidge(alpha=0.1, kernel="rbf", gamma=0.3).fit(X, y)
    np.testing.assert_allclose(kernel_machine_predict(alpha, 0.0, rbf_kernel(Q, X, 0.3)), kr.predict(Q), rtol=1e-8)
    alpha_lin = fit_kernel_ridge(linear_kernel(X, X), y, 2.0)
    ridge = Ridge(alpha=2.0, fit_intercept=False, solver="svd").fit(X, y)
    np.testing.assert_allclose(X.T @ alpha_lin, ridge.coef_, rtol=1e-9)


@pytest.mark.parametrize("k", [1, 3, 7])
def test_knn_matches_sklearn(k: int) -> None:
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    labels = np.array([0, 1, 2])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    Q = RNG.standard_normal((50, 3))
    sk = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X, labels)
    np.testing.assert_array_equal(knn_predict(X, labels, Q, k), sk.predict(Q))
    y = X[:, 0] ** 2
    skr = KNeighborsRegressor(n_neighbors=k, algorithm="brute").fit(X, y)
    np.testing.assert_allclose(knn_predict(X, y, Q, k, regression=True), skr.predict(Q), rtol=1e-12)


def test_one_nn_has_zero_training_error() -> None:
    np.testing.assert_array_equal(knn_predict(X, Y, X, 1), Y)


def test_linear_separability_matches_the_perceptron() -> None:
    """Oracle: the perceptron reaches zero training errors exactly when the labelling is linearly separable
    (Novikoff's convergence theorem one way, the definition the other); 100,000 epochs is ample for these sets."""
    from sklearn.linear_model import Perceptron

    rng = np.random.default_rng(5)
    seen = {True: 0, False: 0}
    for _ in range(60):
        n = int(rng.integers(3, 8))
        P, lab = rng.standard_normal((n, 2)), rng.integers(0, 2, n)
        if lab.min() == lab.max():
            continue
        perceptron = Perceptron(max_iter=100_000, tol=None, random_state=0).fit(P, lab)
        ours = linearly_separable(P, lab)
        assert ours == (perceptron.score(P, lab) == 1.0)
        seen[ours] += 1
    assert min(seen.values()) >= 10                                   # both answers were exercised


def test_lines_in_the_plane_shatter_three_points_but_not_four() -> None:
    three = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert all(linearly_separable(three, [(k >> i) & 1 for i in range(3)]) for k in range(8))
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert not linearly_separable(square, [0, 1, 1, 0])               # XOR
    assert linearly_separable(np.c_[square, square[:, 0] * square[:, 1]], [0, 1, 1, 0])   # a product feature fixes it


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="binary labels 0 or 1"):
        logistic_loss(np.zeros(3), 0.0, X, Y + 1)
    with pytest.raises(ValueError, match="same number of rows"):
        fit_logistic_regression(X, Y[:-1])
    with pytest.raises(ValueError, match="batch_size must be in \\[1, 80\\]"):
        fit_logistic_regression(X, Y, batch_size=0)
    with pytest.raises(ValueError, match="gamma must be finite and > 0"):
        rbf_kernel(X, X, gamma=0)
    with pytest.raises(ValueError, match="same number of columns"):
        linear_kernel(X, X[:, :2])
    with pytest.raises(ValueError, match="one column per coefficient"):
        kernel_machine_predict(np.zeros(4), 0.0, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="square Gram matrix"):
        fit_kernel_ridge(np.zeros((3, 4)), np.zeros(3), 1.0)
    with pytest.raises(ValueError, match="k must be in \\[1, 80\\]"):
        knn_predict(X, Y, X, 81)
    with pytest.raises(ValueError, match="X must have 3 columns"):
        fit_logistic_regression(X, Y, epochs=1).predict_proba(X[:, :2])
    with pytest.raises(ValueError, match="binary labels 0 or 1"):
        linearly_separable(X, 2 * Y - 1)
