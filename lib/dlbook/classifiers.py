"""Simple supervised learners: logistic regression, kernel machines and k-nearest neighbours (Deep Learning book, §5.7).

Logistic regression squashes a linear score through the sigmoid, ``p(y=1|x) = σ(wᵀx + b)``
(eq. 5.81), and is trained by (stochastic) gradient descent on the negative
log-likelihood (§5.9). A kernel machine predicts ``f(x) = b + Σᵢ αᵢ k(x, x⁽ⁱ⁾)`` (eq. 5.83),
which is linear in the coefficients but not in ``x``: the kernel trick. k-nearest
neighbours keeps the training set and votes among the closest examples (§5.7.3).
:func:`linearly_separable` asks whether any affine classifier fits a labelling exactly, the
question behind the VC dimension of §5.2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.special import expit

from dlbook.checks import as_array, check_int, check_positive, check_xy
from dlbook.mlp import bce_with_logits


def _check_labels01(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X, y = check_xy(X, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must hold binary labels 0 or 1; got values {np.unique(y)[:5]}")
    return X, y


def logistic_loss(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood ``(1/m) Σ [log(1 + e^z) − y z]`` with ``z = Xw + b`` (§5.7.1).

    This is the Bernoulli NLL of a sigmoid unit, ζ((1 − 2y) z), so it reuses
    :func:`dlbook.mlp.bce_with_logits` (§6.2.2.2), which stays finite for scores of any size.
    """
    X, y = _check_labels01(X, y)
    return bce_with_logits(X @ as_array(w, "w", ndim=1) + float(b), y)


def logistic_gradient(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Gradient of :func:`logistic_loss`: ``(1/m) Xᵀ(σ(z) − y)`` for ``w`` and the mean of ``σ(z) − y`` for ``b``."""
    X, y = _check_labels01(X, y)
    r = expit(X @ as_array(w, "w", ndim=1) + float(b)) - y
    return X.T @ r / len(y), float(r.mean())


@dataclass(frozen=True)
class LogisticModel:
    """A fitted logistic regression ``p(y=1|x) = σ(wᵀx + b)`` and its training-loss history (one entry per epoch)."""

    weights: np.ndarray
    bias: float
    losses: np.ndarray

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``p(y = 1 | x) = σ(wᵀx + b)`` for each row of ``X`` (eq. 5.81)."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.weights.shape[0]:
            raise ValueError(f"X must have {self.weights.shape[0]} columns; got shape {X.shape}")
        return expit(X @ self.weights + self.bias)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The more probable class, 1 where ``p(y = 1 | x) ≥ 0.5`` and 0 elsewhere."""
        return (self.predict_proba(X) >= 0.5).astype(int)


def fit_logistic_regression(X: np.ndarray, y: np.ndarray, *, learning_rate: float = 0.5, epochs: int = 500,
                            batch_size: int | None = None, weight_decay: float = 0.0, seed: int = 0
                            ) -> LogisticModel:
    """Logistic regression by gradient descent on the mean NLL plus ``λ‖w‖²`` (§5.7.1, §5.9).

    ``batch_size=None`` takes full-batch gradient steps; an integer takes minibatch
    stochastic gradient steps (algorithm of §5.9): each epoch shuffles the examples and
    visits them in minibatches, so one step costs O(batch_size) whatever the size of the
    training set. The intercept is not penalised.
    """
    X, y = _check_labels01(X, y)
    lr = check_positive(learning_rate, "learning_rate")
    epochs = check_int(epochs, "epochs", low=1)
    lam = check_positive(weight_decay, "weight_decay", allow_zero=True)
    m, n = X.shape
    bs = m if batch_size is None else check_int(batch_size, "batch_size", low=1, high=m)
    rng = np.random.default_rng(seed)
    w, b = np.zeros(n), 0.0
    losses = np.empty(epochs)
    for epoch in range(epochs):
        order = rng.permutation(m) if bs < m else np.arange(m)
        for start in range(0, m, bs):
            batch = order[start:start + bs]
            gw, gb = logistic_gradient(w, b, X[batch], y[batch])
            w = w - lr * (gw + 2 * lam * w)
            b = b - lr * gb
        losses[epoch] = logistic_loss(w, b, X, y) + lam * float(w @ w)
    return LogisticModel(weights=w, bias=b, losses=losses)


def linearly_separable(X: np.ndarray, y: np.ndarray) -> bool:
    """Whether some affine classifier ``sign(wᵀx + b)`` labels every row of ``X`` as ``y`` (0/1) (§5.2, VC dimension).

    Strict separation is equivalent (after rescaling ``w`` and ``b``) to the linear feasibility
    problem ``sᵢ(wᵀx⁽ⁱ⁾ + b) ≥ 1`` with ``sᵢ = 2yᵢ − 1``, which a linear program decides. A
    family *shatters* a point set when every labelling is separable; the VC dimension is the
    size of the largest set it shatters (3 for lines in the plane).
    """
    X, y = _check_labels01(X, y)
    s = 2.0 * y - 1.0
    A = -s[:, None] * np.hstack([X, np.ones((len(y), 1))])
    res = linprog(np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(y)), bounds=[(None, None)] * (X.shape[1] + 1),
                  method="highs")
    if res.status not in (0, 2):  # 0: a separating (w, b) exists; 2: the constraints are infeasible
        raise RuntimeError(f"the linear program did not finish: {res.message}")
    return bool(res.status == 0)


def _check_pair(X: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = as_array(X, "X", ndim=2)
    Z = as_array(Z, "Z", ndim=2)
    if X.shape[1] != Z.shape[1]:
        raise ValueError(f"X and Z must have the same number of columns (features); got {X.shape[1]} and {Z.shape[1]}")
    return X, Z


def squared_distances(X: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """The matrix of squared Euclidean distances ``‖x⁽ⁱ⁾ − z⁽ʲ⁾‖²`` (clipped at 0 against round-off).

    Used by the RBF kernel (eq. 5.84), k-nearest neighbours (§5.7.3) and k-means (§5.8.2).
    """
    X, Z = _check_pair(X, Z)
    d2 = np.sum(X**2, axis=1)[:, None] + np.sum(Z**2, axis=1)[None, :] - 2 * X @ Z.T
    return np.maximum(d2, 0.0)


def rbf_kernel(X: np.ndarray, Z: np.ndarray, gamma: float = 1.0) -> np.ndarray:
    """The Gaussian (RBF) kernel ``k(x, z) = exp(−γ‖x − z‖²)`` between every row of ``X`` and of ``Z`` (eq. 5.84).

    The book writes it as ``N(x − z; 0, σ²I)`` up to a constant, i.e. ``γ = 1/(2σ²)``.
    """
    gamma = check_positive(gamma, "gamma")
    return np.exp(-gamma * squared_distances(X, Z))


def linear_kernel(X: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """The linear kernel ``k(x, z) = xᵀz`` (§5.7.2): with it a kernel machine is an ordinary linear model."""
    X, Z = _check_pair(X, Z)
    return X @ Z.T


def kernel_machine_predict(alpha: np.ndarray, bias: float, K: np.ndarray) -> np.ndarray:
    """``f(x) = b + Σᵢ αᵢ k(x, x⁽ⁱ⁾)`` (eq. 5.83) for each row of ``K``, the kernel between queries and training points."""
    K = as_array(K, "K", ndim=2)
    alpha = as_array(alpha, "alpha", ndim=1)
    if K.shape[1] != alpha.shape[0]:
        raise ValueError(f"K must have one column per coefficient ({alpha.shape[0]}); got shape {K.shape}")
    return K @ alpha + float(bias)


def fit_kernel_ridge(K: np.ndarray, y: np.ndarray, weight_decay: float) -> np.ndarray:
    """Coefficients ``α = (K + λI)⁻¹ y`` of kernel ridge regression, from the training Gram matrix ``K`` (§5.7.2).

    With the linear kernel ``K = XXᵀ`` the predictions equal ridge regression's with
    ``w = Xᵀα`` (minimising ``‖Xw − y‖² + λ‖w‖²``): the kernel trick in its simplest form.
    """
    K = as_array(K, "K", ndim=2)
    y = as_array(y, "y", ndim=1)
    lam = check_positive(weight_decay, "weight_decay")
    if K.shape != (len(y), len(y)):
        raise ValueError(f"K must be the square Gram matrix of the {len(y)} training points; got shape {K.shape}")
    return np.linalg.solve(K + lam * np.eye(len(y)), y)


def knn_predict(X_train: np.ndarray, y_train: np.ndarray, X: np.ndarray, k: int, *,
                regression: bool = False) -> np.ndarray:
    """k-nearest-neighbour prediction (§5.7.3): the majority label (or, with ``regression``, the mean target)
    of the ``k`` training points closest to each row of ``X``.

    Ties in the vote go to the smallest label; ties in distance go to the earlier training point.
    """
    X_train, X = _check_pair(X_train, X)
    y_train = as_array(y_train, "y_train", ndim=1)
    if len(y_train) != len(X_train):
        raise ValueError(f"X_train and y_train must have the same number of rows; got {len(X_train)} and {len(y_train)}")
    k = check_int(k, "k", low=1, high=len(X_train))
    nearest = np.argsort(squared_distances(X, X_train), axis=1, kind="stable")[:, :k]
    votes = y_train[nearest]
    if regression:
        return votes.mean(axis=1)
    labels = np.unique(y_train)
    counts = (votes[:, :, None] == labels[None, None, :]).sum(axis=1)
    return labels[np.argmax(counts, axis=1)]
