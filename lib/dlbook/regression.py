"""Linear regression, its regularised and Bayesian versions, and cross-validation (Deep Learning book, §5.1–5.6).

The model is ``ŷ = wᵀx + b`` (eq. 5.3 and 5.13). Minimising the training mean squared
error gives the normal equations ``XᵀX w = Xᵀy`` (eq. 5.12); adding the weight-decay
penalty ``λ wᵀw`` (eq. 5.18) gives ridge regression; a Gaussian prior on ``w`` gives
Bayesian linear regression, whose posterior mean is the ridge solution (§5.6).
Polynomial features turn the same linear solver into the curve fits of fig. 5.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive, check_xy


def polynomial_features(x: np.ndarray, degree: int, *, include_bias: bool = True) -> np.ndarray:
    """The design matrix ``[1, x, x², …, x^degree]`` of a 1-D input (§5.2, eq. 5.15).

    With ``include_bias=False`` the constant column is left out (for a model with a separate intercept).
    """
    x = as_array(x, "x", ndim=1)
    degree = check_int(degree, "degree", low=0)
    if degree == 0 and not include_bias:
        raise ValueError("degree 0 without the bias column leaves no features; use include_bias=True or degree >= 1")
    start = 0 if include_bias else 1
    return x[:, None] ** np.arange(start, degree + 1)


def mean_squared_error(y_pred: np.ndarray, y: np.ndarray) -> float:
    """``(1/m) ‖ŷ − y‖²`` (eq. 5.4–5.5)."""
    y_pred = as_array(y_pred, "y_pred", ndim=1)
    y = as_array(y, "y", ndim=1)
    if y_pred.shape != y.shape:
        raise ValueError(f"y_pred and y must have the same shape; got {y_pred.shape} and {y.shape}")
    return float(np.mean((y_pred - y) ** 2))


def normal_equations(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Solve the normal equations ``XᵀX w = Xᵀy`` for the least-squares weights (§5.1.4, eq. 5.12).

    Needs ``XᵀX`` to be invertible (the columns of ``X`` linearly independent);
    :func:`fit_linear_regression` also handles the rank-deficient case.
    """
    X, y = check_xy(X, y)
    gram = X.T @ X
    if np.linalg.matrix_rank(gram) < X.shape[1]:
        raise ValueError(f"XᵀX is singular (X of shape {X.shape} has linearly dependent columns); "
                         "use fit_linear_regression, which returns the minimum-norm solution")
    return np.linalg.solve(gram, X.T @ y)


@dataclass(frozen=True)
class LinearFit:
    """A fitted affine model ``ŷ = Xw + b`` (eq. 5.13)."""

    weights: np.ndarray
    bias: float = 0.0

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``Xw + b`` for the rows of ``X``."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.weights.shape[0]:
            raise ValueError(f"X must have {self.weights.shape[0]} columns; got shape {X.shape}")
        return X @ self.weights + self.bias


def fit_linear_regression(X: np.ndarray, y: np.ndarray, *, weight_decay: float = 0.0,
                          fit_intercept: bool = False) -> LinearFit:
    """Minimise ``MSE_train + λ wᵀw`` (eq. 5.18; λ = 0 is plain least squares, eq. 5.12).

    Setting the gradient ``(2/m)Xᵀ(Xw − y) + 2λw`` to zero gives ``(XᵀX + mλI) w = Xᵀy``.
    We solve it as the least-squares problem ``[X; √(mλ) I] w ≈ [y; 0]`` with an SVD-based
    solver, which stays accurate when ``XᵀX`` is badly conditioned (the degree-9 fit of
    fig. 5.2) and returns the minimum-norm solution (the pseudoinverse, §2.9) when λ = 0 and
    the columns are dependent. With ``fit_intercept`` the intercept ``b`` is not penalised:
    the data are centred, ``w`` is fitted, and ``b = ȳ − x̄ᵀw``.
    """
    X, y = check_xy(X, y)
    lam = check_positive(weight_decay, "weight_decay", allow_zero=True)
    m, n = X.shape
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(n)
    y_mean = float(y.mean()) if fit_intercept else 0.0
    Xc, yc = X - x_mean, y - y_mean
    if lam > 0:
        Xc = np.vstack([Xc, np.sqrt(m * lam) * np.eye(n)])
        yc = np.concatenate([yc, np.zeros(n)])
    w, *_ = np.linalg.lstsq(Xc, yc, rcond=None)
    return LinearFit(weights=w, bias=y_mean - float(x_mean @ w))


@dataclass(frozen=True)
class GaussianPosterior:
    """The posterior ``N(w; μ_m, Λ_m)`` over the weights of Bayesian linear regression (eq. 5.76–5.78)."""

    mean: np.ndarray
    covariance: np.ndarray
    noise_variance: float

    def predictive(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean ``Xμ_m`` and variance ``xᵀΛ_m x + σ²`` of the prediction for each row of ``X``."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.mean.shape[0]:
            raise ValueError(f"X must have {self.mean.shape[0]} columns; got shape {X.shape}")
        var = np.einsum("ij,jk,ik->i", X, self.covariance, X) + self.noise_variance
        return X @ self.mean, var


def bayesian_linear_regression(X: np.ndarray, y: np.ndarray, *, prior_precision: float = 1.0,
                               noise_variance: float = 1.0, prior_mean: np.ndarray | None = None
                               ) -> GaussianPosterior:
    """Posterior over ``w`` for ``y ~ N(Xw, σ²I)`` and the prior ``w ~ N(μ₀, (1/α) I)`` (§5.6, eq. 5.69–5.78).

    Completing the square in ``log p(y | X, w) + log p(w)`` gives
    ``Λ_m = (XᵀX/σ² + αI)⁻¹`` and ``μ_m = Λ_m (Xᵀy/σ² + αμ₀)``. With ``μ₀ = 0`` the mean is
    the ridge solution ``(XᵀX + ασ²I)⁻¹Xᵀy``, i.e. :func:`fit_linear_regression` with
    ``weight_decay = ασ²/m`` (the book takes σ² = 1).
    """
    X, y = check_xy(X, y)
    alpha = check_positive(prior_precision, "prior_precision")
    s2 = check_positive(noise_variance, "noise_variance")
    n = X.shape[1]
    mu0 = np.zeros(n) if prior_mean is None else as_array(prior_mean, "prior_mean", ndim=1)
    if mu0.shape != (n,):
        raise ValueError(f"prior_mean must have {n} entries to match X; got shape {mu0.shape}")
    precision = X.T @ X / s2 + alpha * np.eye(n)  # Λ_m⁻¹: symmetric positive definite because α > 0
    # Invert through the eigendecomposition rather than Cholesky: when XᵀX/σ² dwarfs α, round-off can
    # make the computed matrix look indefinite, but every true eigenvalue is at least α.
    eigvals, Q = np.linalg.eigh(precision)
    covariance = (Q / np.maximum(eigvals, alpha)) @ Q.T
    covariance = 0.5 * (covariance + covariance.T)
    mean = covariance @ (X.T @ y / s2 + alpha * mu0)
    return GaussianPosterior(mean=mean, covariance=covariance, noise_variance=s2)


def k_fold_splits(m: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split example indices ``0 … m−1`` into ``k`` contiguous folds (§5.3.1, algorithm 5.1).

    Returns ``k`` pairs ``(train_indices, test_indices)``; the first ``m mod k`` folds hold one
    extra example, so every index is tested exactly once. Shuffle the data first if its order
    carries information.
    """
    m = check_int(m, "m", low=2)
    k = check_int(k, "k", low=2, high=m)
    sizes = np.full(k, m // k) + (np.arange(k) < m % k)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    idx = np.arange(m)
    return [(np.concatenate([idx[:lo], idx[hi:]]), idx[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


def cross_validation_losses(fit_predict: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
                            X: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """The per-example squared errors of k-fold cross-validation (algorithm 5.1).

    ``fit_predict(X_train, y_train, X_test)`` trains on the other folds and predicts the
    held-out one. The mean of the result estimates the generalisation error; its standard
    error (§5.4.3) says how much to trust that estimate.
    """
    X, y = check_xy(X, y)
    losses = np.empty(len(y))
    for train, test in k_fold_splits(len(y), k):
        pred = np.asarray(fit_predict(X[train], y[train], X[test]), dtype=float)
        if pred.shape != (len(test),):
            raise ValueError(f"fit_predict must return one prediction per test example ({len(test)}); "
                             f"got shape {pred.shape}")
        losses[test] = (pred - y[test]) ** 2
    return losses
