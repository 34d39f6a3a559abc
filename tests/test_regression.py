"""Linear regression, ridge, Bayesian linear regression and k-fold splits (§5.1–5.6) against numpy.linalg,
scikit-learn and the Gaussian-conditioning formula."""

import numpy as np
import pytest

from dlbook.regression import (bayesian_linear_regression, cross_validation_losses, fit_linear_regression,
                               k_fold_splits, mean_squared_error, normal_equations, polynomial_features)

RNG = np.random.default_rng(0)
X = RNG.standard_normal((30, 4))
Y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.7 + 0.3 * RNG.standard_normal(30)


def test_polynomial_features_match_vander_and_sklearn() -> None:
    from sklearn.preprocessing import PolynomialFeatures

    x = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(polynomial_features(x, 4), np.vander(x, 5, increasing=True), atol=0)
    np.testing.assert_allclose(polynomial_features(x, 3, include_bias=False),
                               PolynomialFeatures(3, include_bias=False).fit_transform(x[:, None]), atol=1e-15)
    assert polynomial_features(x, 0).shape == (7, 1)


def test_normal_equations_match_lstsq() -> None:
    w, *_ = np.linalg.lstsq(X, Y, rcond=None)
    np.testing.assert_allclose(normal_equations(X, Y), w, rtol=1e-10)  # float64, well-conditioned X
    np.testing.assert_allclose(fit_linear_regression(X, Y).weights, w, rtol=1e-10)


def test_intercept_matches_sklearn_linear_regression() -> None:
    from sklearn.linear_model import LinearRegression

    sk = LinearRegression().fit(X, Y)
    fit = fit_linear_regression(X, Y, fit_intercept=True)
    np.testing.assert_allclose(fit.weights, sk.coef_, rtol=1e-10)
    assert fit.bias == pytest.approx(sk.intercept_, rel=1e-10)
    np.testing.assert_allclose(fit.predict(X), sk.predict(X), rtol=1e-10)


@pytest.mark.parametrize("lam", [1e-6, 0.01, 1.0, 100.0])
@pytest.mark.parametrize("intercept", [False, True])
def test_weight_decay_matches_sklearn_ridge(lam: float, intercept: bool) -> None:
    # J = MSE + λ‖w‖² (eq. 5.18) is sklearn's ‖y − Xw‖² + α‖w‖² divided by m, with α = mλ
    from sklearn.linear_model import Ridge

    sk = Ridge(alpha=len(Y) * lam, fit_intercept=intercept, solver="svd").fit(X, Y)
    fit = fit_linear_regression(X, Y, weight_decay=lam, fit_intercept=intercept)
    np.testing.assert_allclose(fit.weights, sk.coef_, rtol=1e-8, atol=1e-12)
    assert fit.bias == pytest.approx(sk.intercept_, rel=1e-8, abs=1e-12)


def test_degree_nine_on_ten_points_interpolates() -> None:
    x = np.linspace(-1, 1, 10)
    y = x**2 + RNG.standard_normal(10) * 0.1
    fit = fit_linear_regression(polynomial_features(x, 9), y)
    np.testing.assert_allclose(fit.predict(polynomial_features(x, 9)), y, atol=1e-8)
    # rank-deficient case (more features than points): the minimum-norm solution, as numpy's pinv gives
    P = polynomial_features(x[:5], 9)
    np.testing.assert_allclose(fit_linear_regression(P, y[:5]).weights, np.linalg.pinv(P) @ y[:5], atol=1e-8)


def test_huge_weight_decay_gives_a_constant() -> None:
    x = np.linspace(-1, 1, 10)
    y = 2 * x**2 + 1
    fit = fit_linear_regression(polynomial_features(x, 9, include_bias=False), y, weight_decay=1e8, fit_intercept=True)
    assert np.abs(fit.weights).max() < 1e-6
    assert fit.bias == pytest.approx(y.mean(), rel=1e-6)


@pytest.mark.parametrize("alpha, s2", [(0.1, 1.0), (2.0, 0.25), (10.0, 4.0)])
def test_bayesian_posterior_matches_gaussian_conditioning_and_ridge(alpha: float, s2: float) -> None:
    mu0 = np.array([0.5, 0.0, -1.0, 0.2])
    post = bayesian_linear_regression(X, Y, prior_precision=alpha, noise_variance=s2, prior_mean=mu0)
    # Oracle: condition the joint Gaussian of (w, y): Cov(y) = XΣ₀Xᵀ + σ²I, Cov(w, y) = Σ₀Xᵀ
    S0 = np.eye(4) / alpha
    G = X @ S0 @ X.T + s2 * np.eye(len(Y))
    gain = S0 @ X.T @ np.linalg.inv(G)
    np.testing.assert_allclose(post.mean, mu0 + gain @ (Y - X @ mu0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(post.covariance, S0 - gain @ X @ S0, rtol=1e-8, atol=1e-12)
    # with μ₀ = 0 the posterior mean is ridge with ‖Xw − y‖² + ασ²‖w‖², i.e. weight decay ασ²/m
    from sklearn.linear_model import Ridge

    post0 = bayesian_linear_regression(X, Y, prior_precision=alpha, noise_variance=s2)
    sk = Ridge(alpha=alpha * s2, fit_intercept=False, solver="svd").fit(X, Y)
    np.testing.assert_allclose(post0.mean, sk.coef_, rtol=1e-9)
    mean, var = post0.predictive(X[:3])
    np.testing.assert_allclose(mean, X[:3] @ post0.mean, rtol=1e-12)
    np.testing.assert_allclose(var, np.diag(X[:3] @ post0.covariance @ X[:3].T) + s2, rtol=1e-12)


@pytest.mark.parametrize("m, k", [(10, 2), (10, 3), (17, 5), (6, 6)])
def test_k_fold_splits_match_sklearn(m: int, k: int) -> None:
    from sklearn.model_selection import KFold

    ours = k_fold_splits(m, k)
    theirs = list(KFold(n_splits=k).split(np.zeros(m)))
    assert len(ours) == len(theirs)
    for (tr, te), (tr2, te2) in zip(ours, theirs):
        np.testing.assert_array_equal(tr, tr2)
        np.testing.assert_array_equal(te, te2)


def test_cross_validation_matches_sklearn_cross_val_predict() -> None:
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold, cross_val_predict

    def fit_predict(Xtr, ytr, Xte):
        return fit_linear_regression(Xtr, ytr, fit_intercept=True).predict(Xte)

    losses = cross_validation_losses(fit_predict, X, Y, 5)
    pred = cross_val_predict(LinearRegression(), X, Y, cv=KFold(5))
    np.testing.assert_allclose(losses, (pred - Y) ** 2, rtol=1e-9, atol=1e-14)
    assert mean_squared_error(pred, Y) == pytest.approx(losses.mean(), rel=1e-9)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="same number of rows"):
        fit_linear_regression(X, Y[:-1])
    with pytest.raises(ValueError, match="weight_decay must be finite and >= 0"):
        fit_linear_regression(X, Y, weight_decay=-1)
    with pytest.raises(ValueError, match="singular"):
        normal_equations(np.hstack([X, X[:, :1]]), Y)
    with pytest.raises(ValueError, match="degree must be in"):
        polynomial_features(np.ones(3), -1)
    with pytest.raises(ValueError, match="no features"):
        polynomial_features(np.ones(3), 0, include_bias=False)
    with pytest.raises(ValueError, match="prior_precision must be finite and > 0"):
        bayesian_linear_regression(X, Y, prior_precision=0)
    with pytest.raises(ValueError, match="prior_mean must have 4 entries"):
        bayesian_linear_regression(X, Y, prior_mean=np.zeros(3))
    with pytest.raises(ValueError, match="k must be in \\[2, 5\\]"):
        k_fold_splits(5, 6)
    with pytest.raises(ValueError, match="X must have 4 columns"):
        fit_linear_regression(X, Y).predict(X[:, :2])
    with pytest.raises(ValueError, match="one prediction per test example"):
        cross_validation_losses(lambda a, b, c: np.zeros(1), X, Y, 3)
    with pytest.raises(ValueError, match="same shape"):
        mean_squared_error(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("X, y, alpha, s2", [
    (np.full((2, 2), 644311.0), np.zeros(2), 0.01, 0.00390625),
    (np.array([[1.0, 1.0]]), np.zeros(1), 1e-20, 1.0),
])
def test_bayesian_posterior_survives_rank_deficient_designs(X, y, alpha, s2) -> None:
    """Found by the property tests: Cholesky of XᵀX/σ² + αI failed when XᵀX/σ² dwarfs α."""
    post = bayesian_linear_regression(X, y, prior_precision=alpha, noise_variance=s2)
    assert np.all(np.isfinite(post.mean)) and np.all(np.isfinite(post.covariance))
    np.testing.assert_allclose(post.mean, 0.0, atol=1e-12)  # y = 0 and μ₀ = 0: the posterior mean is 0
    ev = np.linalg.eigvalsh(post.covariance)
    assert ev.min() >= -1e-12 * ev.max() and ev.max() <= 1 / alpha * (1 + 1e-9)  # PSD, at most the prior's 1/α
