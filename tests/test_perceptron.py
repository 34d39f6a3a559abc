"""dlbook.perceptron against scikit-learn (Perceptron, SGDRegressor), numpy.linalg.lstsq and Novikoff's theorem."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Perceptron, SGDRegressor
from sklearn.svm import SVC

from dlbook.classifiers import linearly_separable
from dlbook.data import digits
from dlbook.perceptron import adaline_fit, geometric_margin, novikoff_bound, perceptron_fit, signed_labels


def _zeros_and_ones() -> tuple[np.ndarray, np.ndarray]:
    images, labels = digits(scale=True)
    keep = labels < 2
    return images[keep].reshape(-1, 64), labels[keep]


def test_perceptron_matches_sklearn_exactly() -> None:
    X, y = _zeros_and_ones()
    ours = perceptron_fit(X, y, epochs=30)
    sk = Perceptron(shuffle=False, eta0=1.0, penalty=None, alpha=0.0, tol=None, max_iter=30).fit(X, y)
    assert np.array_equal(ours.weights, sk.coef_[0]) and ours.bias == sk.intercept_[0]
    assert ours.epoch_mistakes[-1] == 0 and np.array_equal(ours.predict(X), signed_labels(y))


def test_mistakes_within_novikoff_bound() -> None:
    X, y = _zeros_and_ones()
    svc = SVC(kernel="linear", C=1e6).fit(X, y)
    bound = novikoff_bound(X, y, svc.coef_[0], svc.intercept_[0])
    assert 0 < perceptron_fit(X, y, epochs=30).mistakes <= bound
    rng = np.random.default_rng(1)
    for _ in range(5):                                  # random separable sets with a known separator
        X2 = rng.uniform(-1, 1, (80, 2))
        u, c = rng.standard_normal(2), 0.1
        keep = np.abs(X2 @ u + c) > 0.05 * np.linalg.norm(u)
        X2, y2 = X2[keep], (X2[keep] @ u + c > 0).astype(int)
        run = perceptron_fit(X2, y2, epochs=10_000)
        assert run.epoch_mistakes[-1] == 0 and run.mistakes <= novikoff_bound(X2, y2, u, c)


def test_adaline_matches_sgd_regressor_and_least_squares() -> None:
    X, y = _zeros_and_ones()
    s = signed_labels(y)
    ours = adaline_fit(X, s, lr=0.01, epochs=4)
    sk = SGDRegressor(loss="squared_error", penalty=None, learning_rate="constant", eta0=0.01, shuffle=False,
                      max_iter=4, tol=None).fit(X, s)
    assert np.allclose(ours.weights, sk.coef_, atol=1e-12) and np.isclose(ours.bias, sk.intercept_[0], atol=1e-12)
    rng = np.random.default_rng(0)                      # a consistent system: LMS converges to its solution
    A = rng.standard_normal((30, 3))
    t = A @ np.array([1.0, -2.0, 0.5]) + 0.7
    fit = adaline_fit(A, t, lr=0.05, epochs=400)
    coef = np.linalg.lstsq(np.c_[A, np.ones(30)], t, rcond=None)[0]
    assert np.allclose(np.append(fit.weights, fit.bias), coef, atol=1e-8)


def test_xor_is_not_separable_and_the_perceptron_never_settles() -> None:
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([0, 1, 1, 0])
    assert not linearly_separable(X, y) and linearly_separable(X, np.array([0, 1, 1, 1]))
    run = perceptron_fit(X, y, epochs=50)
    assert run.epoch_mistakes.min() > 0 and len(run.epoch_mistakes) == 50


def test_bad_inputs() -> None:
    X = np.eye(3)
    with pytest.raises(ValueError, match="two classes"):
        perceptron_fit(X, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="same number of rows"):
        perceptron_fit(X, np.array([0, 1]))
    with pytest.raises(ValueError, match="lr"):
        adaline_fit(X, np.ones(3), lr=0.0)
    with pytest.raises(ValueError, match="diverged"):
        adaline_fit(100 * X, np.ones(3), lr=1.0, epochs=100)
    with pytest.raises(ValueError, match="separate"):
        novikoff_bound(X, np.array([0, 1, 1]), np.array([-1.0, 0, 0]), 0.0)
    assert geometric_margin(X, np.array([1, 0, 0]), np.array([1.0, -1, -1]), 0.0) > 0
