"""PCA from scratch (§2.12) against numpy.linalg.svd, the eigenvalue identity and scikit-learn."""

import numpy as np
import pytest

from dlbook.pca import (correlated_gaussian, direction_objective, fit_pca, pca_decode, pca_encode,
                        reconstruction_error)

RNG = np.random.default_rng(0)
X = RNG.standard_normal((50, 6)) @ RNG.standard_normal((6, 6)) + 3.0


def test_components_match_svd_up_to_sign() -> None:
    pca = fit_pca(X, 3)
    _, s, Vt = np.linalg.svd(X - X.mean(0), full_matrices=False)
    for j in range(3):
        v = Vt[j]
        assert min(np.abs(pca.components[:, j] - v).max(), np.abs(pca.components[:, j] + v).max()) < 1e-10
    np.testing.assert_allclose(pca.eigenvalues, s**2, rtol=1e-10)  # eigenvalues of XᵀX are squared singular values
    np.testing.assert_allclose(pca.components.T @ pca.components, np.eye(3), atol=1e-12)


@pytest.mark.parametrize("l", [1, 2, 4, 6])
def test_reconstruction_error_is_sum_of_discarded_eigenvalues(l: int) -> None:
    pca = fit_pca(X, l)
    assert reconstruction_error(pca, X) == pytest.approx(pca.eigenvalues[l:].sum(), rel=1e-9, abs=1e-9)


def test_matches_scikit_learn() -> None:
    from sklearn.decomposition import PCA as SkPCA

    sk = SkPCA(n_components=3, svd_solver="full").fit(X)
    pca = fit_pca(X, 3)
    codes = pca_encode(pca, X)
    sk_codes = sk.transform(X)
    for j in range(3):
        sign = np.sign(codes[:, j] @ sk_codes[:, j])
        np.testing.assert_allclose(codes[:, j], sign * sk_codes[:, j], atol=1e-9)
    np.testing.assert_allclose(pca.explained_variance_ratio, sk.explained_variance_ratio_, rtol=1e-9)
    np.testing.assert_allclose(pca_decode(pca, codes), sk.inverse_transform(sk_codes), atol=1e-9)


def test_direction_objective_adds_up_to_the_trace() -> None:
    Xc = X[:, :2] - X[:, :2].mean(0)
    for angle in np.linspace(0, np.pi, 7):
        d = np.array([np.cos(angle), np.sin(angle)])
        captured, error = direction_objective(X[:, :2], d)
        assert captured + error == pytest.approx(np.trace(Xc.T @ Xc), rel=1e-12)
    best = fit_pca(X[:, :2], 1)
    assert direction_objective(X[:, :2], best.components[:, 0])[0] == pytest.approx(best.eigenvalues[0], rel=1e-12)


def test_sign_convention_and_determinism() -> None:
    pca = fit_pca(X, 2)
    for j in range(2):
        assert pca.components[np.argmax(np.abs(pca.components[:, j])), j] > 0
    np.testing.assert_array_equal(correlated_gaussian(10, 30, (2, 1), seed=1), correlated_gaussian(10, 30, (2, 1), seed=1))


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="n_components must be in \\[1, 6\\]"):
        fit_pca(X, 7)
    with pytest.raises(ValueError, match="X must be 2-D"):
        fit_pca(X[0], 1)
    with pytest.raises(ValueError, match="at least 2 rows"):
        fit_pca(X[:1], 1)
    with pytest.raises(ValueError, match="finite"):
        fit_pca(np.where(X > 4, np.nan, X), 1)
    pca = fit_pca(X, 2)
    with pytest.raises(ValueError, match="X must have 6 columns"):
        pca_encode(pca, X[:, :5])
    with pytest.raises(ValueError, match="C must have 2 columns"):
        pca_decode(pca, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="unit vector"):
        direction_objective(X[:, :2], np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="std must be two positive"):
        correlated_gaussian(10, 0, (1, 0))


def test_constant_data_stays_finite() -> None:
    pca = fit_pca(np.ones((5, 3)), 2)
    assert np.all(np.isfinite(pca.components)) and np.all(pca.eigenvalues >= 0)
    assert np.all(pca.explained_variance_ratio == 0)


def test_correlated_gaussian_has_the_stated_covariance() -> None:
    # closed form: cov = R diag(s1², s2²) Rᵀ; with 200 000 samples the sample covariance is within ~1 % (5σ ≈ 0.05)
    angle, std = 30.0, (2.0, 0.5)
    t = np.deg2rad(angle)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    expected = R @ np.diag(np.square(std)) @ R.T
    sample = np.cov(correlated_gaussian(200_000, angle, std, seed=3), rowvar=False)
    np.testing.assert_allclose(sample, expected, atol=0.05)
    top = fit_pca(correlated_gaussian(200_000, angle, std, seed=3), 1).components[:, 0]
    assert abs(top @ R[:, 0]) > 0.999  # the first principal axis is the generating one


def test_correlated_gaussian_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="angle_deg must contain only finite numbers"):
        correlated_gaussian(10, np.nan, (1, 1))
    with pytest.raises(ValueError, match="std must be two positive"):
        correlated_gaussian(10, 0, (1, np.inf))
    with pytest.raises(ValueError, match="m must be"):
        correlated_gaussian(1, 0, (1, 1))
