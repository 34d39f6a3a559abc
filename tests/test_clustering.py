"""k-means (§5.8.2) against scikit-learn's KMeans started from the same centroids."""

import numpy as np
import pytest

from dlbook.clustering import kmeans

RNG = np.random.default_rng(3)
CENTRES = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 3.5]])
X = np.vstack([c + RNG.standard_normal((40, 2)) for c in CENTRES])


@pytest.mark.parametrize("k, seed", [(2, 0), (3, 1), (5, 2)])
def test_matches_sklearn_lloyd_from_the_same_init(k: int, seed: int) -> None:
    from sklearn.cluster import KMeans

    init = X[np.random.default_rng(seed).choice(len(X), size=k, replace=False)]
    ours = kmeans(X, k, init=init)
    sk = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300).fit(X)
    np.testing.assert_allclose(ours.centers, sk.cluster_centers_, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(ours.labels, sk.labels_)
    assert ours.inertia == pytest.approx(sk.inertia_, rel=1e-10)


def test_objective_never_increases_and_centres_are_cluster_means() -> None:
    res = kmeans(X, 3, seed=4)
    assert np.all(np.diff(res.inertia_history) <= 1e-9)
    for j in range(3):
        np.testing.assert_allclose(res.centers[j], X[res.labels == j].mean(axis=0), rtol=1e-12)
    d2 = ((X[:, None, :] - res.centers[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(res.labels, d2.argmin(1))  # each point sits with its nearest centroid
    assert res.inertia == pytest.approx(d2.min(1).sum(), rel=1e-10)


def test_k_equal_m_gives_zero_inertia() -> None:
    assert kmeans(X[:6], 6).inertia == pytest.approx(0.0, abs=1e-12)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="k must be in \\[1, 120\\]"):
        kmeans(X, 0)
    with pytest.raises(ValueError, match="init must have shape \\(3, 2\\)"):
        kmeans(X, 3, init=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="X must be 2-D"):
        kmeans(X[:, 0], 2)
