"""dlbook.preprocessing: GCN against its closed-form properties, LCN against scipy, ZCA against sklearn PCA(whiten=True)."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from sklearn.decomposition import PCA

from dlbook.preprocessing import global_contrast_normalize, local_contrast_normalize, zca_whiten

RNG = np.random.default_rng(0)


def test_gcn_with_lambda_zero_puts_rows_on_the_sphere() -> None:
    X = RNG.standard_normal((50, 7)) * RNG.uniform(0.1, 10, (50, 1)) + 3
    for s in (0.5, 1.0, 2.0):
        Z = global_contrast_normalize(X, s=s, lam=0.0)
        assert np.allclose(np.linalg.norm(Z, axis=1), s * np.sqrt(7), atol=1e-10)
        assert np.allclose(Z.mean(axis=1), 0, atol=1e-12)
        assert np.allclose(Z.std(axis=1), s, atol=1e-10)


def test_gcn_with_lambda_pulls_low_contrast_rows_inside() -> None:
    X = RNG.standard_normal((50, 7)) * 0.1
    r = np.linalg.norm(global_contrast_normalize(X, lam=1.0), axis=1)
    assert np.all(r < np.sqrt(7))
    assert np.all(np.isfinite(global_contrast_normalize(np.ones((3, 4)))))     # constant rows: eps guards 0/0
    assert np.all(global_contrast_normalize(np.ones((3, 4))) == 0)


def test_lcn_matches_a_direct_scipy_formula_and_flattens_contrast() -> None:
    img = RNG.random((20, 24)) * np.linspace(0.1, 5, 24)                          # contrast grows left to right
    out = local_contrast_normalize(img, sigma=2.0, eps=1e-3)
    c = img - gaussian_filter(img, 2.0)
    assert np.allclose(out, c / np.maximum(1e-3, np.sqrt(gaussian_filter(c**2, 2.0))), atol=1e-12)
    assert abs(np.log(out[:, -6:].std() / out[:, :6].std())) < abs(np.log(img[:, -6:].std() / img[:, :6].std())) / 4


def test_zca_matches_pca_whitening_up_to_rotation() -> None:
    X = RNG.standard_normal((400, 5)) @ RNG.standard_normal((5, 5)) + 2
    Z, W = zca_whiten(X)
    assert np.allclose(np.cov(Z.T), np.eye(5), atol=1e-10) and np.allclose(W, W.T)
    P = PCA(whiten=True).fit_transform(X)
    assert np.allclose(np.cov(P.T), np.eye(5), atol=1e-10)
    # both are whitened versions of the same data, so they differ by an orthogonal matrix: Z = P Q
    Q = np.linalg.lstsq(P, Z, rcond=None)[0]
    assert np.allclose(P @ Q, Z, atol=1e-8) and np.allclose(Q @ Q.T, np.eye(5), atol=1e-8)
    # and ZCA is the whitening closest to the data: its rotation is the one that undoes PCA's
    assert np.linalg.norm(Z - (X - X.mean(0))) < np.linalg.norm(P - (X - X.mean(0)))


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="2-D"):
        global_contrast_normalize(np.ones(3))
    with pytest.raises(ValueError, match="s must be"):
        global_contrast_normalize(np.ones((2, 3)), s=0)
    with pytest.raises(ValueError, match="singular"):
        zca_whiten(np.ones((5, 3)))
    with pytest.raises(ValueError, match="at least 2 rows"):
        zca_whiten(np.ones((1, 3)))
    assert np.all(np.isfinite(zca_whiten(np.ones((5, 3)), eps=1e-3)[0]))
